"""The report's blocks as Markdown (``report.md``), with LaTeX in ``$...$`` for repository pages.

A pure function of the blocks: what the report says is decided in
`gradproof.report.document`; this module only says how Markdown writes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gradproof.report import blocks as bl
from gradproof.report.document import VERDICT_LABEL, report_blocks
from gradproof.report.records import Report

__all__ = ["markdown_blocks", "render_markdown", "table"]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table of ready-made cell texts."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _inline(x: bl.Inline) -> str:
    if isinstance(x, bl.Text):
        wrap = {"plain": "", "code": "`", "strong": "**", "em": "*"}[x.style]
        return f"{wrap}{x.text}{wrap}"
    if isinstance(x, bl.Math):
        return f"${x.as_latex()}$"
    if isinstance(x, bl.Link):
        return _inlines(x.inlines)  # headings' anchors differ between Markdown hosts
    if isinstance(x, bl.Badge):
        return f"**{VERDICT_LABEL.get(x.verdict, x.verdict)}**"
    if isinstance(x, bl.Mark):
        return x.text
    raise TypeError(f"not an inline of the report: {x!r}")


def _inlines(xs: Iterable[bl.Inline]) -> str:
    return "".join(_inline(x) for x in xs)


def _block(b: bl.Block, figure_dir: str) -> str:
    if isinstance(b, bl.Heading):
        return f"{'#' * b.level} {_inlines(b.inlines)}"
    if isinstance(b, bl.Paragraph):
        return _inlines(b.inlines)
    if isinstance(b, bl.Quote):
        return f"> {_cell(_inlines(b.inlines))}"
    if isinstance(b, bl.MathBlock):
        return f"$${b.math.as_latex()}$$"
    if isinstance(b, bl.Table):
        return table(b.header, [[_inlines(cell) for cell in row] for row in b.rows])
    if isinstance(b, bl.Figure):
        return f"![{b.caption}]({figure_dir}/{b.name})\n\n*{b.caption}*"
    if isinstance(b, bl.Box):
        return markdown_blocks(b.blocks, figure_dir=figure_dir).rstrip("\n")
    raise TypeError(f"not a block of the report: {b!r}")


def markdown_blocks(blocks: Iterable[bl.Block], *, figure_dir: str = "figures") -> str:
    """Blocks as Markdown, one blank line between blocks."""
    return "".join(_block(b, figure_dir) + "\n\n" for b in blocks)


def render_markdown(report: Report, *, figure_dir: str = "figures") -> str:
    """``report.md``: every section of the report, figures linked from ``figure_dir``."""
    return markdown_blocks(report_blocks(report), figure_dir=figure_dir).rstrip() + "\n"
