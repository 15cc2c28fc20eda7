"""The engine: forward + backward in place, in the buffers of a `Workspace`; stacked losses.

A pass is, per layer, the affine map and the activation's in-place forward (``forward_``);
at the output the loss's fused value and gradient from the logits (``value_and_grad``), or
the output activation, the loss's ``value`` and ``grad`` and the activation's ``backward_``;
then, per layer down, the parameter gradients, the input gradient and the activation's
``backward_``. Every formula is an `Activation`'s or a `Loss`'s method; this module only
decides where the arrays live. That decision is the workspace's layout:

- ``augmented`` (small passes: m times the widest layer below ``AUGMENTED_MAX``): the pass
  runs in the columns orientation and layer l's weights and bias sit side by side in one
  matrix [W_l b_l] that multiplies [A_{l-1}; 1], so the bias add and the bias gradient
  happen inside the GEMMs (``[dW_l db_l] = dZ_l [A_{l-1}; 1]^T``); one finiteness test
  covers the copied parameters and X. Below ~10^4 entries a layer's NumPy calls cost more
  than their arithmetic, and this layout makes fewer of them.
- ``rows`` (large passes): the pass runs in the rows orientation, Z = A W + b, a columns
  network through transposed views of its arrays (no copies; BLAS reads them with its
  transpose flags), with its gradients computed as dW = dZ^T A_prev, C-ordered in the
  columns shapes. The hidden activations, their derivatives' inputs and the fused loss's
  intermediates live in buffers kept from call to call: fresh arrays of that size cost a
  page fault per 4 KiB wherever the allocator returns freed memory to the system.

Each thread keeps its last workspaces (`thread_workspace`); the buffers never leak into a
result: losses and gradients are always new arrays. The stacked losses (`loss`, K parameter
sets along a leading axis, for gradient checkers) run the same objects' in-place forms.

Everything here assumes validated input and runs inside the caller's
``np.errstate(invalid="ignore")`` (see ``numeric.mlp._BLAS_NOTE``).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

from numeric._types import FloatArray, class_axis
from numeric.layers import affine
from numeric.losses import reduction_scale
from numeric.mlp import MLP, Params, Plan, plan_of

# Below this many entries (m times the widest layer) a pass runs in the augmented layout.
AUGMENTED_MAX = 1 << 15


class Workspace:
    """The buffers of one pass of a network over m samples in one dtype.

    Parameters
    ----------
    plan : Plan
        ``numeric.mlp.plan_of(net)``.
    m : int
        Samples.
    dtype : numpy.dtype
        float32 or float64.
    X : ndarray or None
        Validated input in the net's layout and ``dtype``, loaded once for all calls (an
        `numeric.Objective`'s data); None leaves it to `load_input` at each call.

    Attributes
    ----------
    augmented : bool
        The layout: bias inside the GEMM, columns orientation (see the module docstring);
        False is the rows orientation with separate bias.
    A : list of ndarray
        ``A[0]`` the input, ``A[l]`` layer l's Z and then, in place, its activation.
    aux : tuple of ndarray or None
        Per layer what the activation's ``backward_`` needs (sigmoid's 1 + e^Z).
    dA : tuple of ndarray or None
        Per hidden layer dL/dA_l, then dZ_l in place.
    work : tuple of ndarray or None
        The fused loss's intermediates (`numeric.losses.Loss.work`).
    scale : ndarray, shape ()
        The loss's reduction factor for m samples, in the dtype.
    axis : int
        The class axis in the computed orientation.

    Notes
    -----
    The augmented layout adds ``store`` (the [W_l b_l] of every layer, followed by [X; 1]
    unless ``X`` was given), ``Wb`` (its per-layer views), ``blocks`` (per layer the W and b
    parts of ``Wb``), ``H`` ([A_l; 1] per layer, rows of ones written once) and the pass's
    operands per layer bound once (``forward_steps``, ``output_step``, ``backward_steps``:
    buffers and the activation objects' bound methods, so that a small pass spends its time
    in NumPy rather than in looking them up). The rows layout adds ``W`` and ``b``: per
    layer views of the parameters in the rows orientation, set by each load.
    """

    def __init__(self, plan: Plan, m: int, dtype: np.dtype, *, X: FloatArray | None = None):
        net, sizes = plan.net, plan.net.sizes
        self.plan, self.net, self.m, self.dtype = plan, net, m, dtype
        self.rows_net = net.layout == "rows"
        self.augmented = m * plan.widest < AUGMENTED_MAX
        self._X = X
        cols = self.augmented  # the orientation computed in

        def shape(n: int) -> tuple[int, int]:
            return (n, m) if cols else (m, n)

        self.axis = -2 if cols else -1
        self.slope = net.leaky_slope
        out = shape(sizes[-1])
        self.scale = np.array(
            reduction_scale(out, net.reduction, "columns" if cols else "rows"), dtype=dtype
        )
        self.work = plan.loss.work(out, dtype) if plan.fused else None
        L = len(sizes) - 1
        self.aux = (None, *(
            np.empty(shape(n), dtype=dtype) if act.keeps and (l < L or not plan.fused) else None
            for l, (n, act) in enumerate(zip(sizes[1:], plan.acts, strict=True), start=1)  # noqa: E741
        ))
        self.dA = (None, *(np.empty(shape(n), dtype=dtype) for n in sizes[1:-1]), None)
        if self.augmented:
            self._augmented_buffers()
        else:
            self.A = [None, *(np.empty(shape(n), dtype=dtype) for n in sizes[1:])]
            self.W: list[Any] = [None] * L
            self.b: list[Any] = [None] * L
            self.store = None
        # Per layer what loading reads: the keys, their shapes and, in the augmented layout,
        # the blocks of [W b] seen in the net's orientation (seed 002's w (n_in, n_out) is
        # W^T of the columns layout: its block is the transposed view), so that loading is
        # one plain copy per array.
        dst = self.blocks if self.augmented else ((None, None),) * L
        if self.rows_net:
            dst = tuple((W, b) if W is None else (W.T, b.T) for W, b in dst)
        self._load = tuple(
            (W_key, b_key, plan.shapes[W_key], plan.shapes[b_key], W_dst, b_dst, l)
            for l, ((W_key, b_key), (W_dst, b_dst)) in enumerate(zip(plan.keys, dst, strict=True))  # noqa: E741
        )
        if X is not None:
            self.load_input(X)

    def _augmented_buffers(self) -> None:
        sizes, m, dtype, X = self.net.sizes, self.m, self.dtype, self._X
        n_aug = [n_out * (n_in + 1) for n_in, n_out in itertools.pairwise(sizes)]
        n_x = (sizes[0] + 1) * m if X is None else 0
        store = np.empty(sum(n_aug) + n_x, dtype=dtype)
        Wb, offset = [], 0
        for (n_in, n_out), size in zip(itertools.pairwise(sizes), n_aug, strict=True):
            Wb.append(store[offset : offset + size].reshape(n_out, n_in + 1))
            offset += size
        H_0 = store[offset:].reshape(sizes[0] + 1, m) if X is None else np.empty(
            (sizes[0] + 1, m), dtype=dtype)
        H = [H_0, *(np.empty((n + 1, m), dtype=dtype) for n in sizes[1:-1])]
        for h in H:
            h[-1] = 1.0
        self.store, self.Wb, self.H = store, tuple(Wb), tuple(H)
        self.blocks = tuple((w[:, :-1], w[:, -1:]) for w in Wb)
        self.A = [*(h[:-1] for h in H), np.empty((sizes[-1], m), dtype=dtype)]
        # The pass's operands per layer, bound once (a small pass is mostly per-call cost):
        # forward, Z_l = [W_l b_l] [A_{l-1}; 1] into A[l], then the activation's forward_;
        # backward, from layer L down, [dW_l db_l] from [A_{l-1}; 1], and dA_{l-1} = W_l^T dZ_l
        # into dA[l - 1] with the activation's backward_ (None at layer 1: no input gradient).
        plan, L = self.plan, len(sizes) - 1
        self.forward_steps = tuple(
            (Wb[l - 1], H[l - 1], self.A[l], plan.acts[l - 1].forward_, self.aux[l])
            for l in range(1, L)  # noqa: E741
        )
        self.output_step = (Wb[L - 1], H[L - 1], self.A[L])
        self.backward_steps = tuple(
            (2 * l - 2, H[l - 1], sizes[l - 1], *(
                (None,) * 5 if l == 1 else (self.blocks[l - 1][0].T, self.dA[l - 1],
                                            plan.acts[l - 2].backward_, self.A[l - 1],
                                            self.aux[l - 1])))
            for l in range(L, 0, -1)  # noqa: E741
        )

    def load_checked(self, params: Any) -> bool:
        """Load ``params`` if it is exactly right; False (workspace unspecified) if not.

        Exactly right: a dict with the net's keys, each an ndarray of the workspace's dtype
        and the key's shape -- what a training loop passes every time. Anything else is for
        `numeric.mlp.check_params` to convert or to explain. Finiteness is not tested here.
        """
        dtype = self.dtype
        if type(params) is not dict or params.keys() != self.plan.shapes.keys():
            return False
        for W_key, b_key, W_shape, b_shape, W_dst, b_dst, l in self._load:  # noqa: E741
            W, b = params[W_key], params[b_key]
            if (type(W) is not np.ndarray or type(b) is not np.ndarray or W.dtype != dtype
                    or b.dtype != dtype or W.shape != W_shape or b.shape != b_shape):
                return False
            if W_dst is None:
                self._view(l, W, b)
            else:
                W_dst[...] = W
                b_dst[...] = b
        return True

    def load_params(self, params: Mapping[str, FloatArray]) -> None:
        """Load validated parameters (the net's keys and shapes, the workspace's dtype)."""
        for W_key, b_key, _, _, W_dst, b_dst, l in self._load:  # noqa: E741
            if W_dst is None:
                self._view(l, params[W_key], params[b_key])
            else:
                W_dst[...] = params[W_key]
                b_dst[...] = params[b_key]

    def _view(self, l: int, W: FloatArray, b: FloatArray) -> None:  # noqa: E741
        """Layer l's parameters kept as views in the rows orientation (the rows layout)."""
        self.W[l], self.b[l] = (W, b) if self.rows_net else (W.T, b.T)

    def load_input(self, X: FloatArray) -> None:
        """Load X (validated, any float dtype; in the net's layout)."""
        if self.augmented:
            self.A[0][...] = X.T if self.rows_net else X
        else:
            self.A[0] = X if self.rows_net else X.T

    def release(self) -> None:
        """Drop the rows layout's views of the caller's arrays (kept: only the own input)."""
        if not self.augmented:
            self.W[:] = self.b[:] = [None] * len(self.W)
            if self._X is None:
                self.A[0] = None

    def finite(self) -> bool:
        """False unless one test shows the loaded parameters and input finite.

        The augmented layout tests its copy of both with one BLAS call (its sum of squares
        is finite only if every entry is; an overflow on finite entries also says False);
        the rows layout always says False. On False the caller runs the exact per-array
        tests, which name the culprit.
        """
        return self.store is not None and math.isfinite(np.vdot(self.store, self.store))

    def targets(self, Y: FloatArray) -> FloatArray:
        """Dense targets in the net's layout, as a view in the computed orientation."""
        return Y.T if self.rows_net == self.augmented else Y


