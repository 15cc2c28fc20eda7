"""The layer catalogue against peers: verdicts and time of each checker on the same layers.

Every case of `checks.layer_catalogue` (CS231n-style NumPy ``forward``/``backward`` pairs,
wrong and right) is checked by:

- ours: `checks.check_layer` with default settings (a case counts as caught when it fails,
  as a false alarm when a correct one fails; "inconclusive" at a kink is not a failure);
- CS231n: ``eval_numerical_gradient_array`` (central differences, h = 1e-5) for each
  float-array input with one random upstream gradient, and the course's ``rel_error`` =
  max |a - n| / max(1e-8, |a| + |n|); "pass" below 1e-7, the line the assignments draw;
- torch: ``torch.autograd.gradcheck`` (float64, eps 1e-6, atol 1e-5, rtol 1e-3, slow mode)
  on the same NumPy layer wrapped in a ``torch.autograd.Function`` (forward and backward call
  the NumPy code), which is how a user checks a NumPy layer with torch.

- jax: ``jax.test_util.check_vjp`` (its defaults: eps 1e-4, atol = rtol = 1e-5 in float64)
  with ``f`` the NumPy forward and ``f_vjp`` returning the NumPy backward as the VJP: it
  compares ``<t, vjp(c)>`` with ``<jvp_fd(t), c>`` for one random tangent t and cotangent c,
  and needs nothing traced, so it checks a NumPy layer as it is. jax is optional (``pip
  install '.[peers]'``); without it the rows say "jax check_vjp: not installed".

One row per peer: the catalogue's total time, ours against the peer's, with the verdicts of
every case in the row's ``extra``. One thread.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks import Row, limit_threads

BENCHMARK = "layers"
CS231N_H = 1e-5
CS231N_PASS = 1e-7


def _floats(args: tuple[Any, ...]) -> list[int]:
    return [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def _grads_list(grads: Any) -> list[Any]:
    return list(grads) if isinstance(grads, tuple | list) else [grads]


# ---------------------------------------------------------------------------------------------
# The checkers, each returning "pass", "fail" or "inconclusive" (or "error: ...")
# ---------------------------------------------------------------------------------------------


def ours(case: Any) -> str:
    """`checks.check_layer` with default settings."""
    from checks import check_layer

    args, named = case.inputs()
    return check_layer(case.forward, case.backward, *args, **named).verdict.value


def eval_numerical_gradient_array(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                                  df: np.ndarray, h: float = CS231N_H) -> np.ndarray:
    """CS231n's numeric gradient of ``sum(f(x) * df)``, in place on ``x`` as the course does."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = f(x).copy()
        x[ix] = old - h
        neg = f(x).copy()
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def rel_error(x: np.ndarray, y: np.ndarray) -> float:
    """CS231n's relative error."""
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def cs231n(case: Any) -> str:
    """The course's check: one random dout, every float input, max relative error."""
    args, named = case.inputs()
    out, cache = case.forward(*copy.deepcopy(args), **named)
    dout = np.random.default_rng(231).normal(size=out.shape)
    grads = _grads_list(case.backward(dout.copy(), cache))
    worst = 0.0
    for k, i in enumerate(_floats(args)):
        def f(x: np.ndarray, i: int = i) -> np.ndarray:
            a = list(copy.deepcopy(args))
            a[i] = x
            return case.forward(*a, **named)[0]

        num = eval_numerical_gradient_array(f, np.array(args[i], copy=True), dout)
        if k >= len(grads) or np.shape(grads[k]) != num.shape:
            return "fail"
        worst = max(worst, rel_error(np.asarray(grads[k], dtype=np.float64), num))
    return "pass" if worst < CS231N_PASS else "fail"


def torch_gradcheck(case: Any) -> str:
    """``torch.autograd.gradcheck`` on the NumPy layer wrapped in an autograd Function."""
    import torch

    args, named = case.inputs()
    idx = _floats(args)

    class Layer(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *tensors: Any) -> Any:
            a = list(copy.deepcopy(args))
            for i, t in zip(idx, tensors, strict=True):
                a[i] = t.detach().numpy().copy()
            out, cache = case.forward(*a, **named)
            ctx.cache = cache
            return torch.from_numpy(np.array(out, dtype=np.float64))

        @staticmethod
        def backward(ctx: Any, dout: Any) -> Any:
            grads = _grads_list(case.backward(dout.detach().numpy().copy(), ctx.cache))
            return tuple(torch.from_numpy(np.array(g, dtype=np.float64)) for g in
                         grads[: len(idx)])

    tensors = tuple(torch.tensor(args[i], dtype=torch.float64, requires_grad=True) for i in idx)
    try:
        ok = torch.autograd.gradcheck(Layer.apply, tensors, eps=1e-6, atol=1e-5, rtol=1e-3,
                                      raise_exception=False)
    except Exception as exc:  # a wrong-shaped gradient: torch raises instead of returning
        return f"error: {type(exc).__name__}"
    return "pass" if ok else "fail"


