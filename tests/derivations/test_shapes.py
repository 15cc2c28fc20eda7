"""Shape algebra decides stated shapes and the definedness of products.

Oracle: the matrix-product rule (p x q) @ (q x r) = (p x r) and NumPy's broadcasting, checked
against NumPy itself on arrays of the same shapes.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict
from derivations.shapes import (
    decide_product_orientation,
    decide_shape,
    decide_shapes,
    mat,
    np_add,
    np_sum,
    products_with_shape,
    shape_of,
    shape_text,
)

dims = st.integers(1, 5)


@given(dims, dims, dims, dims)
def test_product_shape_matches_numpy(p, q, q2, r):
    a, b = mat("a", p, q), mat("b", q2, r)
    got = shape_of(lambda: a * b)
    try:
        want = (np.zeros((p, q)) @ np.zeros((q2, r))).shape
    except ValueError:
        want = None
    assert got == want


@given(dims, dims, dims, dims)
def test_np_add_broadcasts_like_numpy(p, q, r, s):
    a, b = mat("a", p, q), mat("b", r, s)
    got = shape_of(lambda: np_add(a, b))
    try:
        want = (np.zeros((p, q)) + np.zeros((r, s))).shape
    except ValueError:
        want = None
    assert got == want


@given(dims, dims, st.sampled_from([0, 1]))
def test_np_sum_keepdims_matches_numpy(p, q, axis):
    assert shape_of(lambda: np_sum(mat("a", p, q), axis=axis)) == np.sum(
        np.zeros((p, q)), axis=axis, keepdims=True
    ).shape


def test_np_sum_rejects_bad_axis():
    with pytest.raises(ValueError, match="axis=2 is not one of 0, 1"):
        np_sum(mat("a", 2, 2), axis=2)


def test_mat_rejects_empty_shape():
    with pytest.raises(ValueError, match="rows and cols must be >= 1"):
        mat("a", 0, 2)


def test_decide_shape_proves_a_true_shape():
    d = decide_shape(lambda: mat("a1", 300, 4).T * mat("dz2", 300, 3), (4, 3), what="a1.T dz2")
    assert d.verdict is Verdict.PROVEN


def test_decide_shape_refutes_an_undefined_product_with_a_proven_correction():
    d = decide_shape(
        lambda: mat("w2", 4, 3).T * mat("dz2", 300, 3), (300, 4), what="w2.T dz2",
        corrected=lambda: mat("dz2", 300, 3) * mat("w2", 4, 3).T, corrected_latex="dz2 w2^T",
    )
    assert d.verdict is Verdict.REFUTED
    assert d.counterexample.correct == "undefined"
    assert d.corrected_check.verdict is Verdict.PROVEN


def test_decide_shape_refutes_a_wrong_shape():
    d = decide_shape(lambda: mat("a", 2, 3), (3, 2), what="a")
    assert d.verdict is Verdict.REFUTED
    assert (d.counterexample.stated, d.counterexample.correct) == ("(3, 2)", "(2, 3)")


def test_decide_shapes_needs_every_shape():
    good = decide_shapes({"a": lambda: mat("a", 2, 3), "b": lambda: mat("b", 1, 1)},
                         {"a": (2, 3), "b": (1, 1)}, what="s")
    bad = decide_shapes({"a": lambda: mat("a", 2, 3), "b": lambda: mat("b", 1, 1)},
                        {"a": (2, 3), "b": (1, 2)}, what="s")
    assert good.verdict is Verdict.PROVEN
    assert bad.verdict is Verdict.REFUTED
    with pytest.raises(ValueError, match="builds names"):
        decide_shapes({"a": lambda: mat("a", 1, 1)}, {"b": (1, 1)}, what="s")


def test_only_a1_transposed_times_dz2_gives_the_shape_of_w2():
    ops = {"dz2": mat("dz2", 300, 3), "a1": mat("a1", 300, 4)}
    assert products_with_shape(ops, (4, 3)) == ["a1.T @ dz2"]
    assert decide_product_orientation(ops, (4, 3), "a1.T @ dz2", what="dw2").verdict is (
        Verdict.PROVEN
    )
    # a wrong stated orientation is refuted
    assert decide_product_orientation(ops, (4, 3), "dz2.T @ a1", what="dw2").verdict is (
        Verdict.REFUTED
    )


def test_no_product_of_dz2_and_w2_has_shape_4_3():
    ops = {"dz2": mat("dz2", 300, 3), "w2": mat("w2", 4, 3)}
    d = decide_product_orientation(ops, (4, 3), None, what="da1")
    assert d.verdict is Verdict.REFUTED
    assert "dz2 @ w2.T -> (300, 4)" in d.reason


@settings(max_examples=30)
@given(dims, dims, dims)
def test_products_with_shape_are_really_that_shape(m, h, n):
    ops = {"a": mat("a", m, h), "g": mat("g", m, n)}
    env = {"a": np.zeros((m, h)), "g": np.zeros((m, n)), "a.T": np.zeros((h, m)),
           "g.T": np.zeros((n, m))}
    for product in products_with_shape(ops, (h, n)):
        left, right = product.split(" @ ")
        assert (env[left] @ env[right]).shape == (h, n)
    assert "a.T @ g" in products_with_shape(ops, (h, n))


def test_products_with_shape_needs_two_operands():
    with pytest.raises(ValueError, match="exactly two"):
        products_with_shape({"a": mat("a", 1, 1)}, (1, 1))


def test_shape_text():
    assert shape_text(None) == "undefined"
    assert shape_text((3, 4)) == "(3, 4)"
    assert isinstance(mat("a", 1, 1), sp.MatrixSymbol)
