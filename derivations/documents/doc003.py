r"""Claims of document 003: a three-layer network, ReLU, ReLU, then sigmoid + BCE or linear + MSE.

The document (``003_636d5d24609fc940.txt``) writes the forward pass in the columns layout
(``Z1 = W1 \cdot X + b1``, samples as columns), defines the cost ``J(\theta)`` as a mean over
m samples, then derives the gradients one sample at a time (``\partial Z3 = (A3_i - y_i)``,
``\partial W3 = (A3_i - y_i) A2``, ``\partial Z2 = \partial Z3 \cdot W3 \cdot g'(Z2)``), for
classification and again for regression, and ends with the gradient-descent update.

Every statement is a :class:`~derivations.claim.Claim` decided at run time:

- chain-rule steps on one sample of a network with one unit per layer, the local derivatives
  computed by SymPy and multiplied, against ``diff`` of the composed loss (hidden activation a
  generic function ``g``, so a proof holds for every activation);
- matrix forms entrywise on symbolic matrices in the columns layout for 20 shapes, and the
  whole 3-layer network end to end (:mod:`derivations.networks`), classification and regression;
- the cost's bracket and index range by writing the sums out on concrete m
  (:mod:`derivations.sums`);
- the update rule by running it exactly (:mod:`derivations.iteration`): as written it takes the
  gradient at the new iterate ``W_i``;
- labels naming the wrong variable (``\partial J / \partial W2`` for a chain ending in
  ``\partial Z1 / \partial W1``), a loss named wrongly (BCE in the regression section) and
  products whose order and transposes are left open, reading by reading.

The gradients the text derives carry no 1/m although ``J(\theta)`` is a mean: they are the
gradients of the per-sample loss (the document: "The loss refers to the error of a single
observation"), and per sample they are proven. For the batch, the document's objective is its
cost ``J(\theta)``, and it says the dZ's "have already been divided by the size of the data
samples": batch statements are decided as written under the mean (refuted, with the 1/m as
correction), the summed cost listed beside it. Readings are ``literal`` (the page, in the
document's layout and names) or ``intended`` (a repair); the literal ones decide.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

from derivations.claim import Claim, ConventionCase, Counterexample, Decision, Verdict
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
    on_model,
)
from derivations.document import DeclaredNetwork, Document, Row, numpy_form
from derivations.fast import decide_fast
from derivations.fast import decide_fast_scalar as _decide_scalar  # the name test_mutations patches
from derivations.iteration import (
    Run,
    contraction_factor,
    decide_runs_equal,
    decide_step_decreases,
    decreasing_rates,
    gradient_descent,
    rates_where,
)
from derivations.networks import Sigmoid, entrywise_grad, gradients, network, stacked
from derivations.shapes import decide_product_orientation, decide_shape, mat, np_add
from derivations.sums import decide_sum_equal, decide_term_count
from derivations.symbolic import bce, matrix, relu, sigmoid, squared_error

__all__ = [
    "DOC",
    "DOCUMENT",
    "FORWARD_EQUATIONS",
    "NETWORK_SHAPES",
    "ROWS",
    "claims",
    "decide_three_layers",
    "document_backward",
    "implicit_descent",
]

DOCUMENT = "003_636d5d24609fc940.txt"

CLASSIFICATION = {
    "layout": "columns",
    "reduction": "mean over m",
    "activation": "relu, relu, sigmoid",
    "loss": "binary cross-entropy",
    "labels": "0/1",
}
REGRESSION = {
    "layout": "columns",
    "reduction": "mean over m",
    "activation": "relu, relu, identity",
    "loss": "squared error",
    "half": "yes",
}
SUM = {"layout": "columns", "reduction": "sum over samples"}
MEAN = {"layout": "columns", "reduction": "mean over m (the document's J(theta))"}
DESCENT = {"update": "gradient descent"}

Dims = tuple[int, ...]
Build = Callable[[Dims], tuple[sp.Matrix, sp.Matrix]]

#: (n0, n1, n2, n3, m) for the end-to-end checks: all ones, two samples early (where the
#: reductions differ), then each width raised alone (non-square) and a wider batch
NETWORK_SHAPES = ((1, 1, 1, 1, 1), (1, 1, 1, 1, 2), (2, 1, 1, 1, 1), (1, 2, 1, 1, 1),
                  (1, 1, 2, 1, 1), (2, 2, 2, 1, 2))

_T = sp.Symbol("t", real=True)  # the variable of a local derivative
_G = sp.Function("g")  # a generic hidden activation: proofs with it hold for every activation


# ----------------------------------------------------------------------------------------
# the document's shapes for entrywise comparisons


def _shapes(n_dims: int) -> list[Dims]:
    """20 shapes: with two dimensions, sizes up to 5 (only 9 distinct shapes exist up to 3)."""
    return matrix_shapes(n_dims, max_dim=5 if n_dims == 2 else 3)


def _fast_matrix(build: Build, n_dims: int, **kw: Any) -> Decision:
    return decide_fast(build, _shapes(n_dims), **kw)


# ----------------------------------------------------------------------------------------
# one sample, one unit per layer: local derivatives and the composed loss


@dataclass(frozen=True)
class _Scalar:
    """A 1-1-1-1 network on one sample: forward values and the rule defining each edge."""

    values: Mapping[str, sp.Expr]
    rules: Mapping[tuple[str, str], Callable[[sp.Expr], sp.Expr]]

    def local(self, u: str, v: str) -> sp.Expr:
        """``du/dv`` with everything else held fixed, at the forward values."""
        return sp.diff(self.rules[(u, v)](_T), _T).subs(_T, self.values[v])

    def chain(self, edges: Sequence[tuple[str, str]]) -> sp.Expr:
        """The product of the local derivatives along ``edges``."""
        return sp.Mul(*(self.local(u, v) for u, v in edges))

    def grad(self, p: str) -> sp.Expr:
        """``dJ/dp`` of the composed loss."""
        return sp.diff(self.values["J"], self.values[p])


@functools.cache
def _scalar(task: str, hidden: str) -> _Scalar:
    """The document's network with one unit per layer; ``hidden`` is "generic" or "relu"."""
    x, y, w1, b1, w2, b2, w3, b3 = sp.symbols("x y W1 b1 W2 b2 W3 b3", real=True)
    act = _G if hidden == "generic" else relu
    out = Sigmoid if task == "classification" else (lambda t: t)

    def loss(a: sp.Expr) -> sp.Expr:
        return bce(a, y) if task == "classification" else squared_error(a, y, half=True)

    z1 = w1 * x + b1
    a1 = act(z1)
    z2 = w2 * a1 + b2
    a2 = act(z2)
    z3 = w3 * a2 + b3
    a3 = out(z3)
    values = {"X": x, "Y": y, "W1": w1, "b1": b1, "W2": w2, "b2": b2, "W3": w3, "b3": b3,
              "Z1": z1, "A1": a1, "Z2": z2, "A2": a2, "Z3": z3, "A3": a3, "J": loss(a3)}
    rules = {
        ("J", "A3"): loss,
        ("J", "Z3"): lambda t: loss(out(t)),
        ("A3", "Z3"): out,
        ("Z3", "W3"): lambda t: t * a2 + b3,
        ("Z3", "A2"): lambda t: w3 * t + b3,
        ("A2", "Z2"): act,
        ("Z2", "W2"): lambda t: t * a1 + b2,
        ("Z2", "A1"): lambda t: w2 * t + b2,
        ("A1", "Z1"): act,
        ("Z1", "W1"): lambda t: t * x + b1,
    }
    return _Scalar(values, rules)


def _edges(names: str) -> list[tuple[str, str]]:
    """``"J A3 Z3 W3"`` -> [(J, A3), (A3, Z3), (Z3, W3)]."""
    return list(itertools.pairwise(names.split()))


def _decide_chain(task: str, path: str, target: str, *, hidden: str = "generic",
                  what: str) -> Decision:
    s = _scalar(task, hidden)
    labels = {s.values["Y"]: (0, 1)} if task == "classification" else None  # BCE's y in (0, 1)
    return _decide_scalar(s.grad(target), s.chain(_edges(path)), domain=labels,
                          what=f"{what} (one sample, one unit per layer, {hidden} hidden "
                          "activation)")


# ----------------------------------------------------------------------------------------
# matrix builders, columns layout: X (n0, m), W_l (n_l, n_{l-1}), b_l (n_l, 1)


def _reduce(total: sp.Expr, m: int, reduction: str) -> sp.Expr:
    return total / m if reduction == "mean" else total


def _per_sample(task: str, a: sp.Expr, y: sp.Expr, half: bool = True) -> sp.Expr:
    return bce(a, y) if task == "classification" else squared_error(a, y, half=half)


def _output(task: str, Z3: sp.Matrix) -> sp.Matrix:
    return Z3.applyfunc(Sigmoid) if task == "classification" else Z3


def _cost_grad(task: str, A3: sp.Matrix, Y: sp.Matrix, reduction: str, M: sp.Matrix,
               half: bool = True) -> sp.Matrix:
    """d(cost)/dM entrywise, the cost being the sum (or mean) of the per-entry losses.

    :func:`~derivations.networks.entrywise_grad` differentiates each entry of M only in the loss
    terms that contain it (the others have derivative 0).
    """
    total = sp.Add(*(_per_sample(task, a, y, half) for a, y in zip(A3, Y, strict=True)))
    return entrywise_grad(_reduce(total, A3.cols, reduction), M)


def _build_dz3(task: str, reduction: str, *, scale_by_m: bool = False,
               half: bool = True) -> Build:
    """dJ/dZ3 of the output layer against the stated ``A3 - Y`` (divided by m if asked)."""
    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        n3, m = dims
        Z3, Y = matrix("Z3", n3, m), matrix("Y", n3, m)
        A3 = _output(task, Z3)
        correct = _cost_grad(task, A3, Y, reduction, Z3, half)
        stated = (A3 - Y) / (m if scale_by_m else 1)
        return correct, stated
    return build


