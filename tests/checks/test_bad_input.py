"""Bad input to the public API of checks: one row each, the exception, the words that tell the fix.

Every row is also a check that no array the caller passed in changed, including the rows
where the caller's own ``f`` or ``grad`` raises in the middle of the check (the exception
then propagates unchanged, in the caller's words, and the checker's copies take the damage).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import numeric
from checks import (
    CheckConfig,
    OutputError,
    assert_gradients,
    check_gradients,
    check_network,
    step_error_curve,
)

X3 = np.array([0.5, -1.0, 2.0])


def _sin(x):
    return float(np.sum(np.sin(x)))


class _Boom(Exception):
    """The caller's own exception, raised from inside f or grad."""


def _raises_after(n: int):
    calls = {"n": 0}

    def f(x):
        calls["n"] += 1
        if calls["n"] > n:
            raise _Boom(f"user's f gave up at call {calls['n']}")
        x_ = x["W"] if isinstance(x, dict) else x
        return float(np.sum(np.sin(x_)))

    return f


def _log(x):
    with np.errstate(invalid="ignore"):
        return float(np.sum(np.log(x)))  # NaN once the stencil crosses 0


def _grad_raises(x):
    raise _Boom("user's grad is not written yet")


def _writes_later():
    calls = {"n": 0}

    def f(x):
        calls["n"] += 1
        if calls["n"] == 15:  # 2 calls at x, 9 for the noise, then entry 1's central stencil
            x[0] = 99.0
        return float(np.sum(x**2))

    return f


def _net():
    net = numeric.MLP((2, 2, 1), hidden="tanh", output="sigmoid", loss="bce")
    X, Y = numeric.two_class(3, n_features=2, rng=0)
    return net, numeric.init_params(net, rng=0), X, Y


def _cg(f, params, grad, **kw):
    return lambda: (check_gradients, (f, params, grad), kw)


