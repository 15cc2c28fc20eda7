r"""Claims of document 000: a two-layer sigmoid network with binary cross-entropy, columns layout.

The document (``000_7a69e03d4d058e30.txt``) writes ``Z_1 = W_1*X + b_1``, ``A_1 = sigma(Z_1)``,
``Z_2 = W_2*A_1 + b_2``, ``A_2 = sigma(Z_2)`` (weights on the left: samples are columns), the
loss ``-1/m sum_{i=0}^{m} (Y log A_2 + (1 - Y) log(1 - A_2))``, and derives dL/dA_2, the sigmoid
derivative line by line, dL/dZ_2 = A_2 - Y, then dL/dW_2 = (A_2 - Y)A_1, dL/db_2 = A_2 - Y and
dL/dA_1 = (A_2 - Y)W_2 with scalar-style products.

How the statements are decided:

- scalar derivatives and each line of the multi-line derivations against ``sympy.diff`` of the
  plain sigmoid ``1 / (1 + exp(-z))`` and of the per-sample loss;
- matrix forms entrywise on symbolic matrices for 20 shapes (:func:`decide_matrix`) under each
  convention (layout, reduction, one unit and one sample), the derivatives taken with the
  opaque :class:`~derivations.networks.Sigmoid` (its derivative is claim
  ``000-sigmoid-derivative``);
- the whole backward pass end to end on :mod:`derivations.networks`;
- the index range of the loss's sum by counting its terms with ``sympy.Sum``; the sigmoid's
  range with ``function_range`` and ``solveset``; the update rule by differentiating the loss
  along the update direction; the forward products by shape algebra on ``MatrixSymbol``.

The document's results hold for a network with one unit per layer and one sample (where every
product commutes and the mean equals the sum); in its own columns layout with m samples they
miss the 1/m of its loss, the transposes and the sums over samples.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import sympy as sp
from sympy.calculus.util import function_range

from derivations.claim import Claim, Counterexample, Decision, Verdict
from derivations.decide import (
    decide_conventions,
    decide_equal,
    decide_holds,
    decide_matrix,
    decide_readings,
    definition,
    intended,
    is_zero,
    literal,
    matrix_shapes,
)
from derivations.document import DeclaredNetwork, Document, Row, numpy_form
from derivations.networks import (
    Sigmoid,
    SymbolicNetwork,
    decide_network,
    entrywise_grad,
    network_shapes,
)
from derivations.shapes import decide_shape, mat, np_add
from derivations.sums import term_count
from derivations.symbolic import bce, matrix, sigmoid, squared_error

__all__ = [
    "CONVENTIONS",
    "DOC",
    "DOCUMENT",
    "OUTPUT_FORMULAS",
    "ROWS",
    "claims",
    "document_backprop",
    "output_build",
    "textbook_backprop",
]

DOCUMENT = "000_7a69e03d4d058e30.txt"

CONVENTIONS = MappingProxyType({
    "layout": "columns",
    "reduction": "mean over m",
    "activation": "sigmoid",
    "loss": "binary cross-entropy",
    "labels": "0/1",
})
MEAN = MappingProxyType({"layout": "columns", "reduction": "mean over m (the document's L)"})
SUM = MappingProxyType({"layout": "columns", "reduction": "sum over samples"})
ROWS_LAYOUT = MappingProxyType({"layout": "rows", "reduction": "mean over m"})
SCALAR = MappingProxyType({"network": "one unit per layer, one sample (scalars)"})

# scalar symbols, named as in the document
Z2 = sp.Symbol("Z_2", real=True)
A2 = sp.Symbol("A_2", real=True)
Y = sp.Symbol("Y", real=True)
PROB = {A2: (sp.Integer(0), sp.Integer(1)), Y: (sp.Integer(0), sp.Integer(1))}

SCALAR_SHAPE = [(1, 1, 1)]  # (n_out, n_in, m) of a one-unit layer with one sample
#: (n_2, m) for the claims about one layer's output: 20 shapes need sizes up to 5
OUTPUT_SHAPES = matrix_shapes(2, count=20, max_dim=5)


def _sym(name: str) -> sp.Expr:
    """``"dL/dA_2"`` as the derivative dL/dA_2 (kept unevaluated, factors in written order)."""
    match = re.fullmatch(r"d(\w+)/d(\w+)", name)
    if match is None:
        return sp.Symbol(name)
    num, den = match.groups()
    return sp.Derivative(sp.Symbol(num, commutative=False), sp.Symbol(den), evaluate=False)


def _eq(lhs: str, rhs: sp.Basic) -> sp.Basic:
    return sp.Eq(_sym(lhs), rhs, evaluate=False)


def _nc(name: str) -> sp.Symbol:
    """A matrix for display: products keep their written order."""
    return sp.Symbol(name, commutative=False)


def _product(*names: str) -> sp.Expr:
    """``_product("dL/dA", "dA/dZ")``: the written chain of derivatives, unevaluated."""
    return sp.Mul(*(_sym(n) for n in names))


def _bce_sum() -> sp.Basic:
    """The document's loss as written: ``L = -1/m sum_{i=0}^{m} (...)``."""
    i, m = sp.Symbol("i", integer=True), sp.Symbol("m", integer=True, positive=True)
    Yi, Ai = sp.Indexed("Y", i), sp.Indexed("A_2", i)
    return _eq("L", -sp.Sum(Yi * sp.log(Ai) + (1 - Yi) * sp.log(1 - Ai), (i, 0, m)) / m)


# --------------------------------------------------------------------------------------------
# definitions and the forward pass


def _decide_forward_layout(n_rows: str, prev: str) -> Decision:
    """``Z = W*A_prev + b`` (weights on the left) in each layout, by shape algebra."""
    dims = [(2, 3, 5), (1, 4, 3), (3, 1, 2)]  # (n_in, n_out, m), all distinct sizes in a row

    def run(layout: str) -> Callable[[], Decision]:
        def decide() -> Decision:
            for n_in, n_out, m in dims:
                if layout == "columns":
                    W, A, b = mat("W", n_out, n_in), mat(prev, n_in, m), mat("b", n_out, 1)
                    target = (n_out, m)
                else:
                    W, A, b = mat("W", n_in, n_out), mat(prev, m, n_in), mat("b", 1, n_out)
                    target = (m, n_out)
                d = decide_shape(lambda W=W, A=A, b=b: np_add(W * A, b), target,
                                 what=f"W*{prev} + b with n_in={n_in}, {n_rows}={n_out}, m={m}")
                if d.verdict is not Verdict.PROVEN:
                    return d
            return Decision(Verdict.PROVEN, f"W*{prev} + b is defined with shape {n_rows} x m "
                            f"for all {len(dims)} size triples tried",
                            evidence=("shape algebra on sympy.MatrixSymbol",))
        return decide

    return decide_conventions(
        [({"layout": "columns"}, run("columns")), ({"layout": "rows"}, run("rows"))],
        what=f"the product W*{prev} with the weights on the left",
        as_written=True,  # the document writes W*X: weights on the left, samples as columns
    )


def _decide_yhat() -> Decision:
    """``L(A_2, Y) => yhat``: the loss as the prediction, or the output A_2 as the prediction."""
    as_loss = decide_equal(A2, bce(A2, Y), domain=PROB, corrected=A2,
                           what="yhat = L(A_2, Y)")
    return decide_readings(
        [
            # '=>' is not defined in the document: it can read 'L yields yhat' (its operator
            # list) or 'L compares A_2 = yhat with Y' (its prose): both are literal
            literal("yhat is the value of the loss L(A_2, Y)", as_loss),
            literal("yhat is the output A_2, which L compares with Y (RETURNS lists L and yhat "
                    "apart)", definition("the prediction is named yhat = A_2")),
        ],
        what="'L(A_2, Y) => yhat'",
    )


def _decide_one_feature() -> Decision:
    """Whether one input feature (the note's simplification) is enough for the backward formulas.

    The claim fixes n_0 = 1 and nothing else, so it is decided with n_1, n_2 and m free; when
    that fails, the scalar network (every size 1) is checked as the correction.
    """
    one_feature = [s for s in network_shapes(2, count=16) if s[0] == note_features()]
    for dims in one_feature:
        stated = decide_network(document_backprop, n_layers=2, shapes=[dims],
                                what="the document's backward pass with n_0 = 1")
        if stated.verdict is not Verdict.PROVEN:
            break
    else:
        return replace(stated, reason=f"the document's backward pass with n_0 = 1 equals the "
                       f"entrywise derivative at all {len(one_feature)} shapes tried")
    if stated.verdict is not Verdict.REFUTED:
        return stated
    scalars = decide_network(document_backprop, n_layers=2, shapes=[(1, 1, 1, 1)],
                             what="the document's backward pass on scalars")
    return replace(
        stated,
        reason="one input feature is not enough (dimensions are (n_0, n_1, n_2, m)): "
        + stated.reason,
        corrected="with one input feature, one unit per layer and one sample "
        "(n_0 = n_1 = n_2 = m = 1) the document's backward formulas hold",
        counterexample=stated.counterexample or Counterexample(
            point={"dimensions": str(dims)}, stated="the document's formulas",
            correct="undefined or different from the derivative"),
        corrected_check=scalars,
    )


