"""Argument checks for the public boundary; each helper takes the parameter name for messages."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from numeric._types import FloatArray

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_choice(value: Any, choices: Iterable[str], name: str) -> str:
    """Return ``value`` if it is one of ``choices``, else raise a ValueError listing them."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}={value!r} is not one of {valid}.")
    return value


def as_float_array(x: Any, name: str, *, dtype: np.dtype | None = None) -> FloatArray:
    """``x`` as a float32/float64 ndarray (cast to ``dtype`` if given), without copying if possible.

    Raises TypeError for integer, bool, complex or object input: silently upcasting it would hide
    a mistake (labels passed as inputs, say), so the caller converts on purpose.
    """
    arr = np.asarray(x)
    if arr.dtype.char not in "fd":  # float32, float64 (a fast test: this is the hot path)
        raise TypeError(
            f"{name} has dtype {arr.dtype}, but a float32 or float64 array is needed; "
            f"convert it with {name}.astype(np.float64)."
        )
    if dtype is not None and arr.dtype is not dtype and arr.dtype != dtype:
        arr = arr.astype(dtype)  # the parameters decide the dtype (a new array: input untouched)
    return arr


def check_finite(x: FloatArray, name: str) -> None:
    """Raise ValueError naming the first NaN or infinite entry of ``x``."""
    # Fast test first: a sum of squares is finite only if every entry is (vdot is BLAS and
    # raises no warning); if it overflowed, the exact elementwise test decides.
    if math.isfinite(np.vdot(x, x)) or np.isfinite(x).all():
        return
    _raise_non_finite(x, name)


def check_all_finite(arrays: Mapping[str, FloatArray], name: str) -> None:
    """Raise ValueError naming the first NaN or infinite entry of any of ``arrays``.

    One test for all: the sum of every array's sum of squares (in Python floats, which
    overflow to inf silently) is finite only if every entry is; only then does each array get
    its own, exact test, which names the culprit.
    """
    total = 0.0
    for x in arrays.values():
        total += float(np.vdot(x, x))
    if not math.isfinite(total):
        for key, x in arrays.items():
            check_finite(x, f"{name}[{key!r}]")


def _raise_non_finite(x: FloatArray, name: str) -> None:
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])
    raise ValueError(
        f"{name} contains a non-finite value ({x[index]}) at index {index}; "
        "NaN and inf inputs are not accepted."
    )


def check_positive_int(value: Any, name: str, *, allow_zero: bool = False) -> int:
    """Return ``value`` as an int if it is a positive (or non-negative) integer."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}.")
    low = 0 if allow_zero else 1
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}.")
    return int(value)


def check_nonnegative_float(value: Any, name: str, *, positive: bool = False) -> float:
    """Return ``value`` as a float if it is finite and >= 0 (> 0 when ``positive``)."""
    if type(value) is not float and (
        isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating)
    ):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value}.")
    return value


def check_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """``np.random.default_rng(rng)`` for None, a non-negative int seed or a Generator.

    Anything else (a float, a string, the legacy ``np.random.RandomState``) is a TypeError
    naming ``name``, raised here rather than from inside NumPy.
    """
    if rng is None or isinstance(rng, np.random.Generator | np.random.SeedSequence
                                 | np.random.BitGenerator):
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise TypeError(
            f"{name} must be None, an int seed or a numpy.random.Generator, got "
            f"{type(rng).__name__} {rng!r:.60}; pass e.g. {name}=0 or "
            f"{name}=np.random.default_rng(0)."
        )
    if rng < 0:
        raise ValueError(f"{name}={rng} is a negative seed; seeds must be integers >= 0.")
    return np.random.default_rng(int(rng))


def check_distributions(Y: FloatArray, axis: int, name: str = "Y") -> None:
    """Raise ValueError unless every target distribution of Y (along ``axis``) is one.

    Cross-entropy targets are probabilities: entries >= 0 summing to 1 over the classes
    (within a few ulps per class). Negative or unnormalised targets make the loss unbounded
    below or its gradient biased, silently. A sample whose targets are all exactly 0 is
    accepted: it has weight 0 (no loss, no gradient), a way to mask samples out.
    """
    if Y.size == 0:
        return
    low = np.minimum.reduce(Y, axis=None)
    if low < 0:
        index = tuple(int(i) for i in np.argwhere(Y < 0)[0])
        raise ValueError(
            f"{name} has a negative target {Y[index]} at index {index}; cross-entropy "
            "targets must be probabilities (>= 0, summing to 1 over the classes), or "
            "integer labels."
        )
    sums = np.add.reduce(Y, axis=axis)
    tol = 8 * Y.shape[axis] * np.finfo(Y.dtype).eps
    bad = (np.abs(sums - 1) > tol) & (sums != 0)
    if bad.any():
        sample = int(np.argwhere(bad)[0][-1])
        raise ValueError(
            f"{name}'s targets for sample {sample} sum to {sums.ravel()[np.argmax(bad.ravel())]}"
            " over the classes, but cross-entropy targets must sum to 1 (one-hot rows or "
            "columns, or soft labels); normalise them, or pass integer labels."
        )


def labels_to_onehot(y: Any, n_classes: int, dtype: np.dtype, name: str) -> FloatArray:
    """Integer labels (m,) to one-hot (n_classes, m) in ``dtype``, checking type and range."""
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"{name} holds class labels but has dtype {y.dtype}; labels must be integers in "
            f"[0, {n_classes}) (use {name}.astype(int)), or pass one-hot targets instead."
        )
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = int(y[(y < 0) | (y >= n_classes)][0])
        raise ValueError(
            f"{name} has label {bad}, out of range: labels must lie in [0, {n_classes}) "
            f"for {n_classes} classes."
        )
    onehot = np.zeros((n_classes, y.shape[0]), dtype=dtype)
    onehot[y, np.arange(y.shape[0])] = 1
    return onehot
