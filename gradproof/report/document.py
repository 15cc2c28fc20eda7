"""What the report says: the records turned into blocks, one function per section.

`report_blocks` is the only place where the report's content, order and prose live; the
Markdown and HTML writers render its blocks. A new section is one function of the
``Report`` appended to `SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gradproof.report.blocks import (
    Badge,
    Block,
    Box,
    Figure,
    Heading,
    Inline,
    Link,
    Mark,
    Math,
    MathBlock,
    Paragraph,
    Quote,
    Table,
    Text,
    mixed,
)
from gradproof.report.figures import FIGURES
from gradproof.report.records import VERDICTS, ClaimRecord, Report

__all__ = ["SECTIONS", "TITLE", "VERDICT_LABEL", "claim_blocks", "fmt", "report_blocks"]

TITLE = "gradproof derivation report"

VERDICT_LABEL = {
    "proven": "proven",
    "proven_under_convention": "proven under convention",
    "refuted": "refuted",
    "undecided": "undecided",
    "ambiguous": "ambiguous",
    "definition": "definition",
}

Section = Callable[[Report], Sequence[Block]]


def fmt(x: float | None) -> str:
    """A figure with 2 significant digits, or an em dash when absent."""
    return "—" if x is None else f"{x:.2g}"


def _t(text: object) -> tuple[Inline, ...]:
    return (Text(str(text)),)


def _table(header: Sequence[str], rows: Sequence[Sequence[tuple[Inline, ...]]]) -> Table:
    return Table(tuple(header), tuple(tuple(row) for row in rows))


def introduction(report: Report) -> list[Block]:
    """The title and what the report is, with the seed and whether quotes were re-checked."""
    quotes = ("Every claim's quote was found in its document when this report was made."
              if report.quotes_checked else
              "Quotes not re-checked against the documents (no documents directory was found).")
    return [
        Heading(1, _t(TITLE)),
        Paragraph(_t(f"Every formula of the {_tutorials(len(report.documents()))}, derived "
                     "and decided by SymPy, computed by NumPy and measured by finite "
                     f"differences, from live computation (seed {report.seed}). {quotes}")),
    ]


def _tutorials(n: int) -> str:
    """``4`` as ``"four backprop tutorials"`` (up to ten in words, as prose writes them)."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return f"{words[n] if n < len(words) else n} backprop tutorial{'' if n == 1 else 's'}"


def summary(report: Report) -> list[Block]:
    """Claims per document and verdict, then the refuted statements."""
    rows = []
    for doc in (*report.documents(), None):
        counts = report.counts(doc)
        name = (Link(_t(doc), f"doc-{doc}"),) if doc else (Text("all", "strong"),)
        rows.append([name, _t(sum(counts.values())), *(_t(counts[v]) for v in VERDICTS)])
    blocks: list[Block] = [
        Heading(2, _t("Summary")),
        _table(["document", "claims", *(VERDICT_LABEL[v] for v in VERDICTS)], rows),
    ]
    refuted = [c for c in report.claims if c.verdict == "refuted"]
    if refuted:
        blocks += [
            Heading(2, _t("What is wrong in the documents")),
            Paragraph(_t(f"{len(refuted)} statements are refuted, each with an exact "
                         "counterexample and a corrected statement (details under each "
                         "document below):")),
            _table(["claim", "document", "statement", "why"],
                   [[(Link((Text(c.id, "code"),), c.id),), _t(c.document.split("_")[0]),
                     _t(c.title), mixed(c.reason)] for c in refuted]),
        ]
    if report.networks:
        passed = sum(n.fd_verdict == "pass" for n in report.networks)
        blocks.append(Paragraph(_t(f"Numeric cross-checks: {passed} of {len(report.networks)} "
                                   "networks pass.")))
    return blocks


