"""How long ``gradproof report`` takes, against the issue's budgets: 20 s quick, 120 s full.

Each run is the command a user types (``python -m gradproof report [--quick] --quiet``) in a
fresh interpreter writing into a scratch directory, so imports, worker start-up and the
atomic write are all counted. Wall time grows with other load on the machine; the CPU seconds
of the command and its worker processes (in ``extra``) do not.

The peer is the budget itself: a speedup of at least 1 meets it.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks import Row

BENCHMARK = "report"
BUDGETS = {"quick": 20.0, "full": 120.0}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(quick: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one ``gradproof report`` run."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "gradproof", "report", "--quiet", "--out", f"{tmp}/report"]
        if quick:
            cmd.append("--quick")
        cpu0, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        return time.perf_counter() - t0, _children_cpu() - cpu0


def run(*, quick: bool = False) -> list[Row]:
    """Time the quick report (3 runs) and the full one (1 run; skipped with ``quick``)."""
    rows = []
    for mode, repeats in (("quick", 1 if quick else 3), ("full", 0 if quick else 1)):
        if not repeats:
            continue
        runs = [_run(mode == "quick") for _ in range(repeats)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        budget = BUDGETS[mode]
        rows.append(Row(BENCHMARK, f"gradproof report{' --quick' if mode == 'quick' else ''}",
                        wall, f"{budget:g} s budget", budget, target=1.0,
                        extra={"cpu_s": round(cpu, 2), "runs": repeats}))
    return rows