# --------------------------------------------------------------------------------------------
# the loss


def _decide_sum_range() -> Decision:
    """Count the terms of ``sum_{i=0}^{m}`` and compare with the m samples averaged over."""
    i = sp.Symbol("i", integer=True)
    m = sp.Symbol("m", integer=True, positive=True)
    terms = term_count(0, m, index=i)
    if is_zero(terms - m):
        return Decision(Verdict.PROVEN, "sum_{i=0}^{m} has m terms",
                        evidence=("sympy.Sum(1, (i, 0, m)).doit()",))
    k = next(k for k in range(2, 10) if terms.subs(m, k) != k)  # two samples: a real batch
    fixed = term_count(1, m, index=i)
    check = decide_equal(m, fixed, what="sum_{i=1}^{m} (term count)")
    ell = sp.Symbol("ell")
    factor = sp.simplify(sp.Sum(ell, (i, 0, m)).doit() / m / ell)
    return Decision(
        Verdict.REFUTED,
        f"sum_{{i=0}}^{{m}} has {terms} terms, not the m samples it averages: with m = {k} it "
        f"sums {terms.subs(m, k)} terms, and for equal per-sample losses ell the stated L is "
        f"{factor} * ell instead of ell",
        counterexample=Counterexample(point={"m": str(k)}, stated=f"{terms.subs(m, k)} terms",
                                      correct=f"{k} terms"),
        corrected=r"-\frac{1}{m}\sum_{i=1}^{m}\left(Y_i\log A_{2,i}+(1-Y_i)\log(1-A_{2,i})\right)",
        corrected_check=check,
        corrected_expr=sp.Sum(sp.Indexed("ell", i), (i, 1, m)) / m,
        evidence=("sympy.Sum(1, (i, 0, m)).doit() = m + 1",),
    )


def _decide_cross_entropy_name() -> Decision:
    """The stated loss is the cross-entropy of the two-class distributions (y, 1-y), (a, 1-a)."""
    p, t = (A2, 1 - A2), (Y, 1 - Y)
    ce = -sum(tk * sp.log(pk) for tk, pk in zip(t, p, strict=True))
    return decide_equal(ce, bce(A2, Y), domain=PROB,
                        what="-(Y log A_2 + (1 - Y) log(1 - A_2)) as the two-class cross-entropy")


def _decide_loss_difference() -> Decision:
    """Whether the loss depends on Y and yhat only through their difference."""
    c = sp.Symbol("c", positive=True)
    a = sp.Symbol("a", positive=True)

    def g(d: sp.Expr) -> sp.Expr:
        return -sp.log(1 - sp.Abs(d))

    def binary() -> Decision:
        # y = 1: yhat = 1 - c; y = 0: yhat = a (c, a in (0, 1)), so |y - yhat| is c or a
        d1 = decide_equal(bce(1 - c, 1), g(1 - (1 - c)), what="L(yhat, 1) = -log(1 - |1 - yhat|)")
        d0 = decide_equal(bce(a, 0), g(0 - a), what="L(yhat, 0) = -log(1 - |0 - yhat|)")
        bad = next((d for d in (d1, d0) if d.verdict is not Verdict.PROVEN), None)
        return bad or Decision(
            Verdict.PROVEN,
            "for Y in {0, 1} the loss is -log(1 - |Y - yhat|), a function of the difference",
        )

    def soft() -> Decision:
        # a function of Y - yhat only is unchanged by shifting both: (d/dyhat + d/dY) L = 0
        shift = sp.diff(bce(A2, Y), A2) + sp.diff(bce(A2, Y), Y)
        return decide_equal(sp.Integer(0), shift, domain=PROB,
                            what="(d/dyhat + d/dY) L for soft targets")

    return decide_conventions(
        [({"labels": "0/1 (the document's classes)"}, binary),
         ({"labels": "soft targets in (0, 1)"}, soft),
         ({"loss": "squared error"},
          lambda: decide_equal(sp.Integer(0), sp.diff(squared_error(A2, Y, half=True), A2)
                               + sp.diff(squared_error(A2, Y, half=True), Y),
                               what="(d/dyhat + d/dY) of the squared error"))],
        what="'the difference between Y and yhat determines the loss'",
        as_written=True,  # the document's classes are 0 and 1 and its loss cross-entropy
    )


def _bce_layer(n: int, m: int, *, mean: bool) -> tuple[sp.Matrix, sp.Matrix, sp.Expr]:
    A = matrix("A_2", n, m, positive=True)
    Yn = matrix("Y", n, m)
    total = sp.Add(*(bce(a, y) for a, y in zip(A, Yn, strict=True)))
    return A, Yn, total / m if mean else total


def _decide_dL_dA2() -> Decision:
    def run(mean: bool) -> Callable[[], Decision]:
        def build(dims: tuple[int, ...], *, scale: bool = False) -> tuple[sp.Matrix, sp.Matrix]:
            A, Yn, L = _bce_layer(*dims, mean=mean)
            correct = A.applyfunc(lambda s: sp.diff(L, s))
            stated = sp.Matrix(A.rows, A.cols, lambda i, j: -Yn[i, j] / A[i, j]
                               + (1 - Yn[i, j]) / (1 - A[i, j]))
            return correct, stated / dims[1] if scale else stated

        def domain(dims: tuple[int, ...]) -> dict[sp.Symbol, tuple[sp.Integer, sp.Integer]]:
            A, Yn, _ = _bce_layer(*dims, mean=mean)
            return {s: (sp.Integer(0), sp.Integer(1)) for s in [*A, *Yn]}

        return lambda: decide_matrix(
            build, n_dims=2, domain=domain((5, 5)), shapes=OUTPUT_SHAPES,
            what="-Y/A_2 + (1 - Y)/(1 - A_2)",
            corrected=lambda dims: build(dims, scale=True),
            corrected_latex=r"\frac{dL}{dA_2} = \frac{1}{m}\left(-\frac{Y}{A_2}"
            r"+\frac{1-Y}{1-A_2}\right)")

    # the document differentiates its own L = -1/m sum(...): the 1/m is as written
    return decide_conventions([(MEAN, run(True)), (SUM, run(False))],
                              what="dL/dA_2 = -Y/A_2 + (1 - Y)/(1 - A_2)", as_written=True)


def _decide_sigmoid_range() -> Decision:
    """'limits the values to a range of [0, 1]': the values are bounded by [0, 1].

    The text settles the reading ('limits ... to' bounds the values); that the image is all of
    [0, 1] is not what it says. The reason names the ends sigmoid never attains.
    """
    z = sp.Symbol("z", real=True)
    image = function_range(sigmoid(z), z, sp.S.Reals)
    closed = sp.Interval(0, 1)
    missing = closed - image
    ends = "; ".join(
        f"sigma(z) = {v} has solutions {sp.solveset(sigmoid(z) - v, z, sp.S.Reals)}"
        for v in sorted(missing)
    ) if isinstance(missing, sp.FiniteSet) else f"[0, 1] minus the image is {missing}"
    inside = image.is_subset(closed)
    within = decide_holds(
        inside,
        f"the image of sigmoid over the reals is {image}, {'' if inside else 'not '}a subset of "
        f"[0, 1] ({ends})",
        evidence=("sympy function_range", "sympy solveset over the reals"),
    )
    return decide_readings(
        [literal("sigmoid's values lie within [0, 1] ('limits ... to')", within)],
        what="'limits the values to a range of [0, 1]'",
    )