@functools.cache  # pure: the derived gradient at these dimensions (never the verdict)
def _output_layer(task: str, reduction: str, dims: Dims) -> tuple[sp.Matrix, ...]:
    """A2, Y, A3 and dJ/dW3 for the output layer on symbolic matrices (columns layout)."""
    n3, n2, m = dims
    A2, W3, b3, Y = (matrix("A2", n2, m), matrix("W3", n3, n2), matrix("b3", n3, 1),
                     matrix("Y", n3, m))
    A3 = _output(task, W3 * A2 + b3 * sp.ones(1, m))
    return A2, Y, A3, _cost_grad(task, A3, Y, reduction, W3)


def _build_dw3(task: str, reduction: str, form: str) -> Build:
    """dJ/dW3 against ``(A3 - Y) A2`` as written, with A2 transposed, or the mean form."""
    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        A2, Y, A3, correct = _output_layer(task, reduction, dims)
        m = dims[2]
        stated = {
            "as written": lambda: (A3 - Y) * A2,
            "transposed": lambda: (A3 - Y) * A2.T,
            "mean": lambda: (A3 - Y) * A2.T / m,
        }[form]()
        return correct, stated
    return build


def _upstream(n_next: int, n: int, m: int, names: tuple[str, str, str]) -> tuple[
        sp.Matrix, sp.Matrix, sp.Matrix, sp.Expr]:
    """Z (n, m), ReLU, the next layer W (n_next, n), and L = sum(G * Z_next), G = dZ_next."""
    z_name, w_name, g_name = names
    Z, W_next = matrix(z_name, n, m), matrix(w_name, n_next, n)
    G, b_next = matrix(g_name, n_next, m), matrix("c", n_next, 1)
    Z_next = W_next * Z.applyfunc(relu) + b_next * sp.ones(1, m)
    return Z, W_next, G, sum(G.multiply_elementwise(Z_next))


def _build_dz_prev(names: tuple[str, str, str], form: str) -> Build:
    """dL/dZ_l given G = dL/dZ_{l+1}: the document's ``G . W . g'(Z)`` or the corrected form."""
    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        n, n_next, m = dims
        Z, W_next, G, L = _upstream(n_next, n, m, names)
        H = Z.applyfunc(sp.Heaviside)
        stated = G * W_next * H if form == "as written" else \
            (W_next.T * G).multiply_elementwise(H)
        return entrywise_grad(L, Z), stated
    return build


def _build_dw_sample(names: tuple[str, str, str, str, str], form: str) -> Build:
    """One sample: dL/dW_l given G = dL/dZ_{l+1}, against ``G . W_next . g'(Z) . A_prev``."""
    a_name, w_name, _, wn_name, g_name = names  # the third name (Z) is only for display

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        n_prev, n, n_next = dims
        A_prev, W, b = matrix(a_name, n_prev, 1), matrix(w_name, n, n_prev), matrix("b", n, 1)
        Z = W * A_prev + b
        W_next, G = matrix(wn_name, n_next, n), matrix(g_name, n_next, 1)
        L = sum(G.multiply_elementwise(W_next * Z.applyfunc(relu)))
        H = Z.applyfunc(sp.Heaviside)
        stated = G * W_next * H * A_prev if form == "as written" else \
            (W_next.T * G).multiply_elementwise(H) * A_prev.T
        return entrywise_grad(L, W), stated
    return build


def _build_slope(names: tuple[str, str], form: str) -> Build:
    """The derivative of Z = W A_prev + b with respect to W, per sample or for the batch."""
    w_name, a_name = names

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        n, n_prev, m = dims
        W, A = matrix(w_name, n, n_prev), matrix(a_name, n_prev, m)
        Z = W * A + matrix("b", n, 1) * sp.ones(1, m)
        if form == "per sample":  # dZ[k, i] / dW[l, j] = A[j, i] if l == k else 0
            rows = [(k, i, r) for k in range(n) for i in range(m) for r in range(n)]
            correct = sp.Matrix([[sp.diff(Z[k, i], W[r, j]) for j in range(n_prev)]
                                 for k, i, r in rows])
            stated = sp.Matrix([[A[j, i] if r == k else 0 for j in range(n_prev)]
                                for k, i, r in rows])
            return correct, stated
        Zr = Z[0, :]  # one output unit: the Jacobian of its m values w.r.t. the row W[0, :]
        return Zr.T.jacobian(W[0, :]), A
    return build


# ----------------------------------------------------------------------------------------
# the whole network, end to end


def _hidden_derivative(name: str) -> Callable[[sp.Expr], sp.Expr]:
    return {
        "relu": sp.Heaviside,
        "tanh": lambda z: 1 - sp.tanh(z) ** 2,
        "sigmoid": lambda z: Sigmoid(z) * (1 - Sigmoid(z)),
    }[name]


def document_backward(net: Any, *, hidden: str = "relu", divide_by_m: bool = False
                      ) -> dict[str, sp.Matrix]:
    r"""The document's backward steps with the columns layout's transposes, on a symbolic network.

    ``dZ3 = A3 - Y``; ``dW_l = dZ_l A_{l-1}^T``; ``db_l`` the sum of ``dZ_l`` over the
    samples; ``dZ_l = (W_{l+1}^T dZ_{l+1}) \odot g'(Z_l)``. The transposes and the elementwise
    product are what the columns layout needs (the text writes ``\partial Z3 \cdot W3 \cdot
    g'(Z2)``; claims ``003-dz2-columns`` and ``003-dz1-columns`` decide that form itself).

    Parameters
    ----------
    net : derivations.networks.SymbolicNetwork
        Columns layout, three layers, output sigmoid + BCE or identity + squared error.
    hidden : {"relu", "tanh", "sigmoid"}
        The hidden activation, for its derivative ``g'``.
    divide_by_m : bool
        Use ``dZ3 = (A3 - Y) / m`` (the gradient of the mean cost) instead.

    Returns
    -------
    dict
        ``{"W1": dW1, "b1": db1, "W2": ..., "b3": db3}`` as SymPy matrices.
    """
    X, (Z1, Z2, _), (_, A1, A2, A3) = net.X, net.Z, net.A
    P, m, gprime = net.params, net.m, _hidden_derivative(hidden)
    dZ3 = (A3 - net.Y) / (m if divide_by_m else 1)
    dZ2 = (P["W3"].T * dZ3).multiply_elementwise(Z2.applyfunc(gprime))
    dZ1 = (P["W2"].T * dZ2).multiply_elementwise(Z1.applyfunc(gprime))
    ones = sp.ones(m, 1)
    return {"W1": dZ1 * X.T, "b1": dZ1 * ones, "W2": dZ2 * A1.T, "b2": dZ2 * ones,
            "W3": dZ3 * A2.T, "b3": dZ3 * ones}


def _network_options(task: str, hidden: str = "relu") -> dict[str, Any]:
    if task == "classification":
        return {"activations": (hidden, hidden, "sigmoid"), "loss": "bce"}
    return {"activations": (hidden, hidden, "identity"), "loss": "mse", "half": True}


@functools.cache  # pure: the derived gradients of one network (never the verdict)
def _network_gradients(task: str, reduction: str, hidden: str, dims: Dims) -> tuple[Any, sp.Matrix]:
    net = network(tuple(dims[:-1]), dims[-1], layout="columns", reduction=reduction,
                  **_network_options(task, hidden))
    return net, stacked(gradients(net), net.params)


def _build_network(task: str, reduction: str, *, hidden: str = "relu",
                   divide_by_m: bool = False) -> Build:
    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        net, correct = _network_gradients(task, reduction, hidden, tuple(dims))
        stated = document_backward(net, hidden=hidden, divide_by_m=divide_by_m)
        return correct, stacked(stated, net.params)
    return build


def _decide_network(task: str) -> Decision:
    """The document's steps with the columns layout's transposes, end to end.

    ``document_backward`` runs ``dZ_l = (W_{l+1}^T dZ_{l+1}) * g'(Z_l)`` and ``dW_l = dZ_l
    A_{l-1}^T``: the transposes and the elementwise product the document leaves out. Its
    literal ``dZ3 . W3 . g'(Z2)`` is decided (refuted) by 003-dz2-columns / 003-dz1-columns.
    """
    what = (f"the document's steps with the columns layout's transposes and elementwise g' "
            f"({task}: dW1, db1, dW2, db2, dW3, db3)")
    fix = "dZ3 = (A3 - Y)/m, then the same steps"
    # the document's batch objective is its cost J(theta), a mean over m (and it says the
    # dZ's "have already been divided by the size of the data samples"): as written
    return decide_conventions(
        [(MEAN, lambda: decide_fast(
             _build_network(task, "mean"), NETWORK_SHAPES, what=what,
             corrected=_build_network(task, "mean", divide_by_m=True), corrected_latex=fix)),
         (SUM, lambda: decide_fast(_build_network(task, "sum"), NETWORK_SHAPES, what=what))],
        what=f"the {task} backward pass gives every parameter's gradient of J(theta)",
        as_written=True,
    )


def _decide_hidden_replaceable() -> Decision:
    shapes = (NETWORK_SHAPES[0], (1, 2, 2, 1, 2))

    def case(hidden: str) -> Callable[[], Decision]:
        return lambda: decide_fast(_build_network("classification", "sum", hidden=hidden),
                                   shapes, what=f"the backward pass with {hidden} hidden layers")

    shown = decide_conventions(
        [({"activation": f"{h}, {h}, sigmoid", "reduction": "sum"}, case(h))
         for h in ("tanh", "sigmoid")],  # relu: claim 003-network-classification-columns
        what="the backward pass with g' of the chosen hidden activation",
    )
    # "any of the other activation functions" is universal; two of them are examples
    return on_model(shown, "tanh and sigmoid hidden layers (2 of the other activations)")


# ----------------------------------------------------------------------------------------
# sums: the costs as written


_i = sp.Symbol("i", integer=True, positive=True)
_m = sp.Symbol("m", integer=True, positive=True)
_y, _a, _x = sp.IndexedBase("y"), sp.IndexedBase("A3"), sp.IndexedBase("x")


def _plain(name: str, k: int) -> sp.Symbol:
    return sp.Symbol(f"{name}_{k}", real=True)


