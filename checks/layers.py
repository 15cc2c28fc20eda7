"""`check_layer`: a CS231n-style layer, ``forward`` -> ``(out, cache)``, checked in one line.

``(out, cache) = forward(*inputs)`` and ``grads = backward(dout, cache)``. The layer becomes
a vector-valued function of its float-array inputs and its backward pass a VJP
(`checks.vjp`): ``f(inputs) = forward(*inputs)[0]`` and ``vjp(inputs, dout) = backward(dout,
forward(*inputs)[1])``. Inputs that are not float arrays (``conv_param``, ``bn_param``,
integer labels, a mode string) are passed through unchanged, as a fresh deep copy on every
call, so a forward that updates ``bn_param["running_mean"]`` stays deterministic and the
caller's dict is never touched. Every array the layer sees is a private copy: the caller's
arrays are never modified, also when ``forward`` or ``backward`` raise.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from checks._types import Method
from checks.structure import normalise_params, private_copies
from checks.vjp import (
    DEFAULT_RANDOM_COTANGENTS,
    LayerError,
    VectorCheckResult,
    check_callable,
    check_count,
    check_executor,
    check_knobs,
    check_seed,
    normalise_cotangents,
    raise_on_failure,
    run_vjp,
    validated_output,
)


@dataclass(frozen=True)
class _Slot:
    """One argument of ``forward``: where it goes and what it is."""

    name: str
    position: int | None  # index among the positional arguments, None for a keyword
    key: str | None  # keyword name, None for a positional argument
    value: Any
    float_array: bool


def _input_names(forward: Callable[..., Any], args: Sequence[Any],
                 kwargs: Mapping[str, Any]) -> list[str]:
    """Names of the positional arguments from ``forward``'s signature (``inputs[i]`` if none)."""
    fallback = [f"inputs[{i}]" for i in range(len(args))]
    try:
        sig = inspect.signature(forward)
    except (TypeError, ValueError):
        return fallback
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"forward{sig} does not accept the inputs given ({exc}).") from None
    names: list[str] = []
    for pname, value in bound.arguments.items():
        kind = sig.parameters[pname].kind
        if kind == inspect.Parameter.VAR_POSITIONAL:
            names += [f"{pname}[{i}]" for i in range(len(value))]
        elif kind in (inspect.Parameter.POSITIONAL_ONLY,
                      inspect.Parameter.POSITIONAL_OR_KEYWORD) and len(names) < len(args):
            names.append(pname)
    return names[: len(args)] if len(names) >= len(args) else fallback


def _slots(forward: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
           ) -> list[_Slot]:
    names = _input_names(forward, args, kwargs)
    slots = [_Slot(n, i, None, v, _is_float_array(v)) for i, (n, v) in
             enumerate(zip(names, args, strict=True))]
    slots += [_Slot(k, None, k, v, _is_float_array(v)) for k, v in kwargs.items()]
    return slots


def _is_float_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def _resolve_wrt(wrt: Any, slots: list[_Slot]) -> list[str]:
    """The names of the inputs to check: ``wrt`` (validated against ``slots``) or all floats."""
    differentiable = [s.name for s in slots if s.float_array]
    if wrt is None:
        chosen = differentiable
    else:
        chosen = [wrt] if isinstance(wrt, str) else list(wrt)
        integral = {s.name: s.value.dtype for s in slots
                    if isinstance(s.value, np.ndarray) and s.value.dtype.kind in "iub"}
        for w in chosen:
            if w in integral:
                raise TypeError(f"input {w} has dtype {integral[w]}: only float arrays can "
                                "be checked; convert it with .astype(np.float64).")
            if w not in differentiable:
                raise ValueError(
                    f"wrt={w!r} is not a float-array input of the layer; the float-array "
                    f"inputs are {differentiable}."
                )
    if not chosen:
        raise ValueError(
            "the layer has no float-array input to check (inputs that are not float arrays "
            "are passed through as constants); pass x, w, ... as float64 arrays."
        )
    return chosen