def _decide_one_input_slope() -> Decision:
    """The two-point slope formula, read with x` a second point or x` the mean (regression)."""
    x, xp, y, yp = sp.symbols("x x` y y`", real=True)
    stated = (x - xp) * (y - yp) / (x - xp) ** 2
    two_point = decide_equal((y - yp) / (x - xp), stated, what="b through (x, y) and (x`, y`)")
    xs, ys = sp.symbols("x_1:4", real=True), sp.symbols("y_1:4", real=True)
    xbar, ybar = sum(xs) / 3, sum(ys) / 3
    lsq = sum((a - xbar) * (b - ybar) for a, b in zip(xs, ys, strict=True)) / sum(
        (a - xbar) ** 2 for a in xs)
    one_term = (xs[0] - xbar) * (ys[0] - ybar) / (xs[0] - xbar) ** 2
    regression = decide_equal(lsq, one_term,
                              what="the formula with x` = mean(x), y` = mean(y), for 3 points")
    # the text settles the reading: 'which requires us to have two points on the slope'
    return decide_readings(
        [literal("slope of the line through the two points (x, y), (x`, y`)", two_point),
         intended("least-squares regression slope with x`, y` the means (the sums restored)",
                  regression)],
        what="b = (x - x`)(y - y`)/(x - x`)^2",
    )


def _decide_activation_needed() -> Decision:
    """The two linked examples: .6(.5x + .2) + .1 is affine; with a sigmoid inside it is not."""
    x = sp.Symbol("x", real=True)
    half, tenth = sp.Rational(1, 2), sp.Rational(1, 10)
    linear = sp.Rational(6, 10) * (half * x + 2 * tenth) + tenth
    curved = sp.Rational(6, 10) * sigmoid(half * x + 2 * tenth) + tenth
    collapses = decide_equal(sp.Integer(0), sp.diff(linear, x, 2),
                             what="the second derivative of .6(.5x + .2) + .1")
    bends = decide_equal(sp.Integer(0), sp.diff(curved, x, 2),
                         what="the second derivative of .6 sigmoid(.5x + .2) + .1")
    if collapses.verdict is Verdict.PROVEN and bends.verdict is Verdict.REFUTED:
        return Decision(
            Verdict.PROVEN,
            f"two stacked affine maps collapse to the affine {sp.expand(linear)} (second "
            f"derivative 0), while with a sigmoid between them the second derivative is "
            f"nonzero ({bends.counterexample})",
            evidence=("sympy.diff(., x, 2)", "exact rational point"),
        )
    return Decision(Verdict.REFUTED, f"{collapses.reason}; {bends.reason}",
                    counterexample=collapses.counterexample)


def _decide_derivative_is_slope() -> Decision:
    """The two-point slope tends to the derivative as the points merge (general cubic)."""
    x, xp = sp.symbols("x x`", real=True)
    c = sp.symbols("c_0:4", real=True)
    f = sp.Lambda(x, sum(ck * x**k for k, ck in enumerate(c)))
    secant = (x - xp) * (f(x) - f(xp)) / (x - xp) ** 2
    return decide_equal(sp.diff(f(x), x), sp.limit(sp.cancel(secant), xp, x),
                        what="lim_{x` -> x} of the two-point slope of a general cubic")


# --------------------------------------------------------------------------------------------
# sigmoid derivative, line by line, and dL/dZ_2 line by line


def _sigmoid_line(stated: sp.Expr) -> Callable[[], Decision]:
    return lambda: decide_equal(sp.diff(sigmoid(Z2), Z2), stated,
                                what="this line of dA_2/dZ_2")


def _dz2_line(stated_in_a: sp.Expr) -> Callable[[], Decision]:
    """A line of dL/dZ_2 for one sample, with A_2 = sigma(Z_2), against diff of the loss."""
    return lambda: decide_equal(sp.diff(bce(sigmoid(Z2), Y), Z2),
                                stated_in_a.subs(A2, sigmoid(Z2)),
                                what="this line of dL/dZ_2 (one sample)")


def _decide_dz2_chain() -> Decision:
    a = sp.Symbol("a", real=True)
    dL_dA = sp.diff(bce(a, Y), a).subs(a, sigmoid(Z2))
    dA_dZ = sp.diff(sigmoid(Z2), Z2)
    return decide_equal(sp.diff(bce(sigmoid(Z2), Y), Z2), dL_dA * dA_dZ,
                        what="dL/dA_2 * dA_2/dZ_2 (one sample)")


def _output_layer(dims: tuple[int, ...], *, layout: str, mean: bool) -> dict[str, Any]:
    """One sigmoid output layer with BCE; A_1 free. dims = (n_2, n_1, m)."""
    n2, n1, m = dims
    if layout == "columns":
        W, b, A1 = matrix("W_2", n2, n1), matrix("b_2", n2, 1), matrix("A_1", n1, m)
        Z = W * A1 + b * sp.ones(1, m)
        Yn = matrix("Y", n2, m)
    else:
        W, b, A1 = matrix("W_2", n1, n2), matrix("b_2", 1, n2), matrix("A_1", m, n1)
        Z = A1 * W + sp.ones(m, 1) * b
        Yn = matrix("Y", m, n2)
    A = Z.applyfunc(Sigmoid)
    L = sp.Add(*(bce(a, y) for a, y in zip(A, Yn, strict=True))) / (m if mean else 1)
    return {"W": W, "b": b, "A1": A1, "Z": Z, "A2": A, "Y": Yn, "L": L, "m": m}


Formula = Callable[[dict[str, Any]], sp.Matrix]


def output_build(
    param: str, formula: Formula, *, layout: str = "columns", mean: bool = True
) -> Callable[[tuple[int, ...]], tuple[sp.Matrix, sp.Matrix]]:
    """A :func:`decide_matrix` builder: dL/d(param) of a sigmoid + BCE layer vs ``formula``.

    Parameters
    ----------
    param : {"W", "b", "A1"}
        The matrix differentiated: W_2, b_2 or A_1 (the layer's input).
    formula : callable dict -> sympy.Matrix
        Evaluates a formula on the layer's matrices (keys ``W``, ``b``, ``A1``, ``Z``, ``A2``,
        ``Y``, ``L``, ``m``).
    layout : {"columns", "rows"}
    mean : bool
        Loss averaged over the m samples (the document's) or summed.

    Returns
    -------
    callable dims -> (correct, stated)
        ``dims = (n_2, n_1, m)``.
    """
    def build(dims: tuple[int, ...]) -> tuple[sp.Matrix, sp.Matrix]:
        net = _output_layer(dims, layout=layout, mean=mean)
        return entrywise_grad(net["L"], net[param]), formula(net)

    return build


def _decide_output_grad(
    param: str,
    stated: Formula,
    corrected: Formula,
    corrected_latex: str,
    what: str,
    *,
    one_sample_holds: bool = False,
) -> Decision:
    """A gradient of the output layer under each convention; corrected for the document's."""
    def run(layout: str, mean: bool, shapes: Sequence[tuple[int, ...]] | None = None):
        return lambda: decide_matrix(output_build(param, stated, layout=layout, mean=mean),
                                     n_dims=3, shapes=shapes, what=what)

    cases: list[tuple[Mapping[str, str], Callable[[], Decision]]] = [
        (MEAN, run("columns", True)), (SUM, run("columns", False)),
        (ROWS_LAYOUT, run("rows", True)),
    ]
    if one_sample_holds:
        one = [(*s, 1) for s in OUTPUT_SHAPES]
        cases.append(({"layout": "columns", "samples": "one (m = 1)"},
                       run("columns", True, one)))
    cases.append((SCALAR, run("columns", True, SCALAR_SHAPE)))
    decision = decide_conventions(cases, what=what, as_written=True)  # columns, 1/m: stated
    check = decide_matrix(output_build(param, corrected, layout="columns", mean=True),
                          n_dims=3, what="the corrected formula (columns, mean over m)")
    return replace(decision, corrected=corrected_latex, corrected_check=check)


def _dz2(net: dict[str, Any]) -> sp.Matrix:
    return net["A2"] - net["Y"]


def _dW2_stated(net: dict[str, Any]) -> sp.Matrix:
    return _dz2(net) * net["A1"]


def _dW2_corrected(net: dict[str, Any]) -> sp.Matrix:
    return _dz2(net) * net["A1"].T / net["m"]


def _db2_corrected(net: dict[str, Any]) -> sp.Matrix:
    return _dz2(net) * sp.ones(net["m"], 1) / net["m"]


def _dA1_stated(net: dict[str, Any]) -> sp.Matrix:
    return _dz2(net) * net["W"]


def _dA1_corrected(net: dict[str, Any]) -> sp.Matrix:
    return net["W"].T * _dz2(net) / net["m"]


