"""Renderers are pure functions of hand-built records."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import sympy as sp

from gradproof.report.build import render_files
from gradproof.report.figures import step_figure, svg_text
from gradproof.report.records import (
    CatalogueRow,
    ClaimRecord,
    NetworkCheck,
    Report,
    StepCurve,
    TrainingRecord,
)
from gradproof.report.render_html import render_html
from gradproof.report.render_json import render_json
from gradproof.report.render_markdown import render_markdown

z = sp.Symbol("z")


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
            id="003-mse-derivative", document="003_doc.txt", title="dJ/dA3 = A3 - y", quote="A3-y",
            kind="scalar", statement=None, latex="A3 - y", verdict="proven_under_convention",
            reason="holds only under: reduction=per sample",
            conventions=(
                {"label": "reduction=per sample", "holds": True, "detail": ""},
                {"label": "reduction=mean over m", "holds": False, "detail": "factor 1/m"},
            ),
        ),
    )


def _report(**kw):
    return Report(seed=0, quick=True, claims=_claims(), **kw)


def test_summary_counts_per_document_and_verdict():
    md = render_markdown(_report())
    assert "| 000_doc.txt | 2 | 1 | 0 | 1 | 0 | 0 | 0 |" in md
    assert "| 003_doc.txt | 1 | 0 | 1 | 0 | 0 | 0 | 0 |" in md
    assert "| **all** | 3 | 1 | 1 | 1 | 0 | 0 | 0 |" in md


def test_markdown_shows_counterexample_correction_and_conventions():
    md = render_markdown(_report())
    assert "Counterexample (entry (0, 0)): at a = 1/3" in md
    assert "Corrected: $$(A_2 - Y) A_1^T / m$$ (proven)" in md
    assert "| reduction=mean over m | fails | factor 1/m |" in md
    assert "$$\\frac{d}{d z}" in md  # the statement typeset from SymPy's LaTeX


def test_html_is_well_formed_with_mathml_and_no_script():
    html = render_html(_report(), {"fd_error_vs_step.svg": svg_text(step_figure(
        (StepCurve("central", (1e-8, 1e-6), (1e-7, 1e-10)),)))})
    assert "<script" not in html and "http://" not in html.replace(
        "http://www.w3.org/", "")
    assert html.count("<math") >= 2  # the statement and the corrected statement
    body = html.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    ET.fromstring(f"<div>{body}</div>")  # well-formed XML: every element closed
    assert '<figure id="fig-fd_error_vs_step.svg"><svg' in html


def test_json_round_trips_and_is_deterministic():
    r = _report(networks=(NetworkCheck("n", "000_doc.txt", "2-4-1", 17, 1e-16, 3.14159265e-9, None,
                                       "pass", "central"),))
    text = render_json(r)
    assert text == render_json(r)
    data = json.loads(text)
    assert [c["id"] for c in data["claims"]] == [c.id for c in _claims()]
    assert data["networks"][0]["analytic_vs_fd"] == 3.14159e-9
    assert data["summary"]["all"]["refuted"] == 1


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
