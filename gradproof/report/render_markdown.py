"""The report as Markdown (``report.md``), with LaTeX in ``$...$`` for repository pages.

A pure function of the records: no SymPy solving, no NumPy backprop, nothing random.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sympy import latex

from gradproof.report.records import VERDICTS, ClaimRecord, Report

__all__ = ["FIGURES", "render_markdown", "table"]

#: figure file names (written beside the report) and their captions, in display order
FIGURES = {
    "fd_error_vs_step.svg": "Finite-difference error against the step size h "
    "(forward, central, Richardson, complex step) on a document network.",
    "spiral_training.svg": "The spiral network of document 002: training loss and "
    "decision regions over the data.",
    "catalogue.svg": "Which bugs of the project's bug catalogue each method catches.",
}

VERDICT_LABEL = {
    "proven": "proven",
    "proven_under_convention": "proven under convention",
    "refuted": "refuted",
    "undecided": "undecided",
    "ambiguous": "ambiguous",
    "definition": "definition",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt(x: float | None) -> str:
    """A figure with 2 significant digits, or an em dash when absent."""
    return "—" if x is None else f"{x:.2g}"


def _summary(report: Report) -> str:
    header = ["document", "claims", *(VERDICT_LABEL[v] for v in VERDICTS)]
    rows = []
    for doc in (*report.documents(), None):
        counts = report.counts(doc)
        name = doc if doc is not None else "**all**"
        rows.append([name, sum(counts.values()), *(counts[v] for v in VERDICTS)])
    return table(header, rows)


def _claim(c: ClaimRecord) -> str:
    out = [f"#### `{c.id}`: {c.title}", "", f"> {_cell(c.quote)}", ""]
    shown = c.latex or (latex(c.statement) if c.statement is not None else "")
    if shown:
        out += [f"$${shown}$$", ""]
    out += [f"**Verdict: {VERDICT_LABEL.get(c.verdict, c.verdict)}.** {c.reason}", ""]
    if c.counterexample:
        point = ", ".join(f"{k} = {v}" for k, v in c.counterexample["point"].items())
        entry = f" (entry {c.counterexample['entry']})" if c.counterexample.get("entry") else ""
        out += [
            f"Counterexample{entry}: at {point}, the document's formula gives "
            f"`{c.counterexample['stated']}`, the derivative is `{c.counterexample['correct']}`.",
            "",
        ]
    if c.corrected:
        out += [f"Corrected: $${c.corrected}$$ ({c.corrected_verdict or 'unchecked'})", ""]
    if c.conventions:
        rows = [
            [conv["label"], "holds" if conv["holds"] else "fails", conv.get("detail", "")]
            for conv in c.conventions
        ]
        out += [table(["convention", "claim", "why"], rows), ""]
    if c.readings:
        rows = [[r["description"], VERDICT_LABEL.get(r["verdict"], r["verdict"]), r["reason"]]
                for r in c.readings]
        out += [table(["reading", "verdict", "why"], rows), ""]
    return "\n".join(out)


def render_markdown(
    report: Report, *, figures: Sequence[str] = tuple(FIGURES), figure_dir: str = "figures"
) -> str:
    """``report.md``: summary, conventions, cross-checks, plots, then every claim by document.

    ``figures`` names the figure files written beside the report (keys of ``FIGURES``).
    """
    parts = [
        "# gradproof derivation report",
        "",
        "Every formula of the four backprop tutorials, derived and decided by SymPy, computed "
        "by NumPy and measured by finite differences, from live computation "
        f"(seed {report.seed}{', quick run' if report.quick else ''}).",
        "",
        "## Summary",
        "",
        _summary(report),
        "",
    ]
    refuted = [c for c in report.claims if c.verdict == "refuted"]
    if refuted:
        parts += ["## What is wrong in the documents", "",
                  f"{len(refuted)} statements are refuted, each with an exact counterexample and "
                  "a corrected statement (details under each document below):", ""]
        parts += [table(["claim", "document", "statement", "why"],
                        [[f"`{c.id}`", c.document.split("_")[0], c.title, c.reason]
                         for c in refuted]), ""]
    if report.networks:
        checked = len(report.networks)
        passed = sum(n.fd_verdict == "pass" for n in report.networks)
        parts += [f"Numeric cross-checks: {passed} of {checked} networks pass.", ""]
    if report.conventions:
        parts += ["## Conventions of the documents", ""]
        parts += [
            table(
                ["document", "network", "layout", "loss", "reduction", "1/2 factor", "labels"],
                [[r.document, r.network, r.layout, r.loss, r.reduction, r.half, r.labels]
                 for r in report.conventions],
            ),
            "",
        ]
    if report.formulas:
        parts += [
            "How the gradients of one affine layer change with the layout "
            "(dZ is dL/dZ, already divided by m when the loss is a mean); each row is proven "
            "entrywise by SymPy:",
            "",
            table(
                ["layout", "forward", "dW", "db", "dA_prev", "verdict"],
                [[r.layout, *(f"${latex(e)}$" for e in (r.forward, r.dW, r.db, r.dA_prev)),
                  f"{r.verdict} ({r.shapes} shapes)"] for r in report.formulas],
            ),
            "",
        ]
    if report.networks:
        parts += ["## Numeric cross-check", "",
                  "Maximum relative difference between the gradients of each document network "
                  "from SymPy (symbolic), `numeric` (analytic) and finite differences (FD).", ""]
        parts += [
            table(
                ["network", "document", "parameters", "symbolic vs analytic",
                 "analytic vs FD", "symbolic vs FD", "FD check"],
                [[n.description, n.document, n.n_params, fmt(n.symbolic_vs_analytic),
                  fmt(n.analytic_vs_fd), fmt(n.symbolic_vs_fd),
                  f"{n.fd_verdict} ({n.fd_method})"] for n in report.networks],
            ),
            "",
        ]
    if report.training is not None:
        t = report.training
        parts += [
            f"The spiral network (hidden width {t.hidden}, {t.epochs} epochs of gradient descent, "
            f"lr {t.lr:g}) reaches training accuracy {t.accuracy:.1%} "
            f"(final loss {t.history[-1]:.4g}).",
            "",
        ]
    if report.catalogue:
        methods = sorted({m for r in report.catalogue for m in r.verdicts})
        parts += ["## The checker on the bug catalogue", ""]
        parts += [
            table(["implementation", "wrong?", *methods, "diagnosis"],
                  [[r.name, "wrong" if r.wrong else "correct",
                    *(r.verdicts.get(m, "—") for m in methods), r.diagnosis]
                   for r in report.catalogue]),
            "",
        ]
    parts += ["## Plots", ""]
    for name, caption in FIGURES.items():
        if name in figures:
            parts += [f"![{caption}]({figure_dir}/{name})", "", f"*{caption}*", ""]
    for doc in report.documents():
        parts += [f"## {doc}", ""]
        parts += [_claim(c) for c in report.claims if c.document == doc]
    for note in report.notes:
        parts += [f"> Note: {note}", ""]
    return "\n".join(parts).rstrip() + "\n"
