"""How long deciding every claim of the four documents takes, against issue 19's budgets.

Cases, each run in a fresh interpreter so that no SymPy cache or imported module of an
earlier run helps (the user's ``gradproof claims`` starts without them too):

(a) cold: ``gradproof claims`` as after an install, with no compiled bytecode to reuse
    (``-X pycache_prefix`` pointed at an empty directory, so SymPy, NumPy and gradproof are
    compiled on import), default workers (up to 2 processes); budget 30 s;
(b) warm: the same command again, bytecode cached as on every later run; budget 12 s;
(c) ``verify_all()`` in one process, wall and CPU time of the call; the per-document sums of
    the claims' own seconds and the five slowest claims go to ``extra``;
(d) the same under each SymPy ground type that is importable (``SYMPY_GROUND_TYPES=python``,
    ``gmpy`` with gmpy2, ``flint`` with python-flint), against (c) with pure-Python integers.

On a machine shared with other jobs the wall times grow with the load: every case also
records the CPU seconds of its processes, which do not, and the runner prints the load.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Any

from benchmarks import Row

BENCHMARK = "claims"
BUDGET_S = 30.0  # cold
WARM_BUDGET_S = 12.0
PEER = "30 s budget"
#: SymPy ground types and the module each needs
GROUND_TYPES = {"python": None, "gmpy": "gmpy2", "flint": "flint"}

_SEQUENTIAL = textwrap.dedent(
    """
    import json, time
    from collections import defaultdict
    from derivations import all_claims, verify_all
    claims = all_claims()
    t0, c0 = time.perf_counter(), time.process_time()
    results = verify_all(claims)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    from sympy.external.gmpy import GROUND_TYPES
    per_doc = defaultdict(float)
    for r in results:
        per_doc[r.document[:3]] += r.seconds
    slowest = sorted(results, key=lambda r: r.seconds, reverse=True)[:5]
    print(json.dumps({
        "wall": wall, "cpu": cpu, "count": len(results), "ground_types": GROUND_TYPES,
        "per_document": {k: round(v, 3) for k, v in sorted(per_doc.items())},
        "slowest": [[r.claim_id, round(r.seconds, 3)] for r in slowest],
        "verdicts": sorted({r.verdict.value for r in results}),
    }))
    """
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli_seconds(*, cold: bool) -> tuple[float, float, int]:
    """Wall and CPU time of ``python -m gradproof claims --json``, and how many claims it printed.

    ``cold``: no compiled bytecode is found (an empty ``pycache_prefix``, also inherited by
    the worker processes through ``PYTHONPYCACHEPREFIX``), as on the first run after install.
    The CPU time (user + system of the command and its worker processes) does not grow with
    the load other processes put on the machine; the wall time does.
    """
    with tempfile.TemporaryDirectory(prefix="gradproof-cold-") as empty:
        env = dict(os.environ)
        if cold:
            env["PYTHONPYCACHEPREFIX"] = empty
        cpu0, t0 = _children_cpu(), time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "gradproof", "claims", "--json"],
            capture_output=True, text=True, check=True, env=env,
        )
        seconds, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    return seconds, cpu, len(json.loads(proc.stdout)["claims"])


def _sequential(ground_types: str | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    if ground_types is not None:
        env["SYMPY_GROUND_TYPES"] = ground_types
    proc = subprocess.run([sys.executable, "-c", _SEQUENTIAL], capture_output=True, text=True,
                          check=True, env=env)
    return json.loads(proc.stdout)


def _importable(module: str | None) -> bool:
    if module is None:
        return True
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


def _cli_row(name: str, runs: list[tuple[float, float, int]], budget: float) -> Row:
    return Row(BENCHMARK, f"gradproof claims {name}, all {runs[-1][2]} claims",
               statistics.median(s for s, _, _ in runs), f"{budget:g} s budget", budget,
               target=1.0, extra={"runs": len(runs),
                                  "includes": "interpreter start-up and imports",
                                  "cpu_s (all processes)": round(
                                      statistics.median(c for _, c, _ in runs), 2)})


def run(*, quick: bool = False) -> list[Row]:
    """Time ``gradproof claims`` cold and warm, and ``verify_all`` per ground type."""
    repeat = 1 if quick else 3
    cold = [_cli_seconds(cold=True) for _ in range(repeat)]
    warm = [_cli_seconds(cold=False) for _ in range(repeat)]
    rows = [_cli_row("cold (no bytecode)", cold, BUDGET_S),
            _cli_row("warm", warm, WARM_BUDGET_S)]
    seq = {gt: [_sequential(gt) for _ in range(repeat)]
           for gt, module in GROUND_TYPES.items() if _importable(module)}
    base = statistics.median(r["cpu"] for r in seq["python"])
    for gt, runs in seq.items():
        last = runs[-1]
        extra: dict[str, Any] = {"runs": repeat, "ground types in use": last["ground_types"],
                                 "wall_s": round(statistics.median(r["wall"] for r in runs), 2)}
        if gt == "python":
            extra |= {"seconds per document": last["per_document"],
                      "slowest claims": last["slowest"]}
        rows.append(Row(BENCHMARK, f"verify_all() CPU, 1 process, ground types {gt}",
                        statistics.median(r["cpu"] for r in runs), "ground types python",
                        base, extra=extra))
    missing = [m for gt, m in GROUND_TYPES.items() if gt not in seq]
    if missing:
        rows[-1].extra["not installed (not measured)"] = ", ".join(missing)
    return rows
