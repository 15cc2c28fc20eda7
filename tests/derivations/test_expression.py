"""Formula text on an allow-list, evaluated on arrays (derivations/expression.py).

Oracle: NumPy itself on float arrays for the values; the allow-list by its error table.
"""

from __future__ import annotations

import numpy as np
import pytest

from derivations.expression import ExpressionError, ShapeMismatch, evaluate, parse_expression

KNOWN = {"A": "A", "B": "B", "a": "A", "m": "m"}
FUNCS = {"sum": lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims),
         "_step": lambda u: (np.asarray(u) > 0) * 1.0, "exp": np.exp}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A @ B.T / m", lambda A, B: A @ B.T / 4),
        ("a * (A > 0)", lambda A, B: A * (A > 0)),
        ("np.sum(A, axis=1, keepdims=True)", lambda A, B: A.sum(axis=1, keepdims=True)),
        ("A.sum(axis=0)", lambda A, B: A.sum(axis=0)),
        ("-A ** 2 + 0.5", lambda A, B: -(A**2) + 0.5),
        ("np.exp(-A)", lambda A, B: np.exp(-A)),
    ],
)
def test_evaluate_matches_numpy(text, expected):
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    got = evaluate(parse_expression(text, KNOWN), {"A": A, "B": B, "m": 4.0}, FUNCS,
                   exact=False)
    np.testing.assert_allclose(got, expected(A, B), rtol=1e-15)


def test_aliases_read_as_canonical_names():
    assert parse_expression("a @ B", KNOWN).names == frozenset({"A", "B"})


def test_an_undefined_product_is_a_shape_mismatch_naming_both_shapes():
    f = parse_expression("A @ B", KNOWN)
    with pytest.raises(ShapeMismatch, match=r"\(2, 3\) @ \(2, 3\).*inner dimensions 3 and 2"):
        evaluate(f, {"A": np.ones((2, 3)), "B": np.ones((2, 3))}, FUNCS, exact=False)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("A if B else m", "is not allowed"),
        ("A.shape", "only .T"),
        ("getattr(A, 'T')", "function 'getattr'"),
        ("A < B < m", "compare once"),
        ("np.sum(A, axis=m)", "axis and keepdims take"),
        ("not A", "only unary"),
        ("A // B", "operator"),
    ],
)
def test_the_allow_list_refuses_with_the_part_quoted(text, match):
    with pytest.raises(ExpressionError, match=match):
        parse_expression(text, KNOWN)
