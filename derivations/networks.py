"""Whole networks on explicit symbolic matrices: forward pass, loss, and every gradient.

An L-layer MLP is built on matrices of distinct real symbols (``X_i_j``, ``W1_i_j``,
``b1_i_j``, ...) in either layout, with one activation per layer and a loss under a named
reduction. :func:`gradients` differentiates the loss with respect to every parameter entry
with ``sympy.diff``: this is the reference the documents' end-to-end backprop formulas are
decided against (see :func:`decide_network`).

Notes
-----
The activation ``"sigmoid"`` is :class:`Sigmoid`, an opaque SymPy function whose derivative
is ``Sigmoid(z) * (1 - Sigmoid(z))``. That derivative is claim ``000-sigmoid-derivative``,
proven on the plain expression ``1 / (1 + exp(-z))``; using it keeps the gradients of deep
networks rational in the activation outputs, so entrywise comparisons cancel quickly instead of
simplifying nested exponentials. ``"sigmoid_exp"`` is the plain expression, for claims that
must not rely on the proven derivative. Numeric evaluation (counterexamples) rewrites
``Sigmoid`` to ``1 / (1 + exp(-z))``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
import sympy as sp

from derivations.claim import Decision
from derivations.decide import decide_matrix
from derivations.symbolic import matrix, relu, squared_error

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "REDUCTIONS",
    "Sigmoid",
    "SymbolicNetwork",
    "decide_network",
    "entrywise_grad",
    "gradients",
    "network",
    "network_shapes",
    "one_hot",
    "stacked",
]

Layout = Literal["columns", "rows"]

#: activation names; "softmax" is for the output layer (over the classes of each sample)
ACTIVATIONS = ("sigmoid", "sigmoid_exp", "tanh", "relu", "identity", "softmax")
#: loss names: binary cross-entropy, categorical cross-entropy (one-hot labels), squared error
LOSSES = ("bce", "ce", "mse")
#: "mean" over the m samples, "sum", or "mean_all" over samples x outputs (N * M)
REDUCTIONS = ("mean", "sum", "mean_all")


class Sigmoid(sp.Function):
    """The logistic function as an opaque SymPy function with derivative ``s (1 - s)``.

    It stays unevaluated at a nonzero number (``Sigmoid(1/3)``) and ``evalf`` computes it from
    ``1 / (1 + exp(-z))``; ``rewrite(sp.exp)`` gives the plain expression.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> sp.diff(Sigmoid(z), z)
    (1 - Sigmoid(z))*Sigmoid(z)
    >>> Sigmoid(0)
    1/2
    """

    nargs = 1

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:  # noqa: D102 - SymPy hook
        # only 0 evaluates: exact values such as 1/(1 + exp(-3/7)) would send the
        # counterexample search into simplify() on nested exponentials; evalf handles the rest
        if z.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:  # noqa: D102 - SymPy hook
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None


def _elementwise(name: str) -> Callable[[sp.Expr], sp.Expr]:
    return {
        "sigmoid": Sigmoid,
        "sigmoid_exp": lambda z: 1 / (1 + sp.exp(-z)),
        "tanh": sp.tanh,
        "relu": relu,
        "identity": lambda z: z,
    }[name]


@dataclass(frozen=True, eq=False)
class SymbolicNetwork:
    """An MLP on symbolic matrices: its data, parameters, forward caches and loss.

    Attributes
    ----------
    sizes : tuple of int
        ``(n_0, ..., n_L)``: inputs, hidden widths, outputs.
    m : int
        Number of samples.
    layout : {"columns", "rows"}
        ``columns``: X (n_0, m), W_l (n_l, n_{l-1}), b_l (n_l, 1), Z_l = W_l A_{l-1} + b_l;
        ``rows``: X (m, n_0), W_l (n_{l-1}, n_l), b_l (1, n_l), Z_l = A_{l-1} W_l + b_l.
    activations : tuple of str
        One per layer.
    loss_name, reduction : str
    half : bool
        Whether the squared error carries the factor 1/2.
    X, Y : sympy.Matrix
        Inputs and targets (Y: symbols, or exact one-hot 0/1 entries for ``"ce"``).
    params : Mapping[str, sympy.Matrix]
        ``{"W1": ..., "b1": ..., "W2": ...}`` in that order.
    Z : tuple of sympy.Matrix
        ``Z[l - 1]`` is Z_l, the pre-activation of layer l.
    A : tuple of sympy.Matrix
        ``A[0]`` is X and ``A[l]`` the activation of layer l (``A[-1]`` the output).
    loss : sympy.Expr
        The scalar loss.
    """

    sizes: tuple[int, ...]
    m: int
    layout: Layout
    activations: tuple[str, ...]
    loss_name: str
    reduction: str
    half: bool
    X: sp.Matrix
    Y: sp.Matrix
    params: Mapping[str, sp.Matrix]
    Z: tuple[sp.Matrix, ...]
    A: tuple[sp.Matrix, ...]
    loss: sp.Expr

    def __repr__(self) -> str:
        return (
            f"SymbolicNetwork(sizes={self.sizes}, m={self.m}, layout={self.layout!r}, "
            f"activations={self.activations}, loss={self.loss_name!r}, "
            f"reduction={self.reduction!r}, half={self.half})"
        )


def one_hot(labels: Sequence[int], n_classes: int, *, layout: Layout) -> sp.Matrix:
    """Exact one-hot targets: (n_classes, m) for ``columns``, (m, n_classes) for ``rows``.

    Examples
    --------
    >>> one_hot([1, 0], 2, layout="columns")
    Matrix([
    [0, 1],
    [1, 0]])
    """
    Y = sp.zeros(n_classes, len(labels))
    for j, k in enumerate(labels):
        if not 0 <= k < n_classes:
            raise ValueError(f"labels[{j}] = {k} is not a class index in 0..{n_classes - 1}")
        Y[k, j] = 1
    return Y if layout == "columns" else Y.T


def _softmax(Z: sp.Matrix, layout: Layout) -> sp.Matrix:
    E = Z.applyfunc(sp.exp)
    if layout == "columns":
        sums = [sum(E[:, j]) for j in range(E.cols)]
        return sp.Matrix(E.rows, E.cols, lambda i, j: E[i, j] / sums[j])
    sums = [sum(E[i, :]) for i in range(E.rows)]
    return sp.Matrix(E.rows, E.cols, lambda i, j: E[i, j] / sums[i])


def _check_choice(name: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(map(repr, choices))}")


def _normalise_activations(activations: str | Sequence[str], n_layers: int) -> tuple[str, ...]:
    acts = (activations,) * n_layers if isinstance(activations, str) else tuple(activations)
    if len(acts) != n_layers:
        raise ValueError(
            f"activations has {len(acts)} entries but sizes gives {n_layers} layers; pass one "
            "name per layer or a single name for all"
        )
    for a in acts:
        _check_choice("activations", a, ACTIVATIONS)
    if "softmax" in acts[:-1]:
        raise ValueError("activations: 'softmax' is only supported for the output layer")
    return acts


def _loss(A: sp.Matrix, Y: sp.Matrix, name: str, half: bool) -> sp.Expr:
    if name == "bce":
        terms = [-(y * sp.log(a) + (1 - y) * sp.log(1 - a)) for a, y in zip(A, Y, strict=True)]
    elif name == "ce":
        terms = [-y * sp.log(a) for a, y in zip(A, Y, strict=True) if y != 0]
    else:
        terms = [squared_error(a, y, half=half) for a, y in zip(A, Y, strict=True)]
    return sp.Add(*terms)


@functools.cache  # pure: the result is immutable by contract (callers never mutate matrices)
def network(
    sizes: tuple[int, ...],
    m: int,
    *,
    layout: Layout = "columns",
    activations: str | tuple[str, ...] = "sigmoid",
    loss: str = "bce",
    reduction: str = "mean",
    half: bool = False,
    labels: tuple[int, ...] | None = None,
) -> SymbolicNetwork:
    """Build an MLP on symbolic matrices and its loss.

    Parameters
    ----------
    sizes : tuple of int
        ``(n_0, n_1, ..., n_L)``, at least two entries, each >= 1.
    m : int
        Number of samples, >= 1.
    layout : {"columns", "rows"}
        See :class:`SymbolicNetwork`.
    activations : str or tuple of str
        One name of :data:`ACTIVATIONS` for every layer, or one per layer.
    loss : {"bce", "ce", "mse"}
        Binary cross-entropy ``-(y log a + (1 - y) log(1 - a))`` per output entry; categorical
        cross-entropy ``-sum_k y_k log a_k`` per sample with one-hot targets; squared error.
    reduction : {"mean", "sum", "mean_all"}
        Divide the summed loss by m, by nothing, or by m * n_L.
    half : bool
        Multiply the squared error by 1/2 (``mse`` only).
    labels : tuple of int, optional
        Class of each sample for ``"ce"``; defaults to ``(0, 1, ..., n_L - 1, 0, ...)``.

    Returns
    -------
    SymbolicNetwork

    Raises
    ------
    ValueError
        For a bad size, layout, activation, loss or reduction name, or labels of the wrong
        length.

    Examples
    --------
    >>> net = network((1, 1, 1), 1)
    >>> net.A[-1]
    Matrix([[Sigmoid(W2_0_0*Sigmoid(W1_0_0*X_0_0 + b1_0_0) + b2_0_0)]])
    """
    sizes = tuple(int(n) for n in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must be (n_0, ..., n_L) with L >= 1 and each >= 1, got {sizes}")
    if m < 1:
        raise ValueError(f"m (samples) must be >= 1, got {m}")
    _check_choice("layout", layout, ("columns", "rows"))
    _check_choice("loss", loss, LOSSES)
    _check_choice("reduction", reduction, REDUCTIONS)
    acts = _normalise_activations(activations, len(sizes) - 1)
    cols = layout == "columns"
    X = matrix("X", sizes[0], m) if cols else matrix("X", m, sizes[0])
    if loss == "ce":
        labels = labels if labels is not None else tuple(j % sizes[-1] for j in range(m))
        if len(labels) != m:
            raise ValueError(f"labels has {len(labels)} entries, expected m = {m}")
        Y = one_hot(labels, sizes[-1], layout=layout)
    else:
        Y = matrix("Y", sizes[-1], m) if cols else matrix("Y", m, sizes[-1])
    params: dict[str, sp.Matrix] = {}
    A_list, Z_list = [X], []
    for layer, act in enumerate(acts, start=1):
        n_in, n_out = sizes[layer - 1], sizes[layer]
        if cols:
            W, b = matrix(f"W{layer}", n_out, n_in), matrix(f"b{layer}", n_out, 1)
            Z = W * A_list[-1] + b * sp.ones(1, m)
        else:
            W, b = matrix(f"W{layer}", n_in, n_out), matrix(f"b{layer}", 1, n_out)
            Z = A_list[-1] * W + sp.ones(m, 1) * b
        params[f"W{layer}"], params[f"b{layer}"] = W, b
        A = _softmax(Z, layout) if act == "softmax" else Z.applyfunc(_elementwise(act))
        Z_list.append(Z)
        A_list.append(A)
    total = _loss(A_list[-1], Y, loss, half)
    divisor = {"mean": m, "sum": 1, "mean_all": m * sizes[-1]}[reduction]
    return SymbolicNetwork(
        sizes, m, layout, acts, loss, reduction, half, X, Y,
        MappingProxyType(params), tuple(Z_list), tuple(A_list), total / divisor,
    )


def gradients(net: SymbolicNetwork, *, names: Sequence[str] | None = None) -> dict[str, sp.Matrix]:
    """``dL/dP`` for every parameter P (or those in ``names``), entry by entry with ``sympy.diff``.

    Parameters
    ----------
    net : SymbolicNetwork
    names : sequence of str, optional
        Parameter names (``"W1"``, ``"b2"``, ...); all of them by default.

    Returns
    -------
    dict of str to sympy.Matrix
        Each gradient has the shape of its parameter.

    Examples
    --------
    >>> g = gradients(network((1, 1), 1, activations="identity", loss="mse", half=True))
    >>> sp.factor(g["b1"][0])
    W1_0_0*X_0_0 - Y_0_0 + b1_0_0
    """
    wanted = list(net.params) if names is None else list(names)
    for n in wanted:
        if n not in net.params:
            raise ValueError(f"names: {n!r} is not a parameter; choose from {list(net.params)}")
    return {n: entrywise_grad(net.loss, net.params[n]) for n in wanted}


def entrywise_grad(L: sp.Expr, M: sp.Matrix) -> sp.Matrix:
    """``dL/dM`` entry by entry with ``sympy.diff``, the same as ``M.applyfunc(diff(L, .))``.

    The loss is a sum over samples and outputs; each entry of M appears in a few terms only,
    so each term is differentiated only with respect to the symbols it contains (SymPy's
    ``diff`` of the whole sum visits every term for every symbol).

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> entrywise_grad(x**2 + x * y + 3, sp.Matrix([[x, y]]))
    Matrix([[2*x + y, x]])
    """
    terms = sp.Add.make_args(L)
    factor = sp.Integer(1)
    if len(terms) == 1 and isinstance(L, sp.Mul):
        # L = c * (sum of terms): keep the constant outside
        coeff, rest = L.as_independent(*M.free_symbols, as_Add=False)
        factor, terms = coeff, sp.Add.make_args(rest)
    by_symbol: dict[sp.Symbol, list[sp.Expr]] = {}
    for term in terms:
        for s in term.free_symbols:
            by_symbol.setdefault(s, []).append(term)
    return M.applyfunc(
        lambda s: factor * sp.Add(*(sp.diff(t, s) for t in by_symbol.get(s, ())))
    )


def stacked(matrices: Mapping[str, sp.Matrix], like: Mapping[str, sp.Matrix]) -> sp.Matrix:
    """All ``matrices`` flattened into one column, in the order of ``like``.

    Raises
    ------
    sympy.ShapeError
        If a matrix is missing or its shape differs from the one in ``like`` (so that
        :func:`~derivations.decide.decide_matrix` reports the shape as the refutation).
    """
    parts = []
    for name, ref in like.items():
        if name not in matrices:
            raise sp.ShapeError(f"no formula for d{name}")
        got = matrices[name]
        if got.shape != ref.shape:
            raise sp.ShapeError(
                f"d{name} has shape {got.shape} but {name} has shape {ref.shape}"
            )
        parts.append(got.reshape(got.rows * got.cols, 1))
    return sp.Matrix.vstack(*parts)


def network_shapes(
    n_layers: int, *, count: int = 6, max_dim: int = 2, seed: int = 0
) -> list[tuple[int, ...]]:
    """Small dimension tuples ``(n_0, ..., n_L, m)`` for end-to-end checks, edge cases first.

    Starts with all ones (a scalar network, one sample), then each dimension raised to 2
    alone (one sample, non-square), then deterministic draws in ``1..max_dim``.

    Examples
    --------
    >>> network_shapes(2, count=4)
    [(1, 1, 1, 1), (2, 1, 1, 1), (1, 2, 1, 1), (1, 1, 2, 1)]
    """
    n_dims = n_layers + 2
    shapes: list[tuple[int, ...]] = [(1,) * n_dims]
    shapes += [tuple(2 if j == i else 1 for j in range(n_dims)) for i in range(n_dims)]
    rng = np.random.default_rng(seed)
    limit = max_dim**n_dims
    while len(set(shapes)) < min(count, limit):
        shapes.append(tuple(int(d) for d in rng.integers(1, max_dim + 1, size=n_dims)))
    return list(dict.fromkeys(shapes))[:count]


StatedGrads = Callable[[SymbolicNetwork], Mapping[str, sp.Matrix]]


def decide_network(
    stated: StatedGrads,
    *,
    n_layers: int,
    corrected: StatedGrads | None = None,
    corrected_latex: str | None = None,
    shapes: Sequence[tuple[int, ...]] | None = None,
    what: str = "the stated backward pass",
    **options: object,
) -> Decision:
    """Decide a whole backward pass against ``sympy.diff`` of the loss, for every parameter.

    Parameters
    ----------
    stated : callable SymbolicNetwork -> mapping of str to sympy.Matrix
        The document's gradient formulas evaluated on the network's matrices (its ``Z``, ``A``,
        ``params``, ``X``, ``Y``): ``{"W1": dW1, "b1": db1, ...}``. It may raise
        ``sympy.ShapeError`` where the document's product is undefined.
    n_layers : int
        L; the dimensions are ``(n_0, ..., n_L, m)``.
    corrected : callable, optional
        The right formulas, decided the same way when ``stated`` is refuted.
    shapes : sequence of tuples, optional
        Defaults to :func:`network_shapes` ``(n_layers)``.
    **options
        Passed to :func:`network` (layout, activations, loss, reduction, half, labels).

    Returns
    -------
    Decision
        As :func:`~derivations.decide.decide_matrix` on all gradients stacked into one column.
    """
    shapes = list(shapes) if shapes is not None else network_shapes(n_layers)

    def builder(formulas: StatedGrads) -> Callable[[tuple[int, ...]], tuple[sp.Matrix, sp.Matrix]]:
        def build(dims: tuple[int, ...]) -> tuple[sp.Matrix, sp.Matrix]:
            net = network(tuple(dims[:-1]), dims[-1], **options)  # type: ignore[arg-type]
            correct = gradients(net)
            return stacked(correct, net.params), stacked(formulas(net), net.params)

        return build

    return decide_matrix(
        builder(stated),
        n_dims=n_layers + 2,
        corrected=None if corrected is None else builder(corrected),
        corrected_latex=corrected_latex,
        shapes=shapes,
        what=what,
    )
