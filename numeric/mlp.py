"""Multilayer perceptrons: a frozen spec, parameter initialisation, forward and backward passes.

Shapes for a network ``sizes = (n_0, ..., n_L)`` with m samples:

============  ======================  ======================
              layout="columns"        layout="rows"
============  ======================  ======================
X, A_l        (n_l, m)                (m, n_l)
W_l           (n_l, n_{l-1})          (n_{l-1}, n_l)
b_l           (n_l, 1)                (1, n_l)
Z_l           W_l A_{l-1} + b_l       A_{l-1} W_l + b_l
Y             (n_L, m) or labels (m,)  (m, n_L) or labels (m,)
============  ======================  ======================

Seeds 000, 001 and 003 use columns, seed 002 rows. Parameters are a plain dict
``{"W1": ..., "b1": ..., "W2": ...}``; their dtype (float32 or float64) is the dtype of every
result. Public functions validate once; the private ``_forward``/``_backward`` they call assume
clean input and also accept parameters stacked along a leading K axis (used by `numeric.batched`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from numeric._types import LAYOUTS, REDUCTIONS, FloatArray, Layout, Reduction, class_axis
from numeric._validate import (
    FLOAT_DTYPES,
    as_float_array,
    check_all_finite,
    check_choice,
    check_distributions,
    check_finite,
    check_nonnegative_float,
    check_positive_int,
    check_rng,
    labels_to_onehot,
)
from numeric.activations import ACTIVATIONS, leaky_relu, relu, tanh
from numeric.losses import LOSSES, _bce_logits_grad, reduction_scale

Params = dict[str, FloatArray]


@dataclass(frozen=True)
class MLP:
    """Specification of a fully connected network: sizes, activations, loss and conventions.

    Parameters
    ----------
    sizes : sequence of int
        ``(n_0, n_1, ..., n_L)``: n_0 inputs, n_L outputs, L >= 1 layers; every entry >= 1.
    hidden : str or sequence of str
        Activation of the hidden layers: one name for all, or one per hidden layer (L - 1).
    output : str
        Activation of the output layer.
    loss : {"bce", "ce", "mse"}
    layout : {"columns", "rows"}
    reduction : {"mean", "mean_all", "sum"}
        Divide the summed loss by m samples, by m * n_L, or by nothing.
    half : bool
        Multiply the MSE by 1/2 (only with ``loss="mse"``).
    leaky_slope : float
        Slope (>= 0) of "leaky_relu" for negative inputs.

    Raises
    ------
    ValueError, TypeError
        At construction, for any invalid field; unknown names list the valid ones.

    Notes
    -----
    Sigmoid output with BCE, and softmax output with CE, are fused: the loss is computed from
    the logits (log-sum-exp, finite for any logits) and the output gradient is dZ = A - Y
    (seeds 000 and 003) or P - onehot(Y) (seed 002). Every other pairing goes through the
    general chain rule dZ = act'(Z) * dL/dA. The seeds' networks are::

        MLP((1, 4, 1), hidden="sigmoid", output="sigmoid", loss="bce")            # 000
        MLP((2, h, M), hidden="sigmoid", output="sigmoid", loss="mse",
            half=True, reduction="mean_all")                                      # 001
        MLP((2, 4, 3), hidden="relu", output="softmax", loss="ce", layout="rows")  # 002
        MLP((n, h1, h2, 1), hidden="relu", output="sigmoid", loss="bce")          # 003
        MLP((n, h1, h2, 1), hidden="relu", output="identity", loss="mse", half=True)  # 003

    Examples
    --------
    >>> net = MLP((2, 4, 3), output="softmax", loss="ce", layout="rows")
    >>> net.hidden, net.n_layers, net.n_params
    (('relu',), 2, 27)
    """

    sizes: tuple[int, ...]
    hidden: str | tuple[str, ...] = "relu"
    output: str = "sigmoid"
    loss: str = "bce"
    layout: Layout = "columns"
    reduction: Reduction = "mean"
    half: bool = False
    leaky_slope: float = 0.01
    # Derived once at construction for the hot path (not part of the spec's identity).
    _shapes: Mapping[str, tuple[int, int]] = field(init=False, repr=False, compare=False)
    _plan: tuple[tuple[str, str, Any, Any], ...] = field(init=False, repr=False, compare=False)
    _fused: bool = field(init=False, repr=False, compare=False)
    _widest: int = field(init=False, repr=False, compare=False)
    # The same network in layout="rows" (for columns networks; None for rows ones), which
    # computes a large columns pass as its transpose: see `_loss_and_grad_transposed`.
    _rows: MLP | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.sizes, str | bytes) or not hasattr(self.sizes, "__len__"):
            raise TypeError(f"sizes must be a sequence of ints, got {self.sizes!r}.")
        sizes = tuple(check_positive_int(n, f"sizes[{i}]") for i, n in enumerate(self.sizes))
        if len(sizes) < 2:
            raise ValueError(
                f"sizes={self.sizes!r} has {len(sizes)} entries, but at least 2 are needed: "
                "(n_inputs, ..., n_outputs)."
            )
        n_hidden = len(sizes) - 2
        hidden = (self.hidden,) * n_hidden if isinstance(self.hidden, str) else tuple(self.hidden)
        if len(hidden) != n_hidden:
            raise ValueError(
                f"hidden has {len(hidden)} entries, but sizes={sizes} has {n_hidden} hidden "
                "layers; pass one activation name for all of them or one per hidden layer."
            )
        for i, name in enumerate(hidden):
            check_choice(name, ACTIVATIONS, f"hidden[{i}]")
        check_choice(self.output, ACTIVATIONS, "output")
        check_choice(self.loss, LOSSES, "loss")
        check_choice(self.layout, LAYOUTS, "layout")
        check_choice(self.reduction, REDUCTIONS, "reduction")
        if not isinstance(self.half, bool | np.bool_):
            raise TypeError(f"half must be a bool, got {self.half!r}.")
        if self.half and self.loss != "mse":
            raise ValueError(f"half=True applies to loss='mse' only, got loss={self.loss!r}.")
        if sizes[-1] == 1 and (self.output == "softmax" or self.loss == "ce"):
            raise ValueError(
                f"sizes={sizes} has one output, but output={self.output!r} with "
                f"loss={self.loss!r} needs at least 2 classes: a softmax over one unit is "
                "always 1 (loss 0, gradients 0). For two classes use one output with "
                "output='sigmoid', loss='bce', or give the last layer 2 units."
            )
        slope = check_nonnegative_float(self.leaky_slope, "leaky_slope")
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "half", bool(self.half))
        object.__setattr__(self, "leaky_slope", slope)
        object.__setattr__(self, "_shapes", _param_shapes(sizes, self.layout))
        # Per layer, looked up once: parameter keys, activation, in-place forward (or None).
        object.__setattr__(self, "_plan", tuple(
            (f"W{l}", f"b{l}", ACTIVATIONS[a], _in_place(a, slope))
            for l, a in enumerate((*hidden, self.output), start=1)  # noqa: E741
        ))
        object.__setattr__(self, "_fused", LOSSES[self.loss].fused_activation == self.output)
        # Per-thread scratch arrays of `loss_and_grad` (see its Notes), never part of a result;
        # an attribute, not a field, so that dataclasses.asdict and copies skip it.
        object.__setattr__(self, "_scratch", threading.local())
        object.__setattr__(self, "_widest", max(sizes[1:]))
        object.__setattr__(self, "_rows", replace(self, layout="rows")
                           if self.layout == "columns" else None)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickle and deepcopy the spec only; the derived fields are rebuilt by __post_init__.
        return (MLP, (self.sizes, self.hidden, self.output, self.loss, self.layout,
                      self.reduction, self.half, self.leaky_slope))

    @property
    def n_layers(self) -> int:
        """Number L of affine layers (weights W1 ... WL)."""
        return len(self.sizes) - 1

    @property
    def activations(self) -> tuple[str, ...]:
        """Activation names of layers 1 ... L (the hidden ones, then the output)."""
        return (*self.hidden, self.output)  # type: ignore[misc]

    @property
    def fused(self) -> bool:
        """True when the output activation and the loss cancel (sigmoid+BCE, softmax+CE)."""
        return self._fused

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        """Shapes of W1, b1, ..., WL, bL for this network's layout, in that order."""
        return dict(self._shapes)

    @property
    def n_params(self) -> int:
        """Total number P of scalar parameters."""
        return sum(r * c for r, c in self._shapes.values())


