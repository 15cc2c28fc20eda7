"""Diagnoses of a failing gradient: which realistic backprop bug explains the discrepancy.

Each test compares the analytic gradient ``a`` with the numeric one ``n`` on the entries whose
finite-difference estimate is trustworthy (no kink, error bar small), in this order:

=============== ===================================================================
kind            evidence
=============== ===================================================================
non-finite      NaN or inf in ``a``
f constant      ``f`` returned exactly ``f(x)`` wherever a wrong entry moved: f does not
                depend on those entries, the analytic gradient says it does
sign flip       ``a = -n``
factor          ``a = c n`` for a constant c (x m: a missing 1/m; x 2; x 0.5; ...)
transpose       square ``a = n.T``
reshape         ``a`` holds n's values in another order (``n.T.reshape(shape)`` which
                is also Fortran order, ``n.reshape(shape[::-1]).T``, any permutation)
zeroed          the wrong entries are exactly 0 in ``a``
single sample   ``a`` is a rank-1 matrix while ``n`` has rank >= 2: one sample's
                outer product instead of the sum over the batch
few entries     a handful of entries off (at most `FEW`, and at most a third of the
                parameter), named with their relative error
unexplained     none of the above
=============== ===================================================================
"""

from __future__ import annotations

import numpy as np

from checks._types import FloatArray
from checks.result import Diagnosis

MATCH_RTOL = 1e-2
"""Relative residual (in the 2-norm) under which two arrays count as 'the same' for a test."""
FEW = 3
"""At most this many wrong entries are listed one by one."""
FEW_FRACTION = 1 / 3
"""'Few entries' also needs at most this fraction of the parameter's entries wrong."""


def _close(a: FloatArray, b: FloatArray, noise: float) -> bool:
    scale = max(float(np.linalg.norm(b)), float(np.linalg.norm(a)))
    return scale > 0 and float(np.linalg.norm(a - b)) <= MATCH_RTOL * scale + noise


def _factor_text(c: float) -> str:
    k = abs(c)
    sign = "-" if c < 0 else ""
    if abs(k - 2.0) < 2e-2:
        return f"{sign}2: e.g. a 1/2 in the loss (MSE with half=True) dropped in the gradient"
    if abs(k - 0.5) < 5e-3:
        return f"{sign}0.5: e.g. a 1/2 in the gradient that the loss does not have"
    r = round(k)
    if r >= 3 and abs(k - r) < 1e-2 * r:
        return f"{sign}{r}: e.g. a missing 1/m with m = {r} (sum instead of mean)"
    if k < 1 and round(1 / k) >= 3 and abs(1 / k - round(1 / k)) < 1e-2 * round(1 / k):
        return f"{sign}1/{round(1 / k)}: e.g. dividing by m = {round(1 / k)} twice"
    return f"{c:.4g}: a constant factor"


def _proportional(a: FloatArray, n: FloatArray, noise: float) -> Diagnosis | None:
    nn = float(np.vdot(n, n))
    if nn == 0.0:
        return None
    c = float(np.vdot(a, n)) / nn
    if abs(c - 1.0) < MATCH_RTOL or not _close(a, c * n, noise):
        return None
    if abs(c + 1.0) < MATCH_RTOL:
        return Diagnosis("sign flip", "analytic = -numeric: the gradient has the wrong sign "
                         "(e.g. y - yhat instead of yhat - y, or an ascent step).", c)
    return Diagnosis("factor", f"analytic = {c:.4g} x numeric, a factor of {_factor_text(c)}.", c)


def _reordered(a: FloatArray, n: FloatArray, noise: float) -> Diagnosis | None:
    if a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0] > 1 and _close(a, n.T, noise):
        return Diagnosis("transpose", f"analytic = numeric.T for the square {a.shape} matrix: "
                         "a transposed product that happens to fit (e.g. A_prev @ dZ.T vs "
                         "dZ @ A_prev.T).")
    if a.ndim >= 2 and a.size > 1:
        candidates = {
            "numeric.T.reshape(shape)": n.T.reshape(a.shape),
            "numeric.reshape(reversed shape).T": n.reshape(a.shape[::-1]).T,
        }
        for text, cand in candidates.items():
            if not np.array_equal(cand, n) and _close(a, cand, noise):
                return Diagnosis("reshape", f"analytic = {text}: the gradient was reshaped "
                                 "where it should have been transposed.")
    if a.size > 1 and _close(np.sort(a.ravel()), np.sort(n.ravel()), noise):
        return Diagnosis("reshape", "analytic holds the right values in the wrong places "
                         "(a permutation of numeric): scrambled by a reshape or a wrong axis.")
    return None


def _rank(x: FloatArray) -> int:
    s = np.linalg.svd(x, compute_uv=False)
    return int(np.sum(s > 1e-6 * s[0])) if s.size and s[0] > 0 else 0


