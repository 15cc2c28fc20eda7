"""check_gradients / assert_gradients: verdicts, robustness, error paths, methods, executor.

Oracles: closed-form gradients of elementary functions (d/dx sin = cos, ...), and
`numeric.loss_and_grad`, itself tested against autograd and torch in tests/numeric.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from checks import (
    GradientMismatch,
    OutputError,
    Verdict,
    assert_gradients,
    check_gradients,
)
from numeric import MLP, forward, init_params, loss_and_grad

DTYPES = (np.float64, np.float32)


def smooth(x):
    """A smooth scalar function of an array (module level: picklable for process pools)."""
    return np.sum(np.sin(x) * np.arange(1, x.size + 1).reshape(x.shape)) + 0.5 * np.sum(x**2)


def smooth_grad(x):
    return np.cos(x) * np.arange(1, x.size + 1).reshape(x.shape) + x


def smooth_grad_doubled(x):
    return 2.0 * smooth_grad(x)


def network(dtype=np.float64, hidden="tanh", seed=0, sizes=(4, 8, 6, 3), m=12):
    """f, params, grad of a small softmax + cross-entropy MLP from `numeric`."""
    rng = np.random.default_rng(seed)
    net = MLP(sizes, hidden=hidden, output="softmax", loss="ce")
    params = {k: (v + 0.1 * rng.standard_normal(v.shape)).astype(dtype)
              for k, v in init_params(net, rng=seed, dtype=dtype).items()}
    X = rng.standard_normal((sizes[0], m)).astype(dtype)
    Y = rng.integers(0, sizes[-1], m)
    return (lambda p: forward(net, p, X, Y)[0]), params, (lambda p: loss_and_grad(net, p, X, Y)[1])


# ---------------------------------------------------------------------------------------------
# Verdicts the issue requires
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("hidden", ["tanh", "sigmoid"])
def test_correct_network_gradient_passes(dtype, hidden):
    f, params, grad = network(dtype, hidden)
    result = check_gradients(f, params, grad, seed=0)
    assert result.verdict == "pass", str(result)
    assert result.passed
    assert [p.name for p in result.params] == list(params)


@pytest.mark.parametrize("seed", range(3))
def test_float32_relu_network_never_fails(seed):
    # float32 steps (~5e-3) put ReLU kinks inside the stencil: inconclusive, never fail.
    f, params, grad = network(np.float32, "relu", seed=seed, m=20)
    result = check_gradients(f, params, grad, seed=seed)
    assert result.verdict in ("pass", "inconclusive"), str(result)


@pytest.mark.parametrize("index", [(0, 0), (3, 5), (5, 2)])
def test_float64_catches_relative_error_1e6_in_one_entry(index):
    f, params, grad = network()

    def bad(p):
        g = grad(p)
        W = g["W2"].copy()
        W[index] *= 1 + 1e-6
        return {**g, "W2": W}

    result = check_gradients(f, params, bad, seed=0)
    assert result.verdict == "fail"
    w2 = result["W2"]
    assert w2.worst_index == index
    assert w2.diagnosis.kind == "few entries"
    assert all(p.passed for p in result.params if p.name != "W2")


def test_scaled_loss_is_checked_as_strictly():
    f, params, grad = network()
    scaled = lambda p: 1e-8 * f(p)  # noqa: E731
    ok = check_gradients(scaled, params, lambda p: {k: 1e-8 * v for k, v in grad(p).items()})
    assert ok.verdict == "pass", str(ok)
    flipped = check_gradients(
        scaled, params,
        lambda p: {k: (-1e-8 if k == "b2" else 1e-8) * v for k, v in grad(p).items()},
    )
    assert flipped.verdict == "fail"
    assert flipped["b2"].diagnosis.kind == "sign flip"
    assert flipped["W1"].passed


@pytest.mark.parametrize("dtype", DTYPES)
def test_exactly_zero_true_gradients_do_not_false_alarm(dtype):
    x = np.random.default_rng(1).standard_normal(60).astype(dtype)
    f = lambda x: np.sum(x[:10] ** 3) + np.sum(0.0 * x)  # noqa: E731
    g = lambda x: np.r_[3 * x[:10] ** 2, np.zeros(50, dtype)]  # noqa: E731
    result = check_gradients(f, x, g, seed=0)
    assert result.verdict == "pass", str(result)


def test_stationary_inflection_point_is_not_a_false_alarm():
    # x**3 at 0: the central difference is h**2 while the true gradient is exactly 0
    x = np.array([0.0, 1.0])
    result = check_gradients(lambda x: np.sum(x**3), x, lambda x: 3 * x**2, seed=0)
    assert result.verdict == "pass", str(result)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logits_of_size_1000_with_stable_loss_do_not_false_alarm(dtype):
    rng = np.random.default_rng(2)
    z = (5.0 * rng.standard_normal(1000)).astype(dtype)

    def loss(z):  # log-sum-exp shifted by the max, minus the true class's logit
        m = z.max()
        return m + np.log(np.sum(np.exp(z - m))) - z[3]

    def grad(z):
        e = np.exp(z - z.max())
        s = e / e.sum()
        s[3] -= 1
        return s

    result = check_gradients(loss, z, grad, seed=0)
    assert result.verdict == "pass", str(result)


@pytest.mark.parametrize(
    ("f", "g", "x", "kinks"),
    [
        pytest.param(lambda x: np.sum(np.abs(x)), np.sign, np.array([0.0, 1.0, -2.0, 1e-7]),
                     {0, 3}, id="abs at 0 and within the step"),
        pytest.param(lambda x: np.sum(np.maximum(x, 0.0)), lambda x: (x > 0).astype(float),
                     np.array([0.5, 0.0, -1.0]), {1}, id="relu at 0"),
        pytest.param(lambda x: np.max(x), lambda x: (x == x.max()).astype(float),
                     np.array([1.0, 1.0 + 1e-9, 0.2]), {0, 1}, id="max of near-ties"),
    ],
)
def test_kinks_are_inconclusive_with_their_index_never_fail_or_pass(f, g, x, kinks):
    result = check_gradients(f, x, g, seed=0)
    assert result.verdict == "inconclusive", str(result)
    status = result.params[0].status
    assert {i for i in range(x.size) if status[i] == 2} == kinks
    assert all(status[i] == 0 for i in range(x.size) if i not in kinks)
    assert "kink?" in str(result)


# f(x) = sin x + x**2 / 2 + c relu(x - u h) at x = 0, h the Richardson step: a kink between
# h and 2h. At u = 1.82 the three-scale kink test is blind (the fit of the one-sided jump
# through h and 2h absorbs the kink and predicts 4h within 25%); Richardson's value is off by
# ~c / 10. Only a re-measurement at a smaller step, which moves the estimate, reveals it.
_H_RICH = float(np.finfo(np.float64).eps) ** (1 / 6)


def _kinked(c, u):
    def f(x):
        return float(np.sin(x[0]) + 0.5 * x[0] ** 2 + c * max(x[0] - u * _H_RICH, 0.0))

    return f


@pytest.mark.parametrize("c", [0.1, 1.0, 3.0])
def test_kink_the_three_scale_test_misses_is_inconclusive_not_fail(c):
    g = lambda x: np.array([np.cos(x[0]) + x[0]])  # noqa: E731  right: the kink is not at x
    result = check_gradients(_kinked(c, 1.82), np.zeros(1), g, method="richardson", seed=0)
    assert result.verdict == "inconclusive", str(result)
    assert result.params[0].status[0] == 2  # kink?


def test_richardson_confirms_failures_at_its_own_accuracy():
    # 2e-10 absolute in one entry: beyond Richardson's error bar (~1e-12) but within central
    # differences' (~3e-10); confirming at a quarter central step would call it "noisy"
    x = np.array([0.3, 1.1, -0.7, 2.0])
    g = lambda x: np.cos(x) + np.array([0.0, 0.0, 2e-10, 0.0])  # noqa: E731
    result = check_gradients(lambda x: np.sum(np.sin(x)) + 1.0, x, g, method="richardson",
                             rtol=0.0, seed=0)
    assert result.verdict == "fail", str(result)
    assert [int(s) for s in result.params[0].status] == [0, 0, 1, 0]


_RNG = np.random.default_rng(1)
_A = _RNG.standard_normal((20, 4))
_W = _RNG.standard_normal(4)
_Y = _A @ _W  # W fits exactly: f(W) = 0, and the residuals at W are exactly 0


def _least_squares(w):
    return float(np.sum((_A @ w - _Y) ** 2) / 40)


def _least_squares_grad(w):
    return _A.T @ (_A @ w - _Y) / 20


@pytest.mark.parametrize("method", ["auto", "forward", "central", "richardson", "directional"])
def test_exact_minimum_of_least_squares_passes_and_still_catches_1e_12(method):
    # f's noise is ~0 at W (residuals 0) but ~eps |A W| h at W +- h: the error bars must come
    # from the noise where the stencil is, or 1e-16 round-off in the difference quotients
    # is a "failure" (before: fail with richardson and directional, inconclusive otherwise)
    result = check_gradients(_least_squares, _W, _least_squares_grad, method=method, seed=0)
    assert result.verdict == "pass", str(result)
    off = lambda w: _least_squares_grad(w) + np.array([0.0, 1e-12, 0.0, 0.0])  # noqa: E731
    assert check_gradients(_least_squares, _W, off, method=method, seed=0).verdict == "fail"


# ---------------------------------------------------------------------------------------------
# Robustness: inputs untouched, restored when f raises, dtypes preserved
# ---------------------------------------------------------------------------------------------


def test_params_restored_bit_for_bit_when_f_raises_mid_check():
    x = np.array([0.1, -0.0, 3.0, 1e-300, -2.5])
    before = x.tobytes()
    seen = []

    def f(p):
        seen.append(p.copy())
        if len(seen) == 20:  # in the middle of the entry loop
            raise RuntimeError("boom from f")
        return float(np.sum(p**2))

    with pytest.raises(RuntimeError, match="boom from f"):
        check_gradients(f, x, lambda p: 2 * p)
    assert x.tobytes() == before
    # every evaluation saw at most one entry perturbed, and never the caller's array
    assert all(np.count_nonzero(s != x) <= len(x) for s in seen)


def test_private_copy_is_restored_after_each_entry():
    x = np.linspace(-1.0, 1.0, 7)
    calls = []

    def f(p):
        calls.append(p.copy())
        return float(np.sum(np.exp(p)))

    check_gradients(f, x, np.exp, method="central")
    moved = [np.flatnonzero(c != x) for c in calls]
    assert all(len(m) <= 1 or len(m) == x.size for m in moved)  # one entry or a whole line
    assert np.array_equal(calls[-1], x)  # the final call sees the unperturbed point


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", ["central", "forward", "richardson", "directional"])
def test_f_never_sees_another_dtype_and_inputs_are_untouched(dtype, method):
    params = {"a": np.linspace(-1, 1, 6).astype(dtype).reshape(2, 3), "b": np.ones(2, dtype)}
    grads = {"a": np.cos(params["a"]), "b": 2 * params["b"]}
    snap = {k: v.tobytes() for k, v in {**params, **{f"g{k}": v for k, v in grads.items()}}.items()}
    dtypes = set()

    def f(p):
        dtypes.update((p["a"].dtype, p["b"].dtype))
        return np.sum(np.sin(p["a"])) + np.sum(p["b"] ** 2)

    check_gradients(f, params, grads, method=method, seed=0)
    assert dtypes == {np.dtype(dtype)}
    assert {k: v.tobytes() for k, v in {**params, **{f"g{k}": v
            for k, v in grads.items()}}.items()} == snap


def test_zero_size_parameters_are_fine():
    params = {"W": np.ones((2, 2)), "empty": np.zeros((0, 3))}
    f = lambda p: np.sum(p["W"] ** 2) + np.sum(p["empty"])  # noqa: E731
    result = check_gradients(f, params, lambda p: {"W": 2 * p["W"], "empty": np.zeros((0, 3))})
    assert result.verdict == "pass"
    assert result["empty"].shape == (0, 3)


# ---------------------------------------------------------------------------------------------
# Error paths: one row each
# ---------------------------------------------------------------------------------------------

X3 = np.array([0.5, -1.0, 2.0])


def _counter_f():
    state = {"n": 0}

    def f(x):
        state["n"] += 1
        return float(np.sum(x**2)) + (1e-3 if state["n"] > 12 else 0.0)

    return f


def _nan_at_perturbed(x):
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.sum(np.log(x + 1.0)))  # nan once the step crosses x = -1


ERROR_CASES = [
    pytest.param(lambda x: np.nan, X3, 2 * X3, {}, OutputError, "returned nan",
                 id="f returns nan"),
    pytest.param(lambda x: np.inf, X3, 2 * X3, {}, OutputError, "returned inf",
                 id="f returns inf"),
    pytest.param(lambda x: x**2, X3, 2 * X3, {}, OutputError, "must return a scalar",
                 id="f returns an array"),
    pytest.param(lambda x: "1.0", X3, 2 * X3, {}, OutputError, "real scalar",
                 id="f returns a string"),
    pytest.param(lambda x: np.random.default_rng().random(), X3, 2 * X3, {}, OutputError,
                 "not deterministic", id="f is random"),
    pytest.param(_counter_f(), X3, 2 * X3, {}, OutputError, "not deterministic",
                 id="f keeps state between calls"),
    pytest.param(lambda x: x.__setitem__(0, 9.0) or float(x @ x), X3, 2 * X3, {},
                 OutputError, "f modified its input in place", id="f writes into its input"),
    pytest.param(_nan_at_perturbed, np.array([-1.0 + 1e-9, 0.0]), None, {}, OutputError,
                 r"params\[0\] moved from", id="f leaves its domain inside the stencil"),
    pytest.param(lambda x: 0.0, np.arange(3), np.zeros(3), {}, TypeError,
                 "dtype int64.*astype", id="integer params"),
    pytest.param(lambda x: 0.0, np.array([True]), np.zeros(1), {}, TypeError,
                 "need float32 or float64", id="bool params"),
    pytest.param(lambda x: 0.0, np.array([1j]), np.zeros(1), {}, TypeError,
                 "need float32 or float64", id="complex params"),
    pytest.param(lambda x: 0.0, {"W": np.zeros(2), "n": np.arange(2)}, {}, {}, TypeError,
                 "n has dtype", id="one integer array in a dict"),
    pytest.param(lambda x: 0.0, {}, {}, {}, ValueError, "empty", id="empty dict"),
    pytest.param(lambda x: 0.0, 3.0, 0.0, {}, TypeError, "must be an ndarray",
                 id="params a Python float"),
    pytest.param(lambda x: 0.0, X3, X3, {"method": "cental"}, ValueError,
                 "'forward', 'central', 'richardson', 'complex'", id="method='cental'"),
    pytest.param(lambda x: 0.0, X3, X3, {"rtol": -1.0}, ValueError, "rtol must be",
                 id="rtol=-1"),
    pytest.param(lambda x: 0.0, X3, X3, {"atol": "0"}, TypeError, "atol must be",
                 id="atol='0'"),
    pytest.param(lambda x: 0.0, X3, X3, {"directions": 0}, ValueError, "directions must",
                 id="directions=0"),
    pytest.param(lambda x: 0.0, X3, X3, {"executor": 2}, TypeError, "Executor",
                 id="executor=2"),
    pytest.param(lambda x: 0.0, X3, X3, {"seed": 1.5}, TypeError, "seed must",
                 id="seed=1.5"),
    pytest.param(lambda p: 0.0, {"W": X3}, [X3], {}, TypeError, "expected a dict",
                 id="list grad for dict params"),
    pytest.param(lambda p: 0.0, [X3], {"W": X3}, {}, TypeError, "sequence",
                 id="dict grad for list params"),
    pytest.param(3.0, X3, X3, {}, TypeError, "f must be callable", id="f not callable"),
]


@pytest.mark.parametrize(("f", "params", "grad", "kwargs", "exc", "match"), ERROR_CASES)
def test_error_paths(f, params, grad, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        check_gradients(f, params, grad if grad is not None else (lambda x: 1 / (x + 1)),
                        **kwargs)


def test_f_exception_propagates_unchanged():
    def f(x):
        raise KeyError("user bug")

    with pytest.raises(KeyError, match="user bug"):
        check_gradients(f, X3, X3)


# ---------------------------------------------------------------------------------------------
# Structural problems of the analytic gradient: fail, naming the parameter and both shapes
# ---------------------------------------------------------------------------------------------

PARAMS = {"W": np.ones((2, 3)), "b": np.ones((2, 1))}


def _f_dict(p):
    return np.sum(p["W"] ** 2) + np.sum(p["b"] ** 2)


@pytest.mark.parametrize(
    ("grad", "name", "kind", "match"),
    [
        pytest.param({"W": 2 * PARAMS["W"].T, "b": 2 * PARAMS["b"]}, "W", "wrong shape",
                     r"\(3, 2\).*\(2, 3\)", id="W transposed shape"),
        pytest.param({"W": 2 * PARAMS["W"], "b": 2 * PARAMS["b"].ravel()}, "b", "wrong shape",
                     r"\(2,\).*\(2, 1\)", id="b without its axis (no broadcasting)"),
        pytest.param({"W": 2 * PARAMS["W"]}, "b", "missing", r"missing.*\(2, 1\)",
                     id="missing b"),
        pytest.param({"W": 2 * PARAMS["W"], "b": "x"}, "b", "not numeric", "dtype",
                     id="b a string"),
    ],
)
def test_wrong_shape_or_missing_key_fails_naming_both_shapes(grad, name, kind, match):
    result = check_gradients(_f_dict, PARAMS, grad)
    assert result.verdict == "fail"
    check = result[name]
    assert check.verdict == "fail" and check.diagnosis.kind == kind
    assert check.analytic is None
    assert __import__("re").search(match, check.diagnosis.message)
    assert name in str(result)
    others = [p for p in result.params if p.name != name]
    assert all(p.passed for p in others)


def test_extra_key_fails_and_is_named():
    grad = {"W": 2 * PARAMS["W"], "b": 2 * PARAMS["b"], "c": np.zeros(4)}
    result = check_gradients(_f_dict, PARAMS, grad)
    assert result.verdict == "fail"
    assert any("'c'" in p and "(4,)" in p for p in result.problems)
    assert "extra entry 'c'" in str(result)


def test_sequence_params_and_extra_entry():
    params = [np.ones(2), np.ones(3)]
    f = lambda p: np.sum(p[0] ** 2) + np.sum(p[1] ** 3)  # noqa: E731
    good = check_gradients(f, params, lambda p: [2 * p[0], 3 * p[1] ** 2])
    assert good.verdict == "pass" and [p.name for p in good.params] == ["params[0]", "params[1]"]
    extra = check_gradients(f, tuple(params), (2 * params[0], 3 * params[1], np.ones(1)))
    assert extra.verdict == "fail"


# ---------------------------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["central", "forward", "richardson", "complex", "directional"])
def test_every_method_passes_correct_and_fails_doubled(method):
    x = np.linspace(-1.5, 2.0, 12).reshape(3, 4)
    good = check_gradients(smooth, x, smooth_grad, method=method, seed=0)
    bad = check_gradients(smooth, x, smooth_grad_doubled, method=method, seed=0)
    assert good.verdict == "pass", str(good)
    assert bad.verdict == "fail"
    assert bad.params[0].diagnosis.kind == "factor"
    assert bad.params[0].diagnosis.factor == pytest.approx(2.0, rel=1e-3)
    assert good.method == method


def test_auto_says_what_it_picked():
    x = np.linspace(-1, 1, 5)
    result = check_gradients(smooth, x, smooth_grad)
    assert result.method == "central"
    assert "auto: P = 5" in result.method_note
    assert "auto: P = 5" in str(result)


def test_complex_step_falls_back_when_f_is_not_analytic():
    x = np.linspace(0.5, 2.0, 4)
    f = lambda x: float(np.sum(np.abs(x) ** 3))  # noqa: E731 -- float() drops the imaginary part
    result = check_gradients(f, x, lambda x: 3 * x**2, method="complex")
    assert result.verdict == "pass"
    assert result.method == "central"
    assert "complex step not usable" in result.method_note


def test_complex_step_is_used_when_f_supports_it():
    x = np.linspace(0.5, 2.0, 4)
    result = check_gradients(lambda x: np.sum(np.exp(x) * np.sin(x)), x,
                             lambda x: np.exp(x) * (np.sin(x) + np.cos(x)), method="complex")
    assert result.method == "complex" and result.verdict == "pass"
    assert result.params[0].max_rel_error < 1e-14


def test_directional_localises_the_failing_parameter():
    f, params, grad = network()
    result = check_gradients(f, params, lambda p: {**grad(p), "b1": -grad(p)["b1"]},
                             method="directional", directions=8, seed=3)
    assert result.verdict == "fail"
    assert [p.name for p in result.params if p.verdict == "fail"] == ["b1"]
    assert result["b1"].probe == "directions" and result["b1"].analytic.shape == (8,)
    assert result["b1"].diagnosis.kind == "sign flip"


def test_forward_refines_only_undecided_entries():
    x = np.linspace(-1, 1, 50)
    central = check_gradients(smooth, x, smooth_grad, method="central")
    forward = check_gradients(smooth, x, smooth_grad, method="forward")
    assert forward.verdict == "pass"
    assert forward.evaluations < central.evaluations


# ---------------------------------------------------------------------------------------------
# Executor: same verdicts in a process pool
# ---------------------------------------------------------------------------------------------


def test_process_pool_gives_the_same_verdicts():
    x = np.linspace(-2.0, 2.0, 24).reshape(4, 6)
    with ProcessPoolExecutor(max_workers=2) as pool:
        good = check_gradients(smooth, x, smooth_grad, executor=pool, seed=0, chunk_size=5)
        bad = check_gradients(smooth, x, smooth_grad_doubled, executor=pool, seed=0)
    local = check_gradients(smooth, x, smooth_grad, seed=0)
    assert good.verdict == local.verdict == "pass"
    assert bad.verdict == "fail" and bad.params[0].diagnosis.kind == "factor"
    np.testing.assert_array_equal(good.params[0].numeric, local.params[0].numeric)


# ---------------------------------------------------------------------------------------------
# assert_gradients and the text
# ---------------------------------------------------------------------------------------------


def test_assert_gradients_raises_gradient_mismatch_with_the_table():
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    with pytest.raises(GradientMismatch) as info:
        assert_gradients(smooth, x, smooth_grad_doubled)
    assert isinstance(info.value, AssertionError)
    text = str(info.value)
    assert "FAIL" in text and "diagnosis: factor" in text and "(1, 2)" in text
    assert info.value.result.verdict == Verdict.FAIL
    assert assert_gradients(smooth, x, smooth_grad).passed


def test_assert_gradients_can_refuse_inconclusive():
    x = np.array([0.0, 1.0])
    assert assert_gradients(lambda x: np.sum(np.abs(x)), x, np.sign).verdict == "inconclusive"
    with pytest.raises(GradientMismatch, match="INCONCLUSIVE"):
        assert_gradients(lambda x: np.sum(np.abs(x)), x, np.sign, allow_inconclusive=False)


# ---------------------------------------------------------------------------------------------
# Properties over shapes
# ---------------------------------------------------------------------------------------------

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


@settings(max_examples=20)
@given(shapes=hs.lists(shapes, min_size=1, max_size=3), dtype=hs.sampled_from(DTYPES),
       seed=hs.integers(0, 2**16))
def test_checker_passes_correct_fails_scaled_and_never_changes_inputs(shapes, dtype, seed):
    rng = np.random.default_rng(seed)
    params = {f"p{i}": rng.uniform(-2, 2, s).astype(dtype) for i, s in enumerate(shapes)}
    snap = {k: v.tobytes() for k, v in params.items()}
    f = lambda p: sum(np.sum(np.sin(v)) for v in p.values())  # noqa: E731
    g = lambda p: {k: np.cos(v) for k, v in p.items()}  # noqa: E731
    assert check_gradients(f, params, g, seed=seed).verdict == "pass"
    bad = check_gradients(f, params, lambda p: {k: 3 * v for k, v in g(p).items()}, seed=seed)
    nonempty = any(v.size for v in params.values())
    assert bad.verdict == ("fail" if nonempty else "pass")
    assert {k: v.tobytes() for k, v in params.items()} == snap
    for check, (name, v) in zip(bad.params, params.items(), strict=True):
        assert check.name == name and check.shape == v.shape


@pytest.mark.parametrize(
    ("f", "x"),
    [
        pytest.param(lambda x: 0.0 * np.sum(x), np.linspace(-1, 1, 5), id="f flat in x"),
        pytest.param(lambda x: np.sum((x - 0.5) ** 2), np.full(4, 0.5), id="exact minimum"),
    ],
)
def test_zero_gradient_everywhere_passes_rather_than_noisy(f, x):
    result = check_gradients(f, x, np.zeros_like(x), seed=0)
    assert result.verdict == "pass", str(result)
    bad = check_gradients(f, x, np.full_like(x, 1e-3), seed=0)
    assert bad.verdict == "fail"


def _float32_relu_network(seed):
    from checks.catalogue import ce_rows, grad002, net002, net002_forward, relu

    X, y, p, _ = net002(act=relu, d=6, h=30, n=4, m=64, seed=seed)
    X, p = X.astype(np.float32), {k: v.astype(np.float32) for k, v in p.items()}

    def f(q):
        return ce_rows(net002_forward(q, X, relu)[2], y)

    def grad(q):
        g = grad002(q, X, y, act=relu, act_prime=lambda a1: (a1 > 0) * 1.0)
        return {k: v.astype(np.float32) for k, v in g.items()}

    return f, p, grad


def test_directional_confirms_failures_at_a_quarter_step():
    # a float32 ReLU network (64 samples, 30 units): along a random direction the stencil
    # crosses several kinks, which at one step can look like a smooth function with another
    # slope (before: b1 "fail" on 4 of 8 directions); a missing 1/m is still a failure
    f, p, grad = _float32_relu_network(4)
    for seed in range(3):
        assert check_gradients(f, p, grad, method="directional", seed=seed).verdict != "fail"
    wrong = lambda q: {k: 64 * v for k, v in grad(q).items()}  # noqa: E731
    assert check_gradients(f, p, wrong, method="directional", seed=0).verdict == "fail"


# ---------------------------------------------------------------------------------------------
# Issue 18, section 3: the checker's edge cases, each with its own true message
# ---------------------------------------------------------------------------------------------


def test_float16_is_refused_so_a_five_percent_error_cannot_pass():
    x = np.array([0.3, -1.2, 2.0], np.float16)
    with pytest.raises(TypeError, match=r"float16.*5% error would pass.*astype\(np.float32\)"):
        check_gradients(lambda x: np.sum(np.sin(x)), x, lambda x: 1.05 * np.cos(x))


def test_a_gradient_below_resolution_with_an_analytic_zero_is_inconclusive_with_the_reason():
    result = check_gradients(lambda x: 1.0 + 4e-18 * np.sum(x), X3, np.zeros(3), seed=0)
    assert result.verdict == "inconclusive", str(result)
    assert result.params[0].counts() == {"unresolved": 3}
    assert "cannot be told from 0" in str(result) and "|g| < " in result.params[0].note
    # the same f with a resolvable scale beside it: judged against that scale, a pass
    ok = check_gradients(lambda p: 1.0 + 4e-18 * np.sum(p[0]) + np.sum(p[1] ** 2),
                         [X3, X3], lambda p: [np.zeros(3), 2 * p[1]], seed=0)
    assert ok.verdict == "pass", str(ok)


def test_a_loss_that_ignores_its_argument_is_named_as_such():
    result = check_gradients(lambda x: 1.0, X3, np.cos, seed=0)
    assert result.verdict == "fail"
    assert result.params[0].diagnosis.kind == "f constant"
    assert "f does not depend on params" in str(result) and "only 3 of 3" not in str(result)


@pytest.mark.parametrize("out", [lambda x: 3, lambda x: np.int64(3)], ids=["int", "np.int64"])
def test_a_loss_that_returns_an_integer_is_refused_before_any_finite_difference(out):
    with pytest.raises(OutputError, match=r"f returns an integer.*finite differences are 0"):
        check_gradients(out, X3, np.cos)


def test_a_loss_that_writes_into_its_input_is_named_not_blamed_on_randomness():
    def f(x):
        x *= 2.0
        return float(np.sum(x))

    x = X3.copy()
    with pytest.raises(OutputError, match="f modified its input in place") as info:
        check_gradients(f, x, np.ones(3))
    assert "random seed" not in str(info.value)
    assert x.tobytes() == X3.tobytes()


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_non_finite_params_are_refused_with_their_index(bad):
    x = np.array([[0.5, 1.0], [bad, 2.0]])
    with pytest.raises(ValueError, match=r"params contains .* at index \(1, 0\)"):
        check_gradients(lambda x: float(np.sum(x)), x, np.ones((2, 2)))