def _param_shapes(sizes: tuple[int, ...], layout: str) -> dict[str, tuple[int, int]]:
    shapes: dict[str, tuple[int, int]] = {}
    for l in range(1, len(sizes)):  # noqa: E741 -- l is the seeds' layer index
        n_in, n_out = sizes[l - 1], sizes[l]
        cols = layout == "columns"
        shapes[f"W{l}"] = (n_out, n_in) if cols else (n_in, n_out)
        shapes[f"b{l}"] = (n_out, 1) if cols else (1, n_out)
    return shapes


@dataclass(frozen=True, eq=False)
class Cache:
    """What the forward pass saves for the backward pass.

    Attributes
    ----------
    A : tuple of ndarray
        ``A[0]`` is X (cast to the parameters' dtype), ``A[l]`` the activation of layer l.
    Z : tuple of ndarray
        ``Z[l - 1]`` is the pre-activation Z_l of layer l = 1 ... L.
    Y : ndarray
        Targets as a dense array shaped like the output (integer labels become one-hot).
    params : dict
        The validated parameters the pass ran with (the caller's arrays, not copies);
        `backward` skips re-validating parameters that are these very arrays.
    """

    A: tuple[FloatArray, ...]
    Z: tuple[FloatArray, ...]
    Y: FloatArray
    params: Params

    def __repr__(self) -> str:
        shapes = ", ".join(str(a.shape) for a in self.A)
        return f"Cache(A shapes: {shapes})"


