r"""Claims of document 001: Jay Mody's primer on the network, the error, gradients and updates.

The document (``001_f90f8de70f3336a8.txt``) writes the feed forward pass
``X -> h_i = W^1 X + B^1 -> h_o = f(h_i) -> y_i = W^2 h_o + B^2 -> yhat = f(y_i) -> E`` (weights
on the left: one sample is a column), defines the error as ``y - yhat``, ``(y - yhat)^2``,
``1/2 (y - yhat)^2``, the mean over the M classes and over N samples x M classes, and
discusses gradients, the learning rate, SGD, gradient descent and minibatches in words. It
contains no backward formula; its mathematics is in the error functions, the gradient's
geometry and the update rules. A draft section ("REJECTS") at the end repeats some of it.

Every statement is a :class:`~derivations.claim.Claim` decided at run time:

- error functions and index ranges with SymPy ``Sum`` (how many terms) and exact algebra;
- dependence statements ("E is a function of the inputs, labels and parameters") from the
  free symbols of the network composed symbolically (two inputs, two hidden units, two
  classes);
- update-rule and learning-rate statements by exact runs of the iteration
  (:mod:`derivations.iteration`): a negative rate, the full gradient step, overshooting,
  divergence, a local minimum, SGD against gradient descent, stale gradients, minibatches;
- placeholders (``\frac{1}{\69}``) and labels naming the wrong object (``\nabla E_w`` over
  the biases, ``y_i`` for two things, ``N`` for the batch) reading by reading.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

import sympy as sp
from sympy.calculus.util import function_range

from derivations.claim import Claim, Counterexample, Decision, Verdict
from derivations.decide import (
    decide_conventions,
    decide_equal,
    decide_holds,
    decide_readings,
    definition,
    intended,
    literal,
    on_model,
)
from derivations.document import DeclaredNetwork, Document, Row
from derivations.iteration import (
    contraction_factor,
    decide_differentiable_at,
    decide_in_interval,
    decide_runs_equal,
    decide_step_decreases,
    decreasing_rates,
    gradient_descent,
    minibatch,
    rates_where,
    sgd,
    step,
)
from derivations.shapes import decide_shape, mat
from derivations.sums import term_count
from derivations.symbolic import matrix, relu, sigmoid, tanh

__all__ = [
    "DOC",
    "DOCUMENT",
    "LEARNING_RATES",
    "ROWS",
    "Network",
    "claims",
    "decide_dataset_mean",
    "decide_linear_layer",
    "decide_sum_is_mean",
    "network",
]

DOCUMENT = "001_f90f8de70f3336a8.txt"

CONVENTIONS = {
    "layout": "columns (W X + B, one sample is a column)",
    "reduction": "mean over N samples x M classes",
    "half": "yes",
    "activation": "f (unspecified; sigmoid where one is needed)",
    "loss": "squared error",
}

#: the learning rates the document lists as "common examples"
LEARNING_RATES = tuple(f"0.{'0' * k}{d}" for d in "125" for k in range(6))

_NONSMOOTH = (sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Piecewise, sp.DiracDelta)
_ACTIVATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "sigmoid": sigmoid, "tanh": tanh, "relu": relu,
}


# ---------------------------------------------------------------------------------------------
# the document's network, composed symbolically


@dataclass(frozen=True)
class Network:
    """The document's network on one sample, columns layout, composed symbolically.

    Attributes
    ----------
    X : sympy.Matrix, shape (2, 1)
        The inputs ``x_1, x_2``.
    Y : sympy.Matrix, shape (M, 1)
        The labels.
    W1, B1, W2, B2 : sympy.Matrix
        (H, 2), (H, 1), (M, H), (M, 1).
    h_i, h_o, y_i, yhat : sympy.Matrix
        Hidden inputs and outputs, output-layer inputs, predictions.
    E : sympy.Expr
        ``1/M sum_j 1/2 (y_j - yhat_j)^2``, the document's error of one sample.
    """

    X: sp.Matrix
    Y: sp.Matrix
    W1: sp.Matrix
    B1: sp.Matrix
    W2: sp.Matrix
    B2: sp.Matrix
    h_i: sp.Matrix
    h_o: sp.Matrix
    y_i: sp.Matrix
    yhat: sp.Matrix
    E: sp.Expr

    @property
    def parameters(self) -> frozenset[sp.Symbol]:
        """Every weight and bias symbol."""
        return frozenset().union(*(m.free_symbols for m in (self.W1, self.B1, self.W2, self.B2)))


@functools.cache  # pure: the network is immutable by contract
def network(activation: str = "sigmoid", *, hidden: int = 2, classes: int = 2) -> Network:
    """The document's feed forward pass ``X -> W^1 X + B^1 -> f -> W^2 h_o + B^2 -> f -> E``.

    Parameters
    ----------
    activation : {"sigmoid", "tanh", "relu"}
        The activation ``f`` of both layers.
    hidden, classes : int
        Hidden units H and classes M; the inputs are ``x_1, x_2`` as in the document.

    Returns
    -------
    Network

    Examples
    --------
    >>> network().yhat.shape
    (2, 1)
    """
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation={activation!r} is not one of {', '.join(_ACTIVATIONS)}")
    f = _ACTIVATIONS[activation]
    X, Y = matrix("x", 2, 1), matrix("y", classes, 1)
    W1, B1 = matrix("W1", hidden, 2), matrix("B1", hidden, 1)
    W2, B2 = matrix("W2", classes, hidden), matrix("B2", classes, 1)
    h_i = W1 * X + B1
    h_o = h_i.applyfunc(f)
    y_i = W2 * h_o + B2
    yhat = y_i.applyfunc(f)
    E = sum((Y[j] - yhat[j]) ** 2 / 2 for j in range(classes)) / classes
    return Network(X, Y, W1, B1, W2, B2, h_i, h_o, y_i, yhat, E)


# ---------------------------------------------------------------------------------------------
# the network and what E depends on


def decide_linear_layer(which: int, n_in: int, n_out: int) -> Decision:
    """Decide ``W X + B`` as the document writes it, in both layouts.

    Parameters
    ----------
    which : {1, 2}
        The layer: ``W^1 X + B^1`` or ``W^2 h_o + B^2``.
    n_in, n_out : int
        The layer's input and output widths (``>= 1``).

    Returns
    -------
    Decision
        Decided with :func:`~derivations.decide.decide_conventions` as written: the
        document writes ``W^1 X`` (weights on the left), so ``columns`` (one sample is a
        column, W of shape (n_out, n_in)) is its layout, where the sum is defined with shape
        (n_out, 1); under ``rows`` (a row, W of shape (n_in, n_out)) the product ``W X`` is
        undefined unless the widths are 1, and the right form is ``X W + B``.

    Examples
    --------
    >>> decide_linear_layer(1, 2, 3).verdict.value  # the document writes W^1 X: columns
    'proven'
    """
    if which not in (1, 2):
        raise ValueError(f"which must be 1 or 2 (the layer), got {which!r}")
    if min(n_in, n_out) < 1:
        raise ValueError(f"n_in and n_out must be >= 1, got ({n_in}, {n_out})")
    left = "X" if which == 1 else "h_o"
    cols = {"layout": "columns (samples are columns)"}
    rows = {"layout": "rows (samples are rows, W of shape (n_in, n_out))"}

    def columns() -> Decision:
        return decide_shape(
            lambda: mat(f"W{which}", n_out, n_in) * mat(left, n_in, 1) + mat(f"B{which}", n_out, 1),
            (n_out, 1), what=f"W^{which} {left} + B^{which} with {left} a column",
        )

    def rows_layout() -> Decision:
        return decide_shape(
            lambda: mat(f"W{which}", n_in, n_out) * mat(left, 1, n_in) + mat(f"B{which}", 1, n_out),
            (1, n_out), what=f"W^{which} {left} + B^{which} with {left} a row",
            corrected=lambda: mat(left, 1, n_in) * mat(f"W{which}", n_in, n_out)
            + mat(f"B{which}", 1, n_out),
            corrected_latex=f"{left} W^{which} + B^{which}",
        )

    return decide_conventions([(cols, columns), (rows, rows_layout)],
                              what=f"the product W^{which} {left} + B^{which}", as_written=True)


def _decide_chain() -> Decision:
    """Each stage depends on the stage before it: nonzero derivative of the stage map."""
    net = network()
    stages = [
        ("E", net.E, "yhat_0", net.yhat[0]),
        ("yhat_0", net.yhat[0], "y_i0", net.y_i[0]),
        ("y_i0", net.y_i[0], "h_o0", net.h_o[0]),
        ("h_o0", net.h_o[0], "h_i0", net.h_i[0]),
        ("h_i0", net.h_i[0], "x_1", net.X[0]),
    ]
    found = []
    for name, outer, inner_name, inner in stages:
        # replace the inner stage by a fresh symbol and differentiate the outer map in it
        u = sp.Symbol(f"u_{inner_name}", real=True)
        mapped = outer.subs(inner, u) if inner_name != "x_1" else outer.subs(net.X[0], u)
        d = sp.diff(mapped, u)
        if d == 0 or not mapped.has(u):
            return Decision(
                Verdict.REFUTED, f"{name} does not depend on {inner_name}",
                counterexample=Counterexample(
                    point={"stage": name}, stated=f"depends on {inner_name}",
                    correct=f"d{name}/d{inner_name} = 0"),
            )
        found.append(f"d{name}/d{inner_name} = {sp.sstr(d)[:40]}")
    return Decision(
        Verdict.PROVEN,
        "each stage depends on the one before it (the derivative of each stage map in its "
        "input is not identically 0): E on yhat, yhat on y_i, y_i on h_o, h_o on h_i, h_i on x",
        evidence=tuple(found),
    )


def _decide_depends(expr_of: Callable[[Network], sp.Expr], groups: tuple[str, ...],
                    *, what: str) -> Decision:
    """Whether ``expr_of(network)`` depends on exactly the named groups of variables."""
    net = network()
    named = {
        "inputs": frozenset(net.X.free_symbols),
        "labels": frozenset(net.Y.free_symbols),
        "parameters": net.parameters,
    }
    expected = frozenset().union(*(named[g] for g in groups))
    got = expr_of(net).free_symbols
    extra, missing = sorted(map(str, got - expected)), sorted(map(str, expected - got))
    return decide_holds(
        not extra and not missing,
        f"{what} depends on exactly the {', '.join(groups)} ({len(got)} symbols, network "
        "2 inputs, 2 hidden units, 2 classes, sigmoid)",
        f"{what}: extra symbols {extra}, missing {missing}",
        evidence=(f"free symbols: {sorted(map(str, got))}",),
        counterexample=Counterexample(point={"expression": what}, stated=", ".join(groups),
                                      correct=f"extra {extra}, missing {missing}"),
    )


def _decide_smooth(activation: str) -> Decision:
    """E's derivative in every parameter is free of kinks (a composition of smooth maps)."""
    net = network(activation)
    for p in sorted(net.parameters, key=str):
        d = sp.diff(net.E, p)
        bad = [a for a in d.atoms(sp.Function) if isinstance(a, _NONSMOOTH)]
        bad += [q.base for q in d.atoms(sp.Pow)
                if q.exp.is_negative and q.base.is_positive is not True]
        if bad:
            return Decision(Verdict.REFUTED, f"dE/d{p} contains {bad[0]}",
                            counterexample=Counterexample(point={"parameter": str(p)},
                                                          stated="smooth", correct=str(bad[0])))
    return Decision(
        Verdict.PROVEN,
        f"with f = {activation}, dE/dp for every parameter p is built from exp, tanh and "
        "rational operations whose denominators SymPy proves positive (1 + exp(-z) > 0): no "
        "Heaviside, Abs, Max or Piecewise, so E is differentiable everywhere",
        evidence=("atoms of sympy.diff(E, p) for all 16 parameters",
                  "every negative power has a base with is_positive True"),
    )