def _mean_loss(task: str, *, half: bool = True) -> Callable[[int], sp.Expr]:
    """The mean over m samples of the per-sample loss J(A3_k, y_k), built term by term."""
    def reference(m: int) -> sp.Expr:
        terms = [_per_sample(task, _plain("A3", k), _plain("y", k), half)
                 for k in range(1, m + 1)]
        return sp.expand(sp.Add(*terms) / m, log=False)
    return reference


def _probability_domain(expr: sp.Expr) -> dict[sp.Symbol, tuple[sp.Rational, sp.Rational]]:
    return {s: (sp.Rational(0), sp.Rational(1)) for s in expr.free_symbols
            if str(s).startswith(("A3_", "y_"))}


def _bce_written() -> sp.Expr:
    """J(theta) parsed as written: the bracket closes after the first log term."""
    inside = _y[_i] * sp.log(_a[_i])
    return -sp.Rational(1) / _m * sp.Sum(inside, (_i, 1, _m)) + (1 - _y[_i]) * sp.log(1 - _a[_i])


def _bce_intended() -> sp.Expr:
    return -sp.Rational(1) / _m * sp.Sum(
        _y[_i] * sp.log(_a[_i]) + (1 - _y[_i]) * sp.log(1 - _a[_i]), (_i, 1, _m))


def _mse_written(half: bool = True) -> sp.Expr:
    factor = sp.Rational(1, 2) if half else 1
    return sp.Sum(factor * (_a[_i] - _y[_i]) ** 2, (_i, 1, _m)) / _m


def _decide_bracket() -> Decision:
    return decide_sum_equal(
        _bce_written(), _mean_loss("classification"), m_symbol=_m, indices=[_i],
        corrected=_bce_intended(), domain=_probability_domain,
        what=r"J(\theta) as bracketed (the sum closes after y ln h(x))",
    )


def _decide_cost_is_mean() -> Decision:
    bce_d = decide_sum_equal(_bce_intended(), _mean_loss("classification"), m_symbol=_m,
                             indices=[_i], domain=_probability_domain,
                             what="the BCE cost (bracket around both terms)")
    if bce_d.verdict is not Verdict.PROVEN:
        return bce_d
    mse_d = decide_sum_equal(_mse_written(), _mean_loss("regression"), m_symbol=_m,
                             indices=[_i], what="the MSE cost")
    if mse_d.verdict is not Verdict.PROVEN:
        return mse_d
    return Decision(Verdict.PROVEN,
                    f"both costs are the mean of the per-sample losses: {bce_d.reason}; "
                    f"{mse_d.reason}", evidence=bce_d.evidence + mse_d.evidence)


def _decide_notation(*, sigma_of_input: bool = False) -> Decision:
    """The cost's ``h_sigma(x^(i))`` and ``sigma(x^(i))`` in the document's own names.

    The document says what they are: "In the Binary Cross Entropy function, sigma(x) is the
    probability that the input belongs to the positive class", the prediction A3_i. With
    ``sigma_of_input`` the second is read as the sigmoid of the raw input x^(i) instead, which
    the document's convention excludes (a mutant: refuted).
    """
    second = Sigmoid(_x[_i]) if sigma_of_input else _a[_i]
    cost = -sp.Rational(1) / _m * sp.Sum(
        _y[_i] * sp.log(_a[_i]) + (1 - _y[_i]) * sp.log(1 - second), (_i, 1, _m))
    what = ("J with sigma(x^(i)) the sigmoid of the input x^(i)" if sigma_of_input
            else "J with h(x^(i)) = sigma(x^(i)) = A3_i")
    decision = decide_sum_equal(cost, _mean_loss("classification"), m_symbol=_m, indices=[_i],
                                domain=_probability_domain, what=what)
    if sigma_of_input:
        return decision
    return decide_readings(
        [literal("h_sigma(x^(i)) and sigma(x^(i)) both name the network's prediction A3_i, as "
                 "the document says of sigma(x) in the BCE", decision)],
        what=r"the cost's h_\sigma(x^{(i)}) and \sigma(x^{(i)})",
    )


def _decide_mse_name() -> Decision:
    def case(half: bool) -> Callable[[], Decision]:
        return lambda: decide_sum_equal(
            _mse_written(), _mean_loss("regression", half=half), m_symbol=_m, indices=[_i],
            what="the document's J = 1/m sum 1/2 (A3_i - y_i)^2 as the mean squared error")
    return decide_conventions(
        [({"mse": "1/2 mean of squares (the backprop convention)"}, case(True)),
         ({"mse": "mean of squares, 1/m sum (A3_i - y_i)^2"}, case(False))],
        what="the formula is the Mean Squared Error",
    )


# ----------------------------------------------------------------------------------------
# scalar statements


_z, _A, _Y = sp.Symbol("z", real=True), sp.Symbol("A3_i", real=True), sp.Symbol("y_i", real=True)
_UNIT = {_A: (sp.Rational(0), sp.Rational(1)), _Y: (sp.Rational(0), sp.Rational(1))}


def _stated_dbce(a: sp.Expr, y: sp.Expr) -> sp.Expr:
    return -y / a + (1 - y) / (1 - a)


def _three_samples(task: str, reduction: str, half: bool = True
                   ) -> tuple[sp.Expr, list[sp.Symbol], list[sp.Symbol]]:
    """The cost of m = 3 samples (with m = 2, 2/m = 1 would hide the mean's factor)."""
    a, y = [_plain("A3", k) for k in (1, 2, 3)], [_plain("y", k) for k in (1, 2, 3)]
    total = sp.Add(*(_per_sample(task, ak, yk, half) for ak, yk in zip(a, y, strict=True)))
    return _reduce(total, 3, reduction), a, y


def _decide_dloss(task: str) -> Decision:
    """dJ/dA3_i of the per-sample loss, with the summed and the mean cost tabled beside it.

    The document defines its words: "The loss refers to the error of a single observation,
    while the cost refers to the average error of the entire dataset". "The derivative of the
    ... loss function" is therefore one sample's: that decides the verdict; the reductions are
    listed as conventions for a reader who takes it for the cost's.
    """
    stated = _stated_dbce if task == "classification" else (lambda a, y: a - y)
    dom = {_plain("A3", 1): (0, 1), _plain("y", 1): (0, 1)}

    def per_sample() -> Decision:
        return decide_equal(sp.diff(_per_sample(task, _A, _Y), _A), stated(_A, _Y), domain=_UNIT,
                            what="the stated derivative")

    def cost(reduction: str, half: bool = True) -> Callable[[], Decision]:
        def run() -> Decision:
            J, a, y = _three_samples(task, reduction, half)
            return decide_equal(sp.diff(J, a[0]), stated(a[0], y[0]), domain=dom,
                                what=f"the stated derivative (m = 3, {reduction})")
        return run

    cases = [({"loss": "per-sample J(A3_i, y_i)"}, per_sample),
             ({"reduction": "sum over samples"}, cost("sum")),
             ({"reduction": "mean over m (J(theta))"}, cost("mean"))]
    if task == "regression":
        cases += [({"reduction": "sum over samples", "half": "no"}, cost("sum", False)),
                  ({"reduction": "mean over m", "half": "no"}, cost("mean", False))]
    formula = "(A3-y)/(A3(1-A3))" if task == "classification" else "A3 - y"
    return decide_conventions(
        cases, as_written=True,
        what=f"dJ/dA3 = {formula} of the loss (the document: 'the loss refers to the error of a "
        "single observation')")


def _sigmoid_exp() -> sp.Expr:
    return sigmoid(_z)


def _decide_sigmoid_probabilities() -> Decision:
    s = _sigmoid_exp()
    low, high = sp.limit(s, _z, -sp.oo), sp.limit(s, _z, sp.oo)
    positive = bool(s.is_positive) and bool(sp.simplify(1 - s).is_positive)
    total = sp.simplify(s + (1 - s))
    if positive and (low, high) == (0, 1) and total == 1:
        return Decision(
            Verdict.PROVEN,
            "sigma(z) > 0 and 1 - sigma(z) > 0 for every real z (so both lie in (0, 1)), they "
            f"add up to {total}, and sigma tends to {low} and {high} at -oo and +oo",
            evidence=("sign assumptions on exp", "limits"),
        )
    return Decision(Verdict.REFUTED, f"limits {low}, {high}; positive: {positive}; sum {total}",
                    counterexample=Counterexample(point={"z": "limit"}, stated="(0, 1)",
                                                  correct=f"({low}, {high})"))


def _decide_bell() -> Decision:
    d = sp.diff(_sigmoid_exp(), _z)
    d2 = sp.diff(d, _z)
    symmetric = is_zero(d - d.subs(_z, -_z))
    critical = sp.solveset(sp.numer(sp.together(d2)), _z, domain=sp.S.Reals)
    peak = sp.simplify(d.subs(_z, 0))
    tails = (sp.limit(d, _z, sp.oo), sp.limit(d, _z, -sp.oo))
    bell_ok = symmetric and critical == sp.FiniteSet(0) and tails == (0, 0) and d.is_positive
    bell = decide_holds(
        bool(bell_ok),  # d.is_positive may be None: not shown
        f"sigma' is positive, symmetric ({symmetric}), its only critical point is {critical} "
        f"with value {peak}, and it tends to {tails} at +-oo",
    )
    # match a exp(-b z^2) to sigma' at 0: a = the peak, -2 a b = sigma'''(0), its curvature
    curvature = sp.simplify(sp.diff(d2, _z).subs(_z, 0))
    b = sp.simplify(-curvature / (2 * peak))
    gauss = peak * sp.exp(-b * _z**2)
    fitted = decide_equal(d, gauss, what=f"the Gaussian {sp.sstr(gauss)} with the peak "
                          f"({peak}) and curvature ({curvature}) of sigma' at 0",
                          domain={_z: (sp.Rational(2), sp.Rational(8))})
    # qualitative ("looks very similar to"): decided on two models of similarity, named
    return decide_conventions(
        [({"similar": "bell-shaped: positive, symmetric, one peak at 0, vanishing tails"},
          lambda: bell),
         ({"similar": "equal to the Gaussian a exp(-b z^2) with sigma''s peak and curvature"},
          lambda: fitted)],
        what="sigma' looks very similar to a Gaussian curve",
    )