def conventions(report: Report) -> list[Block]:
    """Each document's conventions, and the affine layer's gradients in both layouts."""
    blocks: list[Block] = []
    if report.conventions:
        blocks += [
            Heading(2, _t("Conventions of the documents")),
            _table(["document", "network", "layout", "loss", "reduction", "1/2 factor", "labels"],
                   [[_t(x) for x in (r.document, r.network, r.layout, r.loss, r.reduction,
                                     r.half, r.labels)] for r in report.conventions]),
        ]
    if report.formulas:
        blocks += [
            Paragraph(_t("How the gradients of one affine layer change with the layout (dZ is "
                         "dL/dZ, already divided by m when the loss is a mean); each row is "
                         "proven entrywise by SymPy:")),
            _table(["layout", "forward", "dW", "db", "dA_prev", "verdict"],
                   [[_t(r.layout), *((Math(e),) for e in (r.forward, r.dW, r.db, r.dA_prev)),
                     (Badge(r.verdict), Text(f" ({r.shapes} shapes)"))]
                    for r in report.formulas]),
        ]
    return blocks


def numeric_checks(report: Report) -> list[Block]:
    """Symbolic vs analytic vs finite-difference gradients, and the spiral training run."""
    blocks: list[Block] = []
    if report.networks:
        blocks += [
            Heading(2, _t("Numeric cross-check")),
            Paragraph((Text("Maximum relative difference between the gradients of each "
                            "document network from SymPy (symbolic), "), Text("numeric", "code"),
                       Text(" (analytic) and finite differences (FD)."))),
            _table(["network", "document", "parameters", "symbolic vs analytic",
                    "analytic vs FD", "symbolic vs FD", "FD check"],
                   [[_t(n.description), _t(n.document), _t(n.n_params),
                     _t(fmt(n.symbolic_vs_analytic)), _t(fmt(n.analytic_vs_fd)),
                     _t(fmt(n.symbolic_vs_fd)), _t(f"{n.fd_verdict} ({n.fd_method})")]
                    for n in report.networks]),
        ]
    if report.training is not None:
        t = report.training
        blocks.append(Paragraph(_t(
            f"The spiral network (hidden width {t.hidden}, {t.epochs} epochs of gradient "
            f"descent, lr {t.lr:g}) reaches training accuracy {t.accuracy:.1%} (final loss "
            f"{t.history[-1]:.4g}).")))
    return blocks


def catalogue(report: Report) -> list[Block]:
    """The checker's verdict on every implementation of the bug catalogue, by method."""
    if not report.catalogue:
        return []
    methods = sorted({m for r in report.catalogue for m in r.verdicts})
    return [
        Heading(2, _t("The checker on the bug catalogue")),
        _table(["implementation", "wrong?", *methods, "diagnosis"],
               [[_t(r.name), _t("wrong" if r.wrong else "correct"),
                 *(_t(r.verdicts.get(m, "—")) for m in methods), mixed(r.diagnosis)]
                for r in report.catalogue]),
    ]


def plots(report: Report) -> list[Block]:
    """The figures whose records are present."""
    return [Heading(2, _t("Plots")),
            *(Figure(f.name, f.caption) for f in FIGURES if f.present(report))]


def claim_blocks(c: ClaimRecord, *, stated_by: str = "the document's formula") -> Box:
    """One claim: quote, statement, verdict, counterexample, correction, cases and readings.

    ``stated_by`` names the side under test in the counterexample's sentence.
    """
    blocks: list[Block] = [
        Heading(4, (Text(c.id, "code"), Text(f": {c.title}"))),
        Quote(mixed(c.quote)),
    ]
    if c.statement is not None:
        blocks.append(MathBlock(Math(c.statement)))
    elif c.latex:
        blocks.append(MathBlock(Math(latex=c.latex)))
    blocks.append(Paragraph((Badge(c.verdict), Text(" "), *mixed(c.reason))))
    if c.counterexample:
        cex = c.counterexample
        point = ", ".join(f"{k} = {v}" for k, v in cex["point"].items())
        entry = f" (entry {cex['entry']})" if cex.get("entry") else ""
        blocks.append(Paragraph((
            Text(f"Counterexample{entry}: at "), Text(point, "code"),
            Text(f" {stated_by} gives "), Text(str(cex["stated"]), "code"),
            Text(", the derivative is "), Text(str(cex["correct"]), "code"), Text("."))))
    if c.corrected:
        label = Text(f"Corrected ({c.corrected_verdict or 'unchecked'}):")
        shown = mixed(c.corrected)
        if c.corrected_statement is not None:
            blocks += [Paragraph((label,)), MathBlock(Math(c.corrected_statement))]
        elif len(shown) == 1 and isinstance(shown[0], Math):
            blocks += [Paragraph((label,)), MathBlock(shown[0])]
        else:
            blocks.append(Paragraph((label, Text(" "), *shown)))
    if c.conventions:
        blocks.append(_table(["convention", "claim", "why"], [
            [mixed(x["label"]), (Mark("holds", "holds") if x["holds"] else Mark("fails", "fails"),),
             mixed(x.get("detail", ""))] for x in c.conventions]))
    if c.readings:
        blocks.append(_table(["reading", "verdict", "why"], [
            [mixed(r["description"]), (Badge(r["verdict"]),), mixed(r["reason"])]
            for r in c.readings]))
    return Box(c.id, tuple(blocks))


