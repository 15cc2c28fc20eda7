"""The gradcheck fixture's vector-valued methods (layer, vjp, jacobian, hessian), via pytester."""

from __future__ import annotations

pytest_plugins = ["pytester"]

EXAMPLE = """
import numpy as np

def affine_forward(x, w, b):
    return x @ w + b, (x, w)

def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)

def wrong_backward(dout, cache):
    dx, dw, db = affine_backward(dout, cache)
    return dx, dw, dout.mean(axis=0)     # db averaged: a missing sum

rng = np.random.default_rng(0)
X, W, B = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)

def test_layer_right(gradcheck):
    result = gradcheck.layer(affine_forward, affine_backward, X, W, B)
    assert result.seed == gradcheck.seed

def test_layer_wrong(gradcheck):
    gradcheck.layer(affine_forward, wrong_backward, x=X, w=W, b=B)

def test_vjp_jacobian_hessian(gradcheck):
    gradcheck.vjp(np.tanh, X, lambda x, u: u * (1 - np.tanh(x) ** 2))
    gradcheck.jacobian(np.sin, X[0], lambda x: np.diag(np.cos(x)))
    gradcheck.hessian(lambda x: float(np.sum(x ** 4)), X[0], lambda x: np.diag(12 * x ** 2))
"""


def test_fixture_methods_pass_right_and_fail_wrong_layers_with_the_table(pytester):
    pytester.makepyfile(test_layers_example=EXAMPLE)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*GradientMismatch: layer check: FAIL*",
        "*b (2,): FAIL*",
        "*diagnosis: factor*",
        "*exposed by cotangent #0 (random*",
        "*gradcheck seed*",
    ])