def _decide_activation_derivatives_differ() -> Decision:
    derivs = {"relu": sp.diff(relu(_z), _z), "tanh": sp.diff(sp.tanh(_z), _z),
              "sigmoid": sp.diff(_sigmoid_exp(), _z)}
    point = sp.Rational(1, 2)
    values = {k: d.subs(_z, point) for k, d in derivs.items()}
    numeric = {k: sp.N(v, 30) for k, v in values.items()}
    names = list(derivs)
    pairs = [(p, q) for k, p in enumerate(names) for q in names[k + 1:]]
    same = [(p, q) for p, q in pairs if abs(numeric[p] - numeric[q]) < sp.Float(10) ** -20]
    listing = ", ".join(f"{k}'(1/2) = {sp.sstr(values[k])} ~ {sp.N(numeric[k], 8)}"
                        for k in names)
    if same:
        return Decision(Verdict.UNDECIDED, f"at z = 1/2 some derivatives agree: {listing}")
    return Decision(Verdict.PROVEN, f"the derivatives differ pairwise at z = 1/2: {listing}",
                    evidence=("exact values at z = 1/2, compared to 30 digits",))


def _decide_loss_lacks_w3() -> Decision:
    s = _scalar("classification", "generic")
    loss_vars = _per_sample("classification", _A, _Y).free_symbols
    ok = s.values["W3"] not in loss_vars and s.values["Z3"].has(s.values["W3"])
    return decide_holds(
        ok,
        f"J(A3, y) has the variables {sorted(map(str, loss_vars))}, no W3; Z3 = "
        f"{sp.sstr(s.values['Z3'])} contains W3, so dJ/dW3 needs the chain through A3 and Z3",
    )


def _decide_wording() -> Decision:
    s = _scalar("classification", "relu")
    grad = s.grad("W3")
    as_written = _decide_scalar(grad, 1 / grad,
                                what="dW3/dJ = 1/(dJ/dW3) (inverse function)")
    meant = _decide_chain("classification", "J A3 Z3 W3", "W3", what="dJ/dW3 by the chain")
    return decide_readings(
        [literal("the derivative of W3 with respect to the loss, dW3/dJ", as_written),
         intended("the derivative of the loss with respect to W3, dJ/dW3", meant,
                  statement="we are trying to find the derivative of the loss function with "
                  "respect to W3")],
        what="'the derivative of W3 with respect to the loss function'",
    )


def _decide_mislabel(task: str, path: str) -> Decision:
    s = _scalar(task, "relu")
    product = s.chain(_edges(path))
    as_labelled = _decide_scalar(s.grad("W2"), product, what="the chain as dJ/dW2")
    as_w1 = _decide_scalar(s.grad("W1"), product, what="the chain as dJ/dW1")
    return decide_readings(
        [literal("the left side as labelled, dJ/dW2", as_labelled),
         intended("the left side meant as dJ/dW1 (the chain ends in dZ1/dW1)", as_w1,
                  statement=r"\frac{\partial J}{\partial W1} = \dots \cdot "
                  r"\frac{\partial Z1}{\partial W1}")],
        what="a chain ending in dZ1/dW1 labelled dJ/dW2",
    )


def _decide_b3_constant() -> Decision:
    W3, A2, b3 = matrix("W3", 1, 2), matrix("A2", 2, 1), sp.Symbol("b3", real=True)
    Z3 = (W3 * A2)[0] + b3
    slope = [sp.diff(Z3, w) for w in W3]
    ok = all(sp.diff(g, b3) == 0 for g in slope) and slope == list(A2) and sp.diff(Z3, b3) == 1
    return decide_holds(
        ok,
        f"dZ3/dW3 = {slope} does not involve b3 (its b3-derivative is 0) and dZ3/db3 = "
        f"{sp.diff(Z3, b3)}: b3 is a constant when differentiating with respect to W3",
    )


def _decide_partial_of_sum() -> Decision:
    """d/dW3 of the sum W3 A2 + b3 is the sum of the terms' partials, b3 held constant."""
    w3, a2, b3 = sp.symbols("W3 A2 b3", real=True)
    whole = sp.diff(w3 * a2 + b3, w3)
    parts = sp.diff(w3 * a2, w3) + sp.diff(b3, w3)
    return decide_equal(whole, parts, what="d(W3 A2 + b3)/dW3 = d(W3 A2)/dW3 + d(b3)/dW3 "
                        f"= {parts} (b3 treated as a constant)")


def _decide_dz3_per_sample(task: str) -> Decision:
    out = Sigmoid(_z) if task == "classification" else _z
    return decide_equal(sp.diff(_per_sample(task, out, _Y), _z), out - _Y,
                        what="d J(A3_i, y_i)/dZ3_i = A3_i - y_i (one sample)")


def _regression_index_build(m: int, form: str) -> Build:
    """A3_i - y_i per sample (``"indexed"``) or the row A3 minus one label (``"broadcast"``)."""
    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        Z3, Y = matrix("Z3", dims[0], m), matrix("Y", dims[0], m)
        correct = sp.Matrix([[sp.diff(_per_sample("regression", Z3[i], Y[i]), Z3[i])
                              for i in range(m)]])
        y_i = Y[0] * sp.ones(1, m)  # one label y_i, broadcast against all of A3
        return correct, (Z3 - Y if form == "indexed" else Z3 - y_i)
    return build


def _decide_regression_index() -> Decision:
    """In the regression section one sample's quantities are unindexed ("J(A3, y)")."""
    indexed = decide_fast(_regression_index_build(2, "indexed"), [(1,)],
                          what="A3_i - y_i per sample (m = 2)")
    return decide_readings(
        [literal("A3 is the sample's prediction, as in the section's J(A3, y): A3_i - y_i",
                 indexed)],
        what="dZ3 = A3 - y_i (one side indexed, the other not)",
    )


def _decide_regression_bce_named() -> Decision:
    s = _scalar("regression", "relu")
    a3, y, a2 = s.values["A3"], s.values["Y"], s.values["A2"]
    stated = (a3 - y) * a2
    bce_grad = sp.diff(bce(a3, y), s.values["W3"])
    as_named = _decide_scalar(bce_grad, stated, domain={y: (0, 1)},
                            what="the derivative of BCE(A3, y) with the linear output")
    mse = decide_equal(s.grad("W3"), stated, what="the derivative of 1/2 (A3 - y)^2")
    return decide_readings(
        [literal("as named: the Binary Cross Entropy loss with the linear output A3 = Z3",
                 as_named),
         intended("the section's loss, the squared error (the name is a slip)", mse,
                  statement=r"\text{the derivative of the squared error } \frac{1}{2}(A3 - y)^2"
                  r" \text{ with respect to } W3 \text{ is } (A3 - y) \cdot A2")],
        what="(A3 - y) A2 as the derivative of the Binary Cross Entropy loss w.r.t. W3",
    )


def _decide_linear_output() -> Decision:
    s = _scalar("regression", "generic")
    return _decide_scalar(s.local("J", "Z3"), s.local("J", "A3") * s.local("A3", "Z3"),
                          what="dJ/dZ3 = dJ/dA3 when A3 = Z3 (dA3/dZ3 = 1)")


def _decide_fused(task: str) -> Decision:
    s = _scalar(task, "generic")
    a3, y, a2 = s.values["A3"], s.values["Y"], s.values["A2"]
    stated = (a3 - y) / (a3 * (1 - a3)) * a3 * (1 - a3) * a2
    return _decide_scalar(s.grad("W3"), stated, what="(A3-y)/(A3(1-A3)) * A3(1-A3) * A2")


def _decide_simplified(task: str) -> Decision:
    s = _scalar(task, "generic")
    a3, y, a2 = s.values["A3"], s.values["Y"], s.values["A2"]
    return _decide_scalar(s.grad("W3"), (a3 - y) * a2, what="(A3_i - y_i) A2 (one sample)")


def _decide_sigma_in_a3() -> Decision:
    A3 = _sigmoid_exp()
    return decide_equal(sp.diff(A3, _z), A3 * (1 - A3), what="dA3/dZ3 = A3 (1 - A3)")


def _decide_forward_shape(layer: int) -> Decision:
    sizes, m = (4, 5, 3, 2), 7  # distinct widths so a transposed product would show
    n_in, n_out = sizes[layer - 1], sizes[layer]
    prev = "X" if layer == 1 else f"A{layer - 1}"
    W, A, b = mat(f"W{layer}", n_out, n_in), mat(prev, n_in, m), mat(f"b{layer}", n_out, 1)
    return decide_shape(lambda: np_add(W * A, b), (n_out, m),
                        what=f"Z{layer} = W{layer} {prev} + b{layer} with W{layer} "
                        f"({n_out}, {n_in}), {prev} ({n_in}, {m}), b{layer} ({n_out}, 1) "
                        "broadcast over the m columns")


_xpos = sp.Symbol("x", positive=True)


def _decide_hypothesis() -> Decision:
    s = _scalar("classification", "relu")
    x = s.values["X"]
    alone = _decide_scalar(s.values["A3"], Sigmoid(x),
                         what="the network's output A3 as sigma(x) of the input")
    composed = decide_equal(s.values["A3"], Sigmoid(s.values["Z3"]),
                            what="the network's output as sigma(Z3(x))")
    return decide_readings(
        [literal("the hypothesis is sigma itself, h(x) = sigma(x)", alone),
         intended("the hypothesis is the network ending in sigma, h(x) = sigma(Z3(x)) = A3",
                  composed, statement=r"\text{the hypothesis is the network, } h(x) = "
                  r"\sigma(Z3(x)) = A3\text{: its output activation is the sigmoid}")],
        what="sigma is the hypothesis function producing the network's output",
    )


#: the forward pass as the document writes it (lines 11-31 of the seed), verbatim
FORWARD_EQUATIONS = (r"Z1 = W1 \cdot X + b1", "A1 = ReLU(Z1)", r"Z2 = W2 \cdot A1 + b2",
                     "A2 = ReLU(Z2)", r"Z3 = W3 \cdot A2 + b3", r"A3 = \sigma(Z3)")


