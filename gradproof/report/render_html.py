"""The report as one self-contained HTML file (``index.html``).

Math is presentation MathML printed by SymPy (no script, no network); plots are inline SVG.
A pure function of the records and the figures' SVG text.
"""

from __future__ import annotations

import html
import html.entities
import re
from collections.abc import Iterable, Mapping, Sequence

import sympy as sp
from sympy.printing.mathml import mathml

from gradproof.report.records import VERDICTS, ClaimRecord, Report
from gradproof.report.render_markdown import FIGURES, VERDICT_LABEL, fmt

__all__ = ["math_element", "render_html"]

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:68rem;margin:2rem auto;
padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1,h2,h3{line-height:1.2} h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}
td,th{border:1px solid #d0d0d0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3} blockquote{margin:.4rem 0;padding:.3rem .8rem;border-left:4px solid #ccc;
color:#444;background:#fafafa;font-size:.92rem}
.claim{border:1px solid #e3e3e3;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.claim h4{margin:.1rem 0 .4rem 0;font-size:1rem} code{font-size:.88rem}
.verdict{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-weight:600;
font-size:.85rem}
.proven{background:#dff3e4;color:#17602b} .proven_under_convention{background:#e4ecfb;
color:#1c3f8c} .refuted{background:#fbe2e2;color:#8c1c1c} .undecided{background:#f6efd9;
color:#6b5310} .ambiguous{background:#f1e4f7;color:#5c1f7a} .definition{background:#eee;
color:#444} .holds{color:#17602b} .fails{color:#8c1c1c}
math{font-size:1.1em} math[display=block]{margin:.5rem 0;overflow-x:auto}
figure{margin:1rem 0} figcaption{font-size:.9rem;color:#555} svg{max-width:100%;height:auto}
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _numeric_entity(match: re.Match[str]) -> str:
    """``&InvisibleTimes;`` -> ``&#8290;``: valid in HTML and in XML alike."""
    name = match.group(1)
    if name in ("amp", "lt", "gt", "quot", "apos"):
        return match.group(0)
    chars = html.entities.html5.get(name + ";")
    if chars is None:
        return match.group(0)
    return "".join(f"&#{ord(ch)};" for ch in chars)


def math_element(expr: sp.Basic, *, display: bool = True) -> str:
    """``expr`` as a ``<math>`` element of presentation MathML, printed by SymPy."""
    body = _NAMED_ENTITY.sub(_numeric_entity, mathml(expr, printer="presentation"))
    mode = ' display="block"' if display else ""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}>{body}</math>'


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table; cells are already HTML."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _badge(verdict: str) -> str:
    label = _esc(VERDICT_LABEL.get(verdict, verdict))
    return f'<span class="verdict {_esc(verdict)}">{label}</span>'


def _claim(c: ClaimRecord) -> str:
    parts = [f'<div class="claim" id="{_esc(c.id)}">',
             f"<h4><code>{_esc(c.id)}</code> {_esc(c.title)}</h4>",
             f"<blockquote>{_esc(c.quote)}</blockquote>"]
    if c.statement is not None:
        parts.append(math_element(c.statement))
    elif c.latex:
        parts.append(f"<p><code>{_esc(c.latex)}</code></p>")
    parts.append(f"<p>{_badge(c.verdict)} {_esc(c.reason)}</p>")
    if c.counterexample:
        point = ", ".join(f"{k} = {v}" for k, v in c.counterexample["point"].items())
        entry = c.counterexample.get("entry")
        where = f" (entry {_esc(entry)})" if entry else ""
        parts.append(
            f"<p>Counterexample{where}: at <code>{_esc(point)}</code> the document's formula "
            f"gives <code>{_esc(c.counterexample['stated'])}</code>, the derivative is "
            f"<code>{_esc(c.counterexample['correct'])}</code>.</p>"
        )
    if c.corrected:
        shown = (math_element(c.corrected_statement) if c.corrected_statement is not None
                 else f"<code>{_esc(c.corrected)}</code>")
        parts.append(f"<p>Corrected ({_esc(c.corrected_verdict or 'unchecked')}):</p>{shown}")
    if c.conventions:
        rows = [[_esc(x["label"]),
                 f'<span class="{"holds" if x["holds"] else "fails"}">'
                 f'{"holds" if x["holds"] else "fails"}</span>', _esc(x.get("detail", ""))]
                for x in c.conventions]
        parts.append(_table(["convention", "claim", "why"], rows))
    if c.readings:
        rows = [[_esc(r["description"]), _badge(r["verdict"]), _esc(r["reason"])]
                for r in c.readings]
        parts.append(_table(["reading", "verdict", "why"], rows))
    parts.append("</div>")
    return "\n".join(parts)


def render_html(report: Report, figures: Mapping[str, str]) -> str:
    """``index.html``: the same content as ``report.md``, with MathML and inline SVG plots.

    Parameters
    ----------
    report : Report
    figures : mapping file name -> SVG text
        The plots, keyed as in ``FIGURES``; missing ones are left out.
    """
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>gradproof derivation report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>gradproof derivation report</h1>",
        "<p>Every formula of the four backprop tutorials, derived and decided by SymPy, "
        "computed by NumPy and measured by finite differences, from live computation "
        f"(seed {report.seed}{', quick run' if report.quick else ''}).</p>",
        "<h2>Summary</h2>",
    ]
    rows = []
    for doc in (*report.documents(), None):
        counts = report.counts(doc)
        name = f'<a href="#doc-{_esc(doc)}">{_esc(doc)}</a>' if doc else "<strong>all</strong>"
        rows.append([name, str(sum(counts.values())), *(str(counts[v]) for v in VERDICTS)])
    out.append(_table(["document", "claims", *(VERDICT_LABEL[v] for v in VERDICTS)], rows))
    refuted = [c for c in report.claims if c.verdict == "refuted"]
    if refuted:
        out.append("<h2>What is wrong in the documents</h2>")
        out.append(f"<p>{len(refuted)} statements are refuted, each with an exact "
                   "counterexample and a corrected statement (details under each document "
                   "below):</p>")
        out.append(_table(["claim", "document", "statement", "why"],
                          [[f'<a href="#{_esc(c.id)}"><code>{_esc(c.id)}</code></a>',
                            _esc(c.document.split("_")[0]), _esc(c.title), _esc(c.reason)]
                           for c in refuted]))
    if report.networks:
        passed = sum(n.fd_verdict == "pass" for n in report.networks)
        out.append(f"<p>Numeric cross-checks: {passed} of {len(report.networks)} networks "
                   "pass.</p>")
    if report.conventions:
        out.append("<h2>Conventions of the documents</h2>")
        out.append(_table(
            ["document", "network", "layout", "loss", "reduction", "1/2 factor", "labels"],
            [[_esc(x) for x in (r.document, r.network, r.layout, r.loss, r.reduction, r.half,
                                r.labels)] for r in report.conventions]))
    if report.formulas:
        out.append("<p>How the gradients of one affine layer change with the layout (dZ is "
                   "dL/dZ, already divided by m when the loss is a mean); each row is proven "
                   "entrywise by SymPy:</p>")
        out.append(_table(
            ["layout", "forward", "dW", "db", "dA_prev", "verdict"],
            [[_esc(r.layout),
              *(math_element(e, display=False) for e in (r.forward, r.dW, r.db, r.dA_prev)),
              f"{_badge(r.verdict)} ({r.shapes} shapes)"] for r in report.formulas]))
    if report.networks:
        out.append("<h2>Numeric cross-check</h2><p>Maximum relative difference between the "
                   "gradients of each document network from SymPy (symbolic), <code>numeric"
                   "</code> (analytic) and finite differences (FD).</p>")
        out.append(_table(
            ["network", "document", "parameters", "symbolic vs analytic", "analytic vs FD",
             "symbolic vs FD", "FD check"],
            [[_esc(n.description), _esc(n.document), str(n.n_params),
              fmt(n.symbolic_vs_analytic), fmt(n.analytic_vs_fd), fmt(n.symbolic_vs_fd),
              _esc(f"{n.fd_verdict} ({n.fd_method})")] for n in report.networks]))
    if report.training is not None:
        t = report.training
        out.append(f"<p>The spiral network (hidden width {t.hidden}, {t.epochs} epochs of "
                   f"gradient descent, lr {t.lr:g}) reaches training accuracy "
                   f"{t.accuracy:.1%} (final loss {t.history[-1]:.4g}).</p>")
    if report.catalogue:
        methods = sorted({m for r in report.catalogue for m in r.verdicts})
        out.append("<h2>The checker on the bug catalogue</h2>")
        out.append(_table(
            ["implementation", "wrong?", *methods, "diagnosis"],
            [[_esc(r.name), "wrong" if r.wrong else "correct",
              *(_esc(r.verdicts.get(m, "—")) for m in methods), _esc(r.diagnosis)]
             for r in report.catalogue]))
    out.append("<h2>Plots</h2>")
    for name, caption in FIGURES.items():
        if name in figures:
            out.append(f'<figure id="fig-{_esc(name)}">{figures[name]}'
                       f"<figcaption>{_esc(caption)}</figcaption></figure>")
    for doc in report.documents():
        out.append(f'<h2 id="doc-{_esc(doc)}">{_esc(doc)}</h2>')
        out.extend(_claim(c) for c in report.claims if c.document == doc)
    for note in report.notes:
        out.append(f"<p><em>Note: {_esc(note)}</em></p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