# ---------------------------------------------------------------------------------------------
# Validation at the public boundary
# ---------------------------------------------------------------------------------------------

_LAYOUT_HINT = {
    "columns": " If your samples are rows (z = x @ W + b), pass layout='rows' to MLP.",
    "rows": " If your samples are columns (Z = W @ X + b), pass layout='columns' to MLP.",
}


def check_net(net: Any) -> MLP:
    """Raise TypeError unless ``net`` is an `MLP`."""
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}.")
    return net


def check_params(
    net: MLP, params: Any, name: str = "params", *, finite: bool = True
) -> Params:
    """Validate a parameter dict against ``net``: keys, dtype (one float dtype), shapes, finiteness.

    Returns a new dict in the canonical order W1, b1, ..., WL, bL holding the caller's arrays
    (not copies). ``finite=False`` leaves the finiteness test to the caller (who must make
    it: `numeric._augmented.load_params` does it on its copy).
    """
    if type(params) is not dict and not isinstance(params, Mapping):
        raise TypeError(f"{name} must be a dict of arrays, got {type(params).__name__}.")
    shapes = net._shapes
    if params.keys() != shapes.keys():
        missing = [k for k in shapes if k not in params]
        extra = [k for k in params if k not in shapes]
        raise ValueError(
            f"{name} has keys {list(params)}, but sizes={net.sizes} needs exactly "
            f"{list(shapes)} (missing {missing}, unexpected {extra})."
        )
    out: Params = {}
    dtype = None
    for key, shape in shapes.items():
        arr = params[key]
        if type(arr) is not np.ndarray or arr.dtype.char not in "fd":
            arr = as_float_array(arr, f"{name}[{key!r}]")
        if dtype is None:
            dtype = arr.dtype
        elif arr.dtype is not dtype and arr.dtype != dtype:
            raise TypeError(
                f"{name}[{key!r}] has dtype {arr.dtype}, but {name}['W1'] has {dtype}; all "
                "parameters must share one float dtype."
            )
        if arr.shape != shape:
            kind = "(n_out, n_in)" if key[0] == "W" else "(n_out, 1)"
            if net.layout == "rows":
                kind = "(n_in, n_out)" if key[0] == "W" else "(1, n_out)"
            raise ValueError(
                f"{name}[{key!r}] has shape {arr.shape}, but layout={net.layout!r} needs "
                f"{kind} = {shape} for sizes={net.sizes}.{_LAYOUT_HINT[net.layout]}"
            )
        out[key] = arr
    if finite:
        check_all_finite(out, name)
    return out


def params_dtype(params: Params) -> np.dtype:
    """The common dtype of validated parameters."""
    return next(iter(params.values())).dtype


def check_input(
    net: MLP, X: Any, dtype: np.dtype | None, *, name: str = "X", n_in: int | None = None,
    stacked: bool = False, hint: str | None = None, finite: bool = True,
) -> FloatArray:
    """Validate the input of a layer (X by default): float, 2-D (3-D if ``stacked``), finite.

    Returns X cast to ``dtype`` (a new array only when the dtype differs); ``dtype=None``
    keeps X's own float dtype. ``finite=False`` leaves the finiteness test to the caller.
    """
    arr = as_float_array(X, name, dtype=dtype)
    n_in = net.sizes[0] if n_in is None else n_in
    cols = net.layout == "columns"
    if arr.ndim != 2 and not (stacked and arr.ndim == 3):
        expect = f"(n_in, m) = ({n_in}, m)" if cols else f"(m, n_in) = (m, {n_in})"
        lead = "optionally with a leading K axis, " if stacked else ""
        raise ValueError(
            f"{name} has shape {arr.shape}, but layout={net.layout!r} needs {lead}{expect}."
        )
    features = arr.shape[-2] if cols else arr.shape[-1]
    if features != n_in:
        expect = f"(n_in, m) = ({n_in}, m)" if cols else f"(m, n_in) = (m, {n_in})"
        raise ValueError(
            f"{name} has shape {arr.shape}, but layout={net.layout!r} needs {expect}: "
            f"{features} features where {n_in} are expected."
            f"{_LAYOUT_HINT[net.layout] if hint is None else hint}"
        )
    if arr.shape[-1 if cols else -2] == 0:
        raise ValueError(f"{name} has shape {arr.shape}: the batch is empty (m = 0 samples).")
    if finite:
        check_finite(arr, name)
    return arr


def n_samples(net: MLP, A: FloatArray) -> int:
    """Number of samples m of an activation in ``net``'s layout."""
    return A.shape[-1] if net.layout == "columns" else A.shape[-2]


