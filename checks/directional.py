"""Random directions: whole-parameter points along them and directional derivatives.

The directional check compares ``g . v`` with central differences of ``f`` along K random
directions v (+-1 per entry, scaled by ``max(|x|, 1)``), at steps of length ``eps**(1/3)`` in
parameter space: its cost does not depend on P. The same points serve the noise estimate and
the complex-step detection.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from checks._types import FloatArray, IntArray, Status
from checks.finite_diff import MULTIPLES, Estimate, OutputError, Probe, central, three_scale
from checks.verdict import (
    Setup,
    bar_max_of,
    confirmation,
    final_status,
    first_verdict,
    gradient_scale,
    merge,
    select,
)

DEFAULT_DIRECTIONS = 8


def points_along(setup: Setup, V: FloatArray, steps_: Sequence[float]
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


def eval_points(probe: Probe, points: list[list[np.ndarray]], what: str) -> FloatArray:
    """``f`` at whole-parameter points; an `OutputError` naming ``what`` if any is not finite."""
    vals = probe.points(points)
    bad = ~np.isfinite(vals)
    if bad.any():
        raise OutputError(
            f"f returned {vals[np.argmax(bad)]} at a point moved along a random direction "
            f"({what}): the stencil leaves f's domain or overflows near the given params."
        )
    return vals


def random_directions(setup: Setup, rng: np.random.Generator, K: int,
                       use: Sequence[bool]) -> FloatArray:
    """K random +-1 directions scaled per entry by ``max(|x|, 1)``; zero where not ``use``."""
    signs = rng.integers(0, 2, size=(K, setup.flat.size), dtype=np.int8) * 2 - 1
    V = signs * np.maximum(np.abs(setup.flat), 1.0)
    for (lo, hi), u in zip(setup.slices, use, strict=True):
        if not u:
            V[:, lo:hi] = 0.0
    return V


def directional_derivatives(
    probe: Probe, setup: Setup, analytic: list[FloatArray | None], K: int,
    rng: np.random.Generator, only: int | None,
) -> tuple[FloatArray, Estimate, np.ndarray]:
    """K directional derivatives: analytic ``g . v``, numeric (refined), and their statuses.

    Returns
    -------
    a : ndarray, shape (K,)
        ``g . v`` along the offsets actually taken.
    est : Estimate
        Central differences, refined at 2t and 4t where not conclusive.
    status : ndarray of int8, shape (K,)
        `checks.verdict.final_status`; failing directions are re-measured at a quarter of
        the step and stay failures only if confirmed (`checks.verdict.confirmation`): many
        kinks along a direction (a float32 ReLU network) can mimic a smooth function at one
        step, but not at two.
    """
    use = [a is not None and (only is None or only == pi) for pi, a in enumerate(analytic)]
    V = random_directions(setup, rng, K, use)
    length = float(np.linalg.norm(V[0])) or 1.0
    t = setup.eps_f ** (1 / 3) / length  # a step of eps**(1/3) in parameter space
    g = np.concatenate([np.zeros(hi - lo) if a is None else np.nan_to_num(a.ravel())
                        for a, (lo, hi) in zip(analytic, setup.slices, strict=True)])

    def run(multiples: Sequence[float], sel: IntArray) -> tuple[FloatArray, FloatArray]:
        pts, taken = points_along(setup, V[sel], [m * t for m in multiples])
        vals = eval_points(probe, pts, "random directions")
        shape = (len(sel), len(multiples))
        return vals.reshape(shape).T, (taken @ g).reshape(shape).T

    F, delta = run((1.0, -1.0), np.arange(K))
    a = (delta[0] - delta[1]) / (2.0 * t)
    est = central(setup.f0, F[0], F[1], np.full(K, t), np.full(K, -t), length,
                  setup.eps_f, setup.sigma)
    G = gradient_scale([a], [est])
    ok, bad = first_verdict(a, est, setup, G, bar_max_of([est]))
    pending = np.flatnonzero(~(ok | bad))
    if pending.size:
        F2, _ = run(MULTIPLES[2:], pending)
        offsets = np.array(MULTIPLES)[:, None] * t * np.ones((1, pending.size))
        ref = three_scale(setup.f0, np.vstack([F[:, pending], F2]), offsets, setup.eps_f,
                          setup.sigma)
        est = merge(est, pending, ref.central)
    status = final_status(a, est, setup, gradient_scale([a], [est]), bar_max_of([est]))
    failing = np.flatnonzero(status == Status.FAIL)
    if failing.size:
        # steps t/4 and t/2, with t already known: the three-scale estimate at t/4 (its
        # Richardson error bar, not central differences' heuristic one)
        Fq, delta_q = run((0.25, -0.25, 0.5, -0.5), failing)
        a_q = (delta_q[0] - delta_q[1]) / (0.5 * t)
        offsets = np.array(MULTIPLES)[:, None] * (t / 4.0) * np.ones((1, failing.size))
        q = three_scale(setup.f0, np.vstack([Fq, F[:, failing]]), offsets, setup.eps_f,
                        setup.sigma).central
        confirmation(a[failing], select(est, failing), a_q, q, setup, status, failing)
    return a, est, status
