"""`check_gradients` and `assert_gradients`: is a hand-written gradient right, with evidence.

The pipeline: validate the arguments once; copy the parameters (the caller's arrays are never
written); call ``f`` twice at the unperturbed point (a scalar, finite, deterministic?); measure
``f``'s rounding noise along a random line; estimate every entry (or random direction) with an
error bar; compare ``|analytic - numeric|`` with ``3 x error bar + rtol x magnitude + atol``;
refine with Richardson extrapolation (steps 2h and 4h) only the entries that the first
estimate leaves undecided; flag kinks; diagnose failing parameters; call ``f`` once more at
the unperturbed point (stateful ``f``?) and make sure ``f`` did not write into its input.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from checks import steps as st
from checks._types import METHODS, FloatArray, IntArray, Method, Status, Verdict
from checks.diagnose import diagnose, shape_diagnosis
from checks.finite_diff import (
    NOISE_POINTS,
    BlackBox,
    Estimate,
    OutputError,
    central,
    complex_step,
    forward,
    noise_level,
    three_scale,
)
from checks.result import CheckResult, ParamCheck
from checks.structure import (
    GradProblem,
    Structure,
    normalise_grad,
    normalise_params,
    private_copies,
)

SAFETY = 3.0
"""A discrepancy up to this multiple of the estimated error bar is explained by it."""
INFORMATIVE = 0.1
"""An entry whose 3 x error bar exceeds this fraction of the largest gradient entry is 'noisy'."""
FULL_LIMIT = 50_000
"""``method="auto"`` checks every entry up to this many parameters, random directions above."""
DEFAULT_DIRECTIONS = 8
RICHARDSON_ROWS = (1.0, -1.0, 2.0, -2.0, 4.0, -4.0)


class GradientMismatch(AssertionError):
    """A gradient check failed; ``str()`` is the check's table, ``.result`` the `CheckResult`."""

    def __init__(self, message: str, *, result: CheckResult | None = None) -> None:
        super().__init__(message)
        self.result = result


class Probe(Protocol):
    """Evaluates ``f`` at perturbed parameters (`checks.finite_diff.BlackBox` is one)."""

    evaluations: int

    def entries(self, pi: int, idx: IntArray, values: np.ndarray) -> np.ndarray:
        """``f`` with entry ``idx[k]`` of parameter ``pi`` set to ``values[j, k]``: (npts, n)."""
        ...

    def points(self, points: list[list[np.ndarray]]) -> np.ndarray:
        """``f`` at whole-parameter points, one list of arrays per point: (n,)."""
        ...


# ---------------------------------------------------------------------------------------------
# Validation at the boundary
# ---------------------------------------------------------------------------------------------


def _check_method(method: Any) -> str:
    if method not in METHODS:
        raise ValueError(
            f"method={method!r} is not one of {', '.join(repr(m) for m in METHODS)}."
        )
    return str(method)


def _check_tol(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a float >= 0 or None, got {value!r}.")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite float >= 0 or None, got {value!r}.")
    return float(value)


def _check_count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be an int >= 1 or None, got {value!r}.")
    return int(value)


class _Squeezed:
    """Wraps an ``f`` that returns size-1 arrays so that it returns their single element."""

    def __init__(self, f: Callable[[Any], Any]) -> None:
        self.f = f

    def __call__(self, params: Any) -> Any:
        out = np.asarray(self.f(params))
        if out.size != 1:
            raise OutputError(f"f returned an array of shape {out.shape}; a scalar is expected.")
        return out.reshape(())[()]


def _validated_f(
    f: Callable[[Any], Any], arg: Any
) -> tuple[Callable[[Any], Any], float, float]:
    """``f`` (wrapped if needed), ``f(x)`` and the epsilon of its output; checks determinism."""
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}.")
    out = f(arg)
    arr = np.asarray(out)
    if arr.dtype.kind not in "fiu" or arr.dtype.kind == "b":
        raise OutputError(
            f"f must return a real scalar, but it returned {type(out).__name__} with dtype "
            f"{arr.dtype} at the given params."
        )
    if arr.size != 1:
        raise OutputError(
            f"f must return a scalar (a float, 0-d or size-1 array), but it returned an array "
            f"of shape {arr.shape} at the given params; reduce it (e.g. .sum() or .mean())."
        )
    fn: Callable[[Any], Any] = f if arr.ndim == 0 else _Squeezed(f)
    f0 = float(arr.reshape(()))
    if not math.isfinite(f0):
        raise OutputError(f"f returned {f0} at the given params (before any perturbation).")
    again = float(np.asarray(fn(arg)))
    if again != f0:
        raise OutputError(
            f"f is not deterministic: two calls with the same params returned {f0!r} and "
            f"{again!r}. Fix its random seed (or dropout) inside f before checking gradients."
        )
    eps = float(np.finfo(arr.dtype).eps) if arr.dtype.kind == "f" else 0.0
    return fn, f0, eps


