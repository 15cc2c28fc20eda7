"""checks.step_curve: each method's error follows its truncation law and meets round-off."""

from __future__ import annotations

import numpy as np
import pytest

from checks import FD_METHODS, step_error_curve

X = np.array([0.5, -1.0, 0.25])


def f(x):
    return np.sum(np.exp(x))


def _curve(method, hs):
    (curve,) = step_error_curve(f, X, np.exp(X), hs, methods=[method])
    return np.array(curve.error)


def test_forward_and_central_errors_follow_their_truncation_laws():
    # for exp, f''/f' = f'''/f' = 1: forward errs by h/2, central by h**2/6 (relative)
    hs = np.array([1e-2, 1e-3])
    np.testing.assert_allclose(_curve("forward", hs), hs / 2, rtol=0.05)
    np.testing.assert_allclose(_curve("central", hs), hs**2 / 6, rtol=0.05)


def test_round_off_takes_over_below_the_best_step():
    central = _curve("central", [1e-5, 1e-12])
    assert central[1] > 100 * central[0]


def test_richardson_beats_central_at_a_large_step_and_complex_step_has_no_round_off():
    assert _curve("richardson", [1e-2])[0] < 1e-3 * _curve("central", [1e-2])[0]
    assert _curve("complex", [1e-30])[0] <= 4 * np.finfo(float).eps


def test_default_methods_are_every_entrywise_method_in_table_order():
    curves = step_error_curve(f, X, np.exp(X), [1e-4])
    assert [c.method for c in curves] == [n for n, m in FD_METHODS.items() if m.entrywise]
    assert [c.method for c in curves][:4] == ["forward", "central", "richardson", "complex"]
    assert all(c.h == (1e-4,) and len(c.error) == 1 for c in curves)


def test_params_are_not_modified():
    x = X.copy()
    step_error_curve(f, x, np.exp(x), [1e-3, 1e-8])
    assert x.tobytes() == X.tobytes()


@pytest.mark.parametrize(("kwargs", "exc", "words"), [
    pytest.param({"steps": []}, ValueError, "non-empty sequence of finite steps", id="no steps"),
    pytest.param({"steps": [1e-3, -1e-3]}, ValueError, "steps > 0", id="negative step"),
    pytest.param({"methods": ["directional"]}, ValueError, "single entries", id="directional"),
    pytest.param({"methods": "central"}, TypeError, "pass ['central']", id="a string"),
    pytest.param({"exact": np.ones(2)}, ValueError, "has shape (2,)", id="exact shape"),
])
def test_bad_arguments_are_refused_naming_them(kwargs, exc, words):
    args = {"steps": [1e-3], "exact": np.exp(X), **kwargs}
    with pytest.raises(exc) as info:
        step_error_curve(f, X, args.pop("exact"), args.pop("steps"), **args)
    assert words in str(info.value)
