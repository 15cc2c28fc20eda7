"""Gradient-check speed and accuracy of `checks` against torch, jax, scipy and numdifftools.

Problems: MLP losses in float64, tanh hidden layers, mean squared error over m = 64 samples,
at P about 1k (sizes 20-40-4, P = 1,004) and about 10k (64-128-12-1, P = 9,881). Rows (issue 5,
"Speed"):

- ``full``: `checks.check_gradients(method="central")`, every entry, on a black-box NumPy
  ``f``, against the floor measured in the same run (2P plain calls of ``f``; target: within
  1.25x, i.e. speedup >= 0.8) and against ``torch.autograd.gradcheck(fast_mode=False)`` on the
  same network in torch (target 1.5x);
- ``numeric``: `checks.numeric_fast.check_network` on the same network as a `numeric.MLP`,
  against torch's slow mode (target 3x at P ~ 10k);
- ``directional``: `check_gradients(method="directional", directions=8)` against torch's
  ``fast_mode=True`` (target 1x) and slow mode (target 100x) at P ~ 10k;
- peers listed without a target: ``jax.test_util.check_grads`` (random directions, modes
  fwd+rev), ``scipy.optimize.check_grad`` (forward differences, P + 1 calls) and
  ``numdifftools.Gradient`` (Richardson, at P ~ 1k only: at 10k it takes minutes);
- ``accuracy``: max |numeric - exact| / max |exact| of our central differences (automatic
  step, float64 <= 5e-10, float32 <= 3e-4), Richardson (<= 1e-11 with <= 8 evaluations per
  entry) and complex step (<= 1e-15); the exact gradient is the hand-written backward pass in
  float64. Printed in the row's ``extra``; the row's times compare the method with the floor.

Every check is first run once and must pass (a benchmark of a wrong check measures nothing).
One thread on both sides (``limit_threads(1)``); blocks alternate (``paired_medians``).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks import Row, limit_threads, paired_medians

BENCHMARK = "gradcheck"
SIZES = {"1k": (20, 40, 4), "10k": (64, 128, 12, 1)}
M = 64
TARGETS = {"floor": 0.8, "torch_slow": 1.5, "numeric_torch_slow": 3.0, "dir_torch_fast": 1.0,
           "dir_torch_slow": 100.0}
ACCURACY_TARGETS = {"central f64": 5e-10, "central f32": 3e-4, "richardson f64": 1e-11,
                    "complex f64": 1e-15}


@dataclass(frozen=True)
class Problem:
    """An MLP loss as a black box: ``f(params)``, its exact gradient, data and sizes."""

    name: str
    sizes: tuple[int, ...]
    params: dict[str, np.ndarray]
    X: np.ndarray
    Y: np.ndarray

    @property
    def P(self) -> int:
        return sum(v.size for v in self.params.values())

    def f(self, p: dict[str, np.ndarray]) -> Any:
        A = self.X
        L = len(self.sizes) - 1
        for l in range(1, L + 1):  # noqa: E741
            Z = A @ p[f"W{l}"] + p[f"b{l}"]
            A = np.tanh(Z) if l < L else Z
        D = A - self.Y
        return 0.5 * np.sum(D * D) / self.X.shape[0]

    def grad(self, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        As = [self.X]
        L = len(self.sizes) - 1
        for l in range(1, L + 1):  # noqa: E741
            Z = As[-1] @ p[f"W{l}"] + p[f"b{l}"]
            As.append(np.tanh(Z) if l < L else Z)
        dZ = (As[-1] - self.Y) / self.X.shape[0]
        out: dict[str, np.ndarray] = {}
        for l in range(L, 0, -1):  # noqa: E741
            out[f"W{l}"] = As[l - 1].T @ dZ
            out[f"b{l}"] = dZ.sum(axis=0, keepdims=True)
            if l > 1:
                dZ = (dZ @ p[f"W{l}"].T) * (1.0 - As[l - 1] ** 2)
        return {k: out[k] for k in p}


def make_problem(name: str, sizes: Sequence[int], dtype: type = np.float64, seed: int = 0
                 ) -> Problem:
    rng = np.random.default_rng(seed)
    params = {}
    for l, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):  # noqa: E741
        params[f"W{l}"] = (rng.standard_normal((n_in, n_out)) / math.sqrt(n_in)).astype(dtype)
        params[f"b{l}"] = (0.1 * rng.standard_normal((1, n_out))).astype(dtype)
    X = rng.standard_normal((M, sizes[0])).astype(dtype)
    Y = rng.standard_normal((M, sizes[-1])).astype(dtype)
    return Problem(name, tuple(sizes), params, X, Y)


# ---------------------------------------------------------------------------------------------
# Peers
# ---------------------------------------------------------------------------------------------


def _torch_check(problem: Problem, fast: bool) -> Callable[[], Any]:
    import torch

    X, Y = torch.from_numpy(problem.X), torch.from_numpy(problem.Y)
    names = list(problem.params)
    tensors = tuple(torch.tensor(v, requires_grad=True) for v in problem.params.values())
    L = len(problem.sizes) - 1

    def fn(*ts: Any) -> Any:
        p = dict(zip(names, ts, strict=True))
        A = X
        for l in range(1, L + 1):  # noqa: E741
            Z = A @ p[f"W{l}"] + p[f"b{l}"]
            A = torch.tanh(Z) if l < L else Z
        return 0.5 * ((A - Y) ** 2).sum() / X.shape[0]

    def run() -> Any:
        return torch.autograd.gradcheck(fn, tensors, fast_mode=fast, eps=1e-6, atol=1e-5,
                                        rtol=1e-3)

    return run


def _jax_check(problem: Problem) -> Callable[[], Any]:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.test_util import check_grads

    X, Y = jnp.asarray(problem.X), jnp.asarray(problem.Y)
    L = len(problem.sizes) - 1

    def f(p: dict[str, Any]) -> Any:
        A = X
        for l in range(1, L + 1):  # noqa: E741
            Z = A @ p[f"W{l}"] + p[f"b{l}"]
            A = jnp.tanh(Z) if l < L else Z
        return 0.5 * jnp.sum((A - Y) ** 2) / X.shape[0]

    params = {k: jnp.asarray(v) for k, v in problem.params.items()}
    return lambda: check_grads(f, (params,), order=1, modes=("fwd", "rev"))


def _flat(problem: Problem) -> tuple[np.ndarray, Callable[[np.ndarray], Any],
                                     Callable[[np.ndarray], np.ndarray]]:
    keys = list(problem.params)
    shapes = [problem.params[k].shape for k in keys]
    sizes = [int(np.prod(s)) for s in shapes]
    theta = np.concatenate([problem.params[k].ravel() for k in keys])

    def unflat(t: np.ndarray) -> dict[str, np.ndarray]:
        parts = np.split(t, np.cumsum(sizes)[:-1])
        return {k: v.reshape(s) for k, v, s in zip(keys, parts, shapes, strict=True)}

    def g(t: np.ndarray) -> np.ndarray:
        return np.concatenate([v.ravel() for v in problem.grad(unflat(t)).values()])

    return theta, lambda t: problem.f(unflat(t)), g


def _scipy_check(problem: Problem) -> Callable[[], Any]:
    from scipy.optimize import check_grad

    theta, f, g = _flat(problem)
    return lambda: check_grad(f, g, theta)


def _numdifftools_check(problem: Problem) -> Callable[[], Any]:
    import numdifftools as nd

    theta, f, g = _flat(problem)
    grad = nd.Gradient(f)
    return lambda: np.max(np.abs(grad(theta) - g(theta)))


# ---------------------------------------------------------------------------------------------
# Timing and rows
# ---------------------------------------------------------------------------------------------


def _timing(quick: bool, heavy: bool) -> dict[str, Any]:
    if quick:
        return {"rounds": 1, "repeat": 1, "cooldown": 0.05}
    return {"rounds": 2 if heavy else 3, "repeat": 1 if heavy else 3, "cooldown": 0.2}


def _pair(ours: Callable[[], Any], peer: Callable[[], Any], *, quick: bool, heavy: bool,
          idle_wait: float) -> Any:
    kwargs: dict[str, Any] = dict(_timing(quick, heavy))
    if idle_wait > 0:
        kwargs["idle_wait"] = idle_wait
    return paired_medians(ours, peer, ours_setup=lambda: limit_threads(1),
                          peer_setup=lambda: limit_threads(1), **kwargs)


def _row(case: str, ours: Callable[[], Any], peer_name: str, peer: Callable[[], Any],
         target: float | None, *, quick: bool, heavy: bool, idle_wait: float,
         extra: dict[str, Any] | None = None) -> Row:
    paired = _pair(ours, peer, quick=quick, heavy=heavy, idle_wait=idle_wait)
    return Row(BENCHMARK, case, paired.ours_s, peer_name, paired.peer_s, target,
               {**(extra or {}), "spread": paired.spread()})


def _must_pass(result: Any, what: str) -> Any:
    if result.verdict != "pass":
        raise RuntimeError(f"{what} did not pass before timing:\n{result}")
    return result


def _numeric_net(problem: Problem) -> tuple[Any, dict[str, np.ndarray]]:
    from numeric import MLP

    net = MLP(problem.sizes, hidden="tanh", output="identity", loss="mse", layout="rows",
              half=True, reduction="mean")
    return net, {k: v.copy() for k, v in problem.params.items()}


def _median_calls(fn: Callable[[], Any], *, quick: bool, heavy: bool) -> tuple[float, str]:
    """Median wall time of single calls (after a warm-up), at one thread, and the spread."""
    n = 1 if quick else (3 if heavy else 7)
    times = []
    with limit_threads(1):
        fn()
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
            time.sleep(0.05)
    return statistics.median(times), f"{n} calls, {min(times):.3g}..{max(times):.3g} s"


def speed_rows(problem: Problem, *, quick: bool, idle_wait: float) -> list[Row]:
    """Rows for one problem size; see the module docstring.

    Ours against the floor is timed in alternating blocks (``paired_medians``): the ratio is
    the figure that matters most and both sides take about as long. The peers, some of which
    take seconds per call, are each timed once per problem (median of single calls), and every
    row against that peer reuses the figure.
    """
    from checks import check_gradients
    from checks.numeric_fast import check_network

    P, p, f, g = problem.P, problem.params, problem.f, problem.grad
    big = problem.name == "10k"
    net, np_params = _numeric_net(problem)

    def full() -> Any:
        return check_gradients(f, p, g, method="central", seed=0)

    def floor() -> None:
        for _ in range(2 * P):
            f(p)

    def numeric_full() -> Any:
        return check_network(net, np_params, problem.X, problem.Y, seed=0)

    def directional() -> Any:
        return check_gradients(f, p, g, method="directional", directions=8, seed=0)

    evaluations = {}
    for name, fn in (("full", full), ("numeric", numeric_full), ("directional", directional)):
        evaluations[name] = _must_pass(fn(), name).evaluations
    rows = [_row(f"full P={P:,} vs floor", full, "2P plain calls of f", floor,
                 TARGETS["floor"], quick=quick, heavy=big, idle_wait=idle_wait,
                 extra={"evaluations of f": evaluations["full"]})]
    ours = {name: _median_calls(fn, quick=quick, heavy=big and name != "directional")
            for name, fn in (("full", full), ("numeric", numeric_full),
                             ("directional", directional))}
    peers: dict[str, Callable[[], Any]] = {
        "torch slow_mode": _torch_check(problem, fast=False),
        "torch fast_mode": _torch_check(problem, fast=True),
        "scipy check_grad": _scipy_check(problem),
    }
    with contextlib.suppress(ModuleNotFoundError):  # jax is an optional extra
        peers["jax check_grads"] = _jax_check(problem)
    if not big:  # numdifftools takes minutes at P ~ 10k
        peers["numdifftools Gradient"] = _numdifftools_check(problem)
    peer_t = {name: _median_calls(fn, quick=quick, heavy=name in ("torch slow_mode",
                                                                  "numdifftools Gradient"))
              for name, fn in peers.items()}
    plan = [
        ("full", "torch slow_mode", TARGETS["torch_slow"]),
        ("numeric", "torch slow_mode", TARGETS["numeric_torch_slow"] if big else None),
        ("directional", "torch fast_mode", TARGETS["dir_torch_fast"] if big else None),
        ("directional", "torch slow_mode", TARGETS["dir_torch_slow"] if big else None),
        *(("full", name, None) for name in peers if not name.startswith("torch")),
    ]
    labels = {"full": f"full P={P:,}", "numeric": f"numeric check_network P={P:,}",
              "directional": f"directional K=8 P={P:,}"}
    for ours_name, peer_name, target in plan:
        (t_ours, s_ours), (t_peer, s_peer) = ours[ours_name], peer_t[peer_name]
        rows.append(Row(BENCHMARK, labels[ours_name], t_ours, peer_name, t_peer, target,
                        {"evaluations of f": evaluations[ours_name],
                         "spread": f"ours {s_ours}; peer {s_peer}"}))
    return rows


def _rel_error(numeric: dict[str, np.ndarray], exact: dict[str, np.ndarray]) -> float:
    err = max(float(np.max(np.abs(numeric[k] - exact[k]))) for k in exact)
    return err / max(float(np.max(np.abs(v))) for v in exact.values())


def accuracy_rows(problem: Problem, *, quick: bool, idle_wait: float) -> list[Row]:
    from checks import check_gradients

    rows = []
    p64 = problem.params
    exact = problem.grad(p64)
    p32_problem = make_problem(problem.name, problem.sizes, np.float32)
    p32 = p32_problem.params
    exact32 = make_problem(problem.name, problem.sizes, np.float64).grad(
        {k: v.astype(np.float64) for k, v in p32.items()})
    cases = [
        ("central f64", problem, p64, exact, "central"),
        ("richardson f64", problem, p64, exact, "richardson"),
        ("complex f64", problem, p64, exact, "complex"),
        ("central f32", p32_problem, p32, exact32, "central"),
    ]
    for label, prob, params, ref, method in cases:
        result = check_gradients(prob.f, params, prob.grad, method=method, seed=0)
        if result.method != method:
            raise RuntimeError(f"{label}: method {result.method} ran instead ({result})")
        numeric = {c.name: c.numeric for c in result.params}
        err = _rel_error(numeric, ref)
        P = prob.P

        def ours(prob: Problem = prob, params: dict = params, method: str = method) -> Any:
            return check_gradients(prob.f, params, prob.grad, method=method, seed=0)

        def floor(prob: Problem = prob, params: dict = params, P: int = P) -> None:
            for _ in range(2 * P):
                prob.f(params)

        t0 = time.perf_counter()
        ours()
        once = time.perf_counter() - t0
        target = ACCURACY_TARGETS[label]
        rows.append(Row(
            BENCHMARK, f"accuracy {label} P={P:,}", once, "2P plain calls of f",
            _time_once(floor), None,
            {"max|numeric - exact| / max|exact|": f"{err:.2e}",
             "accuracy target": f"<= {target:g} {'ok' if err <= target else 'NO'}",
             "evaluations per entry": f"{result.evaluations / P:.2f}",
             "verdict": result.verdict.value},
        ))
    return rows


def _time_once(fn: Callable[[], Any]) -> float:
    with limit_threads(1):
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0


def run(*, quick: bool = False, idle_wait: float = 0.0) -> list[Row]:
    """All rows: speed at P ~ 1k and ~ 10k (only 1k when ``quick``), then accuracy at 1k."""
    rows: list[Row] = []
    names = ["1k"] if quick else ["1k", "10k"]
    for name in names:
        problem = make_problem(name, SIZES[name])
        rows.extend(speed_rows(problem, quick=quick, idle_wait=idle_wait))
    rows.extend(accuracy_rows(make_problem("1k", SIZES["1k"]), quick=quick,
                              idle_wait=idle_wait))
    return rows