def _decide_differentiable() -> Decision:
    w, yhat = sp.Symbol("w", real=True), sp.Symbol("yhat", real=True)
    half = sp.Rational(1, 2)
    relu_slice = (half - relu(relu(w))) ** 2 / 2  # x = 1, B = 0, W^2 = 1, y = 1/2
    cases = [
        ({"activation": "sigmoid", "error": "1/2 squared"}, lambda: _decide_smooth("sigmoid")),
        ({"activation": "tanh", "error": "1/2 squared"}, lambda: _decide_smooth("tanh")),
        ({"activation": "relu", "error": "1/2 squared"},
         lambda: decide_differentiable_at(
             relu_slice, w, 0, what="E = 1/2 (1/2 - relu(relu(w x)))^2 with x = 1 at h_i = 0")),
        ({"activation": "sigmoid", "error": "absolute |y - yhat| (the document's alternative)"},
         lambda: decide_differentiable_at(
             sp.Abs(sp.Rational(7, 10) - yhat), yhat, sp.Rational(7, 10),
             what="|y - yhat| with y = 7/10 at yhat = y")),
    ]
    return decide_conventions(cases, what="the network is differentiable")


def _decide_probability() -> Decision:
    z = sp.Symbol("z", real=True)
    unit = sp.Interval(0, 1)

    def case(name: str) -> Decision:
        if name == "relu":  # max(0, z): 0 for z <= 0, z for z > 0
            rng = sp.Union(sp.FiniteSet(0), function_range(z, z, sp.Interval.open(0, sp.oo)))
        else:
            rng = function_range(_ACTIVATIONS[name](z), z, sp.S.Reals)
        return decide_holds(
            rng.is_subset(unit),
            f"f = {name} takes values in {rng}, inside [0, 1]",
            f"f = {name} takes values in {rng}, not inside [0, 1]",
            counterexample=Counterexample(point={"f": name}, stated="values in [0, 1]",
                                          correct=f"range {rng}"),
        )

    return decide_conventions(
        [({"activation": n}, functools.partial(case, n)) for n in ("sigmoid", "tanh", "relu")],
        what="each entry of yhat = f(y_i) is a probability (in [0, 1])",
    )


def _decide_accuracy_vs_error() -> Decision:
    """Two predictions with the same accuracy and different errors."""
    y = [1, 0]
    preds = ([sp.Rational(3, 5), sp.Rational(2, 5)], [sp.Rational(99, 100), sp.Rational(1, 100)])
    acc = [int(max(range(2), key=p.__getitem__) == 0) for p in preds]
    err = [sum((yj - pj) ** 2 / 2 for yj, pj in zip(y, p, strict=True)) / 2 for p in preds]
    return on_model(decide_holds(
        acc[0] == acc[1] and err[0] != err[1],
        f"predictions {preds[0]} and {preds[1]} for label {y} have the same accuracy "
        f"{acc[0]} but errors {err[0]} and {err[1]}: the error tells them apart",
        f"accuracies {acc}, errors {err}: the error does not separate the two predictions",
    ), f"two predictions for the label {y}")


# ---------------------------------------------------------------------------------------------
# the error functions

_y, _yh = sp.symbols("y yhat", real=True)


def _monotone_counterexample(distance: sp.Expr, error: sp.Expr) -> tuple | None:
    """Two predictions where the distance grows but the error does not (on a grid in [0, 1])."""
    grid = [sp.Rational(k, 4) for k in range(5)]
    for y in grid:
        for a in grid:
            for b in grid:
                da, db = (distance.subs({_y: y, _yh: v}) for v in (a, b))
                ea, eb = (error.subs({_y: y, _yh: v}) for v in (a, b))
                if db > da and not eb > ea:
                    return y, a, b, da, db, ea, eb
    return None


def _decide_further_greater() -> Decision:
    def reading(distance: sp.Expr, error: sp.Expr, label: str) -> Decision:
        found = _monotone_counterexample(distance, error)
        if found is None:  # a grid never proves: only an identity with the distance does
            same = sp.simplify(error - distance) == 0
            return Decision(Verdict.PROVEN if same else Verdict.UNDECIDED,
                            f"{label}: no counterexample on the grid; the error "
                            f"{'equals' if same else 'was not shown to grow with'} the distance")
        y, a, b, da, db, ea, eb = found
        return Decision(
            Verdict.REFUTED,
            f"{label}: with y = {y}, yhat = {a} is at distance {da} with E = {ea}, "
            f"yhat = {b} is further ({db}) but E = {eb} is not greater",
            counterexample=Counterexample(point={"y": str(y), "yhat": str(b)},
                                          stated=f"E > {ea}", correct=f"E = {eb}"),
        )

    size = sp.Abs(_y - _yh)
    abs_reading = decide_holds(
        sp.simplify(size - sp.Abs(_yh - _y)) == 0,
        "'the label', error measured by its size |y - yhat|: the size is the distance itself",
        f"|y - yhat| - |yhat - y| simplifies to {sp.simplify(size - sp.Abs(_yh - _y))}, not 0",
    )
    return decide_readings(
        [
            literal("distance from yhat to the loss E = y - yhat",
                    reading(sp.Abs(_yh - (_y - _yh)), _y - _yh, "distance |yhat - E|")),
            intended("'loss' is a slip for 'label', error E = y - yhat as defined",
                     reading(size, _y - _yh, "E = y - yhat")),
            intended("'loss' is a slip for 'label', error measured by |E|", abs_reading,
                     statement="the further the prediction is from the label, the greater "
                     "|E| = |y - yhat|"),
        ],
        what="'the further away the prediction is from the loss, the greater the error'",
    )


def _decide_separated() -> Decision:
    a, b = sp.Rational(9, 10), sp.Rational(7, 10)
    d1, d2 = a - b, b - a
    holds = abs(d1) == abs(d2) == sp.Rational(1, 5) and (d1 < 0) != (d2 < 0)
    return decide_holds(
        holds,
        f"0.9 - 0.7 = {d1} and 0.7 - 0.9 = {d2}: both have size 1/5 and exactly one is negative",
        f"0.9 - 0.7 = {d1}, 0.7 - 0.9 = {d2}",
    )


def _decide_best_error_zero() -> Decision:
    y = sp.Rational(7, 10)

    def case(error: sp.Expr, name: str) -> Decision:
        if error.is_nonnegative is True and sp.simplify(error.subs(_yh, _y)) == 0:
            return Decision(
                Verdict.PROVEN,
                f"{name} >= 0 for all real y, yhat (SymPy: is_nonnegative) and it is 0 at "
                "yhat = y: the best error is 0",
                evidence=("is_nonnegative", "error at yhat = y simplifies to 0"),
            )
        low = sp.minimum(error.subs(_y, y), _yh, sp.Interval(0, 1))
        return decide_holds(
            low == 0,
            f"{name}: the smallest error over yhat in [0, 1] (y = 7/10) is 0",
            f"{name}: the smallest error over yhat in [0, 1] (y = 7/10) is {low}, below 0",
            counterexample=Counterexample(point={"y": str(y), "yhat": "1"},
                                          stated="best error 0", correct=f"min E = {low}"),
        )

    return decide_conventions(
        [
            ({"error": "y - yhat"}, lambda: case(_y - _yh, "y - yhat")),
            ({"error": "|y - yhat|"}, lambda: case(sp.Abs(_y - _yh), "|y - yhat|")),
            ({"error": "(y - yhat)^2"}, lambda: case((_y - _yh) ** 2, "(y - yhat)^2")),
        ],
        what="the best achievable error is 0",
    )


def _decide_exaggerates() -> Decision:
    d = sp.Rational(1, 5)  # the document's own 0.9 - 0.7
    absolute = decide_holds(
        d**2 > d,
        f"at the document's difference 0.2 the squared error {d**2} exceeds |d| = {d}",
        f"at the document's difference 0.2 the squared error {d**2} is smaller than |d| = {d}; "
        "d^2 > |d| only for |d| > 1, never for predictions and labels in [0, 1]",
    )
    s = sp.Symbol("s", positive=True)
    r = 1 + s  # the ratio of two absolute errors, > 1
    relative = decide_holds(
        sp.expand(r**2 - r).is_positive is True,
        "for |d_2| = r |d_1| with r > 1, the squared errors are in ratio r^2 > r: the wronger "
        "prediction's share of the error grows (r^2 - r = s + s^2 > 0 for r = 1 + s)",
        f"r^2 - r = {sp.expand(r**2 - r)} was not shown positive for r = 1 + s, s > 0",
    )
    # 'exaggerates the error for "wronger" predictions' compares predictions: the relative
    # reading is what the words say; that d^2 > |d| itself is not claimed (and false in [0, 1])
    note = absolute.reason if absolute.verdict is Verdict.REFUTED else "d^2 > |d| as well"
    return decide_readings(
        [literal("relative: squaring widens the ratio between wronger and less wrong "
                 "predictions", replace(relative, reason=f"{relative.reason} (not that d^2 "
                                        f"exceeds |d|: {note})"))],
        what="'squaring exaggerates the error for wronger predictions'",
    )


