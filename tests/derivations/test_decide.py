"""The decision procedures decide: they prove true statements and refute false ones.

Oracle: exact SymPy arithmetic on Rationals; each false statement here is false by hand.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from derivations import Reading, Verdict
from derivations.decide import (
    EvaluationError,
    decide_conventions,
    decide_equal,
    decide_matrix,
    decide_readings,
    definition,
    find_counterexample,
    freeze_functions,
    intended,
    is_zero,
    literal,
    matrix_shapes,
    readings_verdict,
)
from derivations.symbolic import affine_grads, sigmoid

z = sp.Symbol("z", real=True)


def test_sigmoid_derivative_is_proven():
    s = sigmoid(z)
    assert decide_equal(sp.diff(s, z), s * (1 - s)).verdict is Verdict.PROVEN


def test_wrong_sign_is_refuted_with_exact_counterexample_and_proven_fix():
    s = sigmoid(z)
    d = decide_equal(sp.diff(s, z), s * (1 + s))
    assert d.verdict is Verdict.REFUTED
    point = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in d.counterexample.point.items()}
    stated = (s * (1 + s)).subs(point)
    correct = sp.diff(s, z).subs(point)
    assert sp.N(stated - correct, 30) != 0
    assert d.corrected_check.verdict is Verdict.PROVEN


def test_is_zero_does_not_prove_a_nonzero_expression():
    assert not is_zero(sp.exp(z) - 1 - z)
    assert is_zero(sp.sin(z) ** 2 + sp.cos(z) ** 2 - 1)


def test_counterexample_respects_the_domain():
    a = sp.Symbol("a", real=True)
    unit = {a: (sp.Integer(0), sp.Integer(1))}
    cex = find_counterexample(a, a + sp.Rational(1, 10**6), domain=unit)
    assert cex is not None
    assert 0 < sp.Rational(cex.point["a"]) < 1


@given(st.integers(1, 5))
def test_matrix_shapes_start_with_edge_cases(n_dims):
    shapes = matrix_shapes(n_dims)
    assert shapes[0] == (1,) * n_dims
    assert len(shapes) == len(set(shapes)) == min(20, 3**n_dims)
    assert any(len(set(s)) > 1 for s in shapes) or n_dims == 1


def _dW_columns(dims, stated):
    n_out, n_in, m = dims
    g = affine_grads(n_out, n_in, m, layout="columns")
    return g.dW, stated(g)


def test_matrix_form_proven_and_transposed_product_refuted():
    ok = decide_matrix(lambda d: _dW_columns(d, lambda g: g.G * g.A_prev.T), n_dims=3)
    assert ok.verdict is Verdict.PROVEN
    bad = decide_matrix(lambda d: _dW_columns(d, lambda g: g.A_prev * g.G.T), n_dims=3)
    assert bad.verdict is Verdict.REFUTED


def test_matrix_entry_error_gives_entry_counterexample():
    def stated(g):
        out = g.G * g.A_prev.T
        return out * 2
    d = decide_matrix(lambda dims: _dW_columns(dims, stated), n_dims=3)
    assert d.verdict is Verdict.REFUTED
    assert d.counterexample is not None and d.counterexample.entry


def test_conventions_and_readings():
    y, a = sp.symbols("y a", real=True)
    cases = [
        ({"half": "no"}, lambda: decide_equal(sp.diff((a - y) ** 2, a), a - y)),
        ({"half": "yes"}, lambda: decide_equal(sp.diff((a - y) ** 2 / 2, a), a - y)),
    ]
    d = decide_conventions(cases)
    assert d.verdict is Verdict.PROVEN_UNDER_CONVENTION
    assert [c.holds for c in d.conventions] == [False, True]
    r = decide_readings([literal("one", d), literal("two", definition("x"))], what="it")
    assert r.verdict is Verdict.AMBIGUOUS and len(r.readings) == 2
    assert [x.kind for x in r.readings] == ["literal", "literal"]


def test_is_zero_shortcut_respects_assumptions():
    # Abs(x) + x is 0 for negative x; a point x > 0 would wrongly call it nonzero
    x = sp.Symbol("x", negative=True)
    assert is_zero(sp.Abs(x) + x)
    y = sp.Symbol("y", real=True)
    assert not is_zero(sp.Abs(y) + y)


P, PUC, R, U, A, D = (Verdict.PROVEN, Verdict.PROVEN_UNDER_CONVENTION, Verdict.REFUTED,
                      Verdict.UNDECIDED, Verdict.AMBIGUOUS, Verdict.DEFINITION)


@pytest.mark.parametrize(
    ("literals", "expected"),
    [
        ([R], R),
        ([R, R], R),
        ([P], P),
        ([P, P], P),
        ([PUC], PUC),
        ([U, U], U),
        ([D], D),
        ([P, R], A),
        ([R, U], A),
        ([P, PUC], A),
        ([D, R], A),
    ],
)
def test_readings_policy_table(literals, expected):
    assert readings_verdict(literals) is expected


def test_readings_policy_needs_a_literal_reading():
    with pytest.raises(ValueError, match="at least one literal reading"):
        readings_verdict([])
    ok = decide_equal(z, z)
    with pytest.raises(ValueError, match="at least one literal reading"):
        decide_readings([intended("a fix", ok)], what="it")


def test_unmarked_reading_is_an_error():
    with pytest.raises(TypeError, match=r"readings\[0\].*literal\(description, decision\)"):
        decide_readings([("one", decide_equal(z, z))], what="it")
    with pytest.raises(ValueError, match="kind='guess' is not one of 'literal', 'intended'"):
        Reading("one", Verdict.PROVEN, "why", "guess")


def test_refuted_literal_takes_the_proven_intended_reading_as_correction():
    s = sigmoid(z)
    wrong = decide_equal(sp.diff(s, z), s * (1 + s), what="s(1 + s)")
    right = decide_equal(sp.diff(s, z), s * (1 - s), what="s(1 - s)")
    d = decide_readings(
        [literal("as printed: s(1 + s)", wrong),
         intended("the sign is a typo: s(1 - s)", right, statement="s(1 - s)")],
        what="the derivative",
    )
    assert d.verdict is Verdict.REFUTED
    assert d.corrected == "s(1 - s)" and d.corrected_check.verdict is Verdict.PROVEN
    assert d.counterexample == wrong.counterexample
    assert "as written:" in d.reason and "probably meant: the sign is a typo" in d.reason
    assert str(wrong.counterexample) in d.reason


def test_intended_reading_never_changes_a_literal_verdict():
    s = sigmoid(z)
    right = decide_equal(sp.diff(s, z), s * (1 - s))
    wrong = decide_equal(sp.diff(s, z), s * (1 + s))
    d = decide_readings([literal("as printed", right), intended("a 'fix'", wrong)], what="it")
    assert d.verdict is Verdict.PROVEN and d.reason == right.reason


# --- a generic function g: every g, never a silent skip (issue 19 section 2) ---

g = sp.Function("g")
x, w, b = sp.symbols("x w b", real=True)


def _hermite(point_values):
    """A polynomial with the prescribed values and first derivatives (the oracle g)."""
    t = sp.Symbol("t")
    coeffs = sp.symbols(f"c0:{2 * len(point_values)}")
    poly = sum(c * t**k for k, c in enumerate(coeffs))
    eqs = []
    for a, (v, dv) in point_values.items():
        eqs += [poly.subs(t, a) - v, sp.diff(poly, t).subs(t, a) - dv]
    return sp.Lambda(t, poly.subs(sp.solve(eqs, coeffs)))


def test_generic_g_chain_rule_is_proven_for_every_g():
    L = g(w * x + b) ** 2 / 2
    stated = g(w * x + b) * sp.Subs(sp.Derivative(g(x), x), x, w * x + b) * x
    d = decide_equal(sp.diff(L, w), stated)
    assert d.verdict is Verdict.PROVEN and "for every g" in d.reason


def test_doubled_generic_g_formula_is_refuted_with_a_real_counterexample():
    L = g(w * x + b) ** 2 / 2
    right = g(w * x + b) * sp.Subs(sp.Derivative(g(x), x), x, w * x + b) * x
    d = decide_equal(sp.diff(L, w), 2 * right)
    assert d.verdict is Verdict.REFUTED
    pt = {k: sp.Rational(v) for k, v in d.counterexample.point.items()}
    z0 = pt["w"] * pt["x"] + pt["b"]
    value = pt[f"g({sp.sstr(w * x + b)})"]
    slope = pt[f"g'({sp.sstr(w * x + b)})"]
    G = _hermite({z0: (value, slope)})  # a smooth g with exactly those values
    subs = {w: pt["w"], x: pt["x"], b: pt["b"]}
    lhs = sp.diff((G(w * x + b)) ** 2 / 2, w).subs(subs)
    rhs = (2 * G(w * x + b) * sp.diff(G(w * x + b), w) / x * x).subs(subs)
    assert lhs != rhs and lhs == value * slope * pt["x"]


def test_generic_g_matrix_formula_doubled_is_refuted():
    from derivations.symbolic import matrix

    def build(dims, factor):
        n, m = dims
        Z = matrix("Z", n, m)
        L = sum(g(z) for z in Z)
        correct = Z.applyfunc(lambda z: sp.diff(L, z))
        return correct, factor * Z.applyfunc(lambda z: sp.Derivative(g(z), z))

    assert decide_matrix(lambda d: build(d, 1), n_dims=2).verdict is Verdict.PROVEN
    bad = decide_matrix(lambda d: build(d, 2), n_dims=2)
    assert bad.verdict is Verdict.REFUTED and "g'(Z_0_0)" in str(bad.counterexample)


def test_same_argument_gets_one_value_of_g():
    # g(x) - g(y) is 0 where x = y: the point must give both calls one value
    y = sp.Symbol("y", real=True)
    frozen, table = freeze_functions(g(x) - g(y) + sp.Derivative(g(x), x))
    assert len(table) == 3 and not frozen.atoms(sp.Function)


def test_point_that_does_not_evaluate_is_an_error_not_a_skip():
    class opaque(sp.Function):  # a defined function without evalf: symbolic at every point
        pass

    with pytest.raises(EvaluationError, match="does not evaluate to a number"):
        decide_equal(opaque(x), opaque(2 * x))


def test_undecided_reason_counts_only_evaluated_points(monkeypatch):
    import derivations.decide as decide

    monkeypatch.setattr(decide, "is_zero", lambda e: False)  # force the sample points
    d = decide.decide_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1))
    assert d.verdict is Verdict.UNDECIDED
    assert "agrees at 12 rational points to 50 digits" in d.reason
    assert decide._agreement(0, 12) == (
        "no sample point evaluated to a finite number (12 more outside the formula's domain)")


def test_nested_generic_g_is_sampled_inner_call_first():
    w1, w2 = sp.symbols("w_1 w_2", real=True)
    inner = g(w1 * x)
    L = g(w2 * inner) ** 2 / 2
    right = sp.diff(L, w1)
    assert decide_equal(right, right * 1).verdict is Verdict.PROVEN
    bad = decide_equal(right, 2 * right)
    assert bad.verdict is Verdict.REFUTED
    assert f"g({sp.sstr(w2 * inner)})" in bad.counterexample.point  # the outer call, named
