"""The check proper, on validated input: noise, the method's judgement, the result.

`run_check` is shared by `checks.check_gradients` (a black-box probe) and
`checks.numeric_fast.check_network` (a batched probe): measure the noise of ``f``, let the
method object (`checks.methods`) estimate, refine and confirm, diagnose, assemble. No method
is named here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from checks import steps as st
from checks._types import FloatArray, Status, Verdict
from checks.config import CheckConfig
from checks.diagnose import diagnose, shape_diagnosis
from checks.directional import eval_points, points_along, random_directions
from checks.finite_diff import MULTIPLES, NOISE_POINTS, Probe, noise_level
from checks.methods import FD_METHODS, Context, Judged
from checks.precision import effective_precision
from checks.result import CheckResult, ParamCheck
from checks.structure import GradProblem, Structure
from checks.verdict import SAFETY, Setup, allowance, unchanged


@dataclass(frozen=True, eq=False)
class Target:
    """What is checked, validated: the parameters, ``f`` there, and the analytic gradient.

    Attributes
    ----------
    structure : Structure
    arrays : list of ndarray
        The checker's private copies (the ones the probe perturbs).
    f0 : float
        ``f`` at the unperturbed point.
    out_eps : float
        Machine epsilon of ``f``'s output dtype (0 if it is not a float).
    analytic : list of (ndarray, float64) or None
        From `checks.structure.normalise_grad`, one per parameter.
    problems : list of GradProblem
        Structural problems of the analytic gradient.
    complex_fn : callable or None
        ``f`` to call with complex parameters (``method="complex"``); None: unsupported.
    """

    structure: Structure
    arrays: list[np.ndarray]
    f0: float
    out_eps: float
    analytic: list[FloatArray | None]
    problems: list[GradProblem]
    complex_fn: Callable[[Any], Any] | None = None


def _param_check(name: str, shape: tuple[int, ...], judged: Judged, setup: Setup
                 ) -> ParamCheck:
    """A parameter's `ParamCheck` from the method's judgement: errors, verdict, diagnosis."""
    a, est, status = judged.analytic, judged.est, judged.status
    out_shape = shape if judged.probe == "entries" else a.shape
    a_, n_ = a.reshape(out_shape), est.value.reshape(out_shape)
    bar = est.error_bar.reshape(out_shape)
    status = status.reshape(out_shape)
    decided = (status == Status.PASS) | (status == Status.FAIL)
    diff = np.abs(a_ - n_)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff > 0, diff / np.maximum(np.abs(a_), np.abs(n_)), 0.0)
    if (status == Status.FAIL).any() or (status == Status.NONFINITE).any():
        verdict = Verdict.FAIL
    elif (status != Status.PASS).any():
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.PASS
    check = ParamCheck(
        name=name, shape=shape, probe=judged.probe, verdict=verdict, analytic=a_, numeric=n_,
        error_bar=bar, status=status,
        max_abs_error=float(diff[decided].max()) if decided.any() else math.nan,
        max_rel_error=float(rel[decided].max()) if decided.any() else math.nan,
        worst_index=None, worst_error_bar=math.nan,
        allowance=allowance(a, est, setup).reshape(out_shape),
    )
    worst = check.worst(1)
    flat = unchanged(est).reshape(out_shape)
    diagnosis = None
    if verdict == Verdict.FAIL:
        wrong = (status == Status.FAIL) | (status == Status.NONFINITE)
        diagnosis = diagnose(a_, n_, wrong, decided, float(SAFETY * bar.max(initial=0.0)),
                             entrywise=judged.probe == "entries", unchanged=flat, name=name)
    return replace(
        check, worst_index=worst[0] if worst else None,
        worst_error_bar=float(bar[worst[0]]) if worst else math.nan, diagnosis=diagnosis,
        note=_unresolved_note(status, bar, setup.f0, judged.probe),
    )


def _unresolved_note(status: np.ndarray, bar: FloatArray, f0: float, probe: str) -> str | None:
    """The reason for unresolved entries: f never changed, so nothing was measured."""
    gone = status == Status.UNRESOLVED
    if not gone.any():
        return None
    what = "entries" if probe == "entries" else "random directions"
    return (f"f returned exactly f(x) = {f0!r} at every perturbed point for {int(gone.sum())} "
            f"of {status.size} {what}: their gradient is 0 to within what finite differences "
            f"resolve here (|g| < {SAFETY * float(bar[gone].max()):.2g}), and a smaller true "
            "gradient cannot be told from 0. Check at a point where f varies, or scale f up.")


def _problem_check(name: str, shape: tuple[int, ...], problem: GradProblem) -> ParamCheck:
    return ParamCheck(
        name=name, shape=shape, probe="entries", verdict=Verdict.FAIL, analytic=None,
        numeric=None, error_bar=None, status=None, max_abs_error=math.nan,
        max_rel_error=math.nan, worst_index=None, worst_error_bar=math.nan,
        diagnosis=shape_diagnosis(problem.kind, problem.message),
    )


def _noise(probe: Probe, setup: Setup, rng: np.random.Generator, exponent: float) -> float:
    """``f``'s rounding noise (`checks.finite_diff.noise_level`) where the stencil evaluates f.

    `NOISE_POINTS` evaluations, 100 ulps apart, along a random direction, starting at the
    outermost reach of the stencil (4 steps of ``eps**exponent``, in parameter-space distance
    as far as one entry's stencil goes), not at the point itself: ``f``'s noise is not the
    same everywhere. At an exact minimum of a sum of squared residuals that cancel exactly
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
        out[:, lo:hi] *= max(MULTIPLES) * st.base_step(dt, exponent) / root_p
    k = np.arange(NOISE_POINTS, dtype=np.float64)[:, None]
    far, _ = points_along(setup, out + k * along, [1.0])
    vals = probe.points(far)
    if not np.isfinite(vals).all():
        near, _ = points_along(setup, k * along, [1.0])
        vals = eval_points(probe, near, "noise estimate")
    return noise_level(vals)


def make_setup(target: Target, config: CheckConfig) -> Setup:
    """The point, flattened, and the tolerances (the noise is measured next)."""
    structure = target.structure
    eps_f = max([float(np.finfo(dt).eps) for dt in structure.dtypes] + [target.out_eps])
    base = [a.reshape(-1).copy() for a in target.arrays]
    flat = np.concatenate([b.astype(np.float64) for b in base]) if base else np.zeros(0)
    ends = np.cumsum([b.size for b in base])
    slices = tuple((int(e - b.size), int(e)) for e, b in zip(ends, base, strict=True))
    return Setup(
        structure=structure, base=base, flat=flat, slices=slices, f0=target.f0, eps_f=eps_f,
        sigma=0.0, rtol=math.sqrt(eps_f) if config.rtol is None else config.rtol,
        atol=0.0 if config.atol is None else config.atol,
    )


def _precision(setup: Setup, target: Target, config: CheckConfig) -> tuple[Setup, str | None]:
    """Judge an analytic gradient computed in a lower precision at that precision."""
    p = effective_precision(target.analytic)
    if p is None or p.eps <= setup.eps_f:
        return setup, None
    if config.rtol is not None:
        return setup, (f"analytic gradient has {p.name} precision (every entry is exactly a "
                       f"{p.name}); rtol {setup.rtol:.3g} as given")
    rtol = math.sqrt(p.eps)
    return replace(setup, rtol=rtol), (
        f"analytic gradient has {p.name} precision: rtol {rtol:.3g} (every entry is exactly "
        f"a {p.name}, so it was computed in {p.name} or lower; judged at that precision)")


def run_check(probe: Probe, target: Target, config: CheckConfig) -> CheckResult:
    """The check proper, on validated input and a probe (shared with `checks.numeric_fast`).

    Parameters
    ----------
    probe : Probe
        Evaluates ``f`` at perturbed parameters (perturbing ``target.arrays``).
    target : Target
        The point, ``f`` there and the analytic gradient, validated.
    config : CheckConfig
        The method and the tolerances, validated.

    Returns
    -------
    CheckResult
    """
    structure = target.structure
    rng = np.random.default_rng(config.seed)
    setup, precision = _precision(make_setup(target, config), target, config)
    method, note = FD_METHODS[config.method].resolve(structure.n_entries, config.full_limit)
    setup = replace(setup, sigma=_noise(probe, setup, rng, method.noise_exponent))
    ctx = Context(probe=probe, setup=setup, target=target, config=config, rng=rng)
    method, note = method.prepare(ctx, note)
    checks: list[ParamCheck | None] = [None] * len(structure.names)
    by_name = {p.name: p for p in target.problems if p.kind != "extra"}
    for pi, name in enumerate(structure.names):
        if name in by_name:
            checks[pi] = _problem_check(name, structure.shapes[pi], by_name[name])
    for pi, judged in enumerate(method.judge(ctx)):
        if checks[pi] is None and judged is not None:
            checks[pi] = _param_check(structure.names[pi], structure.shapes[pi], judged, setup)
    done = tuple(c for c in checks if c is not None)
    extra = tuple(p.message for p in target.problems if p.kind == "extra")
    if extra or any(c.verdict == Verdict.FAIL for c in done):
        verdict = Verdict.FAIL
    elif any(c.verdict == Verdict.INCONCLUSIVE for c in done):
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.PASS
    return CheckResult(
        verdict=verdict, params=done, method=method.name, method_note=note, rtol=setup.rtol,
        atol=setup.atol, noise=setup.sigma, evaluations=probe.evaluations, seed=config.seed,
        problems=extra, precision=precision,
    )
