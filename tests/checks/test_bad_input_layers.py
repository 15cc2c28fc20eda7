"""Argument validation of check_vjp, check_jacobian, check_layer and check_hessian.

Every error path is a row: the error type and the part of the message that names the
parameter, the shape or the index, and the fix.
"""

from __future__ import annotations

import numpy as np
import pytest

from checks import OutputError, check_hessian, check_jacobian, check_layer, check_vjp

X = np.linspace(-1.0, 1.0, 12).reshape(3, 4)


def tanh_vjp(x, u):
    return u * (1 - np.tanh(x) ** 2)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


W, B = np.ones((4, 2)), np.zeros(2)
sq = lambda x: float(np.sum(x**2))  # noqa: E731
I4 = 2 * np.eye(4)

ROWS = [
    pytest.param(check_vjp, ("tanh", X, tanh_vjp), {}, TypeError, "f must be callable",
                 id="check_vjp(f='tanh')"),
    pytest.param(check_vjp, (np.tanh, X, None), {}, TypeError, "vjp must be callable",
                 id="check_vjp(vjp=None)"),
    pytest.param(check_vjp, (np.tanh, np.arange(3), tanh_vjp), {}, TypeError,
                 r"dtype int64.*astype\(np.float64\)", id="check_vjp(inputs=int array)"),
    pytest.param(check_vjp, (np.tanh, X, tanh_vjp), {"cotangents": np.ones(2)}, ValueError,
                 r"cotangents has shape \(2,\), but f returns an array of shape \(3, 4\)",
                 id="check_vjp(cotangents=(2,))"),
    pytest.param(check_vjp, (np.tanh, X, tanh_vjp),
                 {"cotangents": [np.ones((3, 4)), np.ones((4, 3))]}, ValueError,
                 r"cotangents\[1\] has shape \(4, 3\)", id="check_vjp(cotangents[1]=(4, 3))"),
    pytest.param(check_vjp, (np.tanh, X, tanh_vjp), {"cotangents": np.full((3, 4), np.nan)},
                 ValueError, "NaN or inf", id="check_vjp(cotangents=nan)"),
    pytest.param(check_vjp, (np.tanh, X, tanh_vjp), {"cotangents": np.ones((3, 4), bool)},
                 TypeError, "dtype bool", id="check_vjp(cotangents=bool)"),
    pytest.param(check_vjp, (np.tanh, X, tanh_vjp), {"random_cotangents": -1}, ValueError,
                 "random_cotangents must be an int >= 0", id="check_vjp(random_cotangents=-1)"),
    pytest.param(check_vjp, (np.tanh, X, tanh_vjp), {"random_cotangents": 0}, ValueError,
                 "no cotangent to check", id="check_vjp(random_cotangents=0, no cotangents)"),
    pytest.param(check_vjp, (np.tanh, X, tanh_vjp), {"seed": "1"}, TypeError,
                 "seed must be an int", id="check_vjp(seed='1')"),
    pytest.param(check_vjp, (np.tanh, X, tanh_vjp), {"method": "cental"}, ValueError,
                 "'cental' is not one of 'auto'", id="check_vjp(method='cental')"),
    pytest.param(check_vjp, (np.tanh, X, tanh_vjp), {"rtol": -1.0}, ValueError,
                 "rtol must be a finite float >= 0", id="check_vjp(rtol=-1)"),
    pytest.param(check_vjp, (lambda x: (x > 0).astype(int), X, tanh_vjp), {}, OutputError,
                 "real floating-point array", id="check_vjp(f returns int)"),
    pytest.param(check_vjp, (lambda x: np.where(x > 0, x, np.nan), X, tanh_vjp), {}, OutputError,
                 r"at output index \(0, 0\)", id="check_vjp(f returns nan)"),
    pytest.param(check_vjp, (lambda x: x[:0], X, tanh_vjp), {}, OutputError,
                 "empty array", id="check_vjp(f returns empty)"),
    pytest.param(check_layer, (affine_forward, affine_backward, X, W, B), {"wrt": "v"},
                 ValueError, r"wrt='v' is not a float-array input.*\['x', 'w', 'b'\]",
                 id="check_layer(wrt='v')"),
    pytest.param(check_layer, (affine_forward, affine_backward), {}, ValueError,
                 "needs the layer's inputs", id="check_layer(no inputs)"),
    pytest.param(check_layer, (affine_forward, affine_backward, X, W), {}, TypeError,
                 r"forward\(x, w, b\) does not accept the inputs", id="check_layer(2 of 3)"),
    pytest.param(check_layer, (affine_forward, affine_backward, X.astype(int), W.astype(int),
                               B.astype(int)), {}, ValueError, "no float-array input",
                 id="check_layer(int inputs)"),
    pytest.param(check_layer, (affine_forward, affine_backward, X, W, B),
                 {"upstream": np.ones((2, 3))}, ValueError,
                 r"upstream has shape \(2, 3\), but forward returns out as an array of "
                 r"shape \(3, 2\)",
                 id="check_layer(upstream=(2, 3))"),
    pytest.param(check_layer, (affine_forward, affine_backward, X.astype(int), W, B),
                 {"wrt": "x"}, TypeError, r"input x has dtype int64.*astype",
                 id="check_layer(wrt='x' of int dtype)"),
    pytest.param(check_layer, (affine_forward, 3, X, W, B), {}, TypeError,
                 "backward must be callable", id="check_layer(backward=3)"),
    pytest.param(check_layer, (affine_forward, affine_backward, X, W, B), {"executor": 2},
                 TypeError, "executor must be a concurrent.futures.Executor",
                 id="check_layer(executor=2)"),
    pytest.param(check_jacobian, (np.tanh, [1.0, 2.0], np.eye(2)), {}, TypeError,
                 "x must be one float ndarray", id="check_jacobian(x=list)"),
    pytest.param(check_jacobian, (np.tanh, np.ones(2), np.eye(2).astype(complex)), {},
                 TypeError, r"jac has dtype complex128.*\(2, 2\)",
                 id="check_jacobian(jac=complex)"),
    pytest.param(check_hessian, (sq, np.ones(4)), {}, ValueError,
                 "needs hess=.*or hvp=", id="check_hessian(no hess, no hvp)"),
    pytest.param(check_hessian, (sq, np.ones(4), None, lambda x, v: 2 * v),
                 {"vectors": np.ones(3)}, ValueError, r"vectors has shape \(3,\)",
                 id="check_hessian(vectors=(3,))"),
    pytest.param(check_hessian, (sq, np.ones(4), None, "hvp"), {}, TypeError,
                 "hvp must be callable", id="check_hessian(hvp='hvp')"),
    pytest.param(check_hessian, (sq, np.ones(4), I4), {"grad": 2.0}, TypeError,
                 "grad must be callable", id="check_hessian(grad=2.0)"),
    pytest.param(check_hessian, (sq, (1.0, 2.0), I4), {}, TypeError,
                 "x must be one float ndarray", id="check_hessian(x=tuple)"),
]


@pytest.mark.parametrize(("fn", "args", "kwargs", "error", "match"), ROWS)
def test_bad_input_is_named(fn, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)


def test_validation_happens_before_f_is_called():
    calls = []

    def f(x):
        calls.append(1)
        return np.tanh(x)

    with pytest.raises(ValueError, match="method="):
        check_vjp(f, X, tanh_vjp, method="nope")
    with pytest.raises(ValueError, match="random_cotangents"):
        check_vjp(f, X, tanh_vjp, random_cotangents=-2)
    assert calls == []