def decide_three_layers(equations: Sequence[str] = FORWARD_EQUATIONS) -> Decision:
    """Count the weight layers and activations of the forward pass the document writes.

    Each ``Z<l> = W<l> ...`` equation is a weight layer; each ``A<l> = f(Z<l>)`` names its
    activation. "3 layers, ReLU in the first 2, sigmoid in the output" must match them.
    """
    weights, acts = [], {}
    for eq in equations:
        lhs, _, rhs = (part.strip() for part in eq.partition("="))
        if lhs.startswith("Z"):
            weights += [tok for tok in rhs.replace("(", " ").split() if tok.startswith("W")]
        elif lhs.startswith("A"):
            acts[int(lhs[1:])] = "relu" if rhs.startswith("ReLU") else (
                "sigmoid" if rhs.startswith(r"\sigma") else rhs)
    relu_layers = sorted(k for k, a in acts.items() if a == "relu")
    output = acts.get(len(weights))
    ok = len(weights) == 3 and relu_layers == [1, 2] and output == "sigmoid"
    return decide_holds(
        ok,
        f"the document's forward equations have {len(weights)} weight layers "
        f"({', '.join(weights)}); ReLU in layers {relu_layers}, {output} in the output layer",
        counterexample=Counterexample(
            point={"equations": "; ".join(equations)}, stated="3 layers, ReLU in the first 2, "
            "sigmoid in the output", correct=f"{len(weights)} layers, ReLU in {relu_layers}, "
            f"{output} in the output"),
    )


def _decide_weights_orientation() -> Decision:
    n0, n1, m = 4, 5, 7
    return decide_product_orientation(
        {"W1": mat("W1", n1, n0), "X": mat("X", n0, m)}, (n1, m), "W1 @ X",
        what="W(l) of shape (n_l, n_{l-1}) connecting layer l-1 to l in Z1 = W1 . X",
    )


def _decide_jacobian_w3() -> Decision:
    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        n3, n2 = dims
        W3, a2 = matrix("W3", n3, n2), matrix("A2", n2, 1)
        return (W3 * a2 + matrix("b3", n3, 1)).jacobian(a2), W3
    return decide_matrix(build, n_dims=2, shapes=_shapes(2),
                         what="dZ3_i/dA2_i = W3 (the Jacobian)")


def _decide_gprime_jacobian() -> Decision:
    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        (n,) = dims
        Z = matrix("Z2", n, 1)
        jac = Z.applyfunc(_G).jacobian(Z)
        return jac, sp.diag(*[sp.diff(_G(z), z) for z in Z])
    return decide_fast(build, [(n,) for n in range(1, 21)],
                         what="dA2/dZ2 = diag(g'(Z2)) (elementwise activation)")


def _decide_slope(names: tuple[str, str], *, batch: bool = False) -> Decision:
    """dZ_i/dW = A_i entry by entry: dZ[k, i] / dW[k, j] = A[j, i] (0 across output rows).

    The statement is about one sample's ``Z3_i = W3 . A2_i + b3``. With ``batch`` the one-unit
    Jacobian of the m values of Z against the row W[0, :] is compared with the matrix A as
    written; it is A^T (a mutant: refuted).
    """
    if batch:
        return decide_fast(_build_slope(names, "batch"), matrix_shapes(3),
                           what=f"the Jacobian of Z (one unit, m samples) w.r.t. {names[0]} "
                           f"as {names[1]}")
    per = _fast_matrix(_build_slope(names, "per sample"), 3,
                       what=f"d{names[0].replace('W', 'Z')}_i/d{names[0]} = {names[1]}_i "
                       "(each output row)")
    return decide_readings(
        [literal(f"per sample: the slope is the column {names[1]}_i (laid out as a row of "
                 f"{names[0]})", per)],
        what=f"the derivative of Z with respect to {names[0]} is {names[1]}",
    )


def _decide_dw_sample(names: tuple[str, str, str, str, str], target: str) -> Decision:
    as_written = _fast_matrix(_build_dw_sample(names, "as written"), 3,
                              what=f"{target} = dZ . W . g'(Z) . A as left-to-right matrix "
                              "products")
    fixed = _fast_matrix(_build_dw_sample(names, "corrected"), 3,
                         what=f"{target} = ((W^T dZ) * g'(Z)) A^T")
    # one unit per layer is a special case the document's vectors and matrices exclude
    # ("A(l) is the activation vector", "W(l) is the matrix of weights")
    w, z, wn, g = names[1], names[2], names[3], names[4]
    return decide_readings(
        [literal("matrix products left to right, columns layout", as_written),
         intended("W transposed and moved left, g' elementwise, A transposed", fixed,
                  statement=rf"\partial {w} = (({wn}^T \partial {g[1:]}) \odot g'({z})) "
                  rf"{names[0]}_i^T")],
        what=f"{target} = dZ . W . g'(Z) . A (one sample)",
    )


def _decide_dz_prev(names: tuple[str, str, str], target: str) -> Decision:
    k = int(names[0][1:])
    return _fast_matrix(
        _build_dz_prev(names, "as written"), 3,
        what=f"{target} = {names[2]} . {names[1]} . g'({names[0]}) as matrix products "
        f"(dimensions are (n_{k}, n_{k + 1}, m))",
        corrected=_build_dz_prev(names, "corrected"),
        corrected_latex=rf"\partial {names[0]} = ({names[1]}^T \partial {names[2][1:]}) "
        rf"\odot g'({names[0]})",
    )


def _decide_dw3(task: str) -> Decision:
    as_written = _fast_matrix(_build_dw3(task, "mean", "as written"), 3,
                              what="(A3 - Y) A2 as a matrix product")
    summed = _fast_matrix(_build_dw3(task, "sum", "transposed"), 3,
                          what="(A3 - Y) A2^T, gradient of the summed cost")
    mean = _fast_matrix(_build_dw3(task, "mean", "transposed"), 3,
                        what="(A3 - Y) A2^T, gradient of the mean cost J(theta)")
    fixed = _fast_matrix(_build_dw3(task, "mean", "mean"), 3,
                         what="(A3 - Y) A2^T / m, gradient of the mean cost J(theta)")
    decision = decide_readings(
        [literal("A2 as written, (A3 - Y) A2, for the batch", as_written),
         intended("A2 transposed and divided by m: the document's mean cost J(theta)", fixed,
                  statement=r"\partial W3 = \frac{1}{m}(A3 - Y) A2^T"),
         intended("A2 transposed only, the document's mean cost J(theta)", mean),
         intended("A2 transposed, the summed cost", summed,
                  statement=r"\partial W3 = (A3 - Y) A2^T \text{ (summed cost)}")],
        what="dW3 = (A3 - Y) A2 in the columns layout",
    )
    # the transposed form (the claim's NumPy form, _numpy_dw3) under each reduction
    return replace(decision, conventions=(
        ConventionCase(dict(SUM), summed.verdict is Verdict.PROVEN, summed.reason),
        ConventionCase(dict(MEAN), mean.verdict is Verdict.PROVEN, mean.reason)))


def _decide_dz3_columns(task: str) -> Decision:
    what = "dZ3 = A3 - Y"
    # for the batch, the document's objective is its cost J(theta), the mean over m
    cases = [(MEAN, lambda: _fast_matrix(
                 _build_dz3(task, "mean"), 2, what=what,
                 corrected=_build_dz3(task, "mean", scale_by_m=True),
                 corrected_latex=r"\partial Z3 = \frac{1}{m}(A3 - Y)")),
             (SUM, lambda: _fast_matrix(_build_dz3(task, "sum"), 2, what=what))]
    if task == "regression":
        cases.append(({"layout": "columns", "reduction": "sum", "half": "no"},
                      lambda: _fast_matrix(_build_dz3(task, "sum", half=False), 2, what=what)))
    return decide_conventions(cases, what=f"{what} ({task}) for the cost J(theta)",
                              as_written=True)


def _label_domain(expr: sp.Expr) -> dict[sp.Symbol, tuple[sp.Rational, sp.Rational]]:
    """Labels Y_i_j of a classification counterexample in (0, 1), as the BCE needs."""
    return {s: (sp.Rational(0), sp.Rational(1)) for s in expr.free_symbols
            if str(s).startswith("Y_")}


def _decide_already_divided() -> Decision:
    for task in ("classification", "regression"):
        d = _fast_matrix(_build_dz3(task, "mean"), 2,
                         domain=_label_domain if task == "classification" else None,
                         what=f"the document's dZ3 = A3 - Y as dJ(theta)/dZ3 ({task})",
                         corrected=_build_dz3(task, "mean", scale_by_m=True),
                         corrected_latex=r"\partial Z3 = \frac{1}{m}(A3 - Y), then "
                         r"\partial b = \sum_i \partial Z_i")
        if d.verdict is Verdict.REFUTED:
            return replace(d, reason="the dZ's were not divided by m (dimensions are (n_3, m)): "
                           + d.reason)
        if d.verdict is not Verdict.PROVEN:
            return d
    return Decision(Verdict.PROVEN, "dZ3 = A3 - Y is already the mean cost's gradient")


def _decide_db_columns() -> Decision:
    from derivations.symbolic import affine_grads

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        n_out, n_in, m = dims
        g = affine_grads(n_out, n_in, m, layout="columns")
        return g.db, g.G * sp.ones(m, 1)
    return decide_matrix(build, n_dims=3, what="db = sum over the samples (columns) of dZ")


# ----------------------------------------------------------------------------------------
# gradient descent, run exactly


def _gd_problem() -> tuple[sp.Symbol, sp.Expr]:
    """One weight, one sample x = 2, y = 1 of the regression loss: J(w) = 1/2 (2w - 1)^2."""
    w = sp.Symbol("w", real=True)
    return w, squared_error(2 * w, 1, half=True)


