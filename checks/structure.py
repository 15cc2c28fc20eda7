"""Parameters as the user passes them (array, sequence or dict) and as the checker works on them.

`normalise_params` validates the user's ``params`` once and records its `Structure`;
`private_copies` makes the arrays the checker perturbs (the caller's arrays are never written);
`Structure.build` rebuilds the object ``f`` is called with; `normalise_grad` matches an analytic
gradient against the structure and reports, rather than raises on, wrong shapes and keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from checks._types import FloatArray

Kind = Literal["array", "list", "tuple", "dict"]


@dataclass(frozen=True)
class Structure:
    """The shape of the ``params`` object: its kind, keys, and each array's shape and dtype.

    Attributes
    ----------
    kind : {"array", "list", "tuple", "dict"}
    keys : tuple
        Dict keys in order, or ``0 ... n-1`` for sequences, ``(None,)`` for one array.
    names : tuple of str
        Display names: ``"params"``, ``"params[0]"`` or the dict key.
    shapes : tuple of tuple of int
    dtypes : tuple of numpy.dtype
    """

    kind: Kind
    keys: tuple[Any, ...]
    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    dtypes: tuple[np.dtype, ...]

    @property
    def sizes(self) -> tuple[int, ...]:
        """Number of entries of each parameter."""
        return tuple(int(np.prod(s, dtype=np.int64)) for s in self.shapes)

    @property
    def n_entries(self) -> int:
        """Total number P of scalar parameters."""
        return sum(self.sizes)

    def build(self, arrays: Sequence[Any]) -> Any:
        """The object ``f`` is called with: same kind and keys as the user's ``params``."""
        if self.kind == "array":
            return arrays[0]
        if self.kind == "dict":
            return dict(zip(self.keys, arrays, strict=True))
        return list(arrays) if self.kind == "list" else tuple(arrays)


SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
"""Parameter dtypes the checker accepts: the ones its error bars are calibrated for."""


