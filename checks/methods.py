"""The finite-difference methods: one object per method, in one table, `FD_METHODS`.

`checks.engine.run_check` knows no method by name. It asks the method object for the step
that sets the reach of the noise estimate, then for a judgement of every parameter; the
default judgement (`FDMethod.judge`) takes the method's first estimate of every entry,
refines the entries it leaves undecided with the method's `refinements`, and confirms each
failure with the method's `confirm` at a smaller step. A method with another plan
(`Directional`: random directions, not entries) overrides `judge`.

=========== ===================== ===== ================================================
method      step                  cost  undecided entries / failures
=========== ===================== ===== ================================================
forward     eps**(1/2) max(|x|,1) 1     central, then steps 2h and 4h / central at h/4
central     eps**(1/3) max(|x|,1) 2     steps 2h and 4h (Richardson) / central at h/4
richardson  eps**(1/6) max(|x|,1) 6     none: already h, 2h, 4h / Richardson at h/4
complex     eps**2 max(|x|,1)     1     none: no subtraction, so no round-off
directional eps**(1/3) along v    2/v   steps 2t and 4t / steps t/4 and t/2
auto        central up to 50,000 entries, directional above
=========== ===================== ===== ================================================

The step balances truncation (grows with h) against round-off (``eps |f| / h``): forward
differences err by ``h f''``, central by ``h**2 f'''``, Richardson's extrapolation by
``h**6``; the complex step has no subtraction, so nothing to balance. ``cost`` is the number
of evaluations of ``f`` per entry of the first estimate.

Adding a method is one class and one row of `FD_METHODS` in this module, plus its test:
`checks.METHODS`, ``check_gradients(method=...)``, the pytest plugin's ``--gradcheck-method``
and `checks.step_error_curve` all read the table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from checks import steps as st
from checks._types import FloatArray, IntArray, Status
from checks.directional import (
    DEFAULT_DIRECTIONS,
    directional_derivatives,
    eval_points,
    points_along,
    random_directions,
)
from checks.finite_diff import (
    MULTIPLES,
    BlackBox,
    Estimate,
    OutputError,
    Probe,
    Refined,
    central,
    complex_step,
    forward,
    three_scale,
)
from checks.verdict import (
    SAFETY,
    Setup,
    bar_max_of,
    confirmation,
    final_status,
    first_verdict,
    gradient_scale,
    merge,
    select,
)

if TYPE_CHECKING:
    from checks.config import CheckConfig
    from checks.engine import Target

CENTRAL_EXPONENT = 1 / 3
"""Step exponent of central differences (and of the refinements built on them)."""


@dataclass(frozen=True, eq=False)
class Context:
    """What a method needs to judge: the probe, the point, the analytic gradient, the config."""

    probe: Probe
    setup: Setup
    target: Target
    config: CheckConfig
    rng: np.random.Generator

    def eval(self, pi: int, idx: IntArray, values: np.ndarray, what: str) -> np.ndarray:
        """``f`` with entry ``idx[k]`` of parameter ``pi`` at ``values[j, k]``; finite or raise."""
        out = self.probe.entries(pi, idx, values)
        finite_or_raise(out, self.setup, pi, idx, values, what)
        return out


def finite_or_raise(vals: np.ndarray, setup: Setup, pi: int, idx: IntArray,
                    points: np.ndarray, what: str) -> None:
    """`OutputError` naming the entry and the point where ``f`` returned NaN or inf."""
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


@dataclass(frozen=True, eq=False)
class Measured:
    """An estimate of n entries and, when it has them, ``f`` at ``x +- h`` of the central step.

    ``rows`` (shape (2, n)) lets the three-scale refinement reuse the two evaluations.
    """

    est: Estimate
    rows: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Judged:
    """One parameter's values and statuses after a method has judged it."""

    analytic: FloatArray
    est: Estimate
    status: np.ndarray
    probe: Literal["entries", "directions"] = "entries"