#: the document's output-layer gradients: (matrix differentiated, stated, corrected, LaTeX)
OUTPUT_FORMULAS: Mapping[str, tuple[str, Formula, Formula, str]] = MappingProxyType({
    "dW2": ("W", _dW2_stated, _dW2_corrected, r"\frac{dL}{dW_2} = \frac{1}{m}(A_2 - Y)A_1^T"),
    "db2": ("b", _dz2, _db2_corrected,
            r"\frac{dL}{db_2} = \frac{1}{m}\sum_{i=1}^{m}(A_{2,i} - Y_i)"),
    "dA1": ("A1", _dA1_stated, _dA1_corrected, r"\frac{dL}{dA_1} = \frac{1}{m}W_2^T(A_2 - Y)"),
})


def _decide_formula(name: str, what: str, *, one_sample_holds: bool = False) -> Decision:
    param, stated, corrected, latex = OUTPUT_FORMULAS[name]
    return _decide_output_grad(param, stated, corrected, latex, what,
                               one_sample_holds=one_sample_holds)


def _decide_dL_dZ2() -> Decision:
    def run(mean: bool) -> Callable[[], Decision]:
        def build(dims: tuple[int, ...], *, scale: bool = False) -> tuple[sp.Matrix, sp.Matrix]:
            net = _output_layer((dims[0], 1, dims[1]), layout="columns", mean=mean)
            Z = sp.Matrix(net["Z"].rows, net["Z"].cols,
                          lambda i, j: sp.Symbol(f"Z_2_{i}_{j}", real=True))
            A = Z.applyfunc(Sigmoid)
            L = sp.Add(*(bce(a, y) for a, y in zip(A, net["Y"], strict=True)))
            L = L / dims[1] if mean else L
            return entrywise_grad(L, Z), (A - net["Y"]) / dims[1] if scale else A - net["Y"]

        labels = {sp.Symbol(f"Y_{i}_{j}", real=True): (sp.Integer(0), sp.Integer(1))
                  for i in range(5) for j in range(5)}
        return lambda: decide_matrix(build, n_dims=2, shapes=OUTPUT_SHAPES, domain=labels,
                                     what="A_2 - Y",
                                     corrected=lambda dims: build(dims, scale=True),
                                     corrected_latex=r"\frac{dL}{dZ_2} = \frac{1}{m}(A_2 - Y)")

    # the document's L is the mean over m: the 1/m is as written
    return decide_conventions([(MEAN, run(True)), (SUM, run(False))],
                              what="dL/dZ_2 = A_2 - Y", as_written=True)


# --------------------------------------------------------------------------------------------
# scalar derivatives of Z_2 and the labels of the chain rules


def _scalar_network() -> dict[str, sp.Expr]:
    x, w1, b1, w2, b2, y = sp.symbols("X W_1 b_1 W_2 b_2 Y", real=True)
    z1 = w1 * x + b1
    a1 = Sigmoid(z1)
    z2 = w2 * a1 + b2
    a2 = Sigmoid(z2)
    return {"X": x, "W_1": w1, "b_1": b1, "W_2": w2, "b_2": b2, "Y": y,
            "Z_1": z1, "A_1": a1, "Z_2": z2, "A_2": a2, "L": bce(a2, y)}


def _as_node(expr: sp.Expr, node: str, net: dict[str, sp.Expr]) -> tuple[sp.Expr, sp.Symbol]:
    """``expr`` with the node ``Z_1``, ``A_1`` or ``Z_2`` replaced by a fresh symbol ``t``."""
    t = sp.Symbol("t", real=True)
    x, w1, b1, w2, b2 = (net[k] for k in ("X", "W_1", "b_1", "W_2", "b_2"))
    if node == "Z_2":
        return expr.xreplace({w2 * Sigmoid(w1 * x + b1) + b2: t}), t
    if node == "A_1":
        return expr.xreplace({Sigmoid(w1 * x + b1): t}), t
    if node == "Z_1":
        return expr.xreplace({w1 * x + b1: t}), t
    raise ValueError(f"node={node!r} is not one of 'Z_1', 'A_1', 'Z_2'")


def _d(expr_name: str, wrt: str, net: dict[str, sp.Expr]) -> sp.Expr:
    """d(expr_name)/d(wrt) on the scalar network; ``wrt`` a parameter or a node."""
    expr = net[expr_name]
    if wrt in ("Z_1", "A_1", "Z_2"):
        as_fn, t = _as_node(expr, wrt, net)
        if not as_fn.has(t):
            return sp.Integer(0)  # expr does not depend on that node
        return sp.diff(as_fn, t).xreplace({t: net[wrt]})
    return sp.diff(expr, net[wrt])


def _decide_chain_label(target: str, inner: str) -> Decision:
    """``dL/d(target) = dL/dZ * d(inner)/d(target)``, reading the unlabelled Z as Z_2 or Z_1."""
    net = _scalar_network()
    correct = _d("L", target, net)
    # the line above the chain computes dZ_2/d(target) of W_2*A_1 + b_2: the unlabelled Z is
    # the layer's Z_2 as written there, not Z_1 (dL/dZ_1 * dZ_1/dW_2 is 0, no chain rule)
    local_name = "Z_2" if inner == "Z" else inner
    return decide_readings(
        [literal("Z is Z_2, the layer of the line above",
                 decide_equal(correct, _d("L", "Z_2", net) * _d(local_name, target, net),
                              what=f"dL/dZ_2 * d{local_name}/d{target}"))],
        what=f"the unlabelled Z in dL/d{target}",
    )


def _local_scalar(wrt: str, stated: str) -> Decision:
    w2, a1, b2 = sp.symbols("W_2 A_1 b_2", real=True)
    syms = {"W_2": w2, "A_1": a1, "b_2": b2}
    stated_expr = syms.get(stated, sp.sympify(stated))
    return decide_equal(sp.diff(w2 * a1 + b2, syms[wrt]), stated_expr,
                        what=f"dZ_2/d{wrt} of W_2*A_1 + b_2 (one unit, one sample)")


def _local_jacobian_build(wrt: str) -> Callable[[tuple[int, ...]], tuple[sp.Matrix, sp.Matrix]]:
    """Every entry dZ_2[i, k]/d(wrt)[p, q] against the document's local derivative's entry.

    The document's dZ_2/dW_2 = A_1 read entrywise: dZ_2[i, k]/dW_2[i, j] = A_1[j, k] (0 for
    another row of W_2); dZ_2/db_2 = 1: dZ_2[i, k]/db_2[i] = 1; dZ_2/dA_1 = W_2:
    dZ_2[i, k]/dA_1[j, k] = W_2[i, j] (0 for another sample).
    """
    def build(dims: tuple[int, ...]) -> tuple[sp.Matrix, sp.Matrix]:
        layer = _output_layer(dims, layout="columns", mean=True)
        W, A1, Z = layer["W"], layer["A1"], layer["Z"]
        M = {"W_2": W, "b_2": layer["b"], "A_1": A1}[wrt]
        correct, stated = [], []
        for (i, k), z in zip(_indices(Z), Z, strict=True):
            for (p, q), s in zip(_indices(M), M, strict=True):
                correct.append(sp.diff(z, s))
                if wrt == "W_2":
                    stated.append(A1[q, k] if p == i else 0)
                elif wrt == "b_2":
                    stated.append(sp.Integer(1) if p == i else 0)
                else:
                    stated.append(W[i, p] if q == k else 0)
        return sp.Matrix(correct), sp.Matrix(stated)

    return build


def _indices(M: sp.Matrix) -> list[tuple[int, int]]:
    return [(i, j) for i in range(M.rows) for j in range(M.cols)]


def _decide_local(wrt: str, stated: str) -> Decision:
    """dZ_2/d(wrt) = stated, for one unit and as an entrywise Jacobian in columns layout."""
    return decide_conventions(
        [(SCALAR, lambda: _local_scalar(wrt, stated)),
         ({"layout": "columns", "reading": "entrywise: dZ_2[i,k]/d(entry)"},
          lambda: decide_matrix(_local_jacobian_build(wrt), n_dims=3,
                                what=f"dZ_2/d{wrt} = {stated} entry by entry"))],
        what=f"dZ_2/d{wrt} = {stated}",
    )


