"""The committed report renders in a real browser: headless Chromium from Debian's package.

Skipped, with the way to install it, where no Chromium or no playwright is installed.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPORT = Path(__file__).resolve().parents[2] / "docs" / "report" / "index.html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium: install Debian's package (apt-get install chromium) to run this test",
)

FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _sync_api() -> Any:
    return pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (no browser download needed)"
    )


@contextlib.contextmanager
def _page(tmp_path: Path, html: Path, errors: list[str]) -> Iterator[Any]:
    """``html`` open in headless Chromium; console and page errors are appended to ``errors``."""
    sync_api = _sync_api()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html.as_uri())
            yield page
        finally:
            browser.close()


def test_report_renders_math_and_plots_without_console_errors(tmp_path):
    _sync_api()  # skip before any work
    assert REPORT.is_file(), "run `gradproof report` to write docs/report/index.html"
    errors: list[str] = []
    with _page(tmp_path, REPORT, errors) as page:
        sizes = page.eval_on_selector_all(
            "math",
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [r.width, r.height]; })",
        )
        figures = page.eval_on_selector_all("figure svg", "els => els.length")
        text = page.evaluate("document.body.innerText")
        page_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        raw = re.findall(r"\\[A-Za-z]+", text)
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=False)
    assert sizes, "no <math> element in the report"
    empty = [i for i, (w, h) in enumerate(sizes) if w <= 0 or h <= 0]
    assert not empty, f"math elements rendered with zero size: {empty[:10]}"
    assert figures == 3, f"expected 3 inline SVG plots, found {figures}"
    assert not raw, f"LaTeX shown raw instead of typeset: {sorted(set(raw))[:10]}"
    assert page_width[0] <= page_width[1], f"the page overflows sideways: {page_width}"
    assert len(sizes) > 300  # every statement, quote formula and correction is <math>
    assert not errors, f"console errors: {errors}"
    assert shot.stat().st_size > 10_000


def test_your_derivations_section_renders_without_overflow(tmp_path):
    """The section of `report --formulas` in a real browser: its boxes, no sideways overflow."""
    _sync_api()  # skip before any work
    from gradproof.formulas_file import UserDerivation
    from gradproof.report.collect import collect_derivations
    from gradproof.report.records import Report
    from gradproof.report.render_html import render_html

    mine = UserDerivation("slide 12", "2-4-1 sigmoid/sigmoid bce mean columns",
                          (("dW2", "dZ2 @ A1.T / m"), ("dZ1", "dA1 * sigmoid_prime(A1)")))
    report = Report(seed=0, claims=(), derivations=collect_derivations([mine]),
                    formulas_file="mine.toml")
    page_file = tmp_path / "index.html"
    page_file.write_text(render_html(report, {}), encoding="utf-8")
    errors: list[str] = []
    with _page(tmp_path, page_file, errors) as page:
        heading = page.inner_text("#your-derivations")
        boxes = page.eval_on_selector_all("[id^=yours-1-]", "els => els.map(e => e.id)")
        box_text = page.inner_text("#yours-1-dZ1")
        page_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert heading.strip() == "Your derivations"
    assert sorted(boxes) == ["yours-1-dW2", "yours-1-dZ1"]
    assert "refuted" in box_text and "sigmoid_prime(Z1)" in box_text
    assert page_width[0] <= page_width[1], f"the page overflows sideways: {page_width}"
    assert not errors, f"console errors: {errors}"
