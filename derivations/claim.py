"""Claims, verdicts and results: the data model of `derivations`.

A :class:`Claim` is one statement of a seed document, tied to its source by a verbatim quote.
Its ``decide`` function computes a :class:`Decision` with SymPy at run time; :func:`verify`
runs it, times it and returns a frozen :class:`Result`. No verdict is ever stored in a claim.

A claim's ``statement`` is display text for the procedure ``decide``, which does not read it:
the two are one thing. So :func:`dataclasses.replace` of a claim is impossible (every field
is ``init=False``; :class:`Claim` has its own constructor): a claim with another statement
needs another procedure, built by a document module. A :class:`Result`'s ``seconds`` is not
part of its equality, so ``verify(c) == verify(c)``.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

import sympy as sp

__all__ = [
    "Claim",
    "ConventionCase",
    "Counterexample",
    "Decision",
    "Reading",
    "ReadingKind",
    "Result",
    "Verdict",
    "verify",
]


class Verdict(enum.Enum):
    """What SymPy decided about a claim."""

    PROVEN = "proven"
    PROVEN_UNDER_CONVENTION = "proven_under_convention"
    REFUTED = "refuted"
    UNDECIDED = "undecided"
    AMBIGUOUS = "ambiguous"
    DEFINITION = "definition"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Counterexample:
    """An exact point where the two sides of a claim differ.

    ``point`` maps each variable's name to its exact value (as text, e.g. ``"3/7"``);
    ``stated`` is the value of the document's formula there and ``correct`` the value of the
    quantity SymPy derived. ``entry`` names the matrix entry for matrix claims.
    """

    point: Mapping[str, str]
    stated: str
    correct: str
    entry: str = ""

    def __str__(self) -> str:
        at = ", ".join(f"{k} = {v}" for k, v in self.point.items())
        where = f"entry {self.entry}, " if self.entry else ""
        return f"{where}at {at}: stated = {self.stated}, correct = {self.correct}"


@dataclass(frozen=True)
class ConventionCase:
    """Whether a claim holds under one convention (e.g. ``{"reduction": "sum", "half": "yes"}``)."""

    convention: Mapping[str, str]
    holds: bool
    detail: str = ""

    def label(self) -> str:
        """The convention as ``key=value`` pairs."""
        return ", ".join(f"{k}={v}" for k, v in self.convention.items())


#: ``"literal"``: what the words, symbols and shapes on the page say, in the document's own
#: conventions; ``"intended"``: a repair (a typo fixed, a label corrected, a transpose added)
ReadingKind = Literal["literal", "intended"]
READING_KINDS: tuple[str, ...] = get_args(ReadingKind)


@dataclass(frozen=True)
class Reading:
    """One reading of a statement, decided on its own.

    Build readings with :func:`derivations.decide.literal` and
    :func:`derivations.decide.intended`; :func:`derivations.decide.decide_readings` computes
    the claim's verdict from them.

    Attributes
    ----------
    description : str
        The reading in words.
    verdict : Verdict
    reason : str
    kind : {"literal", "intended"}
        Whether the reading is the statement as written or a repair of it.
    statement : str
        For an intended reading: the repaired statement, offered as the claim's correction.
    decision : Decision or None
        The reading's full decision (counterexample, correction); not part of equality.

    Raises
    ------
    ValueError
        If ``kind`` is not one of ``"literal"``, ``"intended"``.
    """

    description: str
    verdict: Verdict
    reason: str
    kind: ReadingKind
    statement: str = ""
    decision: Decision | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in READING_KINDS:
            raise ValueError(
                f"Reading kind={self.kind!r} is not one of {', '.join(map(repr, READING_KINDS))}:"
                " mark the statement as written 'literal' and a repair of it 'intended'"
            )
        if not isinstance(self.verdict, Verdict):
            raise TypeError(f"Reading verdict must be a Verdict, got {type(self.verdict).__name__}")


@dataclass(frozen=True)
class Decision:
    """The outcome of a claim's decision procedure (everything but identity and timing).

    Attributes
    ----------
    verdict : Verdict
    reason : str
        One sentence saying why, in terms of what was computed.
    counterexample : Counterexample or None
        For ``REFUTED``: an exact point where the sides differ.
    corrected : str or None
        For ``REFUTED``: the corrected statement (LaTeX), itself proven by ``corrected_check``.
    corrected_check : Decision or None
        The decision that proves ``corrected``.
    corrected_expr : sympy.Basic or None
        The corrected statement as a SymPy object, when there is one (for typesetting).
    conventions : tuple of ConventionCase
        For ``PROVEN_UNDER_CONVENTION`` (and any claim checked under several conventions).
    readings : tuple of Reading
        For ``AMBIGUOUS``: each reading and its verdict.
    evidence : tuple of str
        What was computed (simplification, shapes, points evaluated, precision).
    """

    verdict: Verdict
    reason: str
    counterexample: Counterexample | None = None
    corrected: str | None = None
    corrected_check: Decision | None = None
    corrected_expr: sp.Basic | None = None
    conventions: tuple[ConventionCase, ...] = ()
    readings: tuple[Reading, ...] = ()
    evidence: tuple[str, ...] = ()


_CLAIM_FIELDS = ("id", "document", "quote", "title", "statement", "decide", "latex",
                 "conventions", "kind", "depends_on", "numpy")


@dataclass(frozen=True, eq=False, init=False)
class Claim:
    """One statement of a seed document and the procedure that decides it.

    The statement and its procedure are one thing: every field is ``init=False``, so
    ``dataclasses.replace(claim, statement=...)`` raises ``ValueError`` instead of returning a
    claim whose verdict silently belongs to the old statement.

    Attributes
    ----------
    id : str
        Stable identifier, ``"<doc>-<what>[-<layout>]"``, e.g. ``"002-dW2-rows"``.
    document : str
        The seed file's name, e.g. ``"002_37ba765e96841764.txt"``.
    quote : str
        A short verbatim excerpt of the document where the statement appears.
    title : str
        One line saying what the claim states, in words.
    statement : sympy.Basic or None
        The statement as SymPy objects (typically ``Eq(lhs, rhs)``).
    decide : callable () -> Decision
        Computes the verdict with SymPy; run through :func:`verify`.
    latex : str
        The statement for display; derived from ``statement`` when not given.
    conventions : Mapping[str, str]
        The conventions the document states or assumes (layout, reduction, half, activation,
        labels).
    kind : str
        The kind of statement: ``"scalar"``, ``"matrix"``, ``"shape"``, ``"code"``,
        ``"update"``, ``"verbal"``, ``"definition"``, ``"network"``.
    depends_on : tuple of str
        Ids of the definitions and claims this one builds on.
    numpy : callable or None
        For matrix-form claims: builds the NumPy function returned by ``to_numpy``.
    """

    id: str = field(init=False)
    document: str = field(init=False)
    quote: str = field(init=False)
    title: str = field(init=False)
    statement: sp.Basic | None = field(init=False)
    decide: Callable[[], Decision] = field(init=False)
    latex: str = field(init=False)
    conventions: Mapping[str, str] = field(init=False)
    kind: str = field(init=False)
    depends_on: tuple[str, ...] = field(init=False)
    numpy: Callable[[], Callable[..., Any]] | None = field(init=False)

    def __init__(
        self,
        id: str,
        document: str,
        quote: str,
        title: str,
        statement: sp.Basic | None,
        decide: Callable[[], Decision],
        latex: str = "",
        conventions: Mapping[str, str] | None = None,
        kind: str = "scalar",
        depends_on: tuple[str, ...] = (),
        numpy: Callable[[], Callable[..., Any]] | None = None,
    ) -> None:
        if not latex and statement is not None:
            latex = sp.latex(statement)
        values = (id, document, quote, title, statement, decide, latex,
                  MappingProxyType(dict(conventions or {})), kind, tuple(depends_on), numpy)
        for name, value in zip(_CLAIM_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return f"Claim({self.id!r})"


@dataclass(frozen=True)
class Result(Decision):
    """A :class:`Decision` with the claim's identity and the seconds it took."""

    claim_id: str = ""
    document: str = ""
    title: str = ""
    seconds: float = field(default=0.0, compare=False)  # timing is not part of the verdict

    def __str__(self) -> str:
        lines = [f"{self.claim_id} [{self.document}]: {self.verdict.value}", f"  {self.title}"]
        lines.append(f"  reason: {self.reason}")
        if self.counterexample is not None:
            lines.append(f"  counterexample: {self.counterexample}")
        if self.corrected:
            status = self.corrected_check.verdict.value if self.corrected_check else "unchecked"
            lines.append(f"  corrected: {self.corrected}  ({status})")
        for case in self.conventions:
            mark = "holds" if case.holds else "fails"
            extra = f": {case.detail}" if case.detail else ""
            lines.append(f"  convention {case.label()}: {mark}{extra}")
        for reading in self.readings:
            lines.append(
                f"  {reading.kind} reading '{reading.description}': {reading.verdict.value} "
                f"({reading.reason})"
            )
        lines.append(f"  decided in {self.seconds:.3f} s")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Result({self.claim_id!r}, {self.verdict.value})"


def verify(claim: Claim) -> Result:
    """Decide a claim with SymPy and time it.

    Parameters
    ----------
    claim : Claim

    Returns
    -------
    Result
        The claim's decision with its id, document, title and the seconds it took.

    Raises
    ------
    TypeError
        If ``claim`` is not a :class:`Claim` or its procedure returns something else than a
        :class:`Decision`.
    """
    if not isinstance(claim, Claim):
        raise TypeError(f"verify() takes a Claim, got {type(claim).__name__}")
    start = time.perf_counter()
    decision = claim.decide()
    seconds = time.perf_counter() - start
    if not isinstance(decision, Decision):
        raise TypeError(
            f"claim {claim.id!r}: its decide() returned {type(decision).__name__}, not a Decision"
        )
    fields = {f: getattr(decision, f) for f in Decision.__dataclass_fields__}
    return Result(
        **fields, claim_id=claim.id, document=claim.document, title=claim.title, seconds=seconds
    )