def _arrays_in(obj: Any, path: str, depth: int = 0) -> list[tuple[str, np.ndarray]]:
    """Every ndarray inside ``obj`` (tuples, lists, dicts, objects' ``__dict__``), with a path."""
    if depth > 6:
        return []
    if isinstance(obj, np.ndarray):
        return [(path, obj)]
    found: list[tuple[str, np.ndarray]] = []
    if isinstance(obj, list | tuple):
        for i, item in enumerate(obj):
            found += _arrays_in(item, f"{path}[{i}]", depth + 1)
    elif isinstance(obj, Mapping):
        for k, item in obj.items():
            found += _arrays_in(item, f"{path}[{k!r}]", depth + 1)
    elif hasattr(obj, "__dict__") and not callable(obj):
        for k, item in vars(obj).items():
            found += _arrays_in(item, f"{path}.{k}", depth + 1)
    return found


class _Layer:
    """The layer as ``f(params) -> out`` and ``vjp(params, dout) -> grads`` (dicts by name)."""

    def __init__(self, forward: Callable[..., Any], backward: Callable[..., Any],
                 slots: list[_Slot], wrt: list[str]) -> None:
        self.forward, self.backward, self.slots, self.wrt = forward, backward, slots, wrt
        self.differentiable = [s.name for s in slots if s.float_array]

    def _call_forward(self, params: Mapping[str, np.ndarray]) -> tuple[Any, Any]:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for s in self.slots:
            if s.name in params:
                value = params[s.name]
            elif s.float_array:
                value = np.array(s.value, copy=True)
            else:
                value = copy.deepcopy(s.value)
            if s.key is None:
                args.append(value)
            else:
                kwargs[s.key] = value
        result = self.forward(*args, **kwargs)
        if not isinstance(result, tuple | list) or len(result) != 2:
            what = (f"a {type(result).__name__} of length {len(result)}"
                    if isinstance(result, tuple | list) else f"a {type(result).__name__}")
            raise LayerError(
                f"forward must return (out, cache), as CS231n layers do; it returned {what}. "
                "If it returns only out, check it with checks.check_vjp instead."
            )
        return result[0], result[1]

    def f(self, params: Mapping[str, np.ndarray]) -> Any:
        """The layer's output at ``params`` (other inputs as given)."""
        return self._call_forward(params)[0]

    def vjp(self, params: Mapping[str, np.ndarray], dout: np.ndarray) -> dict[str, Any]:
        """``backward(dout, cache)`` as a dict by input name; errors on in-place writes."""
        _, cache = self._call_forward(params)
        saved = [(p, a, a.tobytes()) for p, a in _arrays_in(cache, "cache")]
        grads = self.backward(dout, cache)
        for path, arr, before in saved:
            if arr.tobytes() != before:
                raise LayerError(
                    f"backward wrote into {path} (shape {arr.shape}), an array the forward "
                    "saved: the cache is read-only for backward (the next backward with the "
                    "same cache, or the forward's own inputs, would see the change). Copy it "
                    "first, e.g. `x = x.copy()`, or compute into a new array."
                )
        return self._as_dict(grads)

    def _as_dict(self, grads: Any) -> dict[str, Any]:
        names = self.differentiable
        if isinstance(grads, Mapping):
            by_name = dict(grads)
        elif isinstance(grads, tuple | list):
            by_name = dict(zip(names, grads, strict=False))
            by_name.update({f"backward[{i}]": g for i, g in enumerate(grads)
                            if i >= len(names) and g is not None})
        elif len(names) == 1:
            by_name = {names[0]: grads}
        else:
            raise LayerError(
                f"backward returned a {type(grads).__name__}, but the layer has "
                f"{len(names)} float-array inputs {names}: return a tuple with one gradient "
                f"per input, in that order ({', '.join('d' + n for n in names)})."
            )
        return {k: v for k, v in by_name.items() if k in self.wrt or k not in names}


