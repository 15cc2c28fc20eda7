"""Decide a user's own backprop formula exactly: ``check_formula(spec, "dW2", "dZ2 @ A1.T / m")``.

The formula (NumPy-style text, see :mod:`derivations.expression`) is evaluated on the spec's
network built on explicit symbolic matrices (:mod:`derivations.spec_network`) and compared,
entry by entry, with ``sympy.diff`` of the spec's loss, at every shape of a stated set
(:func:`check_shapes`). The result is a :class:`FormulaResult`, a :class:`~derivations.Result`
like a document claim's: ``proven`` when every entry's difference simplifies to 0 at every
shape; ``refuted`` with an exact counterexample (the shapes, the point, the stated and the
correct value), a diagnosis in words where one of the known mistakes explains it, and a
corrected formula in the user's notation (itself decided exactly); ``undecided`` when SymPy
could neither simplify a difference to 0 nor find a point where it is nonzero.

Names a formula may read, for an L-layer spec: ``X`` (also ``A0``), ``Y``, ``m``, ``n0`` ..
``nL`` (the widths), ``W1``, ``b1``, ``Z1``, ``A1``, ..., and the true gradients ``dZ1``,
``dA1``, ..., ``dA0`` (also ``dX``) but the formula's own target: one step of a chain is
checked given the previous steps. Lower-case aliases (``w1``, ``a1``, ``dz2``) are accepted.
"""

from __future__ import annotations

import ast
import functools
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sympy as sp
from sympy.polys.fields import FracField
from sympy.polys.orderings import lex
from sympy.polys.rings import PolyRing

from derivations.claim import Counterexample, Decision, Result, Verdict
from derivations.decide import PRECISION, decide_matrix, is_zero, matrix_shapes, rational_points
from derivations.expression import (
    ExpressionError,
    Formula,
    ShapeMismatch,
    evaluate,
    matmul,
    parse_expression,
)
from derivations.networks import Sigmoid
from derivations.spec import Spec, parse_spec
from derivations.spec_network import (
    activation,
    activation_prime,
    divisor,
    maximum,
    normal_steps,
    spec_network,
    true_gradient,
)
from derivations.symbolic import affine_grads

__all__ = [
    "Derivation",
    "FormulaResult",
    "check_formula",
    "check_formulas",
    "check_shapes",
    "decide_affine_formulas",
    "formula_names",
    "standard_formula",
]

_TARGET = re.compile(r"d(W|b|Z|A)(\d+)")
#: relative agreement of two float evaluations that screens a candidate correction
_SCREEN_RTOL = 1e-9


# ---------------------------------------------------------------------------------------------
# names, targets, shapes
# ---------------------------------------------------------------------------------------------


def formula_names(spec: Spec) -> dict[str, str]:
    """Every name a formula may read for ``spec`` (aliases included) -> its canonical name.

    Examples
    --------
    >>> sorted(set(formula_names(parse_spec("2-1 sigmoid bce")).values()))
    ['A0', 'A1', 'W1', 'X', 'Y', 'Z1', 'b1', 'dA0', 'dA1', 'dZ1', 'm', 'n0', 'n1']
    """
    canonical = ["X", "Y", "m", "A0", "dA0"]
    canonical += [f"n{k}" for k in range(spec.n_layers + 1)]
    for layer in range(1, spec.n_layers + 1):
        canonical += [f"W{layer}", f"b{layer}", f"Z{layer}", f"A{layer}", f"dZ{layer}",
                      f"dA{layer}"]
    names = {c: c for c in canonical}
    names.update({c.lower(): c for c in canonical if c.lower() not in names})
    names["dX"] = names["dx"] = "dA0"
    return names


def _target(spec: Spec, target: str) -> str:
    if not isinstance(target, str):
        raise TypeError(f"target must be a str such as 'dW2', got {type(target).__name__}")
    t = target.strip()
    if t.lower() == "dx":
        return "dA0"
    m = _TARGET.fullmatch(t) or _TARGET.fullmatch(t[:1] + t[1:2].upper() + t[2:])
    L = spec.n_layers
    if m is not None:
        layer = int(m.group(2))
        low = 0 if m.group(1) == "A" else 1
        if low <= layer <= L:
            return f"d{m.group(1)}{layer}"
    allowed = [f"d{q}{k}" for k in range(1, L + 1) for q in ("W", "b", "Z", "A")]
    raise ValueError(
        f"target {target!r} is not a gradient of spec {spec}; choose from "
        f"{', '.join(allowed)}, dA0 (= dX)"
    )


@dataclass(frozen=True)
class CheckShape:
    """One tuple of dimensions ``(n_0, ..., n_L, m)`` a formula is decided at, with its name."""

    label: str
    dims: tuple[int, ...]

    def __str__(self) -> str:
        widths = "-".join(map(str, self.dims[:-1]))
        return f"{self.label} ({widths}, m={self.dims[-1]})"


