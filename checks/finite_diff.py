"""Finite-difference estimates with error bars, and the probes that evaluate ``f`` for them.

Estimates (pure functions of already evaluated ``f`` values, vectorised over entries):

- `central`: ``(f(x+h) - f(x-h)) / 2h`` with a round-off bar and a truncation proxy, plus the
  disagreement of the two one-sided differences (the "jump") that exposes kinks;
- `three_scale`: central differences at h, 2h and 4h: a Richardson-estimated truncation error,
  the Richardson-extrapolated value, and a kink test (a smooth function's one-sided jump grows
  linearly with the step; at a kink it does not shrink);
- `forward`, `complex_step`;
- `noise_level`: the standard deviation of ``f``'s own rounding noise, from a difference table
  along a random line (the method of Moré and Wild, "Estimating computational noise", 2011).

Probes (the only code that calls ``f``): `BlackBox` perturbs one entry at a time, in place, on
the checker's private copy, and restores it in ``finally``; chunks of entries may be spread over
any `concurrent.futures.Executor`.

Notes
-----
The error bar of an entry is ``roundoff + truncation``. Round-off: every evaluation of ``f`` is
assumed wrong by up to ``nu = 2 eps |f| + 4 sigma``, with ``eps`` the machine epsilon of the
least precise of the parameters and ``f``'s output, and ``sigma`` the measured noise; a
difference quotient over a step ``s`` then carries ``2 nu / s``. Truncation, after one central
difference: ``(J + |D| h) h / 6`` with the jump ``J = h |f''|``, an estimate of
``h^2 |f'''| / 6`` that assumes ``|f'''| <= |f''| + |f'|`` (variation on a unit scale). After the
three-scale refinement: ``|D(2h) - D(h)| / 3``, Richardson's estimate, which assumes nothing
but smoothness on ``[x - 4h, x + 4h]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from checks._types import FloatArray, IntArray
from checks.structure import Structure

ROUNDOFF_ULPS = 2.0
"""Rounding of one evaluation of ``f``, in units of ``eps * |f|``."""
NOISE_SIGMAS = 4.0
"""Multiple of the measured noise standard deviation taken as the noise bound of one value."""
MULTIPLES = (1.0, -1.0, 2.0, -2.0, 4.0, -4.0)
"""Steps of the three-scale stencil, in units of h, in the row order `three_scale` expects."""
NOISE_POINTS = 9
"""Evaluations along a random line used by `noise_level` (differences of order 2 ... 6)."""


# ---------------------------------------------------------------------------------------------
# Estimates
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Estimate:
    """Derivative estimates of n entries (or directions), with what the verdict needs.

    Attributes
    ----------
    value : ndarray, shape (n,)
        The numeric derivative.
    error_bar : ndarray, shape (n,)
        Estimated |value - true derivative|: round-off plus truncation.
    jump : ndarray, shape (n,)
        |forward difference - backward difference| at the smallest step.
    jump_noise : ndarray, shape (n,)
        Round-off level of ``jump``.
    kink : ndarray of bool, shape (n,)
        The one-sided differences disagree in a way no smooth function explains (only set by
        `three_scale`; all False otherwise).
    """

    value: FloatArray
    error_bar: FloatArray
    jump: FloatArray
    jump_noise: FloatArray
    kink: np.ndarray


def value_noise(f_abs: FloatArray, eps_f: float, sigma: float) -> FloatArray:
    """Bound on the rounding error of one evaluation of ``f`` whose magnitude is ``f_abs``."""
    return ROUNDOFF_ULPS * eps_f * f_abs + NOISE_SIGMAS * sigma


def central(
    f0: float,
    fp: FloatArray,
    fm: FloatArray,
    hp: FloatArray,
    hm: FloatArray,
    length: FloatArray | float,
    eps_f: float,
    sigma: float,
) -> Estimate:
    """Central differences with an error bar, from ``f`` at ``x + hp`` and ``x + hm``.

    Parameters
    ----------
    f0 : float
        ``f(x)``.
    fp, fm : ndarray, shape (n,)
        ``f`` with entry i moved by ``hp[i] > 0`` and by ``hm[i] < 0``.
    hp, hm : ndarray, shape (n,)
        The offsets actually taken (see `checks.steps.taken`).
    length : float or ndarray, shape (n,)
        Length of the perturbation direction in parameter space: 1 for one entry, ``||v||``
        for a random direction v (the offsets are then multiples of v).
    eps_f : float
        Machine epsilon of the least precise of the parameters and ``f``'s output.
    sigma : float
        Measured noise of ``f`` (`noise_level`).

    Returns
    -------
    Estimate

    Examples
    --------
    >>> x, h = 0.5, 1e-5
    >>> est = central(np.exp(x), np.exp([x + h]), np.exp([x - h]), np.array([h]),
    ...               np.array([-h]), 1.0, 2.2e-16, 0.0)
    >>> bool(abs(est.value[0] - np.exp(x)) <= est.error_bar[0])
    True
    """
    width = hp - hm
    value = (fp - fm) / width
    jump = np.abs((fp - f0) / hp - (fm - f0) / hm)
    nu = value_noise(np.maximum(np.maximum(np.abs(fp), np.abs(fm)), abs(f0)), eps_f, sigma)
    roundoff = 2.0 * nu / width
    h = length * width / 2.0  # the step's length in parameter space
    truncation = (jump * h + np.abs(value) * h * h) / 6.0  # |f'''| <= |f''| + |f'| assumed
    jump_noise = 2.0 * nu * (1.0 / hp - 1.0 / hm)
    return Estimate(value, roundoff + truncation, jump, jump_noise, np.zeros(value.shape, bool))


def forward(
    f0: float, fp: FloatArray, hp: FloatArray, scale: FloatArray, gscale: float,
    eps_f: float, sigma: float,
) -> Estimate:
    """Forward differences ``(f(x + h) - f(x)) / h`` with an error bar.

    The truncation error ``h |f''| / 2`` is bounded by assuming ``|f''| <= G / scale`` where
    ``gscale`` G is the largest gradient entry: a heuristic, which is why entries whose
    forward difference is not conclusive are refined by central differences.
    """
    value = (fp - f0) / hp
    nu = value_noise(np.maximum(np.abs(fp), abs(f0)), eps_f, sigma)
    truncation = hp * gscale / (2.0 * scale)
    nan = np.full(value.shape, np.nan)
    return Estimate(value, 2.0 * nu / hp + truncation, nan, nan, np.zeros(value.shape, bool))


@dataclass(frozen=True, eq=False)
class Refined:
    """Result of `three_scale`: two estimates sharing the kink flags.

    ``central`` is D(h) with Richardson's error bar; ``richardson`` the extrapolated value
    with its own bar.
    """

    central: Estimate
    richardson: Estimate


def three_scale(
    f0: float,
    fvals: FloatArray,
    offsets: FloatArray,
    eps_f: float,
    sigma: float,
) -> Refined:
    """Central differences at steps h, 2h, 4h: Richardson error bars, extrapolation, kinks.

    Parameters
    ----------
    f0 : float
        ``f(x)``.
    fvals : ndarray, shape (6, n)
        ``f`` at the offsets below, row by row.
    offsets : ndarray, shape (6, n)
        Offsets actually taken, in the order +h, -h, +2h, -2h, +4h, -4h.
    eps_f, sigma : float
        As in `central`.

    Returns
    -------
    Refined

    Notes
    -----
    With ``D(s) = f' + c s^2 + O(s^4)``, ``|D(2h) - D(h)| / 3`` estimates the error of D(h) and
    ``R = (64 D(h) - 20 D(2h) + D(4h)) / 45`` is exact to O(h^6). The even part, the signed
    jump ``S(s) = (f(x+s) - f(x)) / s - (f(x) - f(x-s)) / s = s f'' + s^3 f'''' / 12 + O(s^5)``,
    has two unknowns at this order: fitted through s = h and 2h, it predicts S(4h). Where the
    prediction misses by more than 25% beyond round-off, or where |S| fails to shrink about
    linearly as s shrinks (|S(2s)| < 1.43 |S(s)|), a kink (or a discontinuity) lies within
    the stencil and the entry is flagged.
    """
    f_abs = np.maximum(np.max(np.abs(fvals), axis=0), abs(f0))
    nu = value_noise(f_abs, eps_f, sigma)
    # The kink tests use a typical (one standard deviation) noise, not the bound nu: with the
    # bound, float32 round-off would hide kinks whose jump is only a few times the noise.
    typical = 0.5 * ROUNDOFF_ULPS * eps_f * f_abs + sigma
    D, S, half, rho, nS = [], [], [], [], []
    for r in range(3):
        hp, hm = offsets[2 * r], offsets[2 * r + 1]
        fp, fm = fvals[2 * r], fvals[2 * r + 1]
        D.append((fp - fm) / (hp - hm))
        S.append((fp - f0) / hp - (fm - f0) / hm)  # the signed jump, s f'' + O(s^3)
        half.append((hp - hm) / 2.0)
        rho.append(2.0 * nu / (hp - hm))
        nS.append(2.0 * typical * (1.0 / hp - 1.0 / hm))
    d1, d2 = D[1] - D[0], D[2] - D[1]
    # Kinks: fit S(s) = a s + b s^3 through s = h and 2h and predict S(4h). A smooth function
    # obeys the fit to O(s^5); at a kink S does not shrink with s (a ReLU at x: S constant), or
    # grows on one side only (a unit switching on), and the prediction misses.
    s0, s1, s2 = half
    det = s0 * s1 * (s1 * s1 - s0 * s0)
    # Steps below an ulp can round h and 2h to the same offset: the fit is then undetermined
    # (det = 0, NaN below) and flags nothing; the checker's own steps never get there.
    with np.errstate(divide="ignore", invalid="ignore"):
        c0 = (s1**3 * s2 - s1 * s2**3) / det
        c1 = (s0 * s2**3 - s0**3 * s2) / det
        predicted = c0 * S[0] + c1 * S[1]
        slack = np.sqrt(nS[2] ** 2 + (c0 * nS[0]) ** 2 + (c1 * nS[1]) ** 2)
        kink = np.abs(S[2] - predicted) > 0.25 * (np.abs(S[2]) + np.abs(predicted)) + slack
    # And |S| must shrink at least about linearly as s shrinks; at a kink it does not.
    for r in range(2):
        kink |= np.abs(S[r + 1]) < 1.43 * np.abs(S[r]) - (nS[r + 1] + 1.43 * nS[r])
    J, nJ = np.abs(S[0]), nS[0]
    R1 = D[0] - d1 / 3.0
    R2 = D[1] - d2 / 3.0
    R = (64.0 * D[0] - 20.0 * D[1] + D[2]) / 45.0
    c = Estimate(D[0], rho[0] + np.abs(d1) / 3.0, J, nJ, kink)
    rich = Estimate(R, 1.65 * rho[0] + np.abs(R - R1) + np.abs(R1 - R2) / 15.0, J, nJ, kink)
    return Refined(c, rich)


def complex_step(f_imag: FloatArray, h: FloatArray, eps_f: float, f_real_abs: float) -> Estimate:
    """Complex-step derivatives ``Im f(x + i h) / h`` (no subtraction, so no cancellation).

    The error bar is the rounding of the derivative itself, a few ulps of ``|value|`` plus
    ``eps |f| / scale``-level noise; truncation ``h^2 |f'''| / 6`` vanishes at these steps.
    """
    value = f_imag / h
    bar = 8.0 * eps_f * (np.abs(value) + eps_f * f_real_abs)
    nan = np.full(value.shape, np.nan)
    return Estimate(value, bar, nan, nan, np.zeros(value.shape, bool))


def noise_level(values: FloatArray) -> float:
    """Standard deviation of the rounding noise in ``values = f(x + k t v)``, k = 0 ... n-1.

    Differences of order k of a smooth function along a short line are tiny; of independent
    noise of variance s^2 they have mean square ``s^2 (2k)! / (k!)^2``. The median over the
    orders 2 ... 6 of the implied s is returned (0.0 for constant values).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> line = 1.0 + 0.01 * np.arange(9) + 1e-9 * rng.standard_normal(9)
    >>> 1e-10 < noise_level(line) < 1e-8
    True
    """
    values = np.asarray(values, dtype=np.float64)
    sigmas = []
    for k in range(2, min(7, len(values))):
        d = np.diff(values, k)
        gamma = math.factorial(k) ** 2 / math.factorial(2 * k)
        sigmas.append(math.sqrt(gamma * float(np.mean(d * d))))
    return float(np.median(sigmas)) if sigmas else 0.0


# ---------------------------------------------------------------------------------------------
# Probes: the only code that calls f
# ---------------------------------------------------------------------------------------------


class OutputError(ValueError):
    """``f`` returned something that is not a finite real scalar."""


def evaluate_entries(
    f: Callable[[Any], Any], arg: Any, flat: np.ndarray, idx: Sequence[int], values: np.ndarray
) -> np.ndarray:
    """``f(arg)`` with ``flat[idx[k]]`` set to each ``values[j, k]`` in turn, restored after.

    Parameters
    ----------
    f : callable
    arg : object
        What ``f`` is called with; ``flat`` is a flat view of one of its arrays.
    flat : ndarray, shape (size,)
        Written in place, one entry at a time; the entry is restored bit for bit after its
        evaluations, and in ``finally`` when ``f`` raises.
    idx : sequence of int, length n
    values : ndarray, shape (npts, n), dtype of ``flat`` (complex for the complex step)

    Returns
    -------
    ndarray, shape (npts, n)
        The raw outputs, float64 (complex128 when ``values`` is complex).
    """
    npts = values.shape[0]
    rows = [values[j].tolist() for j in range(npts)]
    out: list[list[Any]] = [[] for _ in range(npts)]
    i, old = -1, None
    try:
        for k, i in enumerate(idx):
            old = flat[i]
            for j in range(npts):
                flat[i] = rows[j][k]
                out[j].append(f(arg))
            flat[i] = old
            old = None
    finally:
        if old is not None:
            flat[i] = old
    kind = np.complex128 if values.dtype.kind == "c" else np.float64
    return _as_values(out, (npts, len(idx)), kind)


def _as_values(out: list[Any], shape: tuple[int, ...], kind: type) -> np.ndarray:
    try:
        arr = np.asarray(out, dtype=kind)
    except (TypeError, ValueError) as exc:
        raise OutputError(f"f must return a real scalar at every point; {exc}") from None
    if arr.shape != shape:
        raise OutputError(
            f"f must return a scalar (a float, or an array of size 1), but it returned "
            f"arrays: the outputs stack to shape {arr.shape} instead of {shape}."
        )
    return arr


def _chunk_task(
    f: Callable[[Any], Any],
    structure: Structure,
    arrays: list[np.ndarray],
    pi: int,
    idx: list[int],
    values: np.ndarray,
) -> np.ndarray:
    """Module-level (picklable) task for an executor: evaluate one chunk on its own copy."""
    arg = structure.build(arrays)
    return evaluate_entries(f, arg, arrays[pi].reshape(-1), idx, values)


def _point_task(
    f: Callable[[Any], Any],
    structure: Structure,
    points: list[list[np.ndarray]],
) -> np.ndarray:
    """Module-level task: ``f`` at whole-parameter points (one list of arrays per point)."""
    return _as_values([f(structure.build(p)) for p in points], (len(points),), np.float64)


class Probe(Protocol):
    """Evaluates ``f`` at perturbed parameters (`checks.finite_diff.BlackBox` is one)."""

    evaluations: int

    def entries(self, pi: int, idx: IntArray, values: np.ndarray) -> np.ndarray:
        """``f`` with entry ``idx[k]`` of parameter ``pi`` set to ``values[j, k]``: (npts, n)."""
        ...

    def points(self, points: list[list[np.ndarray]]) -> np.ndarray:
        """``f`` at whole-parameter points, one list of arrays per point: (n,)."""
        ...


@dataclass
class BlackBox:
    """Evaluates a black-box ``f`` at perturbed parameters (see `evaluate_entries`).

    Attributes
    ----------
    f : callable
        Returns a real scalar (already wrapped so that size-1 arrays come out as scalars).
    structure : Structure
    arrays : list of ndarray
        The checker's private copies (perturbed in place and restored).
    executor : concurrent.futures.Executor or None
        Spreads chunks of entries over workers; each task carries its own copy.
    chunk_size : int or None
        Entries per task with an executor (default: about 4 tasks per 1,000 entries, at
        least 8 tasks).
    evaluations : int
        Number of calls of ``f`` made so far through this probe.
    """

    f: Callable[[Any], Any]
    structure: Structure
    arrays: list[np.ndarray]
    executor: Executor | None = None
    chunk_size: int | None = None
    evaluations: int = 0

    def entries(self, pi: int, idx: IntArray, values: np.ndarray) -> np.ndarray:
        """``f`` with entry ``idx[k]`` of parameter ``pi`` set to ``values[j, k]``: (npts, n)."""
        self.evaluations += values.size
        idx_list = [int(i) for i in idx]
        if self.executor is None or len(idx_list) < 2:
            arg = self.structure.build(self.arrays)
            return evaluate_entries(self.f, arg, self.arrays[pi].reshape(-1), idx_list, values)
        n = len(idx_list)
        size = self.chunk_size or max(1, min(250, -(-n // 8)))
        futures = [
            self.executor.submit(
                _chunk_task, self.f, self.structure, self.arrays, pi,
                idx_list[s : s + size], values[:, s : s + size],
            )
            for s in range(0, n, size)
        ]
        return np.concatenate([fut.result() for fut in futures], axis=1)

    def points(self, points: list[list[np.ndarray]]) -> np.ndarray:
        """``f`` at whole-parameter points, each a list of arrays (one per parameter): (n,)."""
        self.evaluations += len(points)
        if self.executor is None or len(points) < 2:
            return _point_task(self.f, self.structure, points)
        half = -(-len(points) // 2)
        futures = [
            self.executor.submit(_point_task, self.f, self.structure, points[s : s + half])
            for s in range(0, len(points), half)
        ]
        return np.concatenate([fut.result() for fut in futures])
