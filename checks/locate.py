"""Locating wrong gradient entries among very many by adaptive group testing.

A random directional derivative over all P entries says "wrong somewhere" at a cost
independent of P. Restricted to a group of entries (the direction is zero outside it), the
same test says whether the group holds a wrong entry. Every failing group is halved and both
halves are tested, level by level, until single entries are left; those are then checked one
by one exactly as a full check would (`checks.check_gradients`, ``method="richardson"``).
For k wrong entries that costs about ``2 k log2 P`` group tests. The tests of one level are one
batch of evaluations of ``f``, which ``executor=`` spreads over its workers.

A group test is a finite-difference check of the one-dimensional function
``phi(s) = f(x + s w)``, w the group's random direction (+-1 per entry, times ``max(|x|,
1)``, zero outside the group), whose derivative at 0 should be ``g . w``. It runs the
``"richardson"`` method of `checks.methods.FD_METHODS` (central differences at h, 2h, 4h
extrapolated to O(h**6), with Richardson's own error bar) on ``s``, one entry of ``s`` per
group. Each value of ``phi`` is corrected by ``g . delta``, delta being the rounding of
``x + s w`` to the parameters' dtype: exact for a right gradient to first order, and an
error of ``(g_true - g) . delta``, negligible, for a wrong one.

Error budget (one wrong entry i of relative error r, in a group of n entries)
-----------------------------------------------------------------------------
The wrong entry moves the group's derivative ``g . w`` by ``r |g_i| |w_i|``; the
derivative itself is ``~ sqrt(n) g_rms |w|`` (random signs). Against it:

- finite differences: central differences reach ``~ eps**(2/3)`` relative to f's scale at
  their best step, Richardson's extrapolation ``~ eps**(6/7)``. Measured on the benchmark's
  MLP (`benchmarks.bench_locate`, P = 991,101, W1 with n = 900,000 entries, g_rms = 3.9e-3,
  |g . v| = 2.2 along +-1): central differences err by 2.4e-10 at their best step, and
  Richardson by 4e-13 (its error bar 3e-11) at the per-entry step ``4 eps**(1/6) / sqrt(n)``
  = 1e-5 used here; the 1e-6 error in W1[17, 123] (|g_i| = 3.6e-3) moves ``g . v`` by
  3.6e-9. So central differences can just see it and Richardson with a 100x margin;
- the slack for the analytic gradient's own rounding: a full check allows each entry
  ``rtol |g_i|`` (rtol = sqrt(eps) = 1.5e-8). Allowing a group ``rtol |g . w|``, as if all
  its n entries were off by rtol together, is 3.3e-8 at the top level, ten times the 1e-6
  signal: nothing below ``r ~ rtol sqrt(n)`` (1.4e-5 at n = 9e5) can be seen, which is why
  the previous version missed 1e-6. A group test here allows one entry's slack,
  ``rtol rms(g w)`` (6e-11 at the top; ``g w`` the terms of ``g . w``), plus three error
  bars: it then sees one wrong entry from ``r ~ (3 bar + rtol rms(g w)) / |g_i w_i|``
  (4e-8 for W1[17, 123]), at the top level of the search already.

Where f is large and noisy, round-off sets the floor instead: on a sum of 65,536 weighted
sines (f ~ 200, noise 2.3e-13) a group test's error bar is 7e-10, so one entry wrong by 1e-6
is located and one wrong by 1e-7 is not (the gradient passes). Evaluations and times are in
docs/performance.md.

Only a single entry reported by its own full check is a failure; a group test only decides
where to look. A right gradient whose rounding is spread over many entries (each entry off
by ~1e-9 relative, together ``~ 1e-9 ||g w||``) fails one entry's slack in large groups
and passes it in small ones (the slack of one entry shrinks relative to ``||g w||`` as
``1 / sqrt(n)``), so the search goes down a few levels, finds no single entry and passes.
All n entries off by up to their slack, with signs independent of the random direction,
move ``g . w`` by a normal deviate of at most ``rtol ||g w||``: beyond `HARD_SIGMAS` (5)
of those, a group fails outright. Where more than ``max_regions`` groups stay open, any that
fails outright makes the check fail ("more wrong entries than the search follows"); the
others make it inconclusive, never a failure (rounding of 1e-8 relative in every entry, just
below rtol, ends there). A gradient whose entries
all carry float32 rounding is judged at float32 precision (`checks.precision`), as in
`checks.check_gradients`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from checks import steps as st
from checks._types import FloatArray, IntArray, Status, Verdict
from checks.config import CheckConfig
from checks.diagnose import diagnose, shape_diagnosis
from checks.directional import points_along, random_directions
from checks.engine import Target
from checks.finite_diff import MULTIPLES, NOISE_POINTS, BlackBox, OutputError, noise_level
from checks.gradcheck import check_gradients, refuse_if_written
from checks.methods import CENTRAL_EXPONENT, FD_METHODS, Context
from checks.precision import effective_precision
from checks.result import CheckResult, Diagnosis, ParamCheck
from checks.structure import Structure, normalise_grad, normalise_params, private_copies
from checks.verdict import Setup, final_status, gradient_scale, select
from checks.vjp import check_count, check_knobs, check_seed

MAX_REGIONS = 32
"""Default cap on failing groups followed at once (beyond: too many wrong entries to locate)."""
GROUP_METHOD = "richardson"
"""The `checks.methods.FD_METHODS` entry that tests a group."""
STEP_FACTOR = 4.0
"""Per-entry step of a group test, in units of the method's step over ``sqrt(n)`` (at most
``sqrt(n)``): along random signs truncation grows more slowly than the step's length, and 4
gave the smallest error bars on the benchmark's MLP at every group size (1 to 900,000)."""

