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
result. `forward` and `backward` are the readable pass, layer by layer as in the seeds, with
the activations' and losses' own ``forward``/``backward``; `numeric.engine` runs the same
formulas in place for `numeric.loss_and_grad`. Public functions validate once; the private
``_forward``/``_backward`` they call assume clean input and also accept parameters stacked
along a leading K axis (used by `numeric.batched`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from numeric._types import LAYOUTS, REDUCTIONS, FloatArray, Layout, Reduction, class_axis
from numeric._validate import (
    FLOAT_DTYPES,
    as_float_array,
    check_all_finite,
    check_choice,
    check_finite,
    check_nonnegative_float,
    check_positive_int,
    check_rng,
    labels_to_onehot,
)
from numeric.activations import ACTIVATIONS, Activation
from numeric.layers import affine, affine_backward
from numeric.losses import LOSSES, Loss, reduction_scale

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
        Any key of `numeric.ACTIVATIONS`.
    output : str
        Activation of the output layer.
    loss : str
        A key of `numeric.LOSSES`: "bce", "ce" or "mse".
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
        At construction, for any invalid field; unknown names list the valid ones; a softmax
        or CE output layer of one unit (constant, zero gradients) is refused.

    Notes
    -----
    The spec holds nothing but these fields: it compares, hashes and pickles as its values.
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
        loss, output = LOSSES[self.loss], ACTIVATIONS[self.output]
        if self.half and not loss.half:
            raise ValueError(f"half=True applies to loss='mse' only, got loss={self.loss!r}.")
        if sizes[-1] < max(loss.min_outputs, output.min_units):
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

    @property
    def n_layers(self) -> int:
        """Number L of affine layers (weights W1 ... WL)."""
        return len(self.sizes) - 1

    @property
    def activations(self) -> tuple[str, ...]:
        """Activation names of layers 1 ... L (the hidden ones, then the output)."""
        return (*self.hidden, self.output)  # type: ignore[misc]

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        """Shapes of W1, b1, ..., WL, bL for this network's layout, in that order."""
        return dict(plan_of(self).shapes)

    @property
    def n_params(self) -> int:
        """Total number P of scalar parameters."""
        return sum(r * c for r, c in plan_of(self).shapes.values())


@dataclass(frozen=True, eq=False)
class Plan:
    """What the passes look up about a net, derived once from its spec (see `plan_of`).

    Attributes
    ----------
    net : MLP
    shapes : dict
        Parameter shapes in ``net``'s layout, in the order W1, b1, ..., WL, bL.
    keys : tuple of (str, str)
        ``("W1", "b1"), ..., ("WL", "bL")``.
    acts : tuple of Activation
        The activation objects of layers 1 ... L.
    loss : Loss
    fused : bool
        The output activation cancels against the loss (sigmoid + BCE, softmax + CE).
    widest : int
        The widest layer, n_l for l >= 1.
    """

    net: MLP
    shapes: Mapping[str, tuple[int, int]]
    keys: tuple[tuple[str, str], ...]
    acts: tuple[Activation, ...]
    loss: Loss
    fused: bool
    widest: int


def plan_of(net: MLP) -> Plan:
    """The `Plan` of ``net``, derived once per spec (a pure function of it).

    Looked up by the net's identity first: hashing a spec costs more than a small layer.
    """
    hit = _PLANS.get(id(net))
    if hit is not None and hit[0] is net:
        return hit[1]
    if len(_PLANS) >= 256:
        _PLANS.clear()
    plan = _plan(net)
    _PLANS[id(net)] = (net, plan)  # the net held here: its id stays its own
    return plan


# Plans by id(net), for `plan_of`: a memo of a pure function, never a result.
_PLANS: dict[int, tuple[MLP, Plan]] = {}


@functools.lru_cache(maxsize=256)
def _plan(net: MLP) -> Plan:
    """The `Plan` of ``net``, shared by equal specs."""
    cols = net.layout == "columns"
    shapes: dict[str, tuple[int, int]] = {}
    for l in range(1, len(net.sizes)):  # noqa: E741 -- l is the seeds' layer index
        n_in, n_out = net.sizes[l - 1], net.sizes[l]
        shapes[f"W{l}"] = (n_out, n_in) if cols else (n_in, n_out)
        shapes[f"b{l}"] = (n_out, 1) if cols else (1, n_out)
    loss = LOSSES[net.loss]
    return Plan(
        net=net,
        shapes=shapes,
        keys=tuple((f"W{l}", f"b{l}") for l in range(1, len(net.sizes))),  # noqa: E741
        acts=tuple(ACTIVATIONS[a] for a in net.activations),
        loss=loss,
        fused=loss.fused_activation == net.output,
        widest=max(net.sizes[1:]),
    )


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
    it: the engine tests its copy of the parameters).
    """
    if type(params) is not dict and not isinstance(params, Mapping):
        raise TypeError(f"{name} must be a dict of arrays, got {type(params).__name__}.")
    shapes = plan_of(net).shapes
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
    output, a vector (m,) of targets for "bce"/"mse". Each loss checks its own targets
    (`numeric.losses.Loss.check_targets`): BCE's in [0, 1], CE's distributions.
    """
    Y_arr, loss = np.asarray(Y), plan_of(net).loss
    n_out = net.sizes[-1]
    out_shape = (n_out, m) if net.layout == "columns" else (m, n_out)
    if Y_arr.ndim == 1 and Y_arr.shape[0] != m:
        raise ValueError(f"Y has {Y_arr.shape[0]} entries, but X has m = {m} samples.")
    if loss.labels and Y_arr.ndim == 1:
        onehot = labels_to_onehot(Y_arr, n_out, dtype, "Y")
        return onehot if net.layout == "columns" else np.ascontiguousarray(onehot.T)
    if Y_arr.dtype.kind in "biu":
        Y_arr = Y_arr.astype(dtype)  # 0/1 labels as targets: exact in any float dtype
    dense = as_float_array(Y_arr, "Y", dtype=dtype)
    if dense.ndim == 1 and n_out == 1:
        dense = dense.reshape(out_shape)
    if dense.shape != out_shape:
        labels = " or integer labels (m,)" if loss.labels else ""
        raise ValueError(
            f"Y has shape {dense.shape}, but the network's output for m = {m} samples has shape "
            f"{out_shape} (layout={net.layout!r}); pass Y of that shape{labels}."
        )
    loss.check_targets(dense, class_axis(net.layout))
    return dense




