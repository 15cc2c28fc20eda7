"""Backprop speed of ``numeric`` against torch CPU autograd, and batched against looped losses.

Cases (issue 3, section 4); forward + backward means ``numeric.loss_and_grad`` (the one call
that runs forward then backward, validating its input once) against a torch forward and
``loss.backward()``, both from the same parameters and data, float64 and float32, 1 and 2
threads (the same count on both sides). For the tiny doc000 network, where per-call overhead
is everything, two more ways get rows: ``numeric.Objective`` (X and Y validated once, before
the clock, as the torch side's tensors are made once; the parameters validated at each call)
and ``numeric.forward`` followed by ``numeric.backward`` (the readable pass, which validates
the parameters a second time; no floor):

(a) ``doc000``: the network of document 000, 2-4-1, sigmoid hidden and output, binary
    cross-entropy (mean over m), 300 samples, ``layout="columns"``.
(b) ``mlp``: [64, 256, 256, 10], ReLU hidden, softmax + categorical cross-entropy (mean over
    m), batch 512, in both layouts. The matmul FLOP count and the implied GFLOP/s of both
    sides are printed next to the times.
(c) ``batched``: the loss of K = 64 parameter vectors of the doc000 network in one
    ``numeric.batched_loss`` call against 64 ``numeric.forward`` calls (on parameter dicts
    built before the clock starts).

There are no speed targets against the peers (issue 15 retired the 4x, 1x and 10x of issue
3: on one machine NumPy's own floor filled them, on another most were met). The rule is
relative: a change to ``numeric`` must not make any row slower than the main branch's, run
side by side on the same machine (docs/performance.md keeps those comparisons). What each
row states instead is how close it is to what the machine allows: ``ours / floor``, against
a probe timed in the same run. Below about 1.3x of its floor a row has nothing left to win.
The probes: for (a), a bare forward + backward, the engine's NumPy calls without any check
(`doc000_floor`); for (b), the pass's eight matrix products alone, in NumPy (its bundled BLAS)
and in torch (`gemm_floor`); for (c), the NumPy calls that no stacked loss of the doc000
network avoids (`stacked_floor`).

Before any timing, each case checks that both sides compute the same loss and gradients:
a benchmark of wrong code measures nothing. Each library runs in its own block (see
``benchmarks.paired_medians``); blocks alternate and the figures are medians.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks import (
    OtherLoad,
    Paired,
    Row,
    format_seconds,
    limit_threads,
    measure_other_load,
    median_time,
    paired_medians,
    thread_scaling,
)

BENCHMARK = "backprop"
THREADS = (1, 2)
DTYPES = (np.float64, np.float32)
# Agreement of our gradients with torch's before timing (relative to the largest entry).
RTOL = {np.float64: 1e-9, np.float32: 1e-4}

DOC000_SIZES = (2, 4, 1)
DOC000_M = 300
MLP_SIZES = (64, 256, 256, 10)
MLP_M = 512
BATCH_K = 64


@dataclass(frozen=True)
class Problem:
    """One network with its parameters and data, as numeric takes them."""

    name: str
    net: Any  # numeric.MLP
    params: dict[str, np.ndarray]
    X: np.ndarray
    Y: np.ndarray


def mlp_flops(sizes: Sequence[int], m: int) -> int:
    """Matmul FLOPs of one forward + backward pass (multiply and add counted as 2).

    Forward ``Z_l = W_l A_{l-1}``: ``2 m n_l n_{l-1}`` per layer; backward ``dW_l``: the same
    again per layer, and ``dA_{l-1} = W_l^T dZ_l``: the same for every layer but the first
    (no gradient with respect to the data). Element-wise work is left out (it is O(m n_l)).
    """
    per_layer = [2 * m * n_in * n_out for n_in, n_out in itertools.pairwise(sizes)]
    return 2 * sum(per_layer) + sum(per_layer[1:])


def mlp_products(
    sizes: Sequence[int], m: int, layout: str, dtype: type, rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The matrix products of one forward + backward pass, as (left, right) operand pairs.

    In the textbook form of ``layout``, transposes as views: ``"columns"`` (seeds 000, 003)
    Z = W A, dW = dZ A^T, dA = W^T dZ; ``"rows"`` (seed 002) Z = A W, dW = A^T dZ,
    dA = dZ W^T; no dA for the first layer, as in `mlp_flops`. Entries are standard normal.
    """
    def r(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(dtype)

    cols = layout == "columns"
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        if cols:
            W, A, dZ = r(n_out, n_in), r(n_in, m), r(n_out, m)
            pairs += [(W, A), (dZ, A.T)] + ([(W.T, dZ)] if layer > 1 else [])
        else:
            W, A, dZ = r(n_in, n_out), r(m, n_in), r(m, n_out)
            pairs += [(A, W), (A.T, dZ)] + ([(dZ, W.T)] if layer > 1 else [])
    return pairs


def gemm_floor(sizes: Sequence[int], m: int, layout: str, dtype: type, threads: int, *,
               quick: bool, idle_wait: float = 0.0) -> tuple[Paired, int]:
    """NumPy's and torch's time for the products of `mlp_products` alone, and their count.

    Both sides multiply the same arrays (torch through ``torch.from_numpy``, transposes as
    strided views, as NumPy passes them to its BLAS), in alternating blocks at ``threads``
    threads: the libraries' BLAS, with nothing else of a pass around it.
    """
    import torch

    pairs = mlp_products(sizes, m, layout, dtype, np.random.default_rng(0))
    t_pairs = [(torch.from_numpy(a), torch.from_numpy(b)) for a, b in pairs]

    def numpy_products() -> list[Any]:
        return [a @ b for a, b in pairs]

    def torch_products() -> list[Any]:
        return [a @ b for a, b in t_pairs]

    paired, _ = _paired(numpy_products, torch_products, threads, quick=quick,
                        idle_wait=idle_wait)
    return paired, len(pairs)


def doc000_floor(problem: Problem, threads: int) -> float:
    """Seconds a bare forward + backward of the doc000 network takes: its NumPy calls alone.

    The engine's steps in its augmented layout (see ``numeric.engine``) written out for 2-n-1,
    sigmoid hidden, sigmoid + BCE output, columns, on preallocated buffers: the parameters copied
    into [W b] blocks, two GEMMs and the sigmoid forward, the fused BCE with its gradient,
    three GEMMs and the sigmoid derivative backward. Nothing else: no check of the
    parameters' types, shapes or finiteness, no ``np.errstate``, no dict of results. Its
    loss and gradients are compared with ``numeric.loss_and_grad``'s before it is timed.
    """
    import numeric

    W1, b1, W2, b2 = (problem.params[k] for k in ("W1", "b1", "W2", "b2"))
    X, Y = problem.X, problem.Y
    dtype, (n_in, m), n_h = X.dtype, X.shape, W1.shape[0]

    def buf(*shape: int) -> np.ndarray:
        return np.empty(shape, dtype=dtype)

    H0, H1 = np.ones((n_in + 1, m), dtype), np.ones((n_h + 1, m), dtype)  # [X; 1], [A1; 1]
    H0[:n_in] = X
    Wb1, Wb2 = buf(n_h, n_in + 1), buf(1, n_h + 1)
    D, dA, B, S, tmp = buf(n_h, m), buf(n_h, m), buf(2, 1, m), buf(1, m), buf(1, m)
    U, T, ones = B[0], B[1], np.ones(m, dtype)
    scale, one, zero = (np.array(v, dtype) for v in (1 / m, 1, 0))

    def steps() -> tuple[Any, tuple[np.ndarray, np.ndarray]]:
        Wb1[:, :n_in], Wb1[:, n_in:], Wb2[:, :n_h], Wb2[:, n_h:] = W1, b1, W2, b2
        A1 = np.dot(Wb1, H0, out=H1[:n_h])
        np.exp(A1, out=A1)  # sigmoid(Z) = e^Z / (1 + e^Z); no Z here comes near overflow
        np.add(A1, one, out=D)
        np.divide(A1, D, out=A1)
        Z = np.dot(Wb2, H1)
        np.minimum(Z, zero, out=U)  # BCE from logits and dZ = sigmoid(Z) - Y, as numeric's
        np.subtract(Z, U, out=S)
        np.subtract(U, S, out=T)
        np.exp(B, out=B)
        np.subtract(S, np.multiply(Y, Z, out=tmp), out=S)
        np.add(S, np.log1p(T, out=tmp), out=S)
        loss = np.dot(S[0], ones) * scale
        np.add(T, one, out=T)
        np.divide(U, T, out=U)
        np.subtract(U, Y, out=U)
        np.multiply(U, scale, out=U)
        G2 = np.dot(U, H1.T)
        np.dot(Wb2[:, :n_h].T, U, out=dA)
        np.multiply(dA, A1, out=dA)
        np.divide(dA, D, out=dA)
        return loss, (np.dot(dA, H0.T), G2)

    loss, (G1, G2) = steps()
    ref_loss, ref = numeric.loss_and_grad(problem.net, problem.params, X, Y)
    got = {"W1": G1[:, :n_in], "b1": G1[:, n_in:], "W2": G2[:, :n_h], "b2": G2[:, n_h:]}
    _check_agree("doc000_floor", dtype.type, (loss, got), (float(ref_loss), ref))
    with limit_threads(threads):
        return median_time(steps, repeat=7)


def stacked_floor(dtype: type, threads: int, *, K: int = BATCH_K, m: int = DOC000_M) -> float:
    """Seconds a call of the NumPy steps no stacked doc000 loss (2-n-1, sigmoid, BCE) avoids.

    On preallocated arrays, in place, with no validation: the hidden layer's GEMM (bias
    inside, as [W b] [X; 1]) and its sigmoid 1 / (1 + exp(-Z)) as an exp, an add and a
    division over K n m entries; the output GEMM; the BCE's exp and log1p over K m entries.
    `batched_versus_loop` states its row's time over this.
    """
    n_in, n_hidden, n_out = DOC000_SIZES
    rng = np.random.default_rng(0)
    Wb = rng.standard_normal((K * n_hidden, n_in + 1)).astype(dtype)
    H = rng.standard_normal((n_in + 1, m)).astype(dtype)
    W_out = rng.standard_normal((K, n_out, n_hidden)).astype(dtype)
    E = np.empty((K * n_hidden, m), dtype=dtype)
    Z_out = np.empty((K, n_out, m), dtype=dtype)
    T = np.empty_like(Z_out)

    def steps() -> None:
        np.matmul(Wb, H, out=E)
        np.exp(E, out=E)
        np.add(E, 1.0, out=E)
        np.divide(1.0, E, out=E)
        np.matmul(W_out, E.reshape(K, n_hidden, m), out=Z_out)
        np.exp(Z_out, out=T)
        np.log1p(T, out=T)

    with limit_threads(threads), np.errstate(over="ignore"):
        return median_time(steps, repeat=7)


def _params(
    sizes: Sequence[int], layout: str, dtype: type, rng: np.random.Generator, *, gain: float
) -> dict[str, np.ndarray]:
    """Parameters named ``W1, b1, ...`` with the shapes of docs/design.md for ``layout``."""
    params: dict[str, np.ndarray] = {}
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        W = rng.standard_normal((n_out, n_in)) * np.sqrt(gain / n_in)
        b = 0.1 * rng.standard_normal((n_out, 1))
        if layout == "rows":
            W, b = W.T, b.T
        params[f"W{layer}"] = np.ascontiguousarray(W, dtype=dtype)
        params[f"b{layer}"] = np.ascontiguousarray(b, dtype=dtype)
    return params


def doc000_problem(dtype: type, rng: np.random.Generator) -> Problem:
    """Document 000: 2-4-1, sigmoid/BCE, 300 samples as columns, labels 0/1 of shape (1, m)."""
    import numeric

    net = numeric.MLP(DOC000_SIZES, hidden="sigmoid", output="sigmoid", loss="bce",
                      layout="columns", reduction="mean")
    X = rng.standard_normal((DOC000_SIZES[0], DOC000_M)).astype(dtype)
    Y = (X[0:1] * X[1:2] > 0).astype(dtype)  # an XOR-like 2-class set
    return Problem("doc000 2-4-1", net, _params(DOC000_SIZES, "columns", dtype, rng, gain=1.0),
                   X, Y)


def mlp_problem(dtype: type, layout: str, rng: np.random.Generator) -> Problem:
    """[64, 256, 256, 10], ReLU, softmax + CE over integer labels (m,), batch 512."""
    import numeric

    net = numeric.MLP(MLP_SIZES, hidden="relu", output="softmax", loss="ce",
                      layout=layout, reduction="mean")
    X = rng.standard_normal((MLP_SIZES[0], MLP_M)).astype(dtype)
    if layout == "rows":
        X = np.ascontiguousarray(X.T)
    Y = rng.integers(0, MLP_SIZES[-1], size=MLP_M)
    name = f"mlp 64-256-256-10 {layout}"
    return Problem(name, net, _params(MLP_SIZES, layout, dtype, rng, gain=2.0), X, Y)


# --- the torch reference: the same networks, written with torch ops -------------------------


def torch_step(problem: Problem) -> tuple[Callable[[], Any], Callable[[], tuple[float, dict]]]:
    """A torch forward + ``loss.backward()`` of ``problem``'s network, and a result getter.

    Returns ``(step, result)``: ``step()`` runs one forward and backward pass (clearing the
    gradients first, as ``optimizer.zero_grad(set_to_none=True)`` does); ``result()`` runs
    one and returns the loss and the gradients as NumPy arrays keyed like the parameters.
    """
    import torch
    import torch.nn.functional as F

    net = problem.net
    columns = net.layout == "columns"
    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in problem.params.items()}
    X = torch.from_numpy(problem.X.copy())
    Y = torch.from_numpy(problem.Y.copy())
    n_layers = len(net.sizes) - 1
    names = (net.hidden,) * (n_layers - 1) if isinstance(net.hidden, str) else tuple(net.hidden)
    ops = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh}
    hidden = [ops[name] for name in names]  # numeric may keep one name per hidden layer

    def loss_fn() -> torch.Tensor:
        A = X
        for layer in range(1, n_layers + 1):
            W, b = leaves[f"W{layer}"], leaves[f"b{layer}"]
            Z = torch.addmm(b, W, A) if columns else torch.addmm(b, A, W)
            if layer < n_layers:
                A = hidden[layer - 1](Z)
        if net.loss == "bce":  # sigmoid output fused into the loss, as numeric fuses it
            return F.binary_cross_entropy_with_logits(Z, Y)
        return F.cross_entropy(Z.T if columns else Z, Y)  # softmax output fused likewise

    def step() -> None:
        for p in leaves.values():
            p.grad = None
        loss_fn().backward()

    def result() -> tuple[float, dict[str, np.ndarray]]:
        for p in leaves.values():
            p.grad = None
        loss = loss_fn()
        loss.backward()
        return float(loss.detach()), {k: p.grad.numpy().copy() for k, p in leaves.items()}

    return step, result


