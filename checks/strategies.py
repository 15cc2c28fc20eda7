"""Hypothesis strategies for networks, parameters and batches, for your own property tests.

Every strategy draws *tame* values by construction (bounded floats, no NaN, no subnormals,
weights bounded away from zero) so a failing example points at a bug, not at overflow; wild
ranges (huge logits, tiny losses, float32 round-off) deserve tests of their own. Bounds are
keyword-only, ``None`` means "drawn" or "a default that depends on the other arguments" (each
docstring says which), and invalid bounds raise at once with a message naming the argument.

=====================  ===========================================================
`layer_sizes`          ``(n_0, n_1, ..., n_L)``
`layouts`              ``"columns"`` or ``"rows"``
`dtypes`               ``float64`` or ``float32``
`activations`          a hidden-layer activation name
`mlps`                 a `numeric.MLP` with a consistent output activation and loss
`params`               a parameter dict ``{"W1", "b1", ...}`` for a network
`batches`              ``(X, Y)`` for a network, pre-activations away from ReLU kinks
`problems`             a `Problem`: network, parameters and batch drawn together
=====================  ===========================================================

In a test module::

    from hypothesis import given
    from checks import assert_gradients, strategies as gps
    import numeric

    @given(gps.problems(max_layers=3))
    def test_backward_is_the_gradient(p):
        f = lambda q: numeric.forward(p.net, q, p.X, p.Y)[0]
        g = lambda q: numeric.loss_and_grad(p.net, q, p.X, p.Y)[1]
        assert_gradients(f, p.params, g)

Examples
--------
>>> from hypothesis import given, settings
>>> @settings(max_examples=5, database=None)
... @given(problems(layout="rows", loss="ce", dtype="float32", max_samples=4))
... def check_shapes(p):
...     assert p.X.shape[1] == p.net.sizes[0] and p.Y.shape[1] == p.net.sizes[-1]
...     assert p.X.dtype == p.params["W1"].dtype == np.float32
>>> check_shapes()  # no output: the property held on 5 drawn problems
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numeric import ACTIVATIONS, LOSSES, MLP, forward

__all__ = [
    "HIDDEN_ACTIVATIONS",
    "KINKED_ACTIVATIONS",
    "SMOOTH_ACTIVATIONS",
    "Problem",
    "activations",
    "batches",
    "dtypes",
    "layer_sizes",
    "layouts",
    "mlps",
    "params",
    "problems",
]

# Names come from numeric's registries: a new activation or loss is drawn without a change here.
#: activations for hidden layers (softmax is an output activation only)
HIDDEN_ACTIVATIONS = tuple(name for name, act in ACTIVATIONS.items() if act.hidden)
#: activations with a kink (a point where they are not differentiable) at Z = 0
KINKED_ACTIVATIONS = tuple(name for name, act in ACTIVATIONS.items() if act.kinked)
#: activations differentiable everywhere
SMOOTH_ACTIVATIONS = tuple(a for a in HIDDEN_ACTIVATIONS if a not in KINKED_ACTIVATIONS)

_LOSSES = tuple(LOSSES)
_LAYOUTS = ("columns", "rows")
_REDUCTIONS = ("mean", "mean_all", "sum")
# Outputs of a loss without a fused activation (MSE): the smooth elementwise ones.
_FREE_OUTPUTS = tuple(name for name, act in ACTIVATIONS.items()
                      if act.elementwise and not act.kinked)
_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
# Distance from a kink kept by `batches` by default, per dtype: several times the largest change
# of a pre-activation that a finite-difference step of that dtype causes (steps are about
# eps ** (1/3): 6e-6 in float64, 5e-3 in float32, times the activations' size, which is O(1)).
_DEFAULT_MARGIN = {np.dtype(np.float64): 0.02, np.dtype(np.float32): 0.1}

# ---------------------------------------------------------------------------------------------
# Argument validation: each helper names the argument it checks.
# ---------------------------------------------------------------------------------------------


def _check_int(value: Any, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {name}={value}.")
    return int(value)


def _check_order(low: int, high: int, low_name: str, high_name: str) -> None:
    if low > high:
        raise ValueError(
            f"{low_name}={low} is greater than {high_name}={high}; "
            f"pass {low_name} <= {high_name}."
        )


def _check_float(value: Any, name: str, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be finite and {bound}, got {name}={value}.")
    return value


def _check_choice(value: Any, choices: Sequence[str], name: str) -> str:
    if not isinstance(value, str) or value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}={value!r} is not one of {valid}.")
    return value


def _check_dtype(value: Any, name: str) -> np.dtype:
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype not in _FLOAT_DTYPES:
        raise TypeError(f"{name} must be float32 or float64, got {value!r}.")
    return dtype


def _check_batch_args(
    min_samples: Any, max_samples: Any, away_from_kinks: Any, margin: Any
) -> tuple[int, int, float | None]:
    """Validate the batch arguments shared by `batches` and `problems`."""
    min_samples = _check_int(min_samples, "min_samples", minimum=1)
    max_samples = _check_int(max_samples, "max_samples", minimum=1)
    _check_order(min_samples, max_samples, "min_samples", "max_samples")
    if not isinstance(away_from_kinks, bool):
        raise TypeError(f"away_from_kinks must be a bool, got {away_from_kinks!r}.")
    if margin is not None:
        margin = _check_float(margin, "margin", positive=True)
    return min_samples, max_samples, margin


def _check_net(net: Any) -> MLP:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a numeric.MLP, got {type(net).__name__}.")
    return net


def _one_or_drawn(value: Any, strategy: st.SearchStrategy) -> st.SearchStrategy:
    """``just(value)`` for a fixed argument, ``strategy`` when it is None."""
    return strategy if value is None else st.just(value)


# ---------------------------------------------------------------------------------------------
# Architectures
# ---------------------------------------------------------------------------------------------


def layer_sizes(
    *, min_layers: int = 1, max_layers: int = 4, min_width: int = 1, max_width: int = 8
) -> st.SearchStrategy[tuple[int, ...]]:
    """Layer widths ``(n_0, n_1, ..., n_L)`` of a fully connected network.

    Parameters
    ----------
    min_layers, max_layers : int
        Bounds (inclusive, ``1 <= min_layers <= max_layers``) on the number L of affine layers;
        the tuple has L + 1 entries.
    min_width, max_width : int
        Bounds (inclusive, ``1 <= min_width <= max_width``) on every width, inputs and outputs
        included.

    Returns
    -------
    SearchStrategy of tuple of int

    Raises
    ------
    TypeError, ValueError
        For a bound that is not an int, below 1, or greater than its upper bound.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(layer_sizes(min_layers=2, max_layers=3, max_width=5))
    ... def check(sizes):
    ...     assert 3 <= len(sizes) <= 4 and all(1 <= n <= 5 for n in sizes)
    >>> check()  # no output: every drawn tuple honoured the bounds
    """
    min_layers = _check_int(min_layers, "min_layers", minimum=1)
    max_layers = _check_int(max_layers, "max_layers", minimum=1)
    _check_order(min_layers, max_layers, "min_layers", "max_layers")
    min_width = _check_int(min_width, "min_width", minimum=1)
    max_width = _check_int(max_width, "max_width", minimum=1)
    _check_order(min_width, max_width, "min_width", "max_width")
    return st.lists(
        st.integers(min_width, max_width), min_size=min_layers + 1, max_size=max_layers + 1
    ).map(tuple)


def layouts() -> st.SearchStrategy[str]:
    """``"columns"`` (Z = W X + b, samples are columns) or ``"rows"`` (Z = X W + b)."""
    return st.sampled_from(_LAYOUTS)


def dtypes() -> st.SearchStrategy[np.dtype]:
    """``np.dtype("float64")`` or ``np.dtype("float32")``, the dtypes `numeric` computes in."""
    return st.sampled_from(_FLOAT_DTYPES)


def activations(*, smooth: bool = False) -> st.SearchStrategy[str]:
    """Names of hidden-layer activations of `numeric` (``HIDDEN_ACTIVATIONS``).

    Parameters
    ----------
    smooth : bool
        Only activations differentiable everywhere (``SMOOTH_ACTIVATIONS``: no relu or
        leaky_relu), for tests that cannot tolerate a kink at all.

    Returns
    -------
    SearchStrategy of str
    """
    if not isinstance(smooth, bool):
        raise TypeError(f"smooth must be a bool, got {type(smooth).__name__} {smooth!r}.")
    return st.sampled_from(SMOOTH_ACTIVATIONS if smooth else HIDDEN_ACTIVATIONS)


# Output activation -> the losses drawn with it: each loss with its fused output, a loss
# without one (MSE) with every smooth elementwise output.
_OUTPUT_LOSSES = {
    output: tuple(name for name, loss in LOSSES.items()
                  if output == loss.fused_activation
                  or (loss.fused_activation is None and output in _FREE_OUTPUTS))
    for output in ACTIVATIONS
    if any(output == loss.fused_activation for loss in LOSSES.values())
    or output in _FREE_OUTPUTS
}


@st.composite
def _mlps(
    draw: st.DrawFn,
    sizes: st.SearchStrategy[tuple[int, ...]],
    options: dict[str, Any],
) -> MLP:
    losses = [
        name for name in _LOSSES
        if (options["output"] is None or name in _OUTPUT_LOSSES[options["output"]])
        and (not options["half"] or LOSSES[name].half)
    ]
    loss_ = draw(_one_or_drawn(options["loss"], st.sampled_from(losses)))
    sizes_ = draw(sizes)
    fewest = LOSSES[loss_].min_outputs  # one-class softmax is constant: its gradient is 0
    if sizes_[-1] < fewest:
        sizes_ = (*sizes_[:-1], fewest)
    n_hidden = len(sizes_) - 2
    if options["hidden"] is None:
        hidden_ = tuple(draw(activations(smooth=options["smooth"])) for _ in range(n_hidden))
    else:
        hidden_ = (options["hidden"],) * n_hidden
    output = options["output"] or LOSSES[loss_].fused_activation
    half = options["half"]
    if LOSSES[loss_].fused_activation is None:
        output = output or draw(st.sampled_from(_FREE_OUTPUTS))
    if LOSSES[loss_].half:
        half = draw(st.booleans()) if half is None else half
    return MLP(
        sizes_,
        hidden=hidden_,
        output=output,
        loss=loss_,
        layout=draw(_one_or_drawn(options["layout"], layouts())),
        reduction=draw(_one_or_drawn(options["reduction"], st.sampled_from(_REDUCTIONS))),
        half=bool(half),
    )


def mlps(
    *,
    min_layers: int = 1,
    max_layers: int = 4,
    min_width: int = 1,
    max_width: int = 8,
    layout: str | None = None,
    loss: str | None = None,
    output: str | None = None,
    hidden: str | None = None,
    smooth: bool = False,
    reduction: str | None = None,
    half: bool | None = None,
) -> st.SearchStrategy[MLP]:
    """Network specs (`numeric.MLP`) whose output activation and loss go together.

    Parameters
    ----------
    min_layers, max_layers, min_width, max_width : int
        As in `layer_sizes`. With ``loss="ce"`` the output width is raised to 2 if drawn as 1
        (a one-class softmax is constant), even above ``max_width=1``.
    layout : {"columns", "rows"} or None
        None: drawn.
    loss : {"bce", "ce", "mse"} or None
        None: drawn among the losses that fit ``output`` and ``half``.
    output : {"sigmoid", "softmax", "identity", "tanh"} or None
        None: sigmoid for "bce", softmax for "ce" (both fused with the loss, as in the seeds),
        drawn among identity, sigmoid and tanh for "mse". Pairs: sigmoid with "bce" or "mse",
        softmax with "ce", identity and tanh with "mse".
    hidden : str or None
        One activation for every hidden layer; None: each hidden layer's is drawn by
        `activations`.
    smooth : bool
        With ``hidden=None``, draw only activations without kinks.
    reduction : {"mean", "mean_all", "sum"} or None
        None: drawn.
    half : bool or None
        The 1/2 of MSE. None: drawn for "mse" (False for the other losses); True implies
        ``loss="mse"``.

    Returns
    -------
    SearchStrategy of numeric.MLP

    Raises
    ------
    TypeError, ValueError
        For invalid bounds, a name that is not one of the valid choices (listed), or an
        ``output``, ``loss`` and ``half`` that do not go together (both named).
    """
    sizes = layer_sizes(
        min_layers=min_layers, max_layers=max_layers, min_width=min_width, max_width=max_width
    )
    if layout is not None:
        _check_choice(layout, _LAYOUTS, "layout")
    if loss is not None:
        _check_choice(loss, _LOSSES, "loss")
    if output is not None:
        _check_choice(output, tuple(_OUTPUT_LOSSES), "output")
        if loss is not None and loss not in _OUTPUT_LOSSES[output]:
            valid = " or ".join(repr(x) for x in _OUTPUT_LOSSES[output])
            raise ValueError(f"output={output!r} does not go with loss={loss!r}; use {valid}.")
    if hidden is not None:
        _check_choice(hidden, HIDDEN_ACTIVATIONS, "hidden")
    if reduction is not None:
        _check_choice(reduction, _REDUCTIONS, "reduction")
    if half is not None and not isinstance(half, bool):
        raise TypeError(f"half must be a bool or None, got {type(half).__name__} {half!r}.")
    halves = tuple(name for name, loss_ in LOSSES.items() if loss_.half)
    if half and (loss not in (None, *halves) or (
            output is not None and not set(_OUTPUT_LOSSES[output]) & set(halves))):
        raise ValueError(
            f"half=True is the 1/2 of MSE, but loss={loss!r}, output={output!r}; pass "
            "loss='mse' (or leave it None) with half=True."
        )
    activations(smooth=smooth)  # validates smooth
    options = {"layout": layout, "loss": loss, "output": output, "hidden": hidden,
               "smooth": smooth, "reduction": reduction, "half": half}
    return _mlps(sizes, options)


# ---------------------------------------------------------------------------------------------
# Parameters and data
# ---------------------------------------------------------------------------------------------


def _float_elements(dtype: np.dtype, low: float, high: float) -> st.SearchStrategy[float]:
    """Floats in [low, high] representable in ``dtype``, no subnormals."""
    if dtype == np.float32:  # round the bounds inwards to float32 (Hypothesis requires it)
        lo, hi = np.float32(low), np.float32(high)
        lo = np.nextafter(lo, np.float32(np.inf)) if lo < low else lo
        hi = np.nextafter(hi, np.float32(-np.inf)) if hi > high else hi
        return st.floats(float(lo), float(hi), width=32, allow_subnormal=False)
    return st.floats(low, high, allow_subnormal=False)


def _tame_arrays(
    dtype: np.dtype, shape: tuple[int, ...], elements: st.SearchStrategy[float]
) -> st.SearchStrategy[np.ndarray]:
    # fill=nothing(): every entry is drawn, instead of most entries sharing one fill value
    return hnp.arrays(dtype, shape, elements=elements, fill=st.nothing())


def _weight_elements(dtype: np.dtype, max_weight: float) -> st.SearchStrategy[float]:
    """Either sign, magnitude in [max_weight / 10, max_weight]: no unit dead by construction."""
    magnitude = _float_elements(dtype, max_weight / 10, max_weight)
    return st.tuples(st.sampled_from((-1.0, 1.0)), magnitude).map(lambda t: t[0] * t[1])


@st.composite
def _params(
    draw: st.DrawFn,
    net: MLP,
    dtype: np.dtype | None,
    max_weight: float | None,
    max_bias: float,
) -> dict[str, np.ndarray]:
    dtype_ = draw(_one_or_drawn(dtype, dtypes()))
    out: dict[str, np.ndarray] = {}
    for key, shape in net.param_shapes().items():
        if key[0] == "W":
            n_in = net.sizes[int(key[1:]) - 1]
            bound = 2.0 / math.sqrt(n_in) if max_weight is None else max_weight
            elements = _weight_elements(dtype_, bound)
        else:
            elements = _float_elements(dtype_, -max_bias, max_bias)
        out[key] = draw(_tame_arrays(dtype_, shape, elements))
    return out


def params(
    net: MLP,
    *,
    dtype: Any = None,
    max_weight: float | None = None,
    max_bias: float = 0.5,
) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """Parameter dicts ``{"W1", "b1", ..., "WL", "bL"}`` for ``net`` with tame values.

    Parameters
    ----------
    net : numeric.MLP
        Gives the keys and shapes (``net.param_shapes()``, in the network's layout).
    dtype : float32, float64 or None
        None: drawn by `dtypes` (one dtype for all parameters).
    max_weight : float or None
        Weights have either sign and a magnitude in ``[max_weight / 10, max_weight]``: never
        zero, so no unit is dead by construction. None: ``2 / sqrt(n_in)`` for each layer,
        which keeps pre-activations of order 1 for inputs in [-1, 1].
    max_bias : float
        Biases lie in ``[-max_bias, max_bias]`` (zero included).

    Returns
    -------
    SearchStrategy of dict of str to ndarray

    Raises
    ------
    TypeError, ValueError
        ``net`` not an MLP, a dtype other than float32/float64, a bound that is negative,
        infinite, or zero for ``max_weight``.
    """
    _check_net(net)
    if dtype is not None:
        dtype = _check_dtype(dtype, "dtype")
    if max_weight is not None:
        max_weight = _check_float(max_weight, "max_weight", positive=True)
    max_bias = _check_float(max_bias, "max_bias", positive=False)
    return _params(net, dtype, max_weight, max_bias)


def _kink_mask(
    net: MLP, params: Mapping[str, np.ndarray], X: np.ndarray, margin: float
) -> np.ndarray:
    """Per sample: True where no pre-activation of a kinked layer lies within ``margin`` of 0."""
    n_out, m = net.sizes[-1], X.shape[-1] if net.layout == "columns" else X.shape[0]
    dummy = np.zeros((n_out, m) if net.layout == "columns" else (m, n_out), dtype=X.dtype)
    _, cache = forward(net, params, X, dummy)
    unit_axis = 0 if net.layout == "columns" else 1  # reduce over the units: one per sample
    keep = np.ones(m, dtype=bool)
    for name, Z in zip(net.activations, cache.Z, strict=True):
        if name in KINKED_ACTIVATIONS:
            keep &= np.all(np.abs(Z) >= margin, axis=unit_axis)
    return keep


def _targets(
    net: MLP, m: int, dtype: np.dtype
) -> st.SearchStrategy[np.ndarray]:
    """Y for ``m`` samples, shaped like the output: 0/1 (bce), one-hot (ce), [-1, 1] (mse)."""
    n_out = net.sizes[-1]
    shape = (n_out, m) if net.layout == "columns" else (m, n_out)
    kind = LOSSES[net.loss].targets
    if kind == "binary":
        return _tame_arrays(dtype, shape, st.sampled_from((0.0, 1.0)))
    if kind == "distribution":
        eye = np.eye(n_out, dtype=dtype)
        labels = st.lists(st.integers(0, n_out - 1), min_size=m, max_size=m)
        return labels.map(
            lambda y: np.ascontiguousarray(eye[:, y] if net.layout == "columns" else eye[y])
        )
    return _tame_arrays(dtype, shape, _float_elements(dtype, -1.0, 1.0))


@st.composite
def _batches(
    draw: st.DrawFn,
    net: MLP,
    kink_params: Mapping[str, np.ndarray] | None,
    dtype: np.dtype | None,
    min_samples: int,
    max_samples: int,
    margin: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    dtype_ = draw(_one_or_drawn(dtype, dtypes()))
    m = draw(st.integers(min_samples, max_samples))
    n_in = net.sizes[0]
    shape = (n_in, m) if net.layout == "columns" else (m, n_in)
    X = draw(_tame_arrays(dtype_, shape, _float_elements(dtype_, -1.0, 1.0)))
    if kink_params is not None:
        margin_ = _DEFAULT_MARGIN[np.dtype(dtype_)] if margin is None else margin
        keep = _kink_mask(net, kink_params, X, margin_)
        assume(int(keep.sum()) >= min_samples)  # drawing rejected: too few usable samples
        X = np.ascontiguousarray(X[:, keep] if net.layout == "columns" else X[keep])
        m = X.shape[-1] if net.layout == "columns" else X.shape[0]
    return X, draw(_targets(net, m, dtype_))


def batches(
    net: MLP,
    *,
    params: Mapping[str, np.ndarray] | None = None,
    dtype: Any = None,
    min_samples: int = 1,
    max_samples: int = 32,
    away_from_kinks: bool = True,
    margin: float | None = None,
) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Batches ``(X, Y)`` for ``net``, in its layout, with targets that suit its loss.

    Parameters
    ----------
    net : numeric.MLP
    params : dict or None
        The parameters the batch will be used with. Needed, with ``away_from_kinks=True``, when
        ``net`` has a relu or leaky_relu layer: only with them are pre-activations known.
        Their dtype is the batch's dtype.
    dtype : float32, float64 or None
        The batch's dtype when ``params`` is None; None: drawn by `dtypes`.
    min_samples, max_samples : int
        Bounds (inclusive, ``1 <= min_samples <= max_samples``) on the number m of samples.
    away_from_kinks : bool
        Keep every pre-activation of a relu/leaky_relu layer at least ``margin`` away from 0,
        so that finite differences never straddle a kink. Samples that come closer are dropped
        from the drawn batch (m may end up below the drawn size, never below ``min_samples``;
        draws left with fewer are rejected). False: no such guarantee (kinks allowed).
    margin : float or None
        Distance from the kink; None: 0.02 for float64 and 0.1 for float32, several times the
        change of a pre-activation caused by a finite-difference step in that dtype.

    Returns
    -------
    SearchStrategy of (ndarray, ndarray)
        X of shape (n_0, m) for layout="columns" or (m, n_0) for "rows", entries in [-1, 1];
        Y shaped like the output, (n_L, m) or (m, n_L): 0/1 targets for "bce", one-hot rows
        or columns for "ce", values in [-1, 1] for "mse".

    Raises
    ------
    TypeError, ValueError
        For invalid bounds or dtype, params that do not fit ``net``, or a network with a kink
        when ``away_from_kinks=True`` but ``params`` is None (use `problems`, which draws
        both, or pass ``params``).
    """
    _check_net(net)
    min_samples, max_samples, margin = _check_batch_args(
        min_samples, max_samples, away_from_kinks, margin
    )
    if dtype is not None:
        dtype = _check_dtype(dtype, "dtype")
    if params is not None:
        forward(net, params, *_probe(net, params))  # validates keys, shapes, one float dtype
        if dtype is not None and next(iter(params.values())).dtype != dtype:
            raise ValueError(
                f"dtype={dtype} but params are {next(iter(params.values())).dtype}; "
                "the batch takes the parameters' dtype, so pass one or the other."
            )
    kinked = [a for a in net.activations if a in KINKED_ACTIVATIONS]
    if away_from_kinks and kinked and params is None:
        raise ValueError(
            f"params=None, but net has {kinked[0]} layers and away_from_kinks=True needs the "
            "parameters to know the pre-activations; pass params=..., draw both with "
            "problems(), or pass away_from_kinks=False to allow kinks."
        )
    if params is not None:
        dtype = next(iter(params.values())).dtype
    kink_params = params if away_from_kinks and kinked else None
    return _batches(net, kink_params, dtype, min_samples, max_samples, margin)


def _probe(net: MLP, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """A one-sample (X, Y) of zeros for validating ``params`` with `numeric.forward`."""
    first = next(iter(params.values()), None)
    dtype = first.dtype if isinstance(first, np.ndarray) and first.dtype.kind == "f" else None
    dtype = dtype or np.dtype(np.float64)
    n_in, n_out = net.sizes[0], net.sizes[-1]
    cols = net.layout == "columns"
    X = np.zeros((n_in, 1) if cols else (1, n_in), dtype=dtype)
    Y = np.zeros((n_out, 1) if cols else (1, n_out), dtype=dtype)
    return X, Y


# ---------------------------------------------------------------------------------------------
# Everything at once
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Problem:
    """A network, its parameters and a batch, drawn together by `problems`.

    Attributes
    ----------
    net : numeric.MLP
    params : dict of str to ndarray
        Keys and shapes of ``net.param_shapes()``, one dtype.
    X : ndarray, shape (n_0, m) for layout="columns", (m, n_0) for "rows"
    Y : ndarray, shape (n_L, m) or (m, n_L)
        Dense targets (one-hot for loss="ce").
    """

    net: MLP
    params: dict[str, np.ndarray]
    X: np.ndarray
    Y: np.ndarray

    @property
    def dtype(self) -> np.dtype:
        """The common dtype of the parameters and the batch."""
        return self.X.dtype

    def __repr__(self) -> str:
        return (
            f"Problem(net={self.net!r}, dtype={self.dtype}, X.shape={self.X.shape}, "
            f"Y.shape={self.Y.shape})"
        )


@st.composite
def _problems(
    draw: st.DrawFn,
    nets: st.SearchStrategy[MLP],
    dtype: np.dtype | None,
    min_samples: int,
    max_samples: int,
    away_from_kinks: bool,
    margin: float | None,
) -> Problem:
    net = draw(nets)
    p = draw(params(net, dtype=dtype))
    X, Y = draw(
        batches(
            net, params=p, min_samples=min_samples, max_samples=max_samples,
            away_from_kinks=away_from_kinks, margin=margin,
        )
    )
    return Problem(net, p, X, Y)


def problems(
    *,
    dtype: Any = None,
    min_samples: int = 1,
    max_samples: int = 16,
    away_from_kinks: bool = True,
    margin: float | None = None,
    **mlp_kwargs: Any,
) -> st.SearchStrategy[Problem]:
    """A network (`mlps`), its parameters (`params`) and a batch (`batches`), drawn together.

    Parameters
    ----------
    dtype : float32, float64 or None
        None: drawn by `dtypes`.
    min_samples, max_samples, away_from_kinks, margin
        As in `batches` (``max_samples`` defaults to 16 here to keep examples quick).
    **mlp_kwargs
        Passed to `mlps`: ``min_layers``, ``max_layers``, ``min_width``, ``max_width``,
        ``layout``, ``loss``, ``output``, ``hidden``, ``smooth``, ``reduction``, ``half``.

    Returns
    -------
    SearchStrategy of Problem

    Raises
    ------
    TypeError, ValueError
        As `mlps`, `params` and `batches` do; an unknown keyword is named.
    """
    nets = mlps(**mlp_kwargs)
    if dtype is not None:
        dtype = _check_dtype(dtype, "dtype")
    min_samples, max_samples, margin = _check_batch_args(
        min_samples, max_samples, away_from_kinks, margin
    )
    return _problems(nets, dtype, min_samples, max_samples, away_from_kinks, margin)