HARD_SIGMAS = 5.0
"""A group fails outright beyond this many standard deviations of its entries' slack."""

Outcome = Literal["pass", "suspect", "fail", "kink"]
"""A group test's outcome: passes; fails one entry's slack; fails all its entries' slack; a
kink within the stencil (undecided)."""


# ---------------------------------------------------------------------------------------------
# Evaluating f along the groups' directions
# ---------------------------------------------------------------------------------------------


def _along(f: Callable[[Any], Any], structure: Structure, arrays: list[np.ndarray], pi: int,
           jobs: list[tuple[int, int, FloatArray, FloatArray, float]]) -> np.ndarray:
    """``f`` at ``x + s w`` on a group's entries, for each job ``(lo, hi, w, g[lo:hi], s)``.

    Module-level, so an executor can run it. A group is the flat entries ``lo:hi`` of
    parameter ``pi`` (contiguous: halves of contiguous groups). ``arrays`` is written in
    place and restored in ``finally``; each value is corrected by ``g[lo:hi] . delta``,
    delta the rounding of ``x + s w`` to the parameter's dtype.
    """
    flat = arrays[pi].reshape(-1)
    out = np.empty(len(jobs))
    for j, (lo, hi, w, g, s) in enumerate(jobs):
        old = flat[lo:hi].copy()
        try:
            x = old.astype(np.float64, copy=False)
            new = (x + s * w).astype(flat.dtype, copy=False)
            flat[lo:hi] = new
            value = float(np.asarray(f(structure.build(arrays))))
        finally:
            flat[lo:hi] = old
        delta = (new - x) - s * w
        out[j] = value - float(g @ delta)
    return out


