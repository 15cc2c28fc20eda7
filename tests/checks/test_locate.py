"""checks.locate: adaptive group testing finds the wrong entries among many, cheaply."""

from __future__ import annotations

import numpy as np
import pytest

from checks import Status, Verdict, check_gradients
from checks.locate import locate_gradient_errors

RNG = np.random.default_rng(0)
P = 20_000
X = RNG.normal(size=P)
Wt = RNG.normal(size=P)


def f(x):
    return float(Wt @ np.sin(x))


def grad(x):
    return Wt * np.cos(x)


def _counted(fn):
    calls = [0]

    def wrapped(x):
        calls[0] += 1
        return fn(x)

    return wrapped, calls


def test_one_wrong_entry_is_located_with_far_fewer_evaluations_than_a_full_check():
    g = grad(X)
    g[12_345] *= 1.001
    fc, calls = _counted(f)
    r = locate_gradient_errors(fc, X, g)
    pc = r.params[0]
    assert r.verdict == Verdict.FAIL and r.method == "group testing"
    assert np.flatnonzero(pc.status == Status.FAIL).tolist() == [12_345]
    assert pc.worst_index == (12_345,)
    assert calls[0] <= 200 < 2 * P // 100  # a full check costs 2P = 40,000
    assert r.evaluations == calls[0]
    # the located entry carries a real finite-difference estimate, as in a full check
    assert pc.numeric[12_345] == pytest.approx(grad(X)[12_345], rel=1e-8)
    assert pc.error_bar[12_345] > 0


def test_wrong_entries_in_two_parameters_are_all_located():
    params = {"a": X[:5000].reshape(50, 100), "b": X[5000:7000]}

    def loss(p):
        return float(np.sum(np.tanh(p["a"]) * 3.0) + np.sum(p["b"] ** 2))

    g = {"a": 3.0 / np.cosh(params["a"]) ** 2, "b": 2 * params["b"]}
    g["a"][7, 42] += 0.01
    g["b"][[10, 1500]] *= -1.0
    r = locate_gradient_errors(loss, params, g)
    assert np.argwhere(r["a"].status == Status.FAIL).tolist() == [[7, 42]]
    assert np.flatnonzero(r["b"].status == Status.FAIL).tolist() == [10, 1500]


def test_a_correct_gradient_passes_in_a_dozen_evaluations():
    fc, calls = _counted(f)
    r = locate_gradient_errors(fc, X, grad)
    assert r.verdict == Verdict.PASS and calls[0] <= 16


def test_every_entry_wrong_stops_at_the_region_cap_and_fails():
    fc, calls = _counted(f)
    r = locate_gradient_errors(fc, X, 2 * grad(X), max_regions=8)
    assert r.verdict == Verdict.FAIL
    assert "run a full check" in r.params[0].diagnosis.message
    assert calls[0] < 400


def test_an_error_below_the_noise_floor_is_not_reported_as_located():
    # f is a sum of 65,536 terms: its rounding noise bounds what one directional test
    # resolves (~3e-6 relative in one entry here); below it the search reports nothing
    # rather than a guess, and a full check is the tool
    x = RNG.normal(size=2**16)
    w = RNG.normal(size=2**16)
    g = w * np.cos(x)
    loss = lambda x: float(w @ np.sin(x))  # noqa: E731
    g[40_000] *= 1 + 1e-7
    assert locate_gradient_errors(loss, x, g).verdict == Verdict.PASS
    g[40_000] *= 1 + 1e-4
    r = locate_gradient_errors(loss, x, g)
    assert np.flatnonzero(r.params[0].status == Status.FAIL).tolist() == [40_000]


def test_starting_groups_cost_one_test_each_when_they_pass():
    fc, calls = _counted(f)
    r = locate_gradient_errors(fc, X, grad, groups=64)
    assert r.verdict == Verdict.PASS
    assert calls[0] <= 12 + 64 * 6  # noise estimate + at most six evaluations per test


def test_params_are_not_modified():
    x = X.copy()
    g = grad(x)
    g[3] = 0.0
    locate_gradient_errors(f, x, g)
    assert np.array_equal(x, X)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"groups": 0}, "groups must be an int >= 1"),
    ({"max_regions": 0}, "max_regions must be an int >= 1"),
    ({"max_evaluations": 0}, "max_evaluations must be an int >= 1"),
    ({"rtol": -1.0}, "rtol must be a finite float >= 0"),
])
def test_bad_knobs_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        locate_gradient_errors(f, X, grad, **kwargs)


def test_auto_above_the_full_check_limit_locates_a_wrong_entry():
    # P = 60,000 > the 50,000 of a full check: auto takes random directions, and when they
    # fail it must name the entry, as a full check would
    x = np.random.default_rng(0).normal(size=60_000)

    def grad(x):
        out = np.cos(x)
        out[12345] *= 1.01
        return out

    r = check_gradients(lambda x: np.sum(np.sin(x)), x, grad, seed=0)
    assert r.verdict == Verdict.FAIL and r.method == "group testing"
    assert "random directions" in r.method_note and "group testing" in r.method_note
    status = r.params[0].status
    assert np.flatnonzero(status == Status.FAIL).tolist() == [12345]
    assert r.evaluations < 500


def test_auto_above_the_limit_passes_a_right_gradient_without_locating():
    x = np.random.default_rng(1).normal(size=60_000)
    r = check_gradients(lambda x: np.sum(np.sin(x)), x, np.cos, seed=0)
    assert r.verdict == Verdict.PASS and r.method == "directional"


def test_auto_above_the_limit_keeps_a_whole_parameter_diagnosis():
    # every entry off by the same factor: the directional check's "factor" says it all, and
    # group testing would only give up on too many wrong entries
    x = np.random.default_rng(2).normal(size=60_000)
    r = check_gradients(lambda x: np.sum(np.sin(x)), x, lambda x: 16.0 * np.cos(x), seed=0)
    assert r.verdict == Verdict.FAIL and r.method == "directional"
    assert r.params[0].diagnosis.kind == "factor" and "no entries were located" in r.method_note
