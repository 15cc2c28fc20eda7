"""The ``gradproof claims`` output: decide the selected claims, print a table or JSON.

Both formats are deterministic: claims in registry order, keys in a fixed order, and no
timings (the time a claim takes is the benchmark's business, ``python -m benchmarks claims``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from derivations import Claim, select
from gradproof.report.collect import collect_claims
from gradproof.report.records import VERDICTS, ClaimRecord

__all__ = [
    "DecidedClaim",
    "decide_claims",
    "format_claims_json",
    "format_claims_table",
    "select_claims",
]

SCHEMA_VERSION = 1
#: width of the reason column in the table; longer reasons end in "..."
REASON_WIDTH = 100


@dataclass(frozen=True, eq=False)
class DecidedClaim:
    """A claim and the record of its verdict, computed in this run."""

    claim: Claim
    record: ClaimRecord


def select_claims(
    *, document: str | None = None, claim_ids: Sequence[str] | None = None
) -> tuple[Claim, ...]:
    """The claims of ``document`` (default: all), only those of ``claim_ids`` when given.

    Parameters
    ----------
    document : str, optional
        A seed file name or its ``NNN`` prefix.
    claim_ids : sequence of str, optional
        Claim ids; a repeated id counts once.

    Returns
    -------
    tuple of Claim
        In registry order, whatever the order of ``claim_ids``.

    Raises
    ------
    ValueError
        For an unknown document or id, or an id outside ``document``; the message lists the
        valid ones.
    """
    claims = select(document=document)
    if claim_ids is None:
        return claims
    wanted = {c.id for cid in claim_ids for c in select(document=document, claim_id=cid)}
    return tuple(c for c in claims if c.id in wanted)


def decide_claims(
    claims: Sequence[Claim], *, workers: int | None = None
) -> tuple[DecidedClaim, ...]:
    """Verify ``claims`` and pair each with the record of its verdict.

    Parameters
    ----------
    claims : sequence of Claim
        From `select_claims`.
    workers : int, optional
        Processes to verify in; ``None`` uses up to 2, ``1`` verifies in this process.

    Returns
    -------
    tuple of DecidedClaim
        In the order of ``claims``.
    """
    records = collect_claims(claims, workers=workers)
    return tuple(DecidedClaim(c, r) for c, r in zip(claims, records, strict=True))


def _one_line(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def format_claims_table(decided: Sequence[DecidedClaim]) -> str:
    """A fixed-width table: id, document, verdict, one-line reason; then the verdict counts.

    Examples
    --------
    >>> from gradproof.report.records import ClaimRecord
    >>> from derivations import get_claim
    >>> c = get_claim("000-sigmoid-derivative")
    >>> rec = ClaimRecord(id=c.id, document=c.document, title="", quote="", kind="scalar",
    ...                   statement=None, latex="", verdict="proven", reason="it simplifies")
    >>> print(format_claims_table([DecidedClaim(c, rec)]))  # doctest: +NORMALIZE_WHITESPACE
    id                      document                  verdict  reason
    000-sigmoid-derivative  000_7a69e03d4d058e30.txt  proven   it simplifies
    <BLANKLINE>
    1 claim: 1 proven
    """
    header = ("id", "document", "verdict", "reason")
    rows = [(d.record.id, d.record.document, d.record.verdict,
             _one_line(d.record.reason, REASON_WIDTH)) for d in decided]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    lines = [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)), row[3]])
        .rstrip()
        for row in [header, *rows]
    ]
    return "\n".join([*lines, "", _summary(decided)])


def _summary(decided: Sequence[DecidedClaim]) -> str:
    counts = Counter(d.record.verdict for d in decided)
    parts = [f"{counts[v]} {v}" for v in VERDICTS if counts[v]]
    noun = "claim" if len(decided) == 1 else "claims"
    return f"{len(decided)} {noun}: {', '.join(parts)}" if parts else f"0 {noun}"


def _claim_json(d: DecidedClaim) -> dict[str, Any]:
    c, r = d.claim, d.record
    return {
        "id": c.id,
        "document": c.document,
        "title": c.title,
        "kind": c.kind,
        "quote": c.quote,
        "statement": None if c.statement is None else str(c.statement),
        "latex": c.latex,
        "conventions": dict(c.conventions),
        "depends_on": list(c.depends_on),
        "has_numpy": c.numpy is not None,
        "verdict": r.verdict,
        "reason": r.reason,
        "counterexample": None if r.counterexample is None else dict(r.counterexample),
        "corrected": r.corrected,
        "corrected_verdict": r.corrected_verdict,
        "convention_cases": [
            {"convention": dict(x["convention"]), "holds": x["holds"], "detail": x["detail"]}
            for x in r.conventions
        ],
        "readings": [dict(x) for x in r.readings],
        "evidence": list(r.evidence),
    }


def format_claims_json(decided: Sequence[DecidedClaim]) -> str:
    """The claims and their verdict details as a JSON document (no timings).

    Returns
    -------
    str
        ``{"schema_version", "summary": {verdict: count}, "claims": [...]}``, indented by 2.
    """
    counts = Counter(d.record.verdict for d in decided)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "summary": {v: counts[v] for v in VERDICTS},
        "claims": [_claim_json(d) for d in decided],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