def jax_check_vjp(case: Any) -> str:
    """``jax.test_util.check_vjp`` on the NumPy layer: forward as f, backward as the VJP."""
    from jax.test_util import check_vjp

    args, named = case.inputs()
    idx = _floats(args)

    def with_inputs(xs: tuple[Any, ...]) -> list[Any]:
        a = list(copy.deepcopy(args))
        for i, x in zip(idx, xs, strict=True):
            a[i] = np.array(x, dtype=np.float64, copy=True)
        return a

    def f(*xs: Any) -> np.ndarray:
        return np.array(case.forward(*with_inputs(xs), **named)[0], dtype=np.float64)

    def f_vjp(*xs: Any) -> tuple[np.ndarray, Callable[[Any], tuple[np.ndarray, ...]]]:
        out, cache = case.forward(*with_inputs(xs), **named)

        def vjp(ct: Any) -> tuple[np.ndarray, ...]:
            grads = _grads_list(case.backward(np.array(ct, copy=True), cache))
            return tuple(np.array(g, dtype=np.float64) for g in grads[: len(idx)])

        return np.array(out, dtype=np.float64), vjp

    try:
        check_vjp(f, f_vjp, tuple(np.array(args[i], dtype=np.float64) for i in idx))
    except AssertionError:
        return "fail"
    except Exception as exc:  # a wrong-shaped or missing gradient breaks its inner product
        return f"error: {type(exc).__name__}"
    return "pass"


def _peers() -> tuple[dict[str, Callable[[Any], str]], dict[str, str]]:
    """The peers that import here, and a note for each that does not."""
    peers: dict[str, Callable[[Any], str]] = {"CS231n rel_error < 1e-7": cs231n}
    missing = {}
    try:
        import torch  # noqa: F401
        peers["torch gradcheck f64"] = torch_gradcheck
    except ImportError:
        missing["torch gradcheck f64"] = "not installed"
    try:
        import jax.test_util  # noqa: F401
        peers["jax check_vjp"] = jax_check_vjp
    except ImportError:
        missing["jax check_vjp"] = "not installed (pip install '.[peers]')"
    return peers, missing


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


def _timed(check: Callable[[Any], str], case: Any) -> tuple[str, float]:
    start = time.perf_counter()
    verdict = check(case)
    return verdict, time.perf_counter() - start


def _score(cases: list[Any], verdicts: list[str]) -> dict[str, int]:
    caught = sum(not c.correct and v != "pass" and v != "inconclusive"
                 for c, v in zip(cases, verdicts, strict=True))
    alarms = sum(c.correct and v not in ("pass", "inconclusive")
                 for c, v in zip(cases, verdicts, strict=True))
    return {"caught": caught, "missed": sum(not c.correct for c in cases) - caught,
            "false alarms": alarms}


def run(*, quick: bool = False, idle_wait: float = 0.0) -> list[Row]:
    """One row per peer: the whole catalogue's time and verdicts, ours against theirs."""
    from checks import layer_catalogue as lc

    del idle_wait  # one pass over the catalogue; nothing to pair block by block
    cases = list(lc.CASES[:6] + lc.WRONG[:6]) if quick else list(lc.CASES)
    peers, missing = _peers()
    with limit_threads(1):
        mine = [_timed(ours, c) for c in cases]
        theirs = {name: [_timed(fn, c) for c in cases] for name, fn in peers.items()}
    ours_s = sum(t for _, t in mine)
    ours_score = _score(cases, [v for v, _ in mine])
    rows = []
    for name, results in theirs.items():
        score = _score(cases, [v for v, _ in results])
        extra: dict[str, Any] = {
            "cases": f"{sum(not c.correct for c in cases)} wrong, {sum(c.correct for c in cases)}"
                     " correct",
            "ours": ", ".join(f"{k} {v}" for k, v in ours_score.items()),
            "peer": ", ".join(f"{k} {v}" for k, v in score.items()),
            **missing,
        }
        for c, (v_ours, _), (v_peer, _) in zip(cases, mine, results, strict=True):
            extra[c.name] = f"{'right' if c.correct else 'wrong'}: ours {v_ours}, peer {v_peer}"
        rows.append(Row(BENCHMARK, f"layer catalogue ({len(cases)} cases)", ours_s, name,
                        sum(t for _, t in results), None, extra))
    return rows
