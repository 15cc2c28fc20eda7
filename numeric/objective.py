"""Loss and gradients: `loss_and_grad` for one call, `Objective` for many on the same data.

Both validate at the boundary and then run one of two engines: small batches (m times the
widest layer below 2**15 entries) the augmented engine of `numeric._augmented`, where each
layer is one GEMM with its bias inside; large ones `numeric.mlp`'s, where the GEMMs dominate.
Either gives the loss and gradients of `numeric.forward` and `numeric.backward` up to
rounding.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from numeric import _augmented
from numeric._types import FloatArray
from numeric._validate import check_all_finite, check_finite, check_nonnegative_float
from numeric.mlp import (
    MLP,
    Params,
    _add_l2,
    _forward,
    _l2_penalty,
    _loss,
    _loss_and_grad,
    check_input,
    check_net,
    check_params,
    check_targets,
    n_samples,
    params_dtype,
)


def loss_and_grad(
    net: MLP, params: Mapping[str, Any], X: Any, Y: Any, *, l2: float = 0.0
) -> tuple[FloatArray, Params]:
    """Loss and gradients in one call: `numeric.forward` then `numeric.backward`.

    Parameters
    ----------
    net, params, X, Y
        As in `numeric.forward`.
    l2 : float
        Adds ``l2 / 2 * sum(W ** 2)`` over the weights (not the biases) to the loss and
        ``l2 * W`` to each dW.

    Returns
    -------
    loss : numpy float scalar, dtype of the parameters
    grads : dict
        Same keys, shapes and dtype as ``params``. Small batches return each layer's dW and
        db as two views of one new array ([dW db] in columns, [dW; db] in rows).

    Raises
    ------
    ValueError, TypeError
        As `numeric.forward`.

    Notes
    -----
    Each thread keeps the work buffers of its last call on ``net`` and reuses them in the
    next call with the same m and dtype. For large batches (m times the widest layer >=
    32768) these are the hidden pre-activations, one m x n_l array per layer: fresh arrays
    of that size cost a page fault per 4 KiB wherever the allocator returns freed memory to
    the system (25% of a [64, 256, 256, 10] float64 step at m = 512). For small batches they
    are the augmented engine's buffers ([W_l b_l], [A_l; 1] and the like, a few times the
    size of X), whose setup costs as much as the small pass itself. The returned loss and
    gradients are always new arrays, and nothing the caller passed is written to. To
    evaluate one data set many times, build an `Objective` once: it validates X and Y once,
    not at every call.

    Examples
    --------
    >>> from numeric import MLP, init_params
    >>> net = MLP((1, 4, 1), hidden="sigmoid")          # seed 000
    >>> p = init_params(net, rng=0)
    >>> loss, g = loss_and_grad(net, p, np.array([[0.5, -1.0]]), np.array([[1.0, 0.0]]))
    >>> g["W1"].shape, g["b2"].shape
    ((4, 1), (1, 1))
    """
    check_net(net)
    l2 = check_nonnegative_float(l2, "l2")
    dtype = _dtype_of(params)
    if dtype is None:  # not a dict holding a float ndarray W1: check_params converts or explains
        params = check_params(net, params, finite=False)
        dtype = params_dtype(params)
    X_ = check_input(net, X, dtype, finite=False)
    m = n_samples(net, X_)
    Y_ = check_targets(net, Y, m, dtype)
    if not _augmented.applies(net, m):
        params_ = check_params(net, params)
        check_finite(X_, "X")
        return _loss_and_grad(net, params_, X_, Y_, l2)
    ws = _augmented.thread_workspace(net, m, dtype)
    if not _augmented.load_checked(net, ws, params):
        params = check_params(net, params, finite=False)
        _augmented.load_params(net, ws, params)
    _augmented.load_input(net, ws, X_)
    if not _augmented.all_finite(ws.store):
        check_all_finite(params, "params")  # these name the entry; pass on a mere overflow
        check_finite(X_, "X")
    with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
        loss, grads = _augmented.loss_and_grad(net, ws, _columns(net, Y_))
    return _add_l2(loss, grads, params, l2)


def _dtype_of(params: Any) -> np.dtype | None:
    """The dtype of ``params["W1"]`` if params is a dict holding a float32/64 ndarray there."""
    W1 = params.get("W1") if type(params) is dict else None
    return W1.dtype if type(W1) is np.ndarray and W1.dtype.char in "fd" else None


def _columns(net: MLP, A: FloatArray) -> FloatArray:
    """An output-shaped array in the columns layout (a view)."""
    return A.T if net.layout == "rows" else A


@dataclass(frozen=True, eq=False)
class _Data:
    """X and Y validated and cast to one dtype, in ``net``'s layout and for the engine."""

    X: FloatArray
    Y: FloatArray
    H_0: FloatArray | None  # [X; 1] in columns, when the augmented engine applies
    Y_columns: FloatArray


