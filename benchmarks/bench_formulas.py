"""How long ``check_formula`` takes on a user's formula, against issue 17's 2 s budget.

Each case runs in a fresh interpreter (no SymPy cache or built network of an earlier run
helps, as for a user's first ``gradproof check``), and times the call alone, imports excluded:

(a) a correct formula on the 3-layer spec of the issue, ``dW1 = dZ1 @ X.T`` on
    ``3-5-5-2 tanh,relu/identity mse half mean_all columns`` (proven at 4 shapes);
(b) a wrong one on the same spec, ``dW1 = X.T @ dZ1`` (refuted, diagnosed as the rows
    layout's formula, the correction decided too);
(c) ``gradproof check`` on (a) as a user runs it, interpreter start-up and imports included.

The peer is the budget itself (2 s on the 2-core machine): a speedup of at least 1 meets it.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import textwrap
import time

from benchmarks import Row

BENCHMARK = "formulas"
BUDGET_S = 2.0
PEER = "2 s budget"
SPEC = "3-5-5-2 tanh,relu/identity mse half mean_all columns"
CASES = (("dW1", "dZ1 @ X.T", "proven"), ("dW1", "X.T @ dZ1", "refuted"))

_ONE = textwrap.dedent(
    """
    import json, sys, time
    from derivations import check_formula
    spec, target, expression = sys.argv[1:4]
    t0 = time.perf_counter()
    r = check_formula(spec, target, expression)
    print(json.dumps({"seconds": time.perf_counter() - t0, "verdict": r.verdict.value,
                      "diagnosis": r.diagnosis}))
    """
)


def _call(target: str, expression: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", _ONE, SPEC, target, expression],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def _cli() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gradproof", "check", SPEC, "dW1 = dZ1 @ X.T"],
                   capture_output=True, text=True, check=True)
    return time.perf_counter() - t0


def run(*, quick: bool = False) -> list[Row]:
    """Time (a), (b) and (c), medians of fresh runs; each case's verdict checked first."""
    repeat = 1 if quick else 3
    rows = []
    for target, expression, verdict in CASES:
        runs = [_call(target, expression) for _ in range(repeat)]
        if any(r["verdict"] != verdict for r in runs):
            raise RuntimeError(f"{target} = {expression}: expected {verdict}, got {runs}")
        rows.append(Row(BENCHMARK, f"check_formula {target} = {expression} ({verdict})",
                        statistics.median(float(r["seconds"]) for r in runs), PEER, BUDGET_S,
                        target=1.0, extra={"spec": SPEC, "runs": repeat,
                                           "diagnosis": runs[-1]["diagnosis"]}))
    cli = statistics.median(_cli() for _ in range(repeat))
    rows.append(Row(BENCHMARK, "gradproof check dW1 = dZ1 @ X.T (with start-up)", cli, PEER,
                    BUDGET_S, target=None, extra={"includes": "interpreter start-up, imports"}))
    return rows
