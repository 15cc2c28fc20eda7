"""The check proper, on validated input: estimates, refinement, verdicts, the result.

`run_check` is shared by `checks.check_gradients` (a black-box probe) and
`checks.numeric_fast.check_network` (a batched probe): measure the noise of ``f``, estimate
every entry (or random direction), refine with Richardson extrapolation where the first
estimate is not conclusive, confirm failures at a quarter step, diagnose, assemble.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from typing import Any

import numpy as np

from checks import steps as st
from checks._types import FloatArray, IntArray, Status, Verdict
from checks.diagnose import diagnose, shape_diagnosis
from checks.directional import (
    DEFAULT_DIRECTIONS,
    directional_derivatives,
    eval_points,
    points_along,
    random_directions,
)
from checks.finite_diff import (
    MULTIPLES,
    NOISE_POINTS,
    BlackBox,
    Estimate,
    OutputError,
    Probe,
    central,
    complex_step,
    forward,
    noise_level,
    three_scale,
)
from checks.result import CheckResult, ParamCheck
from checks.structure import GradProblem, Structure
from checks.verdict import (
    SAFETY,
    Setup,
    allowance,
    bar_max_of,
    confirmation,
    final_status,
    first_verdict,
    gradient_scale,
    merge,
    select,
)

FULL_LIMIT = 50_000
"""``method="auto"`` checks every entry up to this many parameters, random directions above."""


def _finite_or_raise(vals: np.ndarray, setup: Setup, pi: int, idx: Sequence[int],
                     points: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(vals)
    if not bad.any():
        return
    j, k = (int(t) for t in np.argwhere(bad)[0])
    name, shape = setup.structure.names[pi], setup.structure.shapes[pi]
    index = tuple(int(i) for i in np.unravel_index(int(idx[k]), shape))
    raise OutputError(
        f"f returned {vals[j, k]} with {name}{list(index)} moved from "
        f"{setup.base[pi][idx[k]]!r} to {points[j, k]!r} ({what}): the finite-difference "
        "stencil leaves f's domain or overflows. Check f there, or move the point away "
        "from the boundary."
    )


def _eval(probe: Probe, setup: Setup, pi: int, idx: IntArray, values: np.ndarray,
          what: str) -> np.ndarray:
    out = probe.entries(pi, idx, values)
    _finite_or_raise(out, setup, pi, idx, values, what)
    return out


def _central_entries(probe: Probe, setup: Setup, pi: int, idx: IntArray
                     ) -> tuple[Estimate, np.ndarray]:
    """Central differences of entries ``idx``; also returns the raw rows f(x+h), f(x-h)."""
    x = setup.base[pi][idx]
    h = st.steps(x, "central")
    vals = np.stack([st.offset(x, h, 1.0), st.offset(x, h, -1.0)])
    F = _eval(probe, setup, pi, idx, vals, "central differences")
    est = central(setup.f0, F[0], F[1], st.taken(x, vals[0]), st.taken(x, vals[1]),
                  1.0, setup.eps_f, setup.sigma)
    return est, F


def _three_scale_entries(probe: Probe, setup: Setup, pi: int, idx: IntArray, kind: str,
                         first: np.ndarray | None = None) -> Estimate:
    """Rows +h, -h, +2h, -2h, +4h, -4h; ``first`` holds already evaluated +h, -h rows."""
    x = setup.base[pi][idx]
    h = st.steps(x, "central" if kind == "central" else "richardson")
    vals = np.stack([st.offset(x, h, m) for m in MULTIPLES])
    todo = vals[2:] if first is not None else vals
    F = _eval(probe, setup, pi, idx, todo, "Richardson refinement")
    if first is not None:
        F = np.vstack([first, F])
    offsets = vals.astype(np.float64) - x.astype(np.float64)
    ref = three_scale(setup.f0, F, offsets, setup.eps_f, setup.sigma)
    return ref.central if kind == "central" else ref.richardson


def _entry_estimates(probe: Probe, setup: Setup, method: str,
                     analytic: list[FloatArray | None]) -> list[Estimate | None]:
    """First estimate of every comparable entry, then refinement where it is not conclusive."""
    ests: list[Estimate | None] = []
    firsts: list[np.ndarray | None] = []
    G_analytic = gradient_scale(analytic, [None] * len(analytic))
    for pi, a in enumerate(analytic):
        est, F = None, None
        if a is not None:
            idx = np.arange(a.size)
            if method == "richardson":
                est = _three_scale_entries(probe, setup, pi, idx, "richardson")
            elif method == "forward":
                x = setup.base[pi]
                xp = st.offset(x, st.steps(x, "forward"), 1.0)
                Fp = _eval(probe, setup, pi, idx, xp[None], "forward differences")
                est = forward(setup.f0, Fp[0], st.taken(x, xp), st.entry_scale(x), G_analytic,
                              setup.eps_f, setup.sigma)
            else:
                est, F = _central_entries(probe, setup, pi, idx)
        ests.append(est)
        firsts.append(F)
    if method == "richardson":
        return ests
    G, bar_max = gradient_scale(analytic, ests), bar_max_of(ests)
    for pi, (a, est) in enumerate(zip(analytic, ests, strict=True)):
        if a is None or est is None or a.size == 0:
            continue
        flat = a.ravel()
        ok, bad = first_verdict(flat, est, setup, G, bar_max)
        pending = np.flatnonzero(~(ok | bad) & np.isfinite(flat))
        if pending.size == 0:
            continue
        if method == "forward":
            cest, Fc = _central_entries(probe, setup, pi, pending)
            est = merge(est, pending, cest)
            ok, bad = first_verdict(flat[pending], cest, setup, G, bar_max)
            keep = ~(ok | bad)
            pending, first = pending[keep], Fc[:, keep]
        else:
            first = firsts[pi][:, pending]
        if pending.size:
            est = merge(est, pending,
                         _three_scale_entries(probe, setup, pi, pending, "central", first))
        ests[pi] = est
    return ests


def _confirm_failures(probe: Probe, setup: Setup, pi: int, a: FloatArray, est: Estimate,
                      status: np.ndarray, method: str) -> None:
    """Re-measure failing entries at a quarter of the step; only confirmed ones stay failures.

    A real error persists at a smaller step, and the two estimates agree with each other. A
    kink inside the stencil can mimic a smooth function at one step (many small kinks of a
    float32 ReLU network over many samples; or one kink that the three-scale test of
    `checks.finite_diff.three_scale` cannot see, e.g. between 1.8h and 2h, where the fit
    through h and 2h absorbs it), but the estimate then moves with the step (status kink);
    where the estimates agree but the quarter step's wider error bar cannot confirm the
    failure, the entry is noisy (inconclusive). Central and forward differences are
    re-measured by central differences at a quarter of the central step; Richardson
    extrapolation by Richardson extrapolation at a quarter of its own step (its accuracy, so
    that the errors it alone resolves are still confirmed).
    """
    idx = np.flatnonzero(status == Status.FAIL)
    if idx.size == 0:
        return
    x = setup.base[pi][idx]
    if method == "richardson":
        h = st.steps(x, "richardson") / 4.0
        vals = np.stack([st.offset(x, h, m) for m in MULTIPLES])
        F = _eval(probe, setup, pi, idx, vals, "confirmation at a quarter step")
        offsets = vals.astype(np.float64) - x.astype(np.float64)
        q = three_scale(setup.f0, F, offsets, setup.eps_f, setup.sigma).richardson
    else:
        h = st.steps(x, "central") / 4.0
        vals = np.stack([st.offset(x, h, 1.0), st.offset(x, h, -1.0)])
        F = _eval(probe, setup, pi, idx, vals, "confirmation at a quarter step")
        q = central(setup.f0, F[0], F[1], st.taken(x, vals[0]), st.taken(x, vals[1]),
                    1.0, setup.eps_f, setup.sigma)
    confirmation(a[idx], select(est, idx), a[idx], q, setup, status, idx)


def _complex_estimates(
    fn: Callable[[Any], Any], arrays: list[np.ndarray], setup: Setup,
    analytic: list[FloatArray | None], rng: np.random.Generator, probe: Probe,
    executor: Executor | None, chunk_size: int | None,
) -> tuple[list[Estimate | None] | None, str]:
    """Complex-step estimates, or ``None`` and the reason when ``f`` is not complex-safe."""
    structure = setup.structure
    cdtypes = [np.result_type(dt, np.complex64) for dt in structure.dtypes]
    V = random_directions(setup, rng, 1, [True] * len(setup.base))
    v = [V[0, lo:hi] for lo, hi in setup.slices]
    length = float(np.linalg.norm(V[0])) or 1.0
    hc = st.base_step(np.dtype(np.float64 if setup.eps_f < 1e-10 else np.float32), "complex")
    point = [(b + 1j * hc * vp).astype(c).reshape(s) for b, vp, c, s in
             zip(setup.base, v, cdtypes, structure.shapes, strict=True)]
    try:
        out = np.asarray(fn(structure.build(point)))
    except Exception as exc:
        return None, f"f raised {type(exc).__name__} on complex input ({exc})"
    if out.dtype.kind != "c" or out.imag == 0.0:
        return None, f"f returned a real {out.dtype} for complex input (abs, max or a cast?)"
    t = setup.eps_f ** (1 / 3) / length
    pts, _ = points_along(setup, V, (t, -t))
    F = eval_points(probe, pts, "complex-step detection")
    ref = central(setup.f0, F[:1], F[1:], np.array([t]), np.array([-t]), length,
                  setup.eps_f, setup.sigma)
    cs = float(out.imag) / hc
    if abs(cs - ref.value[0]) > SAFETY * ref.error_bar[0] + math.sqrt(setup.eps_f) * abs(cs):
        return None, (f"Im f(x + i h v) / h = {cs:.6g} disagrees with central differences "
                      f"{ref.value[0]:.6g} along the same direction (f is not analytic)")
    cprobe = BlackBox(fn, structure, [a.astype(c) for a, c in zip(arrays, cdtypes, strict=True)],
                      executor, chunk_size)
    ests: list[Estimate | None] = []
    for pi, a in enumerate(analytic):
        if a is None:
            ests.append(None)
            continue
        x = setup.base[pi]
        h = st.steps(x, "complex")
        vals = (x.astype(cdtypes[pi]) + 1j * h.astype(cdtypes[pi]))[None]
        out_vals = cprobe.entries(pi, np.arange(x.size), vals)
        _finite_or_raise(out_vals, setup, pi, np.arange(x.size), vals, "complex step")
        ests.append(complex_step(out_vals[0].imag, h, setup.eps_f, abs(setup.f0)))
    probe.evaluations += cprobe.evaluations + 1
    return ests, "complex step (f accepts complex input and agrees with central differences)"


# ---------------------------------------------------------------------------------------------
# Assembling the result
# ---------------------------------------------------------------------------------------------


def _param_check(name: str, shape: tuple[int, ...], a: FloatArray, est: Estimate,
                 status: np.ndarray, setup: Setup, probe_kind: str) -> ParamCheck:
    out_shape = shape if probe_kind == "entries" else a.shape
    a_, n_ = a.reshape(out_shape), est.value.reshape(out_shape)
    bar = est.error_bar.reshape(out_shape)
    status = status.reshape(out_shape)
    allow = allowance(a, est, setup).reshape(out_shape)
    decided = (status == Status.PASS) | (status == Status.FAIL)
    diff = np.abs(a_ - n_)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff > 0, diff / np.maximum(np.abs(a_), np.abs(n_)), 0.0)
    max_abs = float(diff[decided].max()) if decided.any() else math.nan
    max_rel = float(rel[decided].max()) if decided.any() else math.nan
    if (status == Status.FAIL).any() or (status == Status.NONFINITE).any():
        verdict = Verdict.FAIL
    elif (status != Status.PASS).any():
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.PASS
    pc = ParamCheck(name, shape, probe_kind, verdict, a_, n_, bar, status, max_abs, max_rel,
                    None, math.nan, allow)  # type: ignore[arg-type]
    worst = pc.worst(1)
    diagnosis = None
    if verdict == Verdict.FAIL:
        wrong = (status == Status.FAIL) | (status == Status.NONFINITE)
        if probe_kind == "entries":
            diagnosis = diagnose(a_, n_, wrong, decided, float(SAFETY * bar.max(initial=0.0)))
        else:
            diagnosis = diagnose(a_, n_, wrong, decided, float(SAFETY * bar.max(initial=0.0)),
                                 entrywise=False)
    return ParamCheck(
        name, shape, probe_kind, verdict, a_, n_, bar, status, max_abs, max_rel,  # type: ignore[arg-type]
        worst[0] if worst else None, float(bar[worst[0]]) if worst else math.nan, allow,
        diagnosis,
    )


def _problem_check(name: str, shape: tuple[int, ...], problem: GradProblem) -> ParamCheck:
    return ParamCheck(name, shape, "entries", Verdict.FAIL, None, None, None, None, math.nan,
                      math.nan, None, math.nan, None,
                      shape_diagnosis(problem.kind, problem.message))


def _noise(probe: Probe, setup: Setup, rng: np.random.Generator, kind: st.StepKind) -> float:
    """``f``'s rounding noise (`checks.finite_diff.noise_level`) where the stencil evaluates f.

    `NOISE_POINTS` evaluations, 100 ulps apart, along a random direction, starting at the
    outermost reach of the stencil (4 steps of ``kind``, in parameter-space distance as far
    as one entry's stencil goes), not at the point itself: ``f``'s noise is not the same
    everywhere. At an exact minimum of a sum of squared residuals that cancel exactly
    (f = 0), f's noise at the point is ~0, but at ``x +- h`` the residuals are O(h) and carry
    the rounding of the terms that cancelled, so f's noise there is ~ ``eps x (those terms)
    x h``, and a difference quotient over ``h`` carries ``~ eps x (those terms)`` whatever
    ``h`` is. Measured at the point, every error bar was orders of magnitude too small (a
    false alarm at every exact minimum). Where f is not finite out there (a domain
    boundary), the line starts at the point; a stencil that crosses the boundary then gets
    the error naming its entry.
    """
    V = random_directions(setup, rng, 1, [True] * len(setup.base))
    along, out = V.copy(), V.copy()
    root_p = math.sqrt(max(setup.flat.size, 1))  # ||V|| = sqrt(P) x rms of max(|x|, 1)
    for (lo, hi), dt in zip(setup.slices, setup.structure.dtypes, strict=True):
        along[:, lo:hi] *= 100.0 * float(np.finfo(dt).eps)
        out[:, lo:hi] *= max(MULTIPLES) * st.base_step(dt, kind) / root_p
    k = np.arange(NOISE_POINTS, dtype=np.float64)[:, None]
    far, _ = points_along(setup, out + k * along, [1.0])
    vals = probe.points(far)
    if not np.isfinite(vals).all():
        near, _ = points_along(setup, k * along, [1.0])
        vals = eval_points(probe, near, "noise estimate")
    return noise_level(vals)


def run_check(
    probe: Probe,
    structure: Structure,
    arrays: list[np.ndarray],
    f0: float,
    out_eps: float,
    analytic: list[FloatArray | None],
    problems: list[GradProblem],
    *,
    method: str,
    rtol: float | None,
    atol: float | None,
    seed: int | None,
    directions: int | None,
    complex_fn: Callable[[Any], Any] | None = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    full_limit: int = FULL_LIMIT,
) -> CheckResult:
    """The check proper, on validated input and a probe (shared with `checks.numeric_fast`).

    Parameters
    ----------
    probe : Probe
        Evaluates ``f`` at perturbed parameters.
    structure, arrays
        From `checks.structure`; ``arrays`` are the private copies the probe perturbs.
    f0, out_eps : float
        ``f`` at the unperturbed point and the epsilon of its output dtype (0 if not float).
    analytic, problems
        From `checks.structure.normalise_grad`.
    method, rtol, atol, seed, directions
        As in `check_gradients`, validated.
    complex_fn : callable or None
        ``f`` to call with complex parameters for ``method="complex"``; None: unsupported.
    executor, chunk_size
        As in `check_gradients` (used by the complex step's own probe).
    full_limit : int
        Largest P for which ``method="auto"`` checks every entry.

    Returns
    -------
    CheckResult
    """
    rng = np.random.default_rng(seed)
    eps_f = max([float(np.finfo(dt).eps) for dt in structure.dtypes] + [out_eps])
    rtol_ = math.sqrt(eps_f) if rtol is None else rtol
    base = [a.reshape(-1).copy() for a in arrays]
    flat = np.concatenate([b.astype(np.float64) for b in base]) if base else np.zeros(0)
    ends = np.cumsum([b.size for b in base])
    slices = tuple((int(e - b.size), int(e)) for e, b in zip(ends, base, strict=True))
    setup = Setup(structure, base, flat, slices, f0, eps_f, 0.0, rtol_,
                   0.0 if atol is None else atol)
    n_entries = structure.n_entries
    note = f"chosen by the caller, P = {n_entries:,}"
    if method == "auto":
        if n_entries <= full_limit:
            method = "central"
            note = (f"auto: P = {n_entries:,}, so every entry by central differences, "
                    "with Richardson refinement where they were not conclusive")
        else:
            method = "directional"
            note = (f"auto: P = {n_entries:,} > {full_limit:,}, so random directions (cost "
                    "independent of P); pass method='central' for the entry-by-entry check")
    setup = replace(setup, sigma=_noise(probe, setup, rng,
                                         "richardson" if method == "richardson" else "central"))
    sigma = setup.sigma
    checks: list[ParamCheck | None] = [None] * len(structure.names)
    by_name = {p.name: p for p in problems if p.kind != "extra"}
    for pi, name in enumerate(structure.names):
        if name in by_name:
            checks[pi] = _problem_check(name, structure.shapes[pi], by_name[name])
    if method == "complex":
        ests = None
        if complex_fn is None:
            reason = "this probe cannot evaluate f at complex parameters"
        else:
            ests, reason = _complex_estimates(complex_fn, arrays, setup, analytic, rng, probe,
                                              executor, chunk_size)
        if ests is None:
            method = "central"
            note = f"complex step not usable: {reason}; fell back to central differences"
    if method == "directional":
        K = directions or DEFAULT_DIRECTIONS
        note += f"; {K} random directions"
        _directional_checks(probe, setup, analytic, K, rng, checks)
    else:
        if method != "complex":
            ests = _entry_estimates(probe, setup, method, analytic)
        G, bar_max = gradient_scale(analytic, ests), bar_max_of(ests)
        for pi, (a, est) in enumerate(zip(analytic, ests, strict=True)):
            if a is None or est is None:
                continue
            status = final_status(a.ravel(), est, setup, G, bar_max)
            if method != "complex":
                _confirm_failures(probe, setup, pi, a.ravel(), est, status, method)
            checks[pi] = _param_check(structure.names[pi], structure.shapes[pi], a.ravel(), est,
                                      status, setup, "entries")
    done = tuple(c for c in checks if c is not None)
    extra = tuple(p.message for p in problems if p.kind == "extra")
    if extra or any(c.verdict == Verdict.FAIL for c in done):
        verdict = Verdict.FAIL
    elif any(c.verdict == Verdict.INCONCLUSIVE for c in done):
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.PASS
    return CheckResult(verdict, done, method, note, rtol_, setup.atol, sigma,
                       probe.evaluations, seed, extra)


def _directional_checks(probe: Probe, setup: Setup, analytic: list[FloatArray | None], K: int,
                        rng: np.random.Generator, checks: list[ParamCheck | None]) -> None:
    """Fill ``checks``: one joint run over all parameters; per parameter only if it fails."""
    names, shapes = setup.structure.names, setup.structure.shapes
    a, est, status = directional_derivatives(probe, setup, analytic, K, rng, None)
    if (status == Status.PASS).all():
        joint = _param_check("all", (), a, est, status, setup, "directions")
        for pi, name in enumerate(names):
            if checks[pi] is None:
                checks[pi] = replace(joint, name=name, shape=shapes[pi])
        return
    for pi, name in enumerate(names):
        if checks[pi] is not None or analytic[pi] is None:
            continue
        a_p, est_p, status_p = directional_derivatives(probe, setup, analytic, K, rng, pi)
        checks[pi] = _param_check(name, shapes[pi], a_p, est_p, status_p, setup, "directions")
