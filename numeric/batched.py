"""Losses (and gradients) for K parameter vectors at once, as one stacked computation.

A gradient checker needs the loss at 2P perturbed parameter vectors. Instead of 2P calls, the
vectors are stacked along a leading K axis and the forward pass runs once: ``W`` of shape
(K, n_out, n_in) times ``A`` of shape (n_in, m) broadcasts through ``np.matmul`` to (K, n_out, m).
`batched_loss_from` also skips the layers below a perturbed one, reusing their cached output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from numeric import engine
from numeric._types import FloatArray
from numeric._validate import as_float_array, check_finite
from numeric.mlp import (
    MLP,
    Params,
    _backward,
    _forward,
    check_input,
    check_net,
    check_targets,
    n_samples,
    plan_of,
)


def flatten_params(params: Mapping[str, Any]) -> FloatArray:
    """Concatenate the raveled parameters, in dict order, into one vector.

    Parameters
    ----------
    params : dict of ndarray
        E.g. ``{"W1": ..., "b1": ..., ...}``; all of one float dtype.

    Returns
    -------
    theta : ndarray, shape (P,)
        P = total number of entries; dtype of the parameters.

    Examples
    --------
    >>> import numpy as np
    >>> theta = flatten_params({"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))})
    >>> theta.shape, theta[:6].sum()
    ((8,), np.float64(6.0))
    """
    arrays = _check_param_dict(params, "params")
    return np.concatenate([a.ravel() for a in arrays.values()])


def unflatten_params(theta: Any, like: Mapping[str, Any]) -> Params:
    """Split a flat vector (or K stacked vectors) back into a dict shaped like ``like``.

    Parameters
    ----------
    theta : ndarray, shape (P,) or (K, P)
        As produced by `flatten_params` (or K of them stacked).
    like : dict of ndarray
        Gives the keys, their order and shapes (its values are not read).

    Returns
    -------
    dict
        New arrays (copies) with the keys of ``like``; shapes ``like[k].shape``, with a leading
        K axis if ``theta`` is 2-D; dtype of ``theta``.

    Raises
    ------
    ValueError
        ``theta`` has the wrong length or number of dimensions.
    """
    shapes = {k: np.shape(v) for k, v in _check_param_dict(like, "like").items()}
    theta = as_float_array(theta, "theta")
    if theta.ndim not in (1, 2):
        raise ValueError(f"theta has shape {theta.shape}, but (P,) or (K, P) is expected.")
    return {k: v.copy() for k, v in _split(theta, shapes).items()}


def _check_param_dict(params: Any, name: str) -> dict[str, FloatArray]:
    if not isinstance(params, Mapping) or not params:
        raise TypeError(f"{name} must be a non-empty dict of arrays, got {params!r:.60}.")
    arrays = {k: as_float_array(v, f"{name}[{k!r}]") for k, v in params.items()}
    dtypes = {a.dtype for a in arrays.values()}
    if len(dtypes) > 1:
        raise TypeError(f"{name} mixes dtypes {sorted(map(str, dtypes))}; use one float dtype.")
    return arrays


def _split(theta: FloatArray, shapes: Mapping[str, tuple[int, ...]]) -> Params:
    """Views of ``theta`` (P,) or (K, P) reshaped to ``shapes`` (with the leading K axis)."""
    P = sum(math.prod(s) for s in shapes.values())  # math.prod: np.prod costs microseconds
    if theta.shape[-1] != P:
        raise ValueError(
            f"theta has shape {theta.shape}, but the parameters have P = {P} entries; "
            f"expected (P,) = ({P},) or (K, P) = (K, {P})."
        )
    lead, out, offset = theta.shape[:-1], {}, 0
    for key, shape in shapes.items():
        size = math.prod(shape)
        out[key] = theta[..., offset : offset + size].reshape(*lead, *shape)
        offset += size
    return out


def _check_thetas(net: MLP, thetas: Any) -> FloatArray:
    thetas = as_float_array(thetas, "thetas")
    if thetas.ndim != 2 or thetas.shape[1] != net.n_params:
        raise ValueError(
            f"thetas has shape {thetas.shape}, but (K, P) = (K, {net.n_params}) is expected "
            f"for sizes={net.sizes}: one flattened parameter vector per row."
        )
    check_finite(thetas, "thetas")
    return thetas


def batched_loss(net: MLP, thetas: Any, X: Any, Y: Any) -> FloatArray:
    """Losses of K flattened parameter vectors on the same data, in one stacked pass.

    Parameters
    ----------
    net : MLP
    thetas : ndarray, shape (K, P)
        Each row a vector from `flatten_params` (canonical order W1, b1, ..., WL, bL).
    X, Y
        As in `numeric.forward`; X is cast to the dtype of ``thetas``.

    Returns
    -------
    ndarray, shape (K,)
        ``losses[k] == forward(net, unflatten_params(thetas[k], like), X, Y)[0]`` up to
        rounding; dtype of ``thetas``.

    Examples
    --------
    >>> from numeric import MLP, init_params, forward
    >>> net = MLP((1, 4, 1), hidden="sigmoid")
    >>> p = init_params(net, rng=0)
    >>> X, Y = np.array([[0.5, -1.0, 2.0]]), np.array([[1.0, 0.0, 1.0]])
    >>> thetas = np.stack([flatten_params(p), 2 * flatten_params(p)])
    >>> losses = batched_loss(net, thetas, X, Y)
    >>> losses.shape, bool(np.isclose(losses[0], forward(net, p, X, Y)[0]))
    ((2,), True)
    """
    thetas = _check_thetas(check_net(net), thetas)
    X_ = check_input(net, X, thetas.dtype)
    Y_ = check_targets(net, Y, n_samples(net, X_), thetas.dtype)
    stacked = _split(thetas, plan_of(net).shapes)
    with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
        return engine.loss(net, stacked, X_, Y_)


def batched_loss_and_grad(
    net: MLP, thetas: Any, X: Any, Y: Any
) -> tuple[FloatArray, FloatArray]:
    """Losses and flattened gradients of K parameter vectors, in one stacked pass.

    Parameters
    ----------
    net, thetas, X, Y
        As in `batched_loss`.

    Returns
    -------
    losses : ndarray, shape (K,)
    grads : ndarray, shape (K, P)
        Row k is ``flatten_params(loss_and_grad(net, params_k, X, Y)[1])``.
    """
    thetas = _check_thetas(check_net(net), thetas)
    X_ = check_input(net, X, thetas.dtype)
    Y_ = check_targets(net, Y, n_samples(net, X_), thetas.dtype)
    stacked = _split(thetas, plan_of(net).shapes)
    with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
        losses = engine.loss(net, stacked, X_, Y_)
        grads = _backward(net, stacked, *_forward(net, stacked, X_), Y_)
    K = thetas.shape[0]
    return losses, np.concatenate([g.reshape(K, -1) for g in grads.values()], axis=1)


def batched_loss_from(
    net: MLP, stacked: Mapping[str, Any], A_prev: Any, Y: Any, *, start: int
) -> FloatArray:
    """Losses of K parameter sets that differ only in layers ``start`` ... L.

    Parameters
    ----------
    net : MLP
    stacked : dict
        ``{"W{start}", "b{start}", ..., "WL", "bL"}``, each of shape (K, *shape) where shape
        is ``net.param_shapes()[key]``; one float dtype.
    A_prev : ndarray
        Input of layer ``start``: ``cache.A[start - 1]`` from `numeric.forward` (X when
        start == 1), shape (n_{start-1}, m) for layout="columns" or (m, n_{start-1}) for "rows",
        optionally with a leading K axis. Cast to the dtype of ``stacked``.
    Y : ndarray
        Targets as in `numeric.forward` (the cache's dense ``cache.Y`` works too).
    start : int
        First layer to evaluate, 1 <= start <= L.

    Returns
    -------
    ndarray, shape (K,)
        The loss for each k, equal to a full `numeric.forward` with the layers below ``start``
        unchanged and layers >= start from ``stacked[...][k]``.

    Raises
    ------
    ValueError
        ``start`` out of range, missing or extra keys, shapes or K that disagree.

    Notes
    -----
    Validation is one pass over the arguments; the computation is one stacked forward pass
    over L - start + 1 layers. A checker perturbing layer l evaluates all 2 P_l perturbations
    with a single call.
    """
    check_net(net)
    L = net.n_layers
    if isinstance(start, bool) or not isinstance(start, int | np.integer) or not 1 <= start <= L:
        raise ValueError(f"start={start!r} is out of range: 1 <= start <= L = {L} is expected.")
    shapes = {k: s for k, s in net.param_shapes().items() if int(k[1:]) >= start}
    if not isinstance(stacked, Mapping) or set(stacked) != set(shapes):
        keys = list(stacked) if isinstance(stacked, Mapping) else type(stacked).__name__
        raise ValueError(
            f"stacked has keys {keys}, but start={start} needs exactly {list(shapes)}."
        )
    arrays: Params = {}
    K, dtype = None, None
    for key, shape in shapes.items():
        arr = as_float_array(stacked[key], f"stacked[{key!r}]")
        K = arr.shape[0] if K is None and arr.ndim else K
        dtype = arr.dtype if dtype is None else dtype
        if arr.shape != (K, *shape) or arr.dtype != dtype:
            raise ValueError(
                f"stacked[{key!r}] has shape {arr.shape} and dtype {arr.dtype}, but "
                f"(K, *{shape}) = {(K, *shape)} in {dtype} is expected (layout={net.layout!r})."
            )
        check_finite(arr, f"stacked[{key!r}]")
        arrays[key] = arr
    A = check_input(
        net, A_prev, dtype, name="A_prev", n_in=net.sizes[start - 1], stacked=True,
        hint=f" A_prev is the input of layer {start}: cache.A[{start - 1}] from forward().",
    )
    if A.ndim == 3 and A.shape[0] not in (1, K):
        raise ValueError(f"A_prev has a leading axis of {A.shape[0]}, but stacked has K = {K}.")
    Y_ = check_targets(net, Y, n_samples(net, A), dtype)
    with np.errstate(invalid="ignore"):  # see numeric.mlp._BLAS_NOTE
        return engine.loss(net, arrays, A, Y_, start=start)
