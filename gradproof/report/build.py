"""Put the three stages together: collect, render every format, write atomically."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gradproof.formulas_file import load_formulas_file
from gradproof.report.collect import collect
from gradproof.report.figures import figure_svgs
from gradproof.report.progress import Progress
from gradproof.report.records import Report
from gradproof.report.render_html import render_html
from gradproof.report.render_json import render_json
from gradproof.report.render_markdown import render_markdown
from gradproof.report.write import check_writable, write_files
from gradproof.sources import check_quotes

__all__ = ["REPORT_PATHS", "ReportSummary", "build_report", "render_files"]


@dataclass(frozen=True)
class ReportSummary:
    """What ``gradproof report`` prints at the end: counts per verdict and where the files are."""

    out: Path
    counts: dict[str, int]
    networks_passed: int
    networks: int
    #: verdict counts of the user's own formulas and code gradients (``--formulas``)
    yours: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in self.counts.items() if n)
        total = sum(self.counts.values())
        checks = (f"; {self.networks_passed}/{self.networks} network checks pass"
                  if self.networks else "")
        mine = ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in self.yours.items() if n)
        yours = f"; your derivations: {mine}" if mine else ""
        return (f"{total} claims: {counts}{checks}{yours}. Report written to "
                f"{self.out}/index.html")


#: Every path the report can write, known before any computation (so that a foreign file at
#: one of them is refused before the long run, not after it).
REPORT_PATHS = ("index.html", "report.md", "report.json", "figures/fd_error_vs_step.svg",
                "figures/spiral_training.svg", "figures/catalogue.svg")


def render_files(report: Report) -> dict[str, str]:
    """Every file of the report (relative path -> text), rendered from the records."""
    figures = figure_svgs(report)
    files = {
        "index.html": render_html(report, figures),
        "report.md": render_markdown(report),
        "report.json": render_json(report),
    }
    files.update({f"figures/{name}": text for name, text in figures.items()})
    return files


def build_report(
    out: str | os.PathLike[str] = "docs/report",
    *,
    seed: int = 0,
    show_progress: bool = True,
    force: bool = False,
    documents: str | os.PathLike[str] | None = None,
    formulas: str | os.PathLike[str] | None = None,
) -> ReportSummary:
    """Compute everything at ``seed`` and write the report into ``out`` atomically.

    Parameters
    ----------
    out : str or path
        The report directory. Only files gradproof wrote there (listed in its manifest) are
        ever replaced or removed; see `gradproof.report.write`.
    seed : int
        Seeds every random draw; a non-negative integer.
    force : bool
        Write beside files gradproof did not write (they are left alone), and replace
        report files edited since gradproof wrote them.
    documents : str or path, optional
        The directory of the tutorials. When given, every claim's quote is checked in its
        document first; when ``None``, the report's header says the quotes were not
        re-checked.
    formulas : str or path, optional
        A TOML file of your own derivations (`gradproof.formulas_file`): the report gets a
        section "Your derivations". It is validated before any computation; its code is run.

    Raises
    ------
    ValueError
        When ``seed`` is not a non-negative integer.
    OutDirError
        When ``out`` cannot take the report safely; raised before any computation.
    QuoteError
        When a claim's quote is not in its document; raised before any computation.
    FormulasFileError
        When ``formulas`` cannot be used (naming the file, derivation and key); raised before
        any computation.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a non-negative integer (0, 1, 2, ...)")
    check_writable(out, force=force, names=REPORT_PATHS)
    if documents is not None:
        check_quotes(documents)
    derivations = load_formulas_file(formulas) if formulas is not None else ()
    bar = Progress(enabled=show_progress)

    def progress(stage: str, done: int, total: int) -> None:
        if done == 0:
            bar.stage(stage, total)
        else:
            bar.update(done)

    report = collect(seed=seed, progress=progress, quotes_checked=documents is not None,
                     derivations=derivations,
                     formulas_file=None if formulas is None else os.fspath(formulas))
    path = write_files(out, render_files(report), force=force)
    return ReportSummary(
        out=path,
        counts=report.counts(),
        networks_passed=sum(n.fd_verdict == "pass" for n in report.networks),
        networks=len(report.networks),
        yours=_yours(report),
    )


def _yours(report: Report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in report.derivations:
        for c in d.claims:
            counts[c.verdict] = counts.get(c.verdict, 0) + 1
    return counts
