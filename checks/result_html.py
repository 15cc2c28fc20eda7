"""HTML for Jupyter: the same table as ``str(result)``, failing entries highlighted.

Plain HTML with inline styles (no JavaScript, nothing fetched), every user-supplied string
escaped; `checks.result.CheckResult._repr_html_` and `ParamCheck._repr_html_` call these.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from checks._types import Status

if TYPE_CHECKING:
    from checks.result import CheckResult, ParamCheck

FAIL_STYLE = "background:#fbd5d5"
"""Rows of failing and non-finite entries."""
UNSURE_STYLE = "background:#fdf3c4"
"""Rows of undecided entries (kink, noisy, unresolved)."""
_VERDICT_COLOUR = {"pass": "#1a7f37", "fail": "#c62828", "inconclusive": "#9a6700"}
_CELL = "padding:1px 8px;text-align:right;font-family:monospace"


def _row_style(status: Status) -> str:
    if status in (Status.FAIL, Status.NONFINITE):
        return FAIL_STYLE
    return "" if status == Status.PASS else UNSURE_STYLE


def param_html(check: ParamCheck) -> str:
    """One parameter: its heading, its worst entries as a table, diagnosis and note."""
    colour = _VERDICT_COLOUR[check.verdict.value]
    parts = [f'<p style="margin:6px 0 2px 0"><b style="color:{colour}">'
             f"{escape(check.heading())}</b></p>"]
    rows = check.rows()
    if rows:
        head = "".join(f'<th style="{_CELL}">{escape(t)}</th>' for t in
                       (check.index_label, "analytic", "numeric", "|diff|", "error bar",
                        "status"))
        body = []
        for r in rows:
            style = _row_style(r.status)
            cells = (r.index, f"{r.analytic:.6g}", f"{r.numeric:.6g}", f"{r.diff:.3g}",
                     f"{r.error_bar:.3g}", r.status_text)
            tds = "".join(f'<td style="{_CELL}">{escape(c)}</td>' for c in cells)
            body.append(f'<tr style="{style}">{tds}</tr>' if style else f"<tr>{tds}</tr>")
        parts.append(f'<table style="border-collapse:collapse;margin-left:16px">'
                     f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    parts += [f'<p style="margin:2px 0 2px 16px">{escape(line)}</p>'
              for line in check.footnotes()]
    return "".join(parts)


def result_html(result: CheckResult) -> str:
    """The whole result: heading, precision and problems, one block per parameter."""
    colour = _VERDICT_COLOUR[result.verdict.value]
    parts = [f'<div class="gradproof-check"><p style="margin:2px 0">'
             f'<b style="color:{colour}">{escape(result.heading())}</b></p>']
    parts += [f'<p style="margin:2px 0 2px 8px">{escape(n)}</p>' for n in result.notes()]
    parts += [param_html(p) for p in result.params]
    parts.append("</div>")
    return "".join(parts)
