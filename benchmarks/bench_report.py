"""How long ``gradproof report`` takes, against the issue's budget of 120 s.

The report has one size: ``--quick`` was removed because deciding the claims, which a preview
cannot skip, takes most of the run. Each run is the command a user types
(``python -m gradproof report --quiet``) in a
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
BUDGET = 120.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run() -> tuple[float, float]:
    """Wall and CPU seconds of one ``gradproof report`` run."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "gradproof", "report", "--quiet", "--out", f"{tmp}/report"]
        cpu0, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        return time.perf_counter() - t0, _children_cpu() - cpu0


def run(*, quick: bool = False) -> list[Row]:
    """Time the report: the median of 3 runs (1 run with ``quick``)."""
    repeats = 1 if quick else 3
    runs = [_run() for _ in range(repeats)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    return [Row(BENCHMARK, "gradproof report", wall, f"{BUDGET:g} s budget", BUDGET, target=1.0,
                extra={"cpu_s": round(cpu, 2), "runs": repeats})]