def _decide_useful_derivative() -> Decision:
    y = sp.Rational(7, 10)
    square = decide_differentiable_at((y - _yh) ** 2, _yh, y, what="(y - yhat)^2 at yhat = y")
    absolute = decide_differentiable_at(sp.Abs(y - _yh), _yh, y, what="|y - yhat| at yhat = y")
    derivative = sp.diff((_y - _yh) ** 2, _yh)
    holds = (derivative.is_polynomial(_y, _yh) and square.verdict is Verdict.PROVEN
             and absolute.verdict is Verdict.REFUTED)
    return decide_holds(
        holds,
        f"d/dyhat (y - yhat)^2 = {sp.factor(derivative)} is a polynomial, so it exists "
        f"everywhere, and is 0 at the minimum; {absolute.reason}",
        f"{square.reason}; {absolute.reason}",
        evidence=(square.reason, absolute.reason),
    )


def decide_sum_is_mean(lower: int, upper: sp.Expr, count: sp.Expr, *, what: str) -> Decision:
    """Whether ``1/count * sum_{j=lower}^{upper}`` is a mean: the sum has ``count`` terms.

    The number of terms is computed with SymPy's ``Sum`` over a symbolic upper limit, and
    at ``count = 1..4`` the formula is compared with the mean of that many values.

    Parameters
    ----------
    lower : int
        The sum's first index (the document writes 1).
    upper : sympy.Expr
        The sum's last index, in terms of ``count``.
    count : sympy.Symbol
        The number of items to average over (M classes, N samples).
    what : str
        How the reason names the sum.

    Returns
    -------
    Decision
        ``PROVEN`` when the sum has exactly ``count`` terms, else ``REFUTED`` with the count.

    Examples
    --------
    >>> M = sp.Symbol("M", integer=True, positive=True)
    >>> decide_sum_is_mean(1, M, M, what="sum_{j=1}^M").verdict.value
    'proven'
    >>> decide_sum_is_mean(0, M, M, what="sum_{j=0}^M").verdict.value   # M + 1 terms
    'refuted'
    """
    j = sp.Symbol("j", integer=True)
    terms = sp.simplify(term_count(lower, upper, index=j))
    if sp.simplify(terms - count) != 0:
        c = 2
        return Decision(
            Verdict.REFUTED,
            f"{what} has {terms} terms, not {count}: 1/{count} times it is not a mean",
            counterexample=Counterexample(
                point={str(count): str(c)}, stated=f"{count} = {c} terms",
                correct=f"{terms.subs(count, c)} terms"),
            evidence=("sympy.Sum(1, (j, lower, upper)).doit()",),
        )
    v = sp.IndexedBase("v")
    for c in range(1, 5):
        formula = sp.Sum(v[j], (j, lower, upper.subs(count, c))).doit() / c
        mean = sum(v[k] for k in range(lower, lower + c)) / c
        if sp.expand(formula - mean) != 0:  # pragma: no cover - follows from the count
            return Decision(Verdict.REFUTED, f"{what} at {count} = {c} is not the mean")
    return Decision(
        Verdict.PROVEN,
        f"{what} has {terms} terms, so 1/{count} times it is the mean over the {count} items "
        f"(checked against the mean of {count} = 1..4 values)",
        evidence=("sympy.Sum(1, (j, lower, upper)).doit()", "exact means at 1..4 items"),
    )


_M = sp.Symbol("M", integer=True, positive=True)
_N = sp.Symbol("N", integer=True, positive=True)


def _sym(name: str, i: int, j: int) -> sp.Symbol:
    return sp.Symbol(f"{name}_{i}_{j}", real=True)


def _per_sample(i: int, m: int) -> sp.Expr:
    """``1/M sum_j 1/2 (y_ij - yhat_ij)^2`` for sample ``i`` with ``m`` classes."""
    return sum((_sym("y", i, j) - _sym("yhat", i, j)) ** 2 / 2 for j in range(m)) / m


def _dataset_formula(n: int, m: int) -> sp.Expr:
    """The document's ``1/(NM) sum_{i=1}^N sum_{j=1}^M 1/2 (y_ij - yhat_ij)^2`` via ``Sum``."""
    i, j = sp.symbols("i j", integer=True)
    y, yh = sp.IndexedBase("y"), sp.IndexedBase("yhat")
    total = sp.Sum(sp.Sum((y[i, j] - yh[i, j]) ** 2 / 2, (j, 1, m)), (i, 1, n)).doit()
    flat = {b[r, c]: _sym(str(b), r - 1, c - 1)
            for b in (y, yh) for r in range(1, n + 1) for c in range(1, m + 1)}
    return sp.expand(total.subs(flat) / (n * m))


def decide_dataset_mean(n: int, m: int) -> Decision:
    """Decide that the document's ``1/(NM) sum_i sum_j`` is the mean of the per-sample errors.

    The double sum's number of terms is computed with ``Sum`` for symbolic N, M; at the
    given ``n`` samples and ``m`` classes the formula (built with ``Sum``) is compared
    exactly with the mean over the samples of each sample's mean over the classes.

    Examples
    --------
    >>> decide_dataset_mean(2, 3).verdict.value
    'proven'
    """
    if min(n, m) < 1:
        raise ValueError(f"n and m must be >= 1, got ({n}, {m})")
    i, j = sp.symbols("i j", integer=True)
    terms = sp.Sum(sp.Sum(1, (j, 1, _M)), (i, 1, _N)).doit()
    if sp.simplify(terms - _N * _M) != 0:  # pragma: no cover - a SymPy regression
        return Decision(Verdict.REFUTED, f"the double sum has {terms} terms, not N M")
    mean_of_samples = sum(_per_sample(k, m) for k in range(n)) / n
    d = decide_equal(mean_of_samples, _dataset_formula(n, m),
                     what=f"1/(NM) sum_i sum_j at N = {n}, M = {m}")
    if d.verdict is not Verdict.PROVEN:
        return d
    return Decision(
        Verdict.PROVEN,
        f"the double sum has {terms} terms, and at N = {n}, M = {m} the formula equals the "
        "mean over the samples of each sample's mean over the classes",
        evidence=("sympy.Sum count", *d.evidence),
    )


def _standard_mse(n: int, m: int) -> sp.Expr:
    """The mean of the squared errors over N x M entries (no 1/2)."""
    return sum(_per_sample(k, m) for k in range(n)) * 2 / n


def _decide_mse_name() -> Decision:
    n, m = 2, 2
    doc = _dataset_formula(n, m)
    return decide_conventions(
        [
            ({"MSE": "mean of the squared errors, no 1/2 (the linked Wikipedia article)"},
             lambda: decide_equal(_standard_mse(n, m), doc, corrected=2 * doc,
                                  corrected_latex=r"\mathrm{MSE} = 2E: E is half the MSE",
                                  what="the document's E (N = M = 2)")),
            ({"MSE": "with a 1/2 factor (a common machine-learning convention)"},
             lambda: decide_equal(_standard_mse(n, m) / 2, doc,
                                  what="the document's E (N = M = 2)")),
        ],
        what="the name 'Mean Squared Error' for 1/(NM) sum sum 1/2 (y - yhat)^2",
    )


def _decide_mean_error_reading() -> Decision:
    n, m = 2, 2
    mean_diff = [sum(_sym("y", k, j) - _sym("yhat", k, j) for j in range(m)) / m
                 for k in range(n)]
    squared_of_mean = sum(d**2 for d in mean_diff) / n
    squared_mean = sum(_per_sample(k, m) * 2 for k in range(n)) / n
    return decide_readings(
        [
            literal("y_i - yhat_i is the mean error over the classes, then squared",
                    decide_equal(_standard_mse(n, m), squared_of_mean,
                                 what="the squared mean error (N = M = 2)")),
            intended("(y_i - yhat_i)^2 stands for the mean squared error over the classes",
                     decide_equal(_standard_mse(n, m), squared_mean,
                                  what="the mean of the per-sample mean squared errors "
                                  "(N = M = 2)"),
                     statement=r"\frac{1}{N}\sum_i \frac{1}{M}\sum_j (y_{ij} - \hat{y}_{ij})^2"),
        ],
        what="'y_i - yhat_i is the mean error over all the classes'",
    )


def _decide_yi_clash() -> Decision:
    # f is the document's unspecified activation: the predictions f(z_k) stay symbols p_k
    n = 2
    z = [sp.Symbol(f"z_{k}", real=True) for k in range(n)]  # output-layer inputs
    p = [_sym("yhat", k, 0) for k in range(n)]               # predictions f(z_k)
    mse = 2 * _dataset_formula(n, 1)  # the document's E without the 1/2, labels y_k_0
    as_label = sum((_sym("y", k, 0) - p[k]) ** 2 for k in range(n)) / n
    as_output_input = sum((z[k] - p[k]) ** 2 for k in range(n)) / n
    return decide_readings(
        [
            # the sum runs over samples i and the labels were y_ij: y_i reads as sample i's
            # label; the document also named the output layer inputs y_i. Both are literal.
            literal("y_i is the label of sample i",
                    decide_equal(mse, as_label,
                                 what="1/N sum (y_i - yhat_i)^2 with y_i the label")),
            literal("y_i is the output layer input, as defined in the network (yhat = f(y_i))",
             decide_equal(mse, as_output_input,
                          what="1/N sum (y_i - f(y_i))^2 with y_i the output-layer input "
                          "(no label in it)")),
        ],
        what="the symbol y_i in the MSE (also the name of the output layer inputs)",
    )


def _decide_mse_without_half() -> Decision:
    n = 3
    usual = sum((_sym("y", k, 0) - _sym("yhat", k, 0)) ** 2 for k in range(n)) / n
    return decide_equal(usual, 2 * _dataset_formula(n, 1),
                        what="twice the document's E at M = 1, N = 3")


def _decide_single_sample() -> Decision:
    return decide_equal(_per_sample(0, 3), _dataset_formula(1, 3),
                        what="the dataset error at N = 1 (M = 3)")


# ---------------------------------------------------------------------------------------------
# gradients

def _steepest_holds(n: int, sign: int) -> bool:
    g = sp.symbols(f"g_1:{n + 1}", real=True)
    u = sp.symbols(f"u_1:{n + 1}", real=True)
    dot = sum(a * b for a, b in zip(g, u, strict=True))
    gg, uu = sum(a**2 for a in g), sum(b**2 for b in u)
    squares = sum((g[i] * u[k] - g[k] * u[i]) ** 2 for i in range(n) for k in range(i + 1, n))
    identity = sp.expand(gg * uu - dot**2 - squares) == 0
    norm = sp.sqrt(gg)
    best = [sign * a / norm for a in g]
    attained = sp.simplify(sum(a * b for a, b in zip(g, best, strict=True)) - sign * norm) == 0
    return identity and attained


