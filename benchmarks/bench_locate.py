"""Locating a wrong entry among a million parameters: `checks.locate_gradient_errors`.

Problem: an MLP 1000-900-100-1 (tanh, mean squared error over m = 16 samples as rows,
P = 991,101) in float64, its hand-written gradient with one entry of W1 wrong by a relative
1e-3 and, separately, 1e-6; and the right gradient. Rows:

- ``located``: our evaluations of f and time against a full check's 2P evaluations
  (extrapolated from the measured time of one evaluation: 2e6 evaluations are hours).
  Target (issue 16): the entry located with <= 500 evaluations, >= 100x fewer, for 1e-3 and
  for 1e-6 (the row's target is the 100x; the evaluations are in ``extra``).
- ``torch fast``: ``torch.autograd.gradcheck(fast_mode=True)`` on the same NumPy loss and
  gradient wrapped in a ``torch.autograd.Function``, measured in the same run: it projects
  on one random direction, says pass or fail, and on failure asks for ``fast_mode=False``,
  the full 2P check.

The verdicts and the evaluations are in each row's ``extra``.
"""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import numpy as np

from benchmarks import Row, limit_threads

BENCHMARK = "locate"
SIZES = (1000, 900, 100, 1)
QUICK_SIZES = (200, 400, 50, 1)
M = 16
WRONG = ("W1", (17, 123))


def make_problem(sizes: tuple[int, ...], seed: int = 0) -> tuple[dict[str, np.ndarray], Any,
                                                                   Any]:
    """Parameters, ``f(params)`` and its gradient, samples as rows."""
    rng = np.random.default_rng(seed)
    params = {}
    for l, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):  # noqa: E741
        params[f"W{l}"] = rng.standard_normal((n_in, n_out)) / math.sqrt(n_in)
        params[f"b{l}"] = 0.1 * rng.standard_normal(n_out)
    X = rng.standard_normal((M, sizes[0]))
    Y = rng.standard_normal((M, sizes[-1]))
    L = len(sizes) - 1

    def forward(p: dict[str, np.ndarray]) -> list[np.ndarray]:
        A = [X]
        for l in range(1, L + 1):  # noqa: E741
            Z = A[-1] @ p[f"W{l}"] + p[f"b{l}"]
            A.append(np.tanh(Z) if l < L else Z)
        return A

    def f(p: dict[str, np.ndarray]) -> float:
        return float(0.5 * np.sum((forward(p)[-1] - Y) ** 2) / M)

    def grad(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        A = forward(p)
        dZ = (A[-1] - Y) / M
        g = {}
        for l in range(L, 0, -1):  # noqa: E741
            g[f"W{l}"] = A[l - 1].T @ dZ
            g[f"b{l}"] = dZ.sum(axis=0)
            if l > 1:
                dZ = (dZ @ p[f"W{l}"].T) * (1.0 - A[l - 1] ** 2)
        return g

    return params, f, grad


def _torch_fast(params: dict[str, np.ndarray], f: Any, g: dict[str, np.ndarray]) -> tuple[str,
                                                                                        float]:
    import torch

    names = list(params)

    class Loss(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *ts: Any) -> Any:
            return torch.tensor(f({n: t.detach().numpy() for n, t in zip(names, ts,
                                                                          strict=True)}),
                                dtype=torch.float64)

        @staticmethod
        def backward(ctx: Any, dout: Any) -> Any:
            return tuple(dout * torch.from_numpy(g[n]) for n in names)

    tensors = tuple(torch.tensor(params[n], requires_grad=True) for n in names)
    start = time.perf_counter()
    ok = torch.autograd.gradcheck(Loss.apply, tensors, fast_mode=True, eps=1e-6, atol=1e-5,
                                  rtol=1e-3, raise_exception=False)
    return ("pass" if ok else "fail"), time.perf_counter() - start


def run(*, quick: bool = False, idle_wait: float = 0.0) -> list[Row]:
    """Rows for a 1e-3 and a 1e-6 wrong entry and for the right gradient."""
    from checks.locate import locate_gradient_errors

    del idle_wait
    params, f, grad = make_problem(QUICK_SIZES if quick else SIZES)
    P = sum(v.size for v in params.values())
    calls = [0]

    def counted(p: dict[str, np.ndarray]) -> float:
        calls[0] += 1
        return f(p)

    with limit_threads(1):
        start = time.perf_counter()
        for _ in range(5):
            f(params)
        t_eval = (time.perf_counter() - start) / 5
        right = grad(params)
        rows = []
        for label, rel in (("1e-3", 1e-3), ("1e-6", 1e-6), ("right", 0.0)):
            g = {k: v.copy() for k, v in right.items()}
            g[WRONG[0]][WRONG[1]] *= 1.0 + rel
            calls[0] = 0
            start = time.perf_counter()
            r = locate_gradient_errors(counted, params, g)
            ours_s = time.perf_counter() - start
            found = [(name, tuple(int(i) for i in np.unravel_index(j, r[name].shape)))
                     for name in params
                     for j in np.flatnonzero(r[name].status.ravel() == 1)]
            torch_verdict, torch_s = _torch_fast(params, f, g)
            extra = {"P": f"{P:,}", "ours": f"{r.verdict.value}, located {found}, "
                     f"{calls[0]} evaluations of f", "evaluations <= 500": str(calls[0] <= 500),
                     "torch fast_mode": torch_verdict,
                     "full check": f"{2 * P:,} evaluations, ~{2 * P * t_eval:.0f} s "
                     f"({t_eval * 1e3:.2f} ms each)",
                     "fewer evaluations than a full check": f"{2 * P / max(calls[0], 1):,.0f}x"}
            if rel and r.verdict.value == "pass":
                extra["note"] = ("missed: the error is below what a group test resolves "
                                 "here (see checks.locate); only a full check finds it")
            case = (f"P = {P:,}, one entry wrong by {label}" if rel else
                    f"P = {P:,}, right gradient")
            target = 100.0 if rel else None
            rows.append(Row(BENCHMARK, case, ours_s, "full check (extrapolated)",
                            2 * P * t_eval, target, extra))
            rows.append(Row(BENCHMARK, case, ours_s, "torch gradcheck fast_mode", torch_s,
                            None, {"torch": torch_verdict}))
    return rows