def check_shapes(spec: Spec) -> tuple[CheckShape, ...]:
    """The stated set of shapes a formula is decided at.

    The output width is always the spec's own (a formula may divide by it); the other widths
    are: all 1 with one sample ("1x1"); alternating 2, 1, 2, ... with one sample ("one
    sample, non-square"); alternating 1, 2, 1, ... with m = 3 ("several samples, non-square";
    no two neighbouring dimensions equal); the spec's own widths (at most 3) with m = 2.

    Examples
    --------
    >>> [s.dims for s in check_shapes(parse_spec("2-4-1 sigmoid/sigmoid bce"))]
    [(1, 1, 1, 1), (2, 1, 1, 1), (1, 2, 1, 3), (2, 3, 1, 2)]
    """
    L, out = spec.n_layers, spec.sizes[-1]
    shapes = [
        CheckShape("1x1", (*(1,) * L, out, 1)),
        CheckShape("one sample, non-square", (*(2 - k % 2 for k in range(L)), out, 1)),
        CheckShape("several samples, non-square", (*(1 + k % 2 for k in range(L)), out, 3)),
        CheckShape("the spec's widths", (*(min(n, 3) for n in spec.sizes[:-1]), out, 2)),
    ]
    unique: dict[tuple[int, ...], CheckShape] = {}
    for s in shapes:
        unique.setdefault(s.dims, s)
    return tuple(unique.values())


# ---------------------------------------------------------------------------------------------
# the functions a formula may call, exact and float
# ---------------------------------------------------------------------------------------------


def _map(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    vec = np.vectorize(fn, otypes=[object])

    def apply(x: Any) -> Any:
        return vec(x) if isinstance(x, np.ndarray) else fn(x)

    return apply


def _class_axis(spec: Spec) -> int:
    return 0 if spec.layout == "columns" else 1


def _sum(x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
    return np.sum(x, axis=axis, keepdims=keepdims)


def _mean(x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
    count = np.size(x) if axis is None else np.shape(x)[axis]
    return np.sum(x, axis=axis, keepdims=keepdims) / count


def _common(spec: Spec, exp: Callable[[Any], Any]) -> dict[str, Callable[..., Any]]:
    def softmax(x: Any, axis: int | None = None) -> Any:
        axis = _class_axis(spec) if axis is None else axis
        e = exp(x)
        return e / np.sum(e, axis=axis, keepdims=True)

    return {
        "sum": _sum, "mean": _mean, "dot": matmul, "matmul": matmul, "softmax": softmax,
        "transpose": np.transpose, "identity": lambda x: x,
        "ones_like": lambda x: np.ones_like(x), "zeros_like": lambda x: np.zeros_like(x),
        "where": lambda c, a, b: c * a + (1 - c) * b, "square": lambda x: x * x,
    }


@functools.cache
def _exact_functions(spec: Spec) -> Mapping[str, Callable[..., Any]]:
    exp = _map(sp.exp)
    table = _common(spec, exp)
    table.update({
        "exp": exp, "log": _map(sp.log), "sqrt": _map(sp.sqrt), "tanh": _map(sp.tanh),
        "multiply": lambda a, b: a * b,
        "maximum": lambda a, b: np.vectorize(maximum, otypes=[object])(a, b),
        "_step": _map(lambda u: normal_steps(sp.Heaviside(u))),
    })
    for name in ("sigmoid", "relu", "leaky_relu"):
        table[name] = _map(activation(name))
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        table[f"{name}_prime"] = _map(activation_prime(name))
    return table


def _float_sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-x))


@functools.cache
def _float_functions(spec: Spec) -> Mapping[str, Callable[..., Any]]:
    table = _common(spec, np.exp)
    step = lambda u: (np.asarray(u) > 0) * 1.0  # noqa: E731 - a one-line table entry
    table.update({
        "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "tanh": np.tanh,
        "multiply": np.multiply, "maximum": np.maximum, "_step": step,
        "sigmoid": _float_sigmoid, "relu": lambda x: np.maximum(x, 0.0),
        "leaky_relu": lambda x: np.where(np.asarray(x) > 0, x, np.asarray(x) / 100),
        "sigmoid_prime": lambda x: _float_sigmoid(x) * (1 - _float_sigmoid(x)),
        "tanh_prime": lambda x: 1 - np.tanh(x) ** 2, "relu_prime": step,
        "leaky_relu_prime": lambda x: np.where(np.asarray(x) > 0, 1.0, 0.01),
    })
    return table


class _Names(Mapping[str, Any]):
    """The names of a formula at one shape, gradients computed (and kept) on first use."""

    def __init__(self, spec: Spec, dims: tuple[int, ...], value: Callable[[str], Any]) -> None:
        self._names = set(formula_names(spec).values())
        self._names |= {f"d{q}{k}" for k in range(1, spec.n_layers + 1) for q in "Wb"}
        self._value = value

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        return self._value(name)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names))

    def __len__(self) -> int:
        return len(self._names)


def _exact_value(spec: Spec, dims: tuple[int, ...], name: str) -> Any:
    if re.fullmatch(r"n\d+", name):
        return sp.Integer(dims[int(name[1:])])
    if name.startswith("d"):
        return true_gradient(spec, dims, name)
    return spec_network(spec, dims).values[name]


def _env(spec: Spec, dims: tuple[int, ...]) -> Mapping[str, Any]:
    return _Names(spec, dims, lambda name: _exact_value(spec, dims, name))


@functools.cache
def _point(spec: Spec, dims: tuple[int, ...], seed: int = 0) -> dict[sp.Symbol, float]:
    """One random float point for every symbol of the network (targets in (0, 1) for logs)."""
    net = spec_network(spec, dims)
    symbols = sorted(set().union(*(sp.Matrix(v).free_symbols for v in
                                   (net.A[0], net.Y, *net.params.values()))), key=str)
    rng = np.random.default_rng(seed)
    point = {s: float(rng.uniform(0.1, 1.0) * rng.choice((-1, 1))) for s in symbols}
    if spec.loss in ("bce", "ce"):
        point.update({s: float(rng.uniform(0.1, 0.9)) for s in symbols if str(s)[0] == "Y"})
    return point