def _check_agree(name: str, dtype: type, ours: tuple, theirs: tuple) -> None:
    """Raise if our loss/gradients and the peer's differ beyond ``RTOL[dtype]``."""
    rtol = RTOL[dtype]
    loss, grads = ours
    t_loss, t_grads = theirs
    if not abs(float(loss) - t_loss) <= rtol * max(1.0, abs(t_loss)):
        raise AssertionError(f"{name}: loss {float(loss)!r} differs from torch's {t_loss!r}")
    for key, ref in t_grads.items():
        got = grads[key]
        if got.shape != ref.shape or got.dtype != dtype:
            raise AssertionError(
                f"{name}: grad {key} has shape {got.shape} dtype {got.dtype}, "
                f"expected {ref.shape} {np.dtype(dtype)}"
            )
        scale = max(float(np.max(np.abs(ref))), np.finfo(dtype).tiny)
        err = float(np.max(np.abs(got - ref))) / scale
        if err > rtol:
            raise AssertionError(f"{name}: grad {key} differs from torch's by {err:.2g} > {rtol}")


def n_samples(problem: Problem) -> int:
    """m, the batch size of ``problem`` in its layout."""
    return problem.X.shape[1] if problem.net.layout == "columns" else problem.X.shape[0]


def _dtype_name(dtype: type) -> str:
    return "f64" if dtype is np.float64 else "f32"


