"""Losses with their gradients; every convention is a named argument.

Shapes follow the layout: the network output ``A`` is (n, m) for ``layout="columns"`` and (m, n)
for ``layout="rows"``, with n outputs (classes) and m samples; leading batch axes (a stacked K
axis) are allowed and give one loss per leading index. ``reduction`` says what the sum of the
per-entry losses is divided by:

- ``"mean"``: the number of samples m (seeds 000, 002, 003: ``-1/m sum ...``);
- ``"mean_all"``: samples x outputs, N*M (seed 001: ``1/(NM) sum sum 1/2 (y - yhat)^2``);
- ``"sum"``: nothing.

Each ``*_backward`` returns the gradient of the reduced loss with respect to its first argument
(probabilities, or logits when ``from_logits=True``), the reduction factor included.

Each loss is also a `Loss` object in `LOSSES`, which owns every form of it that a pass uses:
the value and gradient without validation, the fused value-and-gradient from the logits of
its output activation (where one cancels against it), the stacked-K form of the value, the
check of its targets, and what the strategies need to know to draw it. Adding a loss is one
class here and its test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from numeric._types import LAYOUTS, REDUCTIONS, FloatArray, Layout, Reduction, class_axis
from numeric._validate import (
    as_float_array,
    check_choice,
    check_distributions,
    check_finite,
    labels_to_onehot,
)
from numeric.activations import log_softmax, sigmoid, softmax

# ---------------------------------------------------------------------------------------------
# Cores: validated input, dense targets Y broadcastable to ``out``, reduction factor ``scale``.
# ---------------------------------------------------------------------------------------------


def reduction_scale(shape: tuple[int, ...], reduction: Reduction, layout: Layout) -> float:
    """The factor that turns a sum of per-entry losses into the requested reduction.

    ``shape`` is the (possibly stacked) output shape; the last two axes are (n, m) for
    layout="columns" and (m, n) for layout="rows".
    """
    n, m = (shape[-2], shape[-1]) if layout == "columns" else (shape[-1], shape[-2])
    if reduction == "mean":
        return 1.0 / m
    if reduction == "mean_all":
        return 1.0 / (m * n)
    return 1.0


# 0-d constants per dtype: a ufunc takes one faster than a Python float (no conversion),
# which matters on small arrays; the values are the same.
_ZERO = {np.dtype(t): np.zeros((), dtype=t) for t in (np.float32, np.float64)}
_ONE = {np.dtype(t): np.ones((), dtype=t) for t in (np.float32, np.float64)}
_MINUS_TWO = {np.dtype(t): np.full((), -2.0, dtype=t) for t in (np.float32, np.float64)}


def _total(x: FloatArray, scale: float) -> FloatArray:
    """Sum over the last two axes (outputs and samples) times ``scale`` (a float or 0-d array).

    The product takes ``float(scale)``: a NumPy scalar times a Python float is scalar math,
    far cheaper than a ufunc call with a 0-d array, and the same value.
    """
    return np.add.reduce(x, axis=None if x.ndim == 2 else (-2, -1)) * float(scale)


def _on_nonzero(ufunc: Any, x: FloatArray, y: FloatArray) -> FloatArray:
    """``ufunc(y)`` (unary) or ``ufunc(x, y)`` (binary) where ``x != 0``; 0 elsewhere, broadcast."""
    shape = np.broadcast_shapes(x.shape, y.shape)
    out = np.zeros(shape, dtype=np.result_type(x, y))
    x, y = np.broadcast_to(x, shape), np.broadcast_to(y, shape)
    args = (y,) if ufunc.nin == 1 else (x, y)
    with np.errstate(divide="ignore"):  # log(0) or 1/0 under a nonzero weight is a true inf
        return ufunc(*args, out=out, where=x != 0)


def _xlogy(x: FloatArray, y: FloatArray) -> FloatArray:
    """Compute x * log(y), with 0 where x == 0 (the limit of t log t at 0)."""
    return x * _on_nonzero(np.log, x, y)


def _xdivy(x: FloatArray, y: FloatArray) -> FloatArray:
    """Compute x / y, with 0 where x == 0."""
    return _on_nonzero(np.divide, x, y)


# ---------------------------------------------------------------------------------------------
# Public functions: validate, normalise targets, then call the cores.
# ---------------------------------------------------------------------------------------------


def _prepare(
    out: Any, Y: Any, reduction: str, layout: str, loss: Loss, *, name: str
) -> tuple[FloatArray, FloatArray, float]:
    """Validate the common arguments of the public losses; return (out, dense Y, scale)."""
    check_choice(reduction, REDUCTIONS, "reduction")
    check_choice(layout, LAYOUTS, "layout")
    out = as_float_array(out, name)
    if out.ndim < 2:
        raise ValueError(
            f"{name} has shape {out.shape}, but a 2-D output is needed: (n, m) for "
            "layout='columns', (m, n) for layout='rows' (optionally with leading batch axes)."
        )
    n, m = (out.shape[-2], out.shape[-1]) if layout == "columns" else (out.shape[-1], out.shape[-2])
    if m == 0:
        raise ValueError(f"{name} has shape {out.shape}: the batch is empty (m = 0 samples).")
    if n < loss.min_outputs:
        raise ValueError(
            f"{name} has shape {out.shape}: n = {n} class for layout={layout!r}, but "
            f"{loss.title} needs at least {loss.min_outputs} (over one class it is always 0); "
            "for two classes use binary_cross_entropy on one output."
        )
    Y_arr = np.asarray(Y)
    if loss.labels and Y_arr.ndim == 1:
        if Y_arr.shape[0] != m:
            raise ValueError(f"Y has {Y_arr.shape[0]} labels, but {name} has m = {m} samples.")
        onehot = labels_to_onehot(Y_arr, n, out.dtype, "Y")
        dense = onehot if layout == "columns" else onehot.T
    else:
        dense = as_float_array(Y_arr, "Y", dtype=out.dtype)
        if dense.shape != out.shape[-2:]:
            what = "integer labels (m,) or one-hot targets" if loss.labels else "targets"
            raise ValueError(
                f"Y has shape {dense.shape}, but {name} has shape {out.shape}; {what} of shape "
                f"{out.shape[-2:]} are expected for layout={layout!r}."
            )
        loss.check_targets(dense, class_axis(layout))  # type: ignore[arg-type]
    return out, dense, reduction_scale(out.shape, reduction, layout)  # type: ignore[arg-type]


def binary_cross_entropy(
    A: FloatArray,
    Y: FloatArray,
    *,
    from_logits: bool = False,
    reduction: Reduction = "mean",
    layout: Layout = "columns",
) -> FloatArray:
    """Binary cross-entropy -sum[Y log A + (1 - Y) log(1 - A)], reduced.

    Parameters
    ----------
    A : ndarray, shape (n, m) for layout="columns", (m, n) for "rows"
        Probabilities in [0, 1], or logits Z when ``from_logits=True``. Leading batch axes allowed.
    Y : ndarray, shape of the last two axes of A
        Targets in [0, 1].
    from_logits : bool
        Take A as logits and compute log(1 + e^Z) - Y Z with a stable log-sum-exp, finite
        for any Z.
    reduction : {"mean", "mean_all", "sum"}
        Divide the sum by m ("mean", seeds 000 and 003), by m*n ("mean_all") or not at all.
    layout : {"columns", "rows"}

    Returns
    -------
    float scalar (or array of the leading batch axes), dtype of A

    Raises
    ------
    ValueError
        Bad reduction or layout, empty batch, or Y's shape does not match A's.
    TypeError
        A or Y is not a float array.

    Notes
    -----
    From probabilities, an A of exactly 0 or 1 on the wrong side gives an infinite loss; logits
    never do. Prefer ``from_logits=True`` whenever the logits are at hand.

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[1000.0, -1000.0, 0.0]])
    >>> float(binary_cross_entropy(Z, np.array([[1.0, 0.0, 1.0]]), from_logits=True))  # ln2/3
    0.23104906018664842
    """
    out, dense, scale = _prepare(A, Y, reduction, layout, BCE, name="A")
    return BCE.value(out, dense, scale, from_logits=from_logits)


def binary_cross_entropy_backward(
    A: FloatArray,
    Y: FloatArray,
    *,
    from_logits: bool = False,
    reduction: Reduction = "mean",
    layout: Layout = "columns",
) -> FloatArray:
    """Gradient of `binary_cross_entropy` with respect to A (or to the logits).

    Returns ``(-Y/A + (1 - Y)/(1 - A)) * scale`` from probabilities (seed 000's red line), and
    ``(sigmoid(Z) - Y) * scale`` from logits, where scale is 1/m, 1/(m n) or 1 by ``reduction``.
    Arguments as in `binary_cross_entropy`; the result has A's shape and dtype.
    """
    out, dense, scale = _prepare(A, Y, reduction, layout, BCE, name="A")
    return BCE.grad(out, dense, scale, from_logits=from_logits)


def categorical_cross_entropy(
    P: FloatArray,
    Y: Any,
    *,
    from_logits: bool = False,
    reduction: Reduction = "mean",
    layout: Layout = "columns",
) -> FloatArray:
    """Categorical cross-entropy -sum_i log P[y_i, i], reduced.

    Parameters
    ----------
    P : ndarray, shape (n, m) for layout="columns", (m, n) for "rows"
        Class probabilities, or logits when ``from_logits=True`` (then log-softmax is computed
        shifted by the max, stable for any logits). Leading batch axes allowed.
    Y : ndarray
        Integer labels of shape (m,) with values in [0, n), or one-hot (or soft) targets with
        the shape of P's last two axes.
    from_logits : bool
    reduction : {"mean", "mean_all", "sum"}
        Seed 002 divides by m ("mean").
    layout : {"columns", "rows"}

    Returns
    -------
    float scalar (or array of the leading batch axes), dtype of P

    Raises
    ------
    ValueError
        Labels out of range, bad shapes, reduction or layout, empty batch.
    TypeError
        Labels that are not integers; P not a float array.

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.zeros((2, 3))   # rows layout: 2 samples, 3 classes, uniform
    >>> bool(np.isclose(categorical_cross_entropy(Z, np.array([0, 2]), from_logits=True,
    ...                                           layout="rows"), np.log(3)))
    True
    """
    out, dense, scale = _prepare(P, Y, reduction, layout, CE, name="P")
    return CE.value(out, dense, scale, axis=class_axis(layout), from_logits=from_logits)


def categorical_cross_entropy_backward(
    P: FloatArray,
    Y: Any,
    *,
    from_logits: bool = False,
    reduction: Reduction = "mean",
    layout: Layout = "columns",
) -> FloatArray:
    """Gradient of `categorical_cross_entropy` with respect to P (or to the logits).

    From logits: ``(softmax(Z) - onehot(Y)) * scale`` (seed 002's ``dz2``, without writing into
    the probabilities); from probabilities: ``-Y / P * scale``. Arguments as in
    `categorical_cross_entropy`; the result has P's shape and dtype.
    """
    out, dense, scale = _prepare(P, Y, reduction, layout, CE, name="P")
    return CE.grad(out, dense, scale, axis=class_axis(layout), from_logits=from_logits)


def mean_squared_error(
    A: FloatArray,
    Y: FloatArray,
    *,
    half: bool = False,
    reduction: Reduction = "mean",
    layout: Layout = "columns",
) -> FloatArray:
    """Squared error sum (A - Y)^2, times 1/2 if ``half``, reduced.

    Parameters
    ----------
    A : ndarray, shape (n, m) for layout="columns", (m, n) for "rows"
        Predictions (leading batch axes allowed).
    Y : ndarray, shape of A's last two axes
    half : bool
        Multiply by 1/2 (seeds 001 and 003).
    reduction : {"mean", "mean_all", "sum"}
        Seed 001: ``half=True, reduction="mean_all"`` (1/(N M) sum 1/2 (y - yhat)^2);
        seed 003: ``half=True, reduction="mean"`` (1/(2m) sum (yhat - y)^2).
    layout : {"columns", "rows"}

    Returns
    -------
    float scalar (or array of the leading batch axes), dtype of A

    Examples
    --------
    >>> import numpy as np
    >>> A, Y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2))
    >>> float(mean_squared_error(A, Y, half=True, reduction="mean_all"))  # 30 / 2 / 4
    3.75
    """
    out, dense, scale = _prepare(A, Y, reduction, layout, MSE, name="A")
    return MSE.value(out, dense, scale, half=half)


def mean_squared_error_backward(
    A: FloatArray,
    Y: FloatArray,
    *,
    half: bool = False,
    reduction: Reduction = "mean",
    layout: Layout = "columns",
) -> FloatArray:
    """Gradient of `mean_squared_error` with respect to A: (A - Y) * (1 if half else 2) * scale."""
    out, dense, scale = _prepare(A, Y, reduction, layout, MSE, name="A")
    return MSE.grad(out, dense, scale, half=half)



# ---------------------------------------------------------------------------------------------
# The objects: one per loss, owning every form of it.
# ---------------------------------------------------------------------------------------------


class Loss:
    """One loss with every form of it the passes use; `LOSSES` holds one of each.

    Attributes
    ----------
    name : str
        Registry key.
    title : str
        What messages call it.
    fused_activation : str or None
        The output activation whose Jacobian cancels against this loss's (``"sigmoid"`` for
        BCE, ``"softmax"`` for CE): with it, dZ = A - Y is computed from the logits by
        ``value_and_grad``.
    labels : bool
        Accepts integer class labels (m,) as targets (one-hot encoded).
    half : bool
        Takes the ``half`` option (the 1/2 of MSE).
    min_outputs : int
        Fewest output units it makes sense with.
    targets : {"binary", "distribution", "real"}
        What its targets are, for the strategies that draw them: 0/1 values, one-hot
        distributions over the outputs, or reals.

    Notes
    -----
    The methods take validated input: dense targets Y broadcastable to ``out``, ``scale``
    from `reduction_scale`, ``axis`` the class axis; outputs may carry leading K axes (one
    loss per leading index).

    - ``value(out, Y, scale, *, axis, from_logits, half)`` and ``grad(...)``: the reduced loss
      and its gradient with respect to ``out`` (probabilities, or logits when
      ``from_logits``), as the public functions compute them.
    - ``value_and_grad(Z, Y, scale, axis, work=None) -> (value, dZ)``: both from the logits
      of the fused activation, sharing their exponentials; ``work`` from ``work(shape, dtype)``
      holds the intermediates (dZ is then one of them). Only with a ``fused_activation``.
    - ``check_targets(Y, axis)``: raise ValueError for targets the loss is not defined for.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    fused_activation: ClassVar[str | None] = None
    labels: ClassVar[bool] = False
    half: ClassVar[bool] = False
    min_outputs: ClassVar[int] = 1
    targets: ClassVar[str] = "real"
    function: ClassVar[Callable[..., FloatArray]]  # the public, validating function
    backward: ClassVar[Callable[..., FloatArray]]  # and its gradient

    def value(self, out: FloatArray, Y: FloatArray, scale: Any, *, axis: int = -2,
              from_logits: bool = False, half: bool = False) -> FloatArray:
        """The reduced loss (one per leading index)."""
        raise NotImplementedError

    def grad(self, out: FloatArray, Y: FloatArray, scale: Any, *, axis: int = -2,
             from_logits: bool = False, half: bool = False) -> FloatArray:
        """Its gradient with respect to ``out``, the reduction factor included."""
        raise NotImplementedError

    def value_and_grad(self, Z: FloatArray, Y: FloatArray, scale: Any, axis: int = -2,
                       work: tuple[FloatArray, ...] | None = None
                       ) -> tuple[FloatArray, FloatArray]:
        """Value and dL/dZ from the logits of ``fused_activation``."""
        raise NotImplementedError(f"{self!r} has no fused activation")

    def work(self, shape: tuple[int, ...], dtype: np.dtype) -> tuple[FloatArray, ...]:
        """Scratch for ``value_and_grad`` on outputs of ``shape``."""
        return work_buffers(shape, dtype)

    def check_targets(self, Y: FloatArray, axis: int) -> None:
        """Raise ValueError unless Y (dense, float) holds valid targets: here, finite ones."""
        check_finite(Y, "Y")

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