# ---------------------------------------------------------------------------------------------
# Stencils shared by several methods
# ---------------------------------------------------------------------------------------------


def central_at(ctx: Context, pi: int, idx: IntArray, h: FloatArray, what: str) -> Measured:
    """Central differences of entries ``idx`` at steps ``h``, with the rows f(x+h), f(x-h)."""
    x, setup = ctx.setup.base[pi][idx], ctx.setup
    vals = np.stack([st.offset(x, h, 1.0), st.offset(x, h, -1.0)])
    F = ctx.eval(pi, idx, vals, what)
    est = central(setup.f0, F[0], F[1], st.taken(x, vals[0]), st.taken(x, vals[1]), 1.0,
                  setup.eps_f, setup.sigma)
    return Measured(est, F)


def three_scale_at(ctx: Context, pi: int, idx: IntArray, h: FloatArray, what: str,
                   first: np.ndarray | None = None) -> Refined:
    """Rows +h, -h, +2h, -2h, +4h, -4h; ``first`` holds already evaluated +h, -h rows."""
    x, setup = ctx.setup.base[pi][idx], ctx.setup
    vals = np.stack([st.offset(x, h, m) for m in MULTIPLES])
    F = ctx.eval(pi, idx, vals[2:] if first is not None else vals, what)
    if first is not None:
        F = np.vstack([first, F])
    offsets = vals.astype(np.float64) - x.astype(np.float64)
    return three_scale(setup.f0, F, offsets, setup.eps_f, setup.sigma)


def refine_central(ctx: Context, pi: int, idx: IntArray, prev: np.ndarray | None) -> Measured:
    """Refinement stage: central differences at the central step."""
    h = st.steps(ctx.setup.base[pi][idx], CENTRAL_EXPONENT)
    return central_at(ctx, pi, idx, h, "central differences")


def refine_three_scale(ctx: Context, pi: int, idx: IntArray, prev: np.ndarray | None
                       ) -> Measured:
    """Refinement stage: steps 2h and 4h added to the central step h, Richardson's error bar."""
    h = st.steps(ctx.setup.base[pi][idx], CENTRAL_EXPONENT)
    return Measured(three_scale_at(ctx, pi, idx, h, "Richardson refinement", prev).central)


Stage = Callable[[Context, int, IntArray, "np.ndarray | None"], Measured]
"""A refinement: (context, parameter, entries, rows of the previous stage) -> estimate."""


