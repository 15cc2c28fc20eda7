"""Activation functions, each forward next to its backward.

Every ``*_backward`` returns dL/dZ given the upstream gradient ``dA = dL/dA`` and what the forward
pass saved (``Z`` or ``A``), so the local derivative reads like the line in the seed. All functions
work elementwise on arrays of any shape except `softmax`, which normalises along ``axis`` (the
class axis: ``-2`` for ``layout="columns"``, ``-1`` for ``layout="rows"``; leading batch axes are
fine). The dtype of the input is kept: float32 stays float32.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from numeric._types import FloatArray


def sigmoid(Z: FloatArray, *, out: FloatArray | None = None) -> FloatArray:
    """Logistic function 1 / (1 + exp(-Z)), exact and warning-free for any Z.

    Parameters
    ----------
    Z : ndarray, any shape
    out : ndarray or None
        Where to write the result (``out=Z`` works, NumPy style); None allocates.

    Returns
    -------
    ndarray, shape of Z, dtype of Z (float64 for integer input)
        Values in [0, 1].

    Notes
    -----
    For Z below about -88 (float32) or -709 (float64), ``exp(-Z)`` overflows to ``inf`` and
    ``1 / (1 + inf)`` is 0, the correctly rounded result; that overflow is expected, so its
    warning is silenced here (and only here). Nothing else can go wrong: no NaN for any Z,
    including ``|Z| = 1e3`` in float32, and the relative error stays at a few ulps on both
    tails (unlike ``1 - sigmoid(-Z)``, which loses the tiny values). One buffer is allocated
    and updated in place: fresh temporaries cost page faults on large stacked batches.
    In floating point ``sigmoid(Z)`` rounds to exactly 1 for Z above about 17 (float32) or
    37 (float64); use the from-logits losses rather than ``log(sigmoid(Z))``.

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    Z = np.asarray(Z)
    E = np.empty(Z.shape, dtype=Z.dtype if Z.dtype.kind == "f" else np.float64) if out is None \
        else out
    np.negative(Z, out=E)
    with np.errstate(over="ignore"):  # exp(1000) = inf is fine: 1 / (1 + inf) = 0 exactly
        np.exp(E, out=E)
    E += 1.0
    return np.divide(1.0, E, out=E)


def softplus(Z: FloatArray) -> FloatArray:
    """log(1 + exp(Z)) as max(Z, 0) + log1p(exp(-|Z|)): no overflow, no cancellation.

    Equal to ``np.logaddexp(0, Z)`` to the last bit or two, and several times faster on large
    arrays. It is the per-sample BCE from logits: -log(sigmoid(-Z)).
    """
    Z = np.asarray(Z)
    E = np.abs(Z)
    np.negative(E, out=E)
    np.exp(E, out=E)  # in (0, 1]
    np.log1p(E, out=E)
    E += np.maximum(Z, 0)
    return E


def sigmoid_backward(dA: FloatArray, A: FloatArray) -> FloatArray:
    """dL/dZ for A = sigmoid(Z), given dL/dA and the forward output A (seed 000: A(1 - A))."""
    return dA * A * (1.0 - A)


def tanh(Z: FloatArray, *, out: FloatArray | None = None) -> FloatArray:
    """Hyperbolic tangent, elementwise; saturates to +-1 without overflow. ``out`` as in NumPy."""
    return np.tanh(Z, out=out)


def tanh_backward(dA: FloatArray, A: FloatArray) -> FloatArray:
    """dL/dZ for A = tanh(Z), given dL/dA and the forward output A: dA (1 - A^2)."""
    return dA * (1.0 - A * A)


def relu(Z: FloatArray, *, out: FloatArray | None = None) -> FloatArray:
    """Rectified linear unit max(Z, 0), elementwise. ``out`` as in NumPy (``out=Z`` works)."""
    Z = np.asarray(Z)
    # Against a row of zeros rather than the scalar 0: NumPy's loop for a broadcast scalar
    # is 1.5-2.5x slower on large arrays (60 vs 39 us, float64, 256 x 512, in place).
    return np.maximum(Z, np.zeros(Z.shape[-1:], dtype=Z.dtype), out=out)


def relu_backward(dA: FloatArray, Z: FloatArray) -> FloatArray:
    """dL/dZ for A = relu(Z), given dL/dA and the pre-activation Z.

    Notes
    -----
    ReLU has a kink at 0; the derivative there is taken as 0, as in seed 002
    (``da1[z1 <= 0] = 0``). Finite differences across the kink disagree with any one-sided
    choice, so compare gradients only where ``|Z|`` is clearly away from 0.
    """
    return dA * (Z > 0)


def leaky_relu(
    Z: FloatArray, *, slope: float = 0.01, out: FloatArray | None = None
) -> FloatArray:
    """Leaky ReLU: Z where Z > 0, ``slope * Z`` elsewhere. ``out`` as in NumPy (``out=Z`` works)."""
    if out is None:
        return np.where(Z > 0, Z, slope * Z)
    if out is not Z:
        np.copyto(out, Z)
    return np.multiply(out, slope, out=out, where=out <= 0)