# _BLAS_NOTE: OpenBLAS gemm kernels have been seen to leave the FE_INVALID flag set on finite
# input (numpy#13173, numpy#24067, OpenBLAS#1924); NumPy then warns "invalid value encountered
# in matmul", which filterwarnings=error turns into a failure. Every pass therefore ignores
# "invalid" (one errstate per public call): inputs are checked finite at the boundary, so a
# true NaN could only follow an inf, and the overflow making it is still reported.


# ---------------------------------------------------------------------------------------------
# The readable pass: layer by layer, with the activations' and losses' own functions
# ---------------------------------------------------------------------------------------------


def _forward(
    net: MLP, params: Mapping[str, FloatArray], A_prev: FloatArray, start: int = 1
) -> tuple[list[FloatArray], list[FloatArray]]:
    """Forward pass from layer ``start`` on; returns [A_{start-1}, ..., A_L] and [Z_start..Z_L].

    Parameters and A_prev may carry a leading K axis (stacked networks).
    """
    plan, cols = plan_of(net), net.layout == "columns"
    axis, slope = class_axis(net.layout), net.leaky_slope
    As, Zs = [A_prev], []
    for (W_key, b_key), act in zip(plan.keys[start - 1 :], plan.acts[start - 1 :], strict=True):
        Z = affine(params[W_key], params[b_key], As[-1], cols)  # seed 000: Z1 = W1 X + b1
        Zs.append(Z)
        As.append(act.forward(Z, axis=axis, slope=slope))
    return As, Zs


