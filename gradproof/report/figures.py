"""The report's plots as matplotlib Figures, and their deterministic SVG text.

Pure functions of the records; no ``pyplot`` (figures are built directly, STYLE §8).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from gradproof.report.records import CatalogueRow, Report, StepCurve, TrainingRecord

__all__ = ["FIGURES", "FigureSpec", "catalogue_figure", "figure_svgs", "step_figure", "svg_text",
           "training_figure"]

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def step_figure(curves: tuple[StepCurve, ...]) -> Figure:
    """The V-shaped curves: finite-difference error against the step size h, log-log."""
    fig = Figure(figsize=(6.4, 4.0))
    ax = fig.add_subplot()
    for color, curve in zip(COLORS, curves, strict=False):
        h = np.asarray(curve.h, dtype=float)
        err = np.maximum(np.asarray(curve.error, dtype=float), 1e-17)  # exact 0 off the log axis
        ax.loglog(h, err, marker="o", markersize=3, color=color, label=curve.method)
    ax.set_xlabel("step size h")
    ax.set_ylabel("max |FD - exact| / max |exact|")
    ax.set_title("Finite-difference error against step size")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(frameon=False, loc="upper center", ncol=2, fontsize=8)
    fig.tight_layout()
    return fig


def training_figure(t: TrainingRecord) -> Figure:
    """Training loss (left) and decision regions over the spiral data (right)."""
    fig = Figure(figsize=(9.6, 4.0))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(np.arange(1, len(t.history) + 1), t.history, color=COLORS[0])
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy loss")
    ax1.set_yscale("log")
    ax1.set_title(f"Training loss (hidden width {t.hidden})")
    ax1.grid(True, alpha=0.3)
    n_classes = int(np.max(t.y)) + 1
    cmap = ListedColormap(["#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5"][:n_classes])
    ax2.contourf(t.grid_x, t.grid_y, t.grid_class, levels=np.arange(n_classes + 1) - 0.5,
                 cmap=cmap, alpha=0.8)
    dots = ListedColormap(list(COLORS[:n_classes]))
    ax2.scatter(t.X[:, 0], t.X[:, 1], c=t.y, cmap=dots, s=8, edgecolors="none")
    ax2.set_title(f"Decision regions: {t.accuracy:.1%} training accuracy")
    ax2.set_xlabel("x1")
    ax2.set_ylabel("x2")
    fig.tight_layout()
    return fig


def catalogue_figure(rows: tuple[CatalogueRow, ...]) -> Figure:
    """A grid: one row per implementation, one column per method, coloured by verdict."""
    methods = sorted({m for r in rows for m in r.verdicts})
    code = {"fail": 0, "inconclusive": 1, "pass": 2}  # anything else ("not run"): grey
    grid = np.array([[code.get(r.verdicts.get(m, ""), 3) for m in methods] for r in rows])
    fig = Figure(figsize=(3.0 + 1.1 * len(methods), 1.6 + 0.22 * len(rows)))
    ax = fig.add_subplot()
    cmap = ListedColormap(["#d62728", "#ffbb78", "#2ca02c", "#dddddd"])
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=3, aspect="auto")
    ax.set_xticks(range(len(methods)), methods, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)),
                  [("✗ " if r.wrong else "✓ ") + r.name for r in rows], fontsize=7)
    # two short lines: the title fits however few method columns the grid has
    ax.set_title("Checker verdicts\nred: fail, orange: inconclusive,\ngreen: pass, grey: not run",
                 fontsize=9)
    fig.tight_layout()
    return fig


def svg_text(fig: Figure) -> str:
    """The figure as SVG text, byte-identical across runs (fixed ids, no date)."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "gradproof", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.find("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG is inlined
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report: its file name, caption, and how it is drawn from the records."""

    name: str
    caption: str
    present: Callable[[Report], bool]
    draw: Callable[[Report], Figure]


#: the report's figures in display order; a figure is shown when its records are present
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("fd_error_vs_step.svg",
               "Finite-difference error against the step size h (forward, central, Richardson, "
               "complex step) on a document network.",
               lambda r: bool(r.step_curves), lambda r: step_figure(r.step_curves)),
    FigureSpec("spiral_training.svg",
               "The spiral network of document 002: training loss and decision regions over "
               "the data.",
               lambda r: r.training is not None,
               lambda r: training_figure(r.training)),  # type: ignore[arg-type]
    FigureSpec("catalogue.svg",
               "Which bugs of the project's bug catalogue each method catches.",
               lambda r: bool(r.catalogue), lambda r: catalogue_figure(r.catalogue)),
)


def figure_svgs(report: Report) -> dict[str, str]:
    """The SVG text of every figure the report's records allow, keyed by file name."""
    return {f.name: svg_text(f.draw(report)) for f in FIGURES if f.present(report)}