def _paired(ours: Callable[[], Any], peer: Callable[[], Any], threads: int, *, quick: bool,
            idle_wait: float) -> tuple[Paired, OtherLoad]:
    """Both sides timed in alternating blocks at ``threads`` threads, and the others' load."""
    timing = ({"rounds": 1, "repeat": 3, "cooldown": 0.05} if quick
              else {"rounds": 5, "repeat": 5, "cooldown": 0.25})
    with measure_other_load() as other:
        paired = paired_medians(ours, peer, ours_setup=lambda: limit_threads(threads),
                                peer_setup=lambda: limit_threads(threads),
                                idle_wait=idle_wait, **timing)
    return paired, other


def _ours_fn(problem: Problem, api: str) -> Callable[[], tuple[Any, dict[str, np.ndarray]]]:
    """Our forward + backward through ``api``: one ``loss_and_grad`` call, or the two calls."""
    import numeric

    net, params, X, Y = problem.net, problem.params, problem.X, problem.Y
    if api == "loss_and_grad":
        return lambda: numeric.loss_and_grad(net, params, X, Y)
    if api == "Objective":  # the data validated once, before the clock, as torch's tensors
        return functools.partial(numeric.Objective(net, X, Y), params)

    def two_calls() -> tuple[Any, dict[str, np.ndarray]]:
        loss, cache = numeric.forward(net, params, X, Y)
        return loss, numeric.backward(net, params, cache)

    return two_calls


