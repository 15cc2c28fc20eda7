"""The error of each finite-difference method against its step size, with the checker's stencils.

`step_error_curve` evaluates every entry-by-entry method of `checks.methods` at a range of
steps h and compares it with an exact gradient: the classic V of truncation error (falling
with h) meeting round-off (rising as h shrinks), and the complex step's flat floor. The
estimates are the ones `check_gradients` computes (perturbed values rounded to the dtype,
quotients over the offsets actually taken), not a second implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from checks.config import CheckConfig
from checks.engine import Target, make_setup
from checks.finite_diff import BlackBox
from checks.methods import FD_METHODS, Context
from checks.structure import normalise_grad, normalise_params, private_copies


@dataclass(frozen=True)
class StepErrorCurve:
    """One method's error against the step.

    Attributes
    ----------
    method : str
        The name in `checks.METHODS`.
    label : str
        For a plot's legend.
    h : tuple of float
        The steps, absolute (every entry moved by ``h``).
    error : tuple of float
        ``max |estimate - exact| / max |exact|`` over all entries, one per step.
    """

    method: str
    label: str
    h: tuple[float, ...]
    error: tuple[float, ...]


def _check_steps(steps: Any) -> np.ndarray:
    hs = np.asarray(steps, dtype=np.float64).ravel()
    if hs.size == 0 or not np.all(np.isfinite(hs)) or np.any(hs <= 0):
        raise ValueError(f"steps must be a non-empty sequence of finite steps > 0, got {steps!r}.")
    return hs


def _check_methods(methods: Sequence[str] | None) -> tuple[str, ...]:
    entrywise = tuple(name for name, m in FD_METHODS.items() if m.entrywise)
    if methods is None:
        return entrywise
    if isinstance(methods, str):
        raise TypeError(f"methods must be a sequence of names, got the string {methods!r}; "
                        f"pass [{methods!r}].")
    bad = [m for m in methods if m not in entrywise]
    if bad:
        raise ValueError(
            f"methods={list(methods)!r}: {bad[0]!r} is not one of "
            f"{', '.join(repr(m) for m in entrywise)} (the methods that estimate single "
            "entries at a given step)."
        )
    return tuple(methods)


def step_error_curve(
    f: Callable[[Any], Any],
    params: Any,
    exact: Any,
    steps: Sequence[float],
    *,
    methods: Sequence[str] | None = None,
) -> tuple[StepErrorCurve, ...]:
    """Relative error of each finite-difference method at each step h.

    Parameters
    ----------
    f : callable
        ``f(params) -> float``, as for `checks.check_gradients`; for ``"complex"`` it must
        accept complex parameters (plain ``exp``/``log``, no ``abs`` or casts).
    params : ndarray, sequence of ndarray, or dict of name -> ndarray
        The point (float arrays); never modified.
    exact : same structure as ``params``
        The exact gradient there (e.g. from autodiff or a proven formula).
    steps : sequence of float
        Absolute steps h > 0.
    methods : sequence of str, optional
        Names of the entry-by-entry methods of `checks.FD_METHODS` (default: all of them,
        in table order).

    Returns
    -------
    tuple of StepErrorCurve
        One per method, in the order of ``methods``.

    Raises
    ------
    TypeError, ValueError
        Bad ``params``, ``exact`` of another structure or shape, bad steps or method names.

    Examples
    --------
    >>> x = np.array([0.5, -1.0])
    >>> c = step_error_curve(lambda x: np.sum(np.exp(x)), x, np.exp(x), [1e-5],
    ...                      methods=["central"])
    >>> c[0].method, c[0].error[0] < 1e-9
    ('central', True)
    """
    structure, originals = normalise_params(params)
    hs, names = _check_steps(steps), _check_methods(methods)
    analytic, problems = normalise_grad(exact, structure)
    if problems:
        raise ValueError(f"exact does not match params: {problems[0].message}")
    arrays = private_copies(originals)
    f0 = float(f(structure.build(arrays)))
    target = Target(structure=structure, arrays=arrays, f0=f0, out_eps=0.0,
                    analytic=analytic, problems=[], complex_fn=f)
    config = CheckConfig()
    ctx = Context(probe=BlackBox(f, structure, arrays), setup=make_setup(target, config),
                  target=target, config=config, rng=np.random.default_rng(0))
    base = ctx.setup.base
    ref = np.concatenate([a.ravel() for a in analytic if a is not None])
    scale = float(np.max(np.abs(ref), initial=0.0)) or 1.0
    curves = []
    for name in names:
        method = FD_METHODS[name]
        errors = []
        for h in hs:
            est = np.concatenate([
                method.measure(ctx, pi, np.arange(b.size), np.full(b.size, h)).est.value
                for pi, b in enumerate(base)
            ])
            errors.append(float(np.max(np.abs(est - ref), initial=0.0)) / scale)
        curves.append(StepErrorCurve(method=name, label=method.label,
                                     h=tuple(float(h) for h in hs), error=tuple(errors)))
    return tuple(curves)
