"""The derivation report: collect (live computation), render (pure), write (atomic).

``build_report(out, seed=0, documents=None)`` is what ``gradproof report`` runs. Rendering
goes through one document model: ``document.report_blocks`` turns the records into blocks
(``blocks.py``), which ``render_markdown`` and ``render_html`` write.
"""

from __future__ import annotations

from gradproof.report.build import ReportSummary, build_report, render_files

__all__ = ["ReportSummary", "build_report", "render_files"]