def _describe(extra: dict[str, Any], paired: Paired, other: OtherLoad, threads: int) -> None:
    """Add the spread, the other processes' load and, for 1 thread, the CPU-time ratio."""
    extra["spread"] = paired.spread()
    extra["other processes"] = str(other)
    if threads > 1:  # right after the blocks: did this guest give us the cores meanwhile?
        extra[f"machine's {threads}-thread GEMM speedup"] = f"{thread_scaling(threads):.2f}x"
    if threads > 1 and other.fraction is not None and other.fraction > 0.25:
        extra["warning"] = (
            "other processes held the cores: threads spinning for a busy core measure the "
            "contention, not the library; rerun on a quiet machine (--idle-wait)"
        )
    if threads == 1:  # CPU time of one thread leaves out the waits for a busy core
        extra["CPU-time speedup"] = (
            f"{paired.peer_cpu_s / paired.ours_cpu_s:.2f}x "
            f"(ours {format_seconds(paired.ours_cpu_s)}, peer {format_seconds(paired.peer_cpu_s)})"
        )


def versus_torch(problem: Problem, dtype: type, threads: int, *, floor: bool, quick: bool,
                 idle_wait: float = 0.0, api: str = "loss_and_grad",
                 flops: int | None = None) -> Row:
    """One row: numeric's forward + backward against torch's, at ``threads`` threads.

    ``api`` is ``"loss_and_grad"`` (one call, inputs validated once), ``"Objective"`` (an
    ``Objective`` made before the clock starts: X and Y validated once for all calls, the
    parameters at each) or ``"forward+backward"`` (``forward`` then ``backward``, which
    validates the parameters again). With ``floor``, the row states ours / floor: against
    `gemm_floor` for a row with ``flops`` (the [64, 256, 256, 10] network), else against
    `doc000_floor`.
    """
    ours = _ours_fn(problem, api)
    torch_fn, torch_result = torch_step(problem)
    with limit_threads(threads):
        _check_agree(problem.name, dtype, ours(), torch_result())
    paired, other = _paired(ours, torch_fn, threads, quick=quick, idle_wait=idle_wait)
    extra: dict[str, Any] = {}
    if flops is not None:
        extra["matmul FLOPs/call"] = f"{flops / 1e6:.1f} M"
        extra["GFLOP/s"] = (f"ours {flops / paired.ours_s / 1e9:.1f}, "
                            f"torch {flops / paired.peer_s / 1e9:.1f}")
    _describe(extra, paired, other, threads)
    if floor and flops is not None:
        net = problem.net
        gemms, count = gemm_floor(net.sizes, n_samples(problem), net.layout, dtype, threads,
                                  quick=quick, idle_wait=idle_wait)
        extra["GEMMs alone"] = (
            f"numpy {format_seconds(gemms.ours_s)}, torch {format_seconds(gemms.peer_s)} "
            f"({count} products; numpy's take {gemms.ours_s / paired.peer_s:.0%} of torch's "
            f"whole pass)"
        )
        extra["ours / floor"] = _over_floor(paired.ours_s, gemms.ours_s, "numpy's GEMMs alone")
    elif floor:
        extra["ours / floor"] = _over_floor(
            paired.ours_s, doc000_floor(problem, threads),
            "the NumPy calls of a bare pass, no checks, no errstate")
    return Row(BENCHMARK, f"{problem.name} {_dtype_name(dtype)} {threads}thr {api}",
               paired.ours_s, "torch 2 autograd", paired.peer_s, None, extra)


