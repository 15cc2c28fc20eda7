"""checks.crosscheck: SymPy's, numeric's and the finite differences' gradients of one network."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import numeric
from checks import Verdict, check_gradients, max_relative_difference, symbolic_gradients, three_way

# SymPy's lambdified formula and numeric's backprop evaluate the same products in another
# order: float64 agreement to a few ulps of the largest entry
RTOL_SYMBOLIC_VS_NUMERIC = 1e-10


@pytest.fixture(scope="module")
def problem():
    net = numeric.MLP((2, 3, 1), hidden="tanh", output="sigmoid", loss="bce")
    X, Y = numeric.two_class(3, n_features=2, rng=1)
    return net, numeric.init_params(net, rng=1, scale=0.8), X, Y


def test_symbolic_gradients_pass_the_finite_difference_check(problem):
    # the oracle is independent of SymPy and of numeric: finite differences of numeric's loss
    net, params, X, Y = problem
    result = check_gradients(lambda p: numeric.loss_and_grad(net, p, X, Y)[0], params,
                             symbolic_gradients(net, params, X, Y), seed=0)
    assert result.verdict == Verdict.PASS, str(result)


def test_three_way_agrees_and_keys_every_array_like_the_parameters(problem):
    net, params, X, Y = problem
    before = {k: v.copy() for k, v in params.items()}
    tw = three_way(net, params, X, Y, seed=0)
    assert tw.check.verdict == Verdict.PASS
    for source in (tw.symbolic, tw.analytic, tw.numeric):
        assert {k: v.shape for k, v in source.items()} == {k: v.shape for k, v in params.items()}
    assert tw.symbolic_vs_analytic < RTOL_SYMBOLIC_VS_NUMERIC
    assert tw.analytic_vs_fd < 1e-6 and tw.symbolic_vs_fd < 1e-6
    assert tw.symbolic_vs_analytic == max_relative_difference(tw.analytic, tw.symbolic)
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_max_relative_difference_is_relative_to_the_second_argument():
    a, b = {"W": np.array([1.0, 3.0])}, {"W": np.array([1.0, 2.0])}
    assert max_relative_difference(a, b) == 0.5
    assert max_relative_difference(b, a) == pytest.approx(1 / 3)


def test_import_checks_loads_neither_sympy_nor_hypothesis_but_three_way_loads_sympy():
    code = ("import sys, checks; print('sympy' in sys.modules, 'hypothesis' in sys.modules); "
            "checks.strategies; print('hypothesis' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "True"]
