"""The ``gradproof`` command: a thin argparse layer over the library packages.

Every argument is checked before any computation: by its argparse ``type`` when it can be
checked alone, and by the subcommand's ``validate`` hook (run by `main` before the handler)
when it needs the file system or the claim registry. A bad argument is a usage error.

Exit codes: 0 the command ran to the end, 1 a check failed or an error stopped the run
(one line ``gradproof: error: <message>`` on stderr), 2 bad usage, 130 interrupted (Ctrl-C),
141 its output pipe was closed (``gradproof claims --json | head``), as for other Unix tools.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from gradproof import __version__

EPILOG = """\
exit codes:
  0    the command ran to the end (a refuted claim is a finding, not a failure)
  1    a gradient check failed, a quote is no longer in its document, or an error
       stopped the run
  2    bad usage
  130  interrupted (Ctrl-C)
  141  the output pipe was closed early (e.g. piped into head)
"""

#: the most worker processes `--workers` accepts, per CPU
WORKERS_PER_CPU = 4
INTERRUPTED = 128 + signal.SIGINT
BROKEN_PIPE = 128 + signal.SIGPIPE


def _seed(text: str) -> int:
    """``--seed``: a non-negative integer (NumPy's seeds)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}; "
                                         "seeds are 0, 1, 2, ...")
    return value


def _workers(text: str) -> int:
    """``--workers``: a positive number of processes, at most WORKERS_PER_CPU per CPU."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    most = WORKERS_PER_CPU * (os.cpu_count() or 1)
    if not 1 <= value <= most:
        raise argparse.ArgumentTypeError(
            f"expected 1 to {most} processes ({WORKERS_PER_CPU} per CPU), got {value}; "
            "1 verifies in this process")
    return value


def _add_documents(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--documents", metavar="DIR",
        help="the tutorials' directory: every claim's quote is checked in its document first "
        "(default: ../shared/seeds beside the gradproof source checkout gradproof runs from, "
        "or that is the current directory, when present; otherwise none, and then the quotes "
        "are not re-checked)")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with one subparser per command.

    Returns
    -------
    argparse.ArgumentParser
        The parser; ``parse_args`` on it gives a namespace with ``command``, ``handler``,
        ``validate`` (checks that need more than one argument's text, run before ``handler``;
        a ValueError, TypeError, OSError or LookupError it raises is a usage error) and
        ``subparser`` (whose usage line such an error prints).
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
    report.add_argument("--seed", type=_seed, default=0, metavar="N",
                        help="seed of every random draw, a non-negative integer "
                        "(default: %(default)s)")
    _add_documents(report)
    report.add_argument("--formulas", metavar="FILE",
                        help="a TOML file of your own derivations ([[derivation]] tables of "
                        "spec, [derivation.formulas] target = \"expression\", code or "
                        "code_file): adds the section 'Your derivations'; its code is RUN "
                        "(default: none; format in docs/guide.md)")
    report.add_argument("--quiet", action="store_true",
                        help="no progress bars and no summary line")
    # removed: the claims dominate the run time, so a smaller run was no preview
    report.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)
    report.set_defaults(handler=_cmd_report, validate=_validate_report, subparser=report)

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
    claims.add_argument("--id", metavar="ID", action="append", dest="ids",
                        help="only the claim with this id; repeat for several, listed in "
                        "registry order (default: all)")
    claims.add_argument("--workers", type=_workers, default=None, metavar="N",
                        help="processes to verify in (default: up to 2; 1 = this process)")
    _add_documents(claims)
    claims.set_defaults(handler=_cmd_claims, validate=_validate_claims, subparser=claims)

    from gradproof import check_cmd

    check = check_cmd.add_parser(sub)
    check.set_defaults(handler=check_cmd.run, validate=check_cmd.validate, subparser=check)
    return parser


def _resolve_documents(args: argparse.Namespace) -> None:
    """``args.documents``: the given directory (which must be one), else the default or None."""
    from gradproof.sources import default_documents

    if args.documents is None:
        args.documents = default_documents()
    elif not os.path.isdir(args.documents):
        raise NotADirectoryError(f"--documents {args.documents}: is not a directory; name the "
                                 "directory that holds the tutorials")


def _note_unchecked(args: argparse.Namespace) -> None:
    if args.documents is None:
        print("gradproof: note: quotes not re-checked against the documents (no --documents "
              "directory, and no ../shared/seeds beside the project)", file=sys.stderr)


def _validate_report(args: argparse.Namespace) -> None:
    """Refuse a bad --formulas file or an unusable output directory, before computing."""
    if args.quick:
        raise ValueError("--quick was removed: deciding the claims takes most of the run, so "
                         "the report has one size; run `gradproof report`")
    if args.formulas is not None:
        from gradproof.formulas_file import load_formulas_file

        # every key checked now; keys and files before SymPy is even imported
        load_formulas_file(args.formulas)
    from gradproof.report.build import REPORT_PATHS
    from gradproof.report.write import check_writable

    check_writable(args.out, force=args.force, names=REPORT_PATHS)
    _resolve_documents(args)


def _validate_claims(args: argparse.Namespace) -> None:
    """Unknown documents and ids are usage errors, listing the valid ones."""
    from gradproof.claims_format import select_claims

    args.selected = select_claims(document=args.document, claim_ids=args.ids)
    _resolve_documents(args)


def _cmd_report(args: argparse.Namespace) -> int:
    from gradproof.report import build_report  # imported here: --help stays fast

    _note_unchecked(args)
    summary = build_report(args.out, seed=args.seed, show_progress=not args.quiet,
                           force=args.force, documents=args.documents,
                           formulas=args.formulas)
    if not args.quiet:
        print(summary)
    return 0


def _cmd_claims(args: argparse.Namespace) -> int:
    from gradproof.claims_format import decide_claims, format_claims_json, format_claims_table
    from gradproof.sources import check_quotes

    _note_unchecked(args)
    if args.documents is not None:
        check_quotes(args.documents, args.selected)
    decided = decide_claims(args.selected, workers=args.workers)
    print(format_claims_json(decided) if args.json else format_claims_table(decided))
    return 0  # a refuted claim is a finding, not a failure


def _silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. captured)
        pass


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
    try:
        args = parser.parse_args(argv)
        validate = getattr(args, "validate", None)
        if validate is not None:
            try:
                validate(args)
            except (ValueError, TypeError, OSError, LookupError) as exc:
                # a usage error of the subcommand: its usage line, exit 2, before computation
                message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
                getattr(args, "subparser", parser).error(str(message))
        try:
            code = int(args.handler(args))
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
            return code
        except BrokenPipeError:
            _silence_stdout()
            return BROKEN_PIPE
        except (ValueError, TypeError, OSError) as exc:
            print(f"gradproof: error: {exc}", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("gradproof: interrupted", file=sys.stderr)
        return INTERRUPTED