class Objective:
    """The loss of ``net`` on fixed data as a function of the parameters, with its gradient.

    Training loops, line searches and gradient checks evaluate one network on the same
    (X, Y) again and again; an Objective validates and copies the data once, keeps it in the
    form the passes want, and then validates only the parameters at each call.

    Parameters
    ----------
    net : MLP
    X, Y
        As in `numeric.forward`. Both are copied: changing the caller's arrays later does
        not change the objective.
    l2 : float
        Adds ``l2 / 2 * sum(W ** 2)`` over the weights to the loss, ``l2 * W`` to each dW.

    Raises
    ------
    ValueError, TypeError
        For X and Y as `numeric.forward` does, here; for the parameters at each call.

    Notes
    -----
    ``objective(params)`` equals ``loss_and_grad(net, params, X, Y, l2=l2)`` to the last
    bit. The parameters' dtype decides the dtype of the computation, as there; X and Y are
    cast to it once per dtype. Each thread keeps its own work buffers (for small batches:
    the augmented parameters and the hidden activations, a few times the size of X), so one
    Objective can serve several threads at once. Results are always new arrays.

    Examples
    --------
    >>> from numeric import MLP, init_params, loss_and_grad
    >>> net = MLP((1, 4, 1), hidden="sigmoid")          # seed 000
    >>> X, Y = np.array([[0.5, -1.0, 2.0]]), np.array([[1.0, 0.0, 1.0]])
    >>> objective = Objective(net, X, Y)
    >>> p = init_params(net, rng=0)
    >>> loss, grads = objective(p)
    >>> bool(loss == loss_and_grad(net, p, X, Y)[0]), grads["W1"].shape
    (True, (4, 1))
    """

    def __init__(self, net: MLP, X: Any, Y: Any, *, l2: float = 0.0) -> None:
        self.net = check_net(net)
        X_ = check_input(net, X, None)
        self.m = n_samples(net, X_)
        self.l2 = check_nonnegative_float(l2, "l2")
        self._X = np.array(X_, copy=True)
        # validated once in float64 (exact for float32 targets; labels become one-hot)
        self._Y = np.array(check_targets(net, Y, self.m, np.dtype(np.float64)), copy=True)
        self._data: dict[str, _Data] = {}
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"Objective({self.net!r}, m={self.m}, l2={self.l2})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # the spec and the validated data; buffers and cast copies are rebuilt on demand
        return (_rebuild, (self.net, self._X, self._Y, self.l2))

    def __call__(self, params: Mapping[str, Any]) -> tuple[FloatArray, Params]:
        """Loss and gradients at ``params``, as `loss_and_grad` returns them."""
        net = self.net
        dtype = _dtype_of(params)
        ready = None if dtype is None else getattr(self._local, dtype.char, None)
        if ready is None or not _augmented.load_checked(net, ready[0], params):
            return self._call_checked(params)
        ws, Y = ready
        if not _augmented.all_finite(ws.flat):
            check_all_finite(params, "params")
        with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
            loss, grads = _augmented.loss_and_grad(net, ws, Y)
        return _add_l2(loss, grads, params, self.l2) if self.l2 else (loss, grads)

    def _call_checked(self, params: Mapping[str, Any]) -> tuple[FloatArray, Params]:
        """`__call__` for any params: validated (converted) in full, buffers made if needed."""
        net = self.net
        params_ = check_params(net, params, finite=False)
        dtype = params_dtype(params_)
        data = self._data.get(dtype.char) or self._prepare(dtype)
        if data.H_0 is None:
            check_all_finite(params_, "params")
            return _loss_and_grad(net, params_, data.X, data.Y, self.l2)
        ready = getattr(self._local, dtype.char, None)
        if ready is None:
            ready = (_augmented.workspace(net, self.m, dtype, H_0=data.H_0), data.Y_columns)
            setattr(self._local, dtype.char, ready)
        ws = ready[0]
        _augmented.load_params(net, ws, params_)
        if not _augmented.all_finite(ws.flat):
            check_all_finite(params_, "params")
        with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
            loss, grads = _augmented.loss_and_grad(net, ws, data.Y_columns)
        return _add_l2(loss, grads, params_, self.l2)

    def loss(self, params: Mapping[str, Any]) -> FloatArray:
        """The loss alone at ``params`` (a forward pass), as `numeric.forward` computes it."""
        params_ = check_params(self.net, params)
        dtype = params_dtype(params_)
        data = self._data.get(dtype.char) or self._prepare(dtype)
        with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
            As, Zs = _forward(self.net, params_, data.X, overwrite=True, loss_only=True)
            loss = _loss(self.net, Zs[-1], As[-1], data.Y)
        return loss + loss.dtype.type(_l2_penalty(params_, self.l2)) if self.l2 else loss

    def _prepare(self, dtype: np.dtype) -> _Data:
        """The data in ``dtype``, made once (a race between threads makes it twice, alike)."""
        net = self.net
        X = self._X.astype(dtype, copy=False)
        Y = self._Y.astype(dtype)
        H_0 = None
        if _augmented.applies(net, self.m):
            H_0 = np.empty((net.sizes[0] + 1, self.m), dtype=dtype)
            H_0[:-1] = _columns(net, X)
            H_0[-1] = 1.0
        data = _Data(X, Y, H_0, _columns(net, Y))
        self._data[dtype.char] = data
        return data


def _rebuild(net: MLP, X: FloatArray, Y: FloatArray, l2: float) -> Objective:
    """Objective from its pickled state."""
    return Objective(net, X, Y, l2=l2)
