"""Activation functions, each forward next to its backward, and the registry of their objects.

Every ``*_backward`` returns dL/dZ given the upstream gradient ``dA = dL/dA`` and what the forward
pass saved (``Z`` or ``A``), so the local derivative reads like the line in the seed. All functions
work elementwise on arrays of any shape except `softmax`, which normalises along ``axis`` (the
class axis: ``-2`` for ``layout="columns"``, ``-1`` for ``layout="rows"``; leading batch axes are
fine). The dtype of the input is kept: float32 stays float32.

Each activation is also an `Activation` object in `ACTIVATIONS`, which owns every form of it
that a pass uses: ``forward``/``backward`` (the functions above), the in-place forms
``forward_``/``backward_`` of `numeric.engine` (the same formulas written into the arrays they
are given), the stacked form ``forward_negated_`` where one exists, and the initialisation gain.
Adding an activation is one class here and its test.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import numpy as np

from numeric._types import FloatArray

# exp(cap) is finite in the dtype, and sigmoid(Z) rounds to exactly 1 long before Z = cap
# (Z = 37 in float64, 17 in float32, 8 in float16): capping Z there changes no result.
_EXP_CAP = {
    np.dtype(t): np.array(np.floor(np.log(np.finfo(t).max)) - 1, dtype=t)
    for t in (np.float16, np.float32, np.float64)
}
# 0-d constants per dtype: a ufunc takes one faster than a Python float (no conversion).
_ONE = {np.dtype(t): np.ones((), dtype=t) for t in (np.float16, np.float32, np.float64)}


def sigmoid(Z: FloatArray, *, out: FloatArray | None = None) -> FloatArray:
    """Logistic function e^Z / (1 + e^Z) = 1 / (1 + e^-Z), exact and warning-free for any Z.

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
    Computed as E / (1 + E) with E = exp(min(Z, cap)), where exp(cap) is finite in the dtype:
    no overflow and no warning for any Z (including ``|Z| = 1e3`` in float32), and a
    relative error of a few ulps on both tails (unlike ``1 - sigmoid(-Z)``, which loses the
    tiny values). The cap changes no result: sigmoid(Z) is exactly 1 in floating point from
    Z = 37 (float64) or 17 (float32) on. Use the from-logits losses rather than
    ``log(sigmoid(Z))``.

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    Z = np.asarray(Z)
    dtype = Z.dtype if Z.dtype.kind == "f" else np.dtype(np.float64)
    E = np.empty(Z.shape, dtype=dtype) if out is None else out
    return _sigmoid_into(Z, E, np.empty(Z.shape, dtype=dtype))


def _sigmoid_into(Z: FloatArray, A: FloatArray, D: FloatArray) -> FloatArray:
    """sigmoid(Z) written into A (which may be Z), with 1 + exp(Z) left in D."""
    np.minimum(Z, _EXP_CAP[A.dtype], out=A)
    np.exp(A, out=A)
    np.add(A, _ONE[A.dtype], out=D)
    return np.divide(A, D, out=A)


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
    # is slower on large arrays.
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


