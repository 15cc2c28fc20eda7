"""Command line: ``python -m benchmarks [NAME ...] [--quick] [--json FILE] [--check]``.

Prints the machine (cores, load, BLAS kernel) and one table per benchmark; ``--json FILE``
writes every row as a JSON list of ``{"benchmark", "case", "ours_s", "peer", "peer_s",
"speedup", "target", "meets_target", "extra"}``. Exit status: 0, or 1 with ``--check`` when
a row misses its target.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from benchmarks import Row, available, environment, format_seconds, run_benchmark


def format_rows(rows: Sequence[Row]) -> str:
    """The rows as a fixed-width table; each row's ``extra`` follows it, one key a line."""
    header = (
        f"{'benchmark':<10} {'case':<46} {'ours':>9} {'peer':<24} {'peer time':>9} "
        f"{'speedup':>8} {'target':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        target = ""
        if r.target is not None:
            target = f">={r.target:g}" + (" ok" if r.meets_target else " NO")
        lines.append(
            f"{r.benchmark:<10} {r.case:<46} {format_seconds(r.ours_s):>9} {r.peer:<24} "
            f"{format_seconds(r.peer_s):>9} "
            f"{r.speedup:>7.2f}x {target:>8}"
        )
        lines.extend(f"{'':<10}   {key}: {value}" for key, value in r.extra.items())
    return "\n".join(lines)


def format_environment(env: dict[str, object]) -> str:
    """One ``key: value`` line per entry of ``benchmarks.environment()``."""
    return "\n".join(f"# {key}: {value}" for key, value in env.items())


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m benchmarks``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME",
        help=f"benchmarks to run (default: all of {', '.join(available())})",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the rows as a JSON list to FILE")
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats and smaller cases (a smoke run)"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a row misses its target"
    )
    parser.add_argument(
        "--idle-wait", type=float, default=0.0, metavar="SECONDS",
        help="before each timed block, wait up to SECONDS for other processes to leave the "
        "cores (default: 0, no waiting); for shared machines",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the named benchmarks (all by default), print their tables, optionally write JSON."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(available()))
        return 0
    unknown = [n for n in args.names if n not in available()]
    if unknown:
        parser.error(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(available())}"
        )
    print(format_environment(environment()), flush=True)
    rows: list[Row] = []
    for name in args.names or available():
        print(f"== {name}", flush=True)
        new = run_benchmark(name, quick=args.quick, idle_wait=args.idle_wait)
        print(format_rows(new), flush=True)
        rows.extend(new)
    print(f"# load_avg_1min at the end: {environment()['load_avg_1min']}", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([r.to_json() for r in rows], fh, indent=2, default=str)
            fh.write("\n")
    missed = [r for r in rows if r.meets_target is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