def _over_floor(ours_s: float, floor_s: float, what: str) -> str:
    """``ours / floor`` as the rows print it."""
    return f"{ours_s / floor_s:.2f}x (floor {format_seconds(floor_s)}: {what})"


def batched_versus_loop(dtype: type, threads: int, rng: np.random.Generator, *,
                        quick: bool, idle_wait: float = 0.0) -> Row:
    """One row: ``batched_loss`` over K parameter vectors against K ``forward`` calls."""
    import numeric

    problem = doc000_problem(dtype, rng)
    net, X, Y = problem.net, problem.X, problem.Y
    theta = numeric.flatten_params(problem.params)
    thetas = (theta + 1e-3 * rng.standard_normal((BATCH_K, theta.size))).astype(dtype)
    dicts = [numeric.unflatten_params(t, like=problem.params) for t in thetas]

    def ours() -> np.ndarray:
        return numeric.batched_loss(net, thetas, X, Y)

    def loop() -> list[float]:
        return [numeric.forward(net, p, X, Y)[0] for p in dicts]

    with limit_threads(threads):
        got, ref = ours(), np.array(loop(), dtype=np.float64)
    if got.shape != (BATCH_K,) or not np.allclose(got, ref, rtol=RTOL[dtype], atol=0.0):
        raise AssertionError(f"batched_loss disagrees with {BATCH_K} forward calls: "
                             f"max |diff| {np.max(np.abs(got - ref)):.3g}")
    paired, other = _paired(ours, loop, threads, quick=quick, idle_wait=idle_wait)
    extra: dict[str, Any] = {}
    _describe(extra, paired, other, threads)
    extra["ours / floor"] = _over_floor(
        paired.ours_s, stacked_floor(dtype, threads),
        "the GEMMs, exp, add and divide of the hidden sigmoid and the loss's exp and log1p")
    return Row(BENCHMARK, f"doc000 K={BATCH_K} {_dtype_name(dtype)} {threads}thr batched_loss",
               paired.ours_s, f"{BATCH_K} x numeric.forward", paired.peer_s, None, extra)