# ---------------------------------------------------------------------------------------------
# The methods
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FDMethod:
    """A finite-difference method: its step, its estimate, its refinement, its confirmation.

    Attributes
    ----------
    name : str
        What ``check_gradients(method=...)`` takes.
    label : str
        For plots and tables (`checks.step_error_curve`).
    exponent : float
        The step is ``eps**exponent * max(|x|, 1)`` (`checks.steps`).
    cost : int
        Evaluations of ``f`` per entry for the first estimate.
    refinements : tuple of Stage
        Applied in turn to the entries the previous estimate left undecided.
    noise_exponent : float
        Step exponent of the stencil's outermost reach, where ``f``'s noise is measured.
    """

    name: str
    label: str
    exponent: float
    cost: int
    refinements: tuple[Stage, ...] = ()
    noise_exponent: float = CENTRAL_EXPONENT
    entrywise: ClassVar[bool] = True
    """Estimates single entries at a given step (`measure`); False for directions, auto."""

    def resolve(self, n_entries: int, full_limit: int) -> tuple[FDMethod, str]:
        """The method that runs for P = ``n_entries``, and the note that says why."""
        return self, f"chosen by the caller, P = {n_entries:,}"

    def prepare(self, ctx: Context, note: str) -> tuple[FDMethod, str]:
        """Last look before the estimates (e.g. is ``f`` complex-safe?); may fall back."""
        return self, note

    def measure(self, ctx: Context, pi: int, idx: IntArray, h: FloatArray) -> Measured:
        """The method's estimate of entries ``idx`` of parameter ``pi`` at steps ``h``."""
        raise NotImplementedError

    def first(self, ctx: Context, pi: int, idx: IntArray) -> Measured:
        """The first estimate, at the method's own step."""
        return self.measure(ctx, pi, idx, st.steps(ctx.setup.base[pi][idx], self.exponent))

    def confirm(self, ctx: Context, pi: int, idx: IntArray) -> Estimate | None:
        """Failing entries re-measured at a quarter of the central step (None: no re-measure).

        A real error persists at a smaller step; a kink moves the estimate
        (`checks.verdict.confirmation`).
        """
        h = st.steps(ctx.setup.base[pi][idx], CENTRAL_EXPONENT) / 4.0
        return central_at(ctx, pi, idx, h, "confirmation at a quarter step").est

    def judge(self, ctx: Context) -> list[Judged | None]:
        """Every comparable parameter entry by entry: estimate, refine, status, confirm."""
        analytic = ctx.target.analytic
        firsts = [None if a is None else self.first(ctx, pi, np.arange(a.size))
                  for pi, a in enumerate(analytic)]
        ests = [None if m is None else m.est for m in firsts]
        if self.refinements:
            G, bar_max = gradient_scale(analytic, ests), bar_max_of(ests)
            for pi, (a, m) in enumerate(zip(analytic, firsts, strict=True)):
                if a is not None and m is not None and a.size:
                    ests[pi] = self._refine(ctx, pi, a.ravel(), m, G, bar_max)
        G, bar_max = gradient_scale(analytic, ests), bar_max_of(ests)
        out: list[Judged | None] = []
        for pi, (a, est) in enumerate(zip(analytic, ests, strict=True)):
            if a is None or est is None:
                out.append(None)
                continue
            flat = a.ravel()
            status = final_status(flat, est, ctx.setup, G, bar_max)
            failing = np.flatnonzero(status == Status.FAIL)
            if failing.size:
                q = self.confirm(ctx, pi, failing)
                if q is not None:
                    confirmation(flat[failing], select(est, failing), flat[failing], q,
                                 ctx.setup, status, failing)
            out.append(Judged(flat, est, status))
        return out

    def _refine(self, ctx: Context, pi: int, flat: FloatArray, m: Measured, G: float,
                bar_max: float) -> Estimate:
        est, rows = m.est, m.rows
        pending = np.arange(flat.size)
        for stage in self.refinements:
            ok, bad = first_verdict(flat[pending], select(est, pending), ctx.setup, G, bar_max)
            keep = ~(ok | bad) & np.isfinite(flat[pending])
            pending = pending[keep]
            if pending.size == 0:
                break
            nxt = stage(ctx, pi, pending, None if rows is None else rows[:, keep])
            est, rows = merge(est, pending, nxt.est), nxt.rows
        return est


@dataclass(frozen=True)
class Forward(FDMethod):
    """``(f(x + h) - f(x)) / h``: one evaluation per entry, refined where not conclusive."""

    def measure(self, ctx: Context, pi: int, idx: IntArray, h: FloatArray) -> Measured:
        """Forward differences; the truncation bar assumes ``|f''| <= G / max(|x|, 1)``."""
        x, setup = ctx.setup.base[pi][idx], ctx.setup
        xp = st.offset(x, h, 1.0)
        Fp = ctx.eval(pi, idx, xp[None], "forward differences")
        G = gradient_scale(ctx.target.analytic, [None] * len(ctx.target.analytic))
        return Measured(forward(setup.f0, Fp[0], st.taken(x, xp), st.entry_scale(x), G,
                                setup.eps_f, setup.sigma))


