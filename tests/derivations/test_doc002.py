"""Document 002's claims: the verdicts we computed and believe, and mutants that must fail.

Oracle: exact SymPy (entrywise derivatives of the loss on symbolic matrices), NumPy's own
semantics for the code cells, and the hand-checked facts of the document (the spiral's
first point is (0, 0) and b1 starts at 0; ``dz2 = probs`` is an alias; the text's
``w^{2^T} * a^1`` is undefined with the code's (300, 4) a1).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict, to_numpy, verify
from derivations.decide import decide_matrix, matrix_shapes
from derivations.documents import doc002

CLAIMS = {c.id: c for c in doc002.claims()}


@functools.cache
def result(claim_id: str):
    return verify(CLAIMS[claim_id])


def readings(claim_id: str) -> dict[str, Verdict]:
    return {r.description: r.verdict for r in result(claim_id).readings}


def conventions(claim_id: str) -> dict[str, bool]:
    return {c.label(): c.holds for c in result(claim_id).conventions}


# ---------------------------------------------------------------------------------------
# coverage and identity


def test_the_document_has_several_dozen_claims_of_every_kind():
    assert len(CLAIMS) >= 60
    kinds = {c.kind for c in CLAIMS.values()}
    assert {"definition", "scalar", "matrix", "shape", "code", "update", "verbal",
            "network"} <= kinds
    assert all(c.document == doc002.DOCUMENT for c in CLAIMS.values())


def test_claims_decide_nothing_when_built():
    # building is cheap and pure: two calls give equal ids and no verdicts are stored
    assert [c.id for c in doc002.claims()] == list(CLAIMS)
    assert not hasattr(CLAIMS["002-dz2-rows"], "verdict")


# ---------------------------------------------------------------------------------------
# verdicts we believe


@pytest.mark.parametrize("claim_id", [
    "002-z1-rowwise", "002-z1-shape", "002-z2-shape", "002-probs-shape", "002-dz2-shape",
    "002-w1-b1-shapes", "002-w2-b2-shapes", "002-code-relu", "002-chain-dz2-p",
    "002-chain-dw2", "002-chain-db2", "002-chain-dz1", "002-chain-dw1", "002-chain-db1",
    "002-da1-known", "002-dz1-known", "002-dw2-orientation", "002-dw2-shape", "002-db2-shape",
    "002-da1-shape", "002-dw1-db1-shapes", "002-code-da1", "002-divide-by-m-average",
    "002-spiral-kink", "002-da1-inplace-safe", "002-code-update", "002-lr",
    "002-b2-printed", "002-summary-dz2-used", "002-summary-da1-used", "002-summary-dz1-used",
    "002-da1-uses-w2", "002-intermediates-saved", "002-gradient-unchanged",
    "002-dz2-dw2-local", "002-dz2-db2-local", "002-like-softmax-classifier",
    "002-chain-dz2", "002-update-double-m", "002-da1-not-used-elsewhere",
])
def test_proven(claim_id):
    assert result(claim_id).verdict is Verdict.PROVEN, str(result(claim_id))


def test_the_code_computes_the_mean_loss_gradient_end_to_end():
    assert conventions("002-network-rows") == {
        "layout=rows, reduction=mean over m": True,
        "layout=rows, reduction=sum over samples": False,
    }


@pytest.mark.parametrize("claim_id", ["002-code-dw2", "002-code-db2", "002-code-dw1",
                                      "002-code-db1", "002-db2-sum-average"])
def test_code_gradients_hold_for_the_mean_only(claim_id):
    assert result(claim_id).verdict is Verdict.PROVEN_UNDER_CONVENTION
    assert conventions(claim_id)["layout=rows, reduction=mean over m"] is True
    assert conventions(claim_id)["layout=rows, reduction=sum over samples"] is False


@pytest.mark.parametrize("claim_id", ["002-dz2-rows", "002-code-dz2", "002-dw2-rows"])
def test_text_gradients_without_1_over_m_hold_for_the_sum_only(claim_id):
    assert result(claim_id).verdict is Verdict.PROVEN_UNDER_CONVENTION
    assert conventions(claim_id)["layout=rows, reduction=sum over samples"] is True
    assert conventions(claim_id)["layout=rows, reduction=mean over m"] is False


def test_dz_per_sample_holds_for_the_per_sample_loss_not_the_mean():
    assert list(conventions("002-dz-softmax-ce").values()) == [True, False]


#: claims false as written (in the document's rows layout, shapes and names) whose repair is
#: proven: the verdict is refuted and the repair is the correction (issue 19)
REFUTED_AS_WRITTEN = [
    "002-final-objective", "002-z2-formula", "002-dw2-dz2-a1", "002-da1-dz2-w2",
    "002-dw1-dz1-x", "002-z2-w2a1", "002-z1-w1x", "002-db2-dz2", "002-db1-dz1",
    "002-chain-da1-mislabel", "002-sz2-placeholder", "002-dz2-da1-local", "002-da1-w2t-dz2",
    "002-dz1-already-calculated",
]


@pytest.mark.parametrize("claim_id", REFUTED_AS_WRITTEN)
def test_false_as_written_is_refuted_with_the_proven_repair_as_correction(claim_id):
    r = result(claim_id)
    assert r.verdict is Verdict.REFUTED, str(r)
    kinds = {x.kind for x in r.readings}
    assert kinds == {"literal", "intended"}
    assert all(x.verdict is Verdict.REFUTED for x in r.readings if x.kind == "literal")
    assert r.corrected and r.corrected_check.verdict is Verdict.PROVEN
    first_fix = next(x for x in r.readings if x.kind == "intended" and x.verdict is Verdict.PROVEN)
    assert r.corrected == first_fix.statement
    assert "as written" in r.reason and "probably meant" in r.reason
    assert r.counterexample is not None


def test_the_refuted_claims_are_exactly_these_each_with_a_proven_correction():
    refuted = {cid for cid in CLAIMS if result(cid).verdict is Verdict.REFUTED}
    assert refuted == set(REFUTED_AS_WRITTEN) | {
        "002-code-probs-alias", "002-da1-target-shape", "002-saved-for-backprop"}
    for cid in sorted(refuted):
        r = result(cid)
        assert r.counterexample is not None and r.corrected, cid
        assert r.corrected_check.verdict is Verdict.PROVEN, cid


def test_no_claim_of_the_document_is_left_ambiguous():
    # every reading the audit keeps is either the text as written or a repair of it, and the
    # text settles each statement's literal reading
    assert not [cid for cid in CLAIMS if result(cid).verdict is Verdict.AMBIGUOUS]


@pytest.mark.parametrize("claim_id", ["002-db2-dz2", "002-db1-dz1"])
def test_db_equals_dz_is_false_for_the_documents_batch(claim_id):
    assert list(readings(claim_id).values()) == [Verdict.REFUTED, Verdict.PROVEN]
    one = [s for s in matrix_shapes(2) if s[0] == 1]
    # the literal db = dz holds for one sample only, which is not the document's (300, 3)
    assert decide_matrix(doc002._db_build(False), n_dims=2, shapes=one).verdict is (
        Verdict.PROVEN)


def test_db_repair_mutants_are_refuted():
    def halved(dims):
        correct, stated = doc002._db_build(True)(dims)
        return correct, stated / 2

    def wrong_axis(dims):
        m, n = dims
        g = doc002._affine(n, 1, m, "sum")
        return g.db, (g.G * sp.ones(n, 1)).T

    for build in (halved, wrong_axis):
        assert decide_matrix(build, n_dims=2).verdict is Verdict.REFUTED


def test_relu_mask_takes_zero_at_the_kink():
    assert conventions("002-code-relu-mask") == {
        "ReLU'(0)=0 (left derivative, subgradient)": True,
        "ReLU'(0)=1 (right derivative)": False,
        "ReLU'(0)=1/2 (SymPy's Heaviside(0))": False,
    }


def test_softmax_cell_overflows_without_the_max_shift():
    r = result("002-code-softmax")
    assert r.verdict is Verdict.PROVEN_UNDER_CONVENTION
    table = conventions("002-code-softmax")
    assert table["arithmetic=exact"] and table["arithmetic=float64, logits 0..2"]
    assert not table["arithmetic=float64, a logit of 710"]
    assert "overflows" in r.conventions[2].detail


def test_dz1_is_da1_but_the_in_place_mask_is_harmless():
    r = result("002-dz1-already-calculated")
    assert [(x.kind, x.verdict) for x in r.readings] == [("literal", Verdict.REFUTED),
                                                         ("intended", Verdict.PROVEN)]
    assert "shares memory with da1" in r.readings[0].reason


@pytest.mark.parametrize("claim_id", ["002-code-probs-alias"])
def test_aliases_are_refuted_and_the_copy_is_proven(claim_id):
    r = result(claim_id)
    assert r.verdict is Verdict.REFUTED
    assert "shares memory" in r.reason
    assert r.counterexample.stated != r.counterexample.correct
    assert r.corrected_check.verdict is Verdict.PROVEN


def test_probs_alias_also_changes_a2():
    assert "a2" in result("002-code-probs-alias").reason


def test_probs_alias_reason_says_no_later_cell_reads_probs():
    # the alias is a hazard, not an error in the document's gradients: In [13]-[19] read dz2
    assert "no later cell reads probs or a2" in result("002-code-probs-alias").reason


def test_dz2_and_w2_cannot_make_a_4_by_3_matrix():
    r = result("002-da1-target-shape")
    assert r.verdict is Verdict.REFUTED
    assert "dz2 @ w2.T -> (300, 4)" in r.reason
    assert r.corrected_check.verdict is Verdict.PROVEN


def test_saved_values_list_is_refuted():
    r = result("002-saved-for-backprop")
    assert r.verdict is Verdict.REFUTED
    for name in ("b1", "b2"):
        assert name in r.counterexample.stated and name not in r.counterexample.correct
    assert "a1" in r.counterexample.correct and "probs" in r.counterexample.correct


def test_mislabeled_chain_rule_is_wrong_as_written_and_right_as_a_typo():
    assert readings("002-chain-da1-mislabel") == {
        "as written, with da^2/dz^1": Verdict.REFUTED,
        "da^2/dz^1 is a typo for da^2/dz^2": Verdict.PROVEN,
    }


def test_sz2_placeholder_readings():
    assert readings("002-sz2-placeholder") == {
        "sz^2 is a typo for dz^2": Verdict.PROVEN,
        "sz^2 is a scalar s times z^2": Verdict.REFUTED,
    }


def test_chain_dz2_is_the_jacobian_product_and_the_elementwise_mutant_misses_coupling():
    assert readings("002-chain-dz2") == {
        "* is the product with the Jacobian of softmax": Verdict.PROVEN}
    assert doc002.chain_dz2_elementwise().verdict is Verdict.REFUTED


def kinds(claim_id: str) -> list[tuple[str, Verdict]]:
    return [(x.kind, x.verdict) for x in result(claim_id).readings]


@pytest.mark.parametrize("claim_id", ["002-z2-formula", "002-z2-w2a1", "002-z1-w1x"])
def test_z_formulas_are_undefined_in_rows_layout_and_right_as_columns(claim_id):
    assert kinds(claim_id) == [("literal", Verdict.REFUTED), ("intended", Verdict.PROVEN)]


@pytest.mark.parametrize(("claim_id", "fix"), [("002-dw2-dz2-a1", "a1.T @ dz2"),
                                               ("002-da1-dz2-w2", "dz2 @ w2.T"),
                                               ("002-dw1-dz1-x", "x.T @ dz1")])
def test_products_are_undefined_as_written_and_right_transposed(claim_id, fix):
    assert kinds(claim_id) == [("literal", Verdict.REFUTED), ("literal", Verdict.REFUTED),
                               ("intended", Verdict.PROVEN)]
    assert fix in result(claim_id).readings[2].description


@pytest.mark.parametrize(("which", "mutate"), [
    ("dW", lambda g: 2 * g.A.T * g.G),
    ("dW", lambda g: (g.G.T * g.A).T / g.A.rows),
    ("dA", lambda g: g.G * g.W.T * -1),
    ("dA", lambda g: g.G * g.W),
], ids=["dW doubled", "dW with 1/m", "dA negated", "dA untransposed"])
def test_transposed_product_mutants_are_refuted(which, mutate):
    def build(dims):
        m, n_in, n_out = dims
        g = doc002._affine(n_out, n_in, m, "sum")
        return (g.dW if which == "dW" else g.dA), mutate(g)

    assert decide_matrix(doc002._affine_fix_build(which), n_dims=3).verdict is Verdict.PROVEN
    assert decide_matrix(build, n_dims=3).verdict is Verdict.REFUTED


def test_da1_w2t_dz2_only_holds_with_the_codes_order_or_w_renamed():
    assert kinds("002-da1-w2t-dz2") == [("literal", Verdict.REFUTED), ("literal", Verdict.REFUTED),
                                        ("intended", Verdict.PROVEN), ("intended", Verdict.PROVEN)]
    assert result("002-da1-w2t-dz2").corrected == r"da^1 = dz^2 w^{2^T}"


def test_update_rule_is_right_with_the_texts_dw_and_divides_twice_with_the_codes():
    assert kinds("002-update-double-m") == [("literal", Verdict.PROVEN)]
    assert doc002.decide_update_text(dw1_divided_by_m=True).verdict is Verdict.REFUTED


def test_dz2_da1_local_is_w2_transposed_as_a_jacobian():
    assert kinds("002-dz2-da1-local") == [("literal", Verdict.REFUTED),
                                          ("intended", Verdict.PROVEN),
                                          ("intended", Verdict.PROVEN)]
    assert result("002-dz2-da1-local").corrected.endswith("w^{2^T}")


def test_final_objective_reason_names_what_the_cells_compute():
    r = result("002-final-objective")
    assert "the last is probs" in r.reason
    assert "['z1', 'z2']" in r.readings[1].reason  # the affine outputs, found by parsing


def test_every_claim_has_a_numpy_form_only_if_matrix_like():
    with_numpy = {cid for cid, c in CLAIMS.items() if c.numpy is not None}
    assert {"002-dz2-rows", "002-dw2-rows", "002-code-dw2", "002-code-db2", "002-code-da1",
            "002-code-relu-mask", "002-code-dw1", "002-code-db1"} <= with_numpy
    assert all(CLAIMS[c].kind in {"matrix", "code"} for c in with_numpy)


# ---------------------------------------------------------------------------------------
# NumPy forms against the exact gradient


def test_numpy_forms_match_the_symbolic_formulas():
    rng = np.random.default_rng(0)
    m, h, n = 4, 3, 2
    a1, dz2, w2 = rng.normal(size=(m, h)), rng.normal(size=(m, n)), rng.normal(size=(h, n))
    before = dz2.copy()
    np.testing.assert_allclose(to_numpy("002-code-dw2")(a1, dz2, m), a1.T @ dz2 / m)
    np.testing.assert_allclose(to_numpy("002-dw2-rows")(a1, dz2), a1.T @ dz2)
    np.testing.assert_allclose(to_numpy("002-code-db2")(dz2, m), dz2.sum(0, keepdims=True) / m)
    np.testing.assert_allclose(to_numpy("002-db2-sum-average")(dz2, m),
                               dz2.sum(0, keepdims=True) / m)
    np.testing.assert_allclose(to_numpy("002-code-da1")(dz2, w2), dz2 @ w2.T)
    z1 = np.array([[0.0, -1.0, 2.0]])
    da1 = np.array([[3.0, 3.0, 3.0]])
    np.testing.assert_array_equal(to_numpy("002-code-relu-mask")(da1, z1), [[0.0, 0.0, 3.0]])
    probs = np.array([[0.5, 0.5], [0.25, 0.75]])
    np.testing.assert_allclose(to_numpy("002-code-dz2")(probs, 2, np.array([0, 1])),
                               [[-0.5, 0.5], [0.25, -0.25]])
    np.testing.assert_allclose(to_numpy("002-dz2-rows")(probs, np.eye(2)),
                               [[-0.5, 0.5], [0.25, -0.25]])
    assert probs[0, 0] == 0.5  # the cell's alias does not reach the caller's array
    np.testing.assert_array_equal(dz2, before)
    assert "Arguments" in to_numpy("002-code-dw1").__doc__


# ---------------------------------------------------------------------------------------
# Hypothesis: matrix claims at drawn shapes

small = st.integers(1, 3)


@settings(max_examples=20)
@given(small, small)
def test_dz2_is_p_minus_onehot_for_the_summed_loss(m, n):
    assert decide_matrix(doc002.build_dz2("sum"), n_dims=2, shapes=[(m, n)]).verdict is (
        Verdict.PROVEN
    )
    mean = decide_matrix(doc002.build_dz2("mean"), n_dims=2, shapes=[(m, n)]).verdict
    # with one class the gradient is 0 under both reductions
    assert mean is (Verdict.REFUTED if m > 1 and n > 1 else Verdict.PROVEN)


@settings(max_examples=20)
@given(small, small, small)
def test_code_weight_gradients_are_the_mean_loss_gradients(m, k, n):
    for build in (doc002.build_code_dw2, doc002.build_code_dw1):
        assert decide_matrix(build("mean"), n_dims=3, shapes=[(m, k, n)]).verdict is (
            Verdict.PROVEN
        )
        assert decide_matrix(build("sum"), n_dims=3, shapes=[(m, k, n)]).verdict is (
            Verdict.REFUTED if m > 1 else Verdict.PROVEN
        )
    assert decide_matrix(doc002.build_code_da1, n_dims=3, shapes=[(m, k, n)]).verdict is (
        Verdict.PROVEN
    )
    assert decide_matrix(doc002.build_dw2_text("sum"), n_dims=3,
                         shapes=[(m, k, n)]).verdict is Verdict.PROVEN


@settings(max_examples=20)
@given(small, small)
def test_code_bias_gradients_are_the_mean_loss_gradients(m, n):
    for build in (doc002.build_code_db2, doc002.build_code_db1, doc002.build_db2_average):
        assert decide_matrix(build("mean"), n_dims=2, shapes=[(m, n)]).verdict is (
            Verdict.PROVEN
        )


@settings(max_examples=4)
@given(st.sampled_from([(1, 2, 2, 1), (2, 1, 2, 2), (1, 1, 3, 2), (2, 2, 1, 2)]))
def test_code_backward_end_to_end_at_more_shapes(dims):
    from derivations.networks import gradients, network

    net = network(dims[:-1], dims[-1], layout="rows", activations=("relu", "softmax"),
                  loss="ce", reduction="mean")
    got, want = doc002.code_backward(net), gradients(net)
    for name in want:
        diff = (got[name] - want[name]).applyfunc(sp.cancel)
        assert diff == sp.zeros(*want[name].shape), name


# ---------------------------------------------------------------------------------------
# mutants: deliberately wrong variants must come out refuted


def _mutant(source: str, output: str, grad: str, a: str, dz: str, reduction: str, dims):
    build = doc002.code_affine_build(source, output, grad, a, dz)(reduction)
    return decide_matrix(build, n_dims=len(dims), shapes=[dims]).verdict


@pytest.mark.parametrize(("source", "output", "grad", "a", "dz", "dims"), [
    pytest.param("dw2 = np.dot(a1.T, dz2)", "dw2", "dW", "a1", "dz2", (2, 2, 3),
                 id="dw2 without 1/m"),
    pytest.param("dw2 = np.dot(dz2.T, a1)/ m", "dw2", "dW", "a1", "dz2", (2, 2, 3),
                 id="dw2 transposed product"),
    pytest.param("dw2 = -np.dot(a1.T, dz2)/ m", "dw2", "dW", "a1", "dz2", (2, 2, 3),
                 id="dw2 sign flipped"),
    pytest.param("db2 = np.sum(dz2, axis = 1, keepdims = True)/ m", "db2", "db", "a1", "dz2",
                 (2, 3), id="db2 wrong axis"),
    pytest.param("db2 = np.sum(dz2, axis = 0, keepdims = True)", "db2", "db", "a1", "dz2",
                 (2, 3), id="db2 without 1/m"),
    pytest.param("dw1 = np.dot(x.T, dz1)/ m / m", "dw1", "dW", "x", "dz1", (2, 2, 2),
                 id="dw1 divided twice"),
    pytest.param("db1 = np.mean(dz1, axis = 1, keepdims = True)", "db1", "db", "x", "dz1",
                 (3, 2), id="db1 mean over the wrong axis"),
])
def test_code_mutants_are_refuted(source, output, grad, a, dz, dims):
    assert _mutant(source, output, grad, a, dz, "mean", dims) is Verdict.REFUTED


@pytest.mark.parametrize(("source", "verdict"), [
    pytest.param("dz2 = probs.copy()\ndz2[range(m), y] -= 1", Verdict.PROVEN, id="copy"),
    pytest.param("dz2 = -probs\ndz2[range(m), y] += 1", Verdict.REFUTED, id="sign flipped"),
    pytest.param("dz2 = probs\ndz2[range(m), y] += 1", Verdict.REFUTED, id="P + onehot"),
    pytest.param("dz2 = probs", Verdict.REFUTED, id="onehot forgotten"),
])
def test_dz2_variants(source, verdict):
    build = doc002.build_code_dz2("sum", source=source)
    assert decide_matrix(build, n_dims=2, shapes=[(2, 2)]).verdict is verdict


def test_mask_with_strict_inequality_takes_one_at_the_kink():
    strict = "da1[z1 < 0] = 0\ndz1 = da1"
    assert doc002.decide_mask(sp.Integer(0), source=strict).verdict is Verdict.REFUTED
    assert doc002.decide_mask(sp.Integer(1), source=strict).verdict is Verdict.PROVEN
    no_mask = "dz1 = da1"
    assert doc002.decide_mask(sp.Integer(0), source=no_mask).verdict is Verdict.REFUTED


def test_update_with_the_wrong_sign_is_refuted():
    assert doc002.decide_update_code().verdict is Verdict.PROVEN
    wrong = "w1 += lr * dw1\nb1 += -lr * db1\nw2 += -lr * dw2\nb2 += -lr * db2"
    assert doc002.decide_update_code(wrong).verdict is Verdict.REFUTED


def test_cells_are_read_only():
    with pytest.raises(TypeError):
        doc002.CELLS[12] = "dz2 = probs.copy()"  # type: ignore[index]


def test_da1_is_unused_by_name_and_its_array_living_on_as_dz1_is_noted():
    r = result("002-da1-not-used-elsewhere")
    assert kinds("002-da1-not-used-elsewhere") == [("literal", Verdict.PROVEN)]
    assert "lives on as dz1" in r.reason


def test_uses_mutant_is_refuted():
    # the same procedure with a wrong list of uses must fail
    d = doc002._decide_uses("da1", {"dz1", "dw1"}, cells=doc002.BACKWARD_CELLS, what="mutant")
    assert d.verdict is Verdict.REFUTED
