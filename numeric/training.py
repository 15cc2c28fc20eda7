"""Gradient descent training: full batch, stochastic and minibatch (seed 001), with L2.

The objective is the network's loss plus ``l2 / 2 * sum(W ** 2)`` over all weight matrices
(biases are not regularised). Updates are ``theta <- theta - lr * grad`` on new arrays; the
parameters passed in are never modified.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from numeric import engine
from numeric._types import FloatArray
from numeric._validate import (
    check_choice,
    check_nonnegative_float,
    check_positive_int,
    check_rng,
)
from numeric.mlp import (
    MLP,
    Params,
    add_l2,
    check_input,
    check_net,
    check_params,
    check_targets,
    n_samples,
    params_dtype,
)
from numeric.objective import Objective

Method = Literal["gd", "sgd", "minibatch"]
METHODS = ("gd", "sgd", "minibatch")


class TrainingDiverged(ValueError):
    """Training stopped because the loss or a gradient stopped being finite.

    A ValueError because the usual cause is an argument: a learning rate too large for the
    problem (or no L2 on a problem that needs it).

    Attributes
    ----------
    epoch : int
        The epoch (1-based; 0 for the initial evaluation) in which it happened.
    step : int
        The update within that epoch (1-based; 0 for the evaluation before any update).
    lr : float
        The learning rate.
    history : ndarray, shape (epoch,)
        The finite part of the objective's history: ``history[e]`` after epoch e, as in
        `TrainResult`, up to the last complete epoch.
    params : dict
        The last parameters whose loss and gradients were finite (new arrays).
    """

    def __init__(self, message: str, *, epoch: int, step: int, lr: float,
                 history: FloatArray, params: Params) -> None:
        super().__init__(message)
        self.epoch, self.step, self.lr = epoch, step, lr
        self.history, self.params = history, params


@dataclass(frozen=True, eq=False)
class TrainResult:
    """Outcome of `train`.

    Attributes
    ----------
    params : dict
        Trained parameters (new arrays, same keys, shapes and dtype as the initial ones).
    history : ndarray, shape (epochs + 1,)
        Objective (loss + L2 term) on the whole training set: ``history[0]`` before training,
        ``history[e]`` after epoch e. dtype of the parameters.
    """

    params: Params
    history: FloatArray

    @property
    def final_loss(self) -> float:
        """Objective after the last epoch."""
        return float(self.history[-1])

    def __str__(self) -> str:
        epochs = len(self.history) - 1
        return (
            f"TrainResult: {epochs} epochs, objective {float(self.history[0]):.6g} -> "
            f"{self.final_loss:.6g} ({self.history.dtype})"
        )

    def __repr__(self) -> str:
        return f"TrainResult(epochs={len(self.history) - 1}, final_loss={self.final_loss:.6g})"


def train(
    net: MLP,
    params: Mapping[str, Any],
    X: Any,
    Y: Any,
    *,
    method: Method = "gd",
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    l2: float = 0.0,
    rng: np.random.Generator | int | None = None,
) -> TrainResult:
    """Train ``net`` from ``params`` by gradient descent.

    Parameters
    ----------
    net : MLP
    params : dict
        Initial parameters (not modified).
    X, Y
        Training data as in `numeric.forward`.
    method : {"gd", "sgd", "minibatch"}
        "gd": one update per epoch on the full batch (seed 001's "vanilla" gradient descent);
        "sgd": one update per sample; "minibatch": one per batch of ``batch_size`` samples.
        "sgd" and "minibatch" visit the samples in a fresh random order every epoch (the last
        batch may be smaller).
    lr : float
        Learning rate, > 0.
    epochs : int
        Number of passes over the data, >= 0.
    batch_size : int or None
        Required for "minibatch" (1 <= batch_size <= m); must be None (or 1 for "sgd") otherwise.
    l2 : float
        L2 strength lambda >= 0: adds lambda/2 * sum(W**2) to each step's objective.
    rng : numpy.random.Generator, int or None
        Shuffling; normalised once with ``np.random.default_rng``. Same seed, same history.

    Returns
    -------
    TrainResult
        Trained parameters and the objective after each epoch.

    Raises
    ------
    ValueError, TypeError
        Invalid data (as in `numeric.forward`), method, lr, epochs, batch_size, l2 or rng;
        a batch_size that conflicts with the method names both.
    TrainingDiverged
        The loss or a gradient became NaN or infinite (usually: ``lr`` too large). The
        message names the epoch, the step and the rate; the exception carries the finite
        part of the history and the last finite parameters.

    Notes
    -----
    With reduction="mean" each step's loss is the mean over its batch, so the step size does
    not grow with the batch. ``history`` is measured on the full data after each epoch, one
    extra forward pass per epoch for "sgd" and "minibatch".

    Examples
    --------
    >>> from numeric import MLP, init_params, two_class
    >>> net = MLP((2, 4, 1), hidden="tanh")
    >>> X, Y = two_class(40, rng=0)
    >>> result = train(net, init_params(net, rng=0), X, Y, lr=0.5, epochs=50)
    >>> bool(result.history[-1] < result.history[0])
    True
    """
    params_ = check_params(check_net(net), params)
    dtype = params_dtype(params_)
    X_ = check_input(net, X, dtype)
    m = n_samples(net, X_)
    Y_ = check_targets(net, Y, m, dtype)
    check_choice(method, METHODS, "method")
    lr = check_nonnegative_float(lr, "lr", positive=True)
    epochs = check_positive_int(epochs, "epochs", allow_zero=True)
    l2 = check_nonnegative_float(l2, "l2")
    size = _batch_size(method, batch_size, m)
    gen = check_rng(rng)

    current = dict(params_)  # new dict; arrays are replaced, never written into
    history = np.empty(epochs + 1, dtype=dtype)
    guard = _Guard(lr, history, method)
    # overflow and NaN are caught as a non-finite loss or gradient (TrainingDiverged), not
    # warned about on the way there
    objective = Objective(net, X_, Y_, l2=l2)  # the full data, validated once
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if size == m:  # full batch: the step's own forward pass gives the history entry
            loss, grads = objective(current)
            guard.check(loss, grads, current, 0, 0)
            history[0] = loss
            for epoch in range(1, epochs + 1):
                new = _update(current, grads, lr)
                loss, grads = _step(objective, new)
                guard.check(loss, grads, current, epoch, 1)
                current, history[epoch] = new, loss
            return TrainResult(current, history)
        history[0] = guard.check(objective.loss(current), None, current, 0, 0)
        for epoch in range(1, epochs + 1):
            order = gen.permutation(m)
            for step, begin in enumerate(range(0, m, size), start=1):
                idx = order[begin : begin + size]
                loss, grads = engine.loss_and_grad(
                    net, current, _take(net, X_, idx), _take(net, Y_, idx)
                )
                loss, grads = add_l2(loss, grads, current, l2)
                guard.check(loss, grads, current, epoch, step)
                previous, current = current, _update(current, grads, lr)
            history[epoch] = guard.check(_loss(objective, current), None, previous, epoch, step)
    return TrainResult(current, history)


def _step(objective: Objective, params: Params) -> tuple[FloatArray, Params]:
    """``objective(params)``, or a NaN loss if the parameters are no longer finite."""
    try:
        return objective(params)
    except ValueError:  # params hold inf or NaN: the guard reports the divergence
        return np.asarray(np.nan, dtype=next(iter(params.values())).dtype)[()], params


def _loss(objective: Objective, params: Params) -> FloatArray:
    """``objective.loss(params)``, or a NaN loss if the parameters are no longer finite."""
    try:
        return objective.loss(params)
    except ValueError:
        return np.asarray(np.nan, dtype=next(iter(params.values())).dtype)[()]


@dataclass(frozen=True)
class _Guard:
    """Raises `TrainingDiverged` at the first non-finite loss or gradient."""

    lr: float
    history: FloatArray
    method: str

    def check(self, loss: FloatArray, grads: Params | None, last: Params, epoch: int,
              step: int) -> FloatArray:
        """Return ``loss`` if it and every gradient are finite; else raise."""
        if math.isfinite(loss) and (
            grads is None or math.isfinite(sum(float(np.vdot(g, g)) for g in grads.values()))
        ):
            return loss
        what = "loss" if not math.isfinite(loss) else "gradient"
        where = "at the initial parameters" if epoch == 0 else f"in epoch {epoch}, step {step}"
        raise TrainingDiverged(
            f"training diverged {where}: the {what} is {_describe(loss, grads)} with "
            f"lr={self.lr:g} (method={self.method!r}). Try a smaller learning rate, e.g. "
            f"lr={self.lr / 10:g}; the history so far is on this exception's .history.",
            epoch=epoch, step=step, lr=self.lr,
            history=self.history[:epoch].copy(), params=dict(last),
        )


def _describe(loss: FloatArray, grads: Params | None) -> str:
    """'nan', 'inf', or which gradient holds the first non-finite entry."""
    if not math.isfinite(loss) or grads is None:
        return str(float(loss))
    for key, g in grads.items():
        if not np.isfinite(g).all():
            return f"non-finite in d{key}"
    return "non-finite (its sum of squares overflows)"


def _batch_size(method: str, batch_size: Any, m: int) -> int:
    """Samples per update for ``method``, checking ``batch_size`` against it."""
    if method == "minibatch":
        if batch_size is None:
            raise ValueError("method='minibatch' needs batch_size (an int, 1 <= batch_size <= m).")
        size = check_positive_int(batch_size, "batch_size")
        if size > m:
            raise ValueError(f"batch_size={size} exceeds the number of samples m = {m}.")
        return size
    if method == "sgd":
        if batch_size not in (None, 1):
            raise ValueError(
                f"method='sgd' uses batch_size 1, but batch_size={batch_size!r} was given; "
                "use method='minibatch' for larger batches."
            )
        return 1
    if batch_size is not None:
        raise ValueError(
            f"method='gd' uses the full batch, but batch_size={batch_size!r} was given; "
            "use method='minibatch' with batch_size, or drop batch_size."
        )
    return m


def _take(net: MLP, A: FloatArray, idx: np.ndarray) -> FloatArray:
    """The samples ``idx`` of A (columns or rows, by layout)."""
    return A[:, idx] if net.layout == "columns" else A[idx]


def _update(params: Params, grads: Params, lr: float) -> Params:
    """One gradient step, theta - lr * grad, into new arrays."""
    return {key: params[key] - lr * grads[key] for key in params}