def check_layer(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    *inputs: Any,
    upstream: Any = None,
    wrt: str | Sequence[str] | None = None,
    random_cotangents: int = DEFAULT_RANDOM_COTANGENTS,
    method: Method = "auto",
    rtol: float | None = None,
    atol: float | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
    **named_inputs: Any,
) -> VectorCheckResult:
    """Check a layer's ``backward`` against finite differences of its ``forward``.

    Parameters
    ----------
    forward : callable
        ``forward(*inputs, **named_inputs) -> (out, cache)``; ``out`` a float array of any
        shape. Must be deterministic (seed dropout masks inside, e.g. from ``dropout_param``).
    backward : callable
        ``backward(dout, cache) -> grads``: a tuple with one gradient per float-array input,
        in call order (``dx, dw, db`` for ``forward(x, w, b, conv_param)``), a dict by input
        name, or one array for a layer with one float-array input. Must not write into
        ``dout`` or into the arrays of ``cache``.
    *inputs, **named_inputs
        The layer's inputs, by position or by name. Float arrays are checked (all of them,
        or those named in ``wrt``); anything else (``conv_param``, integer labels, a mode)
        is passed through as a fresh deep copy on every call. Never modified.
    upstream : ndarray or sequence of ndarray, optional
        Upstream gradients ``dout`` (shape of ``out``) to check first.
    wrt : str or sequence of str, optional
        Names of the float-array inputs to check (default: all); the others are constants
        and their gradients are ignored.
    random_cotangents : int
        Seeded random upstream gradients checked after ``upstream`` (default 3).
    method, rtol, atol, seed, executor
        As in `checks.check_vjp` (with an executor, ``forward`` and ``backward`` must be
        picklable: module-level functions).

    Returns
    -------
    VectorCheckResult
        One `checks.ParamCheck` per checked input, named after ``forward``'s parameters.

    Raises
    ------
    TypeError, ValueError
        Inputs ``forward`` does not accept, no float-array input, an unknown ``wrt`` name,
        an ``upstream`` of the wrong shape, bad knobs.
    LayerError
        ``forward`` does not return ``(out, cache)``; ``backward`` writes into ``dout`` or
        into ``cache``, or returns one array for several inputs.
    OutputError
        ``out`` is not a finite float array, or ``forward`` is not deterministic.

    Examples
    --------
    >>> import numpy as np
    >>> def affine_forward(x, w, b):
    ...     return x @ w + b, (x, w)
    >>> def affine_backward(dout, cache):
    ...     x, w = cache
    ...     return dout @ w.T, x.T @ dout, dout.sum(axis=0)
    >>> rng = np.random.default_rng(0)
    >>> x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    >>> print(check_layer(affine_forward, affine_backward, x, w, b).verdict)
    pass
    """
    check_callable(forward, "forward")
    check_callable(backward, "backward")
    check_knobs(method, rtol, atol)
    check_executor(executor)
    n_random = check_count(random_cotangents, "random_cotangents")
    seed_ = check_seed(seed)
    if not inputs and not named_inputs:
        raise ValueError("check_layer needs the layer's inputs: check_layer(forward, backward, "
                         "x, w, b, ...).")
    slots = _slots(forward, inputs, named_inputs)
    chosen = _resolve_wrt(wrt, slots)
    layer = _Layer(forward, backward, slots, chosen)
    by_name = {s.name: s.value for s in slots}
    structure, originals = normalise_params({n: by_name[n] for n in chosen})
    out = validated_output(layer.f, structure.build(private_copies(originals)),
                           "forward (out)")
    given = normalise_cotangents(upstream, out.shape, out.dtype, "upstream",
                                 "forward returns out as")
    if not given and n_random == 0:
        raise ValueError("no upstream gradient to check: pass upstream=... or "
                         "random_cotangents >= 1.")
    return run_vjp(layer.f, structure, originals, layer.vjp, given, n_random, method=method,
                   rtol=rtol, atol=atol, seed=seed_, kind="layer", vjp_name="backward",
                   out=out, executor=executor)


def assert_layer(forward: Callable[..., Any], backward: Callable[..., Any], *inputs: Any,
                 allow_inconclusive: bool = True, **kwargs: Any) -> VectorCheckResult:
    """`check_layer`, raising `checks.GradientMismatch` when it fails.

    Parameters
    ----------
    forward, backward, *inputs, **kwargs
        As in `check_layer` (named inputs included).
    allow_inconclusive : bool
        If False, an "inconclusive" verdict raises too.

    Returns
    -------
    VectorCheckResult
    """
    result = check_layer(forward, backward, *inputs, **kwargs)
    raise_on_failure(result, allow_inconclusive)
    return result
