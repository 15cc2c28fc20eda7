"""Code cells executed on exact inputs: values, aliasing, names read and written.

Oracle: exact SymPy arithmetic on the same inputs, and NumPy's own semantics of views
(``np.shares_memory``) for the alias tests.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict
from derivations.code import (
    as_matrix,
    decide_cell_preserves,
    decide_cell_value,
    dependencies,
    exact_array,
    names_read,
    names_written,
    numpy_with_rng,
    run_cell,
    symbol_array,
    sympy_numpy,
)


def _probs():
    return exact_array([["1/2", "1/4", "1/4"], ["1/6", "1/3", "1/2"]])


def test_run_cell_never_changes_the_callers_arrays():
    probs = _probs()
    before = probs.copy()
    env = run_cell("dz2 = probs\ndz2[range(m), y] -= 1", {"probs": probs, "m": 2,
                                                           "y": np.array([0, 2])})
    assert (probs == before).all()
    assert env["probs"][0, 0] == sp.Rational(-1, 2)


def test_run_cell_keeps_aliasing_between_inputs():
    probs = _probs()
    env = run_cell("probs[0, 0] = 7", {"a2": probs, "probs": probs})
    assert env["a2"][0, 0] == 7  # a2 and probs were one array, and stay one array


def test_alias_write_is_refuted_and_a_copy_is_proven():
    probs = _probs()
    ns = {"probs": probs, "m": 2, "y": np.array([0, 2])}
    aliased = decide_cell_preserves("dz2 = probs\ndz2[range(m), y] -= 1", ns, "probs",
                                    what="cell")
    copied = decide_cell_preserves("dz2 = probs.copy()\ndz2[range(m), y] -= 1", ns, "probs",
                                   what="cell")
    assert aliased.verdict is Verdict.REFUTED
    assert "shares memory with dz2" in aliased.reason
    assert aliased.counterexample.stated != aliased.counterexample.correct
    assert copied.verdict is Verdict.PROVEN


@settings(max_examples=25)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))
def test_dot_cell_on_symbols_is_the_matrix_product(m, h, n):
    a, g = symbol_array("A", m, h), symbol_array("G", m, n)
    A, G = as_matrix(a), as_matrix(g)
    proven = decide_cell_value("dw = np.dot(a.T, g)/ m", {"a": a, "g": g, "m": m}, "dw",
                               A.T * G / m, what="cell")
    assert proven.verdict is Verdict.PROVEN
    if m > 1:  # dropping the 1/m is caught
        wrong = decide_cell_value("dw = np.dot(a.T, g)", {"a": a, "g": g, "m": m}, "dw",
                                  A.T * G / m, what="cell")
        assert wrong.verdict is Verdict.REFUTED


def test_wrong_axis_is_refuted_by_shape():
    g = symbol_array("G", 2, 3)
    d = decide_cell_value("db = np.sum(g, axis = 1, keepdims = True)", {"g": g}, "db",
                          sp.ones(1, 2) * as_matrix(g), what="cell")
    assert d.verdict is Verdict.REFUTED
    assert d.counterexample.stated == "(2, 1)"


def test_mask_at_exactly_zero_is_zero():
    z1 = np.array([[0.0, -0.5, 0.25]])
    da1 = np.array([[0.5, 0.5, 0.5]])
    env = run_cell("da1[z1 <= 0] = 0\ndz1 = da1", {"z1": z1, "da1": da1})
    assert env["dz1"].tolist() == [[0.0, 0.0, 0.5]]
    assert np.shares_memory(env["dz1"], env["da1"])


def test_sympy_numpy_exp_is_exact_and_rng_numpy_is_reproducible():
    z = symbol_array("z", 1, 2)
    e = sympy_numpy().exp(z)
    assert e[0, 0] == sp.exp(z[0, 0])
    a = run_cell("w = np.random.randn(2, 3)", {"np": numpy_with_rng(5)})["w"]
    b = run_cell("w = np.random.randn(2, 3)", {"np": numpy_with_rng(5)})["w"]
    assert a.shape == (2, 3)
    assert np.array_equal(a, b)


def test_names_and_dependencies():
    assert names_read("dw2 = np.dot(a1.T, dz2)/ m") == {"np", "a1", "dz2", "m"}
    assert names_written("dz2 = probs\ndz2[range(m), y] -= 1") == {"dz2"}
    assert names_read("w1 += -lr * dw1") == {"w1", "lr", "dw1"}
    deps = dependencies("da1 = np.dot(dz2, w2.T)", "da1[z1 <= 0] = 0\ndz1 = da1")
    assert deps["da1"] == {"dz2", "w2", "z1", "da1"}
    assert deps["dz1"] == {"da1"}


def test_as_matrix_is_exact_for_dyadic_floats_and_rejects_1d():
    assert as_matrix(np.array([[0.25, -1.5]])) == sp.Matrix([[sp.Rational(1, 4),
                                                              sp.Rational(-3, 2)]])
    with pytest.raises(ValueError, match="must be 2-D"):
        as_matrix(np.zeros(3))


def test_decide_cell_value_names_a_missing_output():
    with pytest.raises(ValueError, match="does not bind 'nope'"):
        decide_cell_value("a = 1", {}, "nope", sp.Matrix([[1]]), what="cell")


def test_numpy_shape_error_in_a_cell_is_a_refutation_naming_the_shapes():
    # the cell multiplies (2, 3) by (2, 3): NumPy's ValueError is the finding, not a crash
    a, b = symbol_array("a", 2, 3), symbol_array("b", 2, 3)
    cell = "x = 1\nc = np.dot(a, b)"
    d = decide_cell_value(cell, {"a": a, "b": b}, "c", sp.zeros(2, 3), what="the cell")
    assert d.verdict is Verdict.REFUTED
    assert "a (2, 3), b (2, 3)" in d.reason and "line 2 of the cell" in d.reason
    assert "not aligned" in d.reason  # NumPy's own words for the shapes, quoted as evidence
    p = decide_cell_preserves(cell, {"a": a, "b": b}, "a", what="the cell")
    assert p.verdict is Verdict.REFUTED and d.counterexample.point == {"a": "(2, 3)",
                                                                       "b": "(2, 3)"}