def work_buffers(shape: tuple[int, ...], dtype: np.dtype) -> tuple[FloatArray, ...]:
    """Scratch for the fused cores: ``(B, B[0], B[1], S, tmp)``, views of one (4, *shape) array.

    ``B`` = the first two slices stacked (for one exp over both); the views are made once
    here, not at each call (a view costs as much as an operation on a small array).
    """
    w = np.empty((4, *shape), dtype=dtype)
    return w[:2], w[0], w[1], w[2], w[3]


class BinaryCrossEntropy(Loss):
    """-[Y log A + (1 - Y) log(1 - A)], fused with a sigmoid output (seeds 000 and 003)."""

    name = "bce"
    title = "binary cross-entropy"
    fused_activation = "sigmoid"
    targets = "binary"
    function = staticmethod(binary_cross_entropy)
    backward = staticmethod(binary_cross_entropy_backward)

    def value(self, out, Y, scale, *, axis=-2, from_logits=False, half=False):  # noqa: D102
        if not from_logits:
            return -_total(_xlogy(Y, out) + _xlogy(1.0 - Y, 1.0 - out), scale)
        if out.ndim == 2:  # one loss: the direct form makes fewer calls
            return _bce_logits_total(out, Y) * float(scale)
        total = _bce_logits_total_stacked(out, Y)  # stacked losses: fewer broadcast passes
        if not np.isfinite(total).all():  # some |Z| > max / 2 (2R overflowed), or Z not finite
            total = _bce_logits_total(out, Y)
        return total * float(scale)

    def grad(self, out, Y, scale, *, axis=-2, from_logits=False, half=False):  # noqa: D102
        if from_logits:
            return (sigmoid(out) - Y) * scale  # fused sigmoid + BCE: dZ = A - Y (seed 000)
        # seed 000: dL/dA = -Y/A + (1 - Y)/(1 - A); terms with a zero weight are 0, not 0/0.
        return (_xdivy(1.0 - Y, 1.0 - out) - _xdivy(Y, out)) * scale

    def value_and_grad(self, Z, Y, scale, axis=-2, work=None):  # noqa: D102
        # With U = exp(min(Z, 0)) and T = exp(-|Z|), both in (0, 1], from one exp over a
        # stacked buffer: softplus(Z) = max(Z, 0) + log1p(T) as in the value, and
        # sigmoid(Z) = U / (1 + T), within an ulp or two on either tail.
        B, U, T, S, tmp = work_buffers(Z.shape, Z.dtype) if work is None else work
        np.minimum(Z, _ZERO[Z.dtype], out=U)
        np.subtract(Z, U, out=S)  # max(Z, 0), exactly: one of Z and min(Z, 0) is 0 or Z
        np.subtract(U, S, out=T)  # -|Z| = min(Z, 0) - max(Z, 0), exactly
        np.exp(B, out=B)  # U and T at once
        S -= np.multiply(Y, Z, out=tmp)  # R = max(Z, 0) - Y Z first, as in the value
        S += np.log1p(T, out=tmp)
        T += _ONE[T.dtype]
        np.divide(U, T, out=U)  # sigmoid(Z)
        U -= Y  # seed 000: dZ2 = A2 - Y
        U *= scale
        return _total(S, scale), U

    def check_targets(self, Y, axis):  # noqa: D102
        if not _in_unit_interval(Y):
            check_finite(Y, "Y")
            raise ValueError(
                f"Y has values in [{Y.min()}, {Y.max()}], but binary cross-entropy targets "
                "must lie in [0, 1]."
            )