def check_targets(net: MLP, Y: Any, m: int, dtype: np.dtype) -> FloatArray:
    """Validate Y for ``net`` and m samples; return dense targets shaped like the output.

    Integer labels (m,) are accepted for loss="ce" (one-hot encoded) and, when there is one
    output, a vector (m,) of targets for "bce"/"mse". BCE targets must lie in [0, 1].
    """
    Y_arr = np.asarray(Y)
    n_out = net.sizes[-1]
    out_shape = (n_out, m) if net.layout == "columns" else (m, n_out)
    if Y_arr.ndim == 1 and Y_arr.shape[0] != m:
        raise ValueError(f"Y has {Y_arr.shape[0]} entries, but X has m = {m} samples.")
    if net.loss == "ce" and Y_arr.ndim == 1:
        onehot = labels_to_onehot(Y_arr, n_out, dtype, "Y")
        return onehot if net.layout == "columns" else np.ascontiguousarray(onehot.T)
    if Y_arr.dtype.kind in "biu":
        Y_arr = Y_arr.astype(dtype)  # 0/1 labels as targets: exact in any float dtype
    dense = as_float_array(Y_arr, "Y", dtype=dtype)
    if dense.ndim == 1 and n_out == 1:
        dense = dense.reshape(out_shape)
    if dense.shape != out_shape:
        labels = " or integer labels (m,)" if net.loss == "ce" else ""
        raise ValueError(
            f"Y has shape {dense.shape}, but the network's output for m = {m} samples has shape "
            f"{out_shape} (layout={net.layout!r}); pass Y of that shape{labels}."
        )
    if net.loss == "ce":
        check_finite(dense, "Y")
        check_distributions(dense, class_axis(net.layout))
    elif net.loss != "bce":
        check_finite(dense, "Y")
    elif not _in_unit_interval(dense):
        check_finite(dense, "Y")
        raise ValueError(
            f"Y has values in [{dense.min()}, {dense.max()}], but binary cross-entropy targets "
            "must lie in [0, 1]."
        )
    return dense


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


# ---------------------------------------------------------------------------------------------
# Cores: clean input; parameters may carry a leading K axis (stacked), A_prev too. They run
# inside the caller's ``np.errstate(invalid="ignore")`` (see _BLAS_NOTE).
# ---------------------------------------------------------------------------------------------


# _BLAS_NOTE: OpenBLAS gemm kernels have been seen to leave the FE_INVALID flag set on finite
# input (numpy#13173, numpy#24067, OpenBLAS#1924); NumPy then warns "invalid value encountered
# in matmul", which filterwarnings=error turns into a failure. It happened once in this suite
# (float32). Every pass therefore ignores "invalid" (one errstate per public call: entering one
# costs about a microsecond, a third of a small layer): inputs are checked finite at the
# boundary, so a true NaN could only follow an inf, and the overflow making it is still reported.


def _mT(x: FloatArray) -> FloatArray:
    """Transpose of the last two axes (a view), for 2-D and stacked arrays alike."""
    return x.T if x.ndim == 2 else np.swapaxes(x, -1, -2)


def _affine(
    W: FloatArray, b: FloatArray, A_prev: FloatArray, cols: bool, out: FloatArray | None = None
) -> FloatArray:
    """Z = W A_prev + b (columns, seed 000) or A_prev W + b (rows, seed 002), in one array."""
    Z = _mm(W, A_prev, out) if cols else _mm(A_prev, W, out)
    return np.add(Z, b, out=Z) if Z.ndim >= b.ndim else Z + b  # bias in place: no 2nd array


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
    # np.matmul, not np.dot: 15 against 20 us for (256, 3) x (3, 300) in float64
    return np.matmul(Wb.reshape(K * n_out, n_in + 1), Ab).reshape(K, n_out, -1)


def _sigmoid_in_place(Z: FloatArray) -> FloatArray:
    """``sigmoid(Z, out=Z)`` for a float array, without the argument handling."""
    return _sigmoid_of_negated(np.negative(Z, out=Z))


def _sigmoid_of_negated(E: FloatArray) -> FloatArray:
    """sigmoid(Z) written into E = -Z: `numeric.sigmoid` after its negation step."""
    with np.errstate(over="ignore"):  # as in sigmoid: 1 / (1 + inf) = 0 exactly
        np.exp(E, out=E)
    E += 1.0
    return np.divide(1.0, E, out=E)