@dataclass(frozen=True)
class Central(FDMethod):
    """``(f(x + h) - f(x - h)) / 2h``, refined at 2h and 4h where not conclusive."""

    def measure(self, ctx: Context, pi: int, idx: IntArray, h: FloatArray) -> Measured:
        """Central differences with their rows (reused by the three-scale refinement)."""
        return central_at(ctx, pi, idx, h, "central differences")


@dataclass(frozen=True)
class Richardson(FDMethod):
    """Central differences at h, 2h, 4h extrapolated to O(h**6), for every entry."""

    def measure(self, ctx: Context, pi: int, idx: IntArray, h: FloatArray) -> Measured:
        """Richardson's extrapolation with its own error bar and the kink test."""
        return Measured(three_scale_at(ctx, pi, idx, h, "Richardson refinement").richardson)

    def confirm(self, ctx: Context, pi: int, idx: IntArray) -> Estimate | None:
        """Richardson again at a quarter of its own step: the errors it alone resolves."""
        h = st.steps(ctx.setup.base[pi][idx], self.exponent) / 4.0
        return three_scale_at(ctx, pi, idx, h, "confirmation at a quarter step").richardson


@dataclass(frozen=True)
class ComplexStep(FDMethod):
    """``Im f(x + i h) / h``, if ``f`` accepts complex input (detected; else central)."""

    def prepare(self, ctx: Context, note: str) -> tuple[FDMethod, str]:
        """Central differences instead when ``f`` is not complex-safe, with the reason."""
        reason = _complex_unusable(ctx, self.exponent)
        if reason is None:
            return self, note
        return FD_METHODS["central"], (f"complex step not usable: {reason}; fell back to "
                                       "central differences")

    def measure(self, ctx: Context, pi: int, idx: IntArray, h: FloatArray) -> Measured:
        """The complex step on the checker's complex copies of the parameters."""
        fn, setup, structure = ctx.target.complex_fn, ctx.setup, ctx.setup.structure
        assert fn is not None  # prepare() fell back otherwise
        cdtypes = [np.result_type(dt, np.complex64) for dt in structure.dtypes]
        cprobe = BlackBox(fn, structure,
                          [a.astype(c) for a, c in zip(ctx.target.arrays, cdtypes, strict=True)],
                          ctx.config.executor, ctx.config.chunk_size)
        x = setup.base[pi][idx]
        vals = (x.astype(cdtypes[pi]) + 1j * h.astype(cdtypes[pi]))[None]
        out = cprobe.entries(pi, idx, vals)
        ctx.probe.evaluations += cprobe.evaluations
        finite_or_raise(out, setup, pi, idx, vals, "complex step")
        return Measured(complex_step(out[0].imag, h, setup.eps_f, abs(setup.f0)))

    def confirm(self, ctx: Context, pi: int, idx: IntArray) -> Estimate | None:
        """None: the complex step has no round-off to confirm against."""
        return None


def _complex_unusable(ctx: Context, exponent: float) -> str | None:
    """Why ``f`` cannot take the complex step, or None: one complex call, two real ones."""
    fn, setup = ctx.target.complex_fn, ctx.setup
    if fn is None:
        return "this probe cannot evaluate f at complex parameters"
    structure = setup.structure
    cdtypes = [np.result_type(dt, np.complex64) for dt in structure.dtypes]
    V = random_directions(setup, ctx.rng, 1, [True] * len(setup.base))
    v = [V[0, lo:hi] for lo, hi in setup.slices]
    length = float(np.linalg.norm(V[0])) or 1.0
    hc = st.base_step(np.dtype(np.float64 if setup.eps_f < 1e-10 else np.float32), exponent)
    point = [(b + 1j * hc * vp).astype(c).reshape(s) for b, vp, c, s in
             zip(setup.base, v, cdtypes, structure.shapes, strict=True)]
    ctx.probe.evaluations += 1
    try:
        out = np.asarray(fn(structure.build(point)))
    except Exception as exc:
        return f"f raised {type(exc).__name__} on complex input ({exc})"
    if out.dtype.kind != "c" or out.imag == 0.0:
        return f"f returned a real {out.dtype} for complex input (abs, max or a cast?)"
    t = setup.eps_f ** CENTRAL_EXPONENT / length
    pts, _ = points_along(setup, V, (t, -t))
    F = eval_points(ctx.probe, pts, "complex-step detection")
    ref = central(setup.f0, F[:1], F[1:], np.array([t]), np.array([-t]), length,
                  setup.eps_f, setup.sigma)
    cs = float(out.imag) / hc
    if abs(cs - ref.value[0]) > SAFETY * ref.error_bar[0] + math.sqrt(setup.eps_f) * abs(cs):
        return (f"Im f(x + i h v) / h = {cs:.6g} disagrees with central differences "
                f"{ref.value[0]:.6g} along the same direction (f is not analytic)")
    return None