def _single_sample(a: FloatArray, n: FloatArray) -> Diagnosis | None:
    if a.ndim != 2 or min(a.shape) < 2:
        return None
    ra, rn = _rank(a), _rank(n)
    if ra == 1 and rn >= 2:
        return Diagnosis("single sample", f"analytic is a rank-1 matrix but numeric has rank "
                         f"{rn}: only one sample's outer product (e.g. a loop that overwrites "
                         "instead of accumulating, or [:, 0] indexing).")
    return None


def _listed(analytic: FloatArray, numeric: FloatArray, wrong_idx: np.ndarray) -> str:
    parts = []
    for w in wrong_idx:
        t = tuple(int(i) for i in w)
        rel = abs(analytic[t] - numeric[t]) / max(abs(numeric[t]), abs(analytic[t]))
        parts.append(f"{t} (relative error {rel:.2g})")
    return ", ".join(parts)


def _constant(analytic: FloatArray, wrong: np.ndarray, unchanged: np.ndarray | None,
              name: str) -> Diagnosis | None:
    if unchanged is None or not wrong.any() or not unchanged[wrong].all():
        return None
    where = "" if unchanged.all() else (
        f" at {int(wrong.sum())} of its {analytic.size} entries, e.g. "
        f"{tuple(int(i) for i in np.argwhere(wrong)[0])}")
    return Diagnosis("f constant", f"f does not depend on {name}{where}: f returned exactly "
                     "f(x) at every perturbed point, so its finite differences are 0, but the "
                     "analytic gradient is not (does f ignore its argument, or use a copy "
                     "made before the call?).")


def diagnose(
    analytic: FloatArray,
    numeric: FloatArray,
    wrong: np.ndarray,
    trusted: np.ndarray,
    noise: float = 0.0,
    *,
    entrywise: bool = True,
    unchanged: np.ndarray | None = None,
    name: str = "params",
) -> Diagnosis:
    """Name the most likely bug behind a failing parameter.

    Parameters
    ----------
    analytic, numeric : ndarray, shape of the parameter
    wrong : ndarray of bool, shape of the parameter
        Entries whose discrepancy exceeds the allowance.
    trusted : ndarray of bool, shape of the parameter
        Entries whose numeric value is trustworthy (no kink, small error bar).
    noise : float
        Absolute slack for the comparisons (e.g. the largest error bar).
    entrywise : bool
        False when the arrays hold random directional derivatives rather than entries:
        only the factor, sign, constant-f and non-finite tests apply then.
    unchanged : ndarray of bool, shape of the parameter, optional
        Entries (or directions) where ``f`` returned exactly ``f(x)`` at every perturbed
        point (`checks.verdict.unchanged`).
    name : str
        The parameter's name, for the message.

    Returns
    -------
    Diagnosis

    Examples
    --------
    >>> n = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> ok = np.ones((2, 2), bool)
    >>> diagnose(3 * n, n, ok, ok).kind, diagnose(n.T, n, ok, ok).kind
    ('factor', 'transpose')
    """
    bad = ~np.isfinite(analytic)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        return Diagnosis("non-finite", f"the analytic gradient has {int(bad.sum())} NaN/inf "
                         f"entries, the first at index {idx}.")
    constant = _constant(analytic, wrong, unchanged, name)
    if constant is not None:
        return constant
    a = np.where(trusted, analytic, 0.0)
    n = np.where(trusted, numeric, 0.0)
    found = _proportional(a, n, noise)
    if found is not None or not entrywise:
        return found or Diagnosis(
            "unexplained", f"{int(wrong.sum())} of {analytic.size} random directional "
            "derivatives disagree; run method='central' to locate the wrong entries.")
    if not _close(a, n, noise):  # structural bugs change the whole array, not a few entries
        found = _reordered(a, n, noise) or _single_sample(a, n)
        if found is not None:
            return found
    wrong_idx = np.argwhere(wrong)
    zeroed = wrong & (analytic == 0.0)
    if wrong_idx.size and zeroed[wrong].all():
        first = [tuple(int(i) for i in w) for w in wrong_idx[:FEW]]
        return Diagnosis("zeroed", f"{len(wrong_idx)} of {analytic.size} entries are left at "
                         f"0 in the analytic gradient (numeric is not 0), e.g. at {first}.")
    if 0 < len(wrong_idx) <= min(FEW, FEW_FRACTION * analytic.size):
        return Diagnosis("few entries", f"only {len(wrong_idx)} of {analytic.size} entries "
                         f"disagree: {_listed(analytic, numeric, wrong_idx)}.")
    return Diagnosis("unexplained", f"{len(wrong_idx)} of {analytic.size} entries disagree "
                     "with no constant factor, transpose, permutation or zeroing explaining "
                     "them.")


def shape_diagnosis(kind: str, message: str) -> Diagnosis:
    """Diagnosis for a structural problem (wrong shape, missing entry) found before any FD."""
    return Diagnosis(kind, message)