def _analytic(
    grad: Any, structure: Structure, arrays: list[np.ndarray]
) -> tuple[list[FloatArray | None], list[GradProblem]]:
    value = grad(structure.build(private_copies(arrays))) if callable(grad) else grad
    return normalise_grad(value, structure)


# ---------------------------------------------------------------------------------------------
# The run: estimates, verdicts, result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Setup:
    structure: Structure
    base: list[np.ndarray]  # flat copies of the unperturbed values, one per parameter
    flat: FloatArray  # all of them concatenated, in float64
    slices: tuple[tuple[int, int], ...]  # where each parameter lives in ``flat``
    f0: float
    eps_f: float
    sigma: float
    rtol: float
    atol: float


def _finite_or_raise(vals: np.ndarray, setup: _Setup, pi: int, idx: Sequence[int],
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


def _eval(probe: Probe, setup: _Setup, pi: int, idx: IntArray, values: np.ndarray,
          what: str) -> np.ndarray:
    out = probe.entries(pi, idx, values)
    _finite_or_raise(out, setup, pi, idx, values, what)
    return out


def _central_entries(probe: Probe, setup: _Setup, pi: int, idx: IntArray
                     ) -> tuple[Estimate, np.ndarray]:
    """Central differences of entries ``idx``; also returns the raw rows f(x+h), f(x-h)."""
    x = setup.base[pi][idx]
    h = st.steps(x, "central")
    vals = np.stack([st.offset(x, h, 1.0), st.offset(x, h, -1.0)])
    F = _eval(probe, setup, pi, idx, vals, "central differences")
    est = central(setup.f0, F[0], F[1], st.taken(x, vals[0]), st.taken(x, vals[1]),
                  1.0, setup.eps_f, setup.sigma)
    return est, F


def _three_scale_entries(probe: Probe, setup: _Setup, pi: int, idx: IntArray, kind: str,
                         first: np.ndarray | None = None) -> Estimate:
    """Rows +h, -h, +2h, -2h, +4h, -4h; ``first`` holds already evaluated +h, -h rows."""
    x = setup.base[pi][idx]
    h = st.steps(x, "central" if kind == "central" else "richardson")
    vals = np.stack([st.offset(x, h, m) for m in RICHARDSON_ROWS])
    todo = vals[2:] if first is not None else vals
    F = _eval(probe, setup, pi, idx, todo, "Richardson refinement")
    if first is not None:
        F = np.vstack([first, F])
    offsets = vals.astype(np.float64) - x.astype(np.float64)
    ref = three_scale(setup.f0, F, offsets, setup.eps_f, setup.sigma)
    return ref.central if kind == "central" else ref.richardson


def _entry_estimates(probe: Probe, setup: _Setup, method: str,
                     analytic: list[FloatArray | None]) -> list[Estimate | None]:
    """First estimate of every comparable entry, then refinement where it is not conclusive."""
    ests: list[Estimate | None] = []
    firsts: list[np.ndarray | None] = []
    G_analytic = _scale(analytic, [None] * len(analytic))
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
    G, bar_max = _scale(analytic, ests), _bar_max(ests)
    for pi, (a, est) in enumerate(zip(analytic, ests, strict=True)):
        if a is None or est is None or a.size == 0:
            continue
        flat = a.ravel()
        ok, bad = _first_verdict(flat, est, setup, G, bar_max)
        pending = np.flatnonzero(~(ok | bad) & np.isfinite(flat))
        if pending.size == 0:
            continue
        if method == "forward":
            cest, Fc = _central_entries(probe, setup, pi, pending)
            est = _merge(est, pending, cest)
            ok, bad = _first_verdict(flat[pending], cest, setup, G, bar_max)
            keep = ~(ok | bad)
            pending, first = pending[keep], Fc[:, keep]
        else:
            first = firsts[pi][:, pending]
        if pending.size:
            est = _merge(est, pending,
                         _three_scale_entries(probe, setup, pi, pending, "central", first))
        ests[pi] = est
    return ests


def _allowance(a: FloatArray, est: Estimate, setup: _Setup) -> FloatArray:
    mag = np.maximum(np.abs(a), np.abs(est.value))
    return SAFETY * est.error_bar + setup.rtol * mag + setup.atol


def _first_verdict(a: FloatArray, est: Estimate, setup: _Setup, G: float,
                   bar_max: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(conclusive pass, conclusive fail) after the first estimate; the rest is refined.

    A pass needs the discrepancy within the allowance, an informative error bar, and
    one-sided differences that agree (no kink suspected). A fail needs the discrepancy beyond
    twice the allowance plus the one-sided disagreement (a kink cannot explain it) and above
    ``sqrt(eps) G`` (the truncation proxy assumes ``|f'''| <= |f''| + |f'|``, which
    fails at e.g. x**3 at 0; such entries are refined instead).
    """
    d = np.abs(a - est.value)
    allow = _allowance(a, est, setup)
    informative = _informative(est, G, bar_max)
    with np.errstate(invalid="ignore"):
        suspect = est.jump > 0.1 * np.maximum(np.abs(est.value), 1e-2 * G) + (
            SAFETY * est.jump_noise
        )
        # beyond any kink, and not a sliver of the scale the truncation proxy may have missed
        failing = (d > 2.0 * (allow + est.jump)) & (d > math.sqrt(setup.eps_f) * G)
    return (d <= allow) & informative & ~suspect, failing


def _final_status(a: FloatArray, est: Estimate, setup: _Setup, G: float,
                  bar_max: float = 0.0) -> np.ndarray:
    d = np.abs(a - est.value)
    status = np.full(a.shape, Status.PASS, np.int8)
    status[~_informative(est, G, bar_max)] = Status.NOISY
    status[d > _allowance(a, est, setup)] = Status.FAIL
    status[est.kink] = Status.KINK
    status[~np.isfinite(a)] = Status.NONFINITE
    return status


def _confirm_failures(probe: Probe, setup: _Setup, pi: int, a: FloatArray, est: Estimate,
                      status: np.ndarray) -> None:
    """Re-measure failing entries at a quarter of the step; only confirmed ones stay failures.

    A real error persists at a smaller step, and the two estimates agree with each other. Many
    small kinks inside the stencil (a float32 ReLU network over many samples) can mimic a
    smooth function at one step, but the estimate then moves with the step (status kink);
    where the estimates agree but the quarter step's wider error bar cannot confirm the
    failure, the entry is noisy (inconclusive).
    """
    idx = np.flatnonzero(status == Status.FAIL)
    if idx.size == 0:
        return
    x = setup.base[pi][idx]
    h = st.steps(x, "central") / 4.0
    vals = np.stack([st.offset(x, h, 1.0), st.offset(x, h, -1.0)])
    F = _eval(probe, setup, pi, idx, vals, "confirmation at a quarter step")
    q = central(setup.f0, F[0], F[1], st.taken(x, vals[0]), st.taken(x, vals[1]),
                1.0, setup.eps_f, setup.sigma)
    d = np.abs(a[idx] - est.value[idx])
    bar = est.error_bar[idx]
    mag = np.maximum(np.abs(a[idx]), np.abs(q.value))
    still = np.abs(a[idx] - q.value) > (
        SAFETY * (q.error_bar + bar / 16.0) + setup.rtol * mag + setup.atol
    )
    agree = np.abs(est.value[idx] - q.value) <= 0.25 * d + bar + q.error_bar
    status[idx[~agree]] = Status.KINK  # the estimate moves with the step: not smooth there
    status[idx[agree & ~still]] = Status.NOISY  # the smaller step is too noisy to confirm


def _merge(est: Estimate, idx: IntArray, new: Estimate) -> Estimate:
    fields = {}
    for name in ("value", "error_bar", "jump", "jump_noise", "kink"):
        arr = getattr(est, name).copy()
        arr[idx] = getattr(new, name)
        fields[name] = arr
    return Estimate(**fields)


def _scale(analytic: Sequence[FloatArray | None], ests: Sequence[Estimate | None]) -> float:
    """G: the largest finite |entry| of the analytic and numeric gradients.

    Where the whole gradient is indistinguishable from 0 (G within 3 error bars: a flat
    function, an exact minimum), no entry is 'noisy' relative to it; `_informative` then
    uses an infinite scale, and the entries are judged by their allowance alone.
    """
    G = 0.0
    for a, e in zip(analytic, ests, strict=True):
        for arr in (a, None if e is None else e.value):
            if arr is not None and arr.size:
                G = max(G, float(np.max(np.abs(arr[np.isfinite(arr)]), initial=0.0)))
    return G


def _informative(est: Estimate, G: float, bar_max: float) -> np.ndarray:
    """Entries whose error bar is small enough, relative to G, to say something."""
    largest = G
    if largest <= SAFETY * bar_max:
        return np.ones(est.error_bar.shape, bool)
    return SAFETY * est.error_bar <= INFORMATIVE * largest


def _bar_max(ests: Sequence[Estimate | None]) -> float:
    bars = [float(np.max(e.error_bar, initial=0.0)) for e in ests if e is not None]
    return max(bars, default=0.0)


# ---------------------------------------------------------------------------------------------
# Random directions
# ---------------------------------------------------------------------------------------------


def _points(setup: _Setup, V: FloatArray, steps_: Sequence[float]
            ) -> tuple[list[list[np.ndarray]], FloatArray]:
    """Whole-parameter points ``x + s v`` for each direction row of V and each step s.

    Parameters
    ----------
    V : ndarray, shape (n, P)
        Directions over the flattened parameters (float64).
    steps_ : sequence of float
        Signed step lengths.

    Returns
    -------
    points : list of list of ndarray
        ``n * len(steps_)`` points (direction-major), each one array per parameter, rounded
        to the parameter's dtype.
    taken : ndarray, shape (n * len(steps_), P)
        The offsets actually taken, in float64.
    """
    n = V.shape[0] * len(steps_)
    X = (setup.flat[None, None, :] + np.asarray(steps_)[None, :, None] * V[:, None, :])
    X = X.reshape(n, setup.flat.size)
    if all(dt == np.float64 for dt in setup.structure.dtypes):  # no rounding to a dtype
        taken = X - setup.flat
        per_param = [X[:, lo:hi].reshape(n, *shape)
                     for (lo, hi), shape in zip(setup.slices, setup.structure.shapes, strict=True)]
    else:
        taken = np.empty_like(X)
        per_param = []
        for (lo, hi), dt, shape in zip(setup.slices, setup.structure.dtypes,
                                       setup.structure.shapes, strict=True):
            Xp = X[:, lo:hi].astype(dt)
            taken[:, lo:hi] = Xp - setup.flat[lo:hi]
            per_param.append(Xp.reshape(n, *shape))
    return [[xp[i] for xp in per_param] for i in range(n)], taken


def _eval_points(probe: Probe, points: list[list[np.ndarray]], what: str) -> FloatArray:
    vals = probe.points(points)
    bad = ~np.isfinite(vals)
    if bad.any():
        raise OutputError(
            f"f returned {vals[np.argmax(bad)]} at a point moved along a random direction "
            f"({what}): the stencil leaves f's domain or overflows near the given params."
        )
    return vals


def _random_directions(setup: _Setup, rng: np.random.Generator, K: int,
                       use: Sequence[bool]) -> FloatArray:
    """K random +-1 directions scaled per entry by ``max(|x|, 1)``; zero where not ``use``."""
    signs = rng.integers(0, 2, size=(K, setup.flat.size), dtype=np.int8) * 2 - 1
    V = signs * np.maximum(np.abs(setup.flat), 1.0)
    for (lo, hi), u in zip(setup.slices, use, strict=True):
        if not u:
            V[:, lo:hi] = 0.0
    return V


def _directional(probe: Probe, setup: _Setup, analytic: list[FloatArray | None], K: int,
                 rng: np.random.Generator, only: int | None) -> tuple[FloatArray, Estimate]:
    """K directional derivatives: analytic ``g . v`` and numeric, with refinement."""
    use = [a is not None and (only is None or only == pi) for pi, a in enumerate(analytic)]
    V = _random_directions(setup, rng, K, use)
    length = float(np.linalg.norm(V[0])) or 1.0
    t = setup.eps_f ** (1 / 3) / length  # a step of eps**(1/3) in parameter space
    g = np.concatenate([np.zeros(hi - lo) if a is None else np.nan_to_num(a.ravel())
                        for a, (lo, hi) in zip(analytic, setup.slices, strict=True)])

    def run(multiples: Sequence[float], sel: IntArray) -> tuple[FloatArray, FloatArray]:
        pts, taken = _points(setup, V[sel], [m * t for m in multiples])
        vals = _eval_points(probe, pts, "random directions")
        shape = (len(sel), len(multiples))
        return vals.reshape(shape).T, (taken @ g).reshape(shape).T

    F, delta = run((1.0, -1.0), np.arange(K))
    a = (delta[0] - delta[1]) / (2.0 * t)
    est = central(setup.f0, F[0], F[1], np.full(K, t), np.full(K, -t), length,
                  setup.eps_f, setup.sigma)
    G = _scale([a], [est])
    ok, bad = _first_verdict(a, est, setup, G)
    pending = np.flatnonzero(~(ok | bad))
    if pending.size:
        F2, _ = run(RICHARDSON_ROWS[2:], pending)
        offsets = np.array(RICHARDSON_ROWS)[:, None] * t * np.ones((1, pending.size))
        ref = three_scale(setup.f0, np.vstack([F[:, pending], F2]), offsets, setup.eps_f,
                          setup.sigma)
        est = _merge(est, pending, ref.central)
    return a, est


# ---------------------------------------------------------------------------------------------
# Complex step
# ---------------------------------------------------------------------------------------------


def _complex_estimates(
    fn: Callable[[Any], Any], arrays: list[np.ndarray], setup: _Setup,
    analytic: list[FloatArray | None], rng: np.random.Generator, probe: Probe,
    executor: Executor | None, chunk_size: int | None,
) -> tuple[list[Estimate | None] | None, str]:
    """Complex-step estimates, or ``None`` and the reason when ``f`` is not complex-safe."""
    structure = setup.structure
    cdtypes = [np.result_type(dt, np.complex64) for dt in structure.dtypes]
    V = _random_directions(setup, rng, 1, [True] * len(setup.base))
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
    pts, _ = _points(setup, V, (t, -t))
    F = _eval_points(probe, pts, "complex-step detection")
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
                 status: np.ndarray, setup: _Setup, probe_kind: str) -> ParamCheck:
    out_shape = shape if probe_kind == "entries" else a.shape
    a_, n_ = a.reshape(out_shape), est.value.reshape(out_shape)
    bar = est.error_bar.reshape(out_shape)
    status = status.reshape(out_shape)
    allow = _allowance(a, est, setup).reshape(out_shape)
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


def _noise(probe: Probe, setup: _Setup, rng: np.random.Generator) -> float:
    """`checks.finite_diff.noise_level` along one random line of 100-ulp steps."""
    V = _random_directions(setup, rng, 1, [True] * len(setup.base))
    for (lo, hi), dt in zip(setup.slices, setup.structure.dtypes, strict=True):
        V[:, lo:hi] *= 100.0 * float(np.finfo(dt).eps)
    points, _ = _points(setup, V, [float(k) for k in range(NOISE_POINTS)])
    return noise_level(_eval_points(probe, points, "noise estimate"))


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
    setup = _Setup(structure, base, flat, slices, f0, eps_f, 0.0, rtol_,
                   0.0 if atol is None else atol)
    setup = replace(setup, sigma=_noise(probe, setup, rng))
    sigma = setup.sigma
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
        G, bar_max = _scale(analytic, ests), _bar_max(ests)
        for pi, (a, est) in enumerate(zip(analytic, ests, strict=True)):
            if a is None or est is None:
                continue
            status = _final_status(a.ravel(), est, setup, G, bar_max)
            if method in ("central", "forward"):
                _confirm_failures(probe, setup, pi, a.ravel(), est, status)
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


def _directional_checks(probe: Probe, setup: _Setup, analytic: list[FloatArray | None], K: int,
                        rng: np.random.Generator, checks: list[ParamCheck | None]) -> None:
    """Fill ``checks``: one joint run over all parameters; per parameter only if it fails."""
    names, shapes = setup.structure.names, setup.structure.shapes
    a, est = _directional(probe, setup, analytic, K, rng, None)
    status = _final_status(a, est, setup, _scale([a], [est]))
    if (status == Status.PASS).all():
        joint = _param_check("all", (), a, est, status, setup, "directions")
        for pi, name in enumerate(names):
            if checks[pi] is None:
                checks[pi] = replace(joint, name=name, shape=shapes[pi])
        return
    for pi, name in enumerate(names):
        if checks[pi] is not None or analytic[pi] is None:
            continue
        a_p, est_p = _directional(probe, setup, analytic, K, rng, pi)
        status_p = _final_status(a_p, est_p, setup, _scale([a_p], [est_p]))
        checks[pi] = _param_check(name, shapes[pi], a_p, est_p, status_p, setup, "directions")


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def check_gradients(
    f: Callable[[Any], Any],
    params: Any,
    grad: Any,
    *,
    method: Method = "auto",
    rtol: float | None = None,
    atol: float | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
    directions: int | None = None,
    chunk_size: int | None = None,
) -> CheckResult:
    """Compare an analytic gradient with finite differences, with error bars and a diagnosis.

    Parameters
    ----------
    f : callable
        ``f(params) -> scalar`` (a float, 0-d or size-1 array), called with the same structure
        as ``params`` (a dict gets a dict with the same keys). Must be deterministic.
    params : ndarray, sequence of ndarray, or dict of name -> ndarray
        Float arrays (float32 or float64; any shape, zero-size included). Never modified.
    grad : callable or arrays
        The analytic gradient: a function called like ``f`` returning the same structure,
        or that structure itself. Each array must have its parameter's shape exactly.
    method : {"auto", "central", "forward", "richardson", "complex", "directional"}
        ``"auto"`` (default): every entry by central differences, refined by Richardson
        extrapolation only where they are not conclusive, for P <= 50,000 parameters; random
        directions above. ``"forward"``: one evaluation per entry, refined where not
        conclusive. ``"richardson"``: steps h, 2h, 4h for every entry (6 evaluations per
        entry). ``"complex"``: the complex step ``Im f(x + ih) / h``, if ``f`` accepts complex
        input (detected; central differences otherwise, and the result says why).
        ``"directional"``: ``directions`` random directions, cost independent of P; it cannot
        locate a single wrong entry among many, only a wrong gradient.
    rtol : float, optional
        Relative slack for the analytic gradient's own rounding; default
        ``sqrt(eps)`` of the least precise dtype among the parameters and f's output
        (1.5e-8 in float64, 3.5e-4 in float32).
    atol : float, optional
        Absolute slack; default 0 (a loss scaled by 1e-8 is checked as strictly).
    seed : int, optional
        Seeds the random directions of the noise estimate and the directional check.
    executor : concurrent.futures.Executor, optional
        Spreads chunks of entries over its workers (e.g. a ``ProcessPoolExecutor``, or
        ``dask.distributed.Client(...).get_executor()``); ``f`` must then be picklable.
        Verdicts are the same as in one process.
    directions : int, optional
        Number of random directions for ``method="directional"`` (default 8).
    chunk_size : int, optional
        Entries per executor task.

    Returns
    -------
    CheckResult
        ``.verdict`` ("pass", "fail" or "inconclusive"), one `ParamCheck` per parameter, the
        method used and why; ``str(result)`` is the table to paste into a bug report.

    Raises
    ------
    TypeError
        Integer (or other non-float) parameters, ``params`` of an unsupported kind, a
        ``grad`` container of another kind than ``params``, non-callable ``f``.
    ValueError
        An unknown ``method``, negative tolerances, empty ``params``.
    OutputError
        ``f`` returns NaN or inf (at the point or inside the stencil), a non-scalar, or
        different values for the same input. Exceptions raised by ``f`` itself propagate
        unchanged.

    Notes
    -----
    Verdict per entry: ``|analytic - numeric| <= 3 x error bar + rtol x max(|analytic|,
    |numeric|) + atol`` passes. The error bar is round-off (``f``'s measured noise and
    rounding over the step) plus truncation (estimated from the one-sided differences, and by
    Richardson from steps 2h and 4h for entries not decided by the first estimate). Where the
    one-sided differences disagree in a way no smooth function explains (ReLU, abs or max at
    a kink inside the stencil), the entry is "inconclusive" (status ``kink?``), never a
    failure and never a silent pass. Steps are ``eps**(1/3) max(|x|, 1)`` per entry (see
    `checks.steps`), rounded to the parameter's dtype: ``f`` never sees another dtype, except
    with ``method="complex"``, which by definition calls it with complex arrays.

    Spreading the finite differences over processes, or over a cluster (``f`` and ``grad``
    must then be picklable: module-level functions, not lambdas)::

        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=4) as pool:
            result = check_gradients(loss, params, grad, executor=pool)

        from dask.distributed import Client
        client = Client("tcp://scheduler:8786")
        result = check_gradients(loss, params, grad, executor=client.get_executor())

    Each task evaluates a chunk of entries on its own copy of the parameters; the verdicts
    are those of a run in one process.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[1.0, -2.0], [0.5, 3.0]])
    >>> f = lambda W: np.sum(np.sin(W))
    >>> print(check_gradients(f, W, np.cos).verdict)
    pass
    >>> r = check_gradients(f, W, lambda W: 2 * np.cos(W))
    >>> print(r.verdict, r.params[0].diagnosis.kind, round(r.params[0].diagnosis.factor, 6))
    fail factor 2.0
    """
    structure, originals = normalise_params(params)
    method = _check_method(method)  # type: ignore[assignment]
    rtol_, atol_ = _check_tol(rtol, "rtol"), _check_tol(atol, "atol")
    directions_ = _check_count(directions, "directions")
    chunk_ = _check_count(chunk_size, "chunk_size")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise TypeError(f"seed must be an int or None, got {seed!r}.")
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}."
        )
    arrays = private_copies(originals)
    arg = structure.build(arrays)
    fn, f0, out_eps = _validated_f(f, arg)
    analytic, problems = _analytic(grad, structure, arrays)
    probe = BlackBox(fn, structure, arrays, executor, chunk_)
    result = run_check(
        probe, structure, arrays, f0, out_eps, analytic, problems, method=method,
        rtol=rtol_, atol=atol_, seed=seed, directions=directions_, complex_fn=fn,
        executor=executor, chunk_size=chunk_,
    )
    _after(fn, arg, f0, structure, arrays, originals)
    return _with_evaluations(result, result.evaluations + 3)


def _after(fn: Callable[[Any], Any], arg: Any, f0: float, structure: Structure,
           arrays: list[np.ndarray], originals: list[np.ndarray]) -> None:
    """``f`` unchanged at the point (no hidden state) and its input not written to."""
    for name, a, o in zip(structure.names, arrays, originals, strict=True):
        if a.tobytes() != np.ascontiguousarray(o).tobytes():
            raise OutputError(
                f"f wrote into its input {name}: the checker's copy changed during the check. "
                "f must not modify the parameters it is given."
            )
    again = float(np.asarray(fn(arg)))
    if again != f0:
        raise OutputError(
            f"f is not deterministic: at the same params it returned {f0!r} before the "
            f"check and {again!r} after it (does f keep state between calls?)."
        )


def _with_evaluations(result: CheckResult, n: int) -> CheckResult:
    return replace(result, evaluations=n)


def assert_gradients(
    f: Callable[[Any], Any],
    params: Any,
    grad: Any,
    *,
    allow_inconclusive: bool = True,
    **kwargs: Any,
) -> CheckResult:
    """`check_gradients`, raising `GradientMismatch` (an AssertionError) when it fails.

    Parameters
    ----------
    f, params, grad, **kwargs
        As in `check_gradients`.
    allow_inconclusive : bool
        If False, an "inconclusive" verdict (kinks, noisy entries) raises too.

    Returns
    -------
    CheckResult
        When the check passes (or is inconclusive and that is allowed).

    Raises
    ------
    GradientMismatch
        With ``str(result)`` as its message and the result as ``.result``.

    Examples
    --------
    >>> import numpy as np
    >>> _ = assert_gradients(lambda x: float(x @ x), np.arange(3.0), lambda x: 2 * x)
    """
    result = check_gradients(f, params, grad, **kwargs)
    if result.verdict == Verdict.FAIL or (
        not allow_inconclusive and result.verdict == Verdict.INCONCLUSIVE
    ):
        raise GradientMismatch(str(result), result=result)
    return result
