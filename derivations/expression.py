"""NumPy-style formula text, read with :mod:`ast` and evaluated on exact or float arrays.

A formula such as ``dZ2 @ A1.T / m`` or ``np.sum(dZ1, axis=1, keepdims=True)`` is parsed
with :func:`ast.parse` and checked against an allow-list (:func:`parse_expression`); nothing
is passed to ``eval``. :func:`evaluate` then walks the tree over NumPy arrays: object arrays
of SymPy expressions (exact) or float arrays (for quick numeric screening), with NumPy's own
broadcasting and shape rules, and a shape error in our words (:class:`ShapeMismatch`).

Allowed: names of the network (given by the caller), numbers, ``+ - * / ** @``, unary ``-``,
``.T``, comparisons with a number (``Z1 > 0`` is the step 1 where true, 0 elsewhere), calls of
the functions in :data:`FUNCTIONS` (``np.`` prefixed or not) and the ``.sum(...)`` method, with
keyword arguments ``axis`` (0, 1 or None) and ``keepdims`` (True or False).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

__all__ = [
    "FUNCTIONS",
    "ExpressionError",
    "Formula",
    "ShapeMismatch",
    "evaluate",
    "matmul",
    "parse_expression",
]

#: functions a formula may call; ``np.`` may prefix any of them
FUNCTIONS = (
    "sum", "mean", "dot", "matmul", "multiply", "transpose", "exp", "log", "tanh", "sqrt",
    "square", "maximum", "where", "ones_like", "zeros_like", "sigmoid", "relu", "leaky_relu",
    "softmax", "identity", "sigmoid_prime", "tanh_prime", "relu_prime", "leaky_relu_prime",
)
_KEYWORDS = ("axis", "keepdims")
_ARITY = {"dot": 2, "matmul": 2, "multiply": 2, "maximum": 2, "where": 3}

_BINOPS: Mapping[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@",
}


class ExpressionError(ValueError):
    """Formula text outside the allowed NumPy subset; the message names the part at fault."""


class ShapeMismatch(Exception):
    """The formula's operation is undefined at the shapes it met (a refutation, not misuse)."""


@dataclass(frozen=True)
class Formula:
    """A parsed, allow-listed formula: its text, its tree and the names it reads."""

    text: str
    tree: ast.expr
    names: frozenset[str]

    def __str__(self) -> str:
        return self.text


def _where(node: ast.AST, text: str) -> str:
    segment = ast.get_source_segment(text, node) or type(node).__name__
    return f"{segment!r} (column {getattr(node, 'col_offset', 0) + 1})"


def _check(node: ast.AST, text: str, names: set[str], known: Mapping[str, str]) -> None:
    """Raise ExpressionError for any node outside the allow-list; collect the names read."""
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise ExpressionError(f"operator in {_where(node, text)} is not one of "
                                  f"{' '.join(_BINOPS.values())}")
        _check(node.left, text, names, known)
        _check(node.right, text, names, known)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise ExpressionError(f"{_where(node, text)}: only unary - and + are allowed")
        _check(node.operand, text, names, known)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"{_where(node, text)}: only numbers are allowed as constants")
    elif isinstance(node, ast.Name):
        if node.id not in known:
            raise ExpressionError(
                f"name {node.id!r} is not defined here; the formula may use "
                f"{', '.join(sorted(set(known.values()), key=_name_order))} and the functions "
                f"{', '.join(FUNCTIONS)}"
            )
        names.add(known[node.id])
        node.id = known[node.id]  # aliases (a1, dz2) read as their canonical names
    elif isinstance(node, ast.Attribute):
        if node.attr != "T":
            raise ExpressionError(f"{_where(node, text)}: of attributes only .T is allowed")
        _check(node.value, text, names, known)
    elif isinstance(node, ast.Compare):
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
            raise ExpressionError(f"{_where(node, text)}: compare once with >, >=, < or <=")
        _check(node.left, text, names, known)
        _check(node.comparators[0], text, names, known)
    elif isinstance(node, ast.Call):
        name = _function_name(node, text)
        method = not isinstance(node.func, ast.Name) and not (
            isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "np"
        )
        wanted = _ARITY.get(name, 1) - (1 if method else 0)
        if len(node.args) != wanted:
            raise ExpressionError(
                f"{_where(node, text)}: {name} takes {wanted} positional argument(s), "
                f"got {len(node.args)}"
            )
        if node.keywords and name not in ("sum", "mean", "softmax"):
            raise ExpressionError(f"{_where(node, text)}: {name} takes no keyword arguments")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "sum" and not (
            isinstance(node.func.value, ast.Name) and node.func.value.id == "np"
        ):
            _check(node.func.value, text, names, known)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise ExpressionError(f"{_where(arg, text)}: *args are not allowed")
            _check(arg, text, names, known)
        for kw in node.keywords:
            if kw.arg not in _KEYWORDS:
                raise ExpressionError(
                    f"{_where(node, text)}: keyword {kw.arg!r} is not one of {_KEYWORDS}"
                )
            _static(kw.value, text)
    else:
        raise ExpressionError(
            f"{_where(node, text)} is not allowed in a formula (names, numbers, + - * / ** @, "
            ".T, comparisons and calls of the listed functions are)"
        )