def _forward(
    net: MLP,
    params: Mapping[str, FloatArray],
    A_prev: FloatArray,
    start: int = 1,
    *,
    overwrite: bool = False,
    loss_only: bool = False,
    scratch: list[FloatArray | None] | None = None,
) -> tuple[list[FloatArray], list[FloatArray]]:
    """Forward pass from layer ``start`` on; returns [A_{start-1}, ..., A_L] and [Z_start..Z_L].

    With ``overwrite=True`` elementwise hidden activations are computed in place, so that
    ``A_l is Z_l`` (one allocation per layer instead of two); only callers that keep the
    arrays to themselves (`loss_and_grad`, the batched losses, training) ask for it, and
    `_backward` then needs no Z that an activation overwrote (relu's mask is A > 0).
    With ``loss_only=True`` and a fused output the output activation is skipped (the loss
    reads the logits): ``A_L`` is then Z_L itself, good for `_loss` and `_loss_and_dZ`.
    With ``scratch`` (from `_scratch_arrays`), large 2-D Z_l are written into its arrays.
    """
    cols, plan = net.layout == "columns", net._plan
    last = len(plan) - 1
    As, Zs = [A_prev], []
    for l in range(start - 1, last + 1):  # noqa: E741 -- l is layer l + 1
        W_key, b_key, act, in_place = plan[l]
        W, b = params[W_key], params[b_key]
        if cols and W.ndim == 3 and A_prev.ndim == 2:  # K weight sets, one input: one GEMM
            negated = l < last and overwrite and act.name == "sigmoid"
            Z = _affine_stacked(W, b, A_prev, negate=negated)
            if negated:  # Z holds -Z: sigmoid without its first pass
                A_prev = _sigmoid_of_negated(Z)
                Zs.append(Z)
                As.append(A_prev)
                continue
        elif W.ndim == 2 and A_prev.ndim == 2:  # the common case, written out: np.dot
            out = None
            if scratch is not None:
                shape = (W.shape[0], A_prev.shape[1]) if cols else (A_prev.shape[0], W.shape[1])
                out = _scratch_array(scratch, l, shape, W.dtype)
            Z = np.dot(W, A_prev, out=out) if cols else np.dot(A_prev, W, out=out)
            np.add(Z, b, out=Z)  # seed 000: Z1 = W1 X + b1; seed 002: z1 = X w1 + b1
        else:
            Z = _affine(W, b, A_prev, cols)
        if l < last and overwrite and in_place is not None:
            A_prev = in_place(Z)
        elif l == last and loss_only and net._fused:
            A_prev = Z  # the fused loss needs only the logits
        else:
            A_prev = act.forward(Z, axis=-2 if cols else -1, slope=net.leaky_slope)
        Zs.append(Z)
        As.append(A_prev)
    return As, Zs


# Below this many entries a fresh array is cheaper than the lookup; above it, on machines where
# the allocator hands large freed blocks back to the kernel (glibc does past its trim
# threshold), every call pays a page fault per 4 KiB touched: measured 600 faults, 1.6 ms of
# 7.7 ms, for the [64, 256, 256, 10] float64 network at batch 512.
_SCRATCH_MIN_SIZE = 1 << 15


def _scratch_arrays(net: MLP, m: int) -> list[FloatArray | None] | None:
    """The calling thread's scratch list for ``net`` (a slot per layer); None for small passes."""
    if m * net._widest < _SCRATCH_MIN_SIZE:
        return None
    local = net._scratch
    arrays = getattr(local, "Z", None)
    if arrays is None:
        arrays = local.Z = [None] * net.n_layers
    return arrays


def _scratch_array(
    scratch: list[FloatArray | None], l: int, shape: tuple[int, int], dtype: np.dtype  # noqa: E741
) -> FloatArray | None:
    """The scratch array of slot ``l`` with this shape and dtype (made if needed), or None."""
    if shape[0] * shape[1] < _SCRATCH_MIN_SIZE:
        return None
    buf = scratch[l]
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = scratch[l] = np.empty(shape, dtype=dtype)
    return buf


def _in_place(name: str, slope: float) -> Any:
    """``f(Z) -> A`` writing the activation ``name`` into Z, or None (softmax couples Z)."""
    return {
        "relu": lambda Z: relu(Z, out=Z),
        "leaky_relu": lambda Z: leaky_relu(Z, slope=slope, out=Z),
        "sigmoid": _sigmoid_in_place,
        "tanh": lambda Z: tanh(Z, out=Z),
        "identity": lambda Z: Z,
    }.get(name)


def _loss(
    net: MLP, Z_L: FloatArray, A_L: FloatArray, Y: FloatArray, layout: Layout | None = None
) -> FloatArray:
    """Reduced loss (one per leading K index when stacked) from the output layer.

    ``layout`` overrides ``net.layout`` (the augmented engine computes in columns).
    """
    loss, layout = LOSSES[net.loss], layout or net.layout
    scale = reduction_scale(Z_L.shape, net.reduction, layout)
    out = Z_L if net._fused else A_L  # fused: from the logits, finite for any Z
    return loss.value(
        out, Y, scale, axis=class_axis(layout), from_logits=net._fused, half=net.half
    )


def _output_grad(
    net: MLP, Z_L: FloatArray, A_L: FloatArray, Y: FloatArray, layout: Layout | None = None
) -> FloatArray:
    """dL/dZ_L, fused where the output activation and the loss cancel."""
    layout = layout or net.layout
    axis = class_axis(layout)
    scale = reduction_scale(A_L.shape, net.reduction, layout)
    if net._fused and net.output == "sigmoid":
        # seed 000: dZ2 = A2 - Y, with A2 from the logits as `loss_and_grad` computes it
        return _bce_logits_grad(Z_L, Y, scale)
    if net._fused:
        # seed 002: dz2 = probs - onehot(y), in a new array (the seed writes into probs). The
        # factor sum_c Y is 1 for one-hot targets and keeps soft targets exact.
        return (A_L * np.sum(Y, axis=axis, keepdims=True) - Y) * scale
    loss = LOSSES[net.loss]
    dA = loss.grad(A_L, Y, scale, axis=axis, from_logits=False, half=net.half)
    return net._plan[-1][2].backward(dA, Z_L, A_L, axis=axis, slope=net.leaky_slope)


