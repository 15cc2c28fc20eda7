"""checks.finite_diff: estimates within their error bars, kink flags, noise, probes.

Oracles: closed-form derivatives (exp, sin, x**3) and closed-form kinks (abs, ReLU).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from checks import finite_diff as fd
from checks import steps as st
from checks.methods import FD_METHODS
from checks.structure import normalise_params, private_copies

EPS64 = float(np.finfo(np.float64).eps)
MULTIPLES = (1.0, -1.0, 2.0, -2.0, 4.0, -4.0)


@settings(max_examples=30)
@given(x=hs.floats(-3, 3), fn=hs.sampled_from(["exp", "sin", "cube"]))
def test_central_and_refined_estimates_lie_within_their_error_bars(x, fn):
    f, df = {"exp": (np.exp, np.exp), "sin": (np.sin, np.cos),
             "cube": (lambda t: t**3, lambda t: 3 * t**2)}[fn]
    xa = np.array([x])
    h = st.steps(xa, FD_METHODS["central"].exponent)
    xp, xm = st.offset(xa, h, 1.0), st.offset(xa, h, -1.0)
    est = fd.central(float(f(x)), f(xp), f(xm), st.taken(xa, xp), st.taken(xa, xm), 1.0,
                     EPS64, 0.0)
    if fn != "cube":  # the one-step proxy assumes |f'''| <= (|f''| + |f'|) / scale
        assert abs(est.value[0] - df(x)) <= 3 * est.error_bar[0] + 1e-15
    vals = np.stack([st.offset(xa, h, m) for m in MULTIPLES])
    ref = fd.three_scale(float(f(x)), f(vals), vals - xa, EPS64, 0.0)
    assert not ref.central.kink[0]
    assert abs(ref.central.value[0] - df(x)) <= 3 * ref.central.error_bar[0] + 1e-15
    hr = st.steps(xa, FD_METHODS["richardson"].exponent)
    vals_r = np.stack([st.offset(xa, hr, m) for m in MULTIPLES])
    rich = fd.three_scale(float(f(x)), f(vals_r), vals_r - xa, EPS64, 0.0).richardson
    assert abs(rich.value[0] - df(x)) <= max(3 * rich.error_bar[0], 1e-13 * abs(df(x)))


@pytest.mark.parametrize(
    ("f", "x", "kink"),
    [
        pytest.param(np.abs, 0.0, True, id="abs at 0"),
        pytest.param(np.abs, 3e-6, True, id="abs, kink inside the h stencil"),
        pytest.param(np.abs, -1.5e-5, True, id="abs, kink between 2h and 4h"),
        pytest.param(lambda t: np.maximum(t, 0.0), 0.0, True, id="relu at 0"),
        pytest.param(lambda t: np.maximum(t, 0.0) ** 2, 2e-6, True, id="relu squared"),
        pytest.param(np.abs, 1.0, False, id="abs far from 0"),
        pytest.param(np.tanh, 0.0, False, id="tanh at its inflection point"),
        pytest.param(lambda t: t**3, 0.0, False, id="x**3 at 0 (f'' = 0)"),
    ],
)
def test_three_scale_flags_kinks_and_only_kinks(f, x, kink):
    xa = np.array([x])
    h = st.steps(xa, FD_METHODS["central"].exponent)
    vals = np.stack([st.offset(xa, h, m) for m in MULTIPLES])
    ref = fd.three_scale(float(f(x)), f(vals), vals - xa, EPS64, 0.0)
    assert bool(ref.central.kink[0]) is kink


def test_forward_difference_carries_its_truncation():
    x = np.array([0.3])
    h = st.steps(x, FD_METHODS["forward"].exponent)
    xp = st.offset(x, h, 1.0)
    est = fd.forward(float(np.exp(0.3)), np.exp(xp), st.taken(x, xp), st.entry_scale(x),
                     float(np.exp(0.3)), EPS64, 0.0)
    assert abs(est.value[0] - np.exp(0.3)) <= 3 * est.error_bar[0]


def test_complex_step_is_exact_to_rounding():
    x = np.array([0.7, -1.2])
    h = st.steps(x, FD_METHODS["complex"].exponent)
    f = np.exp(x + 1j * h) * np.sin(x + 1j * h)
    est = fd.complex_step(f.imag, h, EPS64, 1.0)
    exact = np.exp(x) * (np.sin(x) + np.cos(x))
    assert np.all(np.abs(est.value - exact) <= est.error_bar)
    assert np.max(np.abs(est.value - exact) / np.abs(exact)) < 1e-15


@pytest.mark.parametrize("sigma", [0.0, 1e-12, 1e-8])
def test_noise_level_recovers_added_noise(sigma):
    rng = np.random.default_rng(0)
    line = np.exp(1 + 1e-6 * np.arange(fd.NOISE_POINTS)) + sigma * rng.standard_normal(
        fd.NOISE_POINTS)
    est = fd.noise_level(line)
    if sigma == 0.0:
        assert est < 1e-14
    else:
        assert sigma / 4 < est < 4 * sigma


def test_evaluate_entries_restores_the_entry_when_f_raises():
    flat = np.array([1.0, 2.0, 3.0])

    def f(arg):
        if arg[1] != 2.0:
            raise ZeroDivisionError("inside f")
        return float(arg.sum())

    with pytest.raises(ZeroDivisionError):
        fd.evaluate_entries(f, flat, flat, [0, 1], np.array([[1.5, 2.5]]))
    assert flat.tolist() == [1.0, 2.0, 3.0]


def test_evaluate_entries_names_non_scalar_outputs():
    flat = np.zeros(2)
    with pytest.raises(fd.OutputError, match="must return a scalar"):
        fd.evaluate_entries(lambda a: a.copy(), flat, flat, [0, 1], np.ones((1, 2)))


def test_black_box_with_an_executor_equals_in_process():
    structure, arrays = normalise_params({"a": np.linspace(0, 1, 11), "b": np.ones((2, 2))})

    def f(p):
        return float(np.sum(np.sin(p["a"])) + np.sum(p["b"] ** 3))

    local = fd.BlackBox(f, structure, private_copies(arrays))
    with ThreadPoolExecutor(2) as pool:
        spread = fd.BlackBox(f, structure, private_copies(arrays), pool, chunk_size=3)
        vals = np.stack([np.linspace(0, 1, 11) + 0.1, np.linspace(0, 1, 11) - 0.2])
        np.testing.assert_array_equal(spread.entries(0, np.arange(11), vals),
                                      local.entries(0, np.arange(11), vals))
        pts = [[np.zeros(11), np.ones((2, 2))], [np.ones(11), np.zeros((2, 2))]]
        np.testing.assert_array_equal(spread.points(pts), local.points(pts))
    assert local.evaluations == 24
