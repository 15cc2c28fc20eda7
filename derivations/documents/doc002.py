r"""Claims of document 002: a two-layer ReLU/softmax network on the spiral data, rows layout.

The document (``002_37ba765e96841764.txt``) builds ``z1 = x w1 + b1``, ``a1 = ReLU(z1)``,
``z2 = a1 w2 + b2``, ``p = softmax(z2)`` with samples as rows (x is (300, 2), w1 (2, 4),
w2 (4, 3)), the categorical cross-entropy averaged over the m = 300 samples, and derives
``dz2``, ``dw2``, ``db2``, ``da1``, ``dz1``, ``dw1``, ``db1`` in text and in code cells.

Every statement is a :class:`~derivations.claim.Claim` decided at run time:

- chain-rule steps on one sample of the network (d = h = n = 2), the local Jacobians
  computed with SymPy and multiplied, against the derivative of the composed loss;
- matrix forms entrywise on symbolic matrices for 20 shapes (:func:`decide_matrix`);
- shapes by shape algebra on ``MatrixSymbol`` s of the document's sizes (:mod:`derivations.shapes`);
- code cells executed verbatim on exact inputs (:mod:`derivations.code`): the alias
  ``dz2 = probs``, the ReLU mask at exactly 0 (the spiral's first point is (0, 0) and b1 = 0),
  the in-place update;
- statements read as written (``literal`` readings: the document's rows layout, its shapes
  (300, 3), (4, 3), its names) and, where that is false, repaired (``intended`` readings: the
  transpose the document adds two lines later, ``sz^2`` a typo for ``dz^2``, the label
  ``\partial a^2 / \partial z^1`` for ``\partial a^2 / \partial z^2``): the literal readings
  decide the verdict, a proven repair is the correction
  (:func:`~derivations.decide.decide_readings`).

The text's gradients (``dz^2 = p_i - I(i = y)``, ``a^{1^T} * dz^2``) carry no 1/m: they are
the gradients of the summed loss, and the code divides by m afterwards. Such statements are
decided under each reduction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy as sp

from derivations.claim import Claim, Counterexample, Decision, Verdict
from derivations.code import (
    as_matrix,
    decide_cell_preserves,
    decide_cell_value,
    dependencies,
    exact_array,
    names_read,
    numpy_with_rng,
    run_cell,
    symbol_array,
    sympy_numpy,
)
from derivations.decide import (
    decide_conventions,
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
from derivations.fast import compare_matrices
from derivations.shapes import (
    decide_product_orientation,
    decide_shape,
    decide_shapes,
    mat,
    np_add,
    np_sum,
)
from derivations.symbolic import matrix, relu, softmax

__all__ = [
    "CELLS",
    "DOC",
    "DOCUMENT",
    "NETWORK_SHAPES",
    "ROWS",
    "build_code_da1",
    "build_code_db1",
    "build_code_db2",
    "build_code_dw1",
    "build_code_dw2",
    "build_code_dz2",
    "build_db2_average",
    "build_dw2_text",
    "build_dz2",
    "chain_dz2_elementwise",
    "claims",
    "code_affine_build",
    "code_backward",
    "decide_mask",
    "decide_update_code",
    "decide_update_text",
]

#: the document's sizes: m samples, d inputs, h hidden units, n classes (In [3], In [4])
M, D, H, N = 300, 2, 4, 3

DOCUMENT = "002_37ba765e96841764.txt"

CONVENTIONS = MappingProxyType({
    "layout": "rows",
    "reduction": "mean over m",
    "activation": "relu, softmax",
    "loss": "categorical cross-entropy",
    "labels": "integer class index",
})
SUM = MappingProxyType({"layout": "rows", "reduction": "sum over samples"})
MEAN = MappingProxyType({"layout": "rows", "reduction": "mean over m"})

#: the code cells, verbatim (comment lines left out), by their notebook number
CELLS = MappingProxyType({
    5: "w1 = 0.01 * np.random.randn(d, h)\nb1 = np.zeros((1, h))\nw1.shape, b1.shape",
    6: "z1 = np.dot(x, w1) + b1\nz1.shape",
    7: "a1 = np.maximum(0, z1)\na1.shape",
    8: "w2 = 0.01 * np.random.randn(h, n)\nb2 = np.zeros((1, n))\nw2.shape, b2.shape",
    9: "z2 = np.dot(a1, w2) + b2\nz2.shape",
    10: "z2_exp = np.exp(z2)\na2 = z2_exp/ np.sum(z2_exp, axis = 1, keepdims = True)\n"
    "probs = a2\nprobs.shape",
    11: "m = y.shape[0]\nm",
    12: "dz2 = probs\ndz2[range(m), y] -= 1",
    13: "dw2 = np.dot(a1.T, dz2)/ m\ndw2.shape",
    14: "db2 = np.sum(dz2, axis = 0, keepdims = True)/ m\ndb2.shape",
    15: "da1 = np.dot(dz2, w2.T)\nda1.shape",
    16: "da1[z1 <= 0] = 0\ndz1 = da1\ndz1.shape",
    17: "dw1 = np.dot(x.T, dz1)/ m\ndb1 = np.sum(dz1, axis = 0, keepdims = True)/ m\n"
    "dw1.shape, db1.shape",
    18: "lr = 1e-0",
    19: "w1 += -lr * dw1\nb1 += -lr * db1\nw2 += -lr * dw2\nb2 += -lr * db2\nw1, b1, w2, b2",
})
FORWARD_CELLS = (6, 7, 9, 10)
BACKWARD_CELLS = (12, 13, 14, 15, 16, 17)

Dims = tuple[int, ...]
Build = Callable[[Dims], tuple[sp.Matrix, sp.Matrix]]


# ----------------------------------------------------------------------------------------
# symbolic building blocks


def _labels(m: int, n: int) -> list[int]:
    """Deterministic integer labels: every class occurs once m >= n."""
    return [(2 * i + 1) % n for i in range(m)]


def _onehot(m: int, n: int) -> sp.Matrix:
    y = _labels(m, n)
    return sp.Matrix(m, n, lambda i, k: 1 if k == y[i] else 0)


@functools.cache
def _ce_rows(m: int, n: int, reduction: str) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """Logits Z (m, n), probabilities P = softmax by rows, and dL/dZ of the cross-entropy.

    ``reduction`` is ``"sum"`` or ``"mean"`` over the m samples; labels from :func:`_labels`.
    """
    Z = matrix("z2", m, n)
    y = _labels(m, n)
    rows = [softmax(list(Z.row(i))) for i in range(m)]
    L = sum(-sp.log(rows[i][y[i]]) for i in range(m))
    if reduction == "mean":
        L = L / m
    P = sp.Matrix(m, n, lambda i, k: rows[i][k])
    return Z, P, Z.applyfunc(lambda s: sp.diff(L, s))


@dataclass(frozen=True)
class _Affine:
    """One rows-layout affine layer Z = A W + b with L = r * sum(G * Z), r = 1 or 1/m."""

    W: sp.Matrix
    b: sp.Matrix
    A: sp.Matrix
    G: sp.Matrix
    dW: sp.Matrix
    db: sp.Matrix
    dA: sp.Matrix


@functools.cache
def _affine(n_out: int, n_in: int, m: int, reduction: str) -> _Affine:
    W, b, A = matrix("W", n_in, n_out), matrix("b", 1, n_out), matrix("A", m, n_in)
    G = matrix("G", m, n_out)
    Z = A * W + sp.ones(m, 1) * b
    L = sum(G.multiply_elementwise(Z)) * (sp.Rational(1, m) if reduction == "mean" else 1)

    def grad(X: sp.Matrix) -> sp.Matrix:
        return X.applyfunc(lambda s: sp.diff(L, s))

    return _Affine(W, b, A, G, grad(W), grad(b), grad(A))


def _reduction(conv: dict[str, str]) -> str:
    return "mean" if conv["reduction"].startswith("mean") else "sum"


# ----------------------------------------------------------------------------------------
# matrix builds (public: the tests draw shapes with Hypothesis and decide them one by one)


def build_dz2(reduction: str) -> Callable[[Dims], tuple[sp.Matrix, sp.Matrix]]:
    """Dims (m, n) -> (dL/dZ2 of the cross-entropy under ``reduction``, P - onehot(y))."""

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        m, n = dims
        _, P, grad = _ce_rows(m, n, reduction)
        return grad, P - _onehot(m, n)

    return build


def build_dw2_text(reduction: str) -> Callable[[Dims], tuple[sp.Matrix, sp.Matrix]]:
    """Dims (m, h, n) -> (dL/dw2 with dz2 = dL_sum/dz2 = G, the text's a^{1T} dz^2)."""

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        m, h, n = dims
        g = _affine(n, h, m, reduction)
        return g.dW, g.A.T * g.G

    return build


def build_db2_average(reduction: str) -> Callable[[Dims], tuple[sp.Matrix, sp.Matrix]]:
    """Dims (m, n) -> (dL/db2, the rows of dz2 summed and averaged: 1^T dz2 / m)."""

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        m, n = dims
        g = _affine(n, 1, m, reduction)
        return g.db, sp.ones(1, m) * g.G / m

    return build


def _cell_output(source: str, name: str, **inputs: Any) -> sp.Matrix:
    return as_matrix(run_cell(source, inputs)[name])


def build_code_dz2(reduction: str, *, source: str = CELLS[12]) -> Build:
    """Dims (m, n) -> (dL/dZ2 under ``reduction``, dz2 left by cells In [10] and In [12]).

    In [10] runs on a symbolic z2 with ``np.exp`` mapped to ``sympy.exp``; its ``probs`` feed
    In [12] with the labels of :func:`_labels`.
    """

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        m, n = dims
        _, _, grad = _ce_rows(m, n, reduction)
        forward = run_cell(CELLS[10], {"np": sympy_numpy(), "z2": symbol_array("z2", m, n)})
        back = run_cell(
            source, {"probs": forward["probs"], "m": m, "y": np.array(_labels(m, n))}
        )
        return grad, as_matrix(back["dz2"])

    return build


def code_affine_build(
    source: str, output: str, grad: str, a: str, dz: str
) -> Callable[[str], Build]:
    """A build factory: reduction -> dims -> (dL/d``grad``, ``output`` left by ``source``).

    ``grad`` is ``"dW"`` or ``"db"``. The cell ``source`` runs on symbolic ``a`` (m, n_in) and
    ``dz`` (m, n_out) -- the affine layer's A and G = dL_sum/dZ -- and ``m``.
    Dims are (m, n_in, n_out) for a weight, (m, n_out) for a bias.
    """

    def factory(reduction: str) -> Build:
        def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
            m, n_in, n_out = dims if grad == "dW" else (dims[0], 1, dims[1])
            g = _affine(n_out, n_in, m, reduction)
            ns = {a: symbol_array("A", m, n_in), dz: symbol_array("G", m, n_out), "m": m}
            return getattr(g, grad), _cell_output(source, output, **ns)

        return build

    return factory


#: reduction -> dims (m, h, n) -> (dL/dw2, dw2 of In [13])
build_code_dw2 = code_affine_build(CELLS[13], "dw2", "dW", "a1", "dz2")
#: reduction -> dims (m, n) -> (dL/db2, db2 of In [14])
build_code_db2 = code_affine_build(CELLS[14], "db2", "db", "a1", "dz2")
#: reduction -> dims (m, d, h) -> (dL/dw1, dw1 of In [17])
build_code_dw1 = code_affine_build(CELLS[17], "dw1", "dW", "x", "dz1")
#: reduction -> dims (m, h) -> (dL/db1, db1 of In [17])
build_code_db1 = code_affine_build(CELLS[17], "db1", "db", "x", "dz1")


def build_code_da1(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
    """Dims (m, h, n) -> (dL/da1, da1 of In [15] run on symbolic dz2 (m, n) and w2 (h, n))."""
    m, h, n = dims
    g = _affine(n, h, m, "sum")
    dz2, w2 = symbol_array("G", m, n), symbol_array("W", h, n)
    return g.dA, _cell_output(CELLS[15], "da1", dz2=dz2, w2=w2)


def _matrix_conventions(
    build: Callable[[str], Callable[[Dims], tuple[sp.Matrix, sp.Matrix]]],
    n_dims: int,
    *,
    first: str,
    what: str,
) -> Decision:
    """Decide ``build(reduction)`` under the document's reduction ``first`` and the other."""
    order = ("mean", "sum") if first == "mean" else ("sum", "mean")
    conv = {"mean": MEAN, "sum": SUM}  # local, read-only use
    return decide_conventions(
        [
            (conv[r], functools.partial(decide_matrix, build(r), n_dims=n_dims, what=what))
            for r in order
        ],
        what=what,
    )


# ----------------------------------------------------------------------------------------
# one sample of the network, for the chain-rule steps


@dataclass(frozen=True)
class _Sample:
    """One sample through the network, d = h = n = 2, label 0.

    ``jac[(f, v)]`` is the local Jacobian d f / d v (numerator layout, parameters flattened
    row by row) computed on free symbols and evaluated at the forward values; ``grad[v]`` is
    the row d L / d v of the composed loss.
    """

    jac: dict[tuple[str, str], sp.Matrix]
    grad: dict[str, sp.Matrix]


def _flat(M_: sp.Matrix) -> sp.Matrix:
    return sp.Matrix(M_).reshape(len(M_), 1)


@functools.cache
def _sample() -> _Sample:
    d = h = n = 2
    x, w1, b1 = matrix("x", 1, d), matrix("w1", d, h), matrix("b1", 1, h)
    w2, b2 = matrix("w2", h, n), matrix("b2", 1, n)
    Z1, A1, Z2 = matrix("Z1", 1, h), matrix("A1", 1, h), matrix("Z2", 1, n)
    A2 = matrix("A2", 1, n, positive=True)
    z1 = x * w1 + b1
    a1 = z1.applyfunc(relu)
    z2 = a1 * w2 + b2
    a2 = sp.Matrix([softmax(list(z2))])
    at = {**dict(zip(Z1, z1, strict=True)), **dict(zip(A1, a1, strict=True)),
          **dict(zip(Z2, z2, strict=True)), **dict(zip(A2, a2, strict=True))}

    def jac(f: Any, v: sp.Matrix) -> sp.Matrix:
        return _flat(sp.Matrix(f)).jacobian(_flat(v)).subs(at)

    def ce(a: Sequence[sp.Expr]) -> sp.Expr:
        return -sp.log(a[0])

    def top(a: sp.Matrix) -> sp.Expr:  # the loss as a function of the hidden activations
        return ce(softmax(list(a * w2 + b2)))

    jacobians = {
        ("L", "a2"): jac([ce(A2)], A2),
        ("a2", "z2"): jac(softmax(list(Z2)), Z2),
        ("a2", "z1"): jac(softmax(list(Z1.applyfunc(relu) * w2 + b2)), Z1),
        ("z2", "a1"): jac(A1 * w2 + b2, A1),
        ("z2", "w2"): jac(A1 * w2 + b2, w2),
        ("z2", "b2"): jac(A1 * w2 + b2, b2),
        ("a1", "z1"): jac(Z1.applyfunc(relu), Z1),
        ("z1", "w1"): jac(x * w1 + b1, w1),
        ("z1", "b1"): jac(x * w1 + b1, b1),
    }
    grads = {
        "z2": jac([ce(softmax(list(Z2)))], Z2),
        "a1": jac([top(A1)], A1),
        "w2": jac([top(A1)], w2),
        "b2": jac([top(A1)], b2),
        "z1": jac([top(Z1.applyfunc(relu))], Z1),
        "w1": jac([top((x * w1 + b1).applyfunc(relu))], w1),
        "b1": jac([top((x * w1 + b1).applyfunc(relu))], b1),
    }
    return _Sample(jacobians, grads)


def _compare(
    correct: sp.Matrix,
    stated: sp.Matrix,
    *,
    what: str,
    corrected: sp.Matrix | None = None,
    corrected_latex: str | None = None,
    where: str = "one sample, d = h = n = 2",
    against: str = "the derivative of the composed loss",
) -> Decision:
    """:func:`~derivations.fast.compare_matrices`, by default against the one-sample network.

    ``cancel`` (rational functions in the exponentials) proves the composed softmax chains
    quickly; the counterexample search comes before ``simplify`` because a failed
    ``simplify`` on them is slow, and a found point is a refutation either way.
    """
    return compare_matrices(correct, stated, what=what, where=where, against=against,
                            corrected=corrected, corrected_latex=corrected_latex)


def _chain(factors: Sequence[tuple[str, str]], target: str, *, what: str) -> Decision:
    """Decide "dL/d target = product of the local Jacobians ``factors``" on one sample."""
    s = _sample()
    product = functools.reduce(lambda acc, f: acc * s.jac[f], factors[1:], s.jac[factors[0]])
    return _compare(s.grad[target], product, what=what)


# ----------------------------------------------------------------------------------------
# the document's arrays, as matrix symbols of its sizes (for the shape claims)


def _x() -> sp.MatrixSymbol:
    return mat("x", M, D)


def _z1() -> sp.MatrixExpr:
    return np_add(_x() * mat("w1", D, H), mat("b1", 1, H))


def _z2() -> sp.MatrixExpr:
    return np_add(mat("a1", M, H) * mat("w2", H, N), mat("b2", 1, N))


def _dz2() -> sp.MatrixSymbol:
    return mat("dz2", M, N)


def _probs() -> sp.MatrixExpr:
    z2 = _z2()
    return sp.HadamardProduct(z2, np_add(sp.ZeroMatrix(M, N), np_sum(z2, axis=1)))


# ----------------------------------------------------------------------------------------
# decisions that need more than one procedure


def _decide_cell_shapes(cell: int, inputs: dict[str, Any], stated: dict[str, Dims]) -> Decision:
    env = run_cell(CELLS[cell], {"np": numpy_with_rng(0), **inputs})
    got = {k: tuple(np.shape(env[k])) for k in stated}
    if got == stated:
        return Decision(
            Verdict.PROVEN,
            f"In [{cell}] executed with d = {D}, h = {H}, n = {N} gives shapes {got}",
            evidence=("cell executed",),
        )
    return Decision(
        Verdict.REFUTED,
        f"In [{cell}] executed gives shapes {got}, not the stated {stated}",
        counterexample=Counterexample(point=dict(inputs), stated=str(stated), correct=str(got)),
    )


def _decide_relu_code() -> Decision:
    z = np.array([[-0.5, 0.0, 0.25], [1.5, -2.0, 0.0]])
    expected = as_matrix(z).applyfunc(relu)
    return decide_cell_value(CELLS[7], {"z1": z}, "a1", expected,
                             what="In [7] a1 = np.maximum(0, z1)")


def _decide_softmax_code() -> Decision:
    def exact() -> Decision:
        z2 = symbol_array("z2", 2, 3)
        expected = sp.Matrix(2, 3, lambda i, k: softmax(list(z2[i]))[k])
        return decide_cell_value(
            CELLS[10], {"np": sympy_numpy(), "z2": z2}, "probs", expected,
            what="In [10] on a symbolic z2 (2 x 3)",
        )

    def floats(z2: np.ndarray) -> Decision:
        env = run_cell(CELLS[10], {"z2": z2})
        got = env["probs"]
        want = sp.Matrix(z2.shape[0], z2.shape[1], lambda i, k: softmax(
            [sp.nsimplify(v) for v in z2[i]])[k])
        for idx in np.ndindex(*z2.shape):
            exact_value = sp.N(want[idx], 30)
            if not np.isfinite(got[idx]) or abs(got[idx] - float(exact_value)) > 1e-15:
                return Decision(
                    Verdict.REFUTED,
                    f"In [10] in float64 gives probs{list(idx)} = {got[idx]} where softmax is "
                    f"{sp.N(exact_value, 12)} (exp overflows for logits above ~709.78; "
                    "subtracting the row max first avoids it)",
                    counterexample=Counterexample(
                        point={"z2": str(z2.tolist())}, stated=str(got[idx]),
                        correct=str(sp.N(exact_value, 12)), entry=str(idx),
                    ),
                )
        return Decision(
            Verdict.PROVEN,
            f"In [10] in float64 matches softmax to 1e-15 at z2 = {z2.tolist()}",
        )

    return decide_conventions(
        [
            ({"arithmetic": "exact"}, exact),
            ({"arithmetic": "float64, logits 0..2"},
             lambda: floats(np.array([[0.0, 1.0, 2.0], [0.5, -0.5, 0.0]]))),
            ({"arithmetic": "float64, a logit of 710"},
             lambda: floats(np.array([[710.0, 0.0, 0.0]]))),
        ],
        what="In [10] computes the row-wise softmax",
    )


def _probs_namespace() -> dict[str, Any]:
    probs = exact_array([["1/2", "1/4", "1/4"], ["1/6", "1/3", "1/2"]])
    return {"a2": probs, "probs": probs, "m": 2, "y": np.array([0, 2])}


def _decide_probs_alias() -> Decision:
    ns = _probs_namespace()
    stated = decide_cell_preserves(CELLS[12], ns, "probs", what="In [12]")
    if stated.verdict is not Verdict.REFUTED:
        return stated
    fixed = "dz2 = probs.copy()\ndz2[range(m), y] -= 1"
    check = decide_cell_preserves(fixed, ns, "probs", what="the cell with probs.copy()")
    later = [c for c in CELLS if c > 12 and names_read(CELLS[c]) & {"probs", "a2"}]
    effect = (f"In {later} read probs or a2 afterwards" if later else
              "no later cell reads probs or a2, so the document's gradients are unaffected; "
              "the hazard is for code that reuses them, e.g. to report the loss")
    return replace(
        stated,
        reason=stated.reason + "; dz2 = probs binds a second name to the same array ("
        + effect + ")",
        corrected="dz2 = probs.copy() (then probs and a2 keep the probabilities)",
        corrected_check=check,
    )


def _mask_inputs(m: int, h: int, rng: np.random.Generator) -> dict[str, Any]:
    """z1 by In [6] with the spiral's first point x = (0, 0) and b1 = 0, dyadic values."""
    x = rng.integers(-4, 5, size=(m, D)) / 4.0
    x[0] = 0.0  # the spiral's first point (In [2]: 0, 0.0, 0.0, 0)
    w1 = rng.integers(-4, 5, size=(D, h)) / 4.0
    z1 = run_cell(CELLS[6], {"x": x, "w1": w1, "b1": np.zeros((1, h))})["z1"]
    da1 = rng.integers(1, 9, size=(m, h)) / 8.0 * rng.choice([-1.0, 1.0], size=(m, h))
    return {"z1": z1, "da1": da1}


def decide_mask(value_at_zero: sp.Rational, *, source: str = CELLS[16]) -> Decision:
    """Decide In [16] (or ``source``) against dL/dz1 = da1 * ReLU'(z1), ReLU'(0) := a value.

    The inputs come from In [6] with the spiral's first point x = (0, 0) and b1 = 0, so z1 has
    exact zeros; dyadic floats keep every value exact.
    """
    G, Z = sp.Symbol("G", real=True), sp.Symbol("z", real=True)
    local = sp.diff(G * relu(Z), Z)  # Heaviside(z) * G; SymPy leaves the value at 0 open
    at_zero = local.replace(sp.Heaviside, lambda arg, *_: sp.Heaviside(arg, value_at_zero))
    rng = np.random.default_rng(2)
    for m, h in ((1, 1), (2, 3), (3, 2)):
        ns = _mask_inputs(m, h, rng)
        z1, da1 = as_matrix(ns["z1"]), as_matrix(ns["da1"])
        expected = sp.Matrix(
            m, h, lambda i, j, da1=da1, z1=z1: at_zero.subs({G: da1[i, j], Z: z1[i, j]})
        )
        d = decide_cell_value(source, ns, "dz1", expected,
                              what=f"In [16] on z1 with exact zeros ({m}x{h})")
        if d.verdict is not Verdict.PROVEN:
            return d
    return d


def _decide_dz1_alias() -> Decision:
    ns = run_cell(CELLS[16], _mask_inputs(2, 2, np.random.default_rng(3)))
    probe = "da1[0, 0] = da1[0, 0] + 1"
    stated = decide_cell_preserves(probe, ns, "dz1", what=f"after In [16], `{probe}`")
    if stated.verdict is not Verdict.REFUTED:
        return stated
    fixed = run_cell("dz1 = da1.copy()\ndz1[z1 <= 0] = 0", _mask_inputs(2, 2,
                                                                      np.random.default_rng(3)))
    check = decide_cell_preserves(probe, fixed, "dz1", what="with dz1 = da1.copy()")
    return replace(
        stated,
        reason=stated.reason + "; `dz1 = da1` does not compute anything, it names the same array",
        corrected="dz1 is da1 itself; only dz1 = da1.copy() makes later changes to da1 harmless",
        corrected_check=check,
    )


def _decide_dz1_already_calculated() -> Decision:
    # literal: the reason given, "dz1 is already calculated", says dz1 no longer depends on
    # da1; intended: the conclusion the answer draws, that the in-place mask is harmless
    return decide_readings(
        [literal("a change made to da1 after In [16] leaves dz1 unchanged (dz1 being already "
                 "calculated)", _decide_dz1_alias()),
         intended("masking da1 in place changes none of the gradients computed after it "
                  "(against masking a copy)", _decide_inplace_safe(),
                  statement="masking da1 in place is harmless because no cell after In [16] "
                  "reads da1, not because dz1 is separate: dz1 is the same array")],
        what="'making changes in da1 will not change anything as dz1 is already calculated'",
    )


def _decide_inplace_safe() -> Decision:
    """The in-place mask gives the same dw1, db1 as masking a copy; no later cell reads da1."""
    rng = np.random.default_rng(4)
    ns = {**_mask_inputs(3, 2, rng), "x": rng.integers(-4, 5, size=(3, D)) / 4.0, "m": 3}
    inplace = run_cell(CELLS[16] + "\n" + CELLS[17], ns)
    copied = run_cell(
        "dz1 = da1.copy()\ndz1[z1 <= 0] = 0\n" + CELLS[17], ns
    )
    later = set().union(*(names_read(CELLS[c]) for c in (17, 18, 19)))
    same = all(np.array_equal(inplace[k], copied[k]) for k in ("dw1", "db1"))
    if same and "da1" not in later:
        return Decision(
            Verdict.PROVEN,
            "executing In [16] + In [17] with the in-place mask and with a masked copy gives "
            "identical dw1 and db1, and no cell after In [16] reads da1",
            evidence=("cells executed on exact dyadic inputs", "names read by In [17]-[19]"),
        )
    differ = [k for k in ("dw1", "db1") if not np.array_equal(inplace[k], copied[k])]
    readers = sorted(c for c in (17, 18, 19) if "da1" in names_read(CELLS[c]))
    found = "; ".join(
        ([f"with the in-place mask {differ} differ from masking a copy"] if differ else [])
        + ([f"In {readers} read da1 after the mask"] if readers else []))
    key = differ[0] if differ else "dw1"
    return Decision(
        Verdict.REFUTED,
        f"the in-place mask changes what later cells compute: {found}",
        counterexample=Counterexample(
            point={"inputs": "dyadic"}, stated=str(copied[key]), correct=str(inplace[key])
        ),
    )


def _decide_uses(name: str, stated: set[str], *, cells: Sequence[int], what: str) -> Decision:
    deps = dependencies(*(CELLS[c] for c in cells))
    used_for = {t for t, reads in deps.items() if name in reads and t != name}
    if used_for == stated:
        return Decision(
            Verdict.PROVEN,
            f"{what}: the statements of In {list(cells)} that read {name} assign exactly "
            f"{sorted(used_for)}",
            evidence=("assignments parsed with ast",),
        )
    return Decision(
        Verdict.REFUTED,
        f"{what}: {name} is read to compute {sorted(used_for)}, not {sorted(stated)}",
        counterexample=Counterexample(
            point={"name": name}, stated=str(sorted(stated)), correct=str(sorted(used_for))
        ),
    )


def _forward_names() -> set[str]:
    return set().union(*(dependencies(CELLS[c]).keys() for c in FORWARD_CELLS))


def _backward_reads() -> set[str]:
    reads = set().union(*(names_read(CELLS[c]) for c in BACKWARD_CELLS))
    written = set().union(*(dependencies(CELLS[c]).keys() for c in BACKWARD_CELLS))
    return reads - written - {"np", "range", "m"}


def _decide_saved(stated: set[str]) -> Decision:
    needed = _backward_reads()
    if stated == needed:
        return Decision(Verdict.PROVEN, f"the backward cells read exactly {sorted(needed)}")
    missing, unused = sorted(needed - stated), sorted(stated - needed)
    check = Decision(
        Verdict.PROVEN,
        f"the backward cells In {list(BACKWARD_CELLS)} read, of what is computed before them, "
        f"exactly {sorted(needed)}",
        evidence=("names read, parsed with ast",),
    )
    return Decision(
        Verdict.REFUTED,
        f"the backward cells never read {unused} and do read {missing}, which the list omits "
        "(In [19] reads the parameters w1, b1, w2, b2 themselves, not values of the forward "
        "pass)",
        counterexample=Counterexample(
            point={"cells": f"In {list(BACKWARD_CELLS)}"}, stated=str(sorted(stated)),
            correct=str(sorted(needed)),
        ),
        corrected="the backward pass needs " + ", ".join(sorted(needed)),
        corrected_check=check,
    )


def _decide_da1_not_used() -> Decision:
    """The name da1 is read only to compute dz1; its array living on as dz1 is noted.

    The statement is about da1 in the document's names; that ``dz1 = da1`` keeps the same
    array is the alias claim 002-dz1-already-calculated decides, not another reading of it.
    """
    by_name = _decide_uses("da1", {"dz1"}, cells=(*BACKWARD_CELLS, 18, 19),
                           what="the name da1, statement by statement")
    ns = run_cell(CELLS[16], _mask_inputs(2, 2, np.random.default_rng(5)))
    if by_name.verdict is Verdict.PROVEN and np.shares_memory(ns["dz1"], ns["da1"]):
        readers = sorted(t for t, reads in dependencies(CELLS[17]).items() if "dz1" in reads)
        by_name = replace(by_name, reason=by_name.reason + "; the array da1 names lives on as "
                          f"dz1 (they share memory after In [16]) and In [17] reads it to "
                          f"compute {readers}: claim 002-dz1-already-calculated")
    return decide_readings(
        [literal("the name da1 is read only to compute dz1", by_name)],
        what="'da1 will not be used anywhere else except for dz1'",
    )


def _decide_intermediates_saved() -> Decision:
    used = sorted(_backward_reads() & _forward_names())
    if used:
        return Decision(
            Verdict.PROVEN,
            f"the backward cells read the forward intermediates {used}",
            evidence=("names read, parsed with ast",),
        )
    return Decision(Verdict.REFUTED, "no backward cell reads a forward intermediate")


def _decide_final_objective() -> Decision:
    order = [t for c in FORWARD_CELLS for t in dependencies(CELLS[c])]
    last = order[-1]
    assigned = f"the forward cells assign, in order, {order}: the last is {last}"
    as_last = decide_holds(
        last == "z2", assigned,
        otherwise=assigned + ", computed from z2 (and the loss needs the probabilities)",
        counterexample=Counterexample(
            point={"cells": f"In {list(FORWARD_CELLS)}"}, stated="z2 last", correct=f"{last} last"),
    )
    affine = [t for c in FORWARD_CELLS for t, line in _assignments(CELLS[c]) if "np.dot" in line]
    after = order[order.index("z2") + 1:] if "z2" in order else []
    logits_ok = bool(affine) and affine[-1] == "z2" and "probs" in after
    logits = decide_holds(
        logits_ok,
        f"the affine outputs (np.dot) are assigned in the order {affine}, the last being "
        f"{affine[-1] if affine else None}; after z2 the cells assign {after}",
    )
    return decide_readings(
        [literal("z^2 is the final quantity of the forward pass", as_last),
         intended("z^2 is the last affine output (the logits) the section goes on to compute",
                  logits, statement="the forward pass computes z^2 (the logits) on the way to "
                  "its final objective, the probabilities a^2 = softmax(z^2) and the loss")],
        what="'the final objective is to compute z^2'",
    )


def _assignments(source: str) -> list[tuple[str, str]]:
    """(name, line) for each ``name = ...`` line of a cell, in order."""
    out = []
    for line in source.splitlines():
        head, sep, _ = line.partition(" = ")
        if sep and head.isidentifier():
            out.append((head, line))
    return out


def _decide_b2_printed() -> Decision:
    """Each row of P - onehot sums to 0, so after one step from b2 = 0 the entries of b2 sum to 0.

    The printed b2 has 9 significant digits; its sum must be 0 within the printing error.
    """
    z = matrix("z2", 1, 3)
    row_sum = sum(softmax(list(z))) - 1  # sum over k of (p_k - I(k = y)) for any label y
    if not is_zero(row_sum):
        return Decision(Verdict.UNDECIDED, "sum of a softmax row did not simplify to 1")
    printed = [sp.Rational("-1.30325831e-06"), sp.Rational("-2.09805232e-05"),
               sp.Rational("2.22837815e-05")]
    # half a unit in the 9th significant digit of each printed value
    bound = sum(sp.Rational(5, 10 ** (9 - sp.floor(sp.log(abs(v), 10)))) for v in printed)
    total = sum(printed)
    if abs(total) <= bound:
        return Decision(
            Verdict.PROVEN,
            f"every row of P - onehot sums to 0 (proven), so b2 = -lr * db2 sums to 0; the "
            f"printed b2 sums to {total}, within the printing error {sp.N(bound, 3)}",
        )
    return Decision(
        Verdict.REFUTED,
        f"the printed b2 sums to {total}, beyond the printing error {sp.N(bound, 3)}",
        counterexample=Counterexample(point={"b2": str(printed)}, stated=str(total), correct="0"),
    )


def decide_update_code(source: str = CELLS[19]) -> Decision:
    """Run In [19] (or ``source``) on symbolic parameters and gradients; expect w - lr * dw."""
    ns: dict[str, Any] = {"lr": 1}
    for p, (r, c) in {"w1": (2, 2), "b1": (1, 2), "w2": (2, 3), "b2": (1, 3)}.items():
        ns[p] = symbol_array(p, r, c)
        ns[f"d{p}"] = symbol_array(f"d{p}", r, c)
    eta = sp.Symbol("eta", positive=True)
    ns["lr"] = eta
    env = run_cell(source, ns)
    for p in ("w1", "b1", "w2", "b2"):
        expected = as_matrix(ns[p]) - eta * as_matrix(ns[f"d{p}"])
        d = _compare(expected, as_matrix(env[p]), what=f"In [19]'s new {p}",
                     against="w - lr * dw", where="symbolic parameters, gradients and lr")
        if d.verdict is not Verdict.PROVEN:
            return d
    reads = names_read(source)
    return Decision(
        Verdict.PROVEN,
        "In [19] executed on symbolic parameters and gradients gives w - lr * dw for all four "
        f"parameters; it reads {sorted(reads - {'lr'})} and recomputes no gradient, so every "
        "step uses the gradients of the current iterate (In [13]-[17])",
        evidence=("cell executed on symbolic arrays",),
    )


def decide_update_text(*, dw1_divided_by_m: bool = False) -> Decision:
    """The text's ``w^1 = w^1 - eta dw^1 (1/m)`` against gradient descent on the mean loss.

    The text's ``dw^1`` is ``dL/dw^1 = dz^1 * x`` with no 1/m (the summed loss's gradient):
    the update's 1/m is the division the code performs (In [13], In [17]). With
    ``dw1_divided_by_m`` the code's ``dw1 = x^T dz1 / m`` is put in the text's formula
    instead, which divides by m twice (a mutant: refuted at the document's m = 300).
    """
    w, eta, g = sp.symbols("w eta g", real=True)
    J = g * w / M  # the mean loss near w: its summed-loss gradient x^T dz1 is g
    gd_step = w - eta * sp.diff(J, w)  # gradient descent on J with rate eta
    dw1 = g / M if dw1_divided_by_m else g  # In [17]: dw1 = np.dot(x.T, dz1)/ m
    name = "In [17]'s dw1 (already divided by m)" if dw1_divided_by_m else "dw^1 = x^T dz^1"
    return _compare(sp.Matrix([gd_step]), sp.Matrix([w - eta * dw1 * sp.Rational(1, M)]),
                    what=f"w - eta * dw^1 * 1/m with {name}",
                    where="w, eta, g symbols; m = 300",
                    against="one gradient-descent step on the mean loss, w - eta dJ/dw")


def _decide_update_text() -> Decision:
    return decide_readings(
        [literal("dw^1 is the text's dL/dw^1 = dz^1 * x, the summed-loss gradient (no 1/m)",
                 decide_update_text())],
        what="the update w^1 = w^1 - eta * dw^1 * 1/m",
    )


def _decide_average_verbal() -> Decision:
    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        m, h, n = dims
        A, G = matrix("A", m, h), matrix("G", m, n)
        per_sample = sum((A.row(i).T * G.row(i) for i in range(m)), sp.zeros(h, n))
        return per_sample / m, A.T * G / m

    return decide_matrix(
        build, n_dims=3,
        what="the average over the m samples of the per-sample gradients a1_i^T dz2_i",
    )


def _like_softmax_classifier() -> Decision:
    """Layer 2's dw, db are the softmax classifier's (dz times the local derivative), a1 as x."""
    s = _sample()
    dz = s.grad["z2"]  # the classifier's p - onehot (decided in 002-dz2-rows)
    first = _compare(s.grad["w2"], dz * s.jac[("z2", "w2")],
                     what="the softmax classifier's dW with x replaced by a1")
    if first.verdict is not Verdict.PROVEN:
        return first
    return _compare(s.grad["b2"], dz * s.jac[("z2", "b2")],
                    what="the softmax classifier's db for layer 2")


# ----------------------------------------------------------------------------------------
# readings of products written in scalar notation


def _affine_fix_build(which: str) -> Build:
    """Dims (m, n_in, n_out) -> (dL/dW or dL/dA of z = A W + b, A^T G or G W^T); summed loss."""

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        m, n_in, n_out = dims
        g = _affine(n_out, n_in, m, "sum")
        return (g.dW, g.A.T * g.G) if which == "dW" else (g.dA, g.G * g.W.T)

    return build


def _product_readings(
    left: str, right: str, shapes: Mapping[str, Dims], fix: str, corrected: tuple[str, str],
    *, statement: str, what: str,
) -> Decision:
    """``left * right`` with the document's arrays (undefined), and the transposed product.

    Literal: the matrix and the elementwise product of the code's arrays, the shapes the
    document states next to the formula. Intended: ``corrected`` (a transpose added), proven
    entrywise as the summed loss's gradient (``fix`` is ``"dW"`` or ``"dA"``).
    """
    a, b = mat(left, *shapes[left]), mat(right, *shapes[right])
    ca = mat(corrected[0].removesuffix(".T"), *shapes[corrected[0].removesuffix(".T")])
    cb = mat(corrected[1].removesuffix(".T"), *shapes[corrected[1].removesuffix(".T")])
    ca = ca.T if corrected[0].endswith(".T") else ca
    cb = cb.T if corrected[1].endswith(".T") else cb
    pair = f"{corrected[0]} @ {corrected[1]}"
    matrix_reading = decide_shape(
        lambda: a * b, _shape_after(corrected, shapes), what=f"{left} @ {right}",
        corrected=lambda: ca * cb, corrected_latex=pair,
    )
    elementwise = decide_shape(
        lambda: sp.HadamardProduct(a, b), _shape_after(corrected, shapes),
        what=f"{left} * {right} elementwise", corrected=lambda: ca * cb, corrected_latex=pair,
    )
    repaired = decide_matrix(_affine_fix_build(fix), n_dims=3,
                             what=f"{pair} as the summed loss's gradient")
    return decide_readings(
        [
            literal(f"matrix product with the code's arrays {left} {shapes[left]}, "
                    f"{right} {shapes[right]}", matrix_reading),
            literal("elementwise product with the code's arrays", elementwise),
            intended(f"a transpose added: {pair}", repaired, statement=statement),
        ],
        what=what,
    )


def _shape_after(pair: tuple[str, str], shapes: Mapping[str, Dims]) -> Dims:
    first = shapes[pair[0].removesuffix(".T")]
    second = shapes[pair[1].removesuffix(".T")]
    rows = first[1] if pair[0].endswith(".T") else first[0]
    cols = second[0] if pair[1].endswith(".T") else second[1]
    return (rows, cols)


#: the arrays' shapes in the code (In [3]-[17])
SHAPES = MappingProxyType({"x": (M, D), "w1": (D, H), "z1": (M, H), "a1": (M, H),
                           "dz1": (M, H), "w2": (H, N), "dz2": (M, N)})


def _db_build(summed: bool) -> Build:
    """Dims (m, n) -> (dL/db of z = A W + b, dz as it stands or its rows summed, 1^T dz)."""

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        m, n = dims
        g = _affine(n, 1, m, "sum")
        return g.db, sp.ones(1, m) * g.G if summed else g.G

    return build


def _db_equals_dz(statement: str) -> Decision:
    """``db = dz * 1`` for the document's batch (m = 300 rows): refuted, the rows need a sum.

    One sample (m = 1) is not the document's shape ("the shape of dz^2 is (300, 3)"); the
    repair is the sum over the rows the document goes on to take.
    """
    many = [s for s in matrix_shapes(2) if s[0] > 1]
    as_written = decide_matrix(_db_build(False), n_dims=2, shapes=many, what="db = dz")
    if as_written.verdict is Verdict.REFUTED and as_written.counterexample is None:
        correct, stated = _db_build(False)(many[0])  # decide_matrix names no point for shapes
        as_written = replace(as_written, counterexample=Counterexample(
            point={"(m, n)": str(many[0])}, stated=f"shape {stated.shape}",
            correct=f"shape {correct.shape}"))
    return decide_readings(
        [literal("db = dz for the document's batch (m >= 2 rows)", as_written),
         intended("the rows of dz summed, as the document goes on to do",
                  decide_matrix(_db_build(True), n_dims=2, what="db = 1^T dz"),
                  statement=statement)],
        what="db = dz (no sum over the samples)",
    )


def _z_formula_readings(w: str, a: str, b: str, layer: tuple[int, int], *, statement: str,
                        what: str) -> Decision:
    n_in, n_out = layer
    rows_a = SHAPES["x"] if a == "x" else SHAPES[a]
    code = decide_shape(
        lambda: np_add(mat(w, n_in, n_out) * mat(a, *rows_a), mat(b, 1, n_out)), (M, n_out),
        what=f"{w} @ {a} + {b} with the code's arrays",
    )

    def columns(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        o, i = dims
        W, av, bv = matrix("W", o, i), matrix("a", i, 1), matrix("b", o, 1)
        row = av.T * W.T + bv.T  # the code's z for this sample, with its w = W^T
        return row.T, W * av + bv

    cols = decide_matrix(columns, n_dims=2, what=f"{w} a + b with {w} of shape (n_out, n_in)")
    return decide_readings(
        [literal(f"matrix product with the code's arrays {w} {(n_in, n_out)}, {a} {rows_a}",
                 code),
         intended(f"columns layout: one sample as a column, {w} of shape (n_out, n_in) = the "
                  f"code's {w}.T", cols, statement=statement)],
        what=what,
    )


def _local_jacobian_entries(kind: str) -> Decision:
    """The local derivatives of z = a w + b (rows layout) entry by entry."""

    def build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        m, i, o = dims
        g = _affine(o, i, m, "sum")
        Z = g.A * g.W + sp.ones(m, 1) * g.b
        if kind == "w":  # dz_rk / dw_jl = a_rj [k = l]
            var, stated = g.W, lambda r, k, j, l_: g.A[r, j] * (1 if k == l_ else 0)
        elif kind == "b":  # dz_rk / db_l = [k = l]
            var, stated = g.b, lambda r, k, j, l_: 1 if k == l_ else 0
        else:  # dz_rk / da_sj = w_jk [r = s]
            var, stated = g.A, lambda r, k, s, j: g.W[j, k] * (1 if r == s else 0)
        rows = [(r, k) for r in range(m) for k in range(o)]
        cols = [(p, q) for p in range(var.shape[0]) for q in range(var.shape[1])]
        correct = sp.Matrix(len(rows), len(cols),
                            lambda u, v: sp.diff(Z[rows[u]], var[cols[v]]))
        want = sp.Matrix(len(rows), len(cols), lambda u, v: stated(*rows[u], *cols[v]))
        return correct, want

    return decide_matrix(build, n_dims=3, what=f"the local derivatives of z w.r.t. {kind}")


def _dz2_da1_readings() -> Decision:
    J, w2 = _flat_jacobian_one_sample(2, 3)
    as_matrix_ = _compare(J, w2, what="w2 (h x n)", against="the Jacobian dz2/da1 (n x h)",
                          where="one sample, h = 2, n = 3",
                          corrected=w2.T, corrected_latex=r"\partial z^2/\partial a^1 = w^{2^T}")
    # the document multiplies its derivatives left to right (dL/dz2 * dz2/da1 = "dz^2 * w^2"),
    # so the literal reading is the (n, h) Jacobian of one sample, which is w2^T
    return decide_readings(
        [literal("as the Jacobian matrix of one sample (n x h), in the order the document's "
                 "chains multiply it", as_matrix_),
         intended("w^2 transposed: the Jacobian is w2^T",
                  _compare(J, w2.T, what="w2^T (n x h)", against="the Jacobian dz2/da1 (n x h)",
                           where="one sample, h = 2, n = 3"),
                  statement=r"\frac{\partial z^2}{\partial a^1} = w^{2^T}"),
         intended("entrywise: dz2_ik / da1_ij = w2_jk", _local_jacobian_entries("a"),
                  statement=r"\frac{\partial z^2_{ik}}{\partial a^1_{ij}} = w^2_{jk}")],
        what="dz^2/da^1 = w^2",
    )


def _flat_jacobian_one_sample(h: int, n: int) -> tuple[sp.Matrix, sp.Matrix]:
    g = _affine(n, h, 1, "sum")
    z = g.A * g.W + g.b
    return _flat(z).jacobian(_flat(g.A)), g.W


def _da1_w2T_dz2() -> Decision:
    rows = decide_shape(lambda: mat("w2", H, N).T * _dz2(), (M, H),
                        what="w2.T @ dz2 with the code's arrays",
                        corrected=lambda: _dz2() * mat("w2", H, N).T, corrected_latex="dz2 @ w2.T")
    own = decide_shape(
        lambda: mat("w2", H, N).T * mat("dz2", N, M), (H, M),
        what="w^{2T} dz^2 in columns layout with z^2 = w^{2T} a^1 (w^2 (h, n), dz^2 (n, m))",
        corrected=lambda: mat("w2", H, N) * mat("dz2", N, M), corrected_latex="w^2 dz^2",
    )

    def columns(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        n_out, n_in, m = dims
        from derivations.symbolic import affine_grads

        g = affine_grads(n_out, n_in, m, layout="columns")
        return g.dA_prev, g.W.T * g.G

    cols = decide_matrix(columns, n_dims=3,
                         what="W^T dZ in columns layout with z^2 = W a^1 + b (W of shape (n, h))")
    code = decide_matrix(_affine_fix_build("dA"), n_dims=3,
                         what="dz2 @ w2.T (In [15]) as the gradient w.r.t. a1")
    return decide_readings(
        [literal("rows layout, the code's arrays", rows),
         literal("columns layout with the text's z^2 = w^{2^T} a^1 + b^2", own),
         intended("the order and transpose of In [15], dz2 @ w2.T", code,
                  statement=r"da^1 = dz^2 w^{2^T}"),
         intended("columns layout with z^2 = w^2 a^1 + b^2 (w^2 renamed, of shape (n, h))",
                  cols, statement=r"da^1 = w^{2^T} dz^2 \text{ with } w^2 \text{ of shape } "
                  r"(n, h)")],
        what="da^1 = w^{2^T} * dz^2",
    )


def _sz2_readings() -> Decision:
    typo = _chain([("L", "a2"), ("a2", "z2")], "z2", what="dL/da2 * da2/dz2 as dz^2")
    s_sym = sp.Symbol("s", real=True)
    z = matrix("z2", 1, 3)
    grad = sp.Matrix([[sp.diff(-sp.log(softmax(list(z))[0]), v) for v in z]])
    at_zero = {v: 0 for v in z}
    g0 = grad.subs(at_zero).applyfunc(sp.simplify)
    sz0 = (s_sym * z).subs(at_zero)
    nonzero = [k for k in range(3) if g0[k] != sz0[k]]
    as_product = Decision(
        Verdict.REFUTED if nonzero else Verdict.UNDECIDED,
        f"at z2 = 0, dL/dz2 = {list(g0)} while s * z2 = 0 for every s",
        counterexample=Counterexample(
            point={"z2": "(0, 0, 0)", "y": "0"}, stated="s * z2 = (0, 0, 0)",
            correct=str(list(g0)),
        ) if nonzero else None,
    )
    return decide_readings(
        [literal("sz^2 is a scalar s times z^2", as_product),
         intended("sz^2 is a typo for dz^2", typo, statement=r"\frac{\partial L}{\partial a^2}"
                  r" \frac{\partial a^2}{\partial z^2} = dz^2")],
        what="dL/da^2 * da^2/dz^2 = sz^2",
    )


def _chain_dz2_readings() -> Decision:
    """``*`` between derivatives is the document's chain product (it writes a^{1T} * dz^2)."""
    jac = _chain([("L", "a2"), ("a2", "z2")], "z2", what="dL/da2 @ da2/dz2 (Jacobian product)")
    return decide_readings(
        [literal("* is the product with the Jacobian of softmax", jac)],
        what="dL/dz2 = dL/da2 * da2/dz2",
    )


def chain_dz2_elementwise() -> Decision:
    """A misreading of 002-chain-dz2 (a mutant): softmax's Jacobian taken as diagonal."""
    s = _sample()
    diag = sp.Matrix([[s.jac[("L", "a2")][k] * s.jac[("a2", "z2")][k, k] for k in range(2)]])
    return _compare(s.grad["z2"], diag, what="dL/da2 * diag(da2/dz2) (elementwise product)")


def _mislabel_readings() -> Decision:
    as_written = _chain([("L", "a2"), ("a2", "z1"), ("z2", "a1")], "a1",
                        what="dL/da2 @ da2/dz1 @ dz2/da1")
    s = _sample()
    if as_written.verdict is Verdict.REFUTED:
        fix = s.jac[("L", "a2")] * s.jac[("a2", "z2")] * s.jac[("z2", "a1")]
        as_written = replace(
            as_written,
            corrected=r"da^1 = \frac{\partial L}{\partial a^2} \frac{\partial a^2}"
            r"{\partial z^2} \frac{\partial z^2}{\partial a^1}",
            corrected_check=_compare(s.grad["a1"], fix, what="the corrected chain"),
        )
    typo = _chain([("L", "a2"), ("a2", "z2"), ("z2", "a1")], "a1",
                  what="dL/da2 @ da2/dz2 @ dz2/da1")
    return decide_readings(
        [literal("as written, with da^2/dz^1", as_written),
         intended("da^2/dz^1 is a typo for da^2/dz^2", typo,
                  statement=as_written.corrected or "")],
        what="da^1 = dL/da^2 * da^2/dz^1 * dz^2/da^1",
    )


def _dz_per_sample() -> Decision:
    def build(reduction: str, dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        m, n = dims
        _, P, grad = _ce_rows(m, n, reduction)
        return grad[0, :], P[0, :] - _onehot(m, n)[0, :]

    def run(reduction: str, m: int) -> Decision:
        shapes = [(m, n) for n in (1, 2, 3)]
        return decide_matrix(functools.partial(build, reduction), n_dims=2, shapes=shapes,
                             what="p_i - I(i = y) for the first sample")

    return decide_conventions(
        [({"loss": "per-sample L (or summed over samples)"}, lambda: run("sum", 2)),
         ({"loss": "J = mean of L over m = 2 samples"}, lambda: run("mean", 2))],
        what="dz = p_i - I(i = y)",
    )



def _rowwise_build(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
    """Dims (m, d, h) -> (entry (i, j) as the text says it, x @ w1 + b1 broadcast).

    The text: row i of x times column j of w1, plus b1_j.
    """
    m, d, h = dims
    x, w1, b1 = matrix("x", m, d), matrix("w1", d, h), matrix("b1", 1, h)
    said = sp.Matrix(m, h, lambda i, j: (x.row(i) * w1.col(j))[0, 0] + b1[0, j])
    return said, x * w1 + sp.ones(m, 1) * b1


def _z2_transposed_readings() -> Decision:
    code = decide_shape(
        lambda: np_add(mat("w2", H, N).T * mat("a1", M, H), mat("b2", 1, N)), (M, N),
        what="w2.T @ a1 + b2 with the code's arrays w2 (4, 3), a1 (300, 4), b2 (1, 3)",
        corrected=_z2, corrected_latex="z^2 = a^1 w^2 + b^2",
    )

    def column(dims: Dims) -> tuple[sp.Matrix, sp.Matrix]:
        h, n = dims
        w2, a, b = matrix("w2", h, n), matrix("a1", 1, h), matrix("b2", 1, n)
        return (a * w2 + b).T, w2.T * a.T + b.T

    one = decide_matrix(column, n_dims=2,
                        what="w2^T a1 + b2 for one sample as a column (the code's z2 row, "
                             "transposed)")
    return decide_readings(
        [literal("rows layout, the code's arrays", code),
         intended("columns layout: one sample a^1 as an (h, 1) column, b^2 as (n, 1)", one,
                  statement=r"z^2 = a^1 w^2 + b^2 \text{ (In [9]); } w^{2^T} a^1 + b^2 "
                  r"\text{ holds for one sample as a column}")],
        what="z^2 = w^{2^T} * a^1 + b^2",
    )


def _decide_da1_target() -> Decision:
    operands = {"dz2": _dz2(), "w2": mat("w2", H, N)}
    stated = decide_product_orientation(operands, (H, N), None,
                                        what="dz2 and w2 multiplied to shape (4, 3)")
    if stated.verdict is not Verdict.REFUTED:
        return stated
    check = decide_product_orientation(operands, (M, H), "dz2 @ w2.T",
                                       what="dz2 and w2 multiplied to the shape of a1, (300, 4)")
    return replace(stated, corrected="dz^2 w^{2^T}, of shape (300, 4) = the shape of a^1",
                   corrected_check=check)


def _decide_kink() -> Decision:
    x = np.array([[0.0, 0.0], [-0.00065, 0.01008]])  # In [2]'s first two rows
    env = run_cell(CELLS[5] + "\n" + CELLS[6], {"np": numpy_with_rng(0), "x": x, "d": D, "h": H})
    z1 = as_matrix(env["z1"][:1])
    if all(v == 0 for v in z1):
        return Decision(
            Verdict.PROVEN,
            f"In [5] + In [6] on the spiral's first point (0, 0) give z1[0] = {list(z1)} "
            "exactly (b1 = 0): ReLU is not differentiable there, so In [16]'s mask decides "
            "its derivative (0)",
            evidence=("cells executed",),
        )
    return Decision(
        Verdict.REFUTED, f"z1[0] = {list(z1)} is not 0",
        counterexample=Counterexample(point={"x": "(0, 0)"}, stated="0", correct=str(list(z1))),
    )


def _decide_lr() -> Decision:
    lr = run_cell(CELLS[18], {})["lr"]
    value = sp.nsimplify(lr)
    return decide_holds(
        value == 1,
        f"lr = 1e-0 evaluates to {value}: the learning rate is {value}",
    )


def _decide_reads(target: str, name: str) -> Decision:
    deps = dependencies(*(CELLS[c] for c in BACKWARD_CELLS))
    ok = name in deps.get(target, frozenset())
    return decide_holds(
        ok,
        f"{target} is assigned from {sorted(deps.get(target, frozenset()))}",
        evidence=("assignments parsed with ast",),
    )



#: dimension tuples (d, h, n, m) for the end-to-end check: 1 x 1 first, then a batch with two
#: classes (where the reductions differ), one sample, non-square
NETWORK_SHAPES = ((1, 1, 1, 1), (1, 1, 2, 2), (2, 1, 1, 1), (1, 2, 1, 1), (1, 1, 2, 1),
                  (2, 2, 2, 1))


def _object(matrix_: sp.Matrix) -> np.ndarray:
    out = np.empty(matrix_.shape, dtype=object)
    for idx in np.ndindex(*matrix_.shape):
        out[idx] = matrix_[idx]
    return out


def code_backward(net: Any) -> dict[str, sp.Matrix]:
    """The document's backward pass, In [12] to In [17], run on a symbolic network.

    Every cell runs verbatim on object arrays except In [16]'s mask ``da1[z1 <= 0] = 0``,
    which cannot compare symbols with 0: it is replaced by ``da1 * Heaviside(z1)``, its
    value away from z1 = 0 (claim ``002-code-relu-mask`` decides the mask itself).

    Parameters
    ----------
    net : derivations.networks.SymbolicNetwork
        Rows layout, sizes (d, h, n), activations (relu, softmax), loss "ce".

    Returns
    -------
    dict
        ``{"W1": dw1, "b1": db1, "W2": dw2, "b2": db2}`` as SymPy matrices.
    """
    labels = np.array([list(row).index(1) for row in net.Y.tolist()])
    ns = {"probs": _object(net.A[-1]), "m": net.m, "y": labels, "a1": _object(net.A[1]),
          "w2": _object(net.params["W2"]), "x": _object(net.X)}
    env = run_cell("\n".join(CELLS[c] for c in (12, 13, 14, 15)), ns)
    dz1 = as_matrix(env["da1"]).multiply_elementwise(net.Z[0].applyfunc(sp.Heaviside))
    env = run_cell(CELLS[17], {**env, "dz1": _object(dz1)})
    return {"W1": as_matrix(env["dw1"]), "b1": as_matrix(env["db1"]),
            "W2": as_matrix(env["dw2"]), "b2": as_matrix(env["db2"])}


def _decide_network() -> Decision:
    from derivations.networks import decide_network, gradients, network, stacked

    options = {"layout": "rows", "activations": ("relu", "softmax"), "loss": "ce"}
    what = "the code's dw1, db1, dw2, db2 (In [12]-[17])"

    def mean() -> Decision:  # the shared end-to-end builder, under the document's reduction
        return decide_network(code_backward, n_layers=2, shapes=NETWORK_SHAPES,
                              reduction="mean", what=what, **options)

    def summed() -> Decision:  # the same comparison, counterexample search before simplify
        for dims in NETWORK_SHAPES:
            net = network(dims[:-1], dims[-1], reduction="sum", **options)
            d = _compare(stacked(gradients(net), net.params),
                         stacked(code_backward(net), net.params), what=what,
                         where=f"(d, h, n, m) = {dims}")
            if d.verdict is not Verdict.PROVEN:
                return d
        return d

    return decide_conventions(
        [(MEAN, mean), (SUM, summed)],
        what="In [12]-[17] give the gradient of the loss w.r.t. w1, b1, w2, b2",
    )


# ----------------------------------------------------------------------------------------
# NumPy forms


def _numpy_dz2() -> Callable[..., Any]:
    m, n = sp.symbols("m n", integer=True, positive=True)
    P, Y = sp.MatrixSymbol("probs", m, n), sp.MatrixSymbol("onehot", m, n)
    return numpy_form(
        (P, Y), P - Y,
        "dz2 = probs - onehot (the document's dz^2 = p_i - I(i = y), summed-loss gradient).\n\n"
        "Arguments: probs (m, n) softmax probabilities by rows, onehot (m, n) one-hot labels.")


def _numpy_dw2_text() -> Callable[..., Any]:
    m, h, n = sp.symbols("m h n", integer=True, positive=True)
    A, G = sp.MatrixSymbol("a1", m, h), sp.MatrixSymbol("dz2", m, n)
    return numpy_form(
        (A, G), A.T * G,
        "dw2 = a1.T @ dz2 (the text's a^{1T} * dz^2, no 1/m: the summed-loss gradient).\n\n"
        "Arguments: a1 (m, h), dz2 (m, n). Returns (h, n).")


def _numpy_db2_average() -> Callable[..., Any]:
    m, n = sp.symbols("m n", integer=True, positive=True)
    G = sp.MatrixSymbol("dz2", m, n)
    return numpy_form((G, m), sp.OneMatrix(1, m) * G / m,
                      "db2 = (column sums of dz2) / m (mean-loss gradient).\n\n"
                      "Arguments: dz2 (m, n), m (int, the number of rows). Returns (1, n).")


def _numpy_cell(cell: int, output: str, args: tuple[str, ...], doc: str) -> Callable[..., Any]:
    """Run the statement of cell ``cell`` that assigns ``output``, on the arguments ``args``."""
    lines = [ln for ln in CELLS[cell].splitlines() if ln.startswith(f"{output} = ")]
    source = "\n".join(lines) if cell == 17 else CELLS[cell]

    def f(*values: Any) -> Any:
        if len(values) != len(args):
            raise TypeError(f"expected {len(args)} arguments {args}, got {len(values)}")
        return run_cell(source, dict(zip(args, values, strict=True)))[output]

    f.__doc__ = f"{output} as computed by the document's In [{cell}], run as written.\n\n{doc}"
    f.__name__ = f"cell_{cell}_{output}"
    return f


def _numpy_mask() -> Callable[..., Any]:
    g, z = sp.symbols("da1 z1", real=True)
    return numpy_form((g, z), g * sp.Heaviside(z, 0),
                      "dz1 = da1 * (z1 > 0), elementwise (In [16]'s mask; ReLU'(0) taken as 0).\n\n"
                      "Arguments: da1 (m, h), z1 (m, h). Returns (m, h).")


# ----------------------------------------------------------------------------------------
# the claims


@functools.cache  # immutable display objects, shared by the claims that state them
def _statements() -> Mapping[str, sp.Basic]:
    """The matrix forms as SymPy equations on symbolic-size matrices (for display)."""
    m, d, h, n = sp.symbols("m d h n", integer=True, positive=True)
    x, a1, z1 = sp.MatrixSymbol("x", m, d), sp.MatrixSymbol("a1", m, h), sp.MatrixSymbol(
        "z1", m, h)
    w2 = sp.MatrixSymbol("w2", h, n)
    dz2, dz1 = sp.MatrixSymbol("dz2", m, n), sp.MatrixSymbol("dz1", m, h)
    P, Y = sp.MatrixSymbol("P", m, n), sp.MatrixSymbol("Y", m, n)
    ones = sp.OneMatrix(1, m)
    return MappingProxyType({
        "dz2": sp.Eq(dz2, P - Y, evaluate=False),
        "dw2-text": sp.Eq(sp.MatrixSymbol("dw2", h, n), a1.T * dz2, evaluate=False),
        "dw2": sp.Eq(sp.MatrixSymbol("dw2", h, n), a1.T * dz2 / m, evaluate=False),
        "db2": sp.Eq(sp.MatrixSymbol("db2", 1, n), ones * dz2 / m, evaluate=False),
        "da1": sp.Eq(sp.MatrixSymbol("da1", m, h), dz2 * w2.T, evaluate=False),
        "dz1": sp.Eq(dz1, sp.HadamardProduct(sp.MatrixSymbol("da1", m, h),
                                             sp.MatrixSymbol("H(z1)", m, h)), evaluate=False),
        "dw1": sp.Eq(sp.MatrixSymbol("dw1", d, h), x.T * dz1 / m, evaluate=False),
        "db1": sp.Eq(sp.MatrixSymbol("db1", 1, h), ones * dz1 / m, evaluate=False),
        "z1": sp.Eq(z1, x * sp.MatrixSymbol("w1", d, h) + sp.OneMatrix(m, 1)
                    * sp.MatrixSymbol("b1", 1, h), evaluate=False),
    })


def _statement(name: str) -> Callable[[], sp.Basic]:
    """The statement ``name`` of :func:`_statements`, built when the claims are built."""
    return lambda: _statements()[name]


P_ = r"\frac{\partial L}{\partial a^2} \frac{\partial a^2}{\partial z^2}"

#: the document's formulas as written (for display), by claim id
LATEX = MappingProxyType({
    "dz2-def": r"dz^2 = \frac{\partial L}{\partial z^2}",
    "chain-dz2": r"\frac{\partial L}{\partial z^2} = " + P_,
    "chain-dz2-p": r"\frac{\partial L}{\partial z^2} = \frac{\partial L}{\partial p} "
    r"\frac{\partial p}{\partial z^2}",
    "chain-dz-j": r"dz = \frac{\partial J}{\partial p} \frac{\partial p}{\partial z}",
    "chain-dw2": r"dw^2 = " + P_ + r" \frac{\partial z^2}{\partial w^2}",
    "dw2-dz2-chain": r"dw^2 = dz^2 \frac{\partial z^2}{\partial w^2}",
    "z2-formula": r"z^2 = w^{2^T} a^1 + b^2",
    "dz2-dw2-local": r"\frac{\partial z^2}{\partial w^2} = a^1",
    "dw2-dz2-a1": r"dw^2 = dz^2 * a^1",
    "update-double-m": r"w^1 = w^1 - \eta\, dw^1 \frac{1}{m}",
    "chain-db2": r"db^2 = " + P_ + r" \frac{\partial z^2}{\partial b^2}",
    "z2-w2a1": r"z^2 = w^2 * a^1 + b^2",
    "dz2-db2-local": r"\frac{\partial (w^2 a^1 + b^2)}{db^2} = 1",
    "db2-dz2": r"db^2 = " + P_ + r" \cdot 1 = dz^2",
    "chain-da1-mislabel": r"da^1 = \frac{\partial L}{\partial a^2} \frac{\partial a^2}"
    r"{\partial z^1} \frac{\partial z^2}{\partial a^1}",
    "sz2-placeholder": P_ + r" = sz^2",
    "dz2-da1-local": r"\frac{\partial (w^2 a^1 + b^2)}{da^1} = w^2",
    "da1-dz2-w2": r"da^1 = " + P_ + r" w^2 = dz^2 * w^2",
    "da1-w2t-dz2": r"da^1 = w^{2^T} * dz^2",
    "chain-dz1": r"\frac{\partial L}{\partial z^1} = " + P_
    + r" \frac{\partial z^2}{\partial a^1} \frac{\partial a^1}{\partial z^1}",
    "da1-known": P_ + r" \frac{\partial z^2}{\partial a^1} = da^1",
    "chain-dw1": r"\frac{\partial L}{\partial w^1} = dz^1 \frac{\partial z^1}{\partial w^1}",
    "dz1-known": P_ + r" \frac{\partial z^2}{\partial a^1} \frac{\partial a^1}{\partial z^1}"
    r" = dz^1",
    "z1-w1x": r"z^1 = w^1 * x + b^1",
    "dz1-dw1-local": r"\frac{\partial (w^1 x + b^1)}{\partial w^1} = x",
    "dw1-dz1-x": r"\frac{\partial L}{\partial w^1} = dz^1 * x",
    "chain-db1": r"\frac{\partial L}{\partial b^1} = dz^1 \frac{\partial z^1}{\partial b^1}",
    "dz1-db1-local": r"\frac{\partial (w^1 x + b^1)}{\partial b^1} = 1",
    "db1-dz1": r"\frac{\partial L}{\partial b^1} = dz^1 \cdot 1",
})


_FORWARD = (
    Row("loss-ce", "the loss function used is categorical cross entropy",
        "The loss is the categorical cross-entropy of the softmax probabilities, averaged over "
        "the m samples (the code's division by m)",
        lambda: definition("the loss the backward pass differentiates: "
                           "L = -(1/m) sum_i log p_{i, y_i}"),
        kind="definition"),
    Row("final-objective", "The final objective is to compute $z^2$.",
        "The forward pass ends with z^2",
        _decide_final_objective, kind="verbal"),
    Row("dims", "h = 4 # number of neurons in the hidden layer",
        "d = 2 inputs, n = 3 classes, h = 4 hidden units", lambda: definition(
            "sizes used by every shape claim: d = 2, n = 3, h = 4 (m = 300 from In [11])"),
        kind="definition"),
    Row("x-y-shapes", "((300, 2), (300,))",
        "x of shape (300, 2) has the d = 2 columns that x @ w1 needs (w1 is (d, h))",
        lambda: decide_shape(lambda: np_add(_x() * mat("w1", D, H), mat("b1", 1, H)), (M, H),
                             what="x (300, 2) @ w1 (d, h) + b1, defined only if x has d columns"),
        kind="shape"),
    Row("w1-b1-shapes", "w1 = 0.01 * np.random.randn(d, h)",
        "In [5] gives w1 of shape (2, 4) and b1 of shape (1, 4)",
        lambda: _decide_cell_shapes(5, {"d": D, "h": H}, {"w1": (D, H), "b1": (1, H)}),
        kind="code"),
    Row("z1-rowwise",
        "Each row of $x$ is multiplied with each column of $w_1$ and bias is added to the "
        "result of this.",
        "z1[i, j] = (row i of x) . (column j of w1) + b1[j], which is x @ w1 + b1 (rows layout)",
        lambda: decide_matrix(_rowwise_build, n_dims=3, what="x @ w1 + b1 entry by entry"),
        kind="matrix", conventions={"layout": "rows"},
        statement=_statement("z1")),
    Row("z1-shape", "z1 = np.dot(x, w1) + b1", "z1 = x @ w1 + b1 is defined and has shape (300, 4)",
        lambda: decide_shape(_z1, (M, H), what="z1 = x @ w1 + b1 is defined and has shape "
                             "(300, 4)"),
        kind="shape"),
    Row("relu-def", "The ReLU function is applied to $z^1$.",
        "a1 = ReLU(z1) = max(0, z1) entrywise", lambda: definition("ReLU(z) = max(0, z)"),
        kind="definition",
        statement=lambda: sp.Eq(sp.Symbol("a"), relu(sp.Symbol("z", real=True)))),
    Row("code-relu", "a1 = np.maximum(0, z1)",
        "In [7] computes max(0, z1) entrywise, including at z1 = 0",
        _decide_relu_code, kind="code"),
    Row("a1-shape", "# ReLU activation function", "a1 = ReLU(z1) has the shape of z1, (300, 4)",
        lambda: decide_shape(lambda: sp.HadamardProduct(_z1(), sp.OneMatrix(M, H)), (M, H),
                             what="a1 = ReLU(z1) has the shape of z1, (300, 4)"),
        kind="shape"),
    Row("w2-b2-shapes", "w2 = 0.01 * np.random.randn(h, n)",
        "In [8] gives w2 of shape (4, 3) and b2 of shape (1, 3)",
        lambda: _decide_cell_shapes(8, {"h": H, "n": N}, {"w2": (H, N), "b2": (1, N)}),
        kind="code"),
    Row("z2-shape", "$a^1$ is multiplied with $w_2$ and the bias $b^2$ is added to the result.",
        "z2 = a1 @ w2 + b2 is defined and has shape (300, 3)",
        lambda: decide_shape(_z2, (M, N), what="z2 = a1 @ w2 + b2 is defined and has shape "
                             "(300, 3)"),
        kind="shape"),
    Row("code-softmax", "z2_exp = np.exp(z2)",
        "In [10] computes the softmax of each row of z2 (no max subtracted)",
        _decide_softmax_code, kind="code"),
    Row("probs-shape", "probs = a2", "probs = exp(z2) / (row sums) has shape (300, 3)",
        lambda: decide_shape(_probs, (M, N),
                             what="probs = exp(z2) / (row sums) has shape (300, 3)"),
        kind="shape"),
    Row("loss-unchanged", "Will the loss function change?",
        "The loss is still the cross-entropy of the output probabilities",
        lambda: definition("the loss of the two-layer network is the softmax classifier's "
                           "cross-entropy applied to p = softmax(z^2)"),
        kind="definition", depends_on=("002-loss-ce",)),
    Row("gradient-unchanged",
        "No. But, there is an additional requirement to back propagate the gradients for one "
        "additional layer.",
        "The output layer's gradients are the softmax classifier's, with a1 in place of x",
        _like_softmax_classifier, kind="verbal"),
    Row("m-def", "m = y.shape[0]", "m is the number of samples (300)",
        lambda: definition("m = number of rows of x = 300"), kind="definition"),
)


_OUTPUT_LAYER = (
    Row("dz2-def", r"$dz^2 = \frac{\partial L}{\partial z^2}$", "dz^2 names dL/dz^2",
        lambda: definition("dz^2 = dL/dz^2"), kind="definition"),
    Row("chain-dz2",
        r"$\frac{\partial L}{\partial z^2} = \frac{\partial L}{\partial a^2} * "
        r"\frac{\partial a^2}{\partial z^2}$",
        "dL/dz2 = dL/da2 * da2/dz2 (softmax couples all outputs)",
        _chain_dz2_readings, kind="scalar"),
    Row("p-def", "Here, $a^2$ is the output probabilities.", "p = a^2 = softmax(z^2)",
        lambda: definition("p = a^2 = softmax(z^2), row by row"), kind="definition"),
    Row("chain-dz2-p", "Replace $a^2$ with $p$",
        "dL/dz2 = dL/dp @ dp/dz2 with p = a2 (Jacobian product)",
        lambda: _chain([("L", "a2"), ("a2", "z2")], "z2", what="dL/dp @ dp/dz2")),
    Row("chain-dz-j",
        r"$dz = \frac{\partial J}{\partial p} * \frac{\partial p}{\partial z}$",
        "dz = dJ/dp @ dp/dz (J the loss of one sample)",
        lambda: _chain([("L", "a2"), ("a2", "z2")], "z2", what="dJ/dp @ dp/dz")),
    Row("dz-softmax-ce", "The derivative came out to be, $dz = (p_i - I(i = y))$",
        "The derivative of the cross-entropy w.r.t. the logits of a sample is p_i - I(i = y)",
        _dz_per_sample,
        statement=lambda: sp.Eq(sp.Symbol("dz_i"), sp.Symbol("p_i") - sp.Symbol("I(i=y)"))),
    Row("dz2-rows", "Hence, $dz^2 = (p_i - I(i = y))$.",
        "dz2 = P - onehot(y) for the whole batch (m x n), rows layout",
        lambda: _matrix_conventions(build_dz2, 2, first="mean",
                                    what="dz2 = P - onehot(y)"),
        kind="matrix", numpy=_numpy_dz2,
        statement=_statement("dz2")),
    Row("code-dz2", "dz2[range(m), y] -= 1",
        "In [10] then In [12], run on a symbolic z2, give dz2 = dL/dz2",
        lambda: _matrix_conventions(build_code_dz2, 2, first="mean",
                                    what="In [12]'s dz2"),
        kind="code",
        numpy=lambda: _numpy_cell(12, "dz2", ("probs", "m", "y"),
                                  "Arguments: probs (m, n) float, m int, y (m,) int labels. "
                                  "Returns probs - onehot(y) (m, n); probs is copied first."),
        statement=_statement("dz2")),
    Row("code-probs-alias", "dz2 = probs",
        "After In [12], probs (and a2) still hold the softmax probabilities",
        _decide_probs_alias, kind="code"),
    Row("dz2-shape", "(i.e., in this case `(300, 3)`)",
        "dz2 has the shape of probs, (m, n) = (300, 3)",
        lambda: decide_shape(lambda: _probs() - sp.OneMatrix(M, N), (M, N),
                             what="dz2 has the shape of probs, (m, n) = (300, 3)"),
        kind="shape"),
    Row("like-softmax-classifier",
        "will also be similar to $dw$ and $db$ as it was in the softmax classifier",
        "dw2 and db2 are the softmax classifier's dw and db with a1 in place of x",
        _like_softmax_classifier, kind="scalar", depends_on=("002-gradient-unchanged",)),
    Row("chain-dw2",
        r"\frac{\partial a^2}{\partial z^2} * \frac{\partial z^2}{\partial w^2}$.",
        "dw2 = dL/da2 * da2/dz2 * dz2/dw2 (chain rule)",
        lambda: _chain([("L", "a2"), ("a2", "z2"), ("z2", "w2")], "w2",
                       what="dL/da2 @ da2/dz2 @ dz2/dw2")),
    Row("dw2-dz2-chain", r"$dw^2 = dz^2 * \frac{\partial z^2}{\partial w^2}$.",
        "dw2 = dz2 * dz2/dw2",
        lambda: _compare(_sample().grad["w2"], _sample().grad["z2"] * _sample().jac[("z2", "w2")],
                         what="dz2 @ dz2/dw2")),
    Row("z2-formula", r"Here, $z^2 = w^{2^T} * a^1 + b^2$.",
        "z2 = w2^T * a1 + b2",
        _z2_transposed_readings, kind="shape"),
    Row("dz2-dw2-local", r"So, $\frac{\partial z^2}{\partial w^2} = a^1$",
        "Each local derivative dz2_ik/dw2_jk is a1_ij (and 0 across outputs)",
        lambda: _local_jacobian_entries("w"), kind="matrix"),
    Row("dw2-dz2-a1", r"$dw^2 = \frac{\partial L}{\partial w^2} = dz^2 * a^1$",
        "dw2 = dz2 * a1",
        lambda: _product_readings("dz2", "a1", SHAPES, "dW", ("a1.T", "dz2"),
                                  statement=r"dw^2 = a^{1^T} dz^2", what="dw^2 = dz^2 * a^1")),
    Row("dz2-a1-shapes",
        "The shape of $dz^2$ = `(300, 3)` and the shape of $a^1$ = `(300, 4)`.",
        "dz2 is (300, 3) and a1 is (300, 4)",
        lambda: decide_shapes({"dz2": _probs, "a1": lambda: sp.HadamardProduct(
            _z1(), sp.OneMatrix(M, H))}, {"dz2": (M, N), "a1": (M, H)}, what="shapes"),
        kind="shape"),
    Row("dw2-shape", "Therefore, the shape of $dw^2$ should be same as $w^2$, i.e., `(4, 3)`.",
        "dw2 = a1.T @ dz2 / m has the shape of w2, (4, 3)",
        lambda: decide_shape(lambda: mat("a1", M, H).T * _dz2() / M, (H, N),
                             what="dw2 = a1.T @ dz2 / m has the shape of w2, (4, 3)"),
        kind="shape"),
    Row("dw2-orientation",
        "Therefore, the transpose of $a^1$ is multiplied with $dz^2$, $a^{1^T} * dz^2$.",
        "Of all products of dz2 and a1 (transposed or not), only a1.T @ dz2 has shape (4, 3)",
        lambda: decide_product_orientation(
            {"dz2": _dz2(), "a1": mat("a1", M, H)}, (H, N), "a1.T @ dz2",
            what="dz2 and a1 multiplied to shape (4, 3)"),
        kind="shape"),
    Row("dw2-rows", r"$a^{1^T} * dz^2$",
        "dw2 = a1^T dz2 (no 1/m) in rows layout",
        lambda: _matrix_conventions(build_dw2_text, 3, first="mean",
                                    what="dw2 = a1^T dz2"),
        kind="matrix", numpy=_numpy_dw2_text,
        statement=_statement("dw2-text")),
    Row("code-dw2", "dw2 = np.dot(a1.T, dz2)/ m",
        "In [13] computes dL/dw2 from dz2",
        lambda: _matrix_conventions(build_code_dw2, 3, first="mean", what="In [13]'s dw2"),
        kind="code",
        numpy=lambda: _numpy_cell(13, "dw2", ("a1", "dz2", "m"),
                                  "Arguments: a1 (m, h), dz2 (m, n), m int. Returns (h, n)."),
        statement=_statement("dw2")),
    Row("divide-by-m-average",
        "the average is taken by dividing the total number of data points",
        "a1^T dz2 / m is the average over the samples of the per-sample gradients",
        _decide_average_verbal, kind="verbal"),
    Row("update-double-m", r"$w^1 = w^1 - \eta * dw^1 *\frac{1}{m}$",
        "The update w1 = w1 - eta * dw1 / m is gradient descent on the mean loss",
        _decide_update_text, kind="update"),
    Row("chain-db2",
        r"\frac{\partial a^2}{\partial z^2} * \frac{\partial z^2}{\partial b^2}$",
        "db2 = dL/da2 * da2/dz2 * dz2/db2 (chain rule)",
        lambda: _chain([("L", "a2"), ("a2", "z2"), ("z2", "b2")], "b2",
                       what="dL/da2 @ da2/dz2 @ dz2/db2")),
    Row("z2-w2a1", r"\frac{\partial (w^2 * a^1 + b^2)}{db^2}",
        "z2 = w2 * a1 + b2 (as written inside the derivatives)",
        lambda: _z_formula_readings("w2", "a1", "b2", (H, N), statement="z^2 = a^1 w^2 + b^2",
                                    what="z^2 = w^2 * a^1 + b^2"),
        kind="shape"),
    Row("dz2-db2-local", r"\frac{\partial (w^2 * a^1 + b^2)}{db^2} = 1$",
        "Each local derivative dz2_ik/db2_k is 1 (and 0 across outputs)",
        lambda: _local_jacobian_entries("b"), kind="matrix"),
    Row("db2-dz2", r"\frac{\partial a^2}{\partial z^2} * 1 = dz^2$",
        "db2 = dz2",
        lambda: _db_equals_dz(r"db^2 = \sum_i dz^2_{i,:} = 1^T dz^2"), kind="matrix"),
    Row("db2-shape", "the shape of $db^2$ will be same as $b^2$, i.e., `(1, 3)`",
        "db2 = column sums of dz2 / m has the shape of b2, (1, 3)",
        lambda: decide_shape(lambda: np_sum(_dz2(), axis=0) / M, (1, N),
                             what="db2 = column sums of dz2 / m has the shape of b2, (1, 3)"),
        kind="shape"),
    Row("db2-sum-average",
        "the derivatives have to summed up across the rows and then average of them has to "
        "taken",
        "db2 = (sum of the rows of dz2) / m, the gradient of the mean loss",
        lambda: _matrix_conventions(build_db2_average, 2, first="mean",
                                    what="db2 = 1^T dz2 / m"),
        kind="matrix", numpy=_numpy_db2_average,
        statement=_statement("db2")),
    Row("code-db2", "db2 = np.sum(dz2, axis = 0, keepdims = True)/ m",
        "In [14] computes dL/db2 from dz2",
        lambda: _matrix_conventions(build_code_db2, 2, first="mean", what="In [14]'s db2"),
        kind="code",
        numpy=lambda: _numpy_cell(14, "db2", ("dz2", "m"),
                                  "Arguments: dz2 (m, n), m int. Returns (1, n)."),
        statement=_statement("db2")),
)


_HIDDEN_LAYER = (
    Row("chain-da1-mislabel",
        r"\frac{\partial a^2}{\partial z^1} * \frac{\partial z^2}{\partial a^1}$",
        "da1 = dL/da2 * da2/dz1 * dz2/da1",
        _mislabel_readings),
    Row("sz2-placeholder",
        r"\frac{\partial a^2}{\partial z^2} = sz^2$",
        "dL/da2 * da2/dz2 = sz^2",
        _sz2_readings),
    Row("dz2-da1-local", r"\frac{\partial (w^2 * a^1 + b^2)}{da^1} = w^2$",
        "dz2/da1 = w2",
        _dz2_da1_readings, kind="matrix"),
    Row("da1-dz2-w2", r"* w^2 = dz^2 * w^2$",
        "da1 = dz2 * w2",
        lambda: _product_readings("dz2", "w2", SHAPES, "dA", ("dz2", "w2.T"),
                                  statement=r"da^1 = dz^2 w^{2^T}", what="da^1 = dz^2 * w^2")),
    Row("da1-shape", "The shape of $da^1$ will be same as $a^1$, i.e., `(300, 4)`.",
        "da1 = dz2 @ w2.T has the shape of a1, (300, 4)",
        lambda: decide_shape(lambda: _dz2() * mat("w2", H, N).T, (M, H),
                             what="da1 = dz2 @ w2.T has the shape of a1, (300, 4)"),
        kind="shape"),
    Row("dz2-w2-shapes", "The shape of $dz^2$ = `(300, 3)` and the shape of $w^2$ = `(4, 3)`",
        "dz2 is (300, 3) and w2 is (4, 3)",
        lambda: decide_shapes({"dz2": _probs, "w2": lambda: mat("w2", H, N)},
                              {"dz2": (M, N), "w2": (H, N)}, what="shapes"),
        kind="shape"),
    Row("da1-target-shape",
        "Hence, $dz^2$ and $w^2$ should be multiplied such that, the resulting matrix has the "
        "shape `(4, 3)`.",
        "dz2 and w2 are multiplied to a (4, 3) matrix (the shape of w2)",
        _decide_da1_target, kind="shape"),
    Row("da1-w2t-dz2", r"$da^1 = w^{2^T} * dz^2$",
        "da1 = w2^T * dz2",
        _da1_w2T_dz2, kind="matrix"),
    Row("code-da1", "da1 = np.dot(dz2, w2.T)",
        "In [15] computes dL/da1 from dz2 (whatever reduction dz2 carries)",
        lambda: decide_matrix(build_code_da1, n_dims=3, what="In [15]'s da1"),
        kind="code",
        numpy=lambda: _numpy_cell(15, "da1", ("dz2", "w2"),
                                  "Arguments: dz2 (m, n), w2 (h, n). Returns (m, h)."),
        statement=_statement("da1")),
    Row("chain-dz1",
        r"\frac{\partial z^2}{\partial a^1} * \frac{\partial a^1}{\partial z^1}$",
        "dL/dz1 = dL/da2 * da2/dz2 * dz2/da1 * da1/dz1 (chain rule)",
        lambda: _chain([("L", "a2"), ("a2", "z2"), ("z2", "a1"), ("a1", "z1")], "z1",
                       what="dL/da2 @ da2/dz2 @ dz2/da1 @ da1/dz1")),
    Row("da1-known", r"\frac{\partial z^2}{\partial a^1} = da^1$",
        "dL/da2 * da2/dz2 * dz2/da1 = da1",
        lambda: _chain([("L", "a2"), ("a2", "z2"), ("z2", "a1")], "a1",
                       what="dL/da2 @ da2/dz2 @ dz2/da1")),
    Row("code-relu-mask", "da1[z1 <= 0] = 0",
        "In [16] gives dz1 = da1 * ReLU'(z1), z1 = 0 included (the spiral's first point)",
        lambda: decide_conventions(
            [({"ReLU'(0)": "0 (left derivative, subgradient)"},
              lambda: decide_mask(sp.Integer(0))),
             ({"ReLU'(0)": "1 (right derivative)"}, lambda: decide_mask(sp.Integer(1))),
             ({"ReLU'(0)": "1/2 (SymPy's Heaviside(0))"},
              lambda: decide_mask(sp.Rational(1, 2)))],
            what="In [16]'s mask",
        ),
        kind="code", numpy=_numpy_mask,
        statement=_statement("dz1")),
    Row("spiral-kink", "0,0.0,0.0,0",
        "At initialisation (b1 = 0) the spiral's first point (0, 0) gives z1 = 0 exactly, "
        "the kink of ReLU",
        _decide_kink, kind="code"),
    Row("da1-inplace-safe", "Both of them are being used for intermediatory purpose.",
        "Masking da1 in place does not change dw1 and db1",
        _decide_inplace_safe, kind="code"),
    Row("dz1-already-calculated",
        "Therefore, making changes in $da^1$ will not change anything as $dz^1$ is already "
        "calculated.",
        "Changing da1 in place cannot affect dz1, which is already calculated",
        _decide_dz1_already_calculated, kind="code"),
    Row("da1-not-used-elsewhere",
        "And $da^1$ will not be used anywhere else expect for calculation of $dz^1$.",
        "After In [16], da1 is used for nothing but dz1",
        _decide_da1_not_used, kind="code"),
    Row("intermediates-saved",
        "the intermediate output values from the forward pass have to be saved",
        "The backward cells read values computed in the forward pass",
        _decide_intermediates_saved, kind="verbal"),
    Row("chain-dw1",
        r"\frac{\partial a^1}{\partial z^1} * \frac{\partial z^1}{\partial w^1}$.",
        "dL/dw1 = ... * da1/dz1 * dz1/dw1 (chain rule)",
        lambda: _chain([("L", "a2"), ("a2", "z2"), ("z2", "a1"), ("a1", "z1"), ("z1", "w1")],
                       "w1", what="dL/da2 @ da2/dz2 @ dz2/da1 @ da1/dz1 @ dz1/dw1")),
    Row("dz1-known", r"\frac{\partial a^1}{\partial z^1} = dz^1$",
        "dL/da2 * da2/dz2 * dz2/da1 * da1/dz1 = dz1",
        lambda: _chain([("L", "a2"), ("a2", "z2"), ("z2", "a1"), ("a1", "z1")], "z1",
                       what="dL/da2 @ da2/dz2 @ dz2/da1 @ da1/dz1")),
    Row("z1-w1x", r"\frac{\partial (w^1 * x + b^1)}{\partial w^1} = x$",
        "z1 = w1 * x + b1 (as written inside the derivatives)",
        lambda: _z_formula_readings("w1", "x", "b1", (D, H), statement="z^1 = x w^1 + b^1",
                                    what="z^1 = w^1 * x + b^1"),
        kind="shape"),
    Row("dz1-dw1-local", r"\frac{\partial (w^1 * x + b^1)}{\partial w^1} = x",
        "Each local derivative dz1_ik/dw1_jk is x_ij (and 0 across units)",
        lambda: _local_jacobian_entries("w"), kind="matrix"),
    Row("dw1-dz1-x", r"$\frac{\partial L}{\partial w^1} = dz^1 * x$.",
        "dL/dw1 = dz1 * x",
        lambda: _product_readings("dz1", "x", SHAPES, "dW", ("x.T", "dz1"),
                                  statement=r"\frac{\partial L}{\partial w^1} = x^T dz^1",
                                  what="dL/dw^1 = dz^1 * x")),
    Row("chain-db1",
        r"\frac{\partial a^1}{\partial z^1} * \frac{\partial z^1}{\partial b^1}$.",
        "dL/db1 = ... * da1/dz1 * dz1/db1 (chain rule)",
        lambda: _chain([("L", "a2"), ("a2", "z2"), ("z2", "a1"), ("a1", "z1"), ("z1", "b1")],
                       "b1", what="dL/da2 @ da2/dz2 @ dz2/da1 @ da1/dz1 @ dz1/db1")),
    Row("dz1-db1-local", r"\frac{\partial (w^1 * x + b^1)}{\partial b^1} = 1$",
        "Each local derivative dz1_ik/db1_k is 1 (and 0 across units)",
        lambda: _local_jacobian_entries("b"), kind="matrix"),
    Row("db1-dz1", r"Therefore, $\frac{\partial L}{\partial b^1} = dz^1 * 1$.",
        "db1 = dz1",
        lambda: _db_equals_dz(r"\frac{\partial L}{\partial b^1} = \sum_i dz^1_{i,:} = 1^T dz^1"),
        kind="matrix"),
    Row("code-dw1", "dw1 = np.dot(x.T, dz1)/ m",
        "In [17] computes dL/dw1 from dz1",
        lambda: _matrix_conventions(build_code_dw1, 3, first="mean", what="In [17]'s dw1"),
        kind="code",
        numpy=lambda: _numpy_cell(17, "dw1", ("x", "dz1", "m"),
                                  "Arguments: x (m, d), dz1 (m, h), m int. Returns (d, h)."),
        statement=_statement("dw1")),
    Row("code-db1", "db1 = np.sum(dz1, axis = 0, keepdims = True)/ m",
        "In [17] computes dL/db1 from dz1",
        lambda: _matrix_conventions(build_code_db1, 2, first="mean", what="In [17]'s db1"),
        kind="code",
        numpy=lambda: _numpy_cell(17, "db1", ("dz1", "m"),
                                  "Arguments: dz1 (m, h), m int. Returns (1, h)."),
        statement=_statement("db1")),
    Row("dw1-db1-shapes", "dw1.shape, db1.shape",
        "dw1 = x.T @ dz1 / m is (2, 4) and db1 = column sums of dz1 / m is (1, 4)",
        lambda: decide_shapes(
            {"dw1": lambda: _x().T * mat("dz1", M, H) / M,
             "db1": lambda: np_sum(mat("dz1", M, H), axis=0) / M},
            {"dw1": (D, H), "db1": (1, H)}, what="shapes after In [17]"),
        kind="shape"),
)


_NETWORK_AND_SUMMARY = (
    Row("network-rows",
        "Now that the gradients have been found, the weights and biases can be updated as,",
        "In [12]-[17] compute dL/dw1, dL/db1, dL/dw2, dL/db2 of the whole two-layer network "
        "(rows layout, ReLU, softmax, cross-entropy averaged over m), end to end",
        _decide_network, kind="network",
        depends_on=("002-code-dz2", "002-code-dw2", "002-code-db2", "002-code-da1",
                    "002-code-relu-mask", "002-code-dw1", "002-code-db1")),
    Row("lr", "lr = 1e-0", "The learning rate is 1",
        lambda: _decide_lr(), kind="code"),
    Row("code-update", "w1 += -lr * dw1",
        "In [19] is one gradient-descent step w = w - lr * dw for every parameter",
        decide_update_code, kind="update"),
    Row("b2-printed", "-2.09805232e-05",
        "The printed b2 after one step sums to 0 (softmax rows sum to 1)",
        _decide_b2_printed, kind="verbal"),
    Row("summary-dz2-used",
        "$dz^2$ is used for the calculation of $dw^2$, $db^2$ and $da^1$.",
        "dz2 is read exactly to compute dw2, db2 and da1",
        lambda: _decide_uses("dz2", {"dw2", "db2", "da1"}, cells=BACKWARD_CELLS,
                             what="uses of dz2"),
        kind="code"),
    Row("summary-da1-used", "Similarly, $da^1$ is used for the calculation of $dz^1$.",
        "da1 is read exactly to compute dz1",
        lambda: _decide_uses("da1", {"dz1"}, cells=BACKWARD_CELLS, what="uses of da1"),
        kind="code"),
    Row("summary-dz1-used",
        "And, $dz^1$ is used used for the calculation of $dw^1$ and $db^1$.",
        "dz1 is read exactly to compute dw1 and db1",
        lambda: _decide_uses("dz1", {"dw1", "db1"}, cells=BACKWARD_CELLS, what="uses of dz1"),
        kind="code"),
    Row("memoization", "This is called memoization",
        "Storing dz2, da1, dz1 and reusing them is memoization",
        lambda: definition("a name for computing each derivative once and reusing it"),
        kind="definition"),
    Row("saved-for-backprop",
        "The values of $z^j$, $w^j$, $b^j$ in order to use them during back propagation.",
        "z^j, w^j and b^j must be kept from the forward pass for the backward pass",
        lambda: _decide_saved({"z1", "z2", "w1", "w2", "b1", "b2"}), kind="code"),
    Row("da1-uses-w2", "For example, $da^1$ used $w^2$ for its calculation.",
        "da1 is computed from w2",
        lambda: _decide_reads("da1", "w2"), kind="code"),
)


#: every claim of the document, in its order: the forward pass (In [1]-[11]), the output
#: layer's gradients (In [12]-[14]), the hidden layer's (In [15]-[17]), the update (In [18],
#: In [19]) and the summary
ROWS: tuple[Row, ...] = _FORWARD + _OUTPUT_LAYER + _HIDDEN_LAYER + _NETWORK_AND_SUMMARY


DOC = Document(
    DOCUMENT,
    conventions=CONVENTIONS,
    latex=LATEX,
    networks=(DeclaredNetwork("doc002", "2-4-3 relu/softmax ce mean rows",
                              "2-4-3 ReLU, softmax + CE (spiral)",
                              labels="integer class labels, shape (m,)", data="spiral"),),
)


def claims() -> list[Claim]:
    """Every statement of document 002, in document order (nothing is decided here)."""
    return DOC.build(ROWS)
