"""The report's blocks as one self-contained HTML file (``index.html``).

Every formula is presentation MathML, with no script and no network: SymPy's printer for SymPy
objects, ``latex2mathml`` for the documents' own LaTeX. Plots are inline SVG. A pure function
of the blocks and the figures' SVG text; what the report says is decided in
`gradproof.report.document`.
"""

from __future__ import annotations

import html
import html.entities
import re
from collections.abc import Iterable, Mapping

import sympy as sp
from sympy.printing.mathml import mathml

from gradproof.report import blocks as bl
from gradproof.report.document import TITLE, VERDICT_LABEL, report_blocks
from gradproof.report.mathtext import has_command, latex_to_mathml
from gradproof.report.records import Report

__all__ = ["html_blocks", "math_element", "render_html"]

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:68rem;margin:2rem auto;
padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1,h2,h3{line-height:1.2} h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem;display:block;overflow-x:auto;
max-width:100%}
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


def _text_of(markup: str) -> str:
    return re.sub(r"<[^>]*>", " ", markup)


def math_element(formula: bl.Math | sp.Basic, *, display: bool = True) -> str:
    r"""A formula as a ``<math>`` element of presentation MathML.

    A SymPy object is printed by SymPy's MathML printer, unless a symbol's name is itself
    LaTeX (``Symbol(r"\frac{\partial L}{\partial a^2}")``), which that printer would
    show raw: then SymPy's LaTeX goes through ``latex2mathml``, as the documents' LaTeX does.
    """
    if not isinstance(formula, bl.Math):
        formula = bl.Math(formula)
    if formula.expr is not None:
        body = _NAMED_ENTITY.sub(_numeric_entity, mathml(formula.expr, printer="presentation"))
        if not has_command(_text_of(body)):
            mode = ' display="block"' if display else ""
            return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}>{body}</math>'
    return latex_to_mathml(formula.as_latex(), display=display)


def _inline(x: bl.Inline) -> str:
    if isinstance(x, bl.Text):
        tag = {"plain": "", "code": "code", "strong": "strong", "em": "em"}[x.style]
        return f"<{tag}>{_esc(x.text)}</{tag}>" if tag else _esc(x.text)
    if isinstance(x, bl.Math):
        return math_element(x, display=False)
    if isinstance(x, bl.Link):
        return f'<a href="#{_esc(x.anchor)}">{_inlines(x.inlines)}</a>'
    if isinstance(x, bl.Badge):
        label = _esc(VERDICT_LABEL.get(x.verdict, x.verdict))
        return f'<span class="verdict {_esc(x.verdict)}">{label}</span>'
    if isinstance(x, bl.Mark):
        return f'<span class="{_esc(x.kind)}">{_esc(x.text)}</span>'
    raise TypeError(f"not an inline of the report: {x!r}")


def _inlines(xs: Iterable[bl.Inline]) -> str:
    return "".join(_inline(x) for x in xs)


def _block(b: bl.Block, figures: Mapping[str, str]) -> str:
    if isinstance(b, bl.Heading):
        anchor = f' id="{_esc(b.anchor)}"' if b.anchor else ""
        return f"<h{b.level}{anchor}>{_inlines(b.inlines)}</h{b.level}>"
    if isinstance(b, bl.Paragraph):
        return f"<p>{_inlines(b.inlines)}</p>"
    if isinstance(b, bl.Quote):
        return f"<blockquote>{_inlines(b.inlines)}</blockquote>"
    if isinstance(b, bl.MathBlock):
        return math_element(b.math, display=True)
    if isinstance(b, bl.Table):
        head = "".join(f"<th>{_esc(h)}</th>" for h in b.header)
        body = "".join("<tr>" + "".join(f"<td>{_inlines(c)}</td>" for c in row) + "</tr>"
                       for row in b.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(b, bl.Figure):
        if b.name not in figures:
            return ""
        return (f'<figure id="fig-{_esc(b.name)}">{figures[b.name]}'
                f"<figcaption>{_esc(b.caption)}</figcaption></figure>")
    if isinstance(b, bl.Box):
        return (f'<div class="claim" id="{_esc(b.anchor)}">\n{html_blocks(b.blocks, figures)}'
                "\n</div>")
    raise TypeError(f"not a block of the report: {b!r}")


def html_blocks(blocks: Iterable[bl.Block], figures: Mapping[str, str]) -> str:
    """Blocks as HTML, one per line; a `Figure` whose SVG is not in ``figures`` is left out."""
    return "\n".join(filter(None, (_block(b, figures) for b in blocks)))


def render_html(report: Report, figures: Mapping[str, str]) -> str:
    """``index.html``: every section of the report, with MathML and inline SVG plots.

    Parameters
    ----------
    report : Report
    figures : mapping file name -> SVG text
        The plots, keyed as in `gradproof.report.figures.FIGURES`; missing ones are left out.
    """
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(TITLE)}</title>",
        f"<style>{STYLE}</style></head><body>",
        html_blocks(report_blocks(report), figures),
        "</body></html>",
    ]) + "\n"