def _decide_steepest(sign: int) -> Decision:
    """Lagrange's identity: |g|^2 |u|^2 - (g.u)^2 is a sum of squares, so g.u <= |g| on |u| = 1."""
    sizes = (2, 3, 4)
    word = "ascent" if sign > 0 else "descent"
    pm = "+" if sign > 0 else "-"
    failed = [n for n in sizes if not _steepest_holds(n, sign)]
    return decide_holds(
        not failed,
        f"|g|^2 |u|^2 - (g.u)^2 = sum_(i<k) (g_i u_k - g_k u_i)^2 >= 0 (n = 2, 3, 4 weights), "
        f"so every unit direction u has |D_u E| = |g.u| <= |g|, and u = {pm}g/|g| attains "
        f"D_u E = {pm}|g|: the steepest {word}",
        f"with n = {failed} weights the sum-of-squares identity or the attainment at "
        f"u = {pm}g/|g| was not shown",
        evidence=("Lagrange identity expanded to 0", "g.(g/|g|) - |g| simplified to 0"),
    )


def _decide_two_directions() -> Decision:
    u = sp.Symbol("u", real=True)
    units = sp.solve(sp.Eq(u**2, 1), u)
    return decide_holds(
        sorted(units) == [-1, 1],
        f"the unit vectors of one weight solve u^2 = 1: u in {sorted(units)}, increase or "
        "decrease",
        f"u^2 = 1 has the solutions {units}",
    )


def _grows_with_distance(error: sp.Expr) -> sp.Expr | None:
    """``g`` with ``error = g(|y - yhat|)`` and ``g`` increasing, or ``None`` if not shown."""
    d = sp.Symbol("d", positive=True)
    above, below = (sp.simplify(error.subs(_yh, _y + s * d)) for s in (1, -1))
    if sp.simplify(above - below) != 0 or above.has(_y):
        return None  # not a function of the distance alone
    return above if sp.diff(above, d).is_positive is True else None


def _decide_lower_error_better() -> Decision:
    def case(error: sp.Expr, name: str) -> Decision:
        g = _grows_with_distance(error)
        if g is not None:
            return Decision(
                Verdict.PROVEN,
                f"{name} = g(d) with d = |y - yhat| and g(d) = {g}, g'(d) = {sp.diff(g)} > 0 "
                "for d > 0: a lower error means a closer prediction",
                evidence=("E(y, y + d) - E(y, y - d) simplified to 0", "g'(d).is_positive"),
            )
        found = _monotone_counterexample(sp.Abs(_y - _yh), error)
        if found is None:
            return Decision(Verdict.UNDECIDED, f"{name}: neither shown nor refuted")
        y, a, b, da, db, ea, eb = found
        return Decision(
            Verdict.REFUTED,
            f"{name}: with y = {y}, yhat = {b} (distance {db}) has E = {eb} <= {ea}, the error "
            f"of yhat = {a} at distance {da}: the lower error belongs to the worse prediction",
            counterexample=Counterexample(point={"y": str(y), "yhat": str(b)},
                                          stated=f"E > {ea}", correct=f"E = {eb}"),
        )

    return decide_conventions(
        [({"error": "y - yhat"}, lambda: case(_y - _yh, "E = y - yhat")),
         ({"error": "|y - yhat|"}, lambda: case(sp.Abs(_y - _yh), "E = |y - yhat|")),
         ({"error": "(y - yhat)^2"}, lambda: case((_y - _yh) ** 2, "E = (y - yhat)^2"))],
        what="'the lower the error, the better the prediction'",
    )


def _decide_bias_label() -> Decision:
    x = sp.symbols("x_1 x_2", real=True)
    W, b, y = matrix("w", 2, 2), matrix("b", 2, 1), matrix("y", 2, 1)
    out = W * sp.Matrix(x) + b
    E = sum((y[k] - out[k]) ** 2 / 2 for k in range(2)) / 2
    dw, db = [sp.diff(E, s) for s in W], [sp.diff(E, s) for s in b]
    return decide_readings(
        [
            literal("the weight gradient's components are dE/db_k",
                    decide_equal(dw[0], db[0], what="dE/db_1 as the first component of grad_w E")),
            intended("the label is a slip for grad_b E (the bias gradient)",
                     decide_equal(sp.Matrix([E]).jacobian(list(b)).T[0], db[0],
                                  what="dE/db_1 as the first component of grad_b E"),
                     statement=r"\nabla E_b = (\frac{\partial E}{\partial b_1}, ..., "
                     r"\frac{\partial E}{\partial b_n})"),
        ],
        what="the label \\nabla E_w on the vector of dE/db_k",
    )


def _decide_partial_sign() -> Decision:
    net = network()
    w = net.W1[0, 0]
    d = sp.diff(net.E, w)
    point = {s: sp.Rational(k + 1, 7) for k, s in enumerate(sorted(d.free_symbols, key=str))}
    point[net.X[0]] = sp.Integer(0)
    value = d.subs(point)
    zero = decide_equal(0, value, what=f"dE/d{w} at x_1 = 0")
    if zero.verdict is not Verdict.PROVEN:
        return Decision(Verdict.UNDECIDED, f"dE/d{w} at x_1 = 0 is {value}; not shown to be 0")
    return Decision(
        Verdict.REFUTED,
        f"dE/d{w} = {value} exactly at x_1 = 0 (the document's first input, {net.X[0]} in the "
        "point; every term carries the factor x_1): the partial derivative is 0 there, "
        "neither negative nor positive",
        counterexample=Counterexample(point={str(k): str(v) for k, v in point.items()},
                                      stated="negative or positive", correct=str(value)),
        corrected="the partial derivative is negative, positive or 0 (0 at a stationary "
        "point, e.g. when x_1 = 0 or yhat = y)",
        corrected_check=zero,
    )


def _decide_same_direction() -> Decision:
    a, b = sp.Integer(-1), sp.Integer(-1000)
    return decide_holds(
        sp.sign(a) == sp.sign(b) and a / abs(a) == b / abs(b),
        f"g/|g| = {a / abs(a)} for both -1 and -1000: the same direction",
        f"g/|g| = {a / abs(a)} for -1 but {b / abs(b)} for -1000",
    )


def _decide_relative_magnitudes() -> Decision:
    eta = sp.Symbol("eta", positive=True)
    w1, w2 = sp.symbols("w_1 w_2", real=True)
    loss = -10 * w1 - 5 * w2  # negative gradient (10, 5) at every point
    new = step(loss, [w1, w2], [0, 0], eta)
    ratio = sp.simplify(new[0] / new[1])
    return decide_holds(
        ratio == 2 and all(v.is_positive for v in new),
        f"one update with any rate eta > 0 moves w_1 by {new[0]} and w_2 by {new[1]}: both "
        f"increase, w_1 by {ratio} times as much",
        f"the update moves the weights by {new}",
    )


def _decide_need_not_decrease() -> Decision:
    w = sp.Symbol("w", real=True)
    full = decide_step_decreases(2 * w**2, [w], [1], 1,
                                 what="E = 2 w^2, w_0 = 1, w <- w - dE/dw (learning rate 1)")
    return decide_holds(
        full.verdict is Verdict.REFUTED,
        f"a witness: {full.reason}",
        f"no witness found: {full.reason}",
        evidence=full.evidence,
    )


def _decide_infinitesimal() -> Decision:
    w1, w2, eta = sp.symbols("w_1 w_2 eta", real=True)
    E = sp.Function("E")
    g = (sp.diff(E(w1, w2), w1), sp.diff(E(w1, w2), w2))
    moved = E(w1 - eta * g[0], w2 - eta * g[1])
    rate = sp.diff(moved, eta).subs(eta, 0).doit()
    return decide_equal(-(g[0] ** 2 + g[1] ** 2), rate,
                        what="d/d eta E(w - eta grad E) at eta = 0 (for any differentiable E of "
                        "two weights), i.e. -|grad E|^2 < 0 when grad E != 0")


def _decide_small_rate() -> Decision:
    w = sp.Symbol("w", real=True)
    rates = decreasing_rates(2 * w**2, w, 1)
    ok = isinstance(rates, sp.Interval) and rates.left == 0 and rates.right > 0
    return on_model(decide_holds(
        ok,
        f"on E = 2 w^2 from w_0 = 1 (where the full step of rate 1 does not decrease E), one "
        f"step decreases E exactly for the rates {rates}: every small enough rate works",
        f"the rates that decrease E are {rates}",
    ), "E = 2 w^2, w_0 = 1")


# ---------------------------------------------------------------------------------------------
# learning rates: exact runs on a/2 (w - c)^2, in terms of t = eta * a

_w, _c = sp.symbols("w c", real=True)
_a, _eta = sp.symbols("a eta", positive=True)
_t = sp.Symbol("t", positive=True)

#: the model problem the learning-rate statements are shown on
QUADRATIC = "E = a/2 (w - c)^2, one weight, t = eta a"


def _factor_in_t() -> sp.Expr:
    """``(w_1 - c)/(w_0 - c)`` for a/2 (w - c)^2 with eta = t / a (t = eta * a)."""
    factor = contraction_factor(_a / 2 * (_w - _c) ** 2, _w, _c, _eta)
    return sp.simplify(factor.subs(_eta, _t / _a))


def _quadratic_run(lr: object, steps: int = 3) -> object:
    """E = w^2 (a = 2, c = 0) from w_0 = 1."""
    return gradient_descent(_w**2, [_w], [1], lr, steps=steps)


def _decide_negative_rate() -> Decision:
    factor = contraction_factor(_a / 2 * _w**2, _w, 0, _eta)
    neg = sp.Symbol("eta", negative=True)
    growth = sp.factor(factor.subs(_eta, neg) ** 2 - 1)
    concrete = decide_step_decreases(2 * _w**2, [_w], [1], sp.Rational(-1, 10),
                                     what="E = 2 w^2, w_0 = 1, learning rate -1/10")
    fix = decide_step_decreases(2 * _w**2, [_w], [1], sp.Rational(1, 10),
                                what="E = 2 w^2, w_0 = 1, learning rate 1/10")
    if growth.is_positive and concrete.verdict is Verdict.REFUTED:
        return Decision(
            Verdict.REFUTED,
            f"a rate below 0 moves uphill: on a/2 w^2 one step multiplies E by "
            f"(1 - eta a)^2, and (1 - eta a)^2 - 1 = {growth} > 0 for every eta < 0; "
            f"{concrete.reason} (presumably a typo for 'below 1')",
            counterexample=concrete.counterexample,
            corrected="the learning rate is almost always above 0 (and below 1): 0 < eta < 1",
            corrected_check=fix,
            evidence=concrete.evidence,
        )
    return Decision(
        Verdict.UNDECIDED,
        f"(1 - eta a)^2 - 1 = {growth} for eta < 0 was not shown positive, or the step with "
        f"rate -1/10 was not refuted: {concrete.verdict.value} ({concrete.reason})",
    )


