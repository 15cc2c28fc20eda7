"""Plain frozen records that the report's collect stage returns and its renderers read.

Nothing here computes: records hold what `derivations`, `numeric` and `checks` computed, so the
renderers can be tested on hand-built records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

__all__ = [
    "CatalogueRow",
    "ClaimRecord",
    "ConventionRow",
    "DerivationRecord",
    "FormulaRow",
    "NetworkCheck",
    "Report",
    "StepCurve",
    "TrainingRecord",
]

#: verdict names in the order the report lists them
VERDICTS = (
    "proven",
    "proven_under_convention",
    "refuted",
    "undecided",
    "ambiguous",
    "definition",
)


@dataclass(frozen=True, eq=False)
class ClaimRecord:
    """One claim and its computed verdict, as the report shows it."""

    id: str
    document: str
    title: str
    quote: str
    kind: str
    statement: sp.Basic | None
    latex: str
    verdict: str
    reason: str
    counterexample: Mapping[str, Any] | None = None
    corrected: str | None = None
    corrected_verdict: str | None = None
    corrected_statement: sp.Basic | None = None
    conventions: tuple[Mapping[str, Any], ...] = ()
    readings: tuple[Mapping[str, str], ...] = ()
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConventionRow:
    """The conventions one document uses."""

    document: str
    network: str
    layout: str
    loss: str
    reduction: str
    half: str
    labels: str


@dataclass(frozen=True)
class FormulaRow:
    """dW, db and dA_prev of one affine layer under one layout, with a computed verdict.

    The formulas are SymPy matrix expressions (``MatrixSymbol`` products); renderers print
    them as LaTeX or MathML.
    """

    layout: str
    forward: sp.Basic
    dW: sp.Basic
    db: sp.Basic
    dA_prev: sp.Basic
    verdict: str
    shapes: int


@dataclass(frozen=True)
class NetworkCheck:
    """Three-way agreement of the gradients of one document network at the report's seed.

    ``*_rel`` are maximum relative differences ``max|a - b| / max(max|b|, tiny)`` over all
    parameters; ``None`` when that source is not available for the network.
    """

    name: str
    document: str
    description: str
    n_params: int
    symbolic_vs_analytic: float | None
    analytic_vs_fd: float
    symbolic_vs_fd: float | None
    fd_verdict: str
    fd_method: str


@dataclass(frozen=True)
class StepCurve:
    """Finite-difference error against the step size for one method."""

    method: str
    h: tuple[float, ...]
    error: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class TrainingRecord:
    """The spiral network's training run and the data to draw its decision regions."""

    hidden: int
    epochs: int
    lr: float
    history: tuple[float, ...]
    accuracy: float
    X: Any  # ndarray (m, 2)
    y: Any  # ndarray (m,)
    grid_x: Any  # ndarray (g,)
    grid_y: Any  # ndarray (g,)
    grid_class: Any  # ndarray (g, g) int


@dataclass(frozen=True)
class CatalogueRow:
    """The checker's verdict on one implementation of the bug catalogue, by method."""

    name: str
    wrong: bool
    verdicts: Mapping[str, str]
    diagnosis: str = ""


@dataclass(frozen=True, eq=False)
class DerivationRecord:
    """One of the user's own derivations (``gradproof report --formulas FILE``), decided.

    ``claims`` holds one record per formula and per gradient the code binds, shown as the
    documents' claims are; ``quote`` is the formula or the code's line as the user wrote it.
    """

    name: str
    spec: str
    claims: tuple[ClaimRecord, ...]
    first_wrong: str | None = None
    code_origin: str | None = None
    aliasing: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Report:
    """Everything the report shows, computed by :func:`gradproof.report.collect.collect`."""

    seed: int
    claims: tuple[ClaimRecord, ...]
    conventions: tuple[ConventionRow, ...] = ()
    formulas: tuple[FormulaRow, ...] = ()
    networks: tuple[NetworkCheck, ...] = ()
    step_curves: tuple[StepCurve, ...] = ()
    training: TrainingRecord | None = None
    catalogue: tuple[CatalogueRow, ...] = ()
    #: the user's own derivations (``--formulas FILE``), in the file's order
    derivations: tuple[DerivationRecord, ...] = ()
    #: the formulas file they came from, as given
    formulas_file: str | None = None
    notes: tuple[str, ...] = field(default=())
    #: whether every claim's quote was found in its document when the report was made
    quotes_checked: bool = False

    def documents(self) -> tuple[str, ...]:
        """The documents that have claims, in order."""
        return tuple(dict.fromkeys(c.document for c in self.claims))

    def counts(self, document: str | None = None) -> dict[str, int]:
        """Claims per verdict (all verdicts present, zeros included)."""
        counts = dict.fromkeys(VERDICTS, 0)
        for c in self.claims:
            if document is None or c.document == document:
                counts[c.verdict] = counts.get(c.verdict, 0) + 1
        return counts
