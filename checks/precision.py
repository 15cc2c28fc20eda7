"""The effective precision of an analytic gradient, read off its values.

A gradient computed in float32 (on a GPU, or a whole backward pass in float32) and returned
as float64 is correct code whose entries carry float32 rounding: judged at float64's
``sqrt(eps)`` it is a false alarm. Its values give it away: every entry is exactly a
float32. `effective_precision` says so when the evidence is strong, and `checks.engine`
then judges the gradient at that precision (``rtol = sqrt(eps)`` of it) and says so in the
result.

Evidence, not coincidence: round numbers (2, 0.5, 0.375) are exactly a float16 whatever
computed them, so a precision is claimed only when some entry needs nearly all of its
significand bits (at least `MIN_BITS`): a float64 value needs ~53, a float32 value 24 or
fewer, and a genuinely float64 entry is a float32 by chance with probability 2**-29. A
gradient with a 1e-6 relative error in one entry computed in float64 is not a float32, so
it is still judged at float64 precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from checks._types import FloatArray


@dataclass(frozen=True)
class Precision:
    """A floating-point format the analytic gradient's values fit exactly.

    Attributes
    ----------
    name : str
        "float32", "float16" or "bfloat16".
    eps : float
        Its machine epsilon.
    """

    name: str
    eps: float


FLOAT32 = Precision("float32", float(np.finfo(np.float32).eps))
FLOAT16 = Precision("float16", float(np.finfo(np.float16).eps))
BFLOAT16 = Precision("bfloat16", 2.0**-7)

MIN_BITS = {"float32": 16, "float16": 10, "bfloat16": 7}
"""Significand bits some entry must need before a precision is claimed (round numbers need
few: 0.375 needs 2)."""


def significant_bits(x: FloatArray) -> np.ndarray:
    """Significand bits each nonzero finite float64 entry needs (1 for powers of two).

    Examples
    --------
    >>> significant_bits(np.array([1.0, 0.75, 0.1])).tolist()
    [1, 2, 52]
    """
    m, _ = np.frexp(np.abs(x))
    k = (m * 2.0**53).astype(np.int64)  # the significand as an integer, m in [0.5, 1)
    low = k & -k  # the lowest set bit
    return 53 - np.log2(np.maximum(low, 1)).astype(np.int64)


def _exact(x: FloatArray, p: Precision) -> bool:
    with np.errstate(over="ignore", under="ignore"):
        if p is BFLOAT16:
            f = x.astype(np.float32)
            return bool(np.all(f.astype(np.float64) == x)
                        and np.all((f.view(np.uint32) & 0xFFFF) == 0))
        dtype = np.float32 if p is FLOAT32 else np.float16
        return bool(np.all(x.astype(dtype).astype(np.float64) == x))


def effective_precision(analytic: Sequence[FloatArray | None]) -> Precision | None:
    """The lowest precision all entries fit exactly, when the values prove it; else None.

    Parameters
    ----------
    analytic : sequence of (ndarray, float64) or None
        The analytic gradient, one array per parameter (None where missing).

    Returns
    -------
    Precision or None
        float16 before bfloat16 before float32 (the strictest judgement when two fit); None
        when the values are those of a float64 computation, or too round to tell.

    Examples
    --------
    >>> g = np.cos(np.linspace(0.1, 2.0, 5))
    >>> effective_precision([g]) is None, effective_precision([g.astype(np.float32) * 1.0])
    (True, Precision(name='float32', eps=1.1920928955078125e-07))
    >>> effective_precision([np.array([2.0, 0.5, 6.0])]) is None  # round: no evidence
    True
    """
    parts = [a.ravel() for a in analytic if a is not None and a.size]
    if not parts:
        return None
    x = np.concatenate(parts)
    x = x[np.isfinite(x) & (x != 0.0)]
    if x.size == 0:
        return None
    bits = int(significant_bits(x).max())
    for p in (FLOAT16, BFLOAT16, FLOAT32):
        if _exact(x, p):
            return p if bits >= MIN_BITS[p.name] else None
    return None