def _decide_first_layer_chain(param: str) -> Decision:
    """dL/dW_1 or dL/db_1 as dL/dA_1 * dA_1/dZ_1 * dZ_1/dP, on scalars and in columns."""
    def scalars() -> Decision:
        net = _scalar_network()
        t = sp.Symbol("t", real=True)
        dL_dA1 = sp.diff(bce(Sigmoid(net["W_2"] * t + net["b_2"]), net["Y"]), t).subs(
            t, net["A_1"])
        dA1_dZ1 = sp.diff(Sigmoid(t), t).subs(t, net["Z_1"])
        dZ1_dP = sp.diff(net["Z_1"], net[param])
        return decide_equal(sp.diff(net["L"], net[param]), dL_dA1 * dA1_dZ1 * dZ1_dP,
                            what=f"the product of the three factors for {param}")

    def columns() -> Decision:
        def stated(net: SymbolicNetwork) -> dict[str, sp.Matrix]:
            # every factor computed right; '*' read as the document's matrix product
            A1 = net.A[1]
            dA1 = net.params["W2"].T * (net.A[2] - net.Y) / net.m
            dZ1 = dA1.multiply_elementwise(A1.applyfunc(lambda a: a * (1 - a)))
            g = dict(textbook_backprop(net))
            g["W1" if param == "W_1" else "b1"] = dZ1 * net.X if param == "W_1" else dZ1
            return g

        return decide_network(stated, n_layers=2, shapes=network_shapes(2, count=8),
                              what=f"dL/dA_1 (x) dA_1/dZ_1 * dZ_1/d{param} as a product")

    return decide_conventions([(SCALAR, scalars), (MEAN, columns)],
                              what=f"dL/d{param} = dL/dA_1 * dA_1/dZ_1 * dZ_1/d{param}")


def _decide_chain_rule() -> Decision:
    """The generic chain rule dL/dW = dL/dA * dA/dZ * dZ/dW with '*' a matrix product."""
    def run(shapes: Sequence[tuple[int, ...]] | None) -> Callable[[], Decision]:
        def build(dims: tuple[int, ...]) -> tuple[sp.Matrix, sp.Matrix]:
            net = _output_layer(dims, layout="columns", mean=True)
            A = net["A2"]
            a = sp.Symbol("a", positive=True)
            dL_dA = sp.Matrix(A.rows, A.cols, lambda i, j: sp.diff(
                bce(a, net["Y"][i, j]), a).subs(a, A[i, j]) / net["m"])
            dA_dZ = A.applyfunc(lambda s: s * (1 - s))
            return entrywise_grad(net["L"], net["W"]), dL_dA * dA_dZ * net["A1"]

        return lambda: decide_matrix(build, n_dims=3, shapes=shapes,
                                     what="dL/dA * dA/dZ * dZ/dW as matrix products")

    return decide_conventions([(SCALAR, run(SCALAR_SHAPE)), (MEAN, run(None))],
                              what="dL/dW = dL/dA * dA/dZ * dZ/dW")


# --------------------------------------------------------------------------------------------
# whole network


def document_backprop(net: SymbolicNetwork) -> dict[str, sp.Matrix]:
    """The document's backward pass on a symbolic network, products as written.

    dZ_2 = A_2 - Y, dW_2 = dZ_2 A_1, db_2 = dZ_2, dA_1 = dZ_2 W_2, and "in the same fashion"
    dZ_1 = dA_1 (x) A_1(1 - A_1), dW_1 = dZ_1 X, db_1 = dZ_1. Raises ``sympy.ShapeError``
    where a product is undefined.
    """
    A1, A2 = net.A[1], net.A[2]
    dZ2 = A2 - net.Y
    dA1 = dZ2 * net.params["W2"]
    dZ1 = dA1.multiply_elementwise(A1.applyfunc(lambda a: a * (1 - a)))
    return {"W1": dZ1 * net.X, "b1": dZ1, "W2": dZ2 * A1, "b2": dZ2}


def textbook_backprop(net: SymbolicNetwork) -> dict[str, sp.Matrix]:
    """The corrected backward pass in columns layout for the mean loss over m.

    dZ_2 = (A_2 - Y)/m, dW_2 = dZ_2 A_1^T, db_2 = dZ_2 1_m, dA_1 = W_2^T dZ_2,
    dZ_1 = dA_1 (x) A_1(1 - A_1), dW_1 = dZ_1 X^T, db_1 = dZ_1 1_m.
    """
    m, A1 = net.m, net.A[1]
    dZ2 = (net.A[2] - net.Y) / m
    dZ1 = (net.params["W2"].T * dZ2).multiply_elementwise(A1.applyfunc(lambda a: a * (1 - a)))
    ones = sp.ones(m, 1)
    return {"W1": dZ1 * net.X.T, "b1": dZ1 * ones, "W2": dZ2 * A1.T, "b2": dZ2 * ones}


def _decide_backprop() -> Decision:
    shapes = network_shapes(2, count=8)
    decision = decide_conventions(
        [(MEAN, lambda: decide_network(document_backprop, n_layers=2, shapes=shapes,
                                       what="the document's backward pass")),
         (SCALAR, lambda: decide_network(document_backprop, n_layers=2, shapes=[(1, 1, 1, 1)],
                                         what="the document's backward pass"))],
        what="the document's backward pass for every parameter",
        as_written=True,  # columns layout and the mean over m are the document's
    )
    check = decide_network(textbook_backprop, n_layers=2, shapes=shapes,
                           what="the corrected backward pass")
    return replace(
        decision,
        corrected=r"dZ_2=\tfrac{1}{m}(A_2-Y),\ dW_2=dZ_2A_1^T,\ db_2=dZ_2\mathbf{1},\ "
        r"dZ_1=W_2^TdZ_2\odot A_1(1-A_1),\ dW_1=dZ_1X^T,\ db_1=dZ_1\mathbf{1}",
        corrected_check=check,
    )


def _decide_descent() -> Decision:
    """Along W - alpha dL/dW the loss decreases at rate |dL/dW|^2 (scalar network, all params)."""
    net = _scalar_network()
    alpha = sp.Symbol("alpha", positive=True)
    params = [net[k] for k in ("W_1", "b_1", "W_2", "b_2")]
    grads = [sp.diff(net["L"], p) for p in params]
    moved = net["L"].xreplace({p: p - alpha * g for p, g in zip(params, grads, strict=True)})
    rate = sp.diff(moved, alpha).subs(alpha, 0)
    return decide_equal(-sum(g**2 for g in grads), rate,
                        what="d/dalpha L(theta - alpha grad L) at alpha = 0")


def _decide_one_layer() -> Decision:
    """The output-layer formulas as a whole one-layer network's backward pass (A_1 -> X)."""
    def stated(net: SymbolicNetwork) -> dict[str, sp.Matrix]:
        dZ = net.A[1] - net.Y
        return {"W1": dZ * net.X, "b1": dZ}

    return decide_conventions(
        [(MEAN, lambda: decide_network(stated, n_layers=1, shapes=network_shapes(1, count=8),
                                       what="dW = (A - Y)X, db = A - Y for one layer")),
         (SCALAR, lambda: decide_network(stated, n_layers=1, shapes=[(1, 1, 1)],
                                         what="dW = (A - Y)X, db = A - Y for one layer"))],
        what="the W_2, b_2 formulas as every gradient of a one-layer network",
        as_written=True,  # the same formulas, in the document's columns layout with 1/m
    )


def _decide_gd_minimum() -> Decision:
    """Where gradient descent stops, and whether that is a (local) minimum."""
    w = sp.Symbol("w", real=True)
    alpha = sp.Symbol("alpha", positive=True)
    g = sp.Function("g")
    fixed = sp.solve(sp.Eq(w - alpha * g(w), w), g(w))
    stationary = decide_holds(
        fixed == [0],
        f"w - alpha g(w) = w solves to g(w) = {fixed} for alpha > 0: the iteration stops "
        "exactly where the gradient is 0",
        evidence=("sympy.solve",),
    )
    f = -(w**2)  # a maximum at 0, where the gradient is 0
    start = sp.Integer(0)
    after = (w - alpha * sp.diff(f, w)).subs(w, start)
    curvature = sp.diff(f, w, 2).subs(w, start)
    minimum = Decision(
        Verdict.REFUTED if after == start and curvature < 0 else Verdict.UNDECIDED,
        f"on L(w) = {f} from w = {start}, one step gives w = {after} (it never moves) and "
        f"L''({start}) = {curvature} < 0: it stays at a maximum",
        counterexample=Counterexample(point={"L": str(f), "w_0": str(start)},
                                      stated="a (local) minimum", correct="a local maximum"),
        evidence=("one exact iteration", "second derivative"),
    )
    return decide_readings(
        # 'is used to minimize ... to a (local) minimum': a purpose (it moves downhill and
        # stops where dL/dW = 0) or a guarantee (where it stops is a minimum); both literal
        [literal("gradient descent stops at the points where dL/dW = 0", stationary),
         literal("where gradient descent stops is a (local) minimum", minimum)],
        what="'Gradient Descent is used to minimize the overall loss to a (local) minimum'",
    )