def _bce_logits_total(Z: FloatArray, Y: FloatArray) -> FloatArray:
    """Sum over the last two axes of log(1 + e^Z) - Y Z, the BCE of sigmoid(Z) (seed 000).

    -[Y log s(Z) + (1 - Y) log(1 - s(Z))] = softplus(Z) - Y Z = log1p(e^-|Z|) + R with
    R = max(Z, 0) - Y Z >= 0 for Y in [0, 1]: never overflows. R is formed first: it is
    exactly 0 where a confident prediction is right, and the tiny log1p term is then added
    to 0, keeping its digits (added to max(Z, 0) first, it would round away).
    """
    S = np.abs(Z)
    np.negative(S, out=S)
    np.exp(S, out=S)
    np.log1p(S, out=S)
    R = np.maximum(Z, 0)
    R -= Y * Z
    S += R
    return _total(S, 1.0)


def _bce_logits_total_stacked(Z: FloatArray, Y: FloatArray) -> FloatArray:
    """`_bce_logits_total` for stacked Z (..., a, b): the stacked-K form of the same sum.

    2R is computed as |Z| + Z (1 - 2Y) (exactly 0 where R is); both parts fill the two
    contiguous slabs of one buffer, and one matrix-vector product sums them (element-wise
    passes on strided views would lose their SIMD loops). Infinite if some |Z| > max / 2
    (2R overflows): the caller then falls back to `_bce_logits_total`.
    """
    n = Z.shape[-2] * Z.shape[-1]
    B = np.empty((2, *Z.shape), dtype=Z.dtype)
    T, R = B[0], B[1]
    np.abs(Z, out=T)
    C = np.multiply(Y, _MINUS_TWO[Z.dtype])
    C += _ONE[Z.dtype]  # 1 - 2Y
    with np.errstate(over="ignore"):  # 2R = inf sends the value to the direct form
        np.multiply(Z, C, out=R)
        R += T  # 2R
    np.negative(T, out=T)
    np.exp(T, out=T)
    np.log1p(T, out=T)  # softplus(Z) - max(Z, 0), in (0, log 2]
    sums = np.dot(B.reshape(-1, n), np.ones(n, dtype=Z.dtype)).reshape(2, *Z.shape[:-2])
    return sums[0] + sums[1] * 0.5