def _loss_and_dZ(
    net: MLP, Z_L: FloatArray, A_L: FloatArray, Y: FloatArray, layout: Layout | None = None
) -> tuple[FloatArray, FloatArray]:
    """Reduced loss and dL/dZ_L together; a fused output shares its exponentials.

    ``A_L`` may be Z_L itself (a ``loss_only`` forward) when the output is fused; the fused
    cores then compute the output activation from the logits once, for both results.
    ``layout`` overrides ``net.layout``.
    """
    layout = layout or net.layout
    if net._fused:
        scale = reduction_scale(Z_L.shape, net.reduction, layout)
        return LOSSES[net.loss].value_and_grad(Z_L, Y, scale, axis=class_axis(layout))
    return _loss(net, Z_L, A_L, Y, layout), _output_grad(net, Z_L, A_L, Y, layout)


def _backward(
    net: MLP,
    params: Mapping[str, FloatArray],
    As: list[FloatArray],
    Zs: list[FloatArray],
    Y: FloatArray,
    *,
    overwrite: bool = False,
) -> Params:
    """Gradients of all layers by the chain rule (seed 003's dZ_l = W_{l+1}^T dZ_{l+1} g'(Z_l)).

    With ``overwrite=True`` the hidden layers' Z and A arrays (never X) are used as scratch
    space once they are no longer needed: callers that own the forward pass's arrays (not a
    Cache handed to the user) save one large allocation per layer, and the page faults that
    come with it.
    """
    dZ = _output_grad(net, Zs[-1], As[-1], Y)
    return _backward_layers(net, params, As, Zs, dZ, overwrite)


def _backward_layers(
    net: MLP,
    params: Mapping[str, FloatArray],
    As: list[FloatArray],
    Zs: list[FloatArray],
    dZ: FloatArray,
    overwrite: bool,
    transposed: bool = False,
) -> Params:
    """Gradients from dZ_L down to layer 1, in the order W1, b1, ..., WL, bL.

    ``transposed`` (rows ``net``, 2-D arrays): the gradients of the columns twin instead,
    dW = dZ^T A_prev (n_out, n_in) and db (n_out, 1) (see `_loss_and_grad_transposed`).
    """
    L, cols, slope, plan = net.n_layers, net.layout == "columns", net.leaky_slope, net._plan
    grads: list[FloatArray] = [dZ] * (2 * L)
    for l in range(L, 0, -1):  # noqa: E741
        A_prev = As[l - 1]
        if transposed:
            grads[2 * l - 2] = np.dot(dZ.T, A_prev)
        elif dZ.ndim == 2 and A_prev.ndim == 2:
            grads[2 * l - 2] = np.dot(dZ, A_prev.T) if cols else np.dot(A_prev.T, dZ)
        elif cols:
            grads[2 * l - 2] = np.matmul(dZ, _mT(A_prev))  # dW = dZ A_prev^T
        else:
            grads[2 * l - 2] = np.matmul(_mT(A_prev), dZ)  # seed 002: dw2 = a1^T dz2
        # db; np.add.reduce, not a gemv with ones: 2-4x slower alone, but gemv is one more
        # multi-threaded BLAS call, and each waits for every BLAS thread to be scheduled
        grads[2 * l - 1] = np.add.reduce(dZ, axis=-1 if cols else -2, keepdims=True)
        if transposed:
            grads[2 * l - 1] = grads[2 * l - 1].T  # (1, n_out) -> (n_out, 1), C-ordered still
        if l == 1:
            break
        W, act, in_place = params[plan[l - 1][0]], plan[l - 2][2], plan[l - 2][3]
        Z_prev = Zs[l - 2]
        if overwrite and in_place is not None and Z_prev.shape == A_prev.shape:
            dZ = _hidden_dZ_in_place(act.name, W, dZ, Z_prev, A_prev, cols, slope)
        else:
            dA = _mm(_mT(W), dZ) if cols else _mm(dZ, _mT(W))  # seed 002: da1 = dz2 w2^T
            dZ = act.backward(dA, Z_prev, A_prev, axis=-2 if cols else -1, slope=slope)
    return dict(zip(net._shapes, grads, strict=True))


