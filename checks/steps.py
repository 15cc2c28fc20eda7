"""Automatic finite-difference steps, per entry, from the dtype and the magnitude of the entry.

A step balances truncation error (grows with the step) against round-off (grows as the step
shrinks). With machine epsilon ``eps`` of the parameters' dtype and ``scale = max(|x|, 1)``,
the step is ``eps**exponent * scale``; each method of `checks.methods` owns its exponent and
says why (1/2 for forward differences, 1/3 for central, 1/6 for Richardson, 2 for the
complex step).

Perturbed values are rounded to the parameter's dtype (``f`` never sees another dtype), and
the offsets actually taken, ``x_perturbed - x`` computed exactly in float64, are what the
difference quotients divide by.
"""

from __future__ import annotations

import numpy as np

from checks._types import FloatArray


def base_step(dtype: np.dtype, exponent: float) -> float:
    """Relative step ``eps(dtype) ** exponent`` (e.g. ``exponent = 1/3`` for central differences).

    Examples
    --------
    >>> f"{base_step(np.dtype(np.float64), 1 / 3):.2e}"
    '6.06e-06'
    >>> f"{base_step(np.dtype(np.float32), 1 / 3):.2e}"
    '4.92e-03'
    """
    return float(np.finfo(dtype).eps) ** exponent


def entry_scale(x: np.ndarray) -> FloatArray:
    """``max(|x|, 1)`` per entry, in float64: the magnitude a step is relative to."""
    return np.maximum(np.abs(x.astype(np.float64, copy=False)), 1.0)


def steps(x: np.ndarray, exponent: float) -> FloatArray:
    """Step per entry of ``x``: ``eps**exponent * max(|x|, 1)``, float64, shape of ``x``.

    Parameters
    ----------
    x : ndarray of float
        The entries to perturb; their dtype picks ``eps``.
    exponent : float
        The method's step exponent (`checks.methods.FDMethod.exponent`).

    Returns
    -------
    ndarray, float64, shape of ``x``
    """
    return base_step(x.dtype, exponent) * entry_scale(x)


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
