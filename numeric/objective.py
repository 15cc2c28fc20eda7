"""Loss and gradients: `loss_and_grad` for one call, `Objective` for many on the same data.

Both validate at the boundary and then run `numeric.engine`, which computes the formulas of
`numeric.forward` and `numeric.backward` (the same activation and loss objects) in place, in
a workspace's buffers: the loss and gradients are theirs up to rounding.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from numeric import engine
from numeric._types import FloatArray
from numeric._validate import check_all_finite, check_finite, check_nonnegative_float
from numeric.mlp import (
    MLP,
    Params,
    add_l2,
    check_input,
    check_net,
    check_params,
    check_targets,
    l2_penalty,
    n_samples,
    params_dtype,
    plan_of,
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
    Each thread keeps the work buffers of its last calls (a `numeric.engine.Workspace` per
    net, m and dtype) and reuses them in the next call with the same ones: building them
    costs about as much as a small pass, and fresh large arrays cost page faults. The
    returned loss and gradients are always new arrays, and nothing the caller passed is
    written to. To evaluate one data set many times, build an `Objective` once: it
    validates X and Y once, not at every call.

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
    ws = engine.thread_workspace(net, m, dtype)
    try:
        if not ws.load_checked(params):
            params = check_params(net, params, finite=False)
            ws.load_params(params)
        ws.load_input(X_)
        if not ws.finite():
            check_all_finite(params, "params")  # these name the entry; pass on a mere overflow
            check_finite(X_, "X")
        with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
            loss, grads = engine.run(ws, ws.targets(Y_))
    finally:
        ws.release()  # the workspace keeps no reference to the caller's arrays
    return add_l2(loss, grads, params, l2)


def _dtype_of(params: Any) -> np.dtype | None:
    """The dtype of ``params["W1"]`` if params is a dict holding a float32/64 ndarray there."""
    W1 = params.get("W1") if type(params) is dict else None
    return W1.dtype if type(W1) is np.ndarray and W1.dtype.char in "fd" else None


@dataclass(frozen=True, eq=False)
class _Data:
    """X and Y validated and cast to one dtype, in ``net``'s layout."""

    X: FloatArray
    Y: FloatArray


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
    cast to it once per dtype. Each thread keeps its own `numeric.engine.Workspace` with the
    data loaded (a few times the size of X), so one Objective can serve several threads at
    once. Results are always new arrays.

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
        dtype = _dtype_of(params)
        ready = None if dtype is None else getattr(self._local, dtype.char, None)
        if ready is None or not ready[0].load_checked(params):
            if ready is not None:
                ready[0].release()  # a partial load's views, should check_params raise
            return self._call_checked(params)
        ws, Y = ready
        try:
            if not ws.finite():
                check_all_finite(params, "params")
            with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
                loss, grads = engine.run(ws, Y)
        finally:
            ws.release()  # keeps no reference to the caller's arrays (the rows layout's views)
        return add_l2(loss, grads, params, self.l2) if self.l2 else (loss, grads)

    def _call_checked(self, params: Mapping[str, Any]) -> tuple[FloatArray, Params]:
        """`__call__` for any params: validated (converted) in full, buffers made if needed."""
        params_ = check_params(self.net, params, finite=False)
        dtype = params_dtype(params_)
        ready = getattr(self._local, dtype.char, None)
        if ready is None:
            data = self._data.get(dtype.char) or self._prepare(dtype)
            ws = engine.Workspace(plan_of(self.net), self.m, dtype, X=data.X)
            ready = (ws, ws.targets(data.Y))
            setattr(self._local, dtype.char, ready)
        ws, Y = ready
        try:
            ws.load_params(params_)
            if not ws.finite():
                check_all_finite(params_, "params")
            with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
                loss, grads = engine.run(ws, Y)
        finally:
            ws.release()
        return add_l2(loss, grads, params_, self.l2)

    def loss(self, params: Mapping[str, Any]) -> FloatArray:
        """The loss alone at ``params`` (a forward pass), as `numeric.forward` computes it."""
        params_ = check_params(self.net, params)
        dtype = params_dtype(params_)
        data = self._data.get(dtype.char) or self._prepare(dtype)
        with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
            loss = engine.loss(self.net, params_, data.X, data.Y)
        return loss + loss.dtype.type(l2_penalty(params_, self.l2)) if self.l2 else loss

    def _prepare(self, dtype: np.dtype) -> _Data:
        """The data in ``dtype``, made once (a race between threads makes it twice, alike)."""
        data = _Data(self._X.astype(dtype, copy=False), self._Y.astype(dtype))
        self._data[dtype.char] = data
        return data


def _rebuild(net: MLP, X: FloatArray, Y: FloatArray, l2: float) -> Objective:
    """Objective from its pickled state."""
    return Objective(net, X, Y, l2=l2)