_FLOAT_MODULES = [{"Sigmoid": _float_sigmoid, "Heaviside": lambda u, *a: (u > 0) * 1.0,
                   "Max": np.maximum, "Relu": lambda u: np.maximum(u, 0.0)}, "numpy"]


@functools.cache
def _float_value(spec: Spec, dims: tuple[int, ...], name: str) -> Any:
    if spec.summed:
        plain = _float_value(replace(spec, summed=False), dims, name)
        return plain * divisor(spec, dims[-1]) if re.fullmatch(r"d[ZA]\d+", name) else plain
    if spec.layout == "rows":
        # the rows network is the columns network transposed (X, W, b, Z, A, Y and every
        # gradient; the loss is the same number): a consistent float environment at the
        # transposed point, without building a second symbolic network
        value = _float_value(replace(spec, layout="columns"), dims, name)
        return value.T if isinstance(value, np.ndarray) else value
    value = _exact_value(spec, dims, name)
    if not isinstance(value, np.ndarray):
        return float(value)
    point = _point(spec, dims)
    symbols = sorted(point, key=str)
    fn = sp.lambdify(symbols, list(value.ravel()), modules=_FLOAT_MODULES)
    with np.errstate(all="ignore"):
        numbers = np.asarray(fn(*[point[s] for s in symbols]), dtype=float)
    return numbers.reshape(value.shape)


def _float_env(spec: Spec, dims: tuple[int, ...]) -> Mapping[str, Any]:
    """Every name at one random point, in float64 (for screening candidate corrections)."""
    return _Names(spec, dims, lambda name: _float_value(spec, dims, name))


# ---------------------------------------------------------------------------------------------
# standard formulas
# ---------------------------------------------------------------------------------------------


def _prime_text(act: str, layer: int) -> str | None:
    return {
        "sigmoid": f"A{layer} * (1 - A{layer})",
        "tanh": f"(1 - A{layer} ** 2)",
        "relu": f"relu_prime(Z{layer})",
        "leaky_relu": f"leaky_relu_prime(Z{layer})",
        "identity": None,
    }.get(act)


def _divide(spec: Spec, text: str) -> str:
    if spec.summed or spec.reduction == "sum":
        return text
    if spec.reduction == "mean":
        return f"({text}) / m"
    return f"({text}) / (m * n{spec.n_layers})"


def standard_formula(spec: Spec | str, target: str) -> str | None:
    """The layout's standard formula for ``target``, in the notation of a formula.

    Parameters
    ----------
    spec : Spec or str
    target : str
        ``"dW2"``, ``"db1"``, ``"dZ1"``, ``"dA1"``, ...

    Returns
    -------
    str or None
        ``None`` where there is no standard closed form (``dZ`` of a softmax output under
        squared error or binary cross-entropy).

    Examples
    --------
    >>> standard_formula("2-4-1 sigmoid/sigmoid bce mean columns", "dW2")
    'dZ2 @ A1.T'
    >>> standard_formula("2-4-1 sigmoid/sigmoid bce mean rows", "db1")
    'np.sum(dZ1, axis=0, keepdims=True)'
    """
    spec = parse_spec(spec)
    t = _target(spec, target)
    kind, layer = t[1], int(t[2:])
    cols = spec.layout == "columns"
    prev = "X" if layer == 1 else f"A{layer - 1}"
    L = spec.n_layers
    if kind == "W":
        return f"{_undivided(spec, f'dZ{layer} @ {prev}.T' if cols else f'{prev}.T @ dZ{layer}')}"
    if kind == "b":
        return _undivided(spec, f"np.sum(dZ{layer}, axis={1 if cols else 0}, keepdims=True)")
    if kind == "A" and layer < L:
        nxt = layer + 1
        return f"W{nxt}.T @ dZ{nxt}" if cols else f"dZ{nxt} @ W{nxt}.T"
    act = spec.activations[layer - 1] if layer else None
    if kind == "A":  # the output
        return _divide(spec, {
            "bce": f"(A{L} - Y) / (A{L} * (1 - A{L}))",
            "ce": f"-Y / A{L}",
            "mse": f"A{L} - Y" if spec.half else f"2 * (A{L} - Y)",
        }[spec.loss])
    if layer == L and act == "softmax":
        return _divide(spec, f"A{L} - Y") if spec.loss == "ce" else None
    if layer == L and act == "sigmoid" and spec.loss == "bce":
        return _divide(spec, f"A{L} - Y")
    prime = _prime_text(act, layer)
    return f"dA{layer}" if prime is None else f"dA{layer} * {prime}"


def _undivided(spec: Spec, text: str) -> str:
    """dW, db of the loss itself: under ``summed`` the upstream dZ carries the divisor."""
    if not spec.summed or spec.reduction == "sum":
        return text
    if spec.reduction == "mean":
        return f"{text} / m"
    return f"{text} / (m * n{spec.n_layers})"


def _flat_row(*matrices: sp.Matrix) -> sp.Matrix:
    return sp.Matrix.hstack(*(M.reshape(1, M.rows * M.cols) for M in matrices))


