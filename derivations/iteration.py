"""Exact runs of gradient descent, SGD and minibatch updates, and what they decide.

Statements about update rules ("the error should decrease", "a learning rate below 0",
"update after every single sample", "take N samples and update after that batch") are
decided here by running the iteration on small functions with exact arithmetic: every
iterate and every loss is a SymPy Rational (or another exact number), so a comparison such
as ``E(w_1) < E(w_0)`` is a fact about the rule, not about rounding. A run may also be
symbolic (a learning rate ``eta``, a start ``w_0``, data ``c_i`` left as symbols): its
iterates are then exact expressions, e.g. one SGD epoch as a function of the rate.

- :func:`step`, :func:`gradient_descent` -- ``w <- w - lr * grad E(w)`` on one loss.
- :func:`minibatch` (and :func:`sgd`, its batch size 1) -- per-sample losses, the gradient
  averaged over each batch, evaluated at the current iterate or (the classic bug) at the
  iterate the epoch started from.
- :func:`contraction_factor`, :func:`rates_where`, :func:`decreasing_rates` -- what a
  learning rate does to a quadratic, solved exactly for the rate.
- :func:`one_sided_derivatives`, :func:`decide_differentiable_at`, :func:`decide_in_interval`,
  :func:`decide_runs_equal`, :func:`decide_step_decreases` -- decisions for verbal statements
  with numbers and for update rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import sympy as sp

from derivations.claim import Counterexample, Decision, Verdict

__all__ = [
    "GradientAt",
    "Run",
    "as_exact",
    "contraction_factor",
    "decide_differentiable_at",
    "decide_in_interval",
    "decide_runs_equal",
    "decide_step_decreases",
    "decreasing_rates",
    "gradient_descent",
    "minibatch",
    "one_sided_derivatives",
    "rates_where",
    "sgd",
    "step",
]

Point = tuple[sp.Expr, ...]
GradientAt = Literal["current", "epoch start"]


def as_exact(value: object, name: str = "value") -> sp.Expr:
    """``value`` as an exact SymPy object: ints, Fractions, decimal strings, SymPy expressions.

    Parameters
    ----------
    value : int, fractions.Fraction, str or sympy.Basic
        ``"0.1"`` becomes ``1/10`` exactly. A SymPy expression without Floats (a Rational,
        ``exp(1)``, or symbols such as a learning rate ``eta``) is kept as it is, so a run
        can be symbolic.
    name : str
        The parameter's name, for the error message.

    Raises
    ------
    TypeError
        For a float (``0.1`` is not 1/10 in binary: pass ``"0.1"`` or ``Rational(1, 10)``)
        or anything that is not a number.

    Examples
    --------
    >>> as_exact("0.1"), as_exact(Fraction(1, 3)), as_exact(2)
    (1/10, 1/3, 2)
    """
    if isinstance(value, (bool, float)):
        raise TypeError(
            f"{name}={value!r} is a {type(value).__name__}; pass an exact number instead "
            f"(an int, a Fraction, a decimal string such as '0.1', or a sympy Rational)"
        )
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, (int, str)):
        return sp.Rational(value)
    if isinstance(value, sp.Basic) and not value.has(sp.Float):
        return value  # an exact number, or an exact symbolic expression (a symbolic run)
    raise TypeError(
        f"{name}={value!r} is not exact (an int, Fraction, str, or sympy object without Floats)"
    )


def _point(start: Iterable[object], params: Sequence[sp.Symbol]) -> Point:
    point = tuple(as_exact(v, "start") for v in start)
    if len(point) != len(params):
        raise ValueError(
            f"start has {len(point)} values but params has {len(params)} symbols "
            f"({', '.join(map(str, params))}); give one start value per parameter"
        )
    return point


def _params(params: Sequence[sp.Symbol]) -> tuple[sp.Symbol, ...]:
    params = tuple(params)
    if not params or not all(isinstance(p, sp.Symbol) for p in params):
        raise TypeError(f"params must be a non-empty sequence of sympy Symbols, got {params!r}")
    return params


def _at(expr: sp.Expr, params: Sequence[sp.Symbol], point: Point) -> sp.Expr:
    return sp.sympify(expr).subs(dict(zip(params, point, strict=True)))


def _gradient(loss: sp.Expr, params: Sequence[sp.Symbol]) -> tuple[sp.Expr, ...]:
    return tuple(sp.diff(loss, p) for p in params)


def step(loss: sp.Expr, params: Sequence[sp.Symbol], point: Iterable[object], lr: object) -> Point:
    """One gradient-descent update ``w - lr * grad E(w)``, exactly.

    Parameters
    ----------
    loss : sympy.Expr
        ``E`` as an expression in ``params`` (data already substituted).
    params : sequence of sympy.Symbol
    point : iterable of exact numbers (or exact symbolic expressions)
        The current iterate, one value per parameter.
    lr : exact number or sympy expression
        The learning rate (a symbol gives the update as a function of the rate).

    Returns
    -------
    tuple of sympy.Expr

    Examples
    --------
    >>> w = sp.Symbol("w", real=True)
    >>> step(w**2, [w], [1], "0.25")     # 1 - (1/4) * 2
    (1/2,)
    """
    params = _params(params)
    here = _point(point, params)
    rate = as_exact(lr, "lr")
    grad = [_at(g, params, here) for g in _gradient(loss, params)]
    return tuple(sp.expand(w - rate * g) for w, g in zip(here, grad, strict=True))


@dataclass(frozen=True)
class Run:
    """An exact run of an update rule.

    Attributes
    ----------
    rule : str
        E.g. ``"gradient descent"``, ``"SGD"``, ``"minibatch (batch 2)"``.
    lr : sympy.Expr
        The learning rate.
    iterates : tuple of tuple of sympy.Expr
        ``w_0, w_1, ...``: the start and the point after each update.
    losses : tuple of sympy.Expr
        The objective (for per-sample losses: their mean) at each iterate.
    """

    rule: str
    lr: sp.Expr
    iterates: tuple[Point, ...]
    losses: tuple[sp.Expr, ...]

    @property
    def final(self) -> Point:
        """The last iterate."""
        return self.iterates[-1]

    def __str__(self) -> str:
        rows = [f"{self.rule}, learning rate {self.lr}: {len(self.iterates) - 1} updates"]
        for k, (w, e) in enumerate(zip(self.iterates, self.losses, strict=True)):
            rows.append(f"  w_{k} = {', '.join(map(str, w))}   E = {e}")
        return "\n".join(rows)


def gradient_descent(
    loss: sp.Expr, params: Sequence[sp.Symbol], start: Iterable[object], lr: object, *,
    steps: int,
) -> Run:
    """Run ``steps`` updates ``w <- w - lr * grad E(w)`` from ``start``, exactly.

    Parameters
    ----------
    loss : sympy.Expr
        ``E`` in ``params``.
    params : sequence of sympy.Symbol
    start : iterable of exact numbers (or exact symbolic expressions)
    lr : exact number (or symbol)
    steps : int
        Number of updates, ``>= 0``.

    Returns
    -------
    Run
        ``steps + 1`` iterates and the loss at each.

    Examples
    --------
    >>> w = sp.Symbol("w", real=True)
    >>> gradient_descent(w**2 / 2, [w], [8], "0.5", steps=3).iterates
    ((8,), (4,), (2,), (1,))
    """
    params = _params(params)
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    rate = as_exact(lr, "lr")
    grad = _gradient(loss, params)
    points = [_point(start, params)]
    for _ in range(steps):
        here = points[-1]
        points.append(tuple(
            w - rate * _at(g, params, here) for w, g in zip(here, grad, strict=True)
        ))
    losses = tuple(_at(loss, params, p) for p in points)
    return Run("gradient descent", rate, tuple(points), losses)


def minibatch(
    sample_losses: Sequence[sp.Expr],
    params: Sequence[sp.Symbol],
    start: Iterable[object],
    lr: object,
    *,
    batch_size: int,
    epochs: int = 1,
    gradient_at: GradientAt = "current",
) -> Run:
    """Minibatch gradient descent over per-sample losses, in order, exactly.

    Each epoch splits the samples into consecutive batches of ``batch_size`` (the last one
    may be smaller) and makes one update per batch with the batch's mean gradient.
    ``batch_size=1`` is stochastic gradient descent, ``batch_size=len(sample_losses)`` is
    ("vanilla") gradient descent on the mean loss.

    Parameters
    ----------
    sample_losses : sequence of sympy.Expr
        ``E_i`` for each sample, in ``params``.
    params : sequence of sympy.Symbol
    start : iterable of exact numbers (or exact symbolic expressions)
    lr : exact number (or symbol)
    batch_size : int
        ``1 <= batch_size <= len(sample_losses)``.
    epochs : int
        Passes over the data, ``>= 1``.
    gradient_at : {"current", "epoch start"}
        Where each batch's gradient is evaluated: at the current iterate (the rule), or at
        the iterate the epoch started from (stale gradients, the wrong iterate).

    Returns
    -------
    Run
        The start and the iterate after every update; losses are the mean of the sample
        losses (the dataset error) at each iterate.

    Examples
    --------
    >>> w = sp.Symbol("w", real=True)
    >>> losses = [(w - 1) ** 2 / 2, (w + 1) ** 2 / 2]
    >>> minibatch(losses, [w], [4], "0.5", batch_size=2).iterates   # one step on the mean
    ((4,), (2,))
    """
    params = _params(params)
    n = len(sample_losses)
    if n == 0:
        raise ValueError("sample_losses is empty; give at least one per-sample loss")
    if not isinstance(batch_size, int) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be an int in 1..{n} (the samples), got {batch_size!r}")
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    if gradient_at not in ("current", "epoch start"):
        raise ValueError(f"gradient_at={gradient_at!r} is not one of 'current', 'epoch start'")
    rate = as_exact(lr, "lr")
    grads = [_gradient(e, params) for e in sample_losses]
    points = [_point(start, params)]
    for _ in range(epochs):
        epoch_start = points[-1]
        for lo in range(0, n, batch_size):
            batch = range(lo, min(lo + batch_size, n))
            here = points[-1]
            at = here if gradient_at == "current" else epoch_start
            mean = [
                sum(_at(grads[i][k], params, at) for i in batch) / len(batch)
                for k in range(len(params))
            ]
            points.append(tuple(w - rate * g for w, g in zip(here, mean, strict=True)))
    objective = sum(sample_losses) / n
    losses = tuple(_at(objective, params, p) for p in points)
    rule = "SGD" if batch_size == 1 else f"minibatch (batch {batch_size} of {n})"
    if gradient_at == "epoch start":
        rule += ", gradients at the epoch start"
    return Run(rule, rate, tuple(points), losses)


def sgd(
    sample_losses: Sequence[sp.Expr],
    params: Sequence[sp.Symbol],
    start: Iterable[object],
    lr: object,
    *,
    epochs: int = 1,
    gradient_at: GradientAt = "current",
) -> Run:
    """Stochastic gradient descent: one update per sample (:func:`minibatch` with batch 1)."""
    return minibatch(sample_losses, params, start, lr, batch_size=1, epochs=epochs,
                     gradient_at=gradient_at)


def contraction_factor(
    loss: sp.Expr, param: sp.Symbol, minimizer: sp.Expr, lr: sp.Symbol
) -> sp.Expr:
    """``(w_1 - c) / (w_0 - c)`` for one gradient step on a loss whose step is affine in ``w``.

    For the quadratic ``a/2 (w - c)^2`` this is ``1 - lr * a``: its sign says whether the step
    overshoots ``c``, its size whether the iteration converges.

    Raises
    ------
    ValueError
        If the ratio depends on ``w`` (the step is not an affine contraction towards ``c``).

    Examples
    --------
    >>> w, c = sp.symbols("w c", real=True)
    >>> a, lr = sp.symbols("a eta", positive=True)
    >>> contraction_factor(a / 2 * (w - c) ** 2, w, c, lr)
    -a*eta + 1
    """
    moved = param - lr * sp.diff(loss, param)
    ratio = sp.factor(sp.cancel((moved - minimizer) / (param - minimizer)))
    if ratio.has(param):
        raise ValueError(
            f"the step on {loss} moves {param} by a ratio that depends on {param} ({ratio}); "
            "contraction_factor needs a loss whose gradient step is affine (a quadratic)"
        )
    return sp.expand(ratio)


def rates_where(condition: sp.Basic, lr: sp.Symbol) -> sp.Set:
    """The positive learning rates satisfying ``condition`` (a relational in ``lr`` only).

    Examples
    --------
    >>> t = sp.Symbol("t", positive=True)
    >>> rates_where(abs(1 - t) < 1, t)
    Interval.open(0, 2)
    """
    solved = sp.solve_univariate_inequality(condition, lr, relational=False)
    return sp.Intersection(solved, sp.Interval.open(0, sp.oo))


def decreasing_rates(loss: sp.Expr, param: sp.Symbol, start: object) -> sp.Set:
    """The learning rates ``lr > 0`` for which one step from ``start`` lowers ``loss``.

    Examples
    --------
    >>> w = sp.Symbol("w", real=True)
    >>> decreasing_rates(w**2, w, 1)     # E = w^2 has curvature 2: rates in (0, 2/2)
    Interval.open(0, 1)
    """
    lr = sp.Symbol("lr", positive=True)
    (moved,) = step(loss, [param], [start], lr)
    before = loss.subs(param, as_exact(start, "start"))
    return rates_where(sp.expand(loss.subs(param, moved)) < before, lr)


def one_sided_derivatives(expr: sp.Expr, var: sp.Symbol, at: object) -> tuple[sp.Expr, sp.Expr]:
    """The left and right derivatives of ``expr`` in ``var`` at ``at``, as exact limits.

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> one_sided_derivatives(abs(x), x, 0)
    (-1, 1)
    """
    h = sp.Symbol("h_step", positive=True)
    point = as_exact(at, "at")
    base = expr.subs(var, point)
    right = sp.limit((expr.subs(var, point + h) - base) / h, h, 0)
    left = sp.limit((base - expr.subs(var, point - h)) / h, h, 0)
    return sp.simplify(left), sp.simplify(right)


def decide_differentiable_at(
    expr: sp.Expr, var: sp.Symbol, at: object, *, what: str
) -> Decision:
    """``PROVEN`` if the left and right derivatives at ``at`` agree, else ``REFUTED``.

    The counterexample shows both one-sided derivatives (exact limits).
    """
    left, right = one_sided_derivatives(expr, var, at)
    if left.is_finite and sp.simplify(left - right) == 0:
        return Decision(
            Verdict.PROVEN,
            f"{what}: left and right derivatives in {var} at {at} are both {left}",
            evidence=("exact one-sided limits",),
        )
    return Decision(
        Verdict.REFUTED,
        f"{what}: at {var} = {at} the left derivative is {left} and the right one is {right}",
        counterexample=Counterexample(
            point={str(var): str(as_exact(at, "at"))},
            stated="one derivative (left = right)",
            correct=f"left = {left}, right = {right}",
        ),
        evidence=("exact one-sided limits",),
    )


def decide_in_interval(values: Sequence[object], interval: sp.Set, *, what: str) -> Decision:
    """``PROVEN`` if every value (exact, e.g. the decimal strings of a document) is in ``interval``.

    Examples
    --------
    >>> decide_in_interval(["0.1", "0.002"], sp.Interval.open(0, 1), what="rates").verdict.value
    'proven'
    """
    exact = [as_exact(v, "values") for v in values]
    for text, v in zip(values, exact, strict=True):
        if not interval.contains(v):
            return Decision(
                Verdict.REFUTED,
                f"{what}: {text} = {v} is not in {interval}",
                counterexample=Counterexample(
                    point={"value": str(text)}, stated=f"in {interval}", correct=f"{v}"
                ),
                evidence=("exact membership test",),
            )
    return Decision(
        Verdict.PROVEN,
        f"{what}: all {len(exact)} values ({min(exact)} to {max(exact)}) lie in {interval}",
        evidence=("exact membership test",),
    )


def decide_runs_equal(first: Run, second: Run, *, what: str) -> Decision:
    """``PROVEN`` if the two runs end at the same iterate, else ``REFUTED`` showing both.

    Notes
    -----
    Runs with different numbers of updates are compared by their final iterates: one epoch
    of SGD (N updates) against one step of gradient descent is the comparison that matters.
    """
    diffs = [sp.simplify(p - q) for p, q in zip(first.final, second.final, strict=True)]
    if all(d == 0 for d in diffs):
        return Decision(
            Verdict.PROVEN,
            f"{what}: {first.rule} and {second.rule} both end at w = {first.final}",
            evidence=(str(first), str(second)),
        )
    return Decision(
        Verdict.REFUTED,
        f"{what}: {first.rule} ends at w = {first.final} but {second.rule} at {second.final}",
        counterexample=Counterexample(
            point={"start": str(first.iterates[0]), "lr": str(first.lr)},
            stated=f"{first.rule}: {first.final}",
            correct=f"{second.rule}: {second.final}",
        ),
        evidence=(str(first), str(second)),
    )


def decide_step_decreases(
    loss: sp.Expr, params: Sequence[sp.Symbol], start: Iterable[object], lr: object, *,
    what: str,
) -> Decision:
    """``PROVEN`` if one update from ``start`` lowers ``loss``, else ``REFUTED`` with both values.

    Examples
    --------
    >>> w = sp.Symbol("w", real=True)
    >>> decide_step_decreases(w**2, [w], [1], "-0.1", what="a negative rate").verdict.value
    'refuted'
    """
    run = gradient_descent(loss, params, start, lr, steps=1)
    before, after = run.losses
    if not (before.is_number and after.is_number):
        raise ValueError(f"the losses {before}, {after} are symbolic; give numeric start and lr")
    point = {str(p): str(v) for p, v in zip(params, run.iterates[0], strict=True)}
    point["lr"] = str(run.lr)
    if after < before:
        return Decision(
            Verdict.PROVEN,
            f"{what}: E goes from {before} to {after} (w: {run.iterates[0]} -> {run.final})",
            evidence=(str(run),),
        )
    return Decision(
        Verdict.REFUTED,
        f"{what}: E goes from {before} up to {after}, it does not decrease "
        f"(w: {run.iterates[0]} -> {run.final})",
        counterexample=Counterexample(point=point, stated=f"E(w_1) < {before}",
                                      correct=f"E(w_1) = {after}"),
        evidence=(str(run),),
    )
