"""Decision procedures for sums: term counts and brackets.

Oracle: counting by hand (``range`` in Python) and sums written out term by term with plain
SymPy symbols, independent of ``sympy.Sum``.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict
from derivations.sums import (
    decide_sum_equal,
    decide_term_count,
    expand_sum,
    free_indices,
    term_count,
)

i = sp.Symbol("i", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
y, a = sp.IndexedBase("y"), sp.IndexedBase("a")


def ys(k: int) -> list[sp.Symbol]:
    return [sp.Symbol(f"y_{j}", real=True) for j in range(1, k + 1)]


def mean_of_y(k: int) -> sp.Expr:
    return sp.Add(*ys(k)) / k


@settings(max_examples=20, deadline=None)
@given(lower=st.integers(-2, 2), extra=st.integers(-1, 3), n=st.integers(1, 6))
def test_term_count_matches_counting_by_hand(lower, extra, n):
    count = term_count(lower, m + extra)
    if n + extra >= lower:
        assert count.subs(m, n) == len(range(lower, n + extra + 1))


def test_sum_from_one_to_m_has_m_terms():
    d = decide_term_count(1, m, m, what="the sum")
    assert d.verdict is Verdict.PROVEN
    assert "m terms" in d.reason


def test_sum_from_zero_to_m_has_one_term_too_many():
    d = decide_term_count(0, m, m, what="the sum")
    assert d.verdict is Verdict.REFUTED
    assert d.counterexample.point == {"m": "1"}
    assert (d.counterexample.stated, d.counterexample.correct) == ("2", "1")
    assert d.corrected_check.verdict is Verdict.PROVEN


def test_sum_to_m_minus_one_has_one_term_too_few():
    assert decide_term_count(1, m - 1, m, what="the sum").verdict is Verdict.REFUTED


def test_free_indices_finds_an_index_outside_every_sum():
    inside = sp.Sum(y[i], (i, 1, m))
    assert free_indices(inside, [i]) == []
    assert free_indices(inside + y[i], [i]) == [i]


def test_expand_sum_writes_out_terms_and_binds_free_indices():
    expr = sp.Sum(y[i], (i, 1, m)) / m + a[i]
    assert expand_sum(expr, m, 2, {i: 2}) == mean_of_y(2) + sp.Symbol("a_2", real=True)
    assert sp.Sum(y[i], (i, 1, m)).has(m)  # the caller's expression is untouched


def test_intended_bracket_is_proven():
    intended = sp.Sum(y[i] + a[i], (i, 1, m)) / m

    def reference(k):
        return sp.Add(*ys(k), *(sp.Symbol(f"a_{j}", real=True) for j in range(1, k + 1))) / k

    d = decide_sum_equal(intended, reference, m_symbol=m, indices=[i])
    assert d.verdict is Verdict.PROVEN
    assert "m = 1, 2, 3" in d.reason


def test_bracket_closed_early_is_refuted_with_a_proven_correction():
    written = sp.Sum(y[i], (i, 1, m)) / m + a[i]   # a_i outside the sum, not averaged
    intended = sp.Sum(y[i] + a[i], (i, 1, m)) / m

    def reference(k):
        return sp.Add(*ys(k), *(sp.Symbol(f"a_{j}", real=True) for j in range(1, k + 1))) / k

    d = decide_sum_equal(written, reference, m_symbol=m, indices=[i], corrected=intended,
                         m_values=(2, 3))
    assert d.verdict is Verdict.REFUTED
    assert "outside its sum" in d.reason
    assert d.counterexample.stated != d.counterexample.correct
    assert d.corrected_check.verdict is Verdict.PROVEN


def test_a_bracket_that_is_harmless_at_one_sample_is_caught_at_two():
    # (1/m) sum y_i + (a_i - a_i / m): equal to the mean of y + 0 only when m = 1
    written = sp.Sum(y[i], (i, 1, m)) / m + a[i] - a[i] / m
    d1 = decide_sum_equal(written, mean_of_y, m_symbol=m, indices=[i], m_values=(1,))
    d2 = decide_sum_equal(written, mean_of_y, m_symbol=m, indices=[i], m_values=(1, 2))
    assert d1.verdict is Verdict.PROVEN
    assert d2.verdict is Verdict.REFUTED
    assert "m = 2" in d2.reason


def test_wrong_normalisation_is_refuted():
    d = decide_sum_equal(sp.Sum(y[i], (i, 1, m)) / (m + 1), mean_of_y, m_symbol=m,
                         indices=[i])
    assert d.verdict is Verdict.REFUTED
    assert "m = 1" in d.reason


@pytest.mark.parametrize("m_values", [(), (0,), (1, 2.0)], ids=repr)
def test_bad_m_values_are_rejected(m_values):
    with pytest.raises(ValueError, match="m_values must be a non-empty sequence of ints >= 1"):
        decide_sum_equal(sp.Sum(y[i], (i, 1, m)), mean_of_y, m_symbol=m, indices=[i],
                         m_values=m_values)
