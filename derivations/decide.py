"""Decision procedures: how a claim's verdict is computed.

Every procedure compares the quantity SymPy derives (``correct``) with what the document
states (``stated``) and returns a :class:`~derivations.claim.Decision`:

- :func:`decide_equal` -- scalar expressions: simplification proves; an exact rational point
  where the sides differ refutes; agreement at sample points alone leaves it undecided.
- :func:`decide_matrix` -- matrix forms, proven entrywise on explicit symbolic matrices for
  every shape of :func:`matrix_shapes`; a shape mismatch or an undefined product refutes.
- :func:`decide_conventions` -- one statement under several conventions. With
  ``as_written=True`` the first convention is the one the document states (its layout, its
  1/m) and decides alone: ``proven`` or ``refuted`` there, whatever the others say.
- :func:`on_model` -- a qualitative statement ("faster", "usually") shown on a model problem:
  ``proven_under_convention`` naming the model, never plain ``proven``.
- :func:`decide_readings` -- a statement with more than one reading; each reading decided,
  the verdict computed from them by :func:`readings_verdict`.
- :func:`definition` -- nothing to decide.

Readings
--------
Every reading has a kind (:data:`~derivations.claim.ReadingKind`), given by its constructor:

- ``literal(description, decision)`` -- what the words, symbols and shapes on the page say, in
  the document's own conventions (its layout, its shapes, its names). Two literal readings
  mean the text really does not settle between them (per-sample or batch-mean loss).
- ``intended(description, decision, statement=...)`` -- a repair: a typo fixed, a label
  corrected, a transpose added. It never decides the verdict; when proven it becomes the
  correction of a refuted claim (``statement`` is the repaired formula or sentence).

``decide_readings([literal(...), intended(...)], what=...)`` computes the verdict with
:func:`readings_verdict` (the whole policy, in one table):

==============================================  ============================================
literal readings                                verdict
==============================================  ============================================
all refuted                                     ``refuted``; the first proven (or proven
                                                on a model) intended reading is the
                                                correction ("as written: ...
                                                (counterexample); probably meant: ...
                                                (proven)")
all share one verdict V                         V
different verdicts                              ``ambiguous``
==============================================  ============================================

A reading without a kind is an error (``TypeError``); at least one literal reading is
required (``ValueError``).

Undefined functions
-------------------
A statement about a generic activation ``g = sp.Function("g")`` is decided for every ``g``:
:func:`freeze_functions` turns each value ``g(a)`` and derivative ``g'(a)`` into an
independent symbol before simplifying (an identity in independent values holds for the values
of any ``g``), and a counterexample gives one value per argument point (those of a smooth
``g``). Every count of sample points in a reason counts points evaluated to numbers; a point
that stays symbolic raises :class:`EvaluationError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction

import numpy as np
import sympy as sp

from derivations.claim import (
    READING_KINDS,
    ConventionCase,
    Counterexample,
    Decision,
    Reading,
    Verdict,
)

__all__ = [
    "EvaluationError",
    "decide_conventions",
    "decide_equal",
    "decide_holds",
    "decide_matrix",
    "decide_readings",
    "definition",
    "find_counterexample",
    "freeze_functions",
    "intended",
    "is_zero",
    "literal",
    "matrix_shapes",
    "on_model",
    "rational_points",
    "readings_verdict",
]

#: digits used to tell a nonzero difference at a sample point from rounding noise
PRECISION = 50
_NONZERO = sp.Float(10) ** (-(PRECISION - 10))

Domain = Mapping[sp.Symbol, tuple[sp.Rational, sp.Rational]]


def is_zero(expr: sp.Expr) -> bool:
    """Whether SymPy proves ``expr == 0`` (cheap rewrites first, ``simplify`` last).

    ``False`` means "not proven", not "nonzero": use :func:`find_counterexample` for that.
    """
    expr, _ = freeze_functions(sp.sympify(expr))  # a generic g: see freeze_functions
    if expr == 0:
        return True
    for rewrite in (sp.expand, sp.cancel, sp.together):
        try:
            if rewrite(expr) == 0:
                return True
        except (TypeError, ValueError, NotImplementedError):  # pragma: no cover - sympy quirks
            continue
    if _nonzero_at_a_point(expr):
        return False  # sound shortcut: simplify() on a nonzero expression can take seconds
    try:
        if sp.simplify(expr) == 0:
            return True
    except (TypeError, ValueError, NotImplementedError):  # pragma: no cover - sympy quirks
        pass
    rewritten = sp.simplify(expr.rewrite(sp.exp))
    return bool(rewritten == 0)


def _nonzero_at_a_point(expr: sp.Expr, *, count: int = 2) -> bool:
    """Whether ``expr`` is real, finite and clearly nonzero at one of ``count`` rational points.

    Sound for ``is_zero``: an expression that is nonzero somewhere is not identically zero.
    Points where it is undefined or not real (a log of a negative number) are skipped.
    """
    expr, _ = freeze_functions(expr)
    symbols = sorted(expr.free_symbols, key=str)
    for point in rational_points(symbols, count=count, seed=1):
        if not all(_admissible(s, v) for s, v in point.items()):
            continue  # e.g. a fraction for an integer symbol: simplify may rely on it
        try:
            value = sp.N(expr.xreplace(point), PRECISION)
        except (TypeError, ValueError, ZeroDivisionError):  # pragma: no cover - sympy quirks
            continue
        if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            continue
        if value.is_real is True and abs(value) > _NONZERO:
            return True
    return False


def _admissible(symbol: sp.Symbol, value: sp.Expr) -> bool:
    """Whether ``value`` has every assumption of ``symbol`` (integer, negative, ...)."""
    for key, wanted in symbol.assumptions0.items():
        have = getattr(value, f"is_{key}", None)
        if have is not None and have != wanted:
            return False
    return True


def rational_points(
    symbols: Sequence[sp.Symbol], *, count: int = 12, seed: int = 0, domain: Domain | None = None
) -> list[dict[sp.Symbol, sp.Rational]]:
    """Deterministic exact rational sample points for ``symbols``.

    Values avoid 0 and 1 (where many formulas degenerate) and honour each symbol's
    ``positive`` assumption and the open intervals in ``domain``.
    """
    rng = np.random.default_rng(seed)
    domain = dict(domain or {})
    points = []
    for _ in range(count):
        point = {}
        for s in symbols:
            lo, hi = domain.get(s, (sp.Rational(-3), sp.Rational(3)))
            if s.is_positive and lo < 0:
                lo = sp.Rational(0)
            while True:
                frac = Fraction(int(rng.integers(1, 97)), 97)  # strictly inside (0, 1)
                value = lo + (hi - lo) * sp.Rational(frac.numerator, frac.denominator)
                if value not in (0, 1):
                    break
            point[s] = sp.nsimplify(value)
        points.append(point)
    return points


def _value_text(expr: sp.Expr) -> str:
    expr = sp.nsimplify(expr) if expr.is_Float else expr
    if expr.is_Rational:
        return str(expr)
    return f"{sp.sstr(expr)} ~ {sp.N(expr, 12)}"


class EvaluationError(ValueError):
    """A sample point at which a decision procedure's expression is not a number.

    Raised instead of skipping the point: a count of agreeing points must count only points
    that were evaluated.
    """


#: an undefined function's value or derivative at an argument, frozen into a fresh symbol:
#: (function name, derivative order per argument, argument expressions)
FrozenCall = tuple[str, tuple[int, ...], tuple[sp.Expr, ...]]


def freeze_functions(expr: sp.Expr) -> tuple[sp.Expr, dict[sp.Symbol, FrozenCall]]:
    """Replace each value and derivative of an undefined function by a fresh symbol.

    ``g(z)``, ``Derivative(g(z), z)`` and SymPy's ``Subs(Derivative(g(x), x), x, a)`` (the
    chain rule's ``g'(a)``) each become an independent real symbol, one per distinct call.

    Parameters
    ----------
    expr : sympy.Expr
        May hold undefined functions such as ``sp.Function("g")`` (a generic activation).

    Returns
    -------
    frozen : sympy.Expr
        ``expr`` without undefined functions.
    table : dict Symbol -> (name, orders, args)
        What each fresh symbol stands for: ``("g", (1,), (z,))`` is ``g'(z)``.

    Notes
    -----
    This is how the procedures here decide a statement about a generic ``g``, and it is a
    proof for every ``g``: an identity that holds for independent values ``g(a_k)``,
    ``g'(a_k)`` holds in particular for the values of any differentiable ``g``. A
    counterexample is a real one: at a sample point the arguments are numbers, each distinct
    (function, order, argument value) gets one value, and values and derivatives prescribed at
    distinct points are those of a smooth function (a Hermite interpolating polynomial).
    """
    from sympy.core.function import AppliedUndef

    expr = sp.sympify(expr)
    table: dict[sp.Symbol, FrozenCall] = {}
    swap: dict[sp.Basic, sp.Symbol] = {}

    def fresh(call: FrozenCall) -> sp.Symbol:
        name, orders, args = call
        mark = "'" * sum(orders) if len(orders) == 1 else "_d" + "".join(map(str, orders))
        sym = sp.Symbol(f"{name}{mark}({', '.join(map(sp.sstr, args))})", real=True)
        table[sym] = call
        return sym

    for node in expr.atoms(sp.Subs):
        inner = node.expr
        if isinstance(inner, sp.Derivative) and isinstance(inner.expr, AppliedUndef):
            f = inner.expr
            values = dict(zip(node.variables, node.point, strict=True))
            args = tuple(sp.sympify(a).xreplace(values) for a in f.args)
            orders = tuple(sum(n for v, n in inner.variable_count if v == a) for a in f.args)
            swap[node] = fresh((f.func.__name__, orders, args))
    for node in expr.xreplace(swap).atoms(sp.Derivative):
        if isinstance(node.expr, AppliedUndef):
            f = node.expr
            orders = tuple(sum(n for v, n in node.variable_count if v == a) for a in f.args)
            swap[node] = fresh((f.func.__name__, orders, tuple(f.args)))
    for node in expr.xreplace(swap).atoms(AppliedUndef):
        swap[node] = fresh((node.func.__name__, (0,) * len(node.args), tuple(node.args)))
    # nested calls (g(W_2 g(W_1 x + b_1) + b_2)): arguments refer to the inner calls' symbols
    for sym, (name, orders, args) in list(table.items()):
        table[sym] = (name, orders, tuple(sp.sympify(a).xreplace(swap) for a in args))
    return expr.xreplace(swap), table


def _function_values(
    table: Mapping[sp.Symbol, FrozenCall], point: Mapping[sp.Symbol, sp.Expr],
    rng: np.random.Generator,
) -> dict[sp.Symbol, sp.Rational]:
    """Values for the frozen calls at ``point``: one per (name, order, argument values)."""
    chosen: dict[tuple[str, tuple[int, ...], tuple[str, ...]], sp.Rational] = {}
    values: dict[sp.Symbol, sp.Rational] = {}
    pending = sorted(table, key=str)
    while pending:  # inner calls first: an argument may hold another call's symbol
        ready = [s for s in pending if all(
            a.free_symbols.isdisjoint(set(pending)) for a in map(sp.sympify, table[s][2]))]
        if not ready:  # pragma: no cover - freeze_functions never builds a cycle
            raise EvaluationError(f"calls {pending} depend on each other")
        for sym in ready:
            name, orders, args = table[sym]
            known = {**point, **values}
            at = tuple(sp.N(sp.sympify(a).xreplace(known), 30) for a in args)
            if not all(v.is_number for v in at):
                raise EvaluationError(
                    f"the argument of {sym} does not evaluate to a number at {dict(point)}: "
                    "every symbol of a function's argument needs a sample value"
                )
            key = (name, orders, tuple(sp.sstr(v) for v in at))
            if key not in chosen:
                chosen[key] = sp.Rational(int(rng.integers(-290, 291)), 97)
            values[sym] = chosen[key]
        pending = [s for s in pending if s not in values]
    return values


def _sample(
    correct: sp.Expr, stated: sp.Expr, *, domain: Domain | None, count: int, seed: int,
    entry: str,
) -> tuple[Counterexample | None, int, int]:
    """Search ``count`` rational points: (counterexample or None, points evaluated, outside).

    ``outside`` counts points where a side is not finite (a log of a negative number, a
    division by 0): outside the formula's domain, reported, not counted as agreeing.

    Raises
    ------
    EvaluationError
        If a side is still symbolic at a point (a symbol without a sample value).
    """
    correct, table_c = freeze_functions(correct)
    stated, table_s = freeze_functions(stated)
    table = {**table_c, **table_s}
    in_args = set().union(*(sp.sympify(a).free_symbols for _, _, args in table.values()
                            for a in args))
    symbols = sorted(((correct - stated).free_symbols | correct.free_symbols | in_args)
                     - set(table), key=str)
    rng = np.random.default_rng(seed + 1)
    evaluated = outside = 0
    for point in rational_points(symbols, count=count, seed=seed, domain=domain):
        full = {**point, **_function_values(table, point, rng)}
        c, s = correct.xreplace(full), stated.xreplace(full)
        diff = c - s
        if diff.is_Rational:
            nonzero = diff != 0
        else:
            value = sp.N(diff, PRECISION)
            if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                outside += 1
                continue
            if not all(part.is_Number for part in value.as_real_imag()):
                raise EvaluationError(
                    f"{'entry ' + entry + ': ' if entry else ''}the difference does not "
                    f"evaluate to a number at {full}: {value}"
                )
            nonzero = abs(value) > _NONZERO
        evaluated += 1
        if nonzero:
            labels = {**{str(k): str(v) for k, v in point.items()},
                      **{str(k): str(full[k]) for k in sorted(table, key=str)}}
            return Counterexample(point=labels, stated=_value_text(s), correct=_value_text(c),
                                  entry=entry), evaluated, outside
    return None, evaluated, outside


def _agreement(evaluated: int, outside: int) -> str:
    """What the sample points showed, counting only points evaluated to numbers."""
    where = f" ({outside} more outside the formula's domain)" if outside else ""
    if evaluated == 0:
        return f"no sample point evaluated to a finite number{where}"
    return f"agrees at {evaluated} rational points to {PRECISION} digits{where}"


def find_counterexample(
    correct: sp.Expr,
    stated: sp.Expr,
    *,
    domain: Domain | None = None,
    count: int = 12,
    seed: int = 0,
    entry: str = "",
) -> Counterexample | None:
    """An exact rational point where ``stated`` differs from ``correct``, or ``None``.

    The difference is evaluated exactly (rational arithmetic), and to :data:`PRECISION`
    digits when it contains transcendental functions. Undefined functions (a generic ``g``)
    get values at each point as described in :func:`freeze_functions`; the counterexample
    names them.

    Raises
    ------
    EvaluationError
        If a side does not evaluate to a number at a point.
    """
    return _sample(sp.sympify(correct), sp.sympify(stated), domain=domain, count=count,
                   seed=seed, entry=entry)[0]


def decide_equal(
    correct: sp.Expr,
    stated: sp.Expr,
    *,
    corrected: sp.Expr | None = None,
    corrected_latex: str | None = None,
    domain: Domain | None = None,
    what: str = "the stated formula",
) -> Decision:
    """Decide whether the document's ``stated`` expression equals the derived ``correct`` one.

    Parameters
    ----------
    correct : sympy.Expr
        The quantity as SymPy derives it (e.g. ``diff(L, w)``).
    stated : sympy.Expr
        The document's formula.
    corrected : sympy.Expr, optional
        The right formula to offer when ``stated`` is refuted; it is itself decided against
        ``correct`` and must come out proven. Defaults to ``correct``.
    corrected_latex : str, optional
        How to display the corrected statement; defaults to ``latex(corrected)``.
    domain : mapping Symbol -> (lo, hi), optional
        Open intervals for the sample points (e.g. probabilities in (0, 1)).
    what : str
        How the reason names the statement.

    Returns
    -------
    Decision
        ``PROVEN`` when ``correct - stated`` simplifies to 0; ``REFUTED`` with an exact
        counterexample and a proven correction; ``UNDECIDED`` when neither could be shown.
    """
    correct, stated = sp.sympify(correct), sp.sympify(stated)
    # the functions of each side (a difference may cancel them): named in the reason
    names = {c[0] for side in (correct, stated) for c in freeze_functions(side)[1].values()}
    generic = (f" for every {', '.join(sorted(names))} (values and "
               "derivatives at each argument independent)") if names else ""
    if is_zero(correct - stated):  # is_zero freezes the functions itself
        return Decision(
            Verdict.PROVEN,
            f"{what} minus the derived value simplifies to 0{generic}",
            evidence=("simplify(correct - stated) == 0",),
        )
    cex, evaluated, outside = _sample(correct, stated, domain=domain, count=12, seed=0,
                                      entry="")
    if cex is None:
        return Decision(
            Verdict.UNDECIDED,
            f"SymPy could not simplify the difference to 0{generic}, and {what} "
            f"{_agreement(evaluated, outside)} with the derived value",
            evidence=("simplify left a nonzero expression", _agreement(evaluated, outside)),
        )
    fix = correct if corrected is None else sp.sympify(corrected)
    check = decide_equal(correct, fix, what="the corrected formula")
    return Decision(
        Verdict.REFUTED,
        f"{what} differs from the derived value: {cex}",
        counterexample=cex,
        corrected=corrected_latex or sp.latex(fix),
        corrected_check=check,
        corrected_expr=fix,
        evidence=("simplify(correct - stated) != 0", "exact rational counterexample"),
    )


def matrix_shapes(
    n_dims: int, *, count: int = 20, max_dim: int = 3, seed: int = 0
) -> list[tuple[int, ...]]:
    """``count`` distinct dimension tuples for a matrix claim, edge cases first.

    The list starts with all ones (1 x 1 matrices, one sample), then each single dimension
    raised to 2 with the others at 1 (one sample, non-square), then distinct dimensions, then
    deterministic random draws in ``1..max_dim``.
    """
    shapes: list[tuple[int, ...]] = [(1,) * n_dims]
    for i in range(n_dims):
        shapes.append(tuple(2 if j == i else 1 for j in range(n_dims)))
    shapes.append(tuple(min(max_dim, j + 1) for j in range(n_dims)))
    shapes.append(tuple(min(max_dim, n_dims - j) for j in range(n_dims)))
    rng = np.random.default_rng(seed)
    limit = max_dim**n_dims
    while len(set(shapes)) < min(count, limit):
        shapes.append(tuple(int(d) for d in rng.integers(1, max_dim + 1, size=n_dims)))
    unique = list(dict.fromkeys(shapes))
    return unique[:count]


MatrixBuild = Callable[[tuple[int, ...]], tuple[sp.Matrix, sp.Matrix]]


def decide_matrix(
    build: MatrixBuild,
    *,
    n_dims: int,
    corrected: MatrixBuild | None = None,
    corrected_latex: str | None = None,
    shapes: Sequence[tuple[int, ...]] | None = None,
    domain: Domain | None = None,
    what: str = "the stated matrix formula",
) -> Decision:
    """Decide a matrix form entrywise on explicit symbolic matrices, for many shapes.

    Parameters
    ----------
    build : callable dims -> (correct, stated)
        Builds, for one tuple of dimensions, the derived matrix (entrywise derivatives of the
        loss) and the document's formula evaluated on the same symbolic matrices. It raises
        ``sympy.ShapeError`` when the document's product is not defined at those dimensions.
    n_dims : int
        How many dimensions ``build`` takes (e.g. ``(n_out, n_in, m)``).
    corrected : callable, optional
        Builds ``(correct, corrected)``; decided the same way when the claim is refuted.
    shapes : sequence of tuples, optional
        Defaults to ``matrix_shapes(n_dims)`` (20 shapes with 1 x 1, one sample, non-square).

    Returns
    -------
    Decision
        ``PROVEN`` when every entry matches at every shape; ``REFUTED`` at the first shape
        where the shapes differ, the product is undefined, or an entry differs (with an exact
        counterexample).
    """
    shapes = list(shapes) if shapes is not None else matrix_shapes(n_dims)
    for dims in shapes:
        try:
            correct, stated = build(dims)
        except sp.ShapeError as exc:
            return _refuted_matrix(
                f"{what} is not defined at dimensions {dims} (a shape mismatch: {exc})",
                corrected,
                corrected_latex,
                shapes,
            )
        if correct.shape != stated.shape:
            return _refuted_matrix(
                f"{what} has shape {stated.shape} but the gradient has shape {correct.shape} "
                f"at dimensions {dims}",
                corrected,
                corrected_latex,
                shapes,
            )
        for idx in np.ndindex(*correct.shape):
            c, s = correct[idx], stated[idx]
            if is_zero(c - s):
                continue
            cex, evaluated, outside = _sample(c, s, domain=domain, count=12, seed=0,
                                              entry=str(idx))
            if cex is None:
                return Decision(
                    Verdict.UNDECIDED,
                    f"entry {idx} at dimensions {dims} did not simplify to 0, and it "
                    f"{_agreement(evaluated, outside)}",
                    evidence=(f"shapes tried: {shapes[: shapes.index(dims) + 1]}",),
                )
            decision = _refuted_matrix(
                f"{what} differs from the gradient at dimensions {dims}: {cex}",
                corrected,
                corrected_latex,
                shapes,
            )
            return replace(decision, counterexample=cex)
    return Decision(
        Verdict.PROVEN,
        f"{what} equals the entrywise derivative for all {len(shapes)} shapes tried",
        evidence=(f"dimensions: {', '.join(map(str, shapes))}",),
    )


def _refuted_matrix(
    reason: str,
    corrected: MatrixBuild | None,
    corrected_latex: str | None,
    shapes: Sequence[tuple[int, ...]],
) -> Decision:
    check = None
    if corrected is not None:
        check = decide_matrix(corrected, n_dims=len(shapes[0]), shapes=shapes,
                              what="the corrected formula")
    return Decision(
        Verdict.REFUTED,
        reason,
        corrected=corrected_latex,
        corrected_check=check,
        evidence=("entrywise comparison on symbolic matrices",),
    )


def decide_conventions(
    cases: Sequence[tuple[Mapping[str, str], Callable[[], Decision]]],
    *,
    what: str = "the statement",
    as_written: bool = False,
) -> Decision:
    """Decide one statement under each convention in ``cases``.

    Parameters
    ----------
    cases : sequence of (convention, decide)
        Each convention (e.g. ``{"reduction": "mean over m", "half": "yes"}``) with the
        procedure that decides the statement under it. The document's own convention first.
    as_written : bool
        ``True`` when the document states the first convention (its layout, its loss): the
        statement as written is decided there alone, and the other cases only say where else
        it would hold. ``False`` when the text leaves the convention open.

    Returns
    -------
    Decision
        With ``as_written``: the first case's verdict (``PROVEN``, or ``REFUTED`` with its
        counterexample and correction and the conventions where it would hold). Without:
        ``PROVEN`` if it holds under every convention, ``PROVEN_UNDER_CONVENTION`` if under
        some, ``REFUTED`` (with the first case's counterexample and correction) if under none.
        ``conventions`` lists every case either way.
    """
    decided = [(conv, run()) for conv, run in cases]
    table = tuple(
        ConventionCase(dict(conv), d.verdict is Verdict.PROVEN, d.reason) for conv, d in decided
    )
    holding = [c for c in table if c.holds]
    if as_written:
        return _as_written(decided[0][1], table, what)
    if len(holding) == len(table):
        return Decision(Verdict.PROVEN, f"{what} holds under every convention tried",
                        conventions=table)
    if holding:
        names = "; ".join(c.label() for c in holding)
        return Decision(
            Verdict.PROVEN_UNDER_CONVENTION,
            f"{what} holds only under: {names}",
            conventions=table,
        )
    first = decided[0][1]
    return Decision(
        Verdict.REFUTED,
        f"{what} holds under none of the conventions tried; {first.reason}",
        counterexample=first.counterexample,
        corrected=first.corrected,
        corrected_check=first.corrected_check,
        conventions=table,
    )


def _as_written(first: Decision, table: tuple[ConventionCase, ...], what: str) -> Decision:
    """The verdict of the document's own convention (``table[0]``), the others listed."""
    stated = table[0].label()
    others = [c.label() for c in table[1:] if c.holds]
    if first.verdict is not Verdict.REFUTED:
        return replace(first, reason=f"{what}, in the document's convention ({stated}): "
                       f"{first.reason}", conventions=table)
    elsewhere = (f"; it would hold only under: {'; '.join(others)}" if others
                 else "; it holds under none of the other conventions tried")
    return replace(first, reason=f"{what} is false in the document's convention ({stated}): "
                   f"{first.reason}{elsewhere}", conventions=table)


def on_model(decision: Decision, model: str) -> Decision:
    """A qualitative statement decided on a model problem: proven there, not in general.

    Parameters
    ----------
    decision : Decision
        The statement decided on the model problem.
    model : str
        The model problem, e.g. ``"E = a/2 (w - c)^2, one weight"``.

    Returns
    -------
    Decision
        ``PROVEN`` becomes ``PROVEN_UNDER_CONVENTION`` with the convention ``model=...``;
        any other verdict is returned with the model named in its reason.
    """
    if not model:
        raise ValueError("on_model() needs the model problem's description, got ''")
    if decision.verdict is not Verdict.PROVEN:
        return replace(decision, reason=f"on the model problem {model}: {decision.reason}")
    case = ConventionCase({"model": model}, True, decision.reason)
    return replace(decision, verdict=Verdict.PROVEN_UNDER_CONVENTION,
                   reason=f"shown on the model problem {model} only: {decision.reason}",
                   conventions=(*decision.conventions, case))


def literal(description: str, decision: Decision) -> Reading:
    """A reading of the statement as written, in the document's own conventions.

    Parameters
    ----------
    description : str
        The reading in words, e.g. ``"Z is Z_2"``.
    decision : Decision
        The reading decided on its own.
    """
    return _reading(description, decision, "literal", "")


def intended(description: str, decision: Decision, *, statement: str = "") -> Reading:
    """A repair of the statement (a typo fixed, a label corrected), decided on its own.

    Parameters
    ----------
    description : str
        What is repaired, e.g. ``"'loss' is a slip for 'label'"``.
    decision : Decision
        The repaired statement decided on its own.
    statement : str, optional
        The repaired statement (LaTeX or words), offered as the claim's correction when the
        literal readings are refuted; defaults to ``description``.
    """
    return _reading(description, decision, "intended", statement or description)


def _reading(description: str, decision: Decision, kind: str, statement: str) -> Reading:
    if not isinstance(description, str) or not description:
        raise TypeError(f"a reading's description must be a non-empty str, got {description!r}")
    if not isinstance(decision, Decision):
        raise TypeError(
            f"reading {description!r}: decision must be a Decision, got {type(decision).__name__}"
        )
    return Reading(description, decision.verdict, decision.reason, kind, statement, decision)


def readings_verdict(literal_verdicts: Sequence[Verdict]) -> Verdict:
    """The verdict of a statement from the verdicts of its literal readings (the policy).

    All refuted -> ``REFUTED``; all the same verdict -> that verdict; different verdicts ->
    ``AMBIGUOUS``. Intended readings never enter: they only supply the correction.

    Raises
    ------
    ValueError
        If there is no literal reading.
    """
    verdicts = set(literal_verdicts)
    if not verdicts:
        raise ValueError("a statement needs at least one literal reading (the text as written)")
    return verdicts.pop() if len(verdicts) == 1 else Verdict.AMBIGUOUS


def _check_readings(readings: Sequence[Reading]) -> tuple[Reading, ...]:
    rows = tuple(readings)
    for i, r in enumerate(rows):
        if not isinstance(r, Reading):
            raise TypeError(
                f"readings[{i}] is a {type(r).__name__}, not a Reading: mark each reading with "
                "literal(description, decision) or intended(description, decision)"
            )
        if r.kind not in READING_KINDS:  # pragma: no cover - Reading validates its kind
            raise ValueError(f"readings[{i}] has kind {r.kind!r}")
    return rows


def decide_readings(readings: Sequence[Reading], *, what: str) -> Decision:
    """Decide a statement from its readings, by the policy :func:`readings_verdict`.

    Parameters
    ----------
    readings : sequence of Reading
        Built with :func:`literal` and :func:`intended`; at least one literal.
    what : str
        How the reason names the statement.

    Returns
    -------
    Decision
        The verdict of the policy; its reason names each literal reading's verdict. A refuted
        statement carries the counterexample of its first literal reading and, as correction,
        the first proven intended reading (or the literal reading's own proven correction).

    Raises
    ------
    TypeError
        If a reading is not a :class:`~derivations.claim.Reading` (unmarked kind).
    ValueError
        If no reading is literal.
    """
    rows = _check_readings(readings)
    lits = [r for r in rows if r.kind == "literal"]
    verdict = readings_verdict([r.verdict for r in lits])
    summary = "; ".join(f"{r.description}: {r.verdict.value} ({r.reason})" for r in lits)
    if verdict is Verdict.AMBIGUOUS:
        return Decision(
            Verdict.AMBIGUOUS,
            f"the text of {what} does not settle between {len(lits)} readings with different "
            f"verdicts: {summary}",
            readings=rows,
        )
    first = lits[0].decision or Decision(verdict, lits[0].reason)
    if verdict is not Verdict.REFUTED:
        reason = first.reason if len(lits) == 1 else f"every reading of {what}: {summary}"
        return replace(first, verdict=verdict, reason=reason, readings=rows)
    fixes = [r for r in rows if r.kind == "intended"
             and r.verdict in (Verdict.PROVEN, Verdict.PROVEN_UNDER_CONVENTION)]
    cex = next((r.decision.counterexample for r in lits
                if r.decision is not None and r.decision.counterexample is not None), None)
    cex_text = f" (counterexample: {cex})" if cex is not None and str(cex) not in summary else ""
    as_written = f"as written: {summary}{cex_text}"
    if fixes:
        fix = fixes[0]
        return Decision(
            Verdict.REFUTED,
            f"{what}, {as_written}; probably meant: {fix.description}: {fix.reason} "
            f"({fix.verdict.value})",
            counterexample=cex,
            corrected=fix.statement,
            corrected_check=fix.decision,
            readings=rows,
            evidence=first.evidence,
        )
    return replace(first, verdict=Verdict.REFUTED, reason=f"{what}, {as_written}",
                   counterexample=cex, readings=rows)


def definition(reason: str) -> Decision:
    """A ``DEFINITION``: nothing to decide; other claims use it."""
    return Decision(Verdict.DEFINITION, reason)


def decide_holds(
    holds: bool,
    reason: str,
    otherwise: str | None = None,
    *,
    counterexample: Counterexample | None = None,
    evidence: tuple[str, ...] = (),
) -> Decision:
    """A computed condition as a decision: ``PROVEN`` when it holds, else ``REFUTED``.

    Parameters
    ----------
    holds : bool, numpy.bool_ or sympy.true/sympy.false
        The condition, computed by the caller (never a constant).
    reason : str
        Why, in terms of what was computed; the reason either way unless ``otherwise``.
    otherwise : str, optional
        The reason when the condition fails.
    counterexample : Counterexample, optional
        Kept only when the condition fails.
    evidence : tuple of str
        What was computed.

    Raises
    ------
    TypeError
        If ``holds`` is not a bool (``None`` from ``is_subset``, or a SymPy relational left
        undecided, say).
    """
    if not isinstance(holds, bool | np.bool_ | sp.logic.boolalg.BooleanAtom):
        raise TypeError(f"decide_holds: holds must be a bool, got {type(holds).__name__} "
                        f"{holds!r}; decide it first (e.g. bool(sympy.simplify(...) == 0))")
    if bool(holds):
        return Decision(Verdict.PROVEN, reason, evidence=evidence)
    return Decision(Verdict.REFUTED, reason if otherwise is None else otherwise,
                    counterexample=counterexample, evidence=evidence)