def _decide_any_rate() -> Decision:
    eta = sp.Symbol("eta", real=True)
    (moved,) = step(2 * _w**2, [_w], [1], eta)
    defined = decide_holds(moved.is_polynomial(eta),
                           f"the update w - eta dE/dw = {moved} (E = 2 w^2, w = 1) is defined "
                           "for every real eta", f"the update {moved} is not a polynomial in eta")
    works = decide_step_decreases(2 * _w**2, [_w], [1], 1,
                                  what="E = 2 w^2, w_0 = 1, learning rate 1")
    return decide_readings(
        # 'can really be whatever you want': a permission (any value is allowed) or a claim
        # that any value works; the text does not settle it, both are literal
        [literal("any real value is allowed in the update rule", defined),
         literal("any value makes gradient descent reduce the error", works)],
        what="'it can really be whatever you want'",
    )


def _decide_low_no_overshoot() -> Decision:
    factor = _factor_in_t()
    overshoot = rates_where(factor < 0, _t)
    converge = rates_where(sp.Abs(factor) < 1, _t)
    low = sp.Interval.Lopen(0, 1)
    low_reading = decide_holds(
        sp.Intersection(low, overshoot) == sp.EmptySet and low.is_subset(converge),
        f"(w_1 - c)/(w_0 - c) = {factor} with t = eta a: for t in {low} (eta <= 1/a) it is in "
        "[0, 1), so the iterates approach c from one side without overshooting",
        f"for t in {low}: overshooting rates {sp.Intersection(low, overshoot)}, converging "
        f"rates {converge}",
    )
    run = _quadratic_run(sp.Rational(3, 4))
    wide = sp.Intersection(converge, overshoot)
    wide_reading = decide_holds(
        wide == sp.EmptySet,
        f"converging rates {converge} and overshooting rates {overshoot} do not meet",
        f"rates with t in {wide} converge and still overshoot; e.g. E = w^2 (a = 2), "
        f"eta = 3/4: w = {', '.join(str(p[0]) for p in run.iterates)} alternates in sign",
        counterexample=Counterexample(point={"a": "2", "eta": "3/4", "w_0": "1"},
                                      stated="no overshoot",
                                      correct=f"w_1 = {run.iterates[1][0]}"),
    )
    # a qualitative comparison: 'lower' rates are the small ones (t <= 1); shown on the
    # model problem only, and rates that converge but are not low do overshoot
    return decide_readings(
        [literal("'lower' means a low rate, eta <= 1/a (t <= 1)",
                 on_model(replace(low_reading, reason=f"{low_reading.reason}; rates with t in "
                                  f"(1, 2) converge but overshoot ({wide_reading.reason})"),
                          QUADRATIC))],
        what="'lower learning rates won't overshoot minimums'",
    )


def _decide_speed() -> Decision:
    factor = _factor_in_t()
    nonneg = rates_where(factor >= 0, _t)
    shrinking = sp.diff(factor, _t)
    low = decide_holds(
        sp.Interval.Lopen(0, 1).is_subset(nonneg) and shrinking.is_negative is True,
        f"for t = eta a in (0, 1] the contraction per step is |{factor}| = {factor} >= 0 and its "
        f"derivative in t is {shrinking} < 0: a lower rate contracts less, converges slower",
        f"the factor {factor} is >= 0 for t in {nonneg}, its derivative in t is {shrinking}",
    )
    fast, slow = _quadratic_run(sp.Rational(1, 2), 1), _quadratic_run(sp.Rational(3, 4), 1)
    wide = decide_holds(
        abs(fast.final[0]) >= abs(slow.final[0]),
        f"on E = w^2 from w_0 = 1 the rate 1/2 reaches w = {fast.final[0]}, the rate 3/4 "
        f"w = {slow.final[0]}: the lower one is not faster",
        f"on E = w^2 (a = 2) from w_0 = 1, the lower rate 1/2 reaches w = {fast.final[0]} "
        f"(the minimum) in one step, the higher rate 3/4 only w = {slow.final[0]}",
        counterexample=Counterexample(point={"a": "2", "w_0": "1"},
                                      stated="rate 1/2 slower than rate 3/4",
                                      correct=f"after one step: {fast.final[0]} vs "
                                      f"{slow.final[0]}"),
    )
    # 'lower' and 'higher' compare low rates (t <= 1); beyond t = 1 a higher converging rate
    # is slower, said in the reason
    return decide_readings(
        [literal("among low rates eta <= 1/a (t <= 1)",
                 on_model(replace(low, reason=f"{low.reason}; among all converging rates "
                                  f"(t < 2) it fails: {wide.reason}"), QUADRATIC))],
        what="'lower rates converge slower, higher rates faster'",
    )


def _double_well() -> sp.Expr:
    """A local minimum at w = -1 (E = 0) and the global one at w = 2 (E = -1)."""
    return sp.Min((_w + 1) ** 2, (_w - 2) ** 2 / 4 - 1)


def _decide_local_minimum() -> Decision:
    E = _double_well()
    low = gradient_descent(E, [_w], [sp.Rational(-3, 2)], sp.Rational(1, 4), steps=12)
    high = gradient_descent(E, [_w], [sp.Rational(-3, 2)], 2, steps=2)
    stuck = all(-2 < p[0] < -1 for p in low.iterates) and low.losses[-1] > 0
    escaped = high.final[0] == 2 and high.losses[-1] == -1
    return on_model(decide_holds(
        stuck and escaped,
        f"on E = min((w + 1)^2, (w - 2)^2/4 - 1) from w_0 = -3/2: rate 1/4 stays in the local "
        f"well (w_12 = {low.final[0]}, E = {low.losses[-1]} > 0), rate 2 reaches the global "
        f"minimum w = 2, E = -1 in two steps (w = {', '.join(str(p[0]) for p in high.iterates)})",
        f"rate 1/4 ends at w = {low.final[0]} (E = {low.losses[-1]}), rate 2 at "
        f"w = {high.final[0]} (E = {high.losses[-1]})",
        evidence=(str(high),),
    ), "E = min((w + 1)^2, (w - 2)^2/4 - 1), w_0 = -3/2")


def _decide_high_unstable() -> Decision:
    factor = _factor_in_t()
    never = rates_where(sp.Abs(factor) >= 1, _t)
    run = _quadratic_run(sp.Rational(3, 2))
    grows = all(b > a for a, b in zip(run.losses, run.losses[1:], strict=False))
    signs = [sp.sign(p[0]) for p in run.iterates]
    return on_model(decide_holds(
        never == sp.Interval(2, sp.oo) and grows and len(set(signs)) == 2,
        f"for t = eta a in {never} the factor |{factor}| >= 1 and the iteration never converges; "
        f"E = w^2, eta = 3/2: w = {', '.join(str(p[0]) for p in run.iterates)} overshoots every "
        f"step and E = {', '.join(map(str, run.losses))} increases",
        f"rates {never}, losses {run.losses}",
        evidence=(str(run),),
    ), QUADRATIC)


def _decide_no_perfect_rate() -> Decision:
    one_d = _factor_in_t()
    perfect = sp.solve(one_d, _t)
    one = decide_holds(
        not perfect,
        f"(w_1 - c)/(w_0 - c) = {one_d} has no zero t > 0: no rate reaches the minimum in one "
        "step",
        f"one weight: t = eta a = {perfect[0] if perfect else None} (eta = 1/a) gives "
        "(w_1 - c)/(w_0 - c) = 0, the "
        "minimum in one step from every start: a perfect rate exists",
        counterexample=Counterexample(point={"eta": "1/a"}, stated="no perfect rate",
                                      correct="w_1 = c for every w_0"),
    )
    eta = sp.Symbol("eta", positive=True)
    a, b = 1, 3
    both = sp.solve([1 - eta * a, 1 - eta * b], eta)
    worst = sp.Max(sp.Abs(1 - eta * a), sp.Abs(1 - eta * b))
    best = rates_where(worst <= sp.Rational(1, 2), eta)
    two = decide_holds(
        not both and best == sp.FiniteSet(sp.Rational(1, 2)),
        "two weights with curvatures 1 and 3 (E = w_1^2/2 + 3 w_2^2/2): no rate zeroes both "
        "factors 1 - eta, 1 - 3 eta (no one-step rate), and eta = 1/2 alone reaches the "
        "smallest worst factor 1/2: it works better than every other rate",
        f"one-step rates {both}, best {best}",
    )
    # the text names no problem: one weight and several weights are both literal readings
    return decide_readings(
        [literal("one weight (E = a/2 (w - c)^2)", one),
         literal("several weights with different curvatures (1 and 3)",
                 on_model(two, "E = w_1^2/2 + 3 w_2^2/2"))],
        what="'no learning rate is perfect, but you can always find one that works better'",
    )


def _decide_placeholder_update() -> Decision:
    r"""The update formula is the placeholder ``\frac{1}{\69}``: it cannot be read.

    ``\69`` is not a LaTeX macro; the document states no update rule here (the rule
    ``w - eta dE/dw`` is what it probably meant, and is not invented and proven in its place).
    """
    return definition(
        r"not a statement: the update formula is the placeholder \frac{1}{\69} (a broken "
        r"macro \69, no weight, gradient or learning rate in it); no rule can be read from it"
    )


# ---------------------------------------------------------------------------------------------
# SGD, gradient descent, minibatches: per-sample losses 1/2 (w - c_i)^2

_SAMPLES = ((_w - 1) ** 2 / 2, (_w + 1) ** 2 / 2)


def _decide_new_gradients() -> Decision:
    fresh = sgd(_SAMPLES, [_w], [4], sp.Rational(1, 2))
    stale = sgd(_SAMPLES, [_w], [4], sp.Rational(1, 2), gradient_at="epoch start")
    same = decide_runs_equal(fresh, stale, what="one epoch over 2 samples from w = 4, rate 1/2")
    updates = len(fresh.iterates) - 1
    return decide_holds(
        same.verdict is Verdict.REFUTED and updates == len(_SAMPLES),
        f"an epoch of SGD makes {updates} updates (one per sample), and the gradients must be "
        f"new: {same.reason}",
        f"stale and new gradients agree or the update count is {updates}: {same.reason}",
        evidence=same.evidence,
    )


