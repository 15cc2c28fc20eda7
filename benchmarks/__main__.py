"""Command line: ``python -m benchmarks [NAME ...] [--quick] [--json FILE]``."""

from __future__ import annotations

import argparse
import json
import sys

from benchmarks import Row, available, run_benchmark


def format_rows(rows: list[Row]) -> str:
    header = f"{'benchmark':<12} {'case':<44} {'ours':>10} {'peer':<26} {'peer time':>10} {'speedup':>8} {'target':>7}"
    lines = [header, "-" * len(header)]
    for r in rows:
        target = "" if r.target is None else (f">={r.target:g}" + (" ok" if r.speedup >= r.target else " NO"))
        lines.append(
            f"{r.benchmark:<12} {r.case:<44} {r.ours_s:>9.3g}s {r.peer:<26} {r.peer_s:>9.3g}s "
            f"{r.speedup:>7.2f}x {target:>7}"
        )
        for key, value in r.extra.items():
            lines.append(f"{'':<12}   {key}: {value}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all of {', '.join(available())})")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as a JSON list to FILE")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller cases (a smoke run)")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for name in args.names or available():
        print(f"== {name}", flush=True)
        new = run_benchmark(name, quick=args.quick)
        print(format_rows(new), flush=True)
        rows.extend(new)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([r.to_json() for r in rows], fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