def decide_affine_formulas(layout: str, *,
                           shapes: Sequence[tuple[int, ...]] | None = None) -> Decision:
    """Decide the affine layer's standard dW, db, dA_prev of ``layout`` entrywise.

    The formulas are those of :func:`standard_formula` for one layer with upstream gradient
    ``G`` = dL/dZ: ``dW = G A_prev^T``, ``db = G 1``, ``dA_prev = W^T G`` in the columns layout
    (``A_prev^T G``, ``1^T G``, ``G W^T`` in the rows layout), compared with ``sympy.diff`` of
    ``L = sum(G * Z)`` (:func:`derivations.symbolic.affine_grads`) at every shape.

    Parameters
    ----------
    layout : {"columns", "rows"}
    shapes : sequence of (n_out, n_in, m), optional
        Default :func:`derivations.decide.matrix_shapes` ``(3)`` (20 shapes, edge cases first).

    Returns
    -------
    Decision
        ``PROVEN`` when all three agree in every entry at every shape.

    Examples
    --------
    >>> decide_affine_formulas("rows", shapes=[(1, 1, 1), (2, 3, 2)]).verdict.value
    'proven'
    """
    if layout not in ("columns", "rows"):
        raise ValueError(f"layout={layout!r} is not one of 'columns', 'rows'")

    def build(dims: tuple[int, ...]) -> tuple[sp.Matrix, sp.Matrix]:
        g = affine_grads(*dims, layout=layout)
        if layout == "columns":
            stated = (g.G * g.A_prev.T, g.G * sp.ones(g.G.shape[1], 1), g.W.T * g.G)
        else:
            stated = (g.A_prev.T * g.G, sp.ones(1, g.G.shape[0]) * g.G, g.G * g.W.T)
        wanted = (g.dW.shape, g.db.shape, g.dA_prev.shape)
        if tuple(x.shape for x in stated) != wanted:
            raise sp.ShapeError(f"stated shapes {[x.shape for x in stated]}, needed {wanted}")
        return _flat_row(g.dW, g.db, g.dA_prev), _flat_row(*stated)

    return decide_matrix(build, n_dims=3, shapes=matrix_shapes(3) if shapes is None else shapes,
                         what=f"the {layout} formulas")