# The bit pattern of 1.0, and the unsigned integer type to read a float's bits as.
_ONE_BITS = {np.dtype(np.float64): (np.uint64, 0x3FF0000000000000),
             np.dtype(np.float32): (np.uint32, 0x3F800000)}


def _in_unit_interval(Y: FloatArray) -> bool:
    """Whether every entry of the float array Y lies in [0, 1] (a NaN does not).

    One reduction: read as unsigned integers, the bit patterns of +0.0 ... 1.0 are exactly
    0 ... bits(1.0), and every negative number (sign bit set), value above 1, inf or NaN
    reads larger. Only -0.0 reads larger too and is in [0, 1]: the two-reduction test
    (NaN-safe: a NaN fails both comparisons, an inf one of them) decides whenever the
    fast one says no.
    """
    uint, one = _ONE_BITS[Y.dtype]
    if np.maximum.reduce(Y.view(uint), axis=None) <= one:
        return True
    return bool(np.minimum.reduce(Y, axis=None) >= 0 and np.maximum.reduce(Y, axis=None) <= 1)


class CategoricalCrossEntropy(Loss):
    """-sum_c Y_c log P_c, fused with a softmax output (seed 002)."""

    name = "ce"
    title = "categorical cross-entropy"
    fused_activation = "softmax"
    labels = True
    min_outputs = 2
    targets = "distribution"
    function = staticmethod(categorical_cross_entropy)
    backward = staticmethod(categorical_cross_entropy_backward)

    def value(self, out, Y, scale, *, axis=-2, from_logits=False, half=False):  # noqa: D102
        if from_logits:
            return -_total(Y * log_softmax(out, axis=axis), scale)  # shifted log-sum-exp
        return -_total(_xlogy(Y, out), scale)

    def grad(self, out, Y, scale, *, axis=-2, from_logits=False, half=False):  # noqa: D102
        if from_logits:
            # fused softmax + CE: dZ = P * sum_c(Y) - Y, which is P - onehot(Y) for one-hot
            # targets (seed 002: dz2 = probs; dz2[range(m), y] -= 1, without touching P)
            P = softmax(out, axis=axis)
            return (P * np.sum(Y, axis=axis, keepdims=True) - Y) * scale
        return -_xdivy(Y, out) * scale  # -Y / P, 0 where Y == 0

    def value_and_grad(self, Z, Y, scale, axis=-2, work=None):  # noqa: D102
        # the value and the gradient from logits, as above, with the exponentials shared
        _, w0, w1, _, _ = (None,) * 5 if work is None else work
        shifted = np.subtract(Z, np.max(Z, axis=axis, keepdims=True), out=w0)  # exp(<= 0) <= 1
        E = np.exp(shifted, out=w1)
        total = np.sum(E, axis=axis, keepdims=True)
        shifted -= np.log(total)  # log_softmax
        shifted *= Y
        value = -_total(shifted, scale)
        E /= total  # softmax P
        E *= np.sum(Y, axis=axis, keepdims=True)  # 1 for one-hot targets, exact for soft ones
        E -= Y  # seed 002: dz2 = probs; dz2[range(m), y] -= 1
        E *= scale
        return value, E

    def check_targets(self, Y, axis):  # noqa: D102
        check_finite(Y, "Y")
        check_distributions(Y, axis)


class MeanSquaredError(Loss):
    """sum (A - Y)^2, times 1/2 with ``half`` (seeds 001 and 003)."""

    name = "mse"
    title = "squared error"
    half = True
    function = staticmethod(mean_squared_error)
    backward = staticmethod(mean_squared_error_backward)

    def value(self, out, Y, scale, *, axis=-2, from_logits=False, half=False):  # noqa: D102
        diff = out - Y
        return _total(diff * diff, scale * (0.5 if half else 1.0))

    def grad(self, out, Y, scale, *, axis=-2, from_logits=False, half=False):  # noqa: D102
        return (out - Y) * (scale * (1.0 if half else 2.0))


BCE, CE, MSE = BinaryCrossEntropy(), CategoricalCrossEntropy(), MeanSquaredError()

LOSSES: Mapping[str, Loss] = MappingProxyType({loss.name: loss for loss in (BCE, CE, MSE)})
"""Losses by name: "bce" (binary cross-entropy), "ce" (categorical), "mse" (squared error)."""