def implicit_descent(loss: sp.Expr, w: sp.Symbol, start: object, lr: object, *,
                     steps: int) -> Run:
    r"""Run ``W_i = W_{i-1} - lr * dJ/dW`` evaluated at ``W_i``, as the document writes it.

    Each step solves the equation for ``W_i`` exactly (the proximal-point, or implicit, step).

    Raises
    ------
    ValueError
        If a step's equation has no unique solution.

    Examples
    --------
    >>> w = sp.Symbol("w", real=True)
    >>> implicit_descent(w**2 / 2, w, 1, sp.Rational(1), steps=2).iterates   # w_i = w_{i-1}/2
    ((1,), (1/2,), (1/4,))
    """
    rate = sp.sympify(lr)
    grad = sp.diff(loss, w)
    points = [sp.sympify(start)]
    for _ in range(steps):
        roots = sp.solve(sp.Eq(_T, points[-1] - rate * grad.subs(w, _T)), _T)
        if len(roots) != 1:
            raise ValueError(f"the implicit step from {points[-1]} has solutions {roots}")
        points.append(sp.nsimplify(roots[0]))
    return Run("the document's rule (gradient at W_i)", rate, tuple((p,) for p in points),
               tuple(loss.subs(w, p) for p in points))


def _explicit(loss: sp.Expr, w: sp.Symbol, start: object, lr: object, *, steps: int) -> Run:
    """``W_i = W_{i-1} - lr * dJ/dW(W_{i-1})``: the rule with the index moved, run by hand."""
    rate, points = sp.sympify(lr), [sp.sympify(start)]
    for _ in range(steps):
        points.append(points[-1] - rate * sp.diff(loss, w).subs(w, points[-1]))
    return Run("W_i = W_{i-1} - alpha dJ/dW(W_{i-1})", rate, tuple((p,) for p in points),
               tuple(loss.subs(w, p) for p in points))


def _decide_update() -> Decision:
    w, loss = _gd_problem()
    lr, start, steps = sp.Rational(1, 10), 1, 3
    reference = gradient_descent(loss, [w], [start], lr, steps=steps)
    stated = decide_runs_equal(implicit_descent(loss, w, start, lr, steps=steps), reference,
                               what="W_i = W_{i-1} - alpha dJ/dW_i on J(w) = 1/2 (2w - 1)^2")
    if stated.verdict is Verdict.PROVEN:
        return stated
    check = decide_runs_equal(_explicit(loss, w, start, lr, steps=steps), reference,
                              what="the corrected rule")
    return replace(
        stated, corrected=r"W_i = W_{i-1} - \alpha \frac{\partial J}{\partial W}(W_{i-1})",
        corrected_check=check,
        reason="as written the gradient is taken at the new iterate W_i (an implicit step): "
        + stated.reason,
    )


def _decide_descends() -> Decision:
    """One step from w = 1 lowers J for a small rate but not for every rate (alpha = 1)."""
    w, loss = _gd_problem()
    lowering = decreasing_rates(loss, w, 1)

    def case(lr: str) -> Callable[[], Decision]:
        return lambda: decide_step_decreases(
            loss, [w], [1], lr, what=f"subtracting alpha dJ/dW from W (alpha = {sp.nsimplify(lr)})")

    return decide_conventions(
        [({"learning rate": "alpha = 1/10"}, case("0.1")),
         ({"learning rate": "alpha = 1"}, case("1"))],
        what=f"subtracting alpha dJ/dW lowers the cost (on J = 1/2 (2w - 1)^2 one step from "
        f"w = 1 lowers it exactly for alpha in {lowering})",
    )


def _decide_valley() -> Decision:
    w, loss = _gd_problem()
    eta = sp.Symbol("alpha", positive=True)
    factor = contraction_factor(loss, w, sp.Rational(1, 2), eta)
    good = rates_where(abs(factor) < 1, eta)

    def case(lr: sp.Rational) -> Callable[[], Decision]:
        def run() -> Decision:
            r = gradient_descent(loss, [w], [1], lr, steps=4)
            k = factor.subs(eta, lr)
            return decide_holds(
                bool(abs(k) < 1),
                f"alpha = {lr}: the distance to the minimum w = 1/2 is multiplied by {k} each "
                f"step (converging rates: {good}); J along the run: {list(r.losses)}",
                counterexample=Counterexample(
                    point={"alpha": str(lr), "w_0": "1"}, stated="J decreases to its minimum 0",
                    correct=f"J = {list(r.losses)}"),
            )
        return run

    return decide_conventions(
        [({"learning rate": "alpha = 1/10"}, case(sp.Rational(1, 10))),
         ({"learning rate": "alpha = 1"}, case(sp.Rational(1)))],
        what="gradient descent reaches the valley of J",
    )


# ----------------------------------------------------------------------------------------
# NumPy forms (lambdified from the same symbolic formulas)


def _numpy_dz3() -> Callable[..., Any]:
    n, m = sp.symbols("n m", integer=True, positive=True)
    A3, Y = sp.MatrixSymbol("A3", n, m), sp.MatrixSymbol("Y", n, m)
    return numpy_form((A3, Y), A3 - Y,
                      "dZ3 = A3 - Y (the document's dZ3; the summed cost's gradient, no 1/m).\n\n"
                      "Arguments: A3 (n3, m) outputs, Y (n3, m) targets, samples as columns. "
                      "Returns (n3, m).")


def _numpy_dw3() -> Callable[..., Any]:
    n3, n2, m = sp.symbols("n3 n2 m", integer=True, positive=True)
    A3, Y, A2 = (sp.MatrixSymbol("A3", n3, m), sp.MatrixSymbol("Y", n3, m),
                 sp.MatrixSymbol("A2", n2, m))
    return numpy_form((A3, Y, A2), (A3 - Y) * A2.T,
                      "dW3 = (A3 - Y) @ A2.T (the document's (A3 - y) A2 with the transpose the "
                      "columns layout needs; no 1/m).\n\nArguments: A3 (n3, m), Y (n3, m), "
                      "A2 (n2, m). Returns (n3, n2).")


def _numpy_db() -> Callable[..., Any]:
    n, m = sp.symbols("n m", integer=True, positive=True)
    G = sp.MatrixSymbol("dZ", n, m)
    return numpy_form((G, m), G * sp.OneMatrix(m, 1),
                      "db = dZ summed over the samples (columns).\n\nArguments: dZ (n, m), m (int, "
                      "the number of columns). Returns (n, 1).")


# ----------------------------------------------------------------------------------------
# the claims, in the document's order

_NAMES2 = ("A1", "W2", "Z2", "W3", "dZ3")  # dW2 = dZ3 . W3 . g'(Z2) . A1
_NAMES1 = ("X", "W1", "Z1", "W2", "dZ2")  # dW1 = dZ2 . W2 . g'(Z1) . X

_FORWARD = (
    Row("figure-activations", "Common activation functions",
        "Figure: common activation functions",
        lambda: definition("an image (activations.png) not in the text; the activations the "
                           "text uses are claims 003-a1-relu, 003-a3-sigmoid and "
                           "003-sigmoid-definition"),
        kind="definition"),
    Row("figure-activation-derivatives", "Common activation function derivatives",
        "Figure: derivatives of the common activation functions",
        lambda: definition("an image (activation_derivatives.png) not in the text; the "
                           "derivatives are computed in claims 003-sigmoid-derivative and "
                           "003-activation-derivatives-differ"),
        kind="definition"),
    Row("three-layers",
        "let’s create a simple 3 layer Neural Network. The first 2 layers will use the "
        "ReLU activation function",
        "The network has 3 weight layers, ReLU in the first 2, sigmoid in the output",
        decide_three_layers, kind="verbal"),
    Row("z1-columns", r"Z1 = W1 \cdot X + b1",
        "Z1 = W1 X + b1 is defined in the columns layout and has shape (n1, m)",
        lambda: _decide_forward_shape(1), kind="shape",
        statement=lambda: sp.Eq(sp.Symbol("Z1"),
                                sp.Symbol("W1") * sp.Symbol("X") + sp.Symbol("b1"))),
    Row("z2-columns", r"Z2 = W2 \cdot A1 + b2",
        "Z2 = W2 A1 + b2 is defined in the columns layout and has shape (n2, m)",
        lambda: _decide_forward_shape(2), kind="shape"),
    Row("z3-columns", r"Z3 = W3 \cdot A2 + b3",
        "Z3 = W3 A2 + b3 is defined in the columns layout and has shape (n3, m)",
        lambda: _decide_forward_shape(3), kind="shape"),
    Row("a1-relu", "A1 = ReLU(Z1)", "A1 is ReLU applied entrywise to Z1",
        lambda: definition("the first hidden layer's activation, max(0, Z1) entrywise"),
        kind="definition", statement=lambda: sp.Eq(sp.Symbol("A1"), relu(sp.Symbol("Z1")))),
    Row("a2-relu", "A2 = ReLU(Z2)", "A2 is ReLU applied entrywise to Z2",
        lambda: definition("the second hidden layer's activation, max(0, Z2) entrywise"),
        kind="definition", statement=lambda: sp.Eq(sp.Symbol("A2"), relu(sp.Symbol("Z2")))),
    Row("a3-sigmoid", r"A3 = \sigma(Z3)", "A3 is the sigmoid of Z3 (classification)",
        lambda: definition("the output activation of the classification network"),
        kind="definition",
        statement=lambda: sp.Eq(sp.Symbol("A3"), sigmoid(sp.Symbol("Z3")))),
    Row("activation-vector", r"$A(l)$ is the activation vector for layer $l$",
        "A(l) holds the activations of layer l (one column per sample)",
        lambda: definition("notation: A(l) = g(Z(l)), a column per sample in the columns "
                           "layout"),
        kind="definition"),
    Row("weighted-sum", r"$Z(l)$ is the weighted sum of inputs of layer $l$",
        "Z(l) is the affine pre-activation of layer l",
        lambda: definition("notation: Z(l) = W(l) A(l-1) + b(l)"), kind="definition"),
    Row("weights-orientation",
        r"$W(l)$ is the matrix of weights for the connections between layer $l-1$ and $l$",
        "W(l) connects layer l-1 to l: shape (n_l, n_{l-1}), the only orientation for "
        "which W1 . X has shape (n1, m)", _decide_weights_orientation, kind="shape"),
    Row("bias-vector", r"$b(l)$ is the bias vector for layer $l$",
        "b(l) is a column (n_l, 1) added to every sample's column of W(l) A(l-1)",
        lambda: _decide_forward_shape(2), kind="shape"),
    Row("sigmoid-definition", r"\sigma(z) = \frac{1}{1+e^{-z}}",
        "The sigmoid is 1/(1 + e^{-z})",
        lambda: definition("the logistic function; the sigmoid claims use this expression"),
        kind="definition", statement=lambda: sp.Eq(sp.Function("sigma")(_z), sigmoid(_z))),
    Row("sigmoid-definition-repeated",
        r"Where the sigmoid function is: $$ \sigma(z)=\frac{1}{1+e^{-z}}",
        "The second statement of the sigmoid is the same function as the first",
        lambda: decide_equal(sigmoid(_z), 1 / (1 + sp.exp(-_z)), what="the repeated definition"),
        depends_on=("003-sigmoid-definition",)),
    Row("hidden-activation-replaceable",
        "These can be replaced by any of the other activation functions.",
        "The backward pass with g' of the hidden activation holds for tanh and sigmoid "
        "hidden layers as for ReLU", _decide_hidden_replaceable, kind="network",
        conventions={**CLASSIFICATION, "reduction": "sum"},
        depends_on=("003-network-classification-columns",)),
)

