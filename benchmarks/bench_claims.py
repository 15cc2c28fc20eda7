"""How long deciding every claim of the four documents takes, against the issue's 30 s budget.

Cases, each run in a fresh interpreter so that no SymPy cache or imported module of an
earlier run helps (the user's ``gradproof claims`` starts cold too):

(a) ``gradproof claims`` as the user runs it (``python -m gradproof claims``, default workers:
    up to 2 processes), wall time including start-up and imports;
(b) ``verify_all()`` in one process, wall time of the call; the per-document sums of the
    claims' own seconds and the five slowest claims go to ``extra``.

On a machine shared with other jobs the wall times grow with the load; case (a) also records
the CPU seconds of the command and its workers, which do not.

The peer is the budget itself (30 s on the 2-core machine): a speedup of at least 1 meets it.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import textwrap
import time
from typing import Any

from benchmarks import Row

BENCHMARK = "claims"
BUDGET_S = 30.0
PEER = "30 s budget"

_SEQUENTIAL = textwrap.dedent(
    """
    import json, time
    from collections import defaultdict
    from derivations import all_claims, verify_all
    claims = all_claims()
    t0 = time.perf_counter()
    results = verify_all(claims)
    wall = time.perf_counter() - t0
    per_doc = defaultdict(float)
    for r in results:
        per_doc[r.document[:3]] += r.seconds
    slowest = sorted(results, key=lambda r: r.seconds, reverse=True)[:5]
    print(json.dumps({
        "wall": wall, "count": len(results),
        "per_document": {k: round(v, 3) for k, v in sorted(per_doc.items())},
        "slowest": [[r.claim_id, round(r.seconds, 3)] for r in slowest],
        "verdicts": sorted({r.verdict.value for r in results}),
    }))
    """
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli_seconds() -> tuple[float, float, int]:
    """Wall and CPU time of ``python -m gradproof claims --json``, and how many claims it printed.

    The CPU time (user + system of the command and its worker processes) does not grow with
    the load other processes put on the machine; the wall time does.
    """
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "gradproof", "claims", "--json"],
        capture_output=True, text=True, check=True,
    )
    seconds, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    return seconds, cpu, len(json.loads(proc.stdout)["claims"])


def _sequential() -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", _SEQUENTIAL], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def run(*, quick: bool = False) -> list[Row]:
    """Time ``gradproof claims`` and a one-process ``verify_all`` (medians of fresh runs)."""
    repeat = 1 if quick else 3
    cli = [_cli_seconds() for _ in range(repeat)]
    seq = [_sequential() for _ in range(repeat)]
    cli_s = statistics.median(s for s, _, _ in cli)
    cli_cpu = statistics.median(c for _, c, _ in cli)
    seq_s = statistics.median(r["wall"] for r in seq)
    last = seq[-1]
    return [
        Row(BENCHMARK, f"gradproof claims, all {cli[-1][2]} claims", cli_s, PEER, BUDGET_S,
            target=1.0, extra={"runs": repeat, "includes": "interpreter start-up and imports",
                               "cpu_s (all processes)": round(cli_cpu, 2)}),
        Row(BENCHMARK, f"verify_all() in 1 process, {last['count']} claims", seq_s, PEER,
            BUDGET_S, target=1.0,
            extra={"runs": repeat, "seconds per document": last["per_document"],
                   "slowest claims": last["slowest"]}),
    ]
