"""The counterexample-first comparisons prove true formulas and refute false ones.

Oracle: exact SymPy. The gradients of one affine layer come from ``affine_grads`` (entrywise
``sympy.diff``); each false formula here is false by hand, and every counterexample is
checked by substituting its point into both sides.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict
from derivations.fast import compare_entries, compare_matrices, decide_fast, decide_fast_scalar
from derivations.symbolic import affine_grads

z = sp.Symbol("z", real=True)
dims = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))


def _at(point: dict[str, str], expr: sp.Expr) -> sp.Expr:
    """``expr`` at a counterexample's point (names -> exact values)."""
    values = {s: sp.Rational(point[s.name]) for s in expr.free_symbols if s.name in point}
    return expr.subs(values)


def _rows_dW(n_out: int, n_in: int, m: int):
    g = affine_grads(n_out, n_in, m, layout="rows")
    return g.dW, g.A_prev.T * g.G


@settings(max_examples=10, deadline=None)
@given(dims)
def test_compare_entries_proves_the_rows_weight_gradient(d):
    correct, stated = _rows_dW(*d)
    assert compare_entries(correct, stated).verdict is Verdict.PROVEN


@settings(max_examples=10, deadline=None)
@given(dims)
def test_compare_entries_refutes_a_doubled_gradient_at_an_exact_point(d):
    correct, stated = _rows_dW(*d)
    found = compare_entries(correct, 2 * stated)
    assert found.verdict is Verdict.REFUTED
    idx = found.index
    cex = found.counterexample
    assert cex.entry == str(idx)
    assert _at(cex.point, correct[idx]) != _at(cex.point, 2 * stated[idx])


def test_compare_entries_simplifies_what_expand_and_cancel_leave():
    identity = sp.Matrix([[sp.sin(z) ** 2 + sp.cos(z) ** 2]])
    assert compare_entries(identity, sp.Matrix([[1]])).verdict is Verdict.PROVEN


def test_compare_entries_is_undecided_when_no_point_separates_and_simplify_fails():
    tiny = sp.exp(-(10**4) * (z**2 + 1))  # nonzero, but below every evaluation's precision
    found = compare_entries(sp.Matrix([[0, z]]), sp.Matrix([[0, z + tiny]]))
    assert found.verdict is Verdict.UNDECIDED
    assert found.index == (0, 1)
    assert found.counterexample is None


def test_compare_entries_draws_counterexamples_from_the_domain():
    a = sp.Symbol("a", real=True)
    found = compare_entries(sp.Matrix([[a]]), sp.Matrix([[a**2]]),
                            domain=lambda diff: {a: (sp.Integer(0), sp.Integer(1))})
    assert found.verdict is Verdict.REFUTED
    assert 0 < sp.Rational(found.counterexample.point["a"]) < 1


def test_compare_matrices_refutes_another_shape_naming_both():
    correct, stated = _rows_dW(2, 3, 4)
    d = compare_matrices(correct, stated.T, what="dW^T", where="rows", against="dL/dW")
    assert d.verdict is Verdict.REFUTED
    assert "has shape (2, 3) but dL/dW has shape (3, 2)" in d.reason
    assert (d.counterexample.stated, d.counterexample.correct) == ("(2, 3)", "(3, 2)")


def test_compare_matrices_checks_the_correction_of_a_refuted_formula():
    correct, stated = _rows_dW(2, 2, 3)
    d = compare_matrices(correct, -stated, what="-A^T G", where="rows", against="dL/dW",
                         corrected=stated, corrected_latex="A^T G")
    assert d.verdict is Verdict.REFUTED
    assert d.corrected == "A^T G"
    assert d.corrected_check.verdict is Verdict.PROVEN
    assert "equals dL/dW in every entry (rows)" in d.corrected_check.reason


def test_compare_matrices_proves_and_says_where():
    correct, stated = _rows_dW(1, 2, 2)
    d = compare_matrices(correct, stated, what="A^T G", where="m = 2", against="dL/dW")
    assert d.verdict is Verdict.PROVEN
    assert d.reason == "A^T G equals dL/dW in every entry (m = 2)"


def _build(form: str):
    def build(d):
        n_out, n_in, m = d
        g = affine_grads(n_out, n_in, m, layout="rows")
        stated = {"A^T G": lambda: g.A_prev.T * g.G, "G A": lambda: g.G * g.A_prev,
                  "G^T A": lambda: g.G.T * g.A_prev}[form]()
        return g.dW, stated
    return build


def test_decide_fast_proves_over_every_shape():
    shapes = [(1, 1, 1), (2, 3, 4), (3, 2, 1)]
    d = decide_fast(_build("A^T G"), shapes, what="A^T G")
    assert d.verdict is Verdict.PROVEN
    assert "for all 3 shapes tried" in d.reason


@pytest.mark.parametrize(("form", "words"), [
    ("G A", "is not defined at dimensions (2, 3, 4)"),  # (4, 2) @ (4, 3): undefined
    ("G^T A", "has shape (2, 3) but the gradient has shape (3, 2)"),  # transposed
])
def test_decide_fast_refutes_by_shape_and_checks_the_correction(form, words):
    d = decide_fast(_build(form), [(2, 3, 4)], what=form, corrected=_build("A^T G"),
                    corrected_latex="A^T G")
    assert d.verdict is Verdict.REFUTED
    assert words in d.reason
    assert d.counterexample.point == {"dimensions": "(2, 3, 4)"}
    assert d.corrected_check.verdict is Verdict.PROVEN


def test_decide_fast_refutes_at_the_first_shape_where_an_entry_differs():
    def build(d):
        correct, stated = _build("A^T G")(d)
        return correct, stated * d[-1]  # right only for one sample
    d = decide_fast(build, [(1, 1, 1), (2, 2, 2)], what="m A^T G")
    assert d.verdict is Verdict.REFUTED
    assert "at dimensions (2, 2, 2)" in d.reason


def test_decide_fast_scalar_proves_refutes_and_falls_back():
    s = 1 / (1 + sp.exp(-z))
    proven = decide_fast_scalar(sp.diff(s, z), s * (1 - s), what="s(1 - s)")
    assert proven.verdict is Verdict.PROVEN
    refuted = decide_fast_scalar(sp.diff(s, z), s * (1 + s), what="s(1 + s)")
    assert refuted.verdict is Verdict.REFUTED
    assert refuted.corrected_expr == sp.diff(s, z)
    assert refuted.corrected_check.verdict is Verdict.PROVEN
    point = {z: sp.Rational(refuted.counterexample.point["z"])}
    assert sp.N((s * (1 + s) - sp.diff(s, z)).subs(point), 30) != 0
    # neither expand nor cancel proves it, no point separates it: decide_equal's simplify does
    trig = decide_fast_scalar(sp.sin(z) ** 2 + sp.cos(z) ** 2, sp.Integer(1), what="1")
    assert trig.verdict is Verdict.PROVEN
    assert "expands to 0" not in trig.reason


def test_decide_fast_scalar_respects_the_domain():
    a, y = sp.symbols("a y", real=True)
    unit = {a: (sp.Integer(0), sp.Integer(1)), y: (sp.Integer(0), sp.Integer(1))}
    d = decide_fast_scalar(sp.log(a) * y, sp.log(a) * y + a * y, what="shifted", domain=unit)
    assert d.verdict is Verdict.REFUTED
    assert all(0 < sp.Rational(v) < 1 for v in d.counterexample.point.values())