def _mm(a: FloatArray, b: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """``a @ b`` (into ``out``): np.dot for 2-D operands (less call overhead), else matmul."""
    if a.ndim == 2 and b.ndim == 2:
        return np.dot(a, b, out=out)
    return np.matmul(a, b, out=out)


def _hidden_dZ_in_place(
    name: str, W: FloatArray, dZ: FloatArray, Z: FloatArray, A: FloatArray, cols: bool,
    slope: float,
) -> FloatArray:
    """Return the layer below's dZ, written into its Z buffer where free (A is scratch too).

    The formulas of `numeric.activations`, rearranged to avoid temporaries.
    """
    # relu's mask is Z > 0, the same as A > 0 if A overwrote Z; take it before dA does
    mask = Z > 0 if name in ("relu", "leaky_relu") else None
    out = None if Z is A and name in ("sigmoid", "tanh") else Z  # those still need A
    dA = _mm(_mT(W), dZ, out) if cols else _mm(dZ, _mT(W), out)
    if name == "relu":
        dA *= mask  # seed 002: da1[z1 <= 0] = 0
    elif name == "leaky_relu":
        np.multiply(dA, slope, out=dA, where=~mask)
    elif name == "sigmoid":  # seed 000: dA * A * (1 - A)
        dA *= A
        np.subtract(1.0, A, out=A)
        dA *= A
    elif name == "tanh":  # dA * (1 - A^2)
        np.square(A, out=A)
        np.subtract(1.0, A, out=A)
        dA *= A
    return dA  # identity: dA itself


def _l2_penalty(params: Mapping[str, FloatArray], l2: float) -> float:
    """lambda/2 * sum of squared weights (biases are not regularised)."""
    return 0.5 * l2 * sum(float(np.sum(v * v)) for k, v in params.items() if k[0] == "W")


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def init_params(
    net: MLP,
    *,
    rng: np.random.Generator | int | None = None,
    dtype: Any = np.float64,
    scale: float | None = None,
) -> Params:
    """Random weights and zero biases for ``net``.

    Parameters
    ----------
    net : MLP
    rng : numpy.random.Generator, int or None
        Normalised once with ``np.random.default_rng``.
    dtype : float32 or float64
    scale : float or None
        Standard deviation of the weights. None: He scaling sqrt(2 / n_in) for layers whose
        activation is relu or leaky_relu, sqrt(1 / n_in) otherwise. Seed 002 uses 0.01.

    Returns
    -------
    dict
        ``{"W1": ..., "b1": ..., ...}`` with the shapes of ``net.param_shapes()``.

    Notes
    -----
    Weights are drawn in float64 in the columns shape (n_out, n_in) and then transposed for
    layout="rows" and cast to ``dtype``: the same ``rng`` gives the same network in both
    layouts and both dtypes.

    Examples
    --------
    >>> p = init_params(MLP((2, 4, 3), layout="rows"), rng=0, dtype=np.float32)
    >>> {k: (v.shape, str(v.dtype)) for k, v in p.items()}["W1"]
    ((2, 4), 'float32')
    """
    check_net(net)
    dtype = np.dtype(dtype)
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dtype}.")
    if scale is not None:
        scale = check_nonnegative_float(scale, "scale")
    gen = check_rng(rng)
    params: Params = {}
    for l in range(1, net.n_layers + 1):  # noqa: E741
        n_in, n_out = net.sizes[l - 1], net.sizes[l]
        gain = 2.0 if net.activations[l - 1] in ("relu", "leaky_relu") else 1.0
        std = np.sqrt(gain / n_in) if scale is None else scale
        W = std * gen.standard_normal((n_out, n_in))
        cols = net.layout == "columns"
        params[f"W{l}"] = (W if cols else W.T).astype(dtype)
        params[f"b{l}"] = np.zeros((n_out, 1) if cols else (1, n_out), dtype=dtype)
    return params


def forward(net: MLP, params: Mapping[str, Any], X: Any, Y: Any) -> tuple[FloatArray, Cache]:
    """Forward pass and loss.

    Parameters
    ----------
    net : MLP
    params : dict
        ``{"W1", "b1", ..., "WL", "bL"}`` with the shapes of ``net.param_shapes()``, one float
        dtype for all.
    X : ndarray, shape (n_0, m) for layout="columns", (m, n_0) for "rows"
        Cast to the parameters' dtype.
    Y : ndarray
        Targets shaped like the output, (n_L, m) or (m, n_L); integer labels (m,) for loss="ce";
        a vector (m,) when n_L == 1.

    Returns
    -------
    loss : numpy float scalar, dtype of the parameters
    cache : Cache
        Input of `backward`.

    Raises
    ------
    ValueError
        Mismatched shapes of X, W, b or Y (the message names which), labels out of range,
        NaN or inf anywhere, an empty batch.
    TypeError
        Non-float X or parameters, non-integer labels, ``net`` not an MLP.
    """
    params_ = check_params(check_net(net), params)
    dtype = params_dtype(params_)
    X_ = check_input(net, X, dtype)
    Y_ = check_targets(net, Y, n_samples(net, X_), dtype)
    with np.errstate(invalid="ignore"):  # see _BLAS_NOTE
        As, Zs = _forward(net, params_, X_)
        loss = _loss(net, Zs[-1], As[-1], Y_)
    return loss, Cache(tuple(As), tuple(Zs), Y_, params_)


