"""The ``gradproof`` command: a thin argparse layer over the library packages.

Exit codes: 0 the command ran to the end, 1 a check failed or an error stopped the run
(one line ``gradproof: error: <message>`` on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gradproof import __version__

EPILOG = """\
exit codes:
  0  the command ran to the end (a refuted claim is a finding, not a failure)
  1  a gradient check failed, or an error stopped the run
  2  bad usage
"""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with one subparser per command.

    Returns
    -------
    argparse.ArgumentParser
        The parser; ``parse_args`` on it gives a namespace with ``command`` and ``handler``.
    """
    parser = argparse.ArgumentParser(
        prog="gradproof",
        description=(
            "Prove backpropagation right three ways: SymPy derives each formula of the "
            "tutorials, NumPy computes it, finite differences measure it."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"gradproof {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = sub.add_parser(
        "report",
        help="write the derivation report (HTML, Markdown, JSON) from live computation",
        description="Decide every claim, cross-check the networks and write the report.",
    )
    report.add_argument("--out", default="docs/report", metavar="DIR",
                        help="output directory (default: %(default)s), relative to the current "
                        "directory; only files gradproof wrote there are ever replaced")
    report.add_argument("--force", action="store_true",
                        help="write beside files gradproof did not write (they are left "
                        "alone) and replace report files edited since gradproof wrote them")
    report.add_argument("--seed", type=int, default=0, metavar="N",
                        help="seed of every random draw (default: %(default)s)")
    report.add_argument("--quick", action="store_true",
                        help="a smaller run (shorter training, fewer step sizes)")
    report.add_argument("--quiet", action="store_true",
                        help="no progress bars and no summary line")
    report.set_defaults(handler=_cmd_report, validate=_validate_report)

    claims = sub.add_parser(
        "claims",
        help="decide the documents' claims with SymPy and print the verdicts",
        description="Decide every claim (or the selected ones) and print a table or JSON.",
    )
    claims.add_argument("--json", action="store_true",
                        help="print JSON with every verdict detail instead of the table")
    claims.add_argument("--document", metavar="NAME",
                        help="only this document: its seed file name or prefix, e.g. 000 "
                        "(default: all)")
    claims.add_argument("--id", metavar="ID", help="only the claim with this id (default: all)")
    claims.add_argument("--workers", type=int, default=None, metavar="N",
                        help="processes to verify in (default: up to 2; 1 = this process)")
    claims.set_defaults(handler=_cmd_claims)

    from gradproof import check_cmd

    check_cmd.add_parser(sub).set_defaults(handler=check_cmd.run, validate=check_cmd.validate)
    return parser


def _validate_report(args: argparse.Namespace) -> None:
    """Refuse an output directory that cannot take the report, before any computation."""
    from gradproof.report.build import REPORT_PATHS
    from gradproof.report.write import check_writable

    check_writable(args.out, force=args.force, names=REPORT_PATHS)


def _cmd_report(args: argparse.Namespace) -> int:
    from gradproof.report import build_report  # imported here: --help stays fast

    summary = build_report(args.out, seed=args.seed, quick=args.quick,
                           show_progress=not args.quiet, force=args.force)
    if not args.quiet:
        print(summary)
    return 0


def _cmd_claims(args: argparse.Namespace) -> int:
    from gradproof.claims_format import decide_claims, format_claims_json, format_claims_table

    decided = decide_claims(document=args.document, claim_id=args.id, workers=args.workers)
    print(format_claims_json(decided) if args.json else format_claims_table(decided))
    return 0  # a refuted claim is a finding, not a failure


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gradproof`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments without the program name; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code (see the module docstring).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    validate = getattr(args, "validate", None)
    if validate is not None:
        try:
            validate(args)
        except (ValueError, TypeError, OSError) as exc:
            parser.error(str(exc))  # a usage error: exit 2, before any computation
    try:
        return int(args.handler(args))
    except (ValueError, TypeError, OSError) as exc:
        print(f"gradproof: error: {exc}", file=sys.stderr)
        return 1