def _check_float_array(value: Any, name: str) -> np.ndarray:
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    if arr.dtype == np.float16:
        raise TypeError(
            f"{name} has dtype float16, which finite differences cannot check honestly: with "
            "eps = 9.8e-04 the best step resolves a gradient only to a few percent, so a 5% "
            "error would pass as rounding. Check in float32 or float64: pass "
            f"{name}.astype(np.float32) (f then computes in float32)."
        )
    if arr.dtype not in SUPPORTED_DTYPES:
        fix = " Convert it with .astype(np.float64)." if arr.dtype.kind in "iubf" else ""
        raise TypeError(
            f"{name} has dtype {arr.dtype}, but gradient checks need float32 or float64 "
            f"parameters.{fix}"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        index, n = tuple(int(i) for i in np.argwhere(bad)[0]), int(bad.sum())
        raise ValueError(
            f"{name} contains {arr[index]} at index {index} ({n} non-finite "
            f"{'entry' if n == 1 else 'entries'} in all): finite differences need a finite "
            "point. Check the gradient at finite parameters."
        )
    return arr


def normalise_params(params: Any) -> tuple[Structure, list[np.ndarray]]:
    """Validate ``params`` and split it into a `Structure` and a list of arrays.

    Parameters
    ----------
    params : ndarray, sequence of ndarray, or dict of name -> ndarray
        Float arrays of any shape (zero-size included).

    Returns
    -------
    structure : Structure
    arrays : list of ndarray
        The caller's arrays themselves (not copies); never written to.

    Raises
    ------
    TypeError
        An array that is not float32 or float64 (float16, longdouble, integer, bool,
        complex, object), or a ``params`` of another kind.
    ValueError
        An empty sequence or dict; NaN or inf in an array (named with its index).

    Examples
    --------
    >>> s, arrays = normalise_params({"W": np.zeros((2, 3)), "b": np.zeros(2)})
    >>> s.kind, s.names, s.shapes, s.n_entries
    ('dict', ('W', 'b'), ((2, 3), (2,)), 8)
    """
    kind: Kind
    if isinstance(params, np.ndarray | np.floating):
        kind, keys, names, values = "array", (None,), ("params",), [params]
    elif isinstance(params, Mapping):
        kind, keys = "dict", tuple(params)
        names, values = tuple(str(k) for k in keys), [params[k] for k in keys]
    elif isinstance(params, list | tuple):
        kind = "list" if isinstance(params, list) else "tuple"
        keys = tuple(range(len(params)))
        names, values = tuple(f"params[{i}]" for i in keys), list(params)
    else:
        raise TypeError(
            f"params must be an ndarray, a list or tuple of ndarrays, or a dict of name -> "
            f"ndarray; got {type(params).__name__}."
        )
    if not values:
        raise ValueError(f"params is an empty {type(params).__name__}: nothing to check.")
    arrays = [_check_float_array(v, n) for v, n in zip(values, names, strict=True)]
    structure = Structure(
        kind, keys, names, tuple(a.shape for a in arrays), tuple(a.dtype for a in arrays)
    )
    return structure, arrays


def private_copies(arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """C-contiguous copies with the same dtype and shape: the arrays the checker perturbs."""
    return [np.array(a, dtype=a.dtype, order="C", copy=True) for a in arrays]


@dataclass(frozen=True)
class GradProblem:
    """Why an analytic gradient entry cannot be compared: wrong shape, missing or extra."""

    name: str
    kind: Literal["wrong shape", "missing", "extra", "not numeric"]
    message: str
    shape: tuple[int, ...] | None = None


def _grad_items(grad: Any, structure: Structure) -> tuple[dict[Any, Any], list[Any]]:
    """The user's gradient as {key: value} for the structure's keys, plus unexpected keys."""
    if structure.kind == "array":
        return {None: grad}, []
    if structure.kind == "dict":
        if not isinstance(grad, Mapping):
            raise TypeError(
                f"grad returned a {type(grad).__name__}, but params is a dict: expected a dict "
                f"with keys {list(structure.keys)}."
            )
        extra = [k for k in grad if k not in structure.keys]
        return {k: grad[k] for k in structure.keys if k in grad}, extra
    if isinstance(grad, np.ndarray | Mapping) or not isinstance(grad, Sequence):
        raise TypeError(
            f"grad returned a {type(grad).__name__}, but params is a {structure.kind} of "
            f"{len(structure.keys)} arrays: expected a sequence of as many arrays."
        )
    n = len(structure.keys)
    return dict(enumerate(grad[:n])), list(range(n, len(grad)))


def normalise_grad(
    grad: Any, structure: Structure
) -> tuple[list[FloatArray | None], list[GradProblem]]:
    """Match an analytic gradient against the parameters, without broadcasting.

    Parameters
    ----------
    grad : same structure as the parameters
        The analytic gradient (already evaluated).
    structure : Structure

    Returns
    -------
    arrays : list of (ndarray, float64) or None
        One per parameter, in order; ``None`` where the gradient is missing, wrong-shaped
        or not numeric.
    problems : list of GradProblem
        One per such parameter, plus one per extra key or entry; each message names the
        parameter and both shapes.

    Raises
    ------
    TypeError
        ``grad`` is a different kind of container (e.g. a list for a dict of parameters).
    """
    items, extra = _grad_items(grad, structure)
    arrays: list[FloatArray | None] = []
    problems: list[GradProblem] = []
    for key, name, shape in zip(structure.keys, structure.names, structure.shapes, strict=True):
        label = "grad" if key is None else f"grad[{key!r}]"
        if key not in items:
            problems.append(GradProblem(
                name, "missing",
                f"{label} is missing; params {name!r} has shape {shape}.",
            ))
            arrays.append(None)
            continue
        value = np.asarray(items[key])
        if value.dtype.kind not in "fiub":
            problems.append(GradProblem(
                name, "not numeric",
                f"{label} has dtype {value.dtype}; a real-valued array of shape {shape} is "
                "expected.",
                value.shape,
            ))
            arrays.append(None)
        elif value.shape != shape:
            problems.append(GradProblem(
                name, "wrong shape",
                f"{label} has shape {value.shape}, but params {name!r} has shape {shape} "
                "(no broadcasting: the gradient must have the parameter's shape).",
                value.shape,
            ))
            arrays.append(None)
        else:
            arrays.append(value.astype(np.float64))
    for key in extra:
        shape = np.shape(grad[key]) if hasattr(grad, "__getitem__") else None
        problems.append(GradProblem(
            str(key), "extra",
            f"grad has an extra entry {key!r} (shape {shape}) that is not among the parameters "
            f"{list(structure.names)}.",
            shape,
        ))
    return arrays, problems