def backward(net: MLP, params: Mapping[str, Any], cache: Cache) -> Params:
    """Gradients of the loss with respect to every parameter.

    Parameters
    ----------
    net : MLP
    params : dict
        The parameters `forward` ran with.
    cache : Cache
        From `forward`.

    Returns
    -------
    dict
        ``{"W1": dL/dW1, "b1": dL/db1, ...}``: same keys, shapes and dtype as ``params``.
    """
    check_net(net)
    if not isinstance(cache, Cache) or len(cache.Z) != net.n_layers:
        raise TypeError(
            f"cache must be the Cache that forward() returned for this net, got "
            f"{type(cache).__name__}."
        )
    same = isinstance(params, Mapping) and len(params) == len(cache.params) and all(
        params.get(k) is v for k, v in cache.params.items()
    )
    params_ = cache.params if same else check_params(net, params)
    if cache.A[0].dtype != params_dtype(params_):
        raise TypeError(
            f"cache holds {cache.A[0].dtype} arrays, but params are {params_dtype(params_)}; "
            "run forward() with these params."
        )
    with np.errstate(invalid="ignore"):  # see _BLAS_NOTE
        return _backward(net, params_, list(cache.A), list(cache.Z), cache.Y)


def _loss_and_grad(
    net: MLP, params: Params, X: FloatArray, Y: FloatArray, l2: float
) -> tuple[FloatArray, Params]:
    """`loss_and_grad` on validated input (the training loop's hot path)."""
    with np.errstate(invalid="ignore"):  # see _BLAS_NOTE
        # As, Zs are ours alone: overwritten in place; a fused output is left as logits
        scratch = _scratch_arrays(net, n_samples(net, X)) if X.ndim == 2 else None
        if scratch is not None and net._rows is not None and params["W1"].ndim == 2:
            loss, grads = _loss_and_grad_transposed(net, params, X, Y)
        else:
            As, Zs = _forward(net, params, X, overwrite=True, loss_only=True, scratch=scratch)
            loss, dZ = _loss_and_dZ(net, Zs[-1], As[-1], Y)
            grads = _backward_layers(net, params, As, Zs, dZ, overwrite=True)
    return _add_l2(loss, grads, params, l2)


def _loss_and_grad_transposed(
    net: MLP, params: Params, X: FloatArray, Y: FloatArray
) -> tuple[FloatArray, Params]:
    """A large columns pass computed as its transpose, in the rows layout; columns results.

    Z_l^T = A_{l-1}^T W_l^T + b_l^T is the rows layout's pass on transposed views (no copy:
    BLAS reads them with its transpose flags), and the gradients come back in the columns
    shapes as dW_l = dZ_l^T A_{l-1} of the rows arrays, C-ordered. The same arithmetic in
    other products, which OpenBLAS runs faster here (dA of a 10-unit output layer on two
    threads: 27 against 60 us, float32), and bias adds and sums along contiguous rows.
    Measured on [64, 256, 256, 10] at m = 512 (2026-12-04, 2-core Zen 4): 1.83-1.86 against
    1.91-1.93 ms (float32, two threads), 5.55 against 6.10 ms (float64, one thread).
    """
    rows = net._rows
    params_T = {key: value.T for key, value in params.items()}
    scratch = _scratch_arrays(rows, X.shape[1])
    As, Zs = _forward(rows, params_T, X.T, overwrite=True, loss_only=True, scratch=scratch)
    loss, dZ = _loss_and_dZ(rows, Zs[-1], As[-1], Y.T)
    return loss, _backward_layers(rows, params_T, As, Zs, dZ, overwrite=True, transposed=True)


def _add_l2(
    loss: FloatArray, grads: Params, params: Mapping[str, FloatArray], l2: float
) -> tuple[FloatArray, Params]:
    """Loss and gradients with ``l2 / 2 * sum(W ** 2)`` added (``grads`` updated in place)."""
    if l2:
        loss = loss + loss.dtype.type(_l2_penalty(params, l2))
        for key in grads:
            if key[0] == "W":
                grads[key] = grads[key] + l2 * params[key]
    return loss, grads


def predict(net: MLP, params: Mapping[str, Any], X: Any) -> FloatArray:
    """Network output A_L for X: probabilities for sigmoid/softmax outputs, values otherwise.

    Returns
    -------
    ndarray, shape (n_L, m) for layout="columns", (m, n_L) for "rows"; dtype of the parameters.
    For classes, take ``argmax`` along the class axis (0 for columns, 1 for rows), or
    threshold a sigmoid output at 0.5.
    """
    params_ = check_params(check_net(net), params)
    X_ = check_input(net, X, params_dtype(params_))
    with np.errstate(invalid="ignore"):  # see _BLAS_NOTE
        return _forward(net, params_, X_)[0][-1]