def leaky_relu_backward(dA: FloatArray, Z: FloatArray, *, slope: float = 0.01) -> FloatArray:
    """dL/dZ for A = leaky_relu(Z): dA where Z > 0, ``slope * dA`` elsewhere (0 counts as < 0)."""
    return np.where(Z > 0, dA, slope * dA)


def identity(Z: FloatArray) -> FloatArray:
    """Linear output A = Z (seed 003, regression); returns Z itself, not a copy."""
    return Z


def identity_backward(dA: FloatArray) -> FloatArray:
    """dL/dZ for A = Z: dA unchanged."""
    return dA


def softmax(Z: FloatArray, *, axis: int = -1) -> FloatArray:
    """Softmax along ``axis``, shifted by the maximum so no exponent is positive.

    Parameters
    ----------
    Z : ndarray
        Logits. The class axis is ``axis``: ``-1`` for layout="rows" (seed 002, (m, n)),
        ``-2`` for layout="columns" ((n, m)).
    axis : int
        Class axis.

    Returns
    -------
    ndarray, shape and dtype of Z
        Probabilities summing to 1 along ``axis``.

    Examples
    --------
    >>> import numpy as np
    >>> P = softmax(np.array([[1000.0, 0.0, -1000.0]]))   # no overflow
    >>> np.round(P, 3).tolist()
    [[1.0, 0.0, 0.0]]
    """
    E = Z - np.max(Z, axis=axis, keepdims=True)  # shift by the max: exp(<= 0) <= 1
    np.exp(E, out=E)
    E /= np.sum(E, axis=axis, keepdims=True)
    return E


def softmax_backward(dA: FloatArray, A: FloatArray, *, axis: int = -1) -> FloatArray:
    """dL/dZ for A = softmax(Z) along ``axis``: A * (dA - sum(dA * A, axis)).

    This is the Jacobian-vector product of the softmax, used when softmax feeds a loss other
    than cross-entropy; softmax followed by cross-entropy uses the fused dZ = P - onehot(Y).
    """
    return A * (dA - np.sum(dA * A, axis=axis, keepdims=True))


def log_softmax(Z: FloatArray, *, axis: int = -1) -> FloatArray:
    """log(softmax(Z)) along ``axis``, computed as shifted - log(sum(exp(shifted)))."""
    shifted = Z - np.max(Z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """One activation function with its derivative, in a uniform calling convention.

    Attributes
    ----------
    name : str
        Registry key.
    forward : callable
        ``forward(Z, *, axis, slope) -> A``.
    backward : callable
        ``backward(dA, Z, A, *, axis, slope) -> dZ``.
    elementwise : bool
        False only for softmax, whose outputs couple along the class ``axis``.

    Notes
    -----
    ``axis`` is the class axis (used by softmax only); ``slope`` is the leaky-ReLU slope (used
    by leaky_relu only). Each function ignores the arguments it does not need.
    """

    name: str
    forward: Callable[..., FloatArray]
    backward: Callable[..., FloatArray]
    elementwise: bool = True

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


ACTIVATIONS: Mapping[str, Activation] = MappingProxyType(
    {
        "sigmoid": Activation(
            "sigmoid",
            lambda Z, *, axis=-1, slope=0.01: sigmoid(Z),
            lambda dA, Z, A, *, axis=-1, slope=0.01: sigmoid_backward(dA, A),
        ),
        "tanh": Activation(
            "tanh",
            lambda Z, *, axis=-1, slope=0.01: tanh(Z),
            lambda dA, Z, A, *, axis=-1, slope=0.01: tanh_backward(dA, A),
        ),
        "relu": Activation(
            "relu",
            lambda Z, *, axis=-1, slope=0.01: relu(Z),
            lambda dA, Z, A, *, axis=-1, slope=0.01: relu_backward(dA, Z),
        ),
        "leaky_relu": Activation(
            "leaky_relu",
            lambda Z, *, axis=-1, slope=0.01: leaky_relu(Z, slope=slope),
            lambda dA, Z, A, *, axis=-1, slope=0.01: leaky_relu_backward(dA, Z, slope=slope),
        ),
        "identity": Activation(
            "identity",
            lambda Z, *, axis=-1, slope=0.01: identity(Z),
            lambda dA, Z, A, *, axis=-1, slope=0.01: identity_backward(dA),
        ),
        "softmax": Activation(
            "softmax",
            lambda Z, *, axis=-1, slope=0.01: softmax(Z, axis=axis),
            lambda dA, Z, A, *, axis=-1, slope=0.01: softmax_backward(dA, A, axis=axis),
            elementwise=False,
        ),
    }
)
"""Activations by name: "sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"."""
