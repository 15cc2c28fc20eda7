"""Locating wrong gradient entries among very many by adaptive group testing.

A random directional derivative (`checks.directional`) over all P entries says "wrong
somewhere" at a cost independent of P. Restricted to a group of entries (the direction is
zero outside it), the same test says whether the group holds a wrong entry. A failing group
is halved: test one half; if it fails, test the other one too (it may hold more); if it
passes, the other half is the one that fails. Every test is the full directional check of
`checks.directional.directional_derivatives` (central differences, Richardson refinement
where undecided, failures confirmed at a quarter step), with the error bars of
`checks.check_gradients`. For k wrong entries that costs ``O(k log2 P)`` tests of a few
evaluations each; located entries are then checked one by one exactly as a full check would.

Resolution: a single wrong entry of relative error r moves a group's directional
derivative by ``r |g_i|`` (per unit step), which must exceed the allowance: ``rtol`` (1.5e-8
in float64) times the group's directional derivative, which grows like ``sqrt(n)`` for n
entries, plus three error bars, whose round-off part is ``f``'s own rounding (``2 eps |f| +
4 sigma``) over the step. Measured on a sum of 1e6 terms: r = 1e-3 is located from the
whole gradient; r = 1e-6 is below f's noise floor (the whole gradient passes; a full check
finds it). ``groups=`` starts from smaller groups, which helps where the ``rtol`` term and
not f's noise is the limit, at one test per passing group.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from checks import steps as st
from checks._types import FloatArray, IntArray, Status, Verdict
from checks.diagnose import diagnose, shape_diagnosis
from checks.directional import directional_derivatives, points_along, random_directions
from checks.finite_diff import MULTIPLES, NOISE_POINTS, OutputError, noise_level
from checks.gradcheck import check_gradients
from checks.methods import CENTRAL_EXPONENT
from checks.result import CheckResult, Diagnosis, ParamCheck
from checks.structure import Structure, normalise_grad, normalise_params, private_copies
from checks.verdict import Setup
from checks.vjp import check_count, check_knobs, check_seed

MAX_REGIONS = 32
"""Default cap on failing groups followed at once (beyond: too many wrong entries to locate)."""


@dataclass
class _SubsetProbe:
    """Evaluates ``f`` with entries ``idx`` of parameter ``pi`` replaced (a `Probe`)."""

    f: Callable[[Any], Any]
    structure: Structure
    arrays: list[np.ndarray]  # private copies, restored after every point
    pi: int
    idx: IntArray
    scale: float = 1.0  # the probe's coordinates are the entries divided by this power of 2
    evaluations: int = 0

    def points(self, points: list[list[np.ndarray]]) -> np.ndarray:
        """``f`` at each point, a one-array list holding the subset's (scaled) values."""
        flat = self.arrays[self.pi].reshape(-1)
        old = flat[self.idx].copy()
        out = []
        try:
            for p in points:
                flat[self.idx] = p[0] * self.scale
                out.append(float(np.asarray(self.f(self.structure.build(self.arrays)))))
        finally:
            flat[self.idx] = old
        self.evaluations += len(points)
        return np.asarray(out)

    def entries(self, pi: int, idx: IntArray, values: np.ndarray) -> np.ndarray:
        """Not used by directional tests."""
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


class _Search:
    """The state of one parameter's search: tests run, located entries, open regions."""

    def __init__(self, f: Callable[[Any], Any], structure: Structure, arrays: list[np.ndarray],
                 pi: int, a: FloatArray, setup_all: Setup, rng: np.random.Generator) -> None:
        self.f, self.structure, self.arrays, self.pi = f, structure, arrays, pi
        self.a, self.setup_all, self.rng = a, setup_all, rng
        self.base = arrays[pi].reshape(-1).copy()
        self.tests = 0
        self.evaluations = 0

    def test(self, idx: IntArray) -> int:
        """Status of one random direction restricted to entries ``idx``.

        The directional check steps ``eps**(1/3)`` in parameter space, about
        ``eps**(1/3) / sqrt(n)`` per entry over n entries: at n = 1e6, round-off then
        swamps a 1e-3 error in one entry. The test runs in coordinates ``y = x / c`` (c a
        power of 2: exact in binary), which makes the step per entry ``c`` times larger.
        ``c`` balances round-off (``nu / t``, with ``nu = 2 eps |f| + 4 sigma`` the
        rounding bound of one value of f) against truncation along a random-sign direction
        (``~ t^2 sqrt(n)``): ``t ~ (nu / sqrt(n))**(1/3)``, never more than the entry-wise
        check's own step (``c <= sqrt(n)``). Richardson's refinement measures what is left.
        """
        s = self.setup_all
        dt = self.structure.dtypes[self.pi]
        n = idx.size
        nu = 2.0 * s.eps_f * abs(s.f0) + 4.0 * s.sigma
        want = (nu / s.eps_f) ** (1 / 3) * n ** (1 / 3) if s.eps_f > 0 else 1.0
        c = 2.0 ** math.floor(math.log2(min(math.sqrt(n), max(1.0, want))))
        sub = Structure("array", (None,), ("subset",), ((idx.size,),), (dt,))
        y = (self.base[idx] / c).astype(dt)
        setup = Setup(sub, [y.copy()], y.astype(np.float64), ((0, idx.size),), s.f0, s.eps_f,
                      s.sigma, s.rtol, s.atol)
        probe = _SubsetProbe(self.f, self.structure, self.arrays, self.pi, idx, c)
        _, _, status = directional_derivatives(probe, setup, [c * self.a[idx]], 1, self.rng,
                                               None)
        self.tests += 1
        self.evaluations += probe.evaluations
        return int(status[0])