_CLASSIFICATION_LOSS = (
    Row("cost-is-average-loss",
        "The loss refers to the error of a single observation, while the cost refers to "
        "the average error of the entire dataset.",
        "The cost J(theta) is the average over the m samples of the per-sample loss "
        "(both sections)", _decide_cost_is_mean, kind="verbal",
        depends_on=("003-per-sample-bce", "003-per-sample-mse")),
    Row("bce-cost-bracket",
        r"J(\theta) = -\frac{1}{m} \sum_{i=1}^m(y^{(i)}ln(h_\sigma(x^{(i)})))+"
        r"(1-y^{(i)})ln(1-(\sigma(x^{(i)})))",
        "The BCE cost as bracketed: the sum closes after the first log term, leaving "
        "(1 - y^(i)) ln(1 - sigma(x^(i))) outside the sum and the -1/m",
        _decide_bracket, statement=_bce_written),
    Row("bce-cost-index-range", r"J(\theta) = -\frac{1}{m} \sum_{i=1}^m",
        "The sum over i = 1..m has m terms, so -1/m times it is a mean over m samples",
        lambda: decide_term_count(1, _m, _m, what="the sum in J(theta)"), kind="verbal"),
    Row("bce-cost-notation", r"ln(h_\sigma(x^{(i)})))+(1-y^{(i)})ln(1-(\sigma(x^{(i)})))",
        "h_sigma(x^(i)) and sigma(x^(i)) in the cost name the network's prediction A3_i",
        _decide_notation),
    Row("hypothesis-function",
        r"$\sigma$ represents the **hypothesis function**, which in this case is the "
        "sigmoid function",
        "The sigmoid is the hypothesis, the function producing the network's prediction",
        _decide_hypothesis, kind="verbal"),
    Row("sigmoid-probabilities",
        r"$\sigma(x)$ is the probability that the input belongs to the positive class. "
        r"$1 - \sigma(x)$ is the probability",
        "sigma(x) and 1 - sigma(x) are probabilities: both in (0, 1), adding up to 1",
        _decide_sigmoid_probabilities, kind="verbal"),
    Row("per-sample-bce", r"J(A3_i, y_i) = -(y_i\cdot ln(A3_i)+(1-y_i)\cdot ln(1-A3_i))",
        "The per-sample BCE loss", lambda: definition("binary cross-entropy of one sample"),
        kind="definition", statement=lambda: sp.Eq(sp.Symbol("J"), bce(_A, _Y))),
    Row("loss-lacks-w3", "the loss function does not actually contain $W3$",
        "J(A3, y) does not contain W3; Z3 does, so dJ/dW3 goes through A3 and Z3",
        _decide_loss_lacks_w3, kind="verbal"),
    Row("chain-dw3",
        r"\frac{\partial J}{\partial W3} = \frac{\partial J}{\partial A3} \cdot "
        r"\frac{\partial A3}{\partial Z3} \cdot \frac{\partial Z3}{\partial W3}",
        "dJ/dW3 = dJ/dA3 . dA3/dZ3 . dZ3/dW3 (chain rule, one sample)",
        lambda: _decide_chain("classification", "J A3 Z3 W3", "W3",
                              what="dJ/dA3 dA3/dZ3 dZ3/dW3")),
    Row("bce-derivative", r"\frac{-y_i}{A3_i}+\frac{1-y_i}{1-A3_i}",
        "dJ/dA3_i = -y_i/A3_i + (1-y_i)/(1-A3_i)", lambda: _decide_dloss("classification"),
        statement=lambda: sp.Eq(sp.Symbol("dJ/dA3_i"), _stated_dbce(_A, _Y))),
    Row("bce-derivative-numerator",
        r"\frac{-y_i}{A3_i}+\frac{1-y_i}{1-A3_i}=\frac{A3_i-y_iA3_i-y_i+y_iA3_i}"
        r"{A3_i(1-A3_i)}",
        "-y/A + (1-y)/(1-A) = (A - yA - y + yA)/(A(1-A))",
        lambda: decide_equal(_stated_dbce(_A, _Y),
                             (_A - _Y * _A - _Y + _Y * _A) / (_A * (1 - _A)),
                             domain=_UNIT, what="the common-denominator form")),
    Row("bce-derivative-simplified", r"=\frac{A3_i-y_i}{A3_i(1-A3_i)}",
        "(A - yA - y + yA)/(A(1-A)) = (A - y)/(A(1-A))",
        lambda: decide_equal((_A - _Y * _A - _Y + _Y * _A) / (_A * (1 - _A)),
                             (_A - _Y) / (_A * (1 - _A)), domain=_UNIT,
                             what="the simplified form")),
    Row("ln-derivative", r"the derivative of $ln(x)$ is $\frac{1}{x}$", "d ln(x)/dx = 1/x",
        lambda: decide_equal(sp.diff(sp.log(_xpos), _xpos), 1 / _xpos, what="1/x")),
    Row("sigmoid-derivative", r"\sigma \prime = \sigma(z)\cdot (1-\sigma(z))",
        "sigma'(z) = sigma(z)(1 - sigma(z))",
        lambda: decide_equal(sp.diff(_sigmoid_exp(), _z), _sigmoid_exp() * (1 - _sigmoid_exp()),
                             what="sigma(z)(1 - sigma(z))"),
        depends_on=("003-sigmoid-definition",)),
    Row("sigmoid-derivative-bell",
        "it looks very similar to a Gaussian curve with a curve upwards in the middle",
        "sigma' looks like a Gaussian curve, peaking in the middle", _decide_bell,
        kind="verbal"),
    Row("sigmoid-derivative-in-a3",
        r"We can replace $\sigma(z)$ with $A3$ as that is the final activation",
        "With A3 = sigma(Z3), dA3/dZ3 = A3 (1 - A3)", _decide_sigma_in_a3),
    Row("dz3-dw3-slope",
        "this can be viewed as a linear line, so the derivative must be the slope of the "
        "line: $A2$",
        "dZ3/dW3 = A2 (both sections)", lambda: _decide_slope(("W3", "A2"))),
    Row("dw3-fused",
        r"\frac{\partial J}{\partial W3}=\frac{A3_i-y_i}{A3_i(1-A3_i)}\cdot "
        r"A3_i(1 - A3_i) \cdot A2",
        "dJ/dW3 = (A3-y)/(A3(1-A3)) . A3(1-A3) . A2 (one sample, one unit per layer)",
        lambda: _decide_fused("classification")),
    Row("dw3-simplified", r"\partial W3 = (A3_i-y_i)A2",
        "dJ/dW3 = (A3_i - y_i) A2 (one sample, one unit per layer)",
        lambda: _decide_simplified("classification")),
    Row("dw3-columns", r"\partial W3 = (A3_i-y_i)A2",
        "dW3 = (A3 - Y) A2 for the batch, columns layout",
        lambda: _decide_dw3("classification"), kind="matrix", numpy=_numpy_dw3),
    Row("dz3", r"\partial Z3 = (A3_i-y_i)",
        "dJ/dZ3_i = A3_i - y_i for sigmoid + BCE (one sample)",
        lambda: _decide_dz3_per_sample("classification")),
    Row("dz3-columns", r"\partial Z3 = (A3_i-y_i)",
        "dZ3 = A3 - Y for the batch (sigmoid + BCE), columns layout",
        lambda: _decide_dz3_columns("classification"), kind="matrix", numpy=_numpy_dz3),
    Row("partial-derivative-of-sum",
        "The partial derivative of a sum is the derivative of a function with respect "
        "to one of its variables while treating other variables as constants",
        "The partial derivative of Z3 = W3 A2 + b3 is the sum of the terms' partials, "
        "the other variables held constant (both sections)", _decide_partial_of_sum),
    Row("b3-constant",
        "The term $b3$ would be constant, while the derivative of $Z3$ with respect to "
        "$W3$ would be the partial derivate that we are looking for.",
        "Differentiating Z3 = W3 A2 + b3 by W3 treats b3 as a constant (both sections)",
        _decide_b3_constant),
)