ROWS = [
    # params
    pytest.param(_cg(_sin, X3.astype(np.float16), np.cos), TypeError,
                 ["float16", "5% error would pass", "astype(np.float32)"], id="float16 params"),
    pytest.param(_cg(_sin, X3.astype(np.longdouble), np.cos), TypeError,
                 ["float128", "float32 or float64"], id="longdouble params"),
    pytest.param(_cg(_sin, np.arange(3), np.cos), TypeError, ["int64", ".astype(np.float64)"],
                 id="integer params"),
    pytest.param(_cg(_sin, np.array([0.5, np.inf, 2.0]), np.cos), ValueError,
                 ["params contains inf at index (1,)", "finite point"], id="inf in params"),
    pytest.param(_cg(lambda p: _sin(p["W"]), {"W": np.array([[1.0, np.nan]])},
                     lambda p: {"W": np.cos(p["W"])}), ValueError,
                 ["W contains nan at index (0, 1)"], id="nan in a dict of params"),
    pytest.param(_cg(_sin, "1.0", np.cos), TypeError, ["params must be an ndarray", "str"],
                 id="params a string"),
    pytest.param(_cg(_sin, [], []), ValueError, ["empty list"], id="empty params"),
    # f
    pytest.param(_cg("loss", X3, np.cos), TypeError, ["f must be callable", "str"],
                 id="f not callable"),
    pytest.param(_cg(lambda x: 3, X3, np.cos), OutputError,
                 ["f returns an integer", "finite differences are 0"], id="f returns an int"),
    pytest.param(_cg(np.sin, X3, np.cos), OutputError, ["must return a scalar", "(3,)"],
                 id="f returns an array"),
    pytest.param(_cg(lambda x: 1j, X3, np.cos), OutputError, ["real scalar", "complex"],
                 id="f returns a complex"),
    pytest.param(_cg(lambda x: np.random.default_rng().random(), X3, np.cos), OutputError,
                 ["not deterministic", "random seed"], id="f is random"),
    pytest.param(_cg(lambda x: x.__setitem__(1, 5.0) or _sin(x), X3, np.cos), OutputError,
                 ["f modified its input in place", "index (1,)"], id="f writes its input"),
    pytest.param(_cg(_writes_later(), X3, lambda x: 2 * x), OutputError,
                 ["f modified its input in place", "during the check"],
                 id="f writes its input mid-check"),
    pytest.param(_cg(_raises_after(5), X3, np.cos), _Boom, ["user's f gave up at call 6"],
                 id="f raises mid-check"),
    pytest.param(_cg(_raises_after(20), {"W": X3.copy()}, lambda p: {"W": np.cos(p["W"])},
                     method="richardson"), _Boom, ["user's f gave up at call 21"],
                 id="f raises during Richardson"),
    pytest.param(_cg(_log, np.array([1e-9, 1.0]), lambda x: 1 / x), OutputError,
                 ["moved from", "leaves f's domain"],
                 id="stencil leaves f's domain"),
    # grad
    pytest.param(_cg(_sin, X3, _grad_raises), _Boom, ["user's grad is not written yet"],
                 id="grad raises"),
    pytest.param(_cg(lambda p: _sin(p["W"]), {"W": X3.copy()}, [np.cos(X3)]), TypeError,
                 ["grad returned a list", "expected a dict with keys ['W']"],
                 id="grad a list for dict params"),
    # options
    pytest.param(_cg(_sin, X3, np.cos, method="cental"), ValueError,
                 ["method='cental' is not one of 'auto', 'forward', 'central'"],
                 id="method misspelt"),
    pytest.param(_cg(_sin, X3, np.cos, method=None), ValueError, ["method=None"],
                 id="method None"),
    pytest.param(_cg(_sin, X3, np.cos, rtol=-1e-3), ValueError, ["rtol must be a finite float"],
                 id="rtol negative"),
    pytest.param(_cg(_sin, X3, np.cos, rtol=float("nan")), ValueError, ["rtol", "nan"],
                 id="rtol nan"),
    pytest.param(_cg(_sin, X3, np.cos, atol="0"), TypeError, ["atol must be a float"],
                 id="atol a string"),
    pytest.param(_cg(_sin, X3, np.cos, seed=1.5), TypeError, ["seed must be an int"],
                 id="seed a float"),
    pytest.param(_cg(_sin, X3, np.cos, seed=True), TypeError, ["seed must be an int"],
                 id="seed a bool"),
    pytest.param(_cg(_sin, X3, np.cos, executor="pool"), TypeError,
                 ["executor must be a concurrent.futures.Executor", "str"], id="executor a str"),
    pytest.param(_cg(_sin, X3, np.cos, directions=0), ValueError, ["directions must be an int"],
                 id="directions 0"),
    pytest.param(_cg(_sin, X3, np.cos, chunk_size=-2), ValueError, ["chunk_size must be"],
                 id="chunk_size negative"),
    pytest.param(_cg(_sin, X3, np.cos, tolerance=1e-6), TypeError, ["tolerance"],
                 id="unknown keyword"),
    # the other public functions
    pytest.param(lambda: (assert_gradients, (_sin, X3.astype(np.float16), np.cos), {}),
                 TypeError, ["float16"], id="assert_gradients float16"),
    pytest.param(lambda: (check_network, _net(), {"method": "bogus"}), ValueError,
                 ["method='bogus' is not one of"], id="check_network method"),
    pytest.param(lambda: (step_error_curve, (_sin, X3, np.cos(X3), []), {}), ValueError,
                 ["non-empty sequence of finite steps"], id="step_error_curve no steps"),
    pytest.param(lambda: (step_error_curve, (_sin, X3, np.cos(X3), [1e-3]),
                          {"methods": ["auto"]}), ValueError,
                 ["'auto' is not one of 'forward'", "single entries"],
                 id="step_error_curve method auto"),
    pytest.param(lambda: (step_error_curve, (_sin, X3, np.cos(X3[:2]), [1e-3]), {}),
                 ValueError, ["exact does not match params", "shape (2,)"],
                 id="step_error_curve exact shape"),
    pytest.param(lambda: (CheckConfig, (), {"method": "newton"}), ValueError,
                 ["method='newton' is not one of"], id="CheckConfig method"),
]


def _arrays(obj: Any) -> list[np.ndarray]:
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, dict):
        return [a for v in obj.values() for a in _arrays(v)]
    if isinstance(obj, list | tuple):
        return [a for v in obj for a in _arrays(v)]
    return []


@pytest.mark.parametrize(("make", "exc", "words"), ROWS)
def test_bad_input_is_refused_in_our_words_and_nothing_the_caller_passed_changes(
    make, exc, words
):
    fn, args, kwargs = make()
    given = _arrays(args) + _arrays(kwargs)
    snapshot = [(a.dtype, a.shape, a.tobytes()) for a in given]
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"
    assert type(info.value) is exc  # never another library's exception (numpy's, argparse's)
    assert [(a.dtype, a.shape, a.tobytes()) for a in given] == snapshot
    if exc is not _Boom and "unexpected keyword" not in message:  # ours, not the user's/Python's
        assert re.search(r"[.)]$", message), f"not a sentence: {message!r}"


def test_the_table_has_at_least_twenty_rows():
    assert len(ROWS) >= 20