@dataclass
class _GroupProbe:
    """A `checks.finite_diff.Probe` for group tests: entry k of ``s`` moves group k along w_k.

    ``values[j, k]`` of `entries` is the ``s`` of group ``idx[k]`` at point j. With an
    executor, the evaluations are spread over tasks of whole groups (points of one group when
    there is a single group), each task carrying its own copy of the parameters.
    """

    f: Callable[[Any], Any]
    structure: Structure
    arrays: list[np.ndarray]
    pi: int
    g: FloatArray
    groups: list[IntArray]
    w: list[FloatArray]
    executor: Executor | None = None
    chunk_size: int | None = None
    evaluations: int = 0

    def entries(self, pi: int, idx: IntArray, values: np.ndarray) -> np.ndarray:
        """``phi`` of groups ``idx`` at ``values``: shape ``values.shape``."""
        npts, n = values.shape
        spans = [(int(self.groups[k][0]), int(self.groups[k][-1]) + 1) for k in idx]
        jobs = [(lo, hi, self.w[k], self.g[lo:hi], float(values[j, c]))
                for c, (k, (lo, hi)) in enumerate(zip(idx, spans, strict=True))
                for j in range(npts)]  # group-major
        self.evaluations += len(jobs)
        if self.executor is None or len(jobs) < 2:
            flat = _along(self.f, self.structure, self.arrays, self.pi, jobs)
        else:
            size = self.chunk_size or (npts if n > 1 else -(-npts // 2))
            futures = [self.executor.submit(_along, self.f, self.structure, self.arrays,
                                            self.pi, jobs[s: s + size])
                       for s in range(0, len(jobs), size)]
            flat = np.concatenate([fut.result() for fut in futures])
        return flat.reshape(n, npts).T

    def points(self, points: list[list[np.ndarray]]) -> np.ndarray:
        """Not used: group tests move entries of ``s`` only."""
        raise NotImplementedError


def _f0(f: Callable[[Any], Any], arg: Any) -> tuple[float, float]:
    """``f`` at the point (a finite real scalar) and its output's epsilon."""
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}.")
    arr = np.asarray(f(arg))
    if arr.size != 1 or arr.dtype.kind not in "fiu":
        raise OutputError(f"f must return a real scalar, got an array of shape {arr.shape} "
                          f"and dtype {arr.dtype}.")
    f0 = float(arr.reshape(()))
    if not math.isfinite(f0):
        raise OutputError(f"f returned {f0} at the given params (before any perturbation).")
    return f0, float(np.finfo(arr.dtype).eps) if arr.dtype.kind == "f" else 0.0


def _noise(probe: BlackBox, setup: Setup, rng: np.random.Generator) -> float:
    """``f``'s rounding noise at the stencil's reach along a random line (as the engine's)."""
    V = random_directions(setup, rng, 1, [True] * len(setup.base))
    along, out = V.copy(), V.copy()
    root_p = math.sqrt(max(setup.flat.size, 1))
    for (lo, hi), dt in zip(setup.slices, setup.structure.dtypes, strict=True):
        along[:, lo:hi] *= 100.0 * float(np.finfo(dt).eps)
        out[:, lo:hi] *= max(MULTIPLES) * st.base_step(dt, CENTRAL_EXPONENT) / root_p
    k = np.arange(NOISE_POINTS, dtype=np.float64)[:, None]
    pts, _ = points_along(setup, out + k * along, [1.0])
    return noise_level(probe.points(pts))


# ---------------------------------------------------------------------------------------------
# The search
# ---------------------------------------------------------------------------------------------


class _Search:
    """One parameter's search: its group tests, their evaluations, located entries."""

    def __init__(self, f: Callable[[Any], Any], structure: Structure, arrays: list[np.ndarray],
                 pi: int, a: FloatArray, setup_all: Setup, rng: np.random.Generator,
                 executor: Executor | None, chunk_size: int | None) -> None:
        self.f, self.structure, self.arrays, self.pi = f, structure, arrays, pi
        self.a, self.setup_all, self.rng = np.nan_to_num(a), setup_all, rng
        self.executor, self.chunk_size = executor, chunk_size
        self.base = arrays[pi].reshape(-1).astype(np.float64)
        self.tests = 0
        self.evaluations = 0

    def directions(self, groups: list[IntArray], h: float) -> list[FloatArray]:
        """Each group's direction w: +-1 times ``max(|x|, 1)``, times the step over ``h``.

        The per-entry step is ``eps**(1/6) min(sqrt(n), STEP_FACTOR) / sqrt(n)``: the
        method's own step for one entry, its parameter-space length times STEP_FACTOR for
        many.
        """
        method = FD_METHODS[GROUP_METHOD]
        out = []
        for idx in groups:
            n = idx.size
            unit = (self.setup_all.eps_f ** method.exponent
                    * min(math.sqrt(n), STEP_FACTOR) / math.sqrt(n))
            signs = self.rng.integers(0, 2, size=n, dtype=np.int8) * 2.0 - 1.0
            out.append(signs * np.maximum(np.abs(self.base[idx]), 1.0) * (unit / h))
        return out

    def test(self, groups: list[IntArray]) -> list[Outcome]:
        """The outcome of one group test per group, all groups in one batch of evaluations."""
        s = self.setup_all
        K = len(groups)
        zeros = np.zeros(K)
        method = FD_METHODS[GROUP_METHOD]
        h = float(st.steps(zeros[:1], method.exponent)[0])
        w = self.directions(groups, h)
        sub = Structure("array", (None,), ("s",), ((K,),), (np.dtype(np.float64),))
        setup = Setup(sub, [zeros], zeros, ((0, K),), s.f0, s.eps_f, s.sigma, s.rtol, s.atol)
        probe = _GroupProbe(self.f, self.structure, self.arrays, self.pi, self.a, groups, w,
                            self.executor, self.chunk_size)
        a = np.array([float(self.a[idx] @ wk) for idx, wk in zip(groups, w, strict=True)])
        target = Target(sub, [zeros], s.f0, s.eps_f, [a], [])
        ctx = Context(probe, setup, target, CheckConfig(method=GROUP_METHOD), self.rng)
        est = method.first(ctx, 0, np.arange(K)).est
        self.tests += K
        self.evaluations += probe.evaluations
        return [self._outcome(a[k], select(est, np.array([k])), setup, self.a[groups[k]] * w[k],
                              w[k]) for k in range(K)]

    @staticmethod
    def _outcome(a: float, est: Any, setup: Setup, gw: FloatArray, w: FloatArray) -> Outcome:
        """Against one entry's slack (rms over the group) "suspect"; all entries' "fail".

        ``gw`` holds the group's terms ``g_i w_i`` of ``g . w``. One entry's slack is
        ``rtol rms(g w) + atol rms(w)``; all n entries off by up to their slack, with signs
        independent of the random direction, move ``g . w`` by at most ``rtol ||g w|| +
        atol ||w||`` times a normal deviate: beyond `HARD_SIGMAS` of those the group fails.
        """
        av = np.array([a])
        G = gradient_scale([av], [est])
        bar = float(est.error_bar[0])
        n = gw.size
        norm_gw, norm_w = float(np.linalg.norm(gw)), float(np.linalg.norm(w))
        one = replace(setup, rtol=0.0, atol=(setup.rtol * norm_gw + setup.atol * norm_w)
                      / math.sqrt(n))
        status = int(final_status(av, est, one, G, bar)[0])
        if status == Status.KINK:
            return "kink"
        if status != Status.FAIL:
            return "pass"
        every = replace(setup, rtol=0.0, atol=HARD_SIGMAS * (setup.rtol * norm_gw
                                                             + setup.atol * norm_w))
        hard = int(final_status(av, est, every, G, bar)[0])
        return "fail" if hard == Status.FAIL else "suspect"


def _search(search: _Search, groups: int, max_regions: int, budget: float
            ) -> tuple[list[int], list[tuple[IntArray, Outcome]]]:
    """Located entries and the undecided regions left open (budget or region cap reached).

    Level by level: every open group of more than one entry is halved and both halves are
    tested in one batch; a group of one entry that did not pass is located.
    """
    size = search.a.size
    level = [g for g in np.array_split(np.arange(size), min(groups, size)) if g.size]
    located: list[int] = []
    while level:
        outcomes = search.test(level)
        open_ = [(g, o) for g, o in zip(level, outcomes, strict=True) if o != "pass"]
        located += [int(g[0]) for g, _ in open_ if g.size == 1]
        open_ = [(g, o) for g, o in open_ if g.size > 1]
        if not open_:
            break
        if search.evaluations > budget or len(open_) + len(located) > max_regions:
            return sorted(located), open_
        level = [half for g, _ in open_ for half in (g[: g.size // 2], g[g.size // 2:])]
    return sorted(located), []


@dataclass
class _Subset:
    """``f`` with only the entries ``idx`` of parameter ``pi`` free (picklable)."""

    f: Callable[[Any], Any]
    structure: Structure
    base: list[np.ndarray]
    pi: int
    idx: IntArray

    def __call__(self, y: np.ndarray) -> Any:
        """``f`` with ``params[pi].flat[idx] = y``."""
        arrays = private_copies(self.base)
        arrays[self.pi].reshape(-1)[self.idx] = y
        return self.f(self.structure.build(arrays))


def _entry_checks(f: Callable[[Any], Any], structure: Structure, originals: list[np.ndarray],
                  pi: int, idx: list[int], a: FloatArray, rtol: float | None,
                  atol: float | None, seed: int, executor: Executor | None
                  ) -> tuple[ParamCheck, int]:
    """`checks.check_gradients` of the located entries alone (the others held fixed).

    By Richardson's method, the group tests' own: central differences at their best step
    err by ``~ eps**(2/3) |f|``, which hides a 1e-6 error in one term of a sum of 4096
    sines (a full central check passes it; Richardson's fails it, with a 100x margin).
    """
    flat_idx = np.asarray(idx)
    sub = _Subset(f, structure, private_copies(originals), pi, flat_idx)
    x = originals[pi].reshape(-1)[flat_idx].copy()
    r = check_gradients(sub, x, a[flat_idx], method=GROUP_METHOD, rtol=rtol, atol=atol,
                        seed=seed, executor=executor)
    return r.params[0], r.evaluations


def _open_diagnosis(open_regions: list[tuple[IntArray, Outcome]]) -> Diagnosis:
    """Why the search stopped with groups still open, and what to do."""
    spans = ", ".join(f"[{int(r[0])}..{int(r[-1])}]" for r, _ in open_regions[:3])
    if any(o == "fail" for _, o in open_regions):
        return Diagnosis("unexplained", f"{len(open_regions)} groups of flat entries still "
                         f"fail when the search stopped (e.g. {spans}): more wrong entries "
                         "than the search follows; run a full check.")
    return Diagnosis("unexplained", f"{len(open_regions)} groups of flat entries (e.g. "
                     f"{spans}) disagree by more than one entry's rtol but less than all "
                     "their entries' rtol together, or cross a kink, when the search "
                     "stopped: rounding spread over many entries, or wrong entries too small "
                     "to follow; a full check decides.")


def _assemble(name: str, shape: tuple[int, ...], a: FloatArray, located: list[int],
              sub: ParamCheck | None, open_regions: list[tuple[IntArray, Outcome]]
              ) -> ParamCheck:
    """A full-shape ParamCheck: located entries as checked, the rest cleared by groups."""
    numeric, bar = a.copy(), np.zeros(a.size)
    status = np.full(a.size, Status.PASS, np.int8)
    allow = np.zeros(a.size)
    if sub is not None and sub.numeric is not None:
        idx = np.asarray(located)
        numeric[idx], bar[idx] = sub.numeric, sub.error_bar  # type: ignore[assignment]
        status[idx], allow[idx] = sub.status, sub.allowance  # type: ignore[assignment]
    for region, outcome in open_regions:
        mark = Status.KINK if outcome == "kink" else Status.NOISY
        status[region] = np.where(status[region] == Status.PASS, mark, status[region])
    status[~np.isfinite(a)] = Status.NONFINITE  # the group tests saw them as 0
    wrong = (status == Status.FAIL) | (status == Status.NONFINITE)
    failed = wrong.any() or any(o == "fail" for _, o in open_regions)
    verdict = (Verdict.FAIL if failed else
               Verdict.INCONCLUSIVE if (status != Status.PASS).any() else Verdict.PASS)
    decided = (status == Status.PASS) | (status == Status.FAIL)
    diff = np.abs(a - numeric)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff > 0, diff / np.maximum(np.abs(a), np.abs(numeric)), 0.0)
    diagnosis: Diagnosis | None = None
    if open_regions:
        diagnosis = _open_diagnosis(open_regions)
    elif wrong.any():
        diagnosis = diagnose(a.reshape(shape), numeric.reshape(shape), wrong.reshape(shape),
                             decided.reshape(shape))
    pc = ParamCheck(name, shape, "entries", verdict, a.reshape(shape), numeric.reshape(shape),
                    bar.reshape(shape), status.reshape(shape),
                    float(diff[decided].max(initial=0.0)), float(rel[decided].max(initial=0.0)),
                    None, math.nan, allow.reshape(shape), diagnosis)
    worst = pc.worst(1)
    return replace(pc, worst_index=worst[0] if worst else None,
                   worst_error_bar=float(pc.error_bar[worst[0]]) if worst else math.nan)  # type: ignore[index]


def _tolerances(analytic: list[FloatArray | None], eps_f: float, rtol: float | None
                ) -> tuple[float, str | None]:
    """rtol, and the precision note: a float32-computed gradient is judged at float32."""
    p = effective_precision(analytic)
    if p is None or p.eps <= eps_f or rtol is not None:
        return (math.sqrt(eps_f) if rtol is None else rtol), None
    rtol_ = math.sqrt(p.eps)
    return rtol_, (f"analytic gradient has {p.name} precision: rtol {rtol_:.3g} (every entry "
                   f"is exactly a {p.name}, so it was computed in {p.name} or lower; judged "
                   "at that precision)")


def locate_gradient_errors(
    f: Callable[[Any], Any],
    params: Any,
    grad: Any,
    *,
    groups: int = 1,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int | None = None,
    max_evaluations: int | None = None,
    max_regions: int = MAX_REGIONS,
    executor: Executor | None = None,
    chunk_size: int | None = None,
) -> CheckResult:
    """Find the wrong entries of a gradient with many parameters by adaptive group testing.

    Parameters
    ----------
    f, params, grad
        As in `checks.check_gradients` (``grad`` a function or the arrays).
    groups : int
        Each parameter starts as this many contiguous groups of entries (default 1, the
        whole parameter), tested in one batch; one group test (6 evaluations) per group.
    rtol, atol
        As in `checks.check_gradients` (per entry; a group test allows one entry's worth).
    seed : int, optional
        Seeds the random directions (default 0).
    max_evaluations : int, optional
        Stop halving after this many evaluations of ``f`` per parameter (default: no cap).
    max_regions : int
        Stop when more failing groups than this are open (a wrong factor on every entry is
        not a handful of wrong entries); default 32.
    executor : concurrent.futures.Executor, optional
        Spreads the evaluations of each level of the search (and the check of the located
        entries) over its workers, as in `checks.check_gradients`; ``f`` must then be
        picklable. The verdicts, located entries and evaluations are those of one process.
    chunk_size : int, optional
        Evaluations of ``f`` per executor task (default: one group's, or half of them when
        a level has one group).

    Returns
    -------
    CheckResult
        Method "group testing". Per parameter a `checks.ParamCheck` of the full shape: the
        located entries checked one by one (status, numeric value and error bar as a full
        check gives them), the entries of passing groups with status "ok", numeric =
        analytic and error bar 0 (they were checked in groups, not one by one). Groups left
        open make the parameter fail when they fail the slack of all their entries, else
        inconclusive; the diagnosis names them.

    Raises
    ------
    TypeError, ValueError, OutputError
        As `checks.check_gradients`.

    Notes
    -----
    What a group test resolves, and why the search has no false alarms, is in the
    module's notes (`checks.locate`).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0.1, 2.0, 4096)
    >>> g = np.cos(x)
    >>> g[1234] *= 1.000001
    >>> r = locate_gradient_errors(lambda x: np.sum(np.sin(x)), x, g)
    >>> print(r.verdict, r.params[0].worst_index, int((r.params[0].status == 1).sum()))
    fail (1234,) 1
    """
    structure, originals = normalise_params(params)
    check_knobs("auto", rtol, atol)
    n_groups = check_count(groups, "groups", 1)
    regions = check_count(max_regions, "max_regions", 1)
    budget = math.inf if max_evaluations is None else check_count(max_evaluations,
                                                                   "max_evaluations", 1)
    seed_ = check_seed(seed)
    config = CheckConfig(executor=executor, chunk_size=chunk_size)  # validates both
    arrays = private_copies(originals)
    f0, out_eps = _f0(f, structure.build(arrays))
    refuse_if_written(structure, arrays, originals, "during the first call of f")
    value = grad(structure.build(private_copies(arrays))) if callable(grad) else grad
    analytic, problems = normalise_grad(value, structure)
    eps_f = max([float(np.finfo(dt).eps) for dt in structure.dtypes] + [out_eps])
    rtol_, precision = _tolerances(analytic, eps_f, rtol)
    base = [a.reshape(-1).copy() for a in arrays]
    flat = np.concatenate([b.astype(np.float64) for b in base])
    ends = np.cumsum([b.size for b in base])
    slices = tuple((int(e - b.size), int(e)) for e, b in zip(ends, base, strict=True))
    setup = Setup(structure, base, flat, slices, f0, eps_f, 0.0, rtol_,
                  0.0 if atol is None else atol)
    rng = np.random.default_rng(seed_)
    noise_probe = BlackBox(f, structure, arrays, executor)
    sigma = _noise(noise_probe, setup, rng)
    evaluations = noise_probe.evaluations
    setup = replace(setup, sigma=sigma)
    checks, tests = [], 0
    by_name = {p.name: p for p in problems if p.kind != "extra"}
    entry_rtol = rtol if precision is None else rtol_
    for pi, (name, a) in enumerate(zip(structure.names, analytic, strict=True)):
        if a is None:
            p = by_name[name]
            checks.append(ParamCheck(name, structure.shapes[pi], "entries", Verdict.FAIL, None,
                                     None, None, None, math.nan, math.nan, None, math.nan,
                                     None, shape_diagnosis(p.kind, p.message)))
            continue
        search = _Search(f, structure, arrays, pi, a.ravel(), setup, rng, executor,
                         config.chunk_size)
        located, open_regions = _search(search, n_groups, regions, budget)
        tests += search.tests
        evaluations += search.evaluations
        sub = None
        if located:
            sub, n = _entry_checks(f, structure, originals, pi, located, a.ravel(),
                                   entry_rtol, atol, seed_, executor)
            evaluations += n
        checks.append(_assemble(name, structure.shapes[pi], a.ravel(), located, sub,
                                open_regions))
    extra = tuple(p.message for p in problems if p.kind == "extra")
    verdict = (Verdict.FAIL if extra or any(c.verdict == Verdict.FAIL for c in checks) else
               Verdict.INCONCLUSIVE if any(c.verdict == Verdict.INCONCLUSIVE for c in checks)
               else Verdict.PASS)
    note = (f"{tests} group tests ({GROUP_METHOD} along a random direction of each group), "
            f"halving the failing ones (P = {structure.n_entries:,}, {n_groups} starting "
            "groups per parameter); entries of passing groups show numeric = analytic, "
            "error bar 0")
    return CheckResult(verdict, tuple(checks), "group testing", note, rtol_, setup.atol, sigma,
                       evaluations + 1, seed_, extra, precision=precision)