def _loss(net: MLP, Z_L: FloatArray, A_L: FloatArray, Y: FloatArray) -> FloatArray:
    """Reduced loss (one per leading K index when stacked) from the output layer."""
    plan = plan_of(net)
    scale = reduction_scale(Z_L.shape, net.reduction, net.layout)
    out = Z_L if plan.fused else A_L  # fused: from the logits, finite for any Z
    return plan.loss.value(out, Y, scale, axis=class_axis(net.layout), from_logits=plan.fused,
                           half=net.half)


def _output_grad(net: MLP, Z_L: FloatArray, A_L: FloatArray, Y: FloatArray) -> FloatArray:
    """dL/dZ_L: from the logits where the output activation and the loss are fused."""
    plan, axis = plan_of(net), class_axis(net.layout)
    scale = reduction_scale(A_L.shape, net.reduction, net.layout)
    if plan.fused:  # seed 000: dZ2 = A2 - Y; seed 002: dz2 = probs - onehot(y)
        return plan.loss.grad(Z_L, Y, scale, axis=axis, from_logits=True)
    dA = plan.loss.grad(A_L, Y, scale, axis=axis, half=net.half)
    return plan.acts[-1].backward(dA, Z_L, A_L, axis=axis, slope=net.leaky_slope)


def _backward(
    net: MLP, params: Mapping[str, FloatArray], As: list[FloatArray], Zs: list[FloatArray],
    Y: FloatArray,
) -> Params:
    """Gradients of all layers by the chain rule (seed 003's dZ_l = W_{l+1}^T dZ_{l+1} g'(Z_l))."""
    plan, cols = plan_of(net), net.layout == "columns"
    axis, slope = class_axis(net.layout), net.leaky_slope
    dZ = _output_grad(net, Zs[-1], As[-1], Y)
    grads: Params = {}
    for l in range(net.n_layers, 0, -1):  # noqa: E741 -- layer l
        W_key, b_key = plan.keys[l - 1]
        dW, db, dA = affine_backward(dZ, As[l - 1], params[W_key], cols, input_grad=l > 1)
        grads[W_key], grads[b_key] = dW, db
        if l > 1:  # seed 002: da1 = dz2 w2^T, then the activation's local derivative
            dZ = plan.acts[l - 2].backward(dA, Zs[l - 2], As[l - 1], axis=axis, slope=slope)
    return {key: grads[key] for key in plan.shapes}


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
        Standard deviation of the weights. None: sqrt(gain / n_in) with the gain of the
        layer's activation (`Activation.gain`: 2 for relu and leaky_relu, He scaling; 1
        otherwise). Seed 002 uses 0.01.

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
    for l, act in enumerate(plan_of(net).acts, start=1):  # noqa: E741
        n_in, n_out = net.sizes[l - 1], net.sizes[l]
        std = np.sqrt(act.gain / n_in) if scale is None else scale
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
        targets the loss is not defined for, NaN or inf anywhere, an empty batch.
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


def l2_penalty(params: Mapping[str, FloatArray], l2: float) -> float:
    """lambda/2 * sum of squared weights (biases are not regularised)."""
    return 0.5 * l2 * sum(float(np.sum(v * v)) for k, v in params.items() if k[0] == "W")


def add_l2(
    loss: FloatArray, grads: Params, params: Mapping[str, FloatArray], l2: float
) -> tuple[FloatArray, Params]:
    """Loss and gradients with ``l2 / 2 * sum(W ** 2)`` added (``grads`` updated in place)."""
    if l2:
        loss = loss + loss.dtype.type(l2_penalty(params, l2))
        for key in grads:
            if key[0] == "W":
                grads[key] = grads[key] + l2 * params[key]
    return loss, grads
