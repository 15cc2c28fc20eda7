"""The derivation report: collect (live computation), render (pure), write (atomic).

``build_report(out, seed=0, quick=False)`` is what ``gradproof report`` runs.
"""

from __future__ import annotations

from gradproof.report.build import ReportSummary, build_report, render_files

__all__ = ["ReportSummary", "build_report", "render_files"]
