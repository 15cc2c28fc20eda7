"""Verdicts per entry: the allowance, the first and the final status, the informative test.

An entry passes when ``|analytic - numeric| <= SAFETY x error bar + rtol x magnitude + atol``.
After the first estimate an entry is decided only when it is clearly inside (and no kink is
suspected) or clearly outside (beyond any kink); the rest is refined (see
`checks.engine`). Pure functions of arrays and `checks.finite_diff.Estimate` objects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from checks._types import FloatArray, IntArray, Status
from checks.finite_diff import Estimate
from checks.structure import Structure

SAFETY = 3.0
"""A discrepancy up to this multiple of the estimated error bar is explained by it."""
INFORMATIVE = 0.1
"""An entry whose 3 x error bar exceeds this fraction of the largest gradient entry is 'noisy'."""


@dataclass(frozen=True)
class Setup:
    """What every step of a check needs: the point, f there, its noise, the tolerances."""

    structure: Structure
    base: list[np.ndarray]  # flat copies of the unperturbed values, one per parameter
    flat: FloatArray  # all of them concatenated, in float64
    slices: tuple[tuple[int, int], ...]  # where each parameter lives in ``flat``
    f0: float
    eps_f: float
    sigma: float
    rtol: float
    atol: float


def allowance(a: FloatArray, est: Estimate, setup: Setup) -> FloatArray:
    """``SAFETY x error bar + rtol x max(|analytic|, |numeric|) + atol`` per entry."""
    mag = np.maximum(np.abs(a), np.abs(est.value))
    return SAFETY * est.error_bar + setup.rtol * mag + setup.atol


def first_verdict(a: FloatArray, est: Estimate, setup: Setup, G: float,
                   bar_max: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(conclusive pass, conclusive fail) after the first estimate; the rest is refined.

    A pass needs the discrepancy within the allowance, an informative error bar, and
    one-sided differences that agree (no kink suspected). A fail needs the discrepancy beyond
    twice the allowance plus the one-sided disagreement (a kink cannot explain it) and above
    ``sqrt(eps) G`` (the truncation proxy assumes ``|f'''| <= |f''| + |f'|``, which
    fails at e.g. x**3 at 0; such entries are refined instead).
    """
    d = np.abs(a - est.value)
    allow = allowance(a, est, setup)
    useful = informative(est, G, bar_max)
    with np.errstate(invalid="ignore"):
        suspect = est.jump > 0.1 * np.maximum(np.abs(est.value), 1e-2 * G) + (
            SAFETY * est.jump_noise
        )
        # beyond any kink, and not a sliver of the scale the truncation proxy may have missed
        failing = (d > 2.0 * (allow + est.jump)) & (d > math.sqrt(setup.eps_f) * G)
    return (d <= allow) & useful & ~suspect, failing


def unchanged(est: Estimate) -> np.ndarray:
    """Entries where ``f`` returned exactly ``f(x)`` at ``x +- h``: difference and jump are 0."""
    return (est.value == 0.0) & ~(est.jump > 0.0)  # jump is NaN for one-sided estimates


def final_status(a: FloatArray, est: Estimate, setup: Setup, G: float,
                  bar_max: float = 0.0) -> np.ndarray:
    """Status codes after the last estimate: pass, fail, kink, noisy, non-finite, unresolved.

    Where the whole gradient is indistinguishable from 0 (``G <= SAFETY x bar_max``) and
    ``f`` did not change at all when an entry moved, finite differences measured nothing
    there: a true gradient below the error bar (``f = 1 + 4e-18 x``) would look the same as
    an exact 0, so the entry is unresolved, not passed. (At an exact minimum f does change,
    by ``h**2 f''``; where f is exactly 0 everywhere the error bar is 0 and any gradient
    would show; in a network where other entries are resolved, an entry that does not move
    f is judged against their scale, as a pass.)
    """
    d = np.abs(a - est.value)
    status = np.full(a.shape, Status.PASS, np.int8)
    status[~informative(est, G, bar_max)] = Status.NOISY
    if SAFETY * bar_max >= G:
        status[unchanged(est) & (est.error_bar > 0.0)] = Status.UNRESOLVED
    status[d > allowance(a, est, setup)] = Status.FAIL
    status[est.kink] = Status.KINK
    status[~np.isfinite(a)] = Status.NONFINITE
    return status


def merge(est: Estimate, idx: IntArray, new: Estimate) -> Estimate:
    """``est`` with the entries ``idx`` replaced by the refined estimate ``new``."""
    fields = {}
    for name in ("value", "error_bar", "jump", "jump_noise", "kink"):
        arr = getattr(est, name).copy()
        arr[idx] = getattr(new, name)
        fields[name] = arr
    return Estimate(**fields)


def select(est: Estimate, idx: IntArray) -> Estimate:
    """The entries ``idx`` of ``est``."""
    return Estimate(est.value[idx], est.error_bar[idx], est.jump[idx], est.jump_noise[idx],
                    est.kink[idx])


def gradient_scale(analytic: Sequence[FloatArray | None], ests: Sequence[Estimate | None]) -> float:
    """G: the largest finite |entry| of the analytic and numeric gradients.

    Where the whole gradient is indistinguishable from 0 (G within 3 error bars: a flat
    function, an exact minimum), no entry is 'noisy' relative to it; `informative` then
    uses an infinite scale, and the entries are judged by their allowance alone.
    """
    G = 0.0
    for a, e in zip(analytic, ests, strict=True):
        for arr in (a, None if e is None else e.value):
            if arr is not None and arr.size:
                G = max(G, float(np.max(np.abs(arr[np.isfinite(arr)]), initial=0.0)))
    return G


def informative(est: Estimate, G: float, bar_max: float) -> np.ndarray:
    """Entries whose error bar is small enough, relative to G, to say something."""
    largest = G
    if largest <= SAFETY * bar_max:
        return np.ones(est.error_bar.shape, bool)
    return SAFETY * est.error_bar <= INFORMATIVE * largest


def bar_max_of(ests: Sequence[Estimate | None]) -> float:
    """The largest error bar over all parameters (0 when there are none)."""
    bars = [float(np.max(e.error_bar, initial=0.0)) for e in ests if e is not None]
    return max(bars, default=0.0)


def confirmation(a: FloatArray, est: Estimate, a_q: FloatArray, q: Estimate, setup: Setup,
                 status: np.ndarray, idx: IntArray) -> None:
    """Statuses of failing entries ``idx`` after a re-measurement ``q`` at a smaller step.

    ``a`` and ``est`` are the analytic values and the first estimate of those entries;
    ``a_q`` the analytic values along the offsets the re-measurement took (the same as
    ``a`` for single entries; along a random direction rounded to float32 they differ).
    A real error persists at the smaller step, where both estimates agree on it: the entry
    stays a failure. Where the estimates disagree (the estimate moves with the step), or the
    smaller stencil shows a kink, the function is not smooth there (kink); where they agree
    but the smaller step's error bar cannot confirm the failure, the entry is noisy.
    """
    d = np.abs(a - est.value)
    mag = np.maximum(np.abs(a_q), np.abs(q.value))
    still = np.abs(a_q - q.value) > (
        SAFETY * (q.error_bar + est.error_bar / 16.0) + setup.rtol * mag + setup.atol
    )
    agree = np.abs((est.value - a) - (q.value - a_q)) <= 0.25 * d + est.error_bar + q.error_bar
    status[idx[agree & ~still]] = Status.NOISY
    status[idx[~agree | q.kink]] = Status.KINK
