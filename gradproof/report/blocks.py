"""The report's document model: blocks of inlines, which the Markdown and HTML writers render.

`gradproof.report.document.report_blocks` builds them from the records; the writers
(`render_markdown`, `render_html`) are short functions of these types alone, so what the
report says lives in one place and how it looks in two.

Inlines: `Text` (plain, code, strong or emphasised), `Math` (a SymPy expression or the
documents' own LaTeX), `Link` (to an anchor of the report), `Badge` (a verdict) and
`Mark` (a word with a colour, such as "holds" and "fails").
Blocks: `Heading`, `Paragraph`, `Quote`, `MathBlock`, `Table`, `Figure` and `Box` (a framed
group of blocks with an anchor, one per claim).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

import sympy as sp

from gradproof.report.mathtext import split_math

__all__ = [
    "Badge",
    "Block",
    "Box",
    "Figure",
    "Heading",
    "Inline",
    "Link",
    "Mark",
    "Math",
    "MathBlock",
    "Paragraph",
    "Quote",
    "Table",
    "Text",
    "mixed",
]


@dataclass(frozen=True)
class Text:
    """A run of text in one style."""

    text: str
    style: Literal["plain", "code", "strong", "em"] = "plain"


@dataclass(frozen=True, eq=False)
class Math:
    """A formula: a SymPy expression (``expr``) or LaTeX as the documents write it."""

    expr: sp.Basic | None = None
    latex: str = ""

    def __post_init__(self) -> None:
        if (self.expr is None) == (not self.latex):
            raise ValueError("Math needs exactly one of expr (a SymPy object) and latex")

    def as_latex(self) -> str:
        """The formula as LaTeX (SymPy's printer for an expression)."""
        return self.latex if self.expr is None else sp.latex(self.expr)


@dataclass(frozen=True)
class Link:
    """Inlines that link to an anchor of the report (``#anchor`` in HTML)."""

    inlines: tuple[Inline, ...]
    anchor: str


@dataclass(frozen=True)
class Badge:
    """A verdict, e.g. ``"proven_under_convention"``; writers show its label."""

    verdict: str


@dataclass(frozen=True)
class Mark:
    """A word shown in a colour named by ``kind`` (a CSS class in HTML, plain in Markdown)."""

    text: str
    kind: str


Inline = Union[Text, Math, Link, Badge, Mark]  # noqa: UP007 - a runtime alias


@dataclass(frozen=True)
class Heading:
    """A heading of ``level`` 1-4, with an optional anchor."""

    level: int
    inlines: tuple[Inline, ...]
    anchor: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inlines."""

    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Quote:
    """A quotation from a document."""

    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class MathBlock:
    """A displayed formula."""

    math: Math


@dataclass(frozen=True)
class Table:
    """A table: a header of plain labels and rows of cells, each a tuple of inlines."""

    header: tuple[str, ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]


@dataclass(frozen=True)
class Figure:
    """A figure written beside the report as ``figures/<name>``, with its caption."""

    name: str
    caption: str


@dataclass(frozen=True)
class Box:
    """A framed group of blocks with an anchor (a claim)."""

    anchor: str
    blocks: tuple[Block, ...]


Block = Union[Heading, Paragraph, Quote, MathBlock, Table, Figure, Box]  # noqa: UP007


def mixed(text: str) -> tuple[Inline, ...]:
    r"""The documents' mixed prose and LaTeX as inlines: `Text` and inline `Math`.

    Examples
    --------
    >>> mixed("the label $\\nabla E$ is a vector")[1].latex
    '\\nabla E'
    """
    return tuple(Math(latex=s.text) if s.math else Text(s.text) for s in split_math(text))