def _name_order(name: str) -> tuple[int, str]:
    return (len(name), name)


def _static(node: ast.expr, text: str) -> object:
    """The value of an ``axis=`` or ``keepdims=`` argument: None, True, False, 0, 1, -1, -2."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(
        node.operand, ast.Constant
    ) and type(node.operand.value) is int:
        return -node.operand.value
    if isinstance(node, ast.Constant) and (node.value is None or type(node.value) in (int, bool)):
        return node.value
    raise ExpressionError(f"{_where(node, text)}: axis and keepdims take None, an int or a bool")


def _function_name(node: ast.Call, text: str) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        name = func.id
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
        func.value.id == "np"
    ):
        name = func.attr
    elif isinstance(func, ast.Attribute) and func.attr == "sum":
        return "sum"  # the array method x.sum(...)
    else:
        raise ExpressionError(f"{_where(node, text)}: call a listed function, np.NAME or x.sum")
    if name not in FUNCTIONS:
        raise ExpressionError(
            f"function {name!r} in {_where(node, text)} is not one of {', '.join(FUNCTIONS)}"
        )
    return name


def parse_expression(text: str, known: Mapping[str, str]) -> Formula:
    """Parse formula text and check it against the allow-list.

    Parameters
    ----------
    text : str
        E.g. ``"dZ2 @ A1.T / m"``.
    known : mapping of str to str
        Each name the formula may use (aliases such as ``"a1"`` included) to its canonical
        name (``"A1"``).

    Returns
    -------
    Formula

    Raises
    ------
    ExpressionError
        If the text is not Python, or uses a name, operator, attribute, function or keyword
        outside the allow-list; the message quotes the part and its column.

    Examples
    --------
    >>> sorted(parse_expression("dZ2 @ A1.T / m", {"dZ2": "dZ2", "A1": "A1", "m": "m"}).names)
    ['A1', 'dZ2', 'm']
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(f"expression must be non-empty text, got {text!r}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            f"expression {text.strip()!r} is not valid Python syntax ({exc.msg} at column "
            f"{exc.offset})"
        ) from None
    names: set[str] = set()
    _check(tree.body, text.strip(), names, known)
    return Formula(text.strip(), tree.body, frozenset(names))


Functions = Mapping[str, Callable[..., Any]]


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(np.shape(x))


def _broadcast(op: str, a: Any, b: Any) -> None:
    try:
        np.broadcast_shapes(_shape(a), _shape(b))
    except ValueError:
        raise ShapeMismatch(
            f"{op} of shapes {_shape(a)} and {_shape(b)} is undefined: they do not broadcast"
        ) from None


def matmul(a: Any, b: Any) -> Any:
    """``a @ b`` with NumPy's rules, or :class:`ShapeMismatch` naming both shapes."""
    sa, sb = _shape(a), _shape(b)
    if not sa or not sb:
        raise ShapeMismatch(f"@ needs arrays, got shapes {sa} and {sb}")
    inner_a, inner_b = sa[-1], sb[0] if len(sb) == 1 else sb[-2]
    if inner_a != inner_b:
        raise ShapeMismatch(
            f"the matrix product of shapes {sa} @ {sb} is undefined: inner dimensions "
            f"{inner_a} and {inner_b} differ"
        )
    return np.matmul(a, b)


def _number(value: int | float) -> sp.Rational:
    if isinstance(value, int):
        return sp.Integer(value)
    f = Fraction(repr(value))  # 0.01 is meant as 1/100
    return sp.Rational(f.numerator, f.denominator)


def evaluate(formula: Formula, env: Mapping[str, Any], functions: Functions, *,
             exact: bool) -> Any:
    """Evaluate a parsed formula over ``env``.

    Parameters
    ----------
    formula : Formula
    env : mapping of str to array or scalar
        Each canonical name's value (object arrays of SymPy expressions, or floats).
    functions : mapping of str to callable
        The implementation of each name of :data:`FUNCTIONS` for this kind of array, plus
        ``"_step"`` (the indicator of ``x > 0``).
    exact : bool
        Whether numbers become SymPy Rationals (else floats).

    Returns
    -------
    numpy.ndarray or scalar

    Raises
    ------
    ShapeMismatch
        When an operation is undefined at the shapes met.
    """
    return _Evaluator(env, functions, exact, formula.text).visit(formula.tree)


class _Evaluator:
    def __init__(self, env: Mapping[str, Any], functions: Functions, exact: bool,
                 text: str) -> None:
        self.env, self.functions, self.exact, self.text = env, functions, exact, text

    def visit(self, node: ast.expr) -> Any:
        method = getattr(self, f"_{type(node).__name__}")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        return _number(node.value) if self.exact else float(node.value)

    def _Name(self, node: ast.Name) -> Any:
        return self.env[node.id]

    def _Attribute(self, node: ast.Attribute) -> Any:
        value = self.visit(node.value)
        return np.transpose(value) if isinstance(value, np.ndarray) else value

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        return -value if isinstance(node.op, ast.USub) else value

    def _BinOp(self, node: ast.BinOp) -> Any:
        a, b = self.visit(node.left), self.visit(node.right)
        op = _BINOPS[type(node.op)]
        if op == "@":
            return matmul(a, b)
        _broadcast(op, a, b)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        return a**b

    def _Compare(self, node: ast.Compare) -> Any:
        left, right = self.visit(node.left), self.visit(node.comparators[0])
        _broadcast("a comparison", left, right)
        step = self.functions["_step"]
        if isinstance(node.ops[0], (ast.Gt, ast.GtE)):
            return step(left - right)
        return step(right - left)

    def _Call(self, node: ast.Call) -> Any:
        name = _function_name(node, self.text)
        args = [self.visit(a) for a in node.args]
        if isinstance(node.func, ast.Attribute) and node.func.attr == "sum" and not (
            isinstance(node.func.value, ast.Name) and node.func.value.id == "np"
        ):
            args.insert(0, self.visit(node.func.value))
        kwargs = {kw.arg: _static(kw.value, self.text) for kw in node.keywords}
        fn = self.functions[name]
        try:
            return fn(*args, **kwargs)
        except TypeError as exc:
            raise ExpressionError(f"{_where(node, self.text)}: {exc}") from None
        except (ValueError, np.exceptions.AxisError) as exc:
            shapes = ", ".join(str(_shape(a)) for a in args)
            raise ShapeMismatch(f"{name} of shapes {shapes} is undefined ({exc})") from None
