"""The report end to end: `gradproof report` from live computation.

`test_committed_report_is_current` regenerates report.json with the default command's seed and
compares it with the committed docs/report/report.json: the same claims, verdicts and
counterexamples exactly; every floating-point figure within FIGURE_RTOL (BLAS builds differ in
the last bits between machines, and finite-difference errors near 1e-10 inherit them).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from gradproof.cli import main
from gradproof.report.build import REPORT_PATHS
from gradproof.report.write import MANIFEST

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "report" / "report.json"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

#: relative tolerance of the report's figures between machines: the figures are written with 6
#: significant digits, and the final loss of 3000 epochs of training at lr = 1 amplifies
#: last-bit BLAS differences; the figures that compare gradients are errors of order 1e-16 to
#: 1e-9, made of rounding alone, so they are compared on a log scale within ABS_LOG10 decades
FIGURE_RTOL = 1e-3
ABS_LOG10 = 1.5
NOISY_KEYS = {"symbolic_vs_analytic", "analytic_vs_fd", "symbolic_vs_fd", "error"}


def _compare(new, old, path="report", key=""):
    if isinstance(old, dict):
        assert isinstance(new, dict) and new.keys() == old.keys(), f"{path}: keys differ"
        for k in old:
            _compare(new[k], old[k], f"{path}.{k}", k)
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), f"{path}: lengths differ"
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            _compare(a, b, f"{path}[{i}]", key)
    elif isinstance(old, float) and not isinstance(old, bool):
        assert isinstance(new, (int, float)), f"{path}: {new!r} is not a number"
        if key in NOISY_KEYS and old > 0 and new > 0:
            assert abs(math.log10(new) - math.log10(old)) <= ABS_LOG10, f"{path}: {new} vs {old}"
        else:
            assert new == pytest.approx(old, rel=FIGURE_RTOL, abs=1e-12), f"{path}: {new} vs {old}"
    else:
        assert new == old, f"{path}: {new!r} != {old!r}"


def test_committed_report_is_current(tmp_path, capsys):
    assert COMMITTED.is_file(), "docs/report/report.json is missing: run `gradproof report`"
    out = tmp_path / "report"
    assert main(["report", "--out", str(out)]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.endswith(f"Report written to {out}/index.html")
    new = json.loads((out / "report.json").read_text())
    old = json.loads(COMMITTED.read_text())
    # the committed report was written beside the seeds; a clone without them says so
    assert old.pop("quotes_checked") is True
    assert new.pop("quotes_checked") is SEEDS.is_dir()
    assert [c["id"] for c in new["claims"]] == [c["id"] for c in old["claims"]]
    assert {c["id"]: c["verdict"] for c in new["claims"]} == {
        c["id"]: c["verdict"] for c in old["claims"]
    }
    _compare(new, old)
    assert (out / "report.md").read_text().count("#### `") == len(new["claims"])
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "catalogue.svg", "fd_error_vs_step.svg", "spiral_training.svg",
    ]
    # every file written is one the early check of --out knew about
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == {*REPORT_PATHS, MANIFEST}
    # the live figures themselves, beyond agreeing with the committed ones
    total = new["summary"]["all"]
    assert sum(total.values()) == len(new["claims"]) >= 100
    assert total["refuted"] > 0 and total["proven"] > 0  # the documents do contain mistakes
    for claim in new["claims"]:
        if claim["verdict"] == "refuted" and claim["counterexample"]:
            assert claim["counterexample"]["stated"] != claim["counterexample"]["correct"]
    assert all(n["fd_verdict"] == "pass" for n in new["networks"])
    assert all(n["symbolic_vs_analytic"] < 1e-12 for n in new["networks"])
    html = (out / "index.html").read_text()
    assert html.count("<svg") == 3 and "<script" not in html