def _noise(f: Callable[[Any], Any], structure: Structure, arrays: list[np.ndarray],
           setup: Setup, rng: np.random.Generator) -> tuple[float, int]:
    """``f``'s rounding noise at the stencil's reach along a random line (as the engine's)."""
    V = random_directions(setup, rng, 1, [True] * len(setup.base))
    along, out = V.copy(), V.copy()
    root_p = math.sqrt(max(setup.flat.size, 1))
    for (lo, hi), dt in zip(setup.slices, structure.dtypes, strict=True):
        along[:, lo:hi] *= 100.0 * float(np.finfo(dt).eps)
        out[:, lo:hi] *= max(MULTIPLES) * st.base_step(dt, CENTRAL_EXPONENT) / root_p
    k = np.arange(NOISE_POINTS, dtype=np.float64)[:, None]
    pts, _ = points_along(setup, out + k * along, [1.0])
    vals = np.array([float(np.asarray(f(structure.build(p)))) for p in pts])
    return noise_level(vals), NOISE_POINTS


def _search(search: _Search, groups: int, max_regions: int, budget: float
            ) -> tuple[list[int], list[IntArray]]:
    """Located entries and the failing regions left open (budget or region cap reached)."""
    size = search.a.size
    starts = [g for g in np.array_split(np.arange(size), min(groups, size)) if g.size]
    stack: list[IntArray] = [g for g in starts if search.test(g) == Status.FAIL]
    located: list[int] = []
    while stack:
        if search.evaluations > budget or len(stack) + len(located) > max_regions:
            break
        S = stack.pop()
        if S.size == 1:
            located.append(int(S[0]))
            continue
        L, R = S[: S.size // 2], S[S.size // 2:]
        if search.test(L) == Status.FAIL:
            stack.append(L)
            if search.test(R) == Status.FAIL:
                stack.append(R)
        else:
            stack.append(R)
    return sorted(located), stack


def _entry_checks(f: Callable[[Any], Any], structure: Structure, originals: list[np.ndarray],
                  pi: int, idx: list[int], a: FloatArray, rtol: float | None,
                  atol: float | None, seed: int) -> tuple[ParamCheck, int]:
    """`checks.check_gradients` of the located entries alone (the others held fixed)."""
    base = private_copies(originals)
    flat_idx = np.asarray(idx)

    def f_sub(y: np.ndarray) -> Any:
        arrays = private_copies(base)
        arrays[pi].reshape(-1)[flat_idx] = y
        return f(structure.build(arrays))

    x = originals[pi].reshape(-1)[flat_idx].copy()
    r = check_gradients(f_sub, x, a[flat_idx], method="central", rtol=rtol, atol=atol,
                        seed=seed)
    return r.params[0], r.evaluations


def _assemble(name: str, shape: tuple[int, ...], a: FloatArray, located: list[int],
              sub: ParamCheck | None, open_regions: list[IntArray]) -> ParamCheck:
    """A full-shape ParamCheck: located entries as checked, the rest cleared by groups."""
    numeric, bar = a.copy(), np.zeros(a.size)
    status = np.full(a.size, Status.PASS, np.int8)
    allow = np.zeros(a.size)
    if sub is not None and sub.numeric is not None:
        idx = np.asarray(located)
        numeric[idx], bar[idx] = sub.numeric, sub.error_bar  # type: ignore[assignment]
        status[idx], allow[idx] = sub.status, sub.allowance  # type: ignore[assignment]
    for region in open_regions:
        status[region] = np.where(status[region] == Status.PASS, Status.NOISY, status[region])
    wrong = (status == Status.FAIL) | (status == Status.NONFINITE)
    verdict = (Verdict.FAIL if wrong.any() or open_regions else
               Verdict.INCONCLUSIVE if (status != Status.PASS).any() else Verdict.PASS)
    decided = (status == Status.PASS) | (status == Status.FAIL)
    diff = np.abs(a - numeric)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff > 0, diff / np.maximum(np.abs(a), np.abs(numeric)), 0.0)
    diagnosis: Diagnosis | None = None
    if open_regions:
        spans = ", ".join(f"[{int(r[0])}..{int(r[-1])}]" for r in open_regions[:3])
        diagnosis = Diagnosis("unexplained", f"{len(open_regions)} groups of flat entries "
                              f"still fail when the search stopped (e.g. {spans}): more wrong "
                              "entries than the search follows; run a full check.")
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
) -> CheckResult:
    """Find the wrong entries of a gradient with many parameters by adaptive group testing.

    Parameters
    ----------
    f, params, grad
        As in `checks.check_gradients` (``grad`` a function or the arrays).
    groups : int
        Each parameter starts as this many contiguous groups of entries (default 1, the
        whole parameter). More groups resolve smaller errors (see the module's notes) at one
        test per passing group.
    rtol, atol
        As in `checks.check_gradients`.
    seed : int, optional
        Seeds the random directions (default 0).
    max_evaluations : int, optional
        Stop halving after this many evaluations of ``f`` per parameter (default: no cap).
    max_regions : int
        Stop when more failing groups than this are open (a wrong factor on every entry is
        not a handful of wrong entries); default 32.

    Returns
    -------
    CheckResult
        Method "group testing". Per parameter a `checks.ParamCheck` of the full shape: the
        located entries checked one by one (status, numeric value and error bar as a full
        check gives them), the entries of passing groups with status "ok", numeric =
        analytic and error bar 0 (they were checked in groups, not one by one). Failing
        groups left open make the parameter fail with a diagnosis naming them.

    Raises
    ------
    TypeError, ValueError, OutputError
        As `checks.check_gradients`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0.1, 2.0, 4096)
    >>> g = np.cos(x)
    >>> g[1234] *= 1.001
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
    arrays = private_copies(originals)
    f0, out_eps = _f0(f, structure.build(arrays))
    value = grad(structure.build(private_copies(arrays))) if callable(grad) else grad
    analytic, problems = normalise_grad(value, structure)
    eps_f = max([float(np.finfo(dt).eps) for dt in structure.dtypes] + [out_eps])
    rtol_ = math.sqrt(eps_f) if rtol is None else rtol
    base = [a.reshape(-1).copy() for a in arrays]
    flat = np.concatenate([b.astype(np.float64) for b in base])
    ends = np.cumsum([b.size for b in base])
    slices = tuple((int(e - b.size), int(e)) for e, b in zip(ends, base, strict=True))
    setup = Setup(structure, base, flat, slices, f0, eps_f, 0.0, rtol_,
                  0.0 if atol is None else atol)
    rng = np.random.default_rng(seed_)
    sigma, evaluations = _noise(f, structure, arrays, setup, rng)
    setup = Setup(structure, base, flat, slices, f0, eps_f, sigma, rtol_, setup.atol)
    checks, tests = [], 0
    by_name = {p.name: p for p in problems if p.kind != "extra"}
    for pi, (name, a) in enumerate(zip(structure.names, analytic, strict=True)):
        if a is None:
            p = by_name[name]
            checks.append(ParamCheck(name, structure.shapes[pi], "entries", Verdict.FAIL, None,
                                     None, None, None, math.nan, math.nan, None, math.nan,
                                     None, shape_diagnosis(p.kind, p.message)))
            continue
        search = _Search(f, structure, arrays, pi, a.ravel(), setup, rng)
        located, open_regions = _search(search, n_groups, regions, budget)
        tests += search.tests
        evaluations += search.evaluations
        sub = None
        if located:
            sub, n = _entry_checks(f, structure, originals, pi, located, a.ravel(), rtol,
                                   atol, seed_)
            evaluations += n
        checks.append(_assemble(name, structure.shapes[pi], a.ravel(), located, sub,
                                open_regions))
    extra = tuple(p.message for p in problems if p.kind == "extra")
    verdict = (Verdict.FAIL if extra or any(c.verdict == Verdict.FAIL for c in checks) else
               Verdict.INCONCLUSIVE if any(c.verdict == Verdict.INCONCLUSIVE for c in checks)
               else Verdict.PASS)
    note = (f"{tests} directional tests on groups of entries, halving the failing ones "
            f"(P = {structure.n_entries:,}, {n_groups} starting groups per parameter); entries "
            "of passing groups show numeric = analytic, error bar 0")
    return CheckResult(verdict, tuple(checks), "group testing", note, rtol_, setup.atol, sigma,
                       evaluations + 1, seed_, extra)