def _decide_average_is_gradient() -> Decision:
    """Averaging per-sample gradients is the gradient of the dataset error, for any model."""
    n, m = 3, 2
    w = sp.symbols("w_1 w_2", real=True)
    y = sp.IndexedBase("y")
    model = [sp.Function(f"F_{j}") for j in range(m)]
    xs = sp.symbols(f"x_0:{n}", real=True)
    pred = [[model[j](*w, xs[i]) for j in range(m)] for i in range(n)]
    per_sample = [sum((y[i, j] - pred[i][j]) ** 2 / 2 for j in range(m)) / m for i in range(n)]
    dataset = sum((y[i, j] - pred[i][j]) ** 2 / 2 for i in range(n) for j in range(m)) / (n * m)
    for p in w:
        averaged = sum(sp.diff(e, p) for e in per_sample) / n
        d = decide_equal(sp.diff(dataset, p), averaged,
                         what=f"the averaged per-sample gradient in {p}")
        if d.verdict is not Verdict.PROVEN:
            return d
    return Decision(
        Verdict.PROVEN,
        "for any model yhat_j = F_j(w, x) (undefined functions), N = 3 samples, M = 2 classes: "
        "the mean of the per-sample gradients equals the gradient of the document's dataset "
        "error 1/(NM) sum sum 1/2 (y - yhat)^2, so updating with it is gradient descent on E",
        evidence=("simplify(difference) == 0 in both weights",),
    )


def _decide_sgd_vs_gd() -> Decision:
    c1, c2 = sp.symbols("c_1 c_2", real=True)
    w0 = sp.Symbol("w_0", real=True)
    losses = (_a / 2 * (_w - c1) ** 2, _a / 2 * (_w - c2) ** 2)
    gd = minibatch(losses, [_w], [w0], _eta, batch_size=2).final[0]
    sg = sgd(losses, [_w], [w0], _eta).final[0]
    gd_factor, sgd_factor = (sp.factor(sp.diff(e, w0)) for e in (gd, sg))
    mean = (c1 + c2) / 2
    sgd_fixed = sp.solve(sg - w0, w0)[0]
    offset = sp.factor(sgd_fixed - mean)
    t_gd = sp.simplify(gd_factor.subs(_eta, _t / _a))
    t_sgd = sp.simplify(sgd_factor.subs(_eta, _t / _a))
    faster = rates_where(sp.Abs(t_sgd) < sp.Abs(t_gd), _t)
    gd_fixed = sp.solve(gd - w0, w0)[0]
    holds = (sp.simplify(gd_fixed - mean) == 0 and offset != 0
             and faster == sp.Interval.open(0, 2) - sp.FiniteSet(1))
    return on_model(decide_holds(
        holds,
        f"per-sample losses a/2 (w - c_i)^2, i = 1, 2: per epoch gradient descent contracts by "
        f"{t_gd} and settles at the minimiser (c_1 + c_2)/2; SGD contracts by {t_sgd}, "
        f"strictly faster for every converging t = eta a in {faster} (at t = 1 both reach "
        "their fixed point in one epoch), but its epochs settle "
        f"{offset} away from the minimiser, bouncing between the samples' minima: less "
        "stable, faster (shown on this model problem)",
        f"GD factor {t_gd}, SGD factor {t_sgd}, SGD offset {offset}, faster for {faster}",
    ), "per-sample losses a/2 (w - c_i)^2, i = 1, 2")


def _decide_minibatch_n() -> Decision:
    losses = tuple((_w - c) ** 2 / 2 for c in (3, 1, -1, -5))
    lr, start = sp.Rational(1, 4), [8]
    runs = {b: minibatch(losses, [_w], start, lr, batch_size=b) for b in (1, 2, 4)}
    gd = gradient_descent(sum(losses) / 4, [_w], start, lr, steps=1)
    whole = decide_runs_equal(runs[4], gd, what="a batch of all N = 4 samples")
    as_dataset = Decision(
        Verdict.REFUTED if whole.verdict is Verdict.PROVEN else Verdict.PROVEN,
        f"with N the dataset size, a batch of N samples is the whole dataset: {whole.reason}; "
        "the method is vanilla gradient descent, not a middle ground",
        counterexample=Counterexample(point={"N": "4", "batch": "all 4 samples"},
                                      stated="a middle ground between SGD and gradient descent",
                                      correct=f"w = {runs[4].final[0]}, as gradient descent"),
    )
    ends = {b: r.final[0] for b, r in runs.items()}
    middle = all(
        decide_runs_equal(runs[2], runs[b], what="").verdict is Verdict.REFUTED for b in (1, 4)
    ) and min(ends[1], ends[4]) < ends[2] < max(ends[1], ends[4])
    as_batch = decide_holds(
        middle,
        f"a batch of 2 of the 4 samples ends one epoch at w = {runs[2].final[0]}, between SGD "
        f"(batch 1: {runs[1].final[0]}) and gradient descent (batch 4: {runs[4].final[0]}) "
        "and different from both",
        f"one epoch ends at w = {ends[1]} (batch 1), {ends[2]} (batch 2), {ends[4]} (batch 4): "
        "the batch of 2 is not strictly between the other two",
    )
    # the document defined N as the dataset size ('N is the total number of samples'): as
    # written the batch is the dataset; a batch smaller than N is the repair
    return decide_readings(
        [literal("N is the dataset size, as the document defined it", as_dataset),
         intended("N is a batch size smaller than the dataset",
                  on_model(as_batch, "per-sample losses (w - c)^2/2, c = 3, 1, -1, -5, rate 1/4"),
                  statement="mini-batch gradient descent takes batches of B < N samples")],
        what="'mini-batch gradient descent where you take N number of samples'",
    )


def _decide_self_reference() -> Decision:
    """Run the draft's steps literally: step 2 says 'Repeat 1 and 2 for all samples'."""
    samples, budget = 3, 200
    calls, depth, reached_update = 0, 0, False
    stack = [2]  # step 1 done, enter step 2
    while stack and calls < budget:
        calls += 1
        depth = max(depth, len(stack))
        stack.pop()
        stack.extend([2] * samples)  # each repetition of step 2 again repeats steps 1 and 2
    reached_update = not stack
    as_written = decide_holds(
        reached_update,
        f"the literal procedure reaches step 3 after {calls} steps",
        f"run literally, step 2 re-enters itself for every sample: after {calls} steps "
        f"{len(stack)} repetitions are pending and step 3 (the update) is never reached",
        counterexample=Counterexample(point={"samples": str(samples), "steps run": str(calls)},
                                      stated="step 3 reached",
                                      correct=f"{len(stack)} repetitions of step 2 pending"),
    )
    meant = _decide_average_is_gradient()
    return decide_readings(
        [literal("step 2 repeats steps 1 and 2", as_written),
         intended("'repeat step 1 for all samples and average'", meant,
                  statement="2. Repeat 1 for all samples in the dataset and average the result")],
        what="'2. Repeat 1 and 2 for all samples in the dataset and average the result'",
    )


def _decide_single_pair() -> Decision:
    one = sgd(_SAMPLES[:1], [_w], [4], 1)  # rate 1 solves sample 1 exactly: w = 1
    dataset = sum(_SAMPLES) / len(_SAMPLES)
    after = dataset.subs(_w, one.final[0])
    best = sp.minimum(dataset, _w, sp.S.Reals)
    return decide_holds(
        one.final[0] == 1 and after > best,
        f"an update that solves sample 1 exactly (w = {one.final[0]}, its loss 0) leaves the "
        f"dataset error at {after}, above its minimum {best} (at w = 0): one pair does not "
        "train the network",
        f"the one-sample update reached the dataset minimum {best}",
    )


# ---------------------------------------------------------------------------------------------


#: how each claim reads in LaTeX, where it has no SymPy statement
_LATEX = {
    "yhat-probability": r"\hat{y}_j = f(y_{i,j}) \in [0, 1]",
    "error-vs-accuracy": (r"\operatorname{acc}(\hat y_1) = \operatorname{acc}(\hat"
        r" y_2) \not\Rightarrow E(y, \hat y_1) = E(y, \hat y_2)"),
    "lower-error-better": (r"E(y, \hat y_1) < E(y, \hat y_2) \Rightarrow"
        r" |y - \hat y_1| < |y - \hat y_2|"),
    "further-greater": (r"|\hat y_2 - y| > |\hat y_1 - y| \Rightarrow"
        r" E(y, \hat y_2) > E(y, \hat y_1)"),
    "separated-0.2": r"|0.9 - 0.7| = |0.7 - 0.9| = 0.2,\ 0.7 - 0.9 < 0",
    "best-error-zero": r"\min_{\hat y} |y - \hat y| = \min_{\hat y} (y - \hat y)^2 = 0",
    "square-exaggerates": (r"(y - \hat y)^2 \text{ exaggerates } |y"
        r" - \hat y| \text{ for wronger } \hat y"),
    "square-derivative": (r"\frac{d}{d\hat y}(y - \hat y)^2 = 2(\hat"
        r" y - y) \text{ exists everywhere}"),
    "mse-name": r"\frac{1}{NM}\sum_{i}\sum_{j}\frac{1}{2}(y_{ij} - \hat y_{ij})^2 = \mathrm{MSE}",
    "mse-mean-error": r"y_i - \hat{y_i} = \frac{1}{M}\sum_{j=1}^M (y_{ij} - \hat y_{ij})",
    "mse-sum-range": r"\frac{1}{N}\sum_{i=1}^N \text{ is a mean over } N \text{ terms}",
    "yi-notation": (r"E = \frac{1}{N}\sum_{i=1}^N (y_i - \hat{y_i})^2,"
        r"\ y_i = \text{label of sample } i"),
    "single-sample": r"E\big|_{N=1} = \frac{1}{M}\sum_j \frac{1}{2}(y_j - \hat y_j)^2",
    "composite-chain": r"E(y, \hat y(y_i(h_o(h_i(x)))))",
    "three-categories": r"E = E(W^1, B^1, W^2, B^2;\ x;\ y)",
    "yhat-of-parameters": r"\hat y = \hat y(W^1, B^1, W^2, B^2;\ x)",
    "differentiable": r"E \text{ is differentiable in } W^1, B^1, W^2, B^2",
    "gradient-ascent": r"\max_{|u| = 1} D_u E = |\nabla E| \text{ at } u = \nabla E / |\nabla E|",
    "negative-gradient-descent": (r"\min_{|u| = 1} D_u E = -|\nabla E| \text{"
        r" at } u = -\nabla E / |\nabla E|"),
    "gradient-b-label": (r"\nabla E_w = (\frac{\partial E}{\partial b_1},"
        r" \dots, \frac{\partial E}{\partial b_n})"),
    "partial-depends": r"\frac{\partial E}{\partial w_1} = g(x, y, W^1, B^1, W^2, B^2)",
    "partial-sign": r"\frac{\partial E}{\partial w_1} < 0 \lor \frac{\partial E}{\partial w_1} > 0",
    "two-directions": r"\{u : u^2 = 1\} = \{-1, 1\}",
    "same-direction": r"\frac{-1}{|-1|} = \frac{-1000}{|-1000|}",
    "relative-magnitudes": r"-\nabla E = (10, 5) \Rightarrow \Delta w_1 = 2 \Delta w_2 > 0",
    "update-need-not-decrease": r"E(w - \nabla E) < E(w) \text{ fails for some } E, w",
    "infinitesimal-decrease": (r"\frac{d}{d\eta} E(w - \eta \nabla E)\Big|_{\eta"
        r" = 0} = -|\nabla E|^2"),
    "learning-rate-below-one": r"\eta \in \{0.1, 0.01, \dots, 0.000005\} \subset (0, 1)",
    "learning-rate-below-zero": r"\eta < 0",
    "learning-rate-any": r"\eta \in \mathbb{R}",
    "low-rate-no-overshoot": (r"\eta \text{ low} \Rightarrow \operatorname{sign}(w_k"
        r" - c) \text{ constant}"),
    "low-rate-slower": r"\eta_1 < \eta_2 \Rightarrow |1 - \eta_1 a| > |1 - \eta_2 a|",
    "low-rate-local-minimum": r"\eta \text{ low} \Rightarrow w_k \to \text{local minimum}",
    "high-rate-faster": r"\eta_2 > \eta_1 \Rightarrow |1 - \eta_2 a| < |1 - \eta_1 a|",
    "high-rate-unstable": r"\eta a \ge 2 \Rightarrow |w_k - c| \not\to 0",
    "no-perfect-rate": r"\nexists \eta \text{ perfect},\ \exists \eta^* \text{ best}",
    "update-placeholder": r"\frac{1}{\69}",
    "sgd-new-gradients": r"w \leftarrow w - \eta \nabla E_i(w) \text{ for } i = 1, \dots, N",
    "gd-average": r"\frac{1}{N}\sum_i \nabla E_i = \nabla \frac{1}{N}\sum_i E_i",
    "sgd-vs-gd": r"\text{SGD: less stable, faster; GD: more stable, slower}",
    "minibatch-n": (r"w \leftarrow w - \eta \frac{1}{N}\sum_{i \in \text{batch}}"
        r" \nabla E_i(w),\ |\text{batch}| = N"),
    "rejects-single-pair": (r"w \leftarrow \arg\min E_1 \not\Rightarrow"
        r" w = \arg\min \frac{1}{N}\sum_i E_i"),
    "rejects-average": r"\frac{1}{N}\sum_i \nabla E_i = \nabla \frac{1}{N}\sum_i E_i",
    "rejects-gd-steps": r"\text{step 2: repeat steps 1 and 2}",
}


