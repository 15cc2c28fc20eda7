"""The report as JSON: every claim and check with its verdict and figures.

Deterministic: keys in a fixed order, floats as Python writes them, no timings.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from sympy import latex

from gradproof.report.records import Report

__all__ = ["render_json"]

#: 2: "quick" removed (the report has one size), "quotes_checked" added;
#: 3: "derivations" and "formulas_file" (the user's own, ``--formulas FILE``) added
SCHEMA_VERSION = 3


def _float(x: float | None) -> float | str | None:
    if x is None:
        return None
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    return float(f"{x:.6g}")  # 6 significant digits: the report's precision, stable across BLAS


def _claim(c: Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "document": c.document,
        "title": c.title,
        "kind": c.kind,
        "quote": c.quote,
        "latex": c.latex,
        "verdict": c.verdict,
        "reason": c.reason,
        "counterexample": dict(c.counterexample) if c.counterexample else None,
        "corrected": c.corrected,
        "corrected_verdict": c.corrected_verdict,
        "conventions": [dict(x) for x in c.conventions],
        "readings": [dict(x) for x in c.readings],
        "evidence": list(c.evidence),
    }


def to_dict(report: Report) -> dict[str, Any]:
    """The JSON-ready dictionary of a report."""
    return {
        "schema": SCHEMA_VERSION,
        "seed": report.seed,
        "quotes_checked": report.quotes_checked,
        "summary": {
            doc: report.counts(doc) for doc in report.documents()
        } | {"all": report.counts()},
        "claims": [_claim(c) for c in report.claims],
        "conventions": [asdict(r) for r in report.conventions],
        "formulas": [
            {"layout": r.layout, "verdict": r.verdict, "shapes": r.shapes}
            | {k: latex(getattr(r, k)) for k in ("forward", "dW", "db", "dA_prev")}
            for r in report.formulas
        ],
        "networks": [
            {
                **asdict(n),
                "symbolic_vs_analytic": _float(n.symbolic_vs_analytic),
                "analytic_vs_fd": _float(n.analytic_vs_fd),
                "symbolic_vs_fd": _float(n.symbolic_vs_fd),
            }
            for n in report.networks
        ],
        "step_curves": [
            {"method": s.method, "h": [_float(h) for h in s.h],
             "error": [_float(e) for e in s.error]}
            for s in report.step_curves
        ],
        "training": None
        if report.training is None
        else {
            "hidden": report.training.hidden,
            "epochs": report.training.epochs,
            "lr": report.training.lr,
            "final_loss": _float(report.training.history[-1]),
            "accuracy": _float(report.training.accuracy),
        },
        "catalogue": [
            {"name": r.name, "wrong": r.wrong, "verdicts": dict(r.verdicts),
             "diagnosis": r.diagnosis}
            for r in report.catalogue
        ],
        "formulas_file": report.formulas_file,
        "derivations": [
            {"name": d.name, "spec": d.spec, "first_wrong": d.first_wrong,
             "code_origin": d.code_origin, "aliasing": list(d.aliasing),
             "claims": [_claim(c) for c in d.claims]}
            for d in report.derivations
        ],
        "notes": list(report.notes),
    }


def render_json(report: Report) -> str:
    """``report.json``: the report as indented JSON text, ending in a newline."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
