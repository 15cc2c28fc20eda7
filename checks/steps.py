"""Automatic finite-difference steps, per entry, from the dtype and the magnitude of the entry.

A step balances truncation error (grows with the step) against round-off (grows as the step
shrinks). With machine epsilon ``eps`` of the parameters' dtype and ``scale = max(|x|, 1)``:

========== ============================ ======================================
method     step                         why
========== ============================ ======================================
forward    ``eps**(1/2) * scale``       error ~ h f'' + eps f / h
central    ``eps**(1/3) * scale``       error ~ h**2 f''' + eps f / h
richardson ``eps**(1/6) * scale``       steps h, 2h, 4h; error ~ h**6 + eps f / h
complex    ``eps**2 * scale``           no subtraction, so no round-off to balance
========== ============================ ======================================

Perturbed values are rounded to the parameter's dtype (``f`` never sees another dtype), and
the offsets actually taken, ``x_perturbed - x`` computed exactly in float64, are what the
difference quotients divide by.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from checks._types import FloatArray

StepKind = Literal["forward", "central", "richardson", "complex", "directional"]

_EXPONENT = {
    "forward": 1 / 2,
    "central": 1 / 3,
    "directional": 1 / 3,
    "richardson": 1 / 6,
    "complex": 2.0,
}


def base_step(dtype: np.dtype, kind: StepKind) -> float:
    """Relative step ``eps(dtype) ** exponent`` for one kind of difference.

    Examples
    --------
    >>> f"{base_step(np.dtype(np.float64), 'central'):.2e}"
    '6.06e-06'
    >>> f"{base_step(np.dtype(np.float32), 'central'):.2e}"
    '4.92e-03'
    """
    return float(np.finfo(dtype).eps) ** _EXPONENT[kind]


def entry_scale(x: np.ndarray) -> FloatArray:
    """``max(|x|, 1)`` per entry, in float64: the magnitude a step is relative to."""
    return np.maximum(np.abs(x.astype(np.float64, copy=False)), 1.0)


def steps(x: np.ndarray, kind: StepKind) -> FloatArray:
    """Step per entry of ``x`` (float64, same shape), for a difference of ``kind``.

    Parameters
    ----------
    x : ndarray of float
        The entries to perturb; their dtype picks the base step.
    kind : {"forward", "central", "richardson", "complex", "directional"}

    Returns
    -------
    ndarray, float64, shape of ``x``
    """
    return base_step(x.dtype, kind) * entry_scale(x)


def offset(x: np.ndarray, h: FloatArray, multiple: float) -> np.ndarray:
    """``x + multiple * h`` rounded to the dtype of ``x``, never equal to ``x``.

    Parameters
    ----------
    x : ndarray of float
    h : ndarray, float64, shape of ``x``
        Steps (positive).
    multiple : float
        Nonzero; e.g. +1, -1, +2, -4.

    Returns
    -------
    ndarray, dtype and shape of ``x``
        Where rounding would give back ``x`` itself (a step below half an ulp), the next
        representable value in the direction of ``multiple`` is used.
    """
    out = (x.astype(np.float64) + multiple * h).astype(x.dtype)
    same = out == x
    if same.any():
        toward = np.array(np.inf if multiple > 0 else -np.inf, dtype=x.dtype)
        out[same] = np.nextafter(x[same], toward)
    return out


def taken(x: np.ndarray, x_perturbed: np.ndarray) -> FloatArray:
    """The offset actually taken, ``x_perturbed - x``, exactly, in float64."""
    return x_perturbed.astype(np.float64) - x.astype(np.float64)
