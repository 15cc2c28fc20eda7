"""The document model and its writers are pure functions of hand-built records."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import sympy as sp

from gradproof.report.blocks import Box, Figure, Heading, Math, MathBlock, Paragraph, Quote, Text
from gradproof.report.build import render_files
from gradproof.report.document import SECTIONS, claim_blocks, report_blocks
from gradproof.report.figures import FIGURES, step_figure, svg_text
from gradproof.report.records import (
    CatalogueRow,
    ClaimRecord,
    NetworkCheck,
    Report,
    StepCurve,
    TrainingRecord,
)
from gradproof.report.render_html import html_blocks, math_element, render_html
from gradproof.report.render_json import render_json
from gradproof.report.render_markdown import markdown_blocks, render_markdown

z = sp.Symbol("z")
COMMAND = re.compile(r"\\[A-Za-z]+")


def _claims():
    s = 1 / (1 + sp.exp(-z))
    return (
        ClaimRecord(
            id="000-sigmoid-derivative", document="000_doc.txt", title="sigma' = sigma(1 - sigma)",
            quote="= \\color{red}{A_2(1-A_2)}", kind="scalar",
            statement=sp.Eq(sp.Derivative(s, z), s * (1 - s)), latex="", verdict="proven",
            reason="simplifies to 0",
        ),
        ClaimRecord(
            id="000-dW2", document="000_doc.txt", title="dL/dW2 = (A2 - Y) A1", quote="(A_2-Y)A_1",
            kind="matrix", statement=None, latex="(A_2 - Y) A_1", verdict="refuted",
            reason="shape mismatch", counterexample={"point": {"a": "1/3"}, "stated": "1",
                                                     "correct": "2", "entry": "(0, 0)"},
            corrected="(A_2 - Y) A_1^T / m", corrected_verdict="proven",
            corrected_statement=sp.Eq(sp.Symbol("dW"), sp.Symbol("x") / 2),
        ),
        ClaimRecord(
            id="003-mse-derivative", document="003_doc.txt", title="dJ/dA3 = A3 - y",
            quote="so $\\frac{\\partial J}{\\partial A3} = A3 - y$ here", kind="scalar",
            statement=None, latex="\\frac{\\partial J}{\\partial A3} = A3 - y",
            verdict="proven_under_convention",
            reason="J(\\theta) holds only under: reduction=per sample",
            corrected="\\partial Z3 = A3 - y, then \\partial b = \\sum_i \\partial Z_i",
            conventions=(
                {"label": "reduction=per sample", "holds": True, "detail": ""},
                {"label": "reduction=mean over m", "holds": False, "detail": "factor 1/m"},
            ),
        ),
    )


def _report(**kw):
    return Report(seed=0, claims=_claims(), **kw)


def _body(html: str) -> str:
    return html.split("<body>", 1)[1].rsplit("</body>", 1)[0]


def _text(markup: str) -> str:
    return re.sub(r"<[^>]*>", " ", markup)


def test_summary_counts_per_document_and_verdict():
    md = render_markdown(_report())
    assert "| 000_doc.txt | 2 | 1 | 0 | 1 | 0 | 0 | 0 |" in md
    assert "| 003_doc.txt | 1 | 0 | 1 | 0 | 0 | 0 | 0 |" in md
    assert "| **all** | 3 | 1 | 1 | 1 | 0 | 0 | 0 |" in md


def test_markdown_shows_counterexample_correction_and_conventions():
    md = render_markdown(_report())
    assert "Counterexample (entry (0, 0)): at `a = 1/3`" in md
    assert "Corrected (proven):" in md and "$$dW = \\frac{x}{2}$$" in md
    assert "| reduction=mean over m | fails | factor 1/m |" in md
    assert "$$\\frac{d}{d z}" in md  # the statement typeset from SymPy's LaTeX


def test_one_block_list_feeds_both_writers():
    blocks = report_blocks(_report())
    headings = [b for b in blocks if isinstance(b, Heading)]
    md, html = render_markdown(_report()), render_html(_report(), {})
    for h in headings:  # every heading of the model is in both files, in the same order
        title = "".join(x.text for x in h.inlines if isinstance(x, Text))
        assert title in md and title in html
    md_order = [md.index(f"## {d}") for d in ("Summary", "000_doc.txt", "003_doc.txt")]
    assert md_order == sorted(md_order)
    assert sum(isinstance(b, Box) for b in blocks) == len(_claims())


def test_a_new_section_is_one_function():
    def thanks(report):
        return [Heading(2, (Text("Thanks"),)), Paragraph((Text(f"{len(report.claims)} claims"),))]

    blocks = report_blocks(_report(), (*SECTIONS, thanks))
    assert "## Thanks\n\n3 claims" in markdown_blocks(blocks)
    assert "<h2>Thanks</h2>\n<p>3 claims</p>" in html_blocks(blocks, {})


def test_html_is_well_formed_with_mathml_and_no_script():
    curves = (StepCurve("central", (1e-8, 1e-6), (1e-7, 1e-10)),)
    html = render_html(_report(step_curves=curves),
                       {"fd_error_vs_step.svg": svg_text(step_figure(curves))})
    assert "<script" not in html and "http://" not in html.replace(
        "http://www.w3.org/", "")
    ET.fromstring(f"<div>{_body(html)}</div>")  # well-formed XML: every element closed
    assert '<figure id="fig-fd_error_vs_step.svg"><svg' in html


def test_html_typesets_every_formula_and_leaves_no_latex_command():
    html = render_html(_report(), {})
    assert not COMMAND.findall(_text(_body(html)))
    # statement, corrected statement, the LaTeX-only claim, its quote's $...$, reason, correction
    assert html.count("<math") >= 8
    assert "so " in html and " here" in html  # the quote's prose stays prose


def test_claim_box_shows_the_documents_latex_when_there_is_no_statement():
    box = claim_blocks(_claims()[2])
    (shown,) = [b for b in box.blocks if isinstance(b, MathBlock)]
    assert shown.math.latex == "\\frac{\\partial J}{\\partial A3} = A3 - y"
    (quote,) = [b for b in box.blocks if isinstance(b, Quote)]
    assert [type(x).__name__ for x in quote.inlines] == ["Text", "Math", "Text"]


def test_a_symbol_named_in_latex_goes_through_latex2mathml():
    named = sp.Symbol(r"\frac{\partial L}{\partial a^2}")
    out = math_element(sp.Eq(named, z))
    assert "<mfrac>" in out and not COMMAND.findall(_text(out))


def test_math_needs_exactly_one_source():
    with pytest.raises(ValueError, match="exactly one of expr"):
        Math()
    with pytest.raises(ValueError, match="exactly one of expr"):
        Math(z, latex="z")


def test_header_says_whether_quotes_were_checked():
    assert "Quotes not re-checked against the documents" in render_markdown(_report())
    checked = render_markdown(_report(quotes_checked=True))
    assert "quote was found in its document" in checked and "not re-checked" not in checked
    assert json.loads(render_json(_report(quotes_checked=True)))["quotes_checked"] is True


def test_json_round_trips_and_is_deterministic():
    r = _report(networks=(NetworkCheck("n", "000_doc.txt", "2-4-1", 17, 1e-16, 3.14159265e-9, None,
                                       "pass", "central"),))
    text = render_json(r)
    assert text == render_json(r)
    data = json.loads(text)
    assert [c["id"] for c in data["claims"]] == [c.id for c in _claims()]
    assert data["networks"][0]["analytic_vs_fd"] == 3.14159e-9
    assert data["summary"]["all"]["refuted"] == 1
    assert "quick" not in data


def test_render_files_writes_figures_that_exist_only():
    t = TrainingRecord(hidden=4, epochs=3, lr=1.0, history=(1.0, 0.5, 0.25), accuracy=0.5,
                       X=np.array([[0.0, 0.0], [1.0, 1.0]]), y=np.array([0, 1]),
                       grid_x=np.linspace(0, 1, 3), grid_y=np.linspace(0, 1, 3),
                       grid_class=np.zeros((3, 3), dtype=int))
    cat = (CatalogueRow("missing 1/m", True, {"central": "fail"}, "x m"),
           CatalogueRow("scaled loss", False, {"central": "pass"}))
    files = render_files(_report(training=t, catalogue=cat))
    assert set(files) == {"index.html", "report.md", "report.json", "figures/spiral_training.svg",
                          "figures/catalogue.svg"}
    assert "figures/catalogue.svg" in files["report.md"]
    assert "fd_error_vs_step" not in files["report.md"]
    assert files == render_files(_report(training=t, catalogue=cat))  # byte-identical
    figure_blocks = [b.name for b in report_blocks(_report(training=t, catalogue=cat))
                     if isinstance(b, Figure)]
    assert figure_blocks == [f.name for f in FIGURES if f.name != "fd_error_vs_step.svg"]
