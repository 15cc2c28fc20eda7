"""Symbolic building blocks shared by the documents' claims.

Explicit matrices of symbols, the activations and losses as SymPy expressions, and the
entrywise gradients of one affine layer in both layouts. Everything here is exact SymPy;
nothing is numeric.

Notes
-----
``sigmoid`` is the plain expression ``1 / (1 + exp(-z))``: claims about its derivative are
decided on that expression, never on a function whose derivative was typed in.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import sympy as sp

__all__ = [
    "AffineGrads",
    "affine_grads",
    "bce",
    "matrix",
    "relu",
    "sigmoid",
    "softmax",
    "squared_error",
    "tanh",
]

Layout = Literal["columns", "rows"]


def matrix(name: str, rows: int, cols: int, **assumptions: bool) -> sp.Matrix:
    """A ``rows x cols`` matrix of distinct real symbols ``name_i_j``.

    Examples
    --------
    >>> matrix("W", 1, 2)
    Matrix([[W_0_0, W_0_1]])
    """
    return sp.Matrix(
        rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}_{j}", real=True, **assumptions)
    )


def sigmoid(z: sp.Expr) -> sp.Expr:
    """The logistic function ``1 / (1 + exp(-z))``."""
    return 1 / (1 + sp.exp(-z))


def tanh(z: sp.Expr) -> sp.Expr:
    """The hyperbolic tangent."""
    return sp.tanh(z)


def relu(z: sp.Expr) -> sp.Expr:
    """``max(0, z)``; its derivative is SymPy's ``Heaviside(z)``, undefined by convention at 0."""
    return sp.Max(0, z)


def softmax(z: Sequence[sp.Expr]) -> list[sp.Expr]:
    """``exp(z_k) / sum_j exp(z_j)`` for each ``k``."""
    denom = sum(sp.exp(zj) for zj in z)
    return [sp.exp(zk) / denom for zk in z]


def bce(a: sp.Expr, y: sp.Expr) -> sp.Expr:
    """Binary cross-entropy of one prediction: ``-(y log a + (1 - y) log(1 - a))``."""
    return -(y * sp.log(a) + (1 - y) * sp.log(1 - a))


def squared_error(a: sp.Expr, y: sp.Expr, *, half: bool) -> sp.Expr:
    """``(a - y)^2``, times 1/2 when ``half``."""
    return (sp.Rational(1, 2) if half else 1) * (a - y) ** 2


@dataclass(frozen=True)
class AffineGrads:
    """One affine layer on symbolic matrices and its entrywise gradients.

    The loss is ``L = sum(G * Z)`` with ``G`` a matrix of free symbols: for an affine layer the
    gradients with respect to ``W``, ``b`` and ``A_prev`` depend on the loss only through
    ``G = dL/dZ``, so this L is fully general and keeps the algebra polynomial.

    Attributes
    ----------
    W, b, A_prev, G, Z : sympy.Matrix
        ``columns``: W (n_out, n_in), b (n_out, 1), A_prev (n_in, m), Z and G (n_out, m).
        ``rows``: W (n_in, n_out), b (1, n_out), A_prev (m, n_in), Z and G (m, n_out).
    dW, db, dA_prev : sympy.Matrix
        ``dL/dW``, ``dL/db``, ``dL/dA_prev`` computed entry by entry with ``sympy.diff``.
    """

    layout: Layout
    W: sp.Matrix
    b: sp.Matrix
    A_prev: sp.Matrix
    G: sp.Matrix
    Z: sp.Matrix
    dW: sp.Matrix
    db: sp.Matrix
    dA_prev: sp.Matrix


def _entrywise_grad(L: sp.Expr, M: sp.Matrix) -> sp.Matrix:
    return M.applyfunc(lambda s: sp.diff(L, s))


@functools.cache  # pure and immutable by contract: callers never mutate the matrices
def affine_grads(n_out: int, n_in: int, m: int, *, layout: Layout) -> AffineGrads:
    """Build one affine layer with ``m`` samples and derive its gradients entrywise.

    Parameters
    ----------
    n_out, n_in, m : int
        Output width, input width, number of samples.
    layout : {"columns", "rows"}
        ``columns``: Z = W A_prev + b (b broadcast over the m columns);
        ``rows``: Z = A_prev W + b (b broadcast over the m rows).

    Returns
    -------
    AffineGrads
    """
    if layout == "columns":
        W, b, A = matrix("W", n_out, n_in), matrix("b", n_out, 1), matrix("A", n_in, m)
        G = matrix("G", n_out, m)
        Z = W * A + b * sp.ones(1, m)
    elif layout == "rows":
        W, b, A = matrix("W", n_in, n_out), matrix("b", 1, n_out), matrix("A", m, n_in)
        G = matrix("G", m, n_out)
        Z = A * W + sp.ones(m, 1) * b
    else:
        raise ValueError(f"layout={layout!r} is not one of 'columns', 'rows'")
    L = sum(G.multiply_elementwise(Z))
    return AffineGrads(
        layout, W, b, A, G, Z,
        dW=_entrywise_grad(L, W), db=_entrywise_grad(L, b), dA_prev=_entrywise_grad(L, A),
    )
