r"""Decision procedures for sums: how many terms, and what a bracket makes a sum cover.

The documents write costs as ``-\frac{1}{m}\sum_{i=1}^m (\dots)``. Two things in such a
formula are not settled by ``simplify(lhs - rhs)``:

- the index range: ``\sum_{i=0}^{m}`` has m + 1 terms, so dividing it by m is not a mean over
  m samples. :func:`term_count` counts the terms with ``sympy.Sum`` (symbolically in m), and
  :func:`decide_term_count` decides a stated count;
- the bracket: ``\sum_{i=1}^m(a_i) + b_i`` adds ``b_i`` once, outside the sum, with an index
  that no sum binds. :func:`decide_sum_equal` expands the document's expression as written
  and the intended one on concrete m (1, 2, 3 samples), binding any index left free by the
  bracket to every sample in turn, and compares them exactly.

Sums are written with ``sympy.Sum`` over ``IndexedBase`` objects (``y[i]``, ``a[i]``); the
procedures replace ``y[k]`` by a plain real symbol ``y_k`` after expansion so that
:func:`~derivations.decide.decide_equal` sees ordinary expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy as sp

from derivations.claim import Counterexample, Decision, Verdict
from derivations.decide import Domain, decide_equal

__all__ = [
    "decide_sum_equal",
    "decide_term_count",
    "expand_sum",
    "free_indices",
    "term_count",
]


def term_count(lower: sp.Expr, upper: sp.Expr, *, index: sp.Symbol | None = None) -> sp.Expr:
    r"""The number of terms of ``\sum_{index=lower}^{upper}``, as ``sympy.Sum(1, ...)``.

    Parameters
    ----------
    lower, upper : sympy.Expr
        The bounds as written (they may contain a symbolic ``m``).
    index : sympy.Symbol, optional
        The summation index; a fresh integer symbol by default.

    Returns
    -------
    sympy.Expr
        ``upper - lower + 1`` as SymPy evaluates it.

    Examples
    --------
    >>> m = sp.Symbol("m", integer=True, positive=True)
    >>> term_count(1, m), term_count(0, m)
    (m, m + 1)
    """
    i = index if index is not None else sp.Symbol("i", integer=True)
    return sp.Sum(1, (i, lower, upper)).doit()


def decide_term_count(
    lower: sp.Expr, upper: sp.Expr, expected: sp.Expr, *, what: str
) -> Decision:
    r"""Decide that ``\sum_{i=lower}^{upper}`` has ``expected`` terms (e.g. m, one per sample).

    Parameters
    ----------
    lower, upper : sympy.Expr
        The bounds as written, possibly in a positive integer symbol such as ``m``.
    expected : sympy.Expr
        The number of terms the statement needs (``m`` for a mean over m samples).
    what : str
        How the reason names the sum.

    Returns
    -------
    Decision
        ``PROVEN`` when the count SymPy computes minus ``expected`` simplifies to 0, else
        ``REFUTED`` with the smallest integer point where they differ (e.g. m = 1: 2 terms,
        expected 1) and the corrected range ``\sum_{i=1}^{expected}``, itself decided.

    Examples
    --------
    >>> m = sp.Symbol("m", integer=True, positive=True)
    >>> decide_term_count(1, m, m, what="the sum").verdict.value
    'proven'
    >>> decide_term_count(0, m, m, what="the sum").counterexample.stated
    '2'
    """
    lower, upper, expected = sp.sympify(lower), sp.sympify(upper), sp.sympify(expected)
    count = term_count(lower, upper)
    evidence = (f"Sum(1, (i, {lower}, {upper})).doit() = {count}",)
    if sp.simplify(count - expected) == 0:
        return Decision(
            Verdict.PROVEN,
            f"{what} runs over i = {lower}..{upper}: {count} terms, as needed ({expected})",
            evidence=evidence,
        )
    symbols = sorted(count.free_symbols | expected.free_symbols, key=str)
    for n in range(1, 11):
        point = {s: n for s in symbols}
        have, want = count.subs(point), expected.subs(point)
        if have != want:
            corrected = decide_term_count(1, expected, expected, what="the corrected sum")
            return Decision(
                Verdict.REFUTED,
                f"{what} runs over i = {lower}..{upper}: {count} terms, not {expected} "
                f"(at {', '.join(f'{s} = {n}' for s in symbols) or 'any size'}: {have} terms)",
                counterexample=Counterexample(
                    point={str(s): str(n) for s in symbols}, stated=str(have), correct=str(want)
                ),
                corrected=rf"\sum_{{i=1}}^{{{sp.latex(expected)}}}",
                corrected_check=corrected,
                evidence=evidence,
            )
    return Decision(
        Verdict.UNDECIDED,
        f"{what}: the count {count} did not simplify to {expected}, yet they agree at 1..10",
        evidence=evidence,
    )


def free_indices(expr: sp.Expr, indices: Sequence[sp.Symbol]) -> list[sp.Symbol]:
    """The summation indices in ``indices`` that occur free in ``expr`` (outside every sum).

    Examples
    --------
    >>> i = sp.Symbol("i", integer=True)
    >>> y = sp.IndexedBase("y")
    >>> free_indices(sp.Sum(y[i], (i, 1, 2)) + y[i], [i])
    [i]
    """
    return [i for i in indices if i in expr.free_symbols]


def _plain(expr: sp.Expr) -> sp.Expr:
    """Replace each ``Indexed`` ``y[k]`` (k an integer) by the real symbol ``y_k``."""
    table = {
        ix: sp.Symbol(f"{ix.base}_{'_'.join(map(str, ix.indices))}", real=True)
        for ix in expr.atoms(sp.Indexed)
    }
    return expr.xreplace(table)


def expand_sum(expr: sp.Expr, m_symbol: sp.Symbol, m: int,
               binding: Mapping[sp.Symbol, int] | None = None) -> sp.Expr:
    """``expr`` with ``m_symbol = m``, every ``Sum`` written out, free indices bound.

    Parameters
    ----------
    expr : sympy.Expr
        A formula with ``Sum`` over ``IndexedBase`` entries.
    m_symbol : sympy.Symbol
        The number of samples in ``expr``.
    m : int
        Its concrete value.
    binding : mapping index -> int, optional
        Values for indices that no sum binds (a bracket closed too early).

    Returns
    -------
    sympy.Expr
        An ordinary expression in real symbols ``y_1, a_1, ...``.

    Examples
    --------
    >>> i, m = sp.Symbol("i", integer=True), sp.Symbol("m", integer=True, positive=True)
    >>> y = sp.IndexedBase("y")
    >>> expand_sum(sp.Sum(y[i], (i, 1, m)) / m, m, 2)
    y_1/2 + y_2/2
    """
    out = expr.subs(m_symbol, m)
    if binding:
        out = out.subs(dict(binding))
    out = out.replace(lambda e: isinstance(e, sp.Sum), lambda e: e.doit())
    return sp.expand(_plain(out), log=False, mul=True, power_base=False, power_exp=False)


def decide_sum_equal(
    stated: sp.Expr,
    reference: Callable[[int], sp.Expr],
    *,
    m_symbol: sp.Symbol,
    indices: Sequence[sp.Symbol],
    corrected: sp.Expr | None = None,
    m_values: Sequence[int] = (1, 2, 3),
    domain: Callable[[sp.Expr], Domain] | None = None,
    what: str = "the stated sum",
) -> Decision:
    r"""Decide a sum as written against the quantity it should equal, exactly, for concrete m.

    For each m in ``m_values`` the document's expression is written out term by term and
    compared with ``reference(m)``. An index that the document's bracket leaves outside its
    sum is bound in turn to every sample 1..m: the statement is proven only if it holds for
    every binding, and refuted at the first m and binding where it fails. Each comparison is
    :func:`~derivations.decide.decide_equal`.

    Parameters
    ----------
    stated : sympy.Expr
        The document's formula parsed as written (brackets where the document puts them),
        with ``Sum`` over ``IndexedBase`` entries.
    reference : callable m -> sympy.Expr
        The quantity at m samples, built independently in the plain symbols ``y_1, a_1, ...``
        (e.g. the mean of the per-sample losses).
    m_symbol : sympy.Symbol
        The number of samples in ``stated``.
    indices : sequence of sympy.Symbol
        The summation indices that a bracket may leave free.
    corrected : sympy.Expr, optional
        The right formula (bracket moved), decided the same way when ``stated`` is refuted;
        it must come out proven.
    m_values : sequence of int
        The sample counts to expand at.
    domain : callable expression -> Domain, optional
        Open intervals for the sample points (e.g. predictions in (0, 1) for a logarithm).
    what : str
        How the reason names the statement.

    Returns
    -------
    Decision
        ``PROVEN`` if equal for every m (and every binding), ``REFUTED`` with an exact
        counterexample at the first m that fails and the corrected formula's decision,
        ``UNDECIDED`` if a comparison could not be decided.

    Raises
    ------
    ValueError
        If ``m_values`` is empty or holds something else than ints >= 1.

    Examples
    --------
    >>> i, m = sp.Symbol("i", integer=True), sp.Symbol("m", integer=True, positive=True)
    >>> y = sp.IndexedBase("y")
    >>> def twice_mean(k):
    ...     return sum(2 * sp.Symbol(f"y_{j}", real=True) for j in range(1, k + 1)) / k
    >>> written = sp.Sum(y[i], (i, 1, m)) / m + y[i]       # bracket closed after y[i]
    >>> decide_sum_equal(written, twice_mean, m_symbol=m, indices=[i]).verdict.value
    'refuted'
    """
    if not m_values or not all(isinstance(m, int) and m >= 1 for m in m_values):
        raise ValueError(f"m_values must be a non-empty sequence of ints >= 1, got {m_values!r}")
    free = free_indices(stated, indices)
    for m in m_values:
        bindings: list[dict[sp.Symbol, int]] = [{}]
        for k in free:
            bindings = [{**b, k: v} for b in bindings for v in range(1, m + 1)]
        correct = sp.sympify(reference(m))
        for binding in bindings:
            written = expand_sum(stated, m_symbol, m, binding)
            where = f"m = {m}" + "".join(f", free index {k} = {v}" for k, v in binding.items())
            dom = domain(written + correct) if domain is not None else None
            d = decide_equal(correct, written, domain=dom, what=f"{what} at {where}")
            if d.verdict is Verdict.PROVEN:
                continue
            if d.verdict is Verdict.UNDECIDED:
                return d
            check = None
            if corrected is not None:
                check = decide_sum_equal(corrected, reference, m_symbol=m_symbol,
                                         indices=indices, m_values=m_values, domain=domain,
                                         what="the corrected sum")
            prefix = (f"the bracket leaves the index {', '.join(map(str, free))} outside "
                      "its sum; " if free else "")
            return Decision(
                Verdict.REFUTED,
                prefix + d.reason,
                counterexample=d.counterexample,
                corrected=None if corrected is None else sp.latex(corrected),
                corrected_check=check,
                corrected_expr=corrected,
                evidence=(f"sums written out at m = {m}", *d.evidence),
            )
    return Decision(
        Verdict.PROVEN,
        f"{what} equals the reference term by term for m = {', '.join(map(str, m_values))}"
        + (f" and every value of the free index {', '.join(map(str, free))}" if free else ""),
        evidence=(f"sums written out at m = {tuple(m_values)}",),
    )
