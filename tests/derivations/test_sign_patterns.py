"""Sign patterns of code that compares values (derivations/sign_patterns.py).

Oracle: the walk is checked against itertools.product of the signs, and the substitution
against SymPy's own Heaviside/Max evaluated at a point of each region.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from derivations.sign_patterns import (
    Pattern,
    normal_quantity,
    on_pattern,
    patterns,
    traced_array,
    untraced,
)
from derivations.spec_network import Relu, normal_steps

x, y, z = sp.symbols("x y z", real=True)


def _relu_code(pattern):
    a = traced_array(np.array([[x, y, z]], dtype=object), pattern)
    return untraced(np.maximum(0, a) * (a > 0))


@pytest.mark.parametrize("limit", [8, 100])
def test_the_walk_takes_every_combination_of_signs_once(limit):
    seen = [tuple(p.signs.values()) for p, _ in patterns(_relu_code, limit=limit)]
    assert sorted(seen) == sorted(itertools.product([True, False], repeat=3))


def test_the_walk_stops_at_its_limit():
    runs = list(patterns(_relu_code, limit=5))
    assert len(runs) == 5 and runs[-1][0].next_prefix() is not None


def test_a_quantity_compared_twice_keeps_its_sign():
    for pattern, out in patterns(lambda p: untraced(traced_array(
            np.array([[x - y]], dtype=object), p) > 0) + untraced(traced_array(
            np.array([[2 * y - 2 * x]], dtype=object), p) < 0), limit=10):
        assert len(pattern.signs) == 1 and out[0, 0] in (0, 2)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-5, 5).filter(bool), min_size=3, max_size=3),
       st.lists(st.sampled_from([-3, -1, 1, 2]), min_size=3, max_size=3))
def test_on_pattern_agrees_with_sympy_at_a_point_of_the_region(coeffs, values):
    point = dict(zip((x, y, z), map(sp.Integer, values), strict=True))
    u = coeffs[0] * x + coeffs[1] * y + coeffs[2] * z
    expr = normal_steps(sp.Heaviside(u)) * Relu(u - z) + Relu(-u) * y
    assume(all(q.xreplace(point) != 0 for q in (u, u - z)))  # a kink: no region
    pattern = Pattern()
    # choose the pattern of the point: the sign of each quantity there
    for q in (u, u - z):
        sign, key = normal_quantity(q)
        pattern.signs[key] = (q.xreplace(point) > 0) == (sign > 0)
    got = on_pattern(expr, pattern).xreplace(point)
    want = expr.rewrite(sp.Max).xreplace(point)
    assert got == want