_BACKWARD = (
    Row("chain-dw2",
        r"\frac{\partial J}{\partial W2} = \frac{\partial J}{\partial A3} \cdot "
        r"\frac{\partial A3}{\partial Z3} \cdot \frac{\partial Z3}{\partial A2} \cdot "
        r"\frac{\partial A2}{\partial Z2} \cdot \frac{\partial Z2}{\partial W2}",
        "dJ/dW2 as the product of five local derivatives (one sample)",
        lambda: _decide_chain("classification", "J A3 Z3 A2 Z2 W2", "W2",
                              what="the five-factor chain")),
    Row("dz3-da2-is-w3", "So the derivative term is equal to $W3$",
        "dZ3/dA2 = W3 (the Jacobian of Z3_i w.r.t. A2_i; both sections)",
        _decide_jacobian_w3, kind="matrix"),
    Row("da2-dz2-gprime", r"which we can just represent as $g\prime(Z2)$ for now",
        "dA2/dZ2 is g'(Z2): the Jacobian of an elementwise activation is diag(g'(Z2))",
        _decide_gprime_jacobian, kind="matrix"),
    Row("activation-derivatives-differ",
        "Depending on the activation function being used, the derivative is different.",
        "ReLU', tanh' and sigma' are different functions",
        _decide_activation_derivatives_differ, kind="verbal"),
    Row("dz2-dw2-slope", r"Also, the derivative of $\frac{\partial Z2}{\partial W2}$ is $A1$",
        "dZ2/dW2 = A1 (both sections)", lambda: _decide_slope(("W2", "A1"))),
    Row("dw2-sample",
        r"we get that $\partial W2 = \partial Z3 \cdot W3 \cdot g\prime(Z2) \cdot A1_i$",
        "dW2 = dZ3 . W3 . g'(Z2) . A1_i for one sample (both sections)",
        lambda: _decide_dw_sample(_NAMES2, "dW2")),
    Row("dz2-columns", r"\partial Z2 = \partial Z3 \cdot W3 \cdot g\prime(Z2)",
        "dZ2 = dZ3 . W3 . g'(Z2) as matrix products in the columns layout (both sections)",
        lambda: _decide_dz_prev(("Z2", "W3", "dZ3"), "dZ2"), kind="matrix"),
    Row("chain-dw1-mislabel",
        r"\frac{\partial J}{\partial W2} = \frac{\partial J}{\partial A3} \cdot "
        r"\frac{\partial A3}{\partial Z3} \cdot \frac{\partial Z3}{\partial A2} \cdot "
        r"\frac{\partial A2}{\partial Z2} \cdot \frac{\partial Z2}{\partial A1}",
        "The seven-factor chain ending in dZ1/dW1 is labelled dJ/dW2",
        lambda: _decide_mislabel("classification", "J A3 Z3 A2 Z2 A1 Z1 W1")),
    Row("dz1-dw1-slope", r"the derivative of $\frac{\partial Z1}{\partial W1}$ is $X$ (our input)",
        "dZ1/dW1 = X (both sections)", lambda: _decide_slope(("W1", "X"))),
    Row("dw1-sample",
        r"we get that $\partial W1 = \partial Z2 \cdot W2 \cdot g\prime(Z1) \cdot X$",
        "dW1 = dZ2 . W2 . g'(Z1) . X for one sample (both sections)",
        lambda: _decide_dw_sample(_NAMES1, "dW1")),
    Row("dz1-columns", r"\partial Z1 = \partial Z2 \cdot W2 \cdot g\prime(Z1)",
        "dZ1 = dZ2 . W2 . g'(Z1) as matrix products in the columns layout (both sections)",
        lambda: _decide_dz_prev(("Z1", "W2", "dZ2"), "dZ1"), kind="matrix"),
    Row("derivative-of-w3-wording",
        "we are trying to find the derivative of $W3$ with respect to the loss function",
        "'the derivative of W3 with respect to the loss' names dJ/dW3", _decide_wording,
        kind="verbal"),
    Row("db-columns",
        r"We need to save the variables for $\partial Z1$, $\partial Z2$, and "
        r"$\partial Z3$ because we need these to calculate the bias term",
        "db = the sum of dZ over the samples (columns layout; both sections)",
        _decide_db_columns, kind="matrix", numpy=_numpy_db),
    Row("bias-already-divided",
        "as they have already been divided by the size of the data samples",
        "The dZ's are already divided by m (so summing them gives db of the mean cost)",
        _decide_already_divided, kind="verbal",
        depends_on=("003-dz3-columns", "003-dz3-regression-columns")),
    Row("network-classification-columns",
        "because this is a classification task, we will use the sigmoid activation "
        "function in the output layer",
        "The document's backward steps, with the transposes and elementwise g' that the "
        "columns layout needs (its literal form: 003-dz2-columns), give dJ/dW1 ... dJ/db3 "
        "of the whole ReLU-ReLU-sigmoid network with BCE",
        lambda: _decide_network("classification"), kind="network"),
)

_REGRESSION = (
    Row("mse-cost-name",
        r"we can use **Mean Squared Error** which is: $$ J(\theta) = \frac{1}{m} "
        r"\sum_{i=1}^m \frac{1}{2}(A3_{i} - y_i)^2",
        "J = 1/m sum 1/2 (A3_i - y_i)^2 is the Mean Squared Error", _decide_mse_name,
        conventions=REGRESSION, statement=_mse_written),
    Row("mse-cost-index-range", r"\frac{1}{m} \sum_{i=1}^m \frac{1}{2}(A3_{i} - y_i)^2",
        "The sum over i = 1..m has m terms: 1/m times it is a mean over the samples",
        lambda: decide_term_count(1, _m, _m, what="the sum in the MSE cost"),
        kind="verbal", conventions=REGRESSION),
    Row("per-sample-mse", r"J(A3, y) = \frac{1}{2}(A3 - y)^2",
        "The per-sample squared-error loss with the factor 1/2",
        lambda: definition("squared error of one sample, with 1/2"), kind="definition",
        statement=lambda: sp.Eq(sp.Symbol("J"), squared_error(_A, _Y, half=True)),
        conventions=REGRESSION),
    Row("linear-output", "$A_3 = Z_3$ since we are using a linear activation",
        "With the linear output A3 = Z3, dJ/dZ3 = dJ/dA3", _decide_linear_output,
        conventions=REGRESSION),
    Row("chain-dw3-regression",
        r"\frac{\partial J}{\partial W3} = \frac{\partial J}{\partial Z3} \cdot "
        r"\frac{\partial Z3}{\partial W3}",
        "dJ/dW3 = dJ/dZ3 . dZ3/dW3 (linear output, one sample)",
        lambda: _decide_chain("regression", "J Z3 W3", "W3", what="dJ/dZ3 dZ3/dW3"),
        conventions=REGRESSION),
    Row("mse-derivative",
        r"with respect to $A_3$ can be easily calculated using the power rule, which is: "
        r"$$ A3-y",
        "d/dA3 of the squared error is A3 - y", lambda: _decide_dloss("regression"),
        conventions=REGRESSION),
    Row("regression-bce-named",
        r"with respect to $W3$ is: $$ \frac{\partial J}{\partial W3}=(A3 - y)\cdot A2",
        "(A3 - y) A2 is called the derivative of the Binary Cross Entropy loss in the "
        "regression section", _decide_regression_bce_named, conventions=REGRESSION),
    Row("dw3-regression-columns", r"\frac{\partial J}{\partial W3}=(A3 - y)\cdot A2",
        "dW3 = (A3 - Y) A2 for the batch (linear output, squared error), columns layout",
        lambda: _decide_dw3("regression"), kind="matrix", numpy=_numpy_dw3,
        conventions=REGRESSION),
    Row("dz3-regression-index", r"\partial Z3 = A3-y_i",
        "dZ3 = A3 - y_i mixes an unindexed A3 with an indexed y_i",
        _decide_regression_index, conventions=REGRESSION),
    Row("dz3-regression-columns", r"\partial Z3 = A3-y_i",
        "dZ3 = A3 - Y for the batch (linear output, squared error), columns layout",
        lambda: _decide_dz3_columns("regression"), kind="matrix", numpy=_numpy_dz3,
        conventions=REGRESSION),
    Row("chain-dw2-regression",
        r"\frac{\partial J}{\partial W2} = \frac{\partial J}{\partial Z3} \cdot "
        r"\frac{\partial Z3}{\partial A2} \cdot \frac{\partial A2}{\partial Z2} \cdot "
        r"\frac{\partial Z2}{\partial W2}",
        "dJ/dW2 as the product of four local derivatives (linear output, one sample)",
        lambda: _decide_chain("regression", "J Z3 A2 Z2 W2", "W2",
                              what="the four-factor chain"),
        conventions=REGRESSION),
    Row("chain-dw1-mislabel-regression",
        r"\frac{\partial J}{\partial W2} = \frac{\partial J}{\partial Z3} \cdot "
        r"\frac{\partial Z3}{\partial A2} \cdot \frac{\partial A2}{\partial Z2} \cdot "
        r"\frac{\partial Z2}{\partial A1}",
        "The six-factor chain ending in dZ1/dW1 is labelled dJ/dW2 (regression)",
        lambda: _decide_mislabel("regression", "J Z3 A2 Z2 A1 Z1 W1"), conventions=REGRESSION),
    Row("network-regression-columns",
        "However in this case, $A_3 = Z_3$ since we are using a linear activation, so the "
        "chained expression becomes",
        "The document's backward steps, with the transposes and elementwise g' that the "
        "columns layout needs (its literal form: 003-dz2-columns), give every gradient "
        "of the ReLU-ReLU-linear network with the 1/2 squared error",
        lambda: _decide_network("regression"), kind="network", conventions=REGRESSION),
)

_DESCENT = (
    Row("gradient-descent-update", r"W_i=W_{i-1}-(\alpha \cdot \frac{\partial J}{\partial  W_i})",
        "W_i = W_{i-1} - alpha dJ/dW_i is gradient descent", _decide_update,
        kind="update", conventions=DESCENT),
    Row("gradient-descent-subtract",
        "subtract them from the respective weight or bias with a learning rate",
        "Subtracting alpha times the gradient lowers the cost", _decide_descends,
        kind="update", conventions=DESCENT),
    Row("gradient-descent-valley", "This allows us to find the metaphorical",
        "Gradient descent finds the valley (minimum) of the cost", _decide_valley,
        kind="update", conventions=DESCENT),
)

#: every claim of the document, in its order: forward pass, classification loss and
#: gradients, the hidden layers, the regression section, gradient descent
ROWS: tuple[Row, ...] = _FORWARD + _CLASSIFICATION_LOSS + _BACKWARD + _REGRESSION + _DESCENT


DOC = Document(
    DOCUMENT,
    conventions=CLASSIFICATION,
    networks=(
        DeclaredNetwork("doc003-classification", "2-4-3-1 relu/sigmoid bce mean columns",
                        "2-4-3-1 ReLU, ReLU, sigmoid + BCE", labels="binary 0/1, shape (1, m)",
                        data="two_class"),
        DeclaredNetwork("doc003-regression", "2-4-3-1 relu/identity mse half mean columns",
                        "2-4-3-1 ReLU, ReLU, linear + 1/2 MSE",
                        labels="real targets, shape (1, m)", data="regression"),
    ),
)


def claims() -> list[Claim]:
    """Every claim of document 003, in document order (nothing is decided here)."""
    return DOC.build(ROWS)