#: the live example's link and the document's parameter list, verbatim (the link is decided on)
PLAYGROUND_QUOTE = (
    "https://playground.tensorflow.org/#activation=sigmoid&batchSize=10&dataset=gauss"
    "&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0"
    "&networkShape=1,1&seed=0.43153&showTestData=false&discretize=false&percTrainData=50"
    "&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false"
    "&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false"
    "&hideText=false"
)
PARAMS_QUOTE = "PARAMS = [X, Y, W_1, b_1, W_2, b_2]"
NOTE_QUOTE = "to simplify the calculations the input now only has one input feature `X`"
_NUMBER_WORDS = MappingProxyType({"one": 1, "two": 2, "three": 3, "four": 4})


def note_features(note: str = NOTE_QUOTE) -> int:
    """The number of input features the document's note states, read from its words.

    Parameters
    ----------
    note : str
        The note, verbatim: ``"... only has <word> input feature(s) `A`, `B`"``.

    Returns
    -------
    int
        The stated count; it must agree with the number of back-quoted feature names.

    Raises
    ------
    ValueError
        If the note states no count, or the count and the named features disagree.

    Examples
    --------
    >>> note_features()
    1
    >>> note_features("the input has two input features `x1` and `x2`")
    2
    """
    match = re.search(r"has (\w+) input features?", note)
    if match is None or match.group(1) not in _NUMBER_WORDS:
        raise ValueError(f"note must state '<one|two|...> input feature(s)', got {note!r}")
    stated = _NUMBER_WORDS[match.group(1)]
    named = re.findall(r"`([^`]+)`", note[match.end():])
    if len(named) != stated:
        raise ValueError(f"note states {stated} input feature(s) but names {named}: {note!r}")
    return stated


def _decide_live_example() -> Decision:
    """Parse the playground link: its layers and input features against the document's network."""
    from urllib.parse import parse_qs

    query = parse_qs(PLAYGROUND_QUOTE.split("#", 1)[1])
    hidden = [int(n) for n in query["networkShape"][0].split(",")]
    inputs = ("x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY")
    features = [k for k in inputs if query[k][0] == "true"]
    link = (len(hidden) + 1, len(features))
    doc = (len(re.findall(r"W_\d", PARAMS_QUOTE)), note_features())
    if link == doc:
        return Decision(Verdict.PROVEN, f"the linked network has {link[0]} weight layers and "
                        f"{link[1]} input feature(s), as the document's")
    return Decision(
        Verdict.REFUTED,
        f"the linked playground network has hidden layers {hidden} (so {link[0]} weight "
        f"layers) and the input features {features}; the document's network has {doc[0]} "
        f"weight layers (W_1, W_2) and {doc[1]} input feature",
        counterexample=Counterexample(
            point={"networkShape": query["networkShape"][0], "features": ", ".join(features)},
            stated=f"{doc[0]} weight layers, {doc[1]} feature",
            correct=f"{link[0]} weight layers, {link[1]} features",
        ),
        evidence=("parsed the link's query string",),
    )


# --------------------------------------------------------------------------------------------
# NumPy forms of the document's matrix formulas


_N2, _N1, _M = sp.symbols("n_2 n_1 m", integer=True, positive=True)
_MA2, _MY = sp.MatrixSymbol("A_2", _N2, _M), sp.MatrixSymbol("Y", _N2, _M)
_MA1, _MW2 = sp.MatrixSymbol("A_1", _N1, _M), sp.MatrixSymbol("W_2", _N2, _N1)


def _np_dL_dA2() -> Callable[..., Any]:
    return numpy_form(
        (A2, Y), -Y / A2 + (1 - Y) / (1 - A2),
        "dL/dA2 as stated, entrywise: f(A2, Y) = -Y/A2 + (1 - Y)/(1 - A2); "
        "A2, Y: (n2, m) (columns). The document's L carries 1/m; this does not.")


def _np_dZ2() -> Callable[..., Any]:
    return numpy_form((A2, Y), A2 - Y, "dL/dZ2 as stated: f(A2, Y) = A2 - Y; A2, Y: (n2, m).")


def _np_dW2() -> Callable[..., Any]:
    return numpy_form(
        (_MA2, _MY, _MA1), (_MA2 - _MY) * _MA1,
        "dL/dW2 as stated: f(A2, Y, A1) = (A2 - Y) @ A1 with A2, Y: (n2, m), A1: "
        "(n1, m) (columns); raises ValueError unless m == n1 (the product is undefined). "
        "Corrected: (A2 - Y) @ A1.T / m.")


def _np_db2() -> Callable[..., Any]:
    return numpy_form(
        (A2, Y), A2 - Y,
        "dL/db2 as stated: f(A2, Y) = A2 - Y, shape (n2, m), while b2 is (n2, 1). "
        "Corrected: (A2 - Y).sum(axis=1, keepdims=True) / m.")


def _np_dA1() -> Callable[..., Any]:
    return numpy_form(
        (_MA2, _MY, _MW2), (_MA2 - _MY) * _MW2,
        "dL/dA1 as stated: f(A2, Y, W2) = (A2 - Y) @ W2 with A2, Y: (n2, m), W2: "
        "(n2, n1) (columns); raises ValueError unless m == n2. Corrected: "
        "W2.T @ (A2 - Y) / m.")


# --------------------------------------------------------------------------------------------


# the claims, in the order of the document


def _sigma(name: str) -> sp.Expr:
    return sp.Function("sigma")(sp.Symbol(name))


#: display statements of rows that give none, as the document writes them
STATEMENTS: Mapping[str, Callable[[], sp.Basic]] = MappingProxyType({
    "forward-A1": lambda: _eq("A_1", _sigma("Z_1")),
    "forward-Z2-columns": lambda: _eq("Z_2", _nc("W_2") * _nc("A_1") + sp.Symbol("b_2")),
    "forward-A2": lambda: _eq("A_2", _sigma("Z_2")),
    "yhat": lambda: _eq("yhat", sp.Function("L")(sp.Symbol("A_2"), sp.Symbol("Y"))),
    "bce-sum-range": _bce_sum,
    "chain-rule": lambda: _eq("dL/dW", _product("dL/dA", "dA/dZ", "dZ/dW")),
    "sigmoid-range": lambda: sp.Eq(
        sp.imageset(sp.Lambda(sp.Symbol("z"), _sigma("z")), sp.S.Reals), sp.Interval(0, 1),
        evaluate=False),
    "dL-dZ2-chain": lambda: _eq("dL/dZ_2", _product("dL/dA_2", "dA_2/dZ_2")),
    "dZ2-dW2": lambda: _eq("dZ_2/dW_2", sp.Symbol("A_1")),
    "dZ2-db2": lambda: _eq("dZ_2/db_2", sp.Integer(1)),
    "dZ2-dA1": lambda: _eq("dZ_2/dA_1", sp.Symbol("W_2")),
    "dW2-chain-label": lambda: _eq("dL/dW_2", _product("dL/dZ", "dZ/dW_2")),
    "db2-chain-label": lambda: _eq("dL/db_2", _product("dL/dZ", "dZ/db_2")),
    "dA1-chain-label": lambda: _eq("dL/dA_1", _product("dL/dZ", "dZ_2/dA_1")),
    "dW1-chain": lambda: _eq("dL/dW_1", _product("dL/dA_1", "dA_1/dZ_1", "dZ_1/dW_1")),
    "db1-chain": lambda: _eq("dL/db_1", _product("dL/dA_1", "dA_1/dZ_1", "dZ_1/db_1")),
    "gd-update": lambda: _eq("W'", sp.Symbol("W") - sp.Symbol("alpha") * _sym("dL/dW")),
    "bce-definition": _bce_sum,
    "loss-cross-entropy": lambda: _eq(
        "L", -(sp.Symbol("Y") * sp.log(sp.Symbol("A_2"))
               + (1 - sp.Symbol("Y")) * sp.log(1 - sp.Symbol("A_2")))),
})

_x, _xp, _y, _yp = sp.symbols("x x` y y`", real=True)

