"""``gradproof check SPEC "dW2 = dZ2 @ A1.T / m" ... [--code FILE] [--json]``.

Decides a user's own formulas (and, with ``--code``, runs and decides their backward code)
for the network SPEC. Exit status: 0 when everything is proven, 1 when something is refuted
or undecided, 2 for a usage error (a bad spec, target or expression, in our words).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # derivations (SymPy) is imported when a check runs: --help stays fast
    from derivations.backward_code import BackwardResult
    from derivations.claim import Result
    from derivations.formula import Derivation

__all__ = ["add_parser", "format_json", "parse_assignment", "run", "validate"]

_ASSIGNMENT = re.compile(r"\s*([A-Za-z_]\w*)\s*=(?!=)\s*(.+)", re.DOTALL)

HELP = """\
spec grammar: SIZES HIDDEN/OUTPUT LOSS [half] [REDUCTION] [LAYOUT] [summed], e.g.
  "2-4-1 sigmoid/sigmoid bce mean columns", "2-4-3 relu/softmax ce mean rows",
  "3-5-5-2 tanh,relu/identity mse half mean_all columns"
formulas may read X, Y, m, n0.., W1, b1, Z1, A1, ... and the true dZ1, dA1, ...
with --code, gradproof RUNS YOUR CODE (as pytest runs a test file) on exact inputs.
exit codes: 0 all proven, 1 something refuted or undecided, 2 bad usage
"""


def parse_assignment(text: str) -> tuple[str, str]:
    """``"dW2 = dZ2 @ A1.T / m"`` -> ``("dW2", "dZ2 @ A1.T / m")``.

    Raises
    ------
    ValueError
        If the text is not ``TARGET = EXPRESSION``.
    """
    hit = _ASSIGNMENT.fullmatch(text)
    if hit is None:
        raise ValueError(f"formula {text!r} is not of the form 'TARGET = EXPRESSION', e.g. "
                         "'dW2 = dZ2 @ A1.T / m'")
    return hit.group(1), hit.group(2).strip()


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``check`` on the subparsers ``sub`` of the ``gradproof`` parser."""
    check = sub.add_parser(
        "check",
        help="decide your own backprop formulas (and, with --code, run your backward code)",
        description="Decide each 'TARGET = EXPRESSION' exactly for the network SPEC, against "
        "sympy.diff of its loss; with --code FILE, run FILE's forward + backward code on "
        "exact inputs and decide every gradient variable it binds. This runs your code.",
        epilog=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("spec", metavar="SPEC", help="the network, e.g. "
                       "'2-4-1 sigmoid/sigmoid bce mean columns'")
    check.add_argument("formulas", nargs="*", metavar="FORMULA",
                       help="'TARGET = EXPRESSION', e.g. 'dW2 = dZ2 @ A1.T' (any number)")
    check.add_argument("--code", metavar="FILE",
                       help="a Python file with your forward + backward code; it is RUN")
    check.add_argument("--names", metavar="VAR=QTY,...", default="",
                       help="with --code: variables holding gradients under other names, e.g. "
                       "'dhidden=dA1,dscores=dZ2' (default: none)")
    check.add_argument("--json", action="store_true", help="print JSON instead of text")
    return check


def _names(text: str) -> dict[str, str]:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        var, _, quantity = part.partition("=")
        if not var or not quantity:
            raise ValueError(f"--names {part!r}: expected VAR=QUANTITY, e.g. dhidden=dA1")
        out[var.strip()] = quantity.strip()
    return out


def validate(args: argparse.Namespace) -> None:
    """Check the spec, every formula and the code file before anything is decided."""
    from derivations.formula import _prepare
    from derivations.spec import parse_spec

    spec = parse_spec(args.spec)
    if not args.formulas and not args.code:
        raise ValueError("give at least one 'TARGET = EXPRESSION' or --code FILE")
    given: dict[str, str] = {}
    for text in args.formulas:
        _, target, _ = _prepare(spec, *parse_assignment(text))
        if target in given:
            raise ValueError(f"{target} is given twice ({given[target]!r} and {text!r}); "
                             "give each target once, or run check once per version")
        given[target] = text
    if args.code:
        path = Path(args.code)
        if not path.is_file():
            raise ValueError(f"--code {args.code}: no such file")
    _names(args.names)


def _result_json(r: Result) -> dict[str, Any]:
    cex = r.counterexample
    out: dict[str, Any] = {
        "id": r.claim_id, "title": r.title, "verdict": r.verdict.value, "reason": r.reason,
        "counterexample": None if cex is None else {
            "point": dict(cex.point), "entry": cex.entry, "stated": cex.stated,
            "correct": cex.correct,
        },
        "seconds": round(r.seconds, 3),
    }
    for key in ("target", "expression", "diagnosis", "standard", "shapes"):
        if hasattr(r, key):
            value = getattr(r, key)
            out[key] = list(value) if isinstance(value, tuple) else value
    if r.corrected is not None:
        out["corrected"] = r.corrected
        out["corrected_verdict"] = r.corrected_check.verdict.value if r.corrected_check else None
    return out


def format_json(derivation: Derivation | None, code: BackwardResult | None, spec: str) -> str:
    """Everything decided, as JSON text."""
    out: dict[str, Any] = {"spec": spec}
    if derivation is not None:
        out["formulas"] = [_result_json(r) for r in derivation.results]
        out["first_wrong"] = derivation.first_wrong
    if code is not None:
        out["code"] = {"gradients": [_result_json(r) for r in code.results],
                       "aliasing": list(code.aliasing)}
    return json.dumps(out, indent=2)


def run(args: argparse.Namespace) -> int:
    """Decide the formulas and the code; print text or JSON; 0 all proven, else 1."""
    from derivations.backward_code import check_backward
    from derivations.formula import check_formulas
    from derivations.spec import parse_spec

    spec = parse_spec(args.spec)
    derivation = None
    if args.formulas:
        derivation = check_formulas(spec, dict(parse_assignment(f) for f in args.formulas))
    code = None
    if args.code:
        source = Path(args.code).read_text(encoding="utf-8")
        code = check_backward(spec, source, names=_names(args.names))
    if args.json:
        print(format_json(derivation, code, str(spec)))
    else:
        parts = [str(x) for x in (derivation, code) if x is not None]
        print("\n".join(parts))
    ok = (derivation is None or derivation.proven) and (code is None or code.proven)
    return 0 if ok else 1

