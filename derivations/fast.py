"""Decisions that look for a counterexample before they simplify.

:func:`~derivations.decide.decide_equal` and :func:`~derivations.decide.decide_matrix`
simplify each difference first. On the composed losses of a whole network a failed
``simplify`` takes minutes, while an exact rational point where the sides differ is found at
once; and the identities these documents state (chain-rule products, gradients of affine
layers) are proven by ``expand`` or ``cancel`` alone. The procedures here therefore work in
that order, entry by entry:

1. ``expand`` or ``cancel`` of ``correct - stated`` is 0: the entry holds;
2. :func:`~derivations.decide.find_counterexample` finds an exact point: refuted there;
3. :func:`~derivations.decide.is_zero` (``simplify`` and friends) last, for what is left:
   proven, or undecided.

- :func:`compare_entries` -- that loop on two explicit matrices, as a :class:`Difference`;
- :func:`compare_matrices` -- two matrices as a :class:`~derivations.claim.Decision`;
- :func:`decide_fast` -- a build ``dims -> (correct, stated)`` over several shapes, with the
  contract of :func:`~derivations.decide.decide_matrix`;
- :func:`decide_fast_scalar` -- two scalars, with the contract of
  :func:`~derivations.decide.decide_equal` (which it falls back to).

Document modules call these under the names ``_compare``, ``decide_fast`` and
``_decide_scalar``: the mutation tests (tests/derivations/test_mutations.py) patch the
comparison primitives by those names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from derivations.claim import Counterexample, Decision, Verdict
from derivations.decide import decide_equal, find_counterexample, is_zero

__all__ = [
    "Difference",
    "compare_entries",
    "compare_matrices",
    "decide_fast",
    "decide_fast_scalar",
]

Dims = tuple[int, ...]
Build = Callable[[Dims], tuple[sp.Matrix, sp.Matrix]]
Domain = Mapping[sp.Symbol, tuple[Any, Any]]


@dataclass(frozen=True)
class Difference:
    """How two matrices of the same shape compare, entry by entry.

    Attributes
    ----------
    verdict : Verdict
        ``PROVEN`` (every entry holds), ``REFUTED`` (an exact counterexample) or
        ``UNDECIDED`` (an entry neither simplified to 0 nor was separated at a point).
    index : tuple of int or None
        The entry refuted or left undecided.
    counterexample : Counterexample or None
        For ``REFUTED``.
    """

    verdict: Verdict
    index: tuple[int, ...] | None = None
    counterexample: Counterexample | None = None


def compare_entries(
    correct: sp.Matrix,
    stated: sp.Matrix,
    *,
    domain: Callable[[sp.Expr], Domain] | None = None,
) -> Difference:
    """Compare two matrices of one shape entry by entry: expand/cancel, a point, simplify last.

    Parameters
    ----------
    correct, stated : sympy.Matrix, the same shape
        The derived quantity and the document's formula.
    domain : callable expr -> mapping Symbol -> (lo, hi), optional
        For an entry's difference, the open interval each of its symbols is drawn from for a
        counterexample; others are drawn from (-3, 3).

    Returns
    -------
    Difference
        The first entry with a counterexample; else the first that does not simplify to 0;
        else ``PROVEN``.
    """
    pending = []
    for idx in np.ndindex(*correct.shape):
        c, s = correct[idx], stated[idx]
        diff = c - s
        if sp.expand(diff) == 0 or sp.cancel(diff) == 0:
            continue
        cex = find_counterexample(c, s, entry=str(idx),
                                  domain=None if domain is None else domain(diff))
        if cex is not None:
            return Difference(Verdict.REFUTED, idx, cex)
        pending.append((idx, diff))
    for idx, diff in pending:
        if not is_zero(diff):
            return Difference(Verdict.UNDECIDED, idx)
    return Difference(Verdict.PROVEN)


def compare_matrices(
    correct: sp.Matrix,
    stated: sp.Matrix,
    *,
    what: str,
    where: str,
    against: str,
    corrected: sp.Matrix | None = None,
    corrected_latex: str | None = None,
) -> Decision:
    """Decide ``stated == correct`` entrywise (:func:`compare_entries`).

    Parameters
    ----------
    correct, stated : sympy.Matrix
        The derived quantity and the document's formula.
    what : str
        How the reason names the document's formula.
    where : str
        The setting, for the reason of a proof (e.g. ``"one sample, d = h = n = 2"``).
    against : str
        How the reason names ``correct`` (e.g. ``"the derivative of the composed loss"``).
    corrected, corrected_latex : optional
        The right formula, compared the same way when ``stated`` is refuted.

    Returns
    -------
    Decision
        ``REFUTED`` for another shape (the counterexample names the shapes) or an exact
        counterexample, ``UNDECIDED``, or ``PROVEN``.
    """
    if correct.shape != stated.shape:
        return Decision(
            Verdict.REFUTED,
            f"{what} has shape {stated.shape} but {against} has shape {correct.shape}",
            counterexample=Counterexample(
                point={"shape": str(correct.shape)}, stated=str(stated.shape),
                correct=str(correct.shape),
            ),
        )
    found = compare_entries(correct, stated)
    if found.verdict is Verdict.REFUTED:
        check = None
        if corrected is not None:
            check = compare_matrices(correct, corrected, what="the corrected formula",
                                     where=where, against=against)
        return Decision(
            Verdict.REFUTED,
            f"{what} differs from {against}: {found.counterexample}",
            counterexample=found.counterexample,
            corrected=corrected_latex,
            corrected_check=check,
            evidence=("entrywise comparison", "exact rational counterexample"),
        )
    if found.verdict is Verdict.UNDECIDED:
        return Decision(
            Verdict.UNDECIDED,
            f"entry {found.index} of {what} did not simplify to 0 and no rational point "
            "separates it",
        )
    return Decision(
        Verdict.PROVEN,
        f"{what} equals {against} in every entry ({where})",
        evidence=("entrywise expand/cancel == 0",),
    )


def _shape_refutation(reason: str, dims: Dims, stated: str, correct: str,
                      check: Decision | None, corrected_latex: str | None) -> Decision:
    return Decision(
        Verdict.REFUTED, reason,
        counterexample=Counterexample(point={"dimensions": str(dims)}, stated=stated,
                                      correct=correct),
        corrected=corrected_latex, corrected_check=check,
        evidence=("shape algebra on explicit symbolic matrices",),
    )


def decide_fast(
    build: Build,
    shapes: Sequence[Dims],
    *,
    what: str,
    corrected: Build | None = None,
    corrected_latex: str | None = None,
    domain: Callable[[sp.Expr], Domain] | None = None,
) -> Decision:
    """Decide a matrix formula entrywise, like :func:`~derivations.decide.decide_matrix`.

    The order of the work differs (:func:`compare_entries`): each entry is first tried with
    ``expand`` and ``cancel``, then searched for an exact rational counterexample, and only
    then simplified. A failed ``simplify`` on the losses of a whole network takes minutes; a
    found point refutes at once.

    Parameters
    ----------
    build : callable dims -> (correct, stated)
        The derived gradient and the document's formula on the same symbolic matrices; raises
        ``sympy.ShapeError`` where the document's product is undefined.
    shapes : sequence of tuple of int
        The dimensions to try, in order.
    what : str
        How the reason names the formula.
    corrected, corrected_latex : optional
        The right formula, decided the same way when the stated one is refuted.
    domain : callable expr -> mapping Symbol -> (lo, hi), optional
        The open interval each symbol of an entry's difference is drawn from for a
        counterexample (e.g. labels in (0, 1)); others are drawn from (-3, 3).

    Returns
    -------
    Decision
        ``PROVEN`` at every shape, ``REFUTED`` (undefined product, wrong shape, or an exact
        counterexample) at the first failing shape, or ``UNDECIDED``.
    """
    def fix() -> Decision | None:
        if corrected is None:
            return None
        return decide_fast(corrected, shapes, what="the corrected formula")

    for dims in shapes:
        try:
            correct, stated = build(dims)
        except sp.ShapeError as exc:
            return _shape_refutation(
                f"{what} is not defined at dimensions {dims} (shape error: {exc})",
                dims, "undefined", "defined", fix(), corrected_latex,
            )
        if correct.shape != stated.shape:
            return _shape_refutation(
                f"{what} has shape {stated.shape} but the gradient has shape {correct.shape} "
                f"at dimensions {dims}",
                dims, str(stated.shape), str(correct.shape), fix(), corrected_latex,
            )
        found = compare_entries(correct, stated, domain=domain)
        if found.verdict is Verdict.REFUTED:
            return Decision(
                Verdict.REFUTED,
                f"{what} differs from the derived gradient at dimensions {dims}: "
                f"{found.counterexample}",
                counterexample=found.counterexample, corrected=corrected_latex,
                corrected_check=fix(),
                evidence=("entrywise comparison on symbolic matrices",
                          "exact rational counterexample"),
            )
        if found.verdict is Verdict.UNDECIDED:
            return Decision(
                Verdict.UNDECIDED,
                f"entry {found.index} of {what} at dimensions {dims} did not simplify to 0 and "
                "no rational point separates the sides",
            )
    return Decision(
        Verdict.PROVEN,
        f"{what} equals the entrywise derivative for all {len(shapes)} shapes tried",
        evidence=(f"dimensions: {', '.join(map(str, shapes))}",),
    )


def decide_fast_scalar(correct: sp.Expr, stated: sp.Expr, *, what: str,
                       domain: Domain | None = None) -> Decision:
    """:func:`~derivations.decide.decide_equal`, with a counterexample sought before simplify.

    For the composed losses of a whole network a failed ``simplify`` is slow; a cheap
    ``expand``/``cancel`` proves the chain-rule identities and an exact point refutes the rest;
    what is left goes to :func:`~derivations.decide.decide_equal`. With a generic activation
    ``g`` a proof holds for every ``g`` (its values and derivatives are independent symbols,
    :func:`~derivations.decide.freeze_functions`), and a counterexample names the values of
    ``g`` it uses.

    Parameters
    ----------
    correct, stated : sympy.Expr
        The derived value and the document's.
    what : str
        How the reason names the document's formula.
    domain : mapping Symbol -> (lo, hi), optional
        Where the counterexample's symbols are drawn from (e.g. a label in (0, 1)).

    Returns
    -------
    Decision
        ``PROVEN``; ``REFUTED`` with the derived value as the (proven) correction; or
        :func:`~derivations.decide.decide_equal`'s decision.
    """
    diff = sp.sympify(correct - stated)
    if sp.expand(diff) == 0 or sp.cancel(diff) == 0:
        return Decision(Verdict.PROVEN, f"{what} minus the derived value expands to 0",
                        evidence=("expand/cancel(correct - stated) == 0",))
    cex = find_counterexample(correct, stated, domain=domain)
    if cex is None:
        return decide_equal(correct, stated, domain=domain, what=what)
    return Decision(
        Verdict.REFUTED, f"{what} differs from the derived value: {cex}", counterexample=cex,
        corrected=sp.latex(correct), corrected_check=decide_equal(correct, correct,
                                                                  what="the derived value"),
        corrected_expr=correct,
        evidence=("expand/cancel left a nonzero difference", "exact rational counterexample"),
    )