_DEFINITIONS = (
    Row("params", "PARAMS = [X, Y, W_1, b_1, W_2, b_2]",
        "the network's inputs: data X, labels Y, parameters W_1, b_1, W_2, b_2",
        lambda: definition("lists the inputs of the forward pass"), kind="definition"),
    Row("labels-binary", "assign them to class `0` or `1`",
        "labels are the classes 0 and 1 (binary classification)",
        lambda: definition("the label encoding: Y in {0, 1}"), kind="definition"),
    Row("forward-Z1-columns", r"Z_1 = W_1*X + b_1",
        "Z_1 = W_1 X + b_1 (weights on the left) is defined only with samples as columns",
        lambda: _decide_forward_layout("n_1", "X"), kind="shape",
        statement=lambda: _eq("Z_1", sp.Symbol("W_1") * sp.Symbol("X") + sp.Symbol("b_1"))),
    Row("forward-A1", r"A_1 = \sigma(Z_1)", "A_1 is sigmoid applied entrywise to Z_1",
        lambda: definition("defines A_1"), kind="definition"),
    Row("forward-Z2-columns", r"Z_2 = W_2 * A_1 + b_2",
        "Z_2 = W_2 A_1 + b_2 (weights on the left) is defined only with samples as columns",
        lambda: _decide_forward_layout("n_2", "A_1"), kind="shape"),
    Row("forward-A2", r"A_2 = \sigma(Z_2)", "A_2 is sigmoid applied entrywise to Z_2",
        lambda: definition("defines A_2, the network's output"), kind="definition"),
    Row("yhat", r"L(A_2, Y) => \hat{y}", "the notation 'L(A_2, Y) => yhat' names the prediction",
        _decide_yhat, kind="verbal", depends_on=("000-forward-A2",)),
    Row("returns", r"RETURNS = [Z_1, A_1, Z_2, A_2, L(A_2, Y), \hat{y}]",
        "the forward pass returns the caches Z_1, A_1, Z_2, A_2, the loss and yhat",
        lambda: definition("lists the outputs of the forward pass"), kind="definition"),
    Row("one-input-feature", NOTE_QUOTE,
        "with one input feature (n_0 = 1) the document's backward formulas hold",
        _decide_one_feature, kind="network", conventions={**CONVENTIONS, "n_0": "1"}),
    Row("activation-needed", "why activation functions are neccessary",
        "without an activation two layers collapse to one affine map; a sigmoid between them "
        "makes the composition non-linear", _decide_activation_needed, kind="verbal"),
    Row("sigmoid-definition", "we will use sigmoid",
        "the activation is the sigmoid 1/(1 + exp(-z))",
        lambda: definition("sigma(z) = 1/(1 + exp(-z))"), kind="definition",
        statement=lambda: _eq("sigma(z)", sigmoid(sp.Symbol("z")))),
    Row("loss-cross-entropy", "in our case cross entropy",
        "the stated loss is the cross-entropy of the two-class distributions",
        _decide_cross_entropy_name, depends_on=("000-bce-definition",)),
    Row("bce-definition", r"-\frac{1}{m}\sum^{m}_{i=0}(Y*log(A_2)+(1-Y)*log(1-A_2))",
        "the loss: binary cross-entropy averaged over the m samples",
        lambda: definition("L = -1/m sum_i (Y_i log A_2i + (1 - Y_i) log(1 - A_2i))"),
        kind="definition"),
    Row("alpha", "where alpha is a so called hyper parameter",
        "the step size alpha is chosen before training, not learned",
        lambda: definition("alpha is the learning rate"), kind="definition"),
)

_LOSS_AND_SLOPE = (
    Row("bce-sum-range", r"\sum^{m}_{i=0}",
        "the sum over samples i = 0..m has the m terms the 1/m averages",
        _decide_sum_range, kind="verbal", depends_on=("000-bce-definition",)),
    Row("loss-difference",
        r"The difference between $Y$ and $\hat{y}$ will determine the loss of the NN.",
        "the loss is a function of the difference Y - yhat",
        _decide_loss_difference, kind="verbal", depends_on=("000-labels-binary",)),
    Row("slope-formula", r"b = \frac{(x - x`)(y - y`)}{(x - x`)^2}",
        "the slope formula b = (x - x`)(y - y`)/(x - x`)^2", _decide_one_input_slope,
        statement=lambda: _eq("b", sp.Mul((_x - _xp) * (_y - _yp),
                                          sp.Pow((_x - _xp) ** 2, -1, evaluate=False),
                                          evaluate=False))),
    Row("derivative-is-slope",
        "the derivative of a function gives us the slope at a specific point",
        "the two-point slope tends to the derivative as the points merge",
        _decide_derivative_is_slope, kind="verbal", depends_on=("000-slope-formula",)),
    Row("chain-rule", r"\frac{dL}{dW} = \frac{dL}{dA}*\frac{dA}{dZ}*\frac{dZ}{dW}.",
        "the chain rule dL/dW = dL/dA * dA/dZ * dZ/dW", _decide_chain_rule),
    Row("dL-dA2", r"= \color{red}{-\frac{Y}{A_2}+\frac{1-Y}{1-A_2}}",
        "dL/dA_2 = -Y/A_2 + (1 - Y)/(1 - A_2) for the stated loss",
        _decide_dL_dA2, kind="matrix", numpy=_np_dL_dA2,
        statement=lambda: _eq("dL/dA_2", -Y / A2 + (1 - Y) / (1 - A2)),
        depends_on=("000-bce-definition",)),
    Row("sigmoid-range", "it limits the values to a range of [0, 1]",
        "sigmoid's values range over [0, 1]", _decide_sigmoid_range, kind="verbal",
        depends_on=("000-sigmoid-definition",)),
)

_E = sp.exp(-Z2)
#: the sigmoid derivative line by line: (row id, quote, the line as SymPy, title)
_SIGMOID_LINES = (
    ("sigmoid-step1", r"\frac{dA}{dZ}[(1+e^{-Z_2})^{-1}]", (1 + _E) ** -1,
     "rewriting sigma as (1 + e^{-Z_2})^{-1} (compared as the function itself)"),
    ("sigmoid-step2", r"-(1+e^{-Z_2})^{-2}(-e^{-Z_2})", -(1 + _E) ** -2 * (-_E),
     "power rule and inner derivative: -(1 + e^{-Z_2})^{-2}(-e^{-Z_2})"),
    ("sigmoid-step3", r"\frac{e^{-Z_2}}{(1+e^{-Z_2})^2}", _E / (1 + _E) ** 2,
     "dA_2/dZ_2 = e^{-Z_2}/(1 + e^{-Z_2})^2"),
    ("sigmoid-step4", r"\frac{1}{1+e^{-Z_2}}\frac{1+e^{-Z_2}-1}{1+e^{-Z_2}}",
     1 / (1 + _E) * sp.Add(1, _E, -1, evaluate=False) / (1 + _E),
     "dA_2/dZ_2 = 1/(1 + e^{-Z_2}) * (1 + e^{-Z_2} - 1)/(1 + e^{-Z_2})"),
    ("sigmoid-step5", r"\frac{1}{1+e^{-Z_2}}(1-\frac{1}{1+e^{-Z_2}})",
     1 / (1 + _E) * (1 - 1 / (1 + _E)),
     "dA_2/dZ_2 = 1/(1 + e^{-Z_2}) (1 - 1/(1 + e^{-Z_2}))"),
)


def _decide_sigmoid_rewrite(stated: sp.Expr) -> Callable[[], Decision]:
    return lambda: decide_equal(sigmoid(Z2), stated, what="(1 + e^{-Z_2})^{-1}")


_SIGMOID = (
    *(Row(cid, quote, title,
          _decide_sigmoid_rewrite(stated) if cid == "sigmoid-step1" else _sigmoid_line(stated),
          statement=_eq("dA_2/dZ_2", stated), depends_on=("000-sigmoid-definition",))
      for cid, quote, stated, title in _SIGMOID_LINES),
    Row("sigmoid-derivative", r"= \color{red}{A_2(1-A_2)}",
        "sigma'(z) = sigma(z)(1 - sigma(z)): dA_2/dZ_2 = A_2(1 - A_2)",
        lambda: decide_equal(sp.diff(sigmoid(Z2), Z2), sigmoid(Z2) * (1 - sigmoid(Z2)),
                             what="A_2(1 - A_2)"),
        statement=lambda: sp.Eq(sp.Derivative(sp.Function("sigma")(Z2), Z2),
                                sp.Function("sigma")(Z2) * (1 - sp.Function("sigma")(Z2))),
        depends_on=("000-sigmoid-definition",)),
)

