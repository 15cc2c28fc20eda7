"""Document 000: the verdicts we expect, their evidence, and the matrix forms on drawn shapes.

Oracles: hand-checked facts about the document (the sum over i = 0..m has m + 1 terms; the
document's products are undefined in its own columns layout as soon as a dimension is 2; the
sigmoid never reaches 0 or 1) and exact SymPy evaluation on rational inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict, get_claim, to_numpy, verify
from derivations.decide import decide_matrix
from derivations.documents import doc000
from derivations.documents.doc000 import OUTPUT_FORMULAS, output_build

CLAIMS = {c.id: c for c in doc000.claims()}


def _result(cid):
    return verify(CLAIMS[cid])


def _case(result, **match):
    """The convention case whose convention contains ``match``."""
    for case in result.conventions:
        if all(case.convention.get(k) == v for k, v in match.items()):
            return case
    raise AssertionError(f"no convention {match} in {result}")


def test_claims_are_many_unique_and_tied_to_the_document():
    assert len(CLAIMS) >= 40
    assert len(CLAIMS) == len(doc000.claims())
    assert all(c.document == doc000.DOCUMENT for c in CLAIMS.values())


@pytest.mark.parametrize(
    "cid",
    ["000-sigmoid-derivative", *(f"000-sigmoid-step{k}" for k in range(1, 6)),
     "000-dL-dZ2-chain", "000-dL-dZ2-step1", "000-dL-dZ2-step2", "000-dL-dZ2-step3",
     "000-dZ2-dW2", "000-dZ2-db2", "000-dZ2-dA1", "000-gd-update", "000-loss-cross-entropy",
     "000-derivative-is-slope", "000-activation-needed"],
)
def test_correct_lines_are_proven(cid):
    assert _result(cid).verdict is Verdict.PROVEN


@pytest.mark.parametrize("cid", ["000-dZ2-dW2", "000-dZ2-db2", "000-dZ2-dA1"])
def test_local_derivatives_hold_for_scalars_and_entrywise_in_columns(cid):
    r = _result(cid)
    assert r.verdict is Verdict.PROVEN
    assert len(r.conventions) == 2 and all(c.holds for c in r.conventions)
    assert "20 shapes" in _case(r, layout="columns").detail


def test_sigmoid_derivative_is_registered_and_proven():
    assert verify(get_claim("000-sigmoid-derivative")).verdict is Verdict.PROVEN


def test_sum_from_zero_to_m_is_refuted_by_counting_terms():
    r = _result("000-bce-sum-range")
    assert r.verdict is Verdict.REFUTED
    assert r.counterexample.stated == "3 terms" and r.counterexample.correct == "2 terms"
    assert "m + 1" in r.reason
    assert r.corrected_check.verdict is Verdict.PROVEN


@pytest.mark.parametrize("cid", ["000-dL-dA2", "000-dL-dZ2"])
def test_output_gradient_misses_the_one_over_m_of_the_documents_loss(cid):
    # the document differentiates its own L = -1/m sum(...): as written, the 1/m is missing
    r = _result(cid)
    assert r.verdict is Verdict.REFUTED
    assert r.corrected_check.verdict is Verdict.PROVEN and r"\frac{1}{m}" in r.corrected
    assert "would hold only under: layout=columns, reduction=sum over samples" in r.reason
    mean = next(c for c in r.conventions if "mean" in c.convention["reduction"])
    total = next(c for c in r.conventions if c.convention["reduction"] == "sum over samples")
    assert not mean.holds and total.holds
    assert "dimensions (1, 2)" in mean.detail  # first failure: two samples


@pytest.mark.parametrize(
    ("cid", "one_sample"), [("000-dW2-columns", False), ("000-db2-columns", True),
                            ("000-dA1-columns", False)],
)
def test_matrix_forms_are_refuted_in_the_documents_layout_with_a_proven_correction(
        cid, one_sample):
    r = _result(cid)
    assert r.verdict is Verdict.REFUTED  # columns and 1/m are the document's own conventions
    assert "is false in the document's convention (layout=columns" in r.reason
    assert not _case(r, layout="columns", reduction="mean over m (the document's L)").holds
    assert not _case(r, layout="columns", reduction="sum over samples").holds
    assert not _case(r, layout="rows").holds
    assert _case(r, network="one unit per layer, one sample (scalars)").holds
    if one_sample:
        assert _case(r, samples="one (m = 1)").holds
    assert r.corrected_check.verdict is Verdict.PROVEN
    assert "20 shapes" in r.corrected_check.reason


def test_whole_backward_pass_fails_in_columns_and_the_correction_is_proven():
    r = _result("000-backprop-network-columns")
    assert r.verdict is Verdict.REFUTED
    assert r.corrected_check.verdict is Verdict.PROVEN
    assert _case(r, network="one unit per layer, one sample (scalars)").holds


@pytest.mark.parametrize("cid", ["000-dW2-chain-label", "000-db2-chain-label",
                                 "000-dA1-chain-label"])
def test_unlabelled_z_is_the_layer_z2_and_the_chain_is_proven(cid):
    # the line above computes dZ_2/d(.): Z is Z_2 as written, one literal reading
    r = _result(cid)
    assert r.verdict is Verdict.PROVEN
    assert [(rd.kind, rd.verdict) for rd in r.readings] == [("literal", Verdict.PROVEN)]


def test_sigmoid_range_is_open_not_closed():
    # 'limits the values to a range of [0, 1]' bounds the values: true, the ends never attained
    r = _result("000-sigmoid-range")
    assert r.verdict is Verdict.PROVEN
    assert "Interval.open(0, 1)" in r.reason and "sigma(z) = 1 has solutions EmptySet" in r.reason


def test_slope_formula_is_the_two_point_slope_not_the_regression_slope():
    r = _result("000-slope-formula")
    assert r.verdict is Verdict.PROVEN  # 'requires us to have two points': the text settles it
    two_point, regression = r.readings
    assert (two_point.kind, two_point.verdict) == ("literal", Verdict.PROVEN)
    assert (regression.kind, regression.verdict) == ("intended", Verdict.REFUTED)


def test_loss_is_not_the_prediction():
    r = _result("000-yhat")
    assert r.verdict is Verdict.AMBIGUOUS  # '=>' is undefined: both readings are literal
    assert r.readings[0].verdict is Verdict.REFUTED
    assert r.readings[1].verdict is Verdict.DEFINITION


def test_loss_depends_on_the_difference_only_for_binary_labels():
    r = _result("000-loss-difference")
    assert r.verdict is Verdict.PROVEN  # the document's classes are 0 and 1
    assert _case(r, labels="0/1 (the document's classes)").holds
    assert not _case(r, labels="soft targets in (0, 1)").holds


@pytest.mark.parametrize("cid", ["000-forward-Z1-columns", "000-forward-Z2-columns"])
def test_weights_on_the_left_mean_columns_layout(cid):
    r = _result(cid)
    assert r.verdict is Verdict.PROVEN  # the document writes W*X: columns is its layout
    assert _case(r, layout="columns").holds and not _case(r, layout="rows").holds


@pytest.mark.parametrize("cid", ["000-chain-rule", "000-dW1-chain", "000-db1-chain"])
def test_scalar_chain_rules_hold_only_for_scalars(cid):
    r = _result(cid)
    assert r.verdict is Verdict.PROVEN_UNDER_CONVENTION
    assert sum(c.holds for c in r.conventions) == 1


def test_one_input_feature_alone_is_not_enough():
    # the note fixes n_0 = 1 only: with two hidden units the document's products are undefined
    r = _result("000-one-input-feature")
    assert r.verdict is Verdict.REFUTED
    n_0, n_1, n_2, m = map(int, r.counterexample.point["dimensions"].strip("()").split(","))
    assert n_0 == 1 and max(n_1, n_2, m) > 1
    assert r.corrected_check.verdict is Verdict.PROVEN and "n_1 = n_2 = m = 1" in r.corrected


# -- the matrix forms on shapes drawn by Hypothesis ---------------------------------------

dims3 = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))


@settings(max_examples=20)
@given(dims3, st.sampled_from(sorted(OUTPUT_FORMULAS)))
def test_corrected_output_formulas_are_proven_at_drawn_shapes(dims, name):
    param, _, corrected, _ = OUTPUT_FORMULAS[name]
    d = decide_matrix(output_build(param, corrected), n_dims=3, shapes=[dims])
    assert d.verdict is Verdict.PROVEN, d.reason


@settings(max_examples=20)
@given(dims3)
def test_document_dW2_holds_exactly_when_one_input_unit_and_one_sample(dims):
    _, n1, m = dims
    param, stated, _, _ = OUTPUT_FORMULAS["dW2"]
    d = decide_matrix(output_build(param, stated), n_dims=3, shapes=[dims])
    assert (d.verdict is Verdict.PROVEN) == (n1 == 1 and m == 1), (dims, d.reason)


@settings(max_examples=20)
@given(dims3)
def test_document_db2_holds_exactly_for_one_sample(dims):
    param, stated, _, _ = OUTPUT_FORMULAS["db2"]
    d = decide_matrix(output_build(param, stated), n_dims=3, shapes=[dims])
    assert (d.verdict is Verdict.PROVEN) == (dims[2] == 1), (dims, d.reason)


# -- NumPy forms -----------------------------------------------------------------------------


def test_numpy_forms_compute_the_documents_formulas():
    rng = np.random.default_rng(0)
    A2 = rng.uniform(0.1, 0.9, (1, 3))
    Y = np.array([[0.0, 1.0, 1.0]])
    W2 = rng.standard_normal((1, 3))
    A1_square = rng.uniform(0.1, 0.9, (3, 3))  # m == n1: the product is defined
    dW2 = to_numpy("000-dW2-columns")(A2, Y, A1_square)
    assert dW2.shape == (1, 3)
    # reference: exact SymPy product of the same entries
    exact = (sp.Matrix(A2) - sp.Matrix(Y)) * sp.Matrix(A1_square)
    np.testing.assert_allclose(dW2, np.array(exact, dtype=float), rtol=1e-12)
    np.testing.assert_array_equal(to_numpy("000-db2-columns")(A2, Y), A2 - Y)
    np.testing.assert_array_equal(to_numpy("000-dL-dZ2")(A2, Y), A2 - Y)
    np.testing.assert_allclose(to_numpy("000-dL-dA2")(A2, Y), -Y / A2 + (1 - Y) / (1 - A2))
    with pytest.raises(ValueError):  # (1, 3) @ (1, 3): undefined, as the claim says
        to_numpy("000-dA1-columns")(A2, Y, W2)
    for cid in ("000-dW2-columns", "000-db2-columns", "000-dA1-columns", "000-dL-dZ2",
                "000-dL-dA2"):
        assert "A2" in to_numpy(cid).__doc__


def test_numpy_forms_do_not_modify_their_inputs():
    A2, Y = np.full((1, 2), 0.25), np.array([[0.0, 1.0]])
    before = A2.copy(), Y.copy()
    to_numpy("000-dL-dA2")(A2, Y)
    np.testing.assert_array_equal(A2, before[0])
    np.testing.assert_array_equal(Y, before[1])


def test_one_layer_formulas_hold_only_for_scalars():
    r = _result("000-one-layer")
    assert r.verdict is Verdict.REFUTED  # in the document's columns layout with its 1/m
    assert _case(r, network="one unit per layer, one sample (scalars)").holds


def test_gradient_descent_stops_at_stationary_points_not_only_minima():
    r = _result("000-gd-local-minimum")
    assert r.verdict is Verdict.AMBIGUOUS  # a purpose or a guarantee: both literal
    stops, minimum = r.readings
    assert stops.verdict is Verdict.PROVEN
    assert minimum.verdict is Verdict.REFUTED and "maximum" in minimum.reason


def test_live_example_is_a_different_network():
    r = _result("000-live-example")
    assert r.verdict is Verdict.REFUTED
    assert r.counterexample.correct == "3 weight layers, 2 features"
    assert r.counterexample.stated == "2 weight layers, 1 feature"


def test_live_example_feature_count_is_read_from_the_note():
    assert doc000.note_features() == 1
    assert doc000.note_features("the input has two input features `x` and `y`") == 2
    with pytest.raises(ValueError, match="names"):
        doc000.note_features("the input now only has one input feature `x` `y`")
    with pytest.raises(ValueError, match="note must state"):
        doc000.note_features("the input has some features")
    assert CLAIMS["000-one-input-feature"].quote == doc000.NOTE_QUOTE