def thread_workspace(net: MLP, m: int, dtype: np.dtype) -> Workspace:
    """The calling thread's workspace for ``net`` over m samples in ``dtype``.

    Each thread keeps the workspaces of its last few (net, m, dtype): building one costs about
    as much as a small pass itself. They hold buffers only, never a result.
    """
    last = getattr(_LOCAL, "last", None)
    if last is not None and last.net is net and last.m == m and last.dtype == dtype:
        return last
    plan = plan_of(net)
    kept = getattr(_LOCAL, "kept", None)
    if kept is None:
        kept = _LOCAL.kept = {}
    key = (plan, m, dtype.char)
    ws = kept.get(key)
    if ws is None:
        if len(kept) >= _KEPT:
            kept.clear()
        ws = kept[key] = Workspace(plan, m, dtype)
    _LOCAL.last = ws
    return ws


_LOCAL = threading.local()
_KEPT = 8


def run(ws: Workspace, Y: FloatArray) -> tuple[FloatArray, Params]:
    """Loss and gradients from the loaded parameters and input, and dense targets.

    Parameters
    ----------
    ws : Workspace
        With parameters and input loaded.
    Y : ndarray
        Dense targets in the computed orientation (`Workspace.targets`).

    Returns
    -------
    loss : numpy float scalar
    grads : dict
        In the net's layout and shapes, new arrays (in the augmented layout each layer's dW
        and db are two views of one new array).
    """
    if not ws.augmented:
        return _run_rows(ws, Y)
    axis, slope = ws.axis, ws.slope
    for Wb, H, Z, forward_, aux in ws.forward_steps:  # hidden layers
        forward_(np.dot(Wb, H, out=Z), aux, axis, slope)  # seed 000's Z = W A + b as [W b] [A; 1]
    Wb, H, Z = ws.output_step
    loss, dZ = _output(ws, np.dot(Wb, H, out=Z), Y)
    grads: list[FloatArray] = [dZ] * len(ws.plan.shapes)
    rows = ws.rows_net
    for i, H, n_in, W_T, dA, backward_, A, aux in ws.backward_steps:  # layer L down to 1
        if rows:  # [dW; db] = [A; 1] dZ^T in seed 002's shapes (n_in, n_out), (1, n_out)
            G = np.dot(H, dZ.T)
            grads[i], grads[i + 1] = G[:n_in], G[n_in:]
        else:  # seed 003's dW = dZ A^T, db = dZ 1 as [dW db] = dZ [A; 1]^T
            G = np.dot(dZ, H.T)
            grads[i], grads[i + 1] = G[:, :n_in], G[:, n_in:]
        if W_T is None:
            break
        dZ = backward_(np.dot(W_T, dZ, out=dA), A, aux, axis, slope)  # seed 003: W^T dZ
    return loss, dict(zip(ws.plan.shapes, grads, strict=True))