_DZ2_DEPENDS = ("000-dL-dA2", "000-sigmoid-derivative")
#: dL/dZ_2 line by line, one sample: (row id, quote, the line as SymPy, title)
_DZ2_LINES = (
    ("dL-dZ2-step1", r"= (-\frac{Y}{A_2}+\frac{1-Y}{1-A_2})(A_2)(1-A_2)",
     (-Y / A2 + (1 - Y) / (1 - A2)) * A2 * (1 - A2),
     "dL/dZ_2 = (-Y/A_2 + (1 - Y)/(1 - A_2)) A_2 (1 - A_2), per sample"),
    ("dL-dZ2-step2", r"= (-Y+\frac{A_2(1-Y)}{(1-A_2)})(1-A_2)",
     (-Y + A2 * (1 - Y) / (1 - A2)) * (1 - A2),
     "dL/dZ_2 = (-Y + A_2(1 - Y)/(1 - A_2))(1 - A_2), per sample"),
    ("dL-dZ2-step3", r"= -Y(1-A_2)+A_2(1-Y)", -Y * (1 - A2) + A2 * (1 - Y),
     "dL/dZ_2 = -Y(1 - A_2) + A_2(1 - Y), per sample"),
)

_DZ2 = (
    Row("dL-dZ2-chain", r"\frac{dL}{dZ_2} = \frac{dL}{dA_2} * \frac{dA_2}{dZ_2}",
        "chain rule dL/dZ_2 = dL/dA_2 * dA_2/dZ_2 (one sample)", _decide_dz2_chain,
        depends_on=_DZ2_DEPENDS),
    *(Row(cid, quote, title, _dz2_line(stated), statement=_eq("dL/dZ_2", stated),
          depends_on=_DZ2_DEPENDS, conventions={**CONVENTIONS, "reduction": "one sample"})
      for cid, quote, stated, title in _DZ2_LINES),
    Row("dL-dZ2", r"= \color{red}{A_2-Y}.", "dL/dZ_2 = A_2 - Y for the stated loss",
        _decide_dL_dZ2, kind="matrix", numpy=_np_dZ2, statement=lambda: _eq("dL/dZ_2", A2 - Y),
        depends_on=_DZ2_DEPENDS),
)

_LAYER2 = (
    Row("dZ2-dW2", r"\frac{dZ_2}{dW_2}[W_2*A_1 + b_2] = \color{red}{A_1}",
        "dZ_2/dW_2 = A_1: dZ_2[i,k]/dW_2[i,j] = A_1[j,k]", lambda: _decide_local("W_2", "A_1")),
    Row("dW2-chain-label", r"\frac{dL}{dW_2} = \frac{dL}{dZ} * \frac{dZ}{dW_2}",
        "dL/dW_2 = dL/dZ * dZ/dW_2 with the unlabelled Z",
        lambda: _decide_chain_label("W_2", "Z"), kind="verbal", conventions=SCALAR),
    Row("dW2-columns", r"\color{red}{(A_2-Y)A_1}", "dL/dW_2 = (A_2 - Y)A_1",
        lambda: _decide_formula("dW2", "(A_2 - Y)A_1"), kind="matrix", numpy=_np_dW2,
        statement=lambda: sp.Eq(sp.MatrixSymbol("dW_2", _N2, _N1), (_MA2 - _MY) * _MA1,
                                evaluate=False),
        depends_on=("000-dL-dZ2", "000-dZ2-dW2")),
    Row("dZ2-db2", r"\frac{dZ_2}{db_2}[W_2*A_1 + b_2] = \color{red}{1}",
        "dZ_2/db_2 = 1: dZ_2[i,k]/db_2[i] = 1", lambda: _decide_local("b_2", "1")),
    Row("db2-chain-label", r"\frac{dL}{db_2} = \frac{dL}{dZ} * \frac{dZ}{db_2}",
        "dL/db_2 = dL/dZ * dZ/db_2 with the unlabelled Z",
        lambda: _decide_chain_label("b_2", "Z"), kind="verbal", conventions=SCALAR),
    Row("db2-columns",
        r"\frac{dL}{db_2} = \frac{dL}{dZ} * \frac{dZ}{db_2} = \color{red}{(A_2-Y)}",
        "dL/db_2 = A_2 - Y", lambda: _decide_formula("db2", "A_2 - Y", one_sample_holds=True),
        kind="matrix", numpy=_np_db2,
        statement=lambda: sp.Eq(sp.MatrixSymbol("db_2", _N2, 1), _MA2 - _MY, evaluate=False),
        depends_on=("000-dL-dZ2", "000-dZ2-db2")),
    Row("dZ2-dA1", r"\frac{dZ_2}{dA_1}[W_2*A_1 + b_2] = \color{red}{W_2}",
        "dZ_2/dA_1 = W_2: dZ_2[i,k]/dA_1[j,k] = W_2[i,j]", lambda: _decide_local("A_1", "W_2")),
    Row("dA1-chain-label", r"\frac{dL}{dA_1} = \frac{dL}{dZ} * \frac{dZ_2}{dA_1}",
        "dL/dA_1 = dL/dZ * dZ_2/dA_1 with the unlabelled Z",
        lambda: _decide_chain_label("A_1", "Z_2"), kind="verbal", conventions=SCALAR),
    Row("dA1-columns", r"\color{red}{(A_2-Y)W_2}", "dL/dA_1 = (A_2 - Y)W_2",
        lambda: _decide_formula("dA1", "(A_2 - Y)W_2"), kind="matrix", numpy=_np_dA1,
        statement=lambda: sp.Eq(sp.MatrixSymbol("dA_1", _N1, _M), (_MA2 - _MY) * _MW2,
                                evaluate=False),
        depends_on=("000-dL-dZ2", "000-dZ2-dA1")),
)

_LAYER1_DEPENDS = ("000-dA1-columns", "000-sigmoid-derivative")
_LAYER1 = (
    Row("one-layer",
        "In theory these would be all the calculations needed, if we only had one layer",
        "for a one-layer network, dL/dW = (A - Y)X and dL/db = A - Y are all the gradients",
        _decide_one_layer, kind="network", depends_on=("000-dW2-columns", "000-db2-columns")),
    Row("dW1-chain",
        r"\frac{dL}{dW_1} = \frac{dL}{dA_1} * \frac{dA_1}{dZ_1} * \frac{dZ_1}{dW_1}",
        "dL/dW_1 = dL/dA_1 * dA_1/dZ_1 * dZ_1/dW_1",
        lambda: _decide_first_layer_chain("W_1"), kind="network", depends_on=_LAYER1_DEPENDS),
    Row("db1-chain",
        r"\frac{dL}{db_1} = \frac{dL}{dA_1} * \frac{dA_1}{dZ_1} * \frac{dZ_1}{db_1}",
        "dL/db_1 = dL/dA_1 * dA_1/dZ_1 * dZ_1/db_1",
        lambda: _decide_first_layer_chain("b_1"), kind="network", depends_on=_LAYER1_DEPENDS),
    Row("backprop-network-columns",
        "Now we continue in the same fashion as we did for $W_2$ and $b_2$",
        "the document's backward pass, continued 'in the same fashion' to W_1 and b_1, gives "
        "the gradient of every parameter of the two-layer network",
        _decide_backprop, kind="network",
        depends_on=("000-dW2-columns", "000-db2-columns", "000-dA1-columns")),
    Row("gd-local-minimum",
        "Gradient Descent is used to minimize the overall loss to a (local) minimum",
        "gradient descent takes the loss to a (local) minimum", _decide_gd_minimum,
        kind="update"),
    Row("gd-update", r"W = W - \alpha*\frac{dL}{dW},",
        "the update W - alpha dL/dW, taken at the current W, goes downhill: the loss changes "
        "at rate -|dL/dW|^2", _decide_descent, kind="update", depends_on=("000-alpha",)),
)

_LIVE = (
    Row("live-example", "View this NN in action",
        "the linked playground shows 'this NN' (two weight layers, one input feature)",
        _decide_live_example, kind="verbal", depends_on=("000-params",)),
)

#: every claim of the document, in its order
ROWS: tuple[Row, ...] = (*_DEFINITIONS, *_LOSS_AND_SLOPE, *_SIGMOID, *_DZ2, *_LAYER2, *_LAYER1,
                         *_LIVE)

DOC = Document(
    DOCUMENT, conventions=CONVENTIONS, statements=STATEMENTS,
    networks=(DeclaredNetwork("doc000", "2-4-1 sigmoid/sigmoid bce mean columns",
                              "2-4-1 sigmoid, sigmoid + BCE",
                              labels="binary 0/1, shape (1, m)", data="two_class"),),
)


def claims() -> list[Claim]:
    """Every claim of document 000, in the order of the document (no verdict computed here).

    Returns
    -------
    list of Claim
    """
    return DOC.build(ROWS)
