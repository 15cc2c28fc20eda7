"""Document 003's claims: the verdicts we computed and believe, and mutants that must fail.

Oracle: exact SymPy (``diff`` of the composed loss, entrywise on symbolic matrices in the
columns layout), hand-checked facts of the document (its cost closes the bracket after the
first log term; the chain labelled dJ/dW2 ends in dZ1/dW1; the update takes the gradient at
W_i), and, for the NumPy forms, the lambdified derivative of the summed cost.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict, to_numpy, verify
from derivations.documents import doc003
from derivations.networks import Sigmoid, network

CLAIMS = {c.id: c for c in doc003.claims()}
RTOL = {np.float64: 1e-12}  # lambdified formulas agree up to float64 rounding


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
    assert {"definition", "scalar", "matrix", "shape", "update", "verbal", "network"} <= kinds
    assert all(c.document == doc003.DOCUMENT for c in CLAIMS.values())
    assert all(cid.startswith("003-") and cid == cid.lower() for cid in CLAIMS)


def test_claims_decide_nothing_when_built():
    assert [c.id for c in doc003.claims()] == list(CLAIMS)
    assert not hasattr(CLAIMS["003-dz3-columns"], "verdict")


# ---------------------------------------------------------------------------------------
# verdicts we believe


@pytest.mark.parametrize("claim_id", [
    "003-z1-columns", "003-z2-columns", "003-z3-columns", "003-weights-orientation",
    "003-three-layers",
    "003-sigmoid-definition-repeated",
    "003-cost-is-average-loss", "003-bce-cost-index-range", "003-mse-cost-index-range",
    "003-sigmoid-probabilities", "003-loss-lacks-w3", "003-chain-dw3",
    "003-bce-derivative-numerator", "003-bce-derivative-simplified", "003-ln-derivative",
    "003-sigmoid-derivative", "003-sigmoid-derivative-in-a3", "003-dw3-fused",
    "003-dw3-simplified", "003-dz3", "003-b3-constant", "003-partial-derivative-of-sum",
    "003-chain-dw2", "003-dz3-da2-is-w3",
    "003-da2-dz2-gprime", "003-activation-derivatives-differ", "003-db-columns",
    "003-linear-output", "003-chain-dw3-regression", "003-chain-dw2-regression",
    "003-bce-cost-notation", "003-dz3-dw3-slope", "003-dz2-dw2-slope", "003-dz1-dw1-slope",
    "003-dz3-regression-index", "003-bce-derivative", "003-mse-derivative",
])
def test_proven(claim_id):
    assert result(claim_id).verdict is Verdict.PROVEN, str(result(claim_id))


#: false as written (the document's columns layout, its vectors and matrices, its names),
#: with a proven repair: refuted, the repair the correction (issue 19)
REFUTED_AS_WRITTEN = [
    "003-hypothesis-function", "003-dw3-columns", "003-dw3-regression-columns",
    "003-dw2-sample", "003-dw1-sample", "003-chain-dw1-mislabel",
    "003-chain-dw1-mislabel-regression", "003-derivative-of-w3-wording",
    "003-regression-bce-named",
]


@pytest.mark.parametrize("claim_id", [
    "003-bce-cost-bracket", "003-dz2-columns", "003-dz1-columns", "003-bias-already-divided",
    "003-gradient-descent-update", *REFUTED_AS_WRITTEN,
])
def test_refuted_with_a_counterexample_and_a_proven_correction(claim_id):
    r = result(claim_id)
    assert r.verdict is Verdict.REFUTED, str(r)
    assert r.counterexample is not None
    assert r.counterexample.stated != r.counterexample.correct
    assert r.corrected
    assert r.corrected_check is not None and r.corrected_check.verdict is Verdict.PROVEN


@pytest.mark.parametrize("claim_id", REFUTED_AS_WRITTEN)
def test_the_correction_is_the_first_proven_repair(claim_id):
    r = result(claim_id)
    assert all(x.verdict is Verdict.REFUTED for x in r.readings if x.kind == "literal")
    fix = next(x for x in r.readings if x.kind == "intended" and x.verdict is Verdict.PROVEN)
    assert r.corrected == fix.statement
    assert "as written" in r.reason and "probably meant" in r.reason


def test_any_other_activation_is_shown_on_two_of_them_not_proven_for_all():
    r = result("003-hidden-activation-replaceable")
    assert r.verdict is Verdict.PROVEN_UNDER_CONVENTION
    assert conventions("003-hidden-activation-replaceable")[
        "model=tanh and sigmoid hidden layers (2 of the other activations)"] is True


def test_layer_count_reads_the_documents_equations_and_a_missing_layer_is_refuted():
    assert "W1, W2, W3" in result("003-three-layers").reason
    two = doc003.FORWARD_EQUATIONS[:2] + doc003.FORWARD_EQUATIONS[4:]
    assert doc003.decide_three_layers(two).verdict is Verdict.REFUTED
    tanh_out = (*doc003.FORWARD_EQUATIONS[:5], r"A3 = tanh(Z3)")
    assert doc003.decide_three_layers(tanh_out).verdict is Verdict.REFUTED


def test_the_refuted_claims_are_exactly_these_each_with_a_proven_correction():
    refuted = {cid for cid in CLAIMS if result(cid).verdict is Verdict.REFUTED}
    assert refuted == set(REFUTED_AS_WRITTEN) | {
        "003-bce-cost-bracket", "003-dz2-columns", "003-dz1-columns", "003-bias-already-divided",
        "003-gradient-descent-update", "003-dz3-columns", "003-dz3-regression-columns",
        "003-network-classification-columns", "003-network-regression-columns"}
    for cid in sorted(refuted):
        r = result(cid)
        assert r.counterexample is not None and r.corrected, cid
        assert r.corrected_check.verdict is Verdict.PROVEN, cid


def test_no_claim_of_the_document_is_left_ambiguous():
    assert not [cid for cid in CLAIMS if result(cid).verdict is Verdict.AMBIGUOUS]


def test_network_titles_say_the_transposes_are_added():
    for cid in ("003-network-classification-columns", "003-network-regression-columns"):
        assert "transposes" in CLAIMS[cid].title
        assert "transposes" in result(cid).conventions[0].detail


def test_already_divided_counterexample_uses_a_label_in_0_1():
    # a BCE label outside [0, 1] would be a counterexample no reader can use
    cex = result("003-bias-already-divided").counterexample
    labels = [sp.Rational(v) for k, v in cex.point.items() if k.startswith("Y_")]
    assert labels and all(0 < y < 1 for y in labels)


@pytest.mark.parametrize(("claim_id", "dims"), [("003-dz2-columns", "(n_2, n_3, m)"),
                                                ("003-dz1-columns", "(n_1, n_2, m)")])
def test_dz_prev_reason_names_its_dimensions(claim_id, dims):
    assert f"dimensions are {dims}" in result(claim_id).reason


def test_cost_bracket_leaves_the_second_log_term_outside_the_sum():
    r = result("003-bce-cost-bracket")
    assert "outside its sum" in r.reason
    assert "m = 1" in r.reason  # already one sample shows it: the second term keeps its + sign


def test_the_text_gradients_are_false_for_the_documents_mean_cost_and_right_for_the_sum():
    # the document's batch objective is J(theta), a mean over m: as written, refuted
    for cid in ("003-dz3-columns", "003-dz3-regression-columns",
                "003-network-classification-columns", "003-network-regression-columns"):
        r = result(cid)
        assert r.verdict is Verdict.REFUTED, str(r)
        assert "(A3 - Y)" in r.corrected and "m" in r.corrected
        assert r.corrected_check.verdict is Verdict.PROVEN
        table = conventions(cid)
        assert table["layout=columns, reduction=sum over samples"] is True
        assert table["layout=columns, reduction=mean over m (the document's J(theta))"] is False


def test_regression_dz3_needs_the_half():
    assert conventions("003-dz3-regression-columns")[
        "layout=columns, reduction=sum, half=no"] is False


def test_loss_derivatives_hold_per_sample_but_not_for_the_mean_cost():
    for cid in ("003-bce-derivative", "003-mse-derivative"):
        # the document: "The loss refers to the error of a single observation"
        assert result(cid).verdict is Verdict.PROVEN
        assert "single observation" in result(cid).reason
        table = conventions(cid)
        assert table["loss=per-sample J(A3_i, y_i)"] is True
        assert table["reduction=sum over samples"] is True
        assert table["reduction=mean over m (J(theta))"] is False
    mse = conventions("003-mse-derivative")
    assert mse["reduction=sum over samples, half=no"] is False  # 2 (A3 - y)
    assert mse["reduction=mean over m, half=no"] is False  # 2/3 (A3 - y) at m = 3


def test_mse_is_the_half_mean_of_squares():
    assert conventions("003-mse-cost-name") == {
        "mse=1/2 mean of squares (the backprop convention)": True,
        "mse=mean of squares, 1/m sum (A3_i - y_i)^2": False,
    }


def test_mislabeled_chains_are_dj_dw1():
    for cid in ("003-chain-dw1-mislabel", "003-chain-dw1-mislabel-regression"):
        assert readings(cid) == {
            "the left side as labelled, dJ/dW2": Verdict.REFUTED,
            "the left side meant as dJ/dW1 (the chain ends in dZ1/dW1)": Verdict.PROVEN,
        }


def test_bce_named_in_the_regression_section_is_the_squared_error():
    assert readings("003-regression-bce-named") == {
        "as named: the Binary Cross Entropy loss with the linear output A3 = Z3":
            Verdict.REFUTED,
        "the section's loss, the squared error (the name is a slip)": Verdict.PROVEN,
    }


def kinds(claim_id: str) -> list[tuple[str, Verdict]]:
    return [(x.kind, x.verdict) for x in result(claim_id).readings]


def test_dw3_needs_a2_transposed_and_the_mean_costs_1_over_m():
    for cid in ("003-dw3-columns", "003-dw3-regression-columns"):
        assert kinds(cid) == [("literal", Verdict.REFUTED), ("intended", Verdict.PROVEN),
                              ("intended", Verdict.REFUTED), ("intended", Verdict.PROVEN)], cid
        assert result(cid).corrected == r"\partial W3 = \frac{1}{m}(A3 - Y) A2^T"
        # the transposed form (the NumPy form) holds for the summed cost only
        assert [c.holds for c in result(cid).conventions] == [True, False]


@pytest.mark.parametrize("claim_id", ["003-dw2-sample", "003-dw1-sample"])
def test_per_sample_weight_gradients_need_transposes(claim_id):
    assert readings(claim_id) == {
        "matrix products left to right, columns layout": Verdict.REFUTED,
        "W transposed and moved left, g' elementwise, A transposed": Verdict.PROVEN,
    }


@pytest.mark.parametrize(("claim_id", "names"), [("003-dz3-dw3-slope", ("W3", "A2")),
                                                 ("003-dz2-dw2-slope", ("W2", "A1")),
                                                 ("003-dz1-dw1-slope", ("W1", "X"))])
def test_slopes_hold_per_sample_and_the_batch_jacobian_mutant_is_refuted(claim_id, names):
    assert kinds(claim_id) == [("literal", Verdict.PROVEN)]
    assert doc003._decide_slope(names, batch=True).verdict is Verdict.REFUTED


def test_notation_readings():
    assert kinds("003-bce-cost-notation") == [("literal", Verdict.PROVEN)]
    # the mutant: sigma(x^(i)) read as the sigmoid of the raw input
    assert doc003._decide_notation(sigma_of_input=True).verdict is Verdict.REFUTED
    assert kinds("003-hypothesis-function") == [("literal", Verdict.REFUTED),
                                                ("intended", Verdict.PROVEN)]
    assert kinds("003-derivative-of-w3-wording") == [("literal", Verdict.REFUTED),
                                                     ("intended", Verdict.PROVEN)]
    assert kinds("003-dz3-regression-index") == [("literal", Verdict.PROVEN)]
    broadcast = doc003._regression_index_build(2, "broadcast")
    assert doc003.decide_fast(broadcast, [(1,)], what="mutant").verdict is Verdict.REFUTED


def test_sigmoid_derivative_is_bell_shaped_but_not_gaussian():
    r = result("003-sigmoid-derivative-bell")
    assert r.verdict is Verdict.PROVEN_UNDER_CONVENTION  # qualitative: decided on models
    assert [c.holds for c in r.conventions] == [True, False]
    bell, gauss = r.conventions
    assert "bell-shaped" in bell.label() and "1/4" in bell.detail
    # the Gaussian with sigma''s peak 1/4 and curvature -1/8 at 0 has lighter tails
    assert "exp(-z**2/4)/4" in gauss.detail


# ---------------------------------------------------------------------------------------
# the generic hidden activation g: proofs hold for every g, a wrong formula is refuted


@pytest.mark.parametrize("claim_id", ["003-chain-dw3", "003-chain-dw2", "003-linear-output",
                                      "003-dw3-fused", "003-dw3-simplified",
                                      "003-chain-dw2-regression", "003-da2-dz2-gprime"])
def test_generic_g_claims_are_proven(claim_id):
    assert result(claim_id).verdict is Verdict.PROVEN


@pytest.mark.parametrize("factor", [2, -1, sp.Rational(1, 2)])
def test_a_wrong_generic_g_chain_is_refuted_with_a_concrete_g(factor):
    s = doc003._scalar("classification", "generic")
    chain = s.chain(doc003._edges("J A3 Z3 A2 Z2 W2"))
    d = doc003._decide_scalar(s.grad("W2"), factor * chain, what="mutant",
                              domain={s.values["Y"]: (0, 1)})
    assert d.verdict is Verdict.REFUTED, d.reason
    # the counterexample gives the values of g and g' it was found with (a real smooth g)
    assert any(k.startswith("g'(") for k in d.counterexample.point), d.counterexample


def test_g_prime_taken_at_the_wrong_point_is_refuted():
    s = doc003._scalar("classification", "generic")
    right = s.chain(doc003._edges("J A3 Z3 A2 Z2 W2"))
    at_z1 = right / s.local("A2", "Z2") * s.local("A1", "Z1")  # g'(Z1) in place of g'(Z2)
    d = doc003._decide_scalar(s.grad("W2"), at_z1, what="mutant",
                              domain={s.values["Y"]: (0, 1)})
    assert d.verdict is Verdict.REFUTED, d.reason


def test_a_doubled_g_prime_jacobian_is_refuted():
    def build(dims):
        (n,) = dims
        Z = doc003.matrix("Z2", n, 1)
        return (Z.applyfunc(doc003._G).jacobian(Z),
                sp.diag(*[2 * sp.diff(doc003._G(z), z) for z in Z]))

    assert doc003.decide_fast(build, [(1,), (2,)], what="2 g'").verdict is Verdict.REFUTED


def test_subtracting_the_gradient_lowers_the_cost_only_for_small_rates():
    # J = 1/2 (2w - 1)^2 from w = 1: alpha = 1 overshoots to w = -1, J from 1/2 up to 9/2
    r = result("003-gradient-descent-subtract")
    assert r.verdict is Verdict.PROVEN_UNDER_CONVENTION
    assert conventions("003-gradient-descent-subtract") == {
        "learning rate=alpha = 1/10": True, "learning rate=alpha = 1": False,
    }
    assert "Interval.open(0, 1/2)" in r.reason


def test_gradient_descent_reaches_the_valley_only_for_small_rates():
    assert conventions("003-gradient-descent-valley") == {
        "learning rate=alpha = 1/10": True, "learning rate=alpha = 1": False,
    }


def test_the_written_update_is_the_implicit_step():
    w = sp.Symbol("w", real=True)
    run = doc003.implicit_descent((2 * w - 1) ** 2 / 2, w, 1, sp.Rational(1, 10), steps=1)
    # w1 = 1 - (1/10) * 2 (2 w1 - 1)  <=>  w1 = 6/7, whereas gradient descent gives 4/5
    assert run.iterates == ((1,), (sp.Rational(6, 7),))
    # three steps: w - 1/2 shrinks by 5/7 each implicit step, by 3/5 each gradient step
    reason = result("003-gradient-descent-update").reason
    assert "234/343" in reason and "76/125" in reason


def test_implicit_descent_on_a_quadratic_divides_by_one_plus_rate():
    w = sp.Symbol("w", real=True)
    run = doc003.implicit_descent(w**2 / 2, w, 3, sp.Rational(1, 2), steps=3)
    assert [p[0] for p in run.iterates] == [3 / sp.Rational(3, 2) ** k for k in range(4)]


# ---------------------------------------------------------------------------------------
# shapes drawn by Hypothesis (entrywise SymPy on symbolic matrices)

dim = st.integers(1, 3)


def _proven(build, dims) -> bool:
    return doc003.decide_fast(build, [dims], what="test").verdict is Verdict.PROVEN


@settings(max_examples=20, deadline=None)
@given(n3=dim, m=dim)
def test_dz3_is_a3_minus_y_for_the_sum_and_off_by_m_for_the_mean(n3, m):
    for task in ("classification", "regression"):
        assert _proven(doc003._build_dz3(task, "sum"), (n3, m))
        assert _proven(doc003._build_dz3(task, "mean"), (n3, m)) == (m == 1)
        assert _proven(doc003._build_dz3(task, "mean", scale_by_m=True), (n3, m))


@settings(max_examples=20, deadline=None)
@given(n3=st.integers(1, 2), n2=dim, m=dim)
def test_dw3_with_a2_transposed_at_drawn_shapes(n3, n2, m):
    build = doc003._build_dw3("classification", "sum", "transposed")
    assert _proven(build, (n3, n2, m))
    assert _proven(doc003._build_dw3("classification", "mean", "mean"), (n3, n2, m))


@settings(max_examples=20, deadline=None)
@given(n=dim, n_next=dim, m=dim)
def test_dz_prev_corrected_holds_and_the_literal_only_for_scalars(n, n_next, m):
    names = ("Z2", "W3", "dZ3")
    assert _proven(doc003._build_dz_prev(names, "corrected"), (n, n_next, m))
    literal = _proven(doc003._build_dz_prev(names, "as written"), (n, n_next, m))
    assert literal == ((n, n_next, m) == (1, 1, 1))


@settings(max_examples=20, deadline=None)
@given(n_prev=dim, n=dim, n_next=dim)
def test_per_sample_dw_corrected_holds_at_drawn_shapes(n_prev, n, n_next):
    names = ("A1", "W2", "Z2", "W3", "dZ3")
    assert _proven(doc003._build_dw_sample(names, "corrected"), (n_prev, n, n_next))


# ---------------------------------------------------------------------------------------
# mutants of the verifier: deliberately wrong formulas must be refuted


def _network_mutant(mutate):
    def build(dims):
        net = network(tuple(dims[:-1]), dims[-1], layout="columns", reduction="sum",
                      activations=("sigmoid", "sigmoid", "sigmoid"), loss="bce")
        from derivations.networks import gradients, stacked
        return (stacked(gradients(net), net.params),
                stacked(mutate(net, doc003.document_backward(net, hidden="sigmoid")),
                        net.params))
    return build


def _dz3_sign(net, g):
    flipped = (net.Y - net.A[-1])
    return {**g, "W3": flipped * net.A[2].T}


def _gprime_at_a(net, g):  # sigma' taken at A2 instead of Z2
    dZ3 = net.A[-1] - net.Y
    at_a = net.A[2].applyfunc(lambda a: Sigmoid(a) * (1 - Sigmoid(a)))
    dZ2 = (net.params["W3"].T * dZ3).multiply_elementwise(at_a)
    return {**g, "W2": dZ2 * net.A[1].T}


def _no_transpose(net, g):
    return {**g, "W3": (net.A[-1] - net.Y) * net.A[2]}


def _bias_wrong_axis(net, g):
    dZ3 = net.A[-1] - net.Y
    return {**g, "b3": dZ3.T * sp.ones(dZ3.rows, 1)}


@pytest.mark.parametrize("mutate", [_dz3_sign, _gprime_at_a, _no_transpose, _bias_wrong_axis],
                         ids=lambda f: f.__name__)
def test_network_mutants_are_refuted(mutate):
    shapes = [(1, 1, 1, 1, 1), (1, 2, 2, 1, 2), (2, 1, 1, 1, 3)]
    d = doc003.decide_fast(_network_mutant(mutate), shapes, what="mutant")
    assert d.verdict is Verdict.REFUTED, d.reason


z, A, Y = sp.Symbol("z", real=True), sp.Symbol("A", real=True), sp.Symbol("Y", real=True)
UNIT = {A: (sp.Rational(0), sp.Rational(1)), Y: (sp.Rational(0), sp.Rational(1))}
SIG = 1 / (1 + sp.exp(-z))
BCE = -(Y * sp.log(A) + (1 - Y) * sp.log(1 - A))


@pytest.mark.parametrize(("correct", "mutant"), [
    pytest.param(sp.diff(BCE, A), Y / A - (1 - Y) / (1 - A), id="dBCE/dA sign flipped"),
    pytest.param(sp.diff(BCE, A), (A - Y) / A, id="dBCE/dA denominator (1 - A) dropped"),
    pytest.param(sp.diff(SIG, z), SIG.subs(z, SIG) * (1 - SIG.subs(z, SIG)),
                 id="sigma' taken at A = sigma(z) instead of z"),
    pytest.param(sp.diff((A - Y) ** 2 / 2, A), 2 * (A - Y), id="MSE derivative without the 1/2"),
])
def test_scalar_mutants_are_refuted(correct, mutant):
    d = doc003._decide_scalar(correct, mutant, what="mutant", domain=UNIT)
    assert d.verdict is Verdict.REFUTED, d.reason
    assert d.counterexample.stated != d.counterexample.correct


def test_a_chain_with_a_factor_dropped_is_refuted():
    s = doc003._scalar("classification", "relu")
    full = s.chain(doc003._edges("J A3 Z3 A2 Z2 W2"))
    dropped = s.chain(doc003._edges("J A3 Z3 A2")) * s.local("Z2", "W2")  # no dA2/dZ2
    assert doc003._decide_scalar(s.grad("W2"), full, what="chain").verdict is Verdict.PROVEN
    d = doc003._decide_scalar(s.grad("W2"), dropped, what="chain without g'")
    assert d.verdict is Verdict.REFUTED


def test_ascent_instead_of_descent_is_refuted():
    from derivations.iteration import decide_step_decreases

    w, loss = doc003._gd_problem()
    d = decide_step_decreases(loss, [w], [1], "-0.1", what="W + alpha dJ/dW")
    assert d.verdict is Verdict.REFUTED


def test_the_unmutated_sigmoid_network_is_proven():
    shapes = [(1, 1, 1, 1, 1), (1, 2, 2, 1, 2)]
    d = doc003.decide_fast(_network_mutant(lambda net, g: g), shapes, what="document")
    assert d.verdict is Verdict.PROVEN, d.reason


# ---------------------------------------------------------------------------------------
# NumPy forms


def test_numpy_forms_only_on_matrix_claims():
    with_numpy = {cid for cid, c in CLAIMS.items() if c.numpy is not None}
    assert with_numpy == {"003-dw3-columns", "003-dw3-regression-columns", "003-dz3-columns",
                          "003-dz3-regression-columns", "003-db-columns"}
    assert all(CLAIMS[cid].kind == "matrix" for cid in with_numpy)
    assert all(to_numpy(CLAIMS[cid]).__doc__ for cid in with_numpy)


def test_numpy_dw3_and_db_match_the_derived_gradient_of_the_summed_cost():
    rng = np.random.default_rng(0)
    n3, n2, m = 1, 3, 4
    A2_, Y_, A3_, correct = doc003._output_layer("classification", "sum", (n3, n2, m))
    W3 = sp.Matrix(n3, n2, lambda i, j: sp.Symbol(f"W3_{i}_{j}", real=True))
    b3 = sp.Matrix(n3, 1, lambda i, j: sp.Symbol(f"b3_{i}_{j}", real=True))
    values = {s: float(v) for s, v in zip(list(W3) + list(b3) + list(A2_) + list(Y_),
                                            rng.uniform(-1, 1, n3 * n2 + n3 + n2 * m + n3 * m),
                                            strict=True)}
    exact = np.array(correct.subs(values).evalf(), dtype=float)
    A3 = np.array(A3_.subs(values).evalf(), dtype=float)
    Y = np.array(Y_.subs(values), dtype=float)
    A2 = np.array(A2_.subs(values), dtype=float)
    A2_before = A2.copy()
    got = to_numpy("003-dw3-columns")(A3, Y, A2)
    np.testing.assert_allclose(got, exact, rtol=RTOL[np.float64])
    np.testing.assert_array_equal(A2, A2_before)  # the caller's array is untouched
    dz3 = to_numpy("003-dz3-columns")(A3, Y)
    np.testing.assert_allclose(to_numpy("003-db-columns")(dz3, m), dz3.sum(axis=1,
                                                                           keepdims=True),
                               rtol=RTOL[np.float64])
