"""Document 001 (Jay Mody's primer): the verdicts we computed and believe, and the laws behind them.

Oracles: exact SymPy arithmetic (Rationals, ``Sum``), the shape rules of matrix products, and
hand computations of the iterations written in the comments (e.g. E = 2 w^2, w = 1, rate 1:
w_1 = 1 - 4 = -3, E = 18).
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict, verify
from derivations.documents import doc001
from derivations.documents.doc001 import (
    LEARNING_RATES,
    claims,
    decide_dataset_mean,
    decide_linear_layer,
    decide_sum_is_mean,
    network,
)

CLAIMS = {c.id: c for c in claims()}
P, PUC, R, A, D = (Verdict.PROVEN, Verdict.PROVEN_UNDER_CONVENTION, Verdict.REFUTED,
                   Verdict.AMBIGUOUS, Verdict.DEFINITION)

#: the verdict of every claim, each one checked by hand against the document
EXPECTED = {
    "001-feedforward": D,
    "001-parameters": D,
    "001-linear1-layout": P,
    "001-linear2-layout": P,
    "001-yhat-probability": PUC,
    "001-best-guess": D,
    "001-error-vs-accuracy": PUC,
    "001-lower-error-better": PUC,
    "001-error-difference": D,
    "001-further-greater": R,
    "001-separated-0.2": P,
    "001-best-error-zero": PUC,
    "001-square-exaggerates": P,
    "001-square-derivative": P,
    "001-squared-error": D,
    "001-half-squared-error": D,
    "001-half-factor": P,
    "001-mse-classes": P,
    "001-mse-dataset": P,
    "001-n-samples": D,
    "001-mse-name": PUC,
    "001-mse-mean-error": R,
    "001-mse-without-half": P,
    "001-mse-sum-range": P,
    "001-yi-notation": A,
    "001-single-sample": P,
    "001-other-errors-placeholder": D,
    "001-composite-chain": P,
    "001-three-categories": P,
    "001-yhat-of-parameters": P,
    "001-differentiable": PUC,
    "001-gradient-ascent": P,
    "001-negative-gradient-descent": P,
    "001-gradient-w": D,
    "001-gradient-b-label": R,
    "001-partial-single-weight": D,
    "001-partial-depends": P,
    "001-partial-sign": R,
    "001-two-directions": P,
    "001-same-direction": P,
    "001-relative-magnitudes": P,
    "001-update-need-not-decrease": P,
    "001-infinitesimal-decrease": P,
    "001-small-learning-rate": PUC,
    "001-learning-rate-below-one": P,
    "001-learning-rate-below-zero": R,
    "001-learning-rate-any": A,
    "001-low-rate-no-overshoot": PUC,
    "001-low-rate-slower": PUC,
    "001-low-rate-local-minimum": PUC,
    "001-high-rate-faster": PUC,
    "001-high-rate-unstable": PUC,
    "001-no-perfect-rate": A,
    "001-update-placeholder": D,
    "001-sgd-new-gradients": P,
    "001-sgd-definition": D,
    "001-gd-average": P,
    "001-sgd-vs-gd": PUC,
    "001-minibatch-n": R,
    "001-rejects-single-pair": P,
    "001-rejects-average": P,
    "001-rejects-sgd-steps": D,
    "001-rejects-gd-steps": R,
}

#: for each claim decided by readings, the (kind, verdict) of each reading in order


def L(v):
    return ("literal", v)


def I(v):  # noqa: E743
    return ("intended", v)


READINGS = {
    "001-further-greater": [L(R), I(R), I(P)],
    "001-square-exaggerates": [L(P)],
    "001-mse-mean-error": [L(R), I(P)],
    "001-yi-notation": [L(P), L(R)],
    "001-gradient-b-label": [L(R), I(P)],
    "001-learning-rate-any": [L(P), L(R)],
    "001-low-rate-no-overshoot": [L(PUC)],
    "001-low-rate-slower": [L(PUC)],
    "001-high-rate-faster": [L(PUC)],
    "001-no-perfect-rate": [L(R), L(PUC)],
    "001-minibatch-n": [L(R), I(PUC)],
    "001-rejects-gd-steps": [L(R), I(P)],
}


@pytest.fixture(scope="module")
def results():
    return {cid: verify(c) for cid, c in CLAIMS.items()}


def test_every_claim_has_an_expected_verdict():
    assert set(CLAIMS) == set(EXPECTED)
    assert len(CLAIMS) >= 50


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_verdict(results, cid):
    assert results[cid].verdict is EXPECTED[cid], str(results[cid])


@pytest.mark.parametrize("cid", sorted(READINGS))
def test_each_reading_is_decided(results, cid):
    got = [(r.kind, r.verdict) for r in results[cid].readings]
    assert got == READINGS[cid], str(results[cid])


def test_refuted_claims_show_where_and_a_proven_fix(results):
    refuted = [r for r in results.values() if r.verdict is R]
    assert {r.claim_id for r in refuted} == {
        "001-partial-sign", "001-learning-rate-below-zero", "001-further-greater",
        "001-mse-mean-error", "001-gradient-b-label", "001-minibatch-n", "001-rejects-gd-steps"}
    for r in refuted:
        assert r.counterexample.stated != r.counterexample.correct
        assert r.corrected_check.verdict in (P, PUC), str(r)
        assert r.corrected


def test_partial_sign_counterexample_is_an_exact_zero(results):
    # dE/dW1_0_0 carries the factor x_1: at x_1 = 0 it is 0, re-evaluated here independently
    cex = results["001-partial-sign"].counterexample
    net = network()
    point = {s: sp.Rational(cex.point[str(s)]) for s in net.E.free_symbols}
    assert point[net.X[0]] == 0
    assert sp.diff(net.E, net.W1[0, 0]).subs(point) == 0
    assert cex.correct == "0"
    assert f"{net.X[0]} in the point" in results["001-partial-sign"].reason


def test_negative_rate_counterexample_is_the_hand_computation(results):
    # E = 2 w^2, w = 1, rate -1/10: w_1 = 1 + 4/10 = 7/5, E = 2 * 49/25 = 98/25 > 2
    cex = results["001-learning-rate-below-zero"].counterexample
    assert cex.point == {"w": "1", "lr": "-1/10"}
    assert cex.correct == "E(w_1) = 98/25"


def test_conventions_name_which_hold(results):
    def holding(cid):
        return [c.holds for c in results[cid].conventions]

    assert holding("001-linear1-layout") == [True, False]
    assert holding("001-yhat-probability") == [True, False, False]   # sigmoid, tanh, relu
    assert holding("001-best-error-zero") == [False, True, True]      # y - yhat, |.|, (.)^2
    assert holding("001-lower-error-better") == [False, True, True]
    assert holding("001-mse-name") == [False, True]                   # no 1/2, with 1/2
    assert holding("001-differentiable") == [True, True, False, False]


def test_witness_runs_are_the_hand_computations(results):
    # E = 2 w^2, w = 1, rate 1: w_1 = 1 - 4 = -3 and E goes 2 -> 18
    assert "from 2 up to 18" in results["001-update-need-not-decrease"].reason
    # E = w^2, rate 3/2: w_{k+1} = w_k - 3 w_k = -2 w_k
    assert "w = 1, -2, 4, -8" in results["001-high-rate-unstable"].reason
    # rates that lower E = 2 w^2 from 1: (1 - 4 eta)^2 < 1  <=>  0 < eta < 1/2
    assert "Interval.open(0, 1/2)" in results["001-small-learning-rate"].reason


def test_learning_rates_are_the_documents_list():
    assert LEARNING_RATES[:6] == ("0.1", "0.01", "0.001", "0.0001", "0.00001", "0.000001")
    assert LEARNING_RATES[6] == "0.2" and LEARNING_RATES[-1] == "0.000005"
    assert len(LEARNING_RATES) == 18


# --- mutation tests: wrong variants of the document's formulas come out refuted -------------

M = sp.Symbol("M", integer=True, positive=True)


@settings(max_examples=20)
@given(lower=st.integers(0, 2), shift=st.integers(-1, 1))
def test_sum_is_mean_only_with_the_right_number_of_terms(lower, shift):
    # sum_{j=lower}^{M + shift} has M + shift - lower + 1 terms
    d = decide_sum_is_mean(lower, M + shift, M, what="the sum")
    right = shift - lower + 1 == 0
    assert d.verdict is (P if right else R)


def test_sum_from_zero_is_refuted_with_a_count():
    d = decide_sum_is_mean(0, M, M, what="sum_{j=0}^M")
    assert d.verdict is R
    assert d.counterexample.correct == "3 terms"


@settings(max_examples=20)
@given(n_in=st.integers(1, 3), n_out=st.integers(1, 3), which=st.sampled_from([1, 2]))
def test_linear_layer_is_defined_in_columns_and_only_trivially_in_rows(n_in, n_out, which):
    d = decide_linear_layer(which, n_in, n_out)
    columns, rows = d.conventions
    assert columns.holds
    # W (n_in, n_out) times a row (1, n_in) is only defined, with the bias' shape, at 1 x 1
    assert rows.holds is (n_in == n_out == 1)
    assert d.verdict is P  # decided in the document's columns layout, as written


@settings(max_examples=20)
@given(n=st.integers(1, 3), m=st.integers(1, 3))
def test_dataset_error_is_the_mean_of_sample_errors(n, m):
    assert decide_dataset_mean(n, m).verdict is P


def test_dataset_formula_mutations_are_refuted():
    from derivations.decide import decide_equal

    n, m = 2, 2
    mean = sum(doc001._per_sample(k, m) for k in range(n)) / n
    formula = doc001._dataset_formula(n, m)
    assert decide_equal(mean, formula).verdict is P
    assert decide_equal(mean, formula * n).verdict is R        # 1/N dropped
    assert decide_equal(mean, 2 * formula).verdict is R        # 1/2 dropped


@pytest.mark.parametrize(
    "call, match",
    [
        pytest.param(lambda: decide_linear_layer(3, 2, 2), "which must be 1 or 2",
                     id="decide_linear_layer(which=3)"),
        pytest.param(lambda: decide_linear_layer(1, 0, 2), "n_in and n_out must be >= 1",
                     id="decide_linear_layer(n_in=0)"),
        pytest.param(lambda: decide_dataset_mean(0, 2), "n and m must be >= 1",
                     id="decide_dataset_mean(n=0)"),
        pytest.param(lambda: network("softplus"), "not one of sigmoid, tanh, relu",
                     id="network('softplus')"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_error_as_a_function_of_the_distance():
    y, yh = sp.symbols("y yhat", real=True)
    d = sp.Symbol("d", positive=True)
    assert doc001._grows_with_distance((y - yh) ** 2) == d**2
    assert doc001._grows_with_distance(sp.Abs(y - yh)) == d
    assert doc001._grows_with_distance(y - yh) is None            # signed: not the distance
    assert doc001._grows_with_distance(-((y - yh) ** 2)) is None   # decreasing in it


def test_half_factor_mutations_are_refuted():
    from derivations.decide import decide_equal

    y, yh = sp.symbols("y yhat", real=True)
    derivative = sp.diff((y - yh) ** 2 / 2, yh)
    assert decide_equal(derivative, yh - y).verdict is P
    assert decide_equal(derivative, y - yh).verdict is R          # sign flipped
    assert decide_equal(derivative, 2 * (yh - y)).verdict is R    # the 1/2 forgotten


def test_dependencies_name_claims_of_this_document():
    for c in CLAIMS.values():
        assert set(c.depends_on) <= set(CLAIMS), c.id