def softmax(Z: FloatArray, *, axis: int = -1, out: FloatArray | None = None) -> FloatArray:
    """Softmax along ``axis``, shifted by the maximum so no exponent is positive.

    Parameters
    ----------
    Z : ndarray
        Logits. The class axis is ``axis``: ``-1`` for layout="rows" (seed 002, (m, n)),
        ``-2`` for layout="columns" ((n, m)).
    axis : int
        Class axis.
    out : ndarray or None
        Where to write the result (``out=Z`` works); None allocates.

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
    E = np.subtract(Z, np.max(Z, axis=axis, keepdims=True), out=out)  # exp(<= 0) <= 1
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


# ---------------------------------------------------------------------------------------------
# The objects: one per activation, owning every form of it.
# ---------------------------------------------------------------------------------------------


class Activation:
    """One activation function with every form of it the passes use.

    Attributes
    ----------
    name : str
        Registry key.
    elementwise : bool
        False only for softmax, whose outputs couple along the class ``axis``.
    hidden : bool
        Whether it makes sense in a hidden layer (softmax is an output activation).
    kinked : bool
        Not differentiable at Z = 0 (relu, leaky_relu): finite differences there disagree.
    gain : float
        Variance gain of the default initialisation, std = sqrt(gain / n_in) (He for ReLUs).
    keeps : bool
        Whether ``forward_`` needs an ``aux`` array (of Z's shape) that ``backward_`` reads.
    negated : bool
        Whether ``forward_negated_`` is cheaper than negating first (the stacked losses then
        produce -Z in their GEMM).
    min_units : int
        Fewest units a layer of it needs (a softmax over one unit is constant).

    Notes
    -----
    Calling conventions, uniform so that a pass never switches on the name: ``axis`` is the
    class axis (softmax only), ``slope`` the leaky-ReLU slope (leaky_relu only); each method
    ignores what it does not need.

    - ``forward(Z, *, axis, slope) -> A`` and ``backward(dA, Z, A, *, axis, slope) -> dZ``:
      the module's functions, new arrays, inputs untouched (`numeric.forward`/`backward`).
    - ``forward_(Z, aux, axis, slope) -> A`` writes A into Z (and what ``backward_`` needs
      into ``aux``); ``backward_(dA, A, aux, axis, slope) -> dZ`` writes dZ into dA and may
      overwrite A. They read A, never Z: Z is gone once A is written over it. (Positional:
      the engine calls them per layer, where keyword passing costs.)
    - ``forward_negated_(E, *, axis, slope) -> A`` from E = -Z, into E (the stacked losses
      produce -Z inside their GEMM where ``negated`` is True; the default negates first).
    """

    name: ClassVar[str]
    elementwise: ClassVar[bool] = True
    hidden: ClassVar[bool] = True
    kinked: ClassVar[bool] = False
    gain: ClassVar[float] = 1.0
    keeps: ClassVar[bool] = False
    negated: ClassVar[bool] = False
    min_units: ClassVar[int] = 1

    def forward(self, Z: FloatArray, *, axis: int = -1, slope: float = 0.01) -> FloatArray:
        """A = f(Z), a new array."""
        raise NotImplementedError

    def backward(self, dA: FloatArray, Z: FloatArray, A: FloatArray, *, axis: int = -1,
                 slope: float = 0.01) -> FloatArray:
        """Return dZ = f'(Z) * dA (the Jacobian-vector product for softmax), a new array."""
        raise NotImplementedError

    def forward_(self, Z: FloatArray, aux: FloatArray | None, axis: int = -1,
                 slope: float = 0.01) -> FloatArray:
        """A = f(Z) written into Z; ``aux`` (when ``keeps``) receives what backward_ needs."""
        raise NotImplementedError

    def backward_(self, dA: FloatArray, A: FloatArray, aux: FloatArray | None,
                  axis: int = -1, slope: float = 0.01) -> FloatArray:
        """Return dZ written into dA, from A = f(Z) (and ``aux``); A may be overwritten."""
        raise NotImplementedError

    def forward_negated_(self, E: FloatArray, *, axis: int = -1,
                         slope: float = 0.01) -> FloatArray:
        """A = f(Z) written into E = -Z."""
        return self.forward_(np.negative(E, out=E), None, axis=axis, slope=slope)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


class Sigmoid(Activation):
    """sigmoid(Z) = e^Z / (1 + e^Z); seeds 000 and 001 (hidden and output)."""

    name = "sigmoid"
    keeps = True  # D = 1 + e^Z: sigmoid'(Z) = A (1 - A) = A / D, one division
    negated = True

    def forward(self, Z, *, axis=-1, slope=0.01):  # noqa: D102 -- as in Activation
        return sigmoid(Z)

    def backward(self, dA, Z, A, *, axis=-1, slope=0.01):  # noqa: D102
        return sigmoid_backward(dA, A)

    def forward_(self, Z, aux, axis=-1, slope=0.01):  # noqa: D102
        if aux is None:  # no backward follows: the form that needs no second buffer
            return self.forward_negated_(np.negative(Z, out=Z), axis=axis, slope=slope)
        return _sigmoid_into(Z, Z, aux)

    def backward_(self, dA, A, aux, axis=-1, slope=0.01):  # noqa: D102
        dA *= A  # seed 000: dA * A * (1 - A), with 1 - A = 1 / (1 + e^Z) = 1 / D
        dA /= aux
        return dA

    def forward_negated_(self, E, *, axis=-1, slope=0.01):  # noqa: D102
        # 1 / (1 + e^-Z) from E = -Z, the form without a second buffer (no backward follows)
        with np.errstate(over="ignore"):  # e^1000 = inf is fine: 1 / (1 + inf) = 0 exactly
            np.exp(E, out=E)
        E += _ONE[E.dtype]
        return np.divide(_ONE[E.dtype], E, out=E)


class Tanh(Activation):
    """tanh(Z); derivative 1 - A^2 from the output."""

    name = "tanh"

    def forward(self, Z, *, axis=-1, slope=0.01):  # noqa: D102
        return tanh(Z)

    def backward(self, dA, Z, A, *, axis=-1, slope=0.01):  # noqa: D102
        return tanh_backward(dA, A)

    def forward_(self, Z, aux, axis=-1, slope=0.01):  # noqa: D102
        return tanh(Z, out=Z)

    def backward_(self, dA, A, aux, axis=-1, slope=0.01):  # noqa: D102
        np.square(A, out=A)  # dA * (1 - A^2)
        np.subtract(_ONE[A.dtype], A, out=A)
        dA *= A
        return dA


class ReLU(Activation):
    """max(Z, 0); seed 002's and 003's hidden layers. Derivative 0 at the kink."""

    name = "relu"
    kinked = True
    gain = 2.0  # He initialisation

    def forward(self, Z, *, axis=-1, slope=0.01):  # noqa: D102
        return relu(Z)

    def backward(self, dA, Z, A, *, axis=-1, slope=0.01):  # noqa: D102
        return relu_backward(dA, Z)

    def forward_(self, Z, aux, axis=-1, slope=0.01):  # noqa: D102
        return relu(Z, out=Z)

    def backward_(self, dA, A, aux, axis=-1, slope=0.01):  # noqa: D102
        dA *= A > 0  # seed 002: da1[z1 <= 0] = 0; A > 0 exactly where Z > 0
        return dA


class LeakyReLU(Activation):
    """Z where Z > 0, ``slope * Z`` elsewhere (slope >= 0, so A > 0 exactly where Z > 0)."""

    name = "leaky_relu"
    kinked = True
    gain = 2.0

    def forward(self, Z, *, axis=-1, slope=0.01):  # noqa: D102
        return leaky_relu(Z, slope=slope)

    def backward(self, dA, Z, A, *, axis=-1, slope=0.01):  # noqa: D102
        return leaky_relu_backward(dA, Z, slope=slope)

    def forward_(self, Z, aux, axis=-1, slope=0.01):  # noqa: D102
        return leaky_relu(Z, slope=slope, out=Z)

    def backward_(self, dA, A, aux, axis=-1, slope=0.01):  # noqa: D102
        return np.multiply(dA, slope, out=dA, where=A <= 0)  # 0 counts as < 0


class Identity(Activation):
    """A = Z (seed 003's regression output)."""

    name = "identity"

    def forward(self, Z, *, axis=-1, slope=0.01):  # noqa: D102
        return identity(Z)

    def backward(self, dA, Z, A, *, axis=-1, slope=0.01):  # noqa: D102
        return identity_backward(dA)

    def forward_(self, Z, aux, axis=-1, slope=0.01):  # noqa: D102
        return Z

    def backward_(self, dA, A, aux, axis=-1, slope=0.01):  # noqa: D102
        return dA


class Softmax(Activation):
    """Softmax along the class axis (seed 002's output); couples the units."""

    name = "softmax"
    elementwise = False
    hidden = False
    min_units = 2  # over one unit it is the constant 1

    def forward(self, Z, *, axis=-1, slope=0.01):  # noqa: D102
        return softmax(Z, axis=axis)

    def backward(self, dA, Z, A, *, axis=-1, slope=0.01):  # noqa: D102
        return softmax_backward(dA, A, axis=axis)

    def forward_(self, Z, aux, axis=-1, slope=0.01):  # noqa: D102
        return softmax(Z, axis=axis, out=Z)

    def backward_(self, dA, A, aux, axis=-1, slope=0.01):  # noqa: D102
        dA -= np.sum(dA * A, axis=axis, keepdims=True)  # A * (dA - sum(dA * A))
        dA *= A
        return dA


ACTIVATIONS: Mapping[str, Activation] = MappingProxyType(
    {a.name: a for a in (Sigmoid(), Tanh(), ReLU(), LeakyReLU(), Identity(), Softmax())}
)
"""Activations by name: "sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"."""
