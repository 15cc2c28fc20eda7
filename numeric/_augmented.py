"""The augmented engine: small batches, each layer one GEMM with its bias inside the matrix.

Layer l's weights and bias sit side by side in one matrix ``Wb_l = [W_l b_l]``, shape
(n_l, n_{l-1} + 1), and its input carries a row of ones, ``[A_{l-1}; 1]``, so that::

    Z_l = Wb_l [A_{l-1}; 1]                  the bias add happens inside the GEMM
    [dW_l  db_l] = dZ_l [A_{l-1}; 1]^T       and so does the bias gradient db_l = dZ_l 1

The engine always computes in the columns layout; a ``"rows"`` network's parameters go in
transposed (W_l^T, b_l^T) and its gradients come out as [A_{l-1}; 1] dZ_l^T, already in the
rows shapes. The gain is per call, not per flop: below ~10^4 entries a layer's NumPy calls
cost more than their arithmetic, and this path makes fewer of them -- no bias add and no bias
reduction per layer, one finiteness test for all parameters and X (their copy into one
buffer is needed anyway), activations and their derivatives computed in place. Large
batches stay on `numeric.mlp`'s engine, whose GEMMs dominate.

Everything here assumes validated input and runs inside the caller's
``np.errstate(invalid="ignore")`` (see ``numeric.mlp._BLAS_NOTE``); no exp can overflow.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from numeric._types import FloatArray
from numeric.losses import _ONE, _ZERO, LOSSES, reduction_scale, work_buffers
from numeric.mlp import MLP, Params, _loss_and_dZ

# Hidden activations this engine computes in place (softmax couples its units: not here).
IN_PLACE = frozenset({"sigmoid", "tanh", "relu", "leaky_relu", "identity"})
# Below this many entries (m times the widest layer) a pass runs here; above it the GEMMs
# dominate and numeric.mlp's engine (with its scratch memory) is as fast.
MAX_ENTRIES = 1 << 15
# A hidden sigmoid is E / (1 + E) with E = exp(min(Z, cap)) and exp(cap) finite: above
# Z = 37 (float64; 17 in float32) it is 1 in floating point anyway, so the cap changes no
# result, and no exp overflows. 1 - sigmoid = 1 / (1 + E) keeps the derivative a division.
_EXP_CAP = {np.dtype(t): np.array(cap, dtype=t) for t, cap in ((np.float64, 709), (np.float32, 88))}


def applies(net: MLP, m: int) -> bool:
    """Whether a 2-D pass of ``net`` over m samples runs on this engine."""
    return m * net._widest < MAX_ENTRIES and IN_PLACE.issuperset(net.hidden)


@dataclass(frozen=True, eq=False)
class Workspace:
    """The buffers of one pass of ``net`` over m samples in one dtype; never part of a result.

    Attributes
    ----------
    store : ndarray
        ``flat`` followed by ``H[0]`` (when the workspace holds the input): one finiteness
        test covers the parameters and X.
    flat : ndarray, shape (sum_l n_l (n_{l-1} + 1),)
        Every ``Wb_l``, one after the other.
    Wb : tuple of ndarray
        ``Wb_l`` (n_l, n_{l-1} + 1), views of ``flat``.
    load : tuple of (str, str, ndarray, ndarray)
        Per layer the keys of W_l and b_l and the blocks of ``Wb_l`` they are copied into.
    H : tuple of ndarray
        ``H[0]`` the augmented input [X; 1] (n_0 + 1, m), ``H[l]`` = [A_l; 1] (n_l + 1, m)
        for each hidden layer; the rows of ones are written once, here.
    A : tuple of ndarray
        ``A[l] = H[l][:-1]``, where hidden layer l's activation is computed in place (and
        where `load_input` writes X).
    names : tuple of str
        The activation names of layers 1 ... L.
    D : tuple of ndarray
        ``D[l]`` (n_l, m) for hidden sigmoid layers: 1 + exp(Z_l), kept for the derivative
        sigmoid'(Z) = A / (1 + exp(Z)).
    Z_out : ndarray, shape (n_L, m)
    work : tuple of ndarray
        `numeric.losses.work_buffers` for (n_L, m): the fused loss's intermediates, dZ_L
        among them.
    dA : tuple of ndarray
        ``dA[l]`` (n_l, m) for hidden layers: dL/dA_l, then dZ_l in place.
    scale : ndarray, shape ()
        The loss's reduction factor for m samples, in the dtype.
    key : tuple
        (m, dtype character): what the buffers were made for.
    """

    store: FloatArray
    flat: FloatArray
    Wb: tuple[FloatArray, ...]
    load: tuple[tuple[str, str, FloatArray, FloatArray], ...]
    H: tuple[FloatArray, ...]
    A: tuple[FloatArray, ...]
    names: tuple[str, ...]
    D: tuple[FloatArray | None, ...]
    Z_out: FloatArray
    work: tuple[FloatArray, ...]
    dA: tuple[FloatArray | None, ...]
    scale: FloatArray
    key: tuple[int, str]


def workspace(
    net: MLP, m: int, dtype: np.dtype, *, H_0: FloatArray | None = None
) -> Workspace:
    """Fresh buffers for ``net`` over m samples.

    ``H_0``: a prepared [X; 1] of shape (n_0 + 1, m) (an `Objective`'s, never written to);
    None makes room for X in ``store``, to be filled by `load_input`.
    """
    sizes = net.sizes
    n_aug = [n_out * (n_in + 1) for n_in, n_out in itertools.pairwise(sizes)]
    n_x = (sizes[0] + 1) * m if H_0 is None else 0
    store = np.empty(sum(n_aug) + n_x, dtype=dtype)
    Wb, offset = [], 0
    for (n_in, n_out), size in zip(itertools.pairwise(sizes), n_aug, strict=True):
        Wb.append(store[offset : offset + size].reshape(n_out, n_in + 1))
        offset += size
    if H_0 is None:
        H_0 = store[offset:].reshape(sizes[0] + 1, m)
        H_0[-1] = 1.0
    H = [H_0]
    for n in sizes[1:-1]:
        H.append(np.empty((n + 1, m), dtype=dtype))
        H[-1][-1] = 1.0
    return Workspace(
        store=store,
        flat=store[:offset],
        Wb=tuple(Wb),
        load=tuple((W_key, b_key, w[:, :-1], w[:, -1:])
                   for (W_key, b_key, _, _), w in zip(net._plan, Wb, strict=True)),
        H=tuple(H),
        A=tuple(h[:-1] for h in H),
        names=net.activations,
        D=(None, *(np.empty((n, m), dtype=dtype) if a == "sigmoid" else None
                   for n, a in zip(sizes[1:-1], net.hidden, strict=True))),
        Z_out=np.empty((sizes[-1], m), dtype=dtype),
        work=work_buffers((sizes[-1], m), dtype),
        dA=(None, *(np.empty((n, m), dtype=dtype) for n in sizes[1:-1])),
        # a 0-d array of the dtype: the same factor, passed to ufuncs without conversion
        scale=np.array(reduction_scale((sizes[-1], m), net.reduction, "columns"), dtype=dtype),
        key=(m, dtype.char),
    )


def thread_workspace(net: MLP, m: int, dtype: np.dtype) -> Workspace:
    """The calling thread's workspace for ``net`` (with input), remade when m or dtype change.

    Kept on the net's per-thread scratch (see `numeric.loss_and_grad`, Notes): building one
    costs about as much as a small pass itself.
    """
    local = net._scratch
    ws = getattr(local, "augmented", None)
    if ws is None or ws.key != (m, dtype.char):
        ws = local.augmented = workspace(net, m, dtype)
    return ws


def load_checked(net: MLP, ws: Workspace, params: Any) -> bool:
    """Copy ``params`` into ``ws.flat`` if it is exactly right; False (ws unspecified) if not.

    Exactly right: a dict with ``net``'s keys, each an ndarray of the workspace's dtype and
    the key's shape -- what a training loop passes every time. Anything else (lists, other
    dtypes, a wrong shape) is for `numeric.mlp.check_params` to convert or to explain.
    Finiteness is not tested here (see `all_finite`).
    """
    shapes, dtype = net._shapes, ws.flat.dtype
    if type(params) is not dict or params.keys() != shapes.keys():
        return False
    rows = net.layout == "rows"
    for W_key, b_key, W_block, b_block in ws.load:
        W, b = params[W_key], params[b_key]
        if (type(W) is not np.ndarray or type(b) is not np.ndarray or W.dtype != dtype
                or b.dtype != dtype or W.shape != shapes[W_key] or b.shape != shapes[b_key]):
            return False
        W_block[...] = W.T if rows else W  # seed 002's w (n_in, n_out) is W^T of columns
        b_block[...] = b.T if rows else b
    return True


def load_params(net: MLP, ws: Workspace, params: Params) -> None:
    """Copy (validated-shape) parameters into ``ws.flat``: [W_l b_l] for every layer."""
    if net.layout == "rows":  # seed 002's w (n_in, n_out) is W^T of the columns layout
        for W_key, b_key, W, b in ws.load:
            W[...] = params[W_key].T
            b[...] = params[b_key].T
    else:
        for W_key, b_key, W, b in ws.load:
            W[...] = params[W_key]
            b[...] = params[b_key]


def load_input(net: MLP, ws: Workspace, X: FloatArray) -> None:
    """Copy X (any float dtype) into ``ws.H[0]`` above its row of ones (``ws`` without H_0)."""
    ws.A[0][...] = X.T if net.layout == "rows" else X


def all_finite(x: FloatArray) -> bool:
    """False if ``x`` (1-D) holds a NaN or inf, or if its sum of squares overflows.

    One BLAS call; an overflow on finite entries also says False, and the caller's exact
    per-array test then decides (and names the culprit).
    """
    return math.isfinite(np.vdot(x, x))


def loss_and_grad(net: MLP, ws: Workspace, Y: FloatArray) -> tuple[FloatArray, Params]:
    """Loss and gradients from the loaded parameters and input, and dense targets.

    Parameters
    ----------
    net : MLP
    ws : Workspace
        With the parameters loaded by `load_params` and [X; 1] in ``ws.H[0]``.
    Y : ndarray, shape (n_L, m)
        Dense targets, columns layout whatever ``net.layout`` (a transposed view is fine).

    Returns
    -------
    loss : numpy float scalar
    grads : dict
        In ``net``'s layout and shapes; views of one new array per layer.
    """
    H, names, slope = ws.H, ws.names, net.leaky_slope
    for l in range(1, len(names)):  # noqa: E741 -- hidden layer l
        Z = np.dot(ws.Wb[l - 1], H[l - 1], out=ws.A[l])
        _activate(names[l - 1], Z, ws.D[l], slope)
    Z_L = np.dot(ws.Wb[-1], H[-1], out=ws.Z_out)
    if net._fused:  # the loss reads the logits and gives dZ = A - Y (seeds 000, 002)
        loss, dZ = LOSSES[net.loss].value_and_grad(Z_L, Y, ws.scale, axis=-2, work=ws.work)
    else:  # A_L = act(Z_L) is a new array: Z_L stays intact for act'(Z_L)
        A_L = net._plan[-1][2].forward(Z_L, axis=-2, slope=slope)
        loss, dZ = _loss_and_dZ(net, Z_L, A_L, Y, layout="columns")
    return loss, _backward(net, ws, dZ)


def _activate(name: str, Z: FloatArray, D: FloatArray | None, slope: float) -> None:
    """Hidden activation ``name`` in place (a sigmoid keeps 1 + exp(Z) in D)."""
    if name == "sigmoid":  # seed 000: 1 / (1 + exp(-Z)), as exp(Z) / (1 + exp(Z))
        np.minimum(Z, _EXP_CAP[Z.dtype], out=Z)
        np.exp(Z, out=Z)
        np.add(Z, _ONE[Z.dtype], out=D)
        np.divide(Z, D, out=Z)
    elif name == "tanh":
        np.tanh(Z, out=Z)
    elif name == "relu":  # seed 002: np.maximum(0, z1)
        np.maximum(Z, _ZERO[Z.dtype], out=Z)
    elif name == "leaky_relu":
        np.multiply(Z, slope, out=Z, where=Z <= 0)


def _backward(net: MLP, ws: Workspace, dZ: FloatArray) -> Params:
    """Gradients from dZ_L down, as [dW_l db_l] = dZ_l [A_{l-1}; 1]^T (seed 003's dW, db)."""
    rows, sizes, As = net.layout == "rows", net.sizes, ws.H
    L = len(sizes) - 1
    grads: list[FloatArray] = [dZ] * (2 * L)
    for l in range(L, 0, -1):  # noqa: E741 -- layer l
        n_in = sizes[l - 1]
        if rows:  # [A; 1] dZ^T = [dw; db] in seed 002's shapes (n_in, n_out), (1, n_out)
            G = np.dot(As[l - 1], dZ.T)
            grads[2 * l - 2], grads[2 * l - 1] = G[:n_in], G[n_in:]
        else:
            G = np.dot(dZ, As[l - 1].T)
            grads[2 * l - 2], grads[2 * l - 1] = G[:, :n_in], G[:, n_in:]
        if l == 1:
            break
        dA = np.dot(ws.load[l - 1][2].T, dZ, out=ws.dA[l - 1])  # seed 003: W^T dZ
        dZ = _derivative(ws.names[l - 2], dA, ws.A[l - 1], ws.D[l - 1], net.leaky_slope)
    return dict(zip(net._shapes, grads))  # noqa: B905 -- 2 L of each, by construction


def _derivative(
    name: str, dA: FloatArray, A: FloatArray, D: FloatArray | None, slope: float
) -> FloatArray:
    """Return dZ = dA * act'(Z), written into dA, from the activation A (overwritten)."""
    if name == "sigmoid":  # seed 000: dA * A * (1 - A), with 1 - A = 1 / (1 + exp(Z)) = 1 / D
        dA *= A
        dA /= D
    elif name == "tanh":  # dA * (1 - A^2)
        np.square(A, out=A)
        np.subtract(_ONE[A.dtype], A, out=A)
        dA *= A
    elif name == "relu":  # seed 002: da1[z1 <= 0] = 0; sign(A) is 1 where A > 0, else 0
        dA *= np.sign(A, out=A)
    elif name == "leaky_relu":  # A > 0 exactly where Z > 0 (slope >= 0); 0 counts as < 0
        np.multiply(dA, slope, out=dA, where=A <= 0)
    return dA