def _output(ws: Workspace, Z_L: FloatArray, Y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The loss and dZ_L from the output layer's Z_L (``ws.A[L]``) and the targets."""
    plan, axis = ws.plan, ws.axis
    if plan.fused:  # the loss reads the logits and gives dZ = A - Y (seeds 000, 002)
        return plan.loss.value_and_grad(Z_L, Y, ws.scale, axis, ws.work)
    half, L = ws.net.half, len(plan.acts)
    A_L = plan.acts[-1].forward_(Z_L, ws.aux[L], axis, ws.slope)
    loss = plan.loss.value(A_L, Y, ws.scale, axis=axis, half=half)
    dA = plan.loss.grad(A_L, Y, ws.scale, axis=axis, half=half)
    return loss, plan.acts[-1].backward_(dA, A_L, ws.aux[L], axis, ws.slope)


def _run_rows(ws: Workspace, Y: FloatArray) -> tuple[FloatArray, Params]:
    """`run` in the rows layout: Z = A W + b on views of the caller's parameters."""
    plan, A, W, b, aux = ws.plan, ws.A, ws.W, ws.b, ws.aux
    acts, axis, slope, L = plan.acts, ws.axis, ws.slope, len(plan.acts)
    for l in range(1, L + 1):  # noqa: E741 -- layer l
        Z = np.dot(A[l - 1], W[l - 1], out=A[l])  # seed 002: z = X w + b
        np.add(Z, b[l - 1], out=Z)
        if l < L:
            acts[l - 1].forward_(Z, aux[l], axis, slope)
    loss, dZ = _output(ws, A[L], Y)
    grads: list[FloatArray] = [dZ] * (2 * L)
    for l in range(L, 0, -1):  # noqa: E741 -- layer l
        # db: np.add.reduce, not a gemv with ones: one fewer multi-threaded BLAS call to wait for
        db = np.add.reduce(dZ, axis=0, keepdims=True)
        if ws.rows_net:
            grads[2 * l - 2], grads[2 * l - 1] = np.dot(A[l - 1].T, dZ), db  # seed 002: a1^T dz2
        else:  # the columns dW = dZ^T A_prev, C-ordered
            grads[2 * l - 2], grads[2 * l - 1] = np.dot(dZ.T, A[l - 1]), db.T
        if l == 1:
            break
        dA = np.dot(dZ, W[l - 1].T, out=ws.dA[l - 1])  # seed 002: da1 = dz2 w2^T
        dZ = acts[l - 2].backward_(dA, A[l - 1], aux[l - 1], axis, slope)
    return loss, dict(zip(plan.shapes, grads, strict=True))


def loss_and_grad(
    net: MLP, params: Mapping[str, FloatArray], X: FloatArray, Y: FloatArray
) -> tuple[FloatArray, Params]:
    """`run` on validated, finite input in the calling thread's workspace."""
    ws = thread_workspace(net, X.shape[-1 if net.layout == "columns" else -2], X.dtype)
    ws.load_params(params)
    ws.load_input(X)
    try:
        return run(ws, ws.targets(Y))
    finally:
        ws.release()


# ---------------------------------------------------------------------------------------------
# The loss alone, for parameters stacked along a leading K axis (or not)
# ---------------------------------------------------------------------------------------------


def loss(
    net: MLP, params: Mapping[str, FloatArray], A_prev: FloatArray, Y: FloatArray, *,
    start: int = 1,
) -> FloatArray:
    """The loss from layer ``start`` on, activations in place; one per leading K index.

    Parameters
    ----------
    net : MLP
    params : dict
        Layers ``start`` ... L, 2-D or stacked (K, *shape); validated.
    A_prev : ndarray
        The input of layer ``start`` in the net's layout, 2-D or (K, ...).
    Y : ndarray
        Dense targets shaped like the output (broadcast over K).

    Notes
    -----
    A stacked columns layer on a shared 2-D input is one GEMM, [W_k b_k] side by side
    against [A_prev; 1] (`_affine_stacked`); an activation with a negated form (the sigmoid)
    receives -Z from that GEMM at no cost.
    """
    plan, cols = plan_of(net), net.layout == "columns"
    axis, slope, L = class_axis(net.layout), net.leaky_slope, net.n_layers
    for l in range(start, L + 1):  # noqa: E741 -- layer l
        W_key, b_key = plan.keys[l - 1]
        W, b, act = params[W_key], params[b_key], plan.acts[l - 1]
        hidden = l < L
        if cols and W.ndim == 3 and A_prev.ndim == 2:  # K weight sets, one input: one GEMM
            negated = hidden and act.negated
            Z = _affine_stacked(W, b, A_prev, negate=negated)
            if negated:
                A_prev = act.forward_negated_(Z, axis=axis, slope=slope)
                continue
        else:
            Z = affine(W, b, A_prev, cols)
        # in place; the fused loss reads the logits themselves
        A_prev = act.forward_(Z, None, axis, slope) if hidden or not plan.fused else Z
    scale = reduction_scale(A_prev.shape, net.reduction, net.layout)
    return plan.loss.value(A_prev, Y, scale, axis=axis, from_logits=plan.fused, half=net.half)


def _affine_stacked(
    W: FloatArray, b: FloatArray, A_prev: FloatArray, *, negate: bool
) -> FloatArray:
    """Z_k = W_k A_prev + b_k (columns) for K stacked (W_k, b_k) as one GEMM, or -Z if negate.

    The K weight matrices and their biases are copied side by side, [W_k b_k] of shape
    (n_out, n_in + 1), and multiply [A_prev; 1] at once: one (K n_out, n_in + 1) x (n_in + 1, m)
    product instead of K small ones and a broadcast bias pass over the large result.
    """
    K, n_out, n_in = W.shape
    Wb = np.empty((K, n_out, n_in + 1), dtype=W.dtype)
    Ab = np.empty((n_in + 1, A_prev.shape[1]), dtype=W.dtype)
    Wb[..., :n_in] = W
    Wb[..., n_in:] = b
    if negate:  # -[W b] [A; 1] = [W b] [-A; -1]: negated while [A; 1] is built, no extra pass
        np.negative(A_prev, out=Ab[:n_in])
        Ab[n_in] = -1.0
    else:
        Ab[:n_in] = A_prev
        Ab[n_in] = 1.0
    # np.matmul, not np.dot: faster for these shapes
    return np.matmul(Wb.reshape(K * n_out, n_in + 1), Ab).reshape(K, n_out, -1)