def run(*, quick: bool = False, idle_wait: float = 0.0) -> list[Row]:
    """All cases of this benchmark (see the module docstring).

    ``quick``: one block of few repeats per side (a smoke run); ``idle_wait``: seconds to wait
    for a quiet machine before each block (see ``benchmarks.paired_medians``).
    """
    import torch  # noqa: F401  (imported before limit_threads so its pool is limited too)

    rng = np.random.default_rng(20260)
    rows: list[Row] = []
    for dtype in DTYPES:
        for threads in THREADS:
            problem = doc000_problem(dtype, rng)
            for api in ("loss_and_grad", "Objective"):
                rows.append(versus_torch(problem, dtype, threads, floor=True, quick=quick,
                                         idle_wait=idle_wait, api=api))
            rows.append(versus_torch(problem, dtype, threads, floor=False, quick=quick,
                                     idle_wait=idle_wait, api="forward+backward"))
    for layout in ("columns", "rows"):
        for dtype in DTYPES:
            for threads in THREADS:
                rows.append(versus_torch(mlp_problem(dtype, layout, rng), dtype, threads,
                                         floor=True, quick=quick, idle_wait=idle_wait,
                                         flops=mlp_flops(MLP_SIZES, MLP_M)))
    for dtype in DTYPES:
        for threads in THREADS:
            rows.append(batched_versus_loop(dtype, threads, rng, quick=quick,
                                            idle_wait=idle_wait))
    return rows