@dataclass(frozen=True)
class Directional(FDMethod):
    """``g . v`` against central differences along K random directions: cost independent of P."""

    entrywise: ClassVar[bool] = False

    def prepare(self, ctx: Context, note: str) -> tuple[FDMethod, str]:
        """The note names the number of directions."""
        return self, f"{note}; {ctx.config.directions or DEFAULT_DIRECTIONS} random directions"

    def judge(self, ctx: Context) -> list[Judged | None]:
        """One joint run over all parameters; one run per parameter only if it fails."""
        K = ctx.config.directions or DEFAULT_DIRECTIONS
        analytic = ctx.target.analytic
        a, est, status = directional_derivatives(ctx.probe, ctx.setup, analytic, K, ctx.rng,
                                                 None)
        if (status == Status.PASS).all():
            joint = Judged(a, est, status, "directions")
            return [joint] * len(analytic)
        out: list[Judged | None] = []
        for pi, g in enumerate(analytic):
            if g is None:
                out.append(None)
                continue
            a_p, est_p, status_p = directional_derivatives(ctx.probe, ctx.setup, analytic, K,
                                                           ctx.rng, pi)
            out.append(Judged(a_p, est_p, status_p, "directions"))
        return out


@dataclass(frozen=True)
class Auto(FDMethod):
    """Central differences for every entry up to ``full_limit`` entries, directions above."""

    entrywise: ClassVar[bool] = False

    def resolve(self, n_entries: int, full_limit: int) -> tuple[FDMethod, str]:
        """Central or directional, by P."""
        if n_entries <= full_limit:
            return FD_METHODS["central"], (
                f"auto: P = {n_entries:,}, so every entry by central differences, with "
                "Richardson refinement where they were not conclusive")
        return FD_METHODS["directional"], (
            f"auto: P = {n_entries:,} > {full_limit:,}, so random directions (cost "
            "independent of P); pass method='central' for the entry-by-entry check; a "
            f"single entry wrong by less than ~rtol sqrt(P) = {math.sqrt(n_entries):.0f} rtol "
            "relative can pass them (locate_gradient_errors allows one entry's rtol)")


FD_METHODS: dict[str, FDMethod] = {
    m.name: m
    for m in (
        Auto("auto", "auto", CENTRAL_EXPONENT, 2),
        Forward("forward", "forward differences", 1 / 2, 1,
                (refine_central, refine_three_scale)),
        Central("central", "central differences", CENTRAL_EXPONENT, 2, (refine_three_scale,)),
        Richardson("richardson", "Richardson (central at h, 2h, 4h)", 1 / 6, 6,
                   noise_exponent=1 / 6),
        ComplexStep("complex", "complex step", 2.0, 1),
        Directional("directional", "random directions", CENTRAL_EXPONENT, 2),
    )
}
"""Every method, by name; ``"auto"`` resolves to one of the others."""

METHODS: tuple[str, ...] = tuple(FD_METHODS)
"""The names ``check_gradients(method=...)`` accepts."""

__all__ = ["FD_METHODS", "METHODS", "Context", "FDMethod", "Judged", "Measured"]