_E = sp.Symbol("E")
_eta = sp.Symbol("eta", positive=True)
_j, _i = sp.symbols("j i", integer=True)
_Yj, _Yhj = sp.IndexedBase("y"), sp.IndexedBase("yhat")

#: every claim of the document, in its order
ROWS: tuple[Row, ...] = (
    Row("feedforward",
        r"X \xrightarrow[W^1X + B^1]{\text{linear}} h_i \xrightarrow[f(h_i)]{\text{activation}}"
        r" h_o",
        "the feed forward pass h_i = W1 X + B1, h_o = f(h_i), y_i = W2 h_o + B2, yhat = f(y_i)",
        lambda: definition("the network's forward pass; the other claims compose it "
                           "symbolically (2 inputs, 2 hidden units, 2 classes)"),
        kind="definition", latex=r"\hat y = f(W^2 f(W^1 X + B^1) + B^2)"),
    Row("parameters",
        r"$W^1$ is the weight matrix connecting the input layer to the hidden layer",
        "W1, B1 connect the inputs to the hidden layer; W2, B2 the hidden to the output layer",
        lambda: definition("names of the parameters"), kind="definition"),
    Row("linear1-layout", r"\xrightarrow[W^1X + B^1]{\text{linear}} h_i",
        "W1 X + B1 is defined and gives the hidden layer's inputs (X the inputs x_1, x_2)",
        lambda: decide_linear_layer(1, 2, 3), kind="shape", latex="h_i = W^1 X + B^1",
        depends_on=("001-feedforward",)),
    Row("linear2-layout", r"\xrightarrow[W^2h_o + B^2]{\text{linear}} y_i",
        "W2 h_o + B2 is defined and gives the output layer's inputs",
        lambda: decide_linear_layer(2, 3, 2), kind="shape", latex="y_i = W^2 h_o + B^2",
        depends_on=("001-feedforward",)),
    Row("yhat-probability",
        "The value at each index would be the probability the network thinks that class is "
        "related to the input",
        "each entry of the prediction yhat = f(y_i) is a probability in [0, 1]",
        _decide_probability, kind="verbal", depends_on=("001-feedforward",)),
    Row("best-guess",
        "The highest probability from the prediction vector would be the networks best guess",
        "the predicted class is the argmax of yhat",
        lambda: definition("the prediction is argmax_j yhat_j"), kind="definition"),
    Row("error-vs-accuracy",
        "error is a more informative and useful metric than accuracy",
        "the error distinguishes predictions that accuracy cannot",
        _decide_accuracy_vs_error, kind="verbal"),
    Row("lower-error-better", "The lower the error, the better the prediction.",
        "a lower error means a prediction closer to the label",
        _decide_lower_error_better, kind="verbal"),
    Row("error-difference", r"E(y, \hat{y}) = y - \hat{y}",
        "the simplest error: E = y - yhat",
        lambda: definition("E = y - yhat; decided against in the claims that follow"),
        kind="definition", statement=sp.Eq(_E, _y - _yh)),
    Row("further-greater",
        "The, further away the prediction is from the loss, the greater the error.",
        "the further the prediction is from the label ('loss' in the text), the greater E",
        _decide_further_greater, kind="verbal", depends_on=("001-error-difference",)),
    Row("separated-0.2",
        r"$0.9 - 0.7$ and $0.7 - 0.9$ are both seperated by $0.2$, however one produces a "
        "negative error",
        "0.9 - 0.7 and 0.7 - 0.9 both have size 0.2 and one of them is negative",
        _decide_separated, kind="verbal"),
    Row("best-error-zero",
        "since the best error achievable should be 0. To avoid this, we could take the "
        "absolute value, or we can square it.",
        "with |y - yhat| or (y - yhat)^2 the best achievable error is 0 (at yhat = y)",
        _decide_best_error_zero, kind="verbal", depends_on=("001-error-difference",)),
    Row("square-exaggerates",
        'Squaring the difference is better, since it also exaggerates the error for '
        '"wronger" predictions.',
        "squaring exaggerates the error of wronger predictions",
        _decide_exaggerates, kind="verbal"),
    Row("square-derivative", "It also has a more useful derivative",
        "(y - yhat)^2 has a derivative everywhere (2(yhat - y)); |y - yhat| has none at "
        "yhat = y", _decide_useful_derivative, kind="scalar"),
    Row("squared-error", r"E(y, \hat{y}) = (y - \hat{y})^2",
        "the squared error E = (y - yhat)^2",
        lambda: definition("E = (y - yhat)^2"), kind="definition",
        statement=sp.Eq(_E, (_y - _yh) ** 2)),
    Row("half-squared-error", r"E(y, \hat{y}) = \frac{1}{2}(y - \hat{y})^2",
        "the halved squared error E = 1/2 (y - yhat)^2",
        lambda: definition("E = 1/2 (y - yhat)^2, the error of one class"),
        kind="definition", statement=sp.Eq(_E, (_y - _yh) ** 2 / 2)),
    Row("half-factor",
        "We can add a $1/2$ constant to make the derivative of the function cleaner",
        "with the 1/2, dE/dyhat = yhat - y: the factor 2 cancels",
        lambda: decide_equal(sp.diff((_y - _yh) ** 2 / 2, _yh), _yh - _y,
                             what="yhat - y as d/dyhat of 1/2 (y - yhat)^2"),
        kind="scalar", statement=sp.Eq(sp.Derivative((_y - _yh) ** 2 / 2, _yh), _yh - _y),
        depends_on=("001-half-squared-error",)),
    Row("mse-classes",
        r"E(y, \hat{y}) = \frac{1}{M} \sum_{j=1}^M \frac{1}{2}(y_j - \hat{y_j})^2",
        "1/M sum_{j=1}^M is the mean over the M classes (the sum has M terms)",
        lambda: decide_sum_is_mean(1, _M, _M, what="sum_{j=1}^M"), kind="scalar",
        statement=sp.Eq(_E, sp.Sum((_Yj[_j] - _Yhj[_j]) ** 2 / 2, (_j, 1, _M)) / _M)),
    Row("mse-dataset",
        r"E(y, \hat{y}) = \frac{1}{NM} \sum_{i=1}^N  \sum_{j=1}^M \frac{1}{2}(y_{ij} - "
        r"\hat{y_{ij}})^2",
        "1/(NM) sum_{i=1}^N sum_{j=1}^M is the mean over the samples of the per-sample error",
        lambda: decide_dataset_mean(2, 3), kind="scalar", depends_on=("001-mse-classes",),
        statement=sp.Eq(_E, sp.Sum(sp.Sum((_Yj[_i, _j] - _Yhj[_i, _j]) ** 2 / 2, (_j, 1, _M)),
                                   (_i, 1, _N)) / (_N * _M))),
    Row("n-samples", "where $N$ is the total number of samples in the dataset",
        "N is the number of samples in the dataset",
        lambda: definition("N = the dataset size; used again for the batch size later"),
        kind="definition"),
    Row("mse-name", "This error function is known as **Mean Squared Error** or MSE",
        "1/(NM) sum sum 1/2 (y - yhat)^2 is the mean squared error",
        _decide_mse_name, kind="verbal", depends_on=("001-mse-dataset",)),
    Row("mse-mean-error",
        r"as it is implied that $y_i - \hat{y_i}$ is the mean error over all the classes",
        "without the class sum, y_i - yhat_i stands for the mean error over the classes",
        _decide_mean_error_reading, kind="scalar", depends_on=("001-mse-dataset",)),
    Row("mse-without-half",
        r"and without the $\frac{1}{2}$ constant that we added",
        "the usual MSE 1/N sum (y_i - yhat_i)^2 is twice the document's error (M = 1)",
        _decide_mse_without_half, kind="scalar", depends_on=("001-mse-dataset",),
        statement=sp.Eq(_E, sp.Sum((_Yj[_i] - _Yhj[_i]) ** 2, (_i, 1, _N)) / _N)),
    Row("mse-sum-range", r"E(y, \hat{y}) = \frac{1}{N} \sum_{i=1}^N (y_i - \hat{y_i})^2",
        "1/N sum_{i=1}^N is the mean over the N samples (the sum has N terms)",
        lambda: decide_sum_is_mean(1, _N, _N, what="sum_{i=1}^N"), kind="scalar"),
    Row("yi-notation", r"$y_i$ is the output layer inputs",
        "the y_i in 1/N sum (y_i - yhat_i)^2 is the label of sample i (y_i also names the "
        "output layer inputs)", _decide_yi_clash, kind="scalar",
        depends_on=("001-feedforward", "001-mse-sum-range")),
    Row("single-sample",
        "You can compute the error for the whole dataset, or just for a single input-label "
        "pair",
        "the dataset error with N = 1 is the error of that one sample",
        _decide_single_sample, kind="scalar", depends_on=("001-mse-dataset",)),
    Row("other-errors-placeholder", "**INSERT LOG LOSS AND STOOF HERE**",
        "placeholder for other error functions (no formula given)",
        lambda: definition("a placeholder: the document names no other error function"),
        kind="definition"),
    Row("composite-chain", r"$E$ is a funnction of the labels $y$ and $\hat{y}$",
        "E depends on yhat, yhat on y_i, y_i on h_o, h_o on h_i, h_i on x",
        _decide_chain, kind="scalar", depends_on=("001-feedforward",)),
    Row("three-categories",
        "There are 3 categories of variables that go into a neural network",
        "E depends on exactly three groups: the parameters, the inputs and the labels",
        lambda: _decide_depends(lambda n: n.E, ("parameters", "inputs", "labels"),
                                what="E composed through the network"),
        kind="scalar", depends_on=("001-feedforward",)),
    Row("yhat-of-parameters",
        r"You could technically express the prediction $\hat{y}$ directly in terms of the "
        "parameters and the inputs",
        "yhat is a function of the parameters and the inputs only",
        lambda: _decide_depends(lambda n: sp.Matrix(n.yhat), ("parameters", "inputs"),
                                what="yhat composed through the network"),
        kind="scalar", depends_on=("001-feedforward",)),
    Row("differentiable",
        "(since the activations functions, error function, and a linear combination are all "
        "differentialable)",
        "the network's error is a differentiable function of its parameters",
        _decide_differentiable, kind="verbal", depends_on=("001-feedforward",)),
    Row("gradient-ascent",
        "The gradient vector is a vector pointing in the direction of greatest ascent",
        "grad E is the direction of steepest ascent: D_u E <= |grad E| with equality at "
        "u = grad E/|grad E|", lambda: _decide_steepest(1), kind="scalar"),
    Row("negative-gradient-descent",
        "the negative of that gradient would tell us how to adjust the weights/biases to "
        "**decrease** error",
        "-grad E is the direction of steepest descent", lambda: _decide_steepest(-1),
        kind="scalar"),
    Row("gradient-w",
        r"\nabla E_w = (\frac{\partial E}{\partial w_1}, \frac{\partial E}{\partial w_2},  "
        r"...  , \frac{\partial E}{\partial w_n})",
        "the gradient with respect to the weights lists dE/dw_k",
        lambda: definition("grad_w E = (dE/dw_1, ..., dE/dw_n)"), kind="definition"),
    Row("gradient-b-label", r"\nabla E_w = (\frac{\partial E}{\partial b_1}",
        "the vector of dE/db_k, labelled grad_w E, is the bias gradient",
        _decide_bias_label, kind="scalar", depends_on=("001-gradient-w",)),
    Row("partial-single-weight",
        "This would be achieved by taking the **partial derivative** of the error with "
        "respect to that weight",
        "the effect of one weight is dE/dw_1",
        lambda: definition("dE/dw_1, the partial derivative in one weight"),
        kind="definition"),
    Row("partial-depends",
        "The resulting deriviative would still be a function in terms of the inputs, labels, "
        "and network parameters",
        "dE/dw depends on the inputs, the labels and the parameters",
        lambda: _decide_depends(lambda n: sp.diff(n.E, n.W1[0, 0]),
                                ("parameters", "inputs", "labels"),
                                what="dE/dW1_0_0 of the composed network"),
        kind="scalar", depends_on=("001-feedforward",)),
    Row("partial-sign",
        "The result would either get a negative number or a positive number",
        "the partial derivative of E in a weight is either negative or positive",
        _decide_partial_sign, kind="verbal", depends_on=("001-feedforward",)),
    Row("two-directions",
        "For a single weight, there are only two possible directions, an increase or "
        "decrease.", "one weight has exactly two unit directions, +1 and -1",
        _decide_two_directions, kind="verbal"),
    Row("same-direction", "For example, a gradient -1 and -1000 both represent the same "
        "direction.", "gradients -1 and -1000 point the same way",
        _decide_same_direction, kind="verbal"),
    Row("relative-magnitudes",
        "if the negative gradient for weight #1 was 10 and the negative gradient for weight "
        "#2 was 5, that means we need to increase weight #1 twice as much as weight #2",
        "negative gradients 10 and 5 increase weight 1 twice as much as weight 2",
        _decide_relative_magnitudes, kind="update"),
    Row("update-need-not-decrease",
        "your error should decrease, right? Well, not necassarily.",
        "an update along the negative gradient need not decrease the error",
        _decide_need_not_decrease, kind="update"),
    Row("infinitesimal-decrease",
        "For an infinetly small nudge in that direction, yes the error will decrease",
        "for a small enough step along -grad E the error decreases: dE/d eta = -|grad E|^2",
        _decide_infinitesimal, kind="update"),
    Row("small-learning-rate",
        "We can multiply our negative gradient by a small constant we call the **learning "
        "rate**.", "multiplying the step by a small enough learning rate decreases the error",
        _decide_small_rate, kind="update", statement=sp.Eq(
        sp.Symbol("w'"), _w - _eta * sp.Derivative(sp.Function("E")(_w), _w))),
    Row("learning-rate-below-one",
        "Learning rate values are typically less than one. Common examples are:",
        "the listed learning rates are all between 0 and 1",
        lambda: decide_in_interval(LEARNING_RATES, sp.Interval.open(0, 1),
                                   what="the 18 listed learning rates"),
        kind="verbal"),
    Row("learning-rate-below-zero", "although it is almost always below 0",
        "the learning rate is almost always below 0", _decide_negative_rate, kind="update"),
    Row("learning-rate-any", "however, it can really be whatever you want",
        "any learning rate can be used", _decide_any_rate, kind="update"),
    Row("low-rate-no-overshoot", "It won't overshoot minimums.",
        "lower learning rates converge stably and do not overshoot minimums",
        _decide_low_no_overshoot, kind="update"),
    Row("low-rate-slower", "However, they converge slower (require more training)",
        "lower learning rates converge slower", _decide_speed, kind="update"),
    Row("low-rate-local-minimum", "its very easy to get stuck in a local minumim",
        "a low learning rate can leave gradient descent stuck in a local minimum",
        _decide_local_minimum, kind="update"),
    Row("high-rate-faster", "**Higher learning rates** will converge faster",
        "higher learning rates converge faster", _decide_speed, kind="update"),
    Row("high-rate-unstable",
        "you can easily overshoot minumums, possibly not ever coming to a happy minumum",
        "high learning rates overshoot, raise the error and may never converge",
        _decide_high_unstable, kind="update"),
    Row("no-perfect-rate",
        "no learning rate is perfect, but you can always find one that works better than "
        "the rest", "no learning rate is perfect, but one works better than the rest",
        _decide_no_perfect_rate, kind="update"),
    Row("update-placeholder", r"\frac{1}{\69}",
        "the weight/bias update formula (a placeholder in the document)",
        _decide_placeholder_update, kind="update"),
    Row("sgd-new-gradients",
        "you would have to find new gradients and update your weights for every single "
        "sample to complete one full training cycle called an **epoch**",
        "an epoch of SGD makes one update per sample, each with a gradient at the current "
        "weights", _decide_new_gradients, kind="update"),
    Row("sgd-definition",
        "Updating your weights after every single sample is called **stochastic gradient "
        "descent**.", "SGD updates after every sample",
        lambda: definition("SGD: one update per sample (iteration.sgd)"), kind="definition"),
    Row("gd-average",
        "You could also average the gradients across the entire dataset and then update at "
        "the very end.",
        "averaging the per-sample gradients gives the gradient of the dataset error (vanilla "
        "gradient descent)", _decide_average_is_gradient, kind="update",
        depends_on=("001-mse-dataset",)),
    Row("sgd-vs-gd", "Stochastic gradient descent is less stable but faster.",
        "SGD is less stable but faster than gradient descent (on per-sample quadratic "
        "losses: per epoch)",
        _decide_sgd_vs_gd, kind="update"),
    Row("minibatch-n",
        "There is also **mini-batch gradient descent** where you take $N$ number of samples",
        "minibatch gradient descent with batches of N samples is a middle ground",
        _decide_minibatch_n, kind="update", depends_on=("001-n-samples",)),
    Row("rejects-single-pair",
        "You can't just compute the gradient of a **single input-label pair** and update the "
        "weights with that", "one update from a single sample does not train the network "
        "(draft section)", _decide_single_pair, kind="update"),
    Row("rejects-average",
        "To tackle this, we could average the gradient of **all** the input-label pairs in "
        "our entire dataset and then update our weights/biases.",
        "averaging all per-sample gradients gives the dataset gradient (draft section)",
        _decide_average_is_gradient, kind="update"),
    Row("rejects-sgd-steps",
        "1. Obtain the gradient vector for a given sample 2. Update the weights/biases using "
        "the gradient 3. Repeat 1 and 2 for all samples in the dataset",
        "SGD as steps (draft section)",
        lambda: definition("the steps of SGD, as iteration.sgd runs them"),
        kind="definition"),
    Row("rejects-gd-steps",
        "2. Repeat 1 and 2 for all samples in the dataset and average the result",
        "vanilla gradient descent as steps, step 2 repeating itself (draft section)",
        _decide_self_reference, kind="update"),
)

DOC = Document(
    DOCUMENT, conventions=CONVENTIONS, latex=_LATEX,
    networks=(DeclaredNetwork("doc001", "2-3-2 sigmoid/sigmoid mse half mean_all columns",
                              "2-3-2 sigmoid, sigmoid + 1/2 MSE",
                              labels="real targets, shape (M, N)", data="regression"),),
)


def claims() -> list[Claim]:
    """Every statement of document 001, in document order (cheap: nothing is decided here)."""
    return DOC.build(ROWS)