# ---------------------------------------------------------------------------------------------
# the decision
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormulaResult(Result):
    """A :class:`~derivations.Result` for one user formula, with what a grader needs.

    Attributes
    ----------
    target, expression : str
        ``"dW2"`` and the formula as given.
    spec : str
        The spec in its canonical text.
    shapes : tuple of str
        The shapes decided (each ``label (widths, m=..)``), in order.
    diagnosis : str or None
        For ``REFUTED``: the known mistake that explains it, in words.
    standard : str or None
        The layout's standard formula for the target, in the same notation.
    """

    target: str = ""
    expression: str = ""
    spec: str = ""
    shapes: tuple[str, ...] = ()
    diagnosis: str | None = None
    standard: str | None = None

    def __str__(self) -> str:
        lines = [f"{self.target} = {self.expression}   [{self.spec}]: {self.verdict.value}",
                 f"  reason: {self.reason}"]
        if self.counterexample is not None:
            lines.append(f"  counterexample: {self.counterexample}")
        if self.diagnosis:
            lines.append(f"  diagnosis: {self.diagnosis}")
        if self.corrected:
            status = self.corrected_check.verdict.value if self.corrected_check else "unchecked"
            lines.append(f"  corrected: {self.target} = {self.corrected}  ({status})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"FormulaResult({self.target!r}, {self.verdict.value})"


def _prepare(spec: Spec | str, target: str, expression: str) -> tuple[Spec, str, Formula]:
    spec = parse_spec(spec)
    t = _target(spec, target)
    known = formula_names(spec)
    formula = parse_expression(expression, known)
    if t in formula.names:
        raise ValueError(
            f"the expression for {t} reads {t} itself; a formula must compute it from other "
            "quantities"
        )
    return spec, t, formula


def check_formula(spec: Spec | str, target: str, expression: str) -> FormulaResult:
    """Decide whether ``target = expression`` holds for the network ``spec``, exactly.

    Parameters
    ----------
    spec : Spec or str
        The network, e.g. ``"2-4-1 sigmoid/sigmoid bce mean columns"`` (see
        :mod:`derivations.spec`).
    target : str
        The gradient stated: ``"dW2"``, ``"db1"``, ``"dZ1"``, ``"dA1"``, ... (of the loss).
    expression : str
        NumPy-style text over the names of :func:`formula_names`, e.g. ``"dZ2 @ A1.T / m"``.

    Returns
    -------
    FormulaResult
        ``proven``, ``refuted`` (counterexample, diagnosis, proven correction) or
        ``undecided``; ``shapes`` lists the dimensions decided.

    Raises
    ------
    ValueError
        For a bad spec (:class:`~derivations.spec.SpecError`), an unknown target, or an
        expression outside the allowed subset (:class:`~derivations.expression.ExpressionError`),
        before anything is computed.

    Notes
    -----
    Proven means: the two sides agree in every entry, as SymPy expressions, at every shape of
    :func:`check_shapes`. ``relu_prime`` and ``x > 0`` are the step 1 for x > 0, 0 for x < 0;
    the derivative does not exist at the kink 0, and the identity is decided off it.

    Examples
    --------
    >>> check_formula("2-4-1 sigmoid/sigmoid bce mean columns", "dW2", "dZ2 @ A1.T").verdict
    <Verdict.PROVEN: 'proven'>
    """
    start = time.perf_counter()
    spec, t, formula = _prepare(spec, target, expression)
    decision, shapes_done = _decide(spec, t, formula)
    diagnosis = None
    standard = standard_formula(spec, t)
    if decision.verdict is Verdict.REFUTED:
        found = diagnose(spec, t, formula)
        fix_text = found[1] if found else standard
        diagnosis = found[0] if found else None
        if fix_text is not None:
            fix_check, _ = _decide(spec, t, parse_expression(fix_text, formula_names(spec)))
            decision = replace(decision, corrected=fix_text, corrected_check=fix_check)
        if diagnosis:
            decision = replace(decision, reason=f"{decision.reason}; {diagnosis}")
    return FormulaResult(
        **{f: getattr(decision, f) for f in Decision.__dataclass_fields__},
        claim_id=t, document=str(spec), title=f"{t} = {formula.text}",
        seconds=time.perf_counter() - start, target=t, expression=formula.text,
        spec=str(spec), shapes=tuple(str(s) for s in shapes_done), diagnosis=diagnosis,
        standard=standard,
    )


def _stated(spec: Spec, formula: Formula, env: Mapping[str, Any]) -> Any:
    value = evaluate(formula, env, _exact_functions(spec), exact=True)
    if isinstance(value, np.ndarray):
        return np.vectorize(lambda e: normal_steps(sp.sympify(e)), otypes=[object])(value)
    return normal_steps(sp.sympify(value))


def _dims_text(dims: tuple[int, ...]) -> str:
    *ns, m = dims
    return ", ".join(f"n{k}={n}" for k, n in enumerate(ns)) + f", m={m}"


def _decide(spec: Spec, t: str, formula: Formula) -> tuple[Decision, list[CheckShape]]:
    shapes = check_shapes(spec)
    done: list[CheckShape] = []
    for shape in shapes:
        done.append(shape)
        env = _env(spec, shape.dims)
        correct = env[t]
        where = f"at {shape} ({_dims_text(shape.dims)})"
        try:
            stated = _stated(spec, formula, env)
        except ShapeMismatch as exc:
            return _shape_refutation(f"{formula.text} is undefined {where}: {exc}", shape,
                                     "undefined", str(correct.shape)), done
        if np.shape(stated) != correct.shape:
            return _shape_refutation(
                f"{formula.text} has shape {np.shape(stated)} {where}, but {t} has the shape "
                f"{correct.shape} of {t[1:]}", shape, str(np.shape(stated)), str(correct.shape),
            ), done
        for idx in np.ndindex(*correct.shape):
            c, s = correct[idx], stated[idx]
            if _zero_in_atoms(c - s):
                continue
            cex = counterexample(c, s, entry=str(idx))
            if cex is None and is_zero(c - s):
                continue
            if cex is None:
                return Decision(
                    Verdict.UNDECIDED,
                    f"entry {idx} {where} did not simplify to 0, and no rational point "
                    "separates the sides",
                    evidence=(f"shapes decided: {', '.join(map(str, done))}",),
                ), done
            cex = replace(cex, point={"dimensions": _dims_text(shape.dims), **cex.point},
                          stated=_short(cex.stated), correct=_short(cex.correct))
            return Decision(
                Verdict.REFUTED,
                f"{formula.text} differs from {t} = dL/d{t[1:]} (sympy.diff of the loss) {where}, "
                f"entry {idx}: stated {cex.stated}, correct {cex.correct}",
                counterexample=cex,
                evidence=("entrywise comparison on symbolic matrices",),
            ), done
    listing = "; ".join(map(str, done))
    return Decision(
        Verdict.PROVEN,
        f"{formula.text} equals {t} = dL/d{t[1:]} (sympy.diff of the loss) in every entry at "
        f"all {len(done)} shapes tried: {listing}",
        evidence=("entrywise simplify(correct - stated) == 0", f"shapes: {listing}"),
    ), done


def _zero_in_atoms(diff: sp.Expr) -> bool:
    """Whether ``diff`` is 0 as a rational function of its symbols and function values.

    Each outermost application (``Sigmoid(...)``, ``tanh(...)``, ``exp(...)``, ``Heaviside``)
    becomes a fresh symbol; an identity in those symbols holds whatever their values, so 0
    here proves ``diff == 0`` (the converse need not hold: then ``is_zero`` decides).
    """
    if diff == 0:
        return True
    if _zero_with_atoms(diff):
        return True
    # a sigmoid written out as 1 / (1 + np.exp(-z)) meets the opaque Sigmoid(z)
    return diff.has(Sigmoid) and _zero_with_atoms(
        diff.replace(Sigmoid, lambda z: 1 / (1 + sp.exp(-z)))
    )


def _zero_with_atoms(diff: sp.Expr) -> bool:
    atoms: dict[sp.Expr, sp.Expr] = {}
    powers: dict[sp.Expr, sp.Dummy] = {}
    # Max/Min (relu, leaky_relu) are applications too; as opaque atoms they are not rebuilt
    # (and re-evaluated, which is slow) when their arguments' atoms are replaced
    for f in diff.atoms(sp.Function, sp.Max, sp.Min):
        if isinstance(f, sp.exp):
            # exp(-u) and exp(2 u) arise from 1/exp(u) and exp(u)**2: one symbol for exp(u)
            c, u = f.args[0].primitive()
            if u.could_extract_minus_sign():
                c, u = -c, -u
            atoms[f] = powers.setdefault(u, sp.Dummy()) ** c
        else:
            atoms[f] = sp.Dummy()
    flat = diff.xreplace(atoms)
    exact = _rational_function_is_zero(flat)
    if exact is not None:
        return exact
    if sp.expand(flat) == 0:
        return True
    # a quotient of polynomials in the atoms (a softmax, a BCE derivative): cancel decides it
    has_quotient = any(p.exp.is_negative and not p.base.is_number for p in flat.atoms(sp.Pow))
    return has_quotient and bool(sp.cancel(flat) == 0)


def _rational_function_is_zero(expr: sp.Expr) -> bool | None:
    """Whether ``expr``, a rational function of its symbols over Q, is identically 0.

    Decided in SymPy's sparse polynomial arithmetic (``PolyRing``, or ``FracField`` when
    there is a division), built node by node with shared subexpressions converted once: the
    same answer as ``expand(expr) == 0`` or ``cancel(expr) == 0``, about ten times faster on
    the nested products of a 3-layer network's gradient. ``None`` when ``expr`` is not such
    a rational function (a non-integer power, a function left in it).

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> _rational_function_is_zero((x + y)**2 - x**2 - 2*x*y - y**2), _rational_function_is_zero(
    ...     1 / (x + 1) - x / (x**2 + x)), _rational_function_is_zero(sp.sqrt(x) - x)
    (True, True, None)
    """
    gens = sorted(expr.free_symbols, key=sp.default_sort_key)
    quotient = any(p.exp.is_negative for p in expr.atoms(sp.Pow))
    domain = (FracField if quotient else PolyRing)(gens or [sp.Dummy()], sp.QQ, lex)
    names = dict(zip(gens, domain.gens, strict=False))
    memo: dict[sp.Expr, Any] = {}

    def convert(e: sp.Expr) -> Any:
        v = memo.get(e)
        if v is not None:
            return v
        if e in names:
            v = names[e]
        elif e.is_Rational:
            v = domain(e)
        elif e.is_Add or e.is_Mul:
            parts = [convert(a) for a in e.args]
            v = parts[0]
            for part in parts[1:]:
                v = v + part if e.is_Add else v * part
        elif e.is_Pow and e.exp.is_Integer and (quotient or e.exp > 0):
            base = convert(e.base)
            v = base ** int(e.exp) if e.exp > 0 else 1 / base ** int(-e.exp)
        else:
            raise _NotRational
        memo[e] = v
        return v

    try:
        return bool(convert(expr) == 0)
    except (_NotRational, ZeroDivisionError):
        return None


class _NotRational(Exception):
    """An expression node that is not a rational function of the generators."""


def counterexample(correct: sp.Expr, stated: sp.Expr, *, entry: str = "",
                   count: int = 6, seed: int = 0) -> Counterexample | None:
    """An exact rational point where ``stated`` and ``correct`` differ, or ``None``.

    Both sides are evaluated to :data:`~derivations.decide.PRECISION` digits at each point
    (no ``simplify`` on the numbers, which can take minutes for nested ``tanh``); a difference
    above ``10**-(PRECISION - 10)`` separates them. Rational values are shown exactly.
    """
    symbols = sorted((correct - stated).free_symbols | correct.free_symbols, key=str)
    for point in rational_points(symbols, count=count, seed=seed):
        c, s = correct.xreplace(point), stated.xreplace(point)
        if c.is_Rational and s.is_Rational:
            differ = c != s
        else:
            value = sp.N(c - s, PRECISION)
            if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                continue
            differ = abs(value) > sp.Float(10) ** (-(PRECISION - 10))
        if differ:
            return Counterexample(
                point={str(k): str(v) for k, v in point.items()},
                stated=str(s) if s.is_Rational else f"~{sp.N(s, 12)}",
                correct=str(c) if c.is_Rational else f"~{sp.N(c, 12)}",
                entry=entry,
            )
    return None


def _short(value: str) -> str:
    """An exact value's text, or only its 12-digit decimal when the exact form is long."""
    if " ~ " in value and len(value) > 40:
        return "~" + value.rsplit(" ~ ", 1)[1]
    return value


def _shape_refutation(reason: str, shape: CheckShape, stated: str, correct: str) -> Decision:
    return Decision(
        Verdict.REFUTED,
        reason,
        counterexample=Counterexample(
            point={"dimensions": _dims_text(shape.dims)}, stated=stated, correct=correct,
        ),
        evidence=("shapes on symbolic matrices",),
    )


# ---------------------------------------------------------------------------------------------
# diagnosis: which known mistake explains a refutation
# ---------------------------------------------------------------------------------------------


def _agrees(spec: Spec, t: str, formula: Formula) -> bool:
    """Whether the formula matches ``t`` in float64 at the three small check shapes.

    A screen, not a proof: the repaired formula a diagnosis offers is then decided exactly at
    every shape (``corrected_check``).
    """
    for shape in check_shapes(spec)[:3]:
        env = _float_env(spec, shape.dims)
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(evaluate(formula, env, _float_functions(spec), exact=False),
                                 dtype=float)
        except (ShapeMismatch, ExpressionError, TypeError, ValueError):
            return False
        want = env[t]
        if got.shape != want.shape or not np.all(np.isfinite(got)):
            return False
        scale = max(1.0, float(np.max(np.abs(want))))
        if not np.allclose(got, want, rtol=_SCREEN_RTOL, atol=_SCREEN_RTOL * scale):
            return False
    return True


def _reparse(tree: ast.expr, spec: Spec) -> Formula:
    return parse_expression(ast.unparse(tree), formula_names(spec))


def _divisor_text(spec: Spec) -> str:
    return {"mean": "1/m", "sum": "1", "mean_all": f"1/(m*n{spec.n_layers})"}[spec.reduction]


def _parsed(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body


def _times(tree: ast.expr, op: ast.operator, factor: str) -> str:
    return ast.unparse(ast.BinOp(tree, op, _parsed(factor)))


def _without_division(tree: ast.expr, by: str) -> Iterator[str]:
    """``tree`` with one division by ``by`` removed (``a / m`` -> ``a``), for each such place."""
    import copy

    for k, node in enumerate(ast.walk(tree)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and (
            ast.unparse(node.right) == ast.unparse(_parsed(by))
        ):
            new = copy.deepcopy(tree)
            found = list(ast.walk(new))[k]
            if found is new:
                yield ast.unparse(found.left)
                continue
            for parent in ast.walk(new):
                for field, value in ast.iter_fields(parent):
                    if value is found:
                        setattr(parent, field, found.left)
            yield ast.unparse(new)


def _scale_mutants(spec: Spec, formula: Formula) -> Iterator[tuple[str, str]]:
    """(diagnosis, repaired formula) for each scale error that would explain a refutation."""
    tree, L = formula.tree, spec.n_layers
    D = {"mean": "m", "sum": None, "mean_all": f"(m * n{L})"}[spec.reduction]
    if spec.reduction == "mean_all":
        yield (f"a missing 1/n{L}: 'mean_all' averages over the n{L} outputs as well as the "
               "m samples", _times(tree, ast.Div(), f"n{L}"))
    if D is not None:
        d = _divisor_text(spec)
        yield (f"a missing {d}: the stated value is {D.strip('()')} times the gradient",
               _times(tree, ast.Div(), D))
        for text in _without_division(tree, D.strip("()")):
            yield (f"an extra {d}: the stated value is the gradient divided by "
                   f"{D.strip('()')} once too often", text)
        yield (f"an extra {d}: the stated value is the gradient divided by {D.strip('()')} "
               "once too often", _times(tree, ast.Mult(), D))
    yield "a factor 2 too many", _times(tree, ast.Div(), "2")
    yield "a missing factor 2 (the stated value is half the gradient)", _times(
        _parsed("2"), ast.Mult(), f"({formula.text})")
    yield "the sign is wrong", ast.unparse(ast.UnaryOp(ast.USub(), tree))


def _names_in(tree: ast.expr) -> list[ast.Name]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Name)]


def _edits(tree: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    """Single edits of the tree, each with the mistake it would repair."""
    import copy

    nodes = list(ast.walk(tree))
    for k, node in enumerate(nodes):
        def edited(change: Callable[[ast.AST], ast.AST | None], k: int = k) -> ast.expr | None:
            new = copy.deepcopy(tree)
            target = list(ast.walk(new))[k]
            result = change(target)
            if result is None:
                return None
            if target is new:
                return result  # type: ignore[return-value]
            for parent in ast.walk(new):
                for field, value in ast.iter_fields(parent):
                    if value is target:
                        setattr(parent, field, result)
                    elif isinstance(value, list) and any(v is target for v in value):
                        setattr(parent, field, [result if v is target else v for v in value])
            return new

        if isinstance(node, ast.Name) and node.id != "np":
            text = node.id
            yield (f"a missing transpose: {text} where {text}.T is needed",
                   edited(lambda n: ast.Attribute(value=n, attr="T", ctx=ast.Load())))
            swap = re.fullmatch(r"(A|Z)(\d+)", text)
            if swap:
                other = ("Z" if swap.group(1) == "A" else "A") + swap.group(2)
                why = ("the derivative is taken at the wrong variable: "
                       f"{text} where {other} is needed"
                       + (f" (sigma'({text}) instead of sigma'({other}))"
                          if swap.group(1) == "A" else ""))
                yield why, edited(lambda n, o=other: ast.Name(id=o, ctx=ast.Load()))
        if isinstance(node, ast.Attribute) and node.attr == "T":
            inner = ast.unparse(node.value)
            yield (f"an extra transpose: {inner}.T where {inner} is needed",
                   edited(lambda n: n.value))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            yield ("an elementwise product * where the matrix product @ is needed",
                   edited(lambda n: ast.BinOp(n.left, ast.MatMult(), n.right)))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            yield ("a matrix product @ where the elementwise product * is needed",
                   edited(lambda n: ast.BinOp(n.left, ast.Mult(), n.right)))
            yield ("the factors of the matrix product are in the wrong order",
                   edited(lambda n: ast.BinOp(n.right, ast.MatMult(), n.left)))
        if isinstance(node, ast.Call) and "keepdims" not in {kw.arg for kw in node.keywords}:
            def keep(n: ast.Call) -> ast.Call:
                n.keywords.append(ast.keyword("keepdims", ast.Constant(True)))
                return n

            yield ("the sum drops an axis: keepdims=True is missing", edited(keep))
        if isinstance(node, ast.Call):
            for j, kw in enumerate(node.keywords):
                if kw.arg == "axis" and isinstance(kw.value, ast.Constant) and kw.value.value in (
                    0, 1
                ):
                    flip = 1 - kw.value.value

                    def axis(n: ast.Call, j: int = j, flip: int = flip) -> ast.Call:
                        n.keywords[j].value = ast.Constant(flip)
                        return n

                    yield (f"the sum runs over axis={kw.value.value} where axis={flip} is "
                           "needed", edited(axis))


def _bias_shape(spec: Spec, t: str) -> str:
    return "(n, 1)" if spec.layout == "columns" else "(1, n)"


def diagnose(spec: Spec, t: str, formula: Formula) -> tuple[str, str] | None:
    """The known mistake that explains a refuted formula, and the repaired formula.

    Tried in order, each candidate screened in float64 at every check shape: the other
    convention for ``dZ``/``dA`` (a 1/m too many or too few), a scale (1/m, 2, sign), a bias
    gradient of the wrong orientation, the other layout's formula, a transposed result, then
    single edits (a transpose added or removed, ``*`` and ``@`` exchanged, the factors of a
    product swapped, ``A`` and ``Z`` exchanged, the axis of a sum flipped).

    Returns
    -------
    (str, str) or None
        The diagnosis in words and the repaired formula in the user's notation.
    """
    upstream = any(re.fullmatch(r"d(Z|A)\d+", n) for n in formula.names)
    if upstream and spec.reduction != "sum":
        other = replace(spec, summed=not spec.summed)
        if _agrees(other, t, formula):
            d = _divisor_text(spec)
            if spec.summed:
                return (f"a missing {d}: the formula holds if dZ, dA are gradients of the loss "
                        "itself (drop 'summed' from the spec), but as the spec reads they are "
                        "gradients of the summed loss", _times(formula.tree, ast.Div(), "m")
                    if spec.reduction == "mean" else _times(formula.tree, ast.Div(),
                                                            f"(m * n{spec.n_layers})"))
            why = (f"an extra {d}: the upstream gradients dZ, dA already carry the {d} of the "
                   f"{spec.reduction}; the formula holds if they are gradients of the summed "
                   "loss (add 'summed' to the spec if that is what your notes mean)")
            by = "m" if spec.reduction == "mean" else f"m * n{spec.n_layers}"
            for text in _without_division(formula.tree, by):
                if _agrees(spec, t, _reparse(_parsed(text), spec)):
                    return why, text
            return why, _times(formula.tree, ast.Mult(), f"({by})")
    for why, text in _scale_mutants(spec, formula):
        if _agrees(spec, t, _reparse(_parsed(text), spec)):
            return why, text
    if t.startswith("db"):
        for why, tree in _edits(formula.tree):
            if tree is None or not ("axis" in why or "keepdims" in why):
                continue
            candidate = _reparse(tree, spec)
            if _agrees(spec, t, candidate):
                return (f"wrong broadcasting of the bias gradient: {why}; b{t[2:]} has shape "
                        f"{_bias_shape(spec, t)} in the {spec.layout} layout", candidate.text)
    transposed = ast.unparse(ast.Attribute(formula.tree, "T", ast.Load()))
    if _agrees(spec, t, _reparse(_parsed(transposed), spec)):
        if t.startswith("db"):
            wrong = "(1, n)" if spec.layout == "columns" else "(n, 1)"
            return (f"wrong broadcasting of the bias gradient: the formula gives shape {wrong}, "
                    f"but b{t[2:]} has shape {_bias_shape(spec, t)} in the {spec.layout} layout",
                    _fix_bias(spec, t, formula))
        if not _agrees(replace(spec, layout=_other(spec)), t, formula):
            return "the result is the transpose of the gradient", transposed
    if _agrees(replace(spec, layout=_other(spec)), t, formula):
        return (f"wrong layout: this is the {_other(spec)}-layout formula for {t}; in the "
                f"{spec.layout} layout it is {standard_formula(spec, t)}",
                standard_formula(spec, t) or transposed)
    for why, tree in _edits(formula.tree):
        if tree is None:
            continue
        try:
            candidate = _reparse(tree, spec)
        except ExpressionError:
            continue
        if t in candidate.names:
            continue
        if _agrees(spec, t, candidate):
            return why, candidate.text
    return None


def _other(spec: Spec) -> str:
    return "rows" if spec.layout == "columns" else "columns"


def _fix_bias(spec: Spec, t: str, formula: Formula) -> str:
    for why, tree in _edits(formula.tree):
        if tree is not None and "axis" in why:
            candidate = _reparse(tree, spec)
            if _agrees(spec, t, candidate):
                return candidate.text
    return f"({formula.text}).T"


# ---------------------------------------------------------------------------------------------
# a whole derivation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Derivation:
    """Every step of a derivation decided, in the order given.

    Attributes
    ----------
    spec : str
    results : tuple of FormulaResult
    first_wrong : str or None
        The target of the first step that is not proven, or ``None`` when all are.
    """

    spec: str
    results: tuple[FormulaResult, ...]
    first_wrong: str | None

    @property
    def proven(self) -> bool:
        """Whether every step is proven."""
        return self.first_wrong is None

    def __str__(self) -> str:
        n = len(self.results)
        head = (f"{self.spec}: " + ("its one step proven" if n == 1 else f"all {n} steps proven")
                if self.proven
                else f"{self.spec}: the first step that goes wrong is {self.first_wrong}")
        return "\n".join([head, *(str(r) for r in self.results)])


def check_formulas(spec: Spec | str, formulas: Mapping[str, str]) -> Derivation:
    """Decide a whole derivation, ``{target: expression, ...}``, step by step.

    Each step is decided on its own (its upstream gradients are the true ones), so one wrong
    step does not hide a later one; ``first_wrong`` names the first that is not proven.

    Parameters
    ----------
    spec : Spec or str
    formulas : mapping of str to str
        Targets to expressions, in the order of the derivation.

    Returns
    -------
    Derivation

    Raises
    ------
    ValueError
        For a bad spec, target or expression (all are checked before any step is decided),
        or an empty mapping.
    """
    spec = parse_spec(spec)
    if not isinstance(formulas, Mapping) or not formulas:
        raise ValueError("formulas must be a non-empty mapping of target to expression")
    for target, expression in formulas.items():
        _prepare(spec, target, expression)
    results = tuple(check_formula(spec, t, e) for t, e in formulas.items())
    first = next((r.target for r in results if r.verdict is not Verdict.PROVEN), None)
    return Derivation(str(spec), results, first)