def claims_by_document(report: Report) -> list[Block]:
    """Every claim, grouped under its document's heading."""
    blocks: list[Block] = []
    for doc in report.documents():
        blocks.append(Heading(2, _t(doc), anchor=f"doc-{doc}"))
        blocks.extend(claim_blocks(c) for c in report.claims if c.document == doc)
    return blocks


def your_derivations(report: Report) -> list[Block]:
    """The user's own derivations (``--formulas FILE``), each step shown as a claim is."""
    if not report.derivations:
        return []
    source = f" from {report.formulas_file}" if report.formulas_file else ""
    rows = []
    for k, d in enumerate(report.derivations, start=1):
        counts = dict.fromkeys(VERDICTS, 0)
        for c in d.claims:
            counts[c.verdict] = counts.get(c.verdict, 0) + 1
        rows.append([(Link(_t(d.name), f"yours-{k}"),), (Text(d.spec, "code"),),
                     *(_t(counts[v]) for v in VERDICTS[:4]),
                     (Text(d.first_wrong, "code"),) if d.first_wrong else _t("—")])
    blocks: list[Block] = [
        Heading(2, _t("Your derivations"), anchor="your-derivations"),
        Paragraph(_t(f"{len(report.derivations)} derivation(s){source}, decided as the "
                     "documents' claims are: each formula entry by entry against sympy.diff "
                     "of the spec's loss at several shapes; backward code run on exact inputs "
                     "(this runs the code of the file) and each gradient it binds decided.")),
        _table(["derivation", "spec", *(VERDICT_LABEL[v] for v in VERDICTS[:4]),
                "first wrong step"], rows),
    ]
    for k, d in enumerate(report.derivations, start=1):
        blocks.append(Heading(3, _t(d.name), anchor=f"yours-{k}"))
        about: list[Inline] = [Text("Network "), Text(d.spec, "code")]
        if d.code_origin:
            origin = "inline" if d.code_origin == "inline" else f"from {d.code_origin}"
            about.append(Text(f"; backward code {origin}, run on exact inputs"))
        if d.first_wrong:
            about += [Text("; the first formula that goes wrong is "),
                      Text(d.first_wrong, "code")]
        blocks.append(Paragraph((*about, Text("."))))
        blocks.extend(claim_blocks(c, stated_by="your formula" if c.kind == "formula"
                                   else "your code") for c in d.claims)
        blocks.extend(Paragraph((Mark("aliasing", "fails"), Text(f": {a}"))) for a in d.aliasing)
    return blocks


def notes(report: Report) -> list[Block]:
    """Free-form notes attached to the records."""
    return [Paragraph((Text(f"Note: {note}", "em"),)) for note in report.notes]


#: the report's sections in order; each is a function ``Report -> blocks``
SECTIONS: tuple[Section, ...] = (
    introduction, summary, your_derivations, conventions, numeric_checks, catalogue, plots,
    claims_by_document, notes,
)


def report_blocks(report: Report, sections: Sequence[Section] = SECTIONS) -> tuple[Block, ...]:
    """The whole report as blocks: every section of ``sections``, in order."""
    return tuple(block for section in sections for block in section(report))
