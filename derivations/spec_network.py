"""A :class:`~derivations.spec.Spec`'s network on symbolic matrices, with every true gradient.

For one tuple of dimensions ``(n_0, ..., n_L, m)`` the network is built on matrices of
distinct real symbols in the spec's layout and activations, and every name a user's formula
may read gets its exact value: ``X``, ``Y``, ``m``, ``W1``, ``b1``, ``Z1``, ``A1``, ... and the
gradients ``dW1``, ``db1``, ``dZ1``, ``dA1``, ... Each gradient is ``sympy.diff`` of the loss
with respect to the entries of that quantity: for a parameter directly; for ``Z_l`` and
``A_l`` on the network's tail, rebuilt from fresh symbols standing for ``Z_l`` (or ``A_l``),
then substituted back. No gradient here comes from a backprop formula.

Notes
-----
``relu`` is ``max(0, z)`` (:class:`Relu`) and ``leaky_relu`` is ``max(z, z/100)``; their
derivatives are Heaviside steps, undefined at the kink 0. Steps are written in one normal form
(:func:`normal_steps`: ``Heaviside(z)`` with a positive leading coefficient, ``DiracDelta``
terms dropped), so ``relu_prime(Z1)`` and SymPy's derivative are the same expression; the
checks hold off the kinks, where no pre-activation is exactly 0.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import sympy as sp

from derivations.networks import Sigmoid, entrywise_grad, one_hot
from derivations.spec import Spec
from derivations.symbolic import bce, matrix, relu, squared_error

__all__ = [
    "Relu",
    "SpecNetwork",
    "activation",
    "activation_prime",
    "divisor",
    "maximum",
    "normal_steps",
    "spec_network",
    "true_gradient",
]

LEAKY_SLOPE = sp.Rational(1, 100)


class Relu(sp.Function):
    """``max(0, z)`` as one SymPy function, evaluated on numbers only.

    ``sympy.Max(0, z)`` compares its arguments whenever it is built (also each time
    ``xreplace`` rebuilds it), which costs tens of milliseconds on a pre-activation of a few
    terms; ``Relu`` is the same function, kept whole. Its argument is normalised by exact
    identities: ``Relu(c u) = c Relu(u)`` for a number ``c > 0``, ``Relu(-u) = Relu(u) - u``.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> Relu(-2 * z), Relu(sp.Rational(-1, 2)), sp.diff(Relu(z), z)
    (-2*z + 2*Relu(z), 0, Heaviside(z))
    """

    is_real = True

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        """The value at a number, a normalised argument, or ``None`` (kept whole)."""
        if z.is_number:  # a value (tanh(3/2) + 3 too): Max decides its sign
            return relu(z)
        c, u = z.primitive() if z.is_Add else z.as_coeff_Mul()
        if c.is_Number and c < 0:
            return -c * (cls(u) - u)
        if c.is_Number and c != 1:
            return c * cls(u)
        if u.could_extract_minus_sign():
            return cls(-u) + u
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        """``Heaviside(z)`` (undefined at the kink 0)."""
        return sp.Heaviside(self.args[0])

    def _eval_rewrite_as_Max(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.Max(0, z)


def maximum(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """``max(a, b)`` as ``b + Relu(a - b)``: one normal form for ``np.maximum`` and ReLU."""
    return b + Relu(a - b)


_ELEMENTWISE: Mapping[str, Callable[[sp.Expr], sp.Expr]] = MappingProxyType({
    "sigmoid": Sigmoid,
    "tanh": sp.tanh,
    "relu": Relu,
    "leaky_relu": lambda z: maximum(z, LEAKY_SLOPE * z),
    "identity": lambda z: z,
})


def normal_steps(expr: sp.Expr) -> sp.Expr:
    """Write every ``Heaviside`` as ``Heaviside(u)`` with ``u``'s leading coefficient 1.

    ``Heaviside(c u)`` is ``Heaviside(u)`` for ``c > 0`` and ``1 - Heaviside(u)`` for ``c < 0``
    off the kink; ``DiracDelta`` terms (which the product rule leaves at the kink) are 0 there.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> normal_steps(sp.Heaviside(-99 * z / 100) / 100 + sp.Heaviside(99 * z / 100))
    99*Heaviside(z)/100 + 1/100
    """
    expr = sp.sympify(expr)
    if not expr.has(sp.Heaviside, sp.DiracDelta):
        return expr

    def step(arg: sp.Expr, *rest: sp.Expr) -> sp.Expr:
        arg = sp.expand(arg)
        terms = sorted(sp.Add.make_args(arg),
                       key=lambda t: sp.default_sort_key(t.as_coeff_Mul()[1]))
        lead = terms[0].as_coeff_Mul()[0]  # the leading term's number, sign included
        if not lead.is_number or lead == 0:
            return sp.Heaviside(arg)
        u = sp.expand(arg / abs(lead))
        return sp.Heaviside(u) if lead > 0 else 1 - sp.Heaviside(-u)

    # only the steps that change are substituted: a tree walk to find them, none to rebuild
    # the (large) expression when every step is already in normal form
    changes: dict[sp.Expr, sp.Expr] = {d: sp.Integer(0) for d in expr.atoms(sp.DiracDelta)}
    for h in expr.atoms(sp.Heaviside):
        if h.has(sp.DiracDelta):
            return normal_steps(expr.replace(sp.DiracDelta, lambda *a: sp.Integer(0)))
        new = step(*h.args)
        if new != h:
            changes[h] = new
    return expr.xreplace(changes) if changes else expr


def activation(name: str) -> Callable[[sp.Expr], sp.Expr]:
    """The elementwise activation ``name`` as a SymPy function of one expression."""
    return _ELEMENTWISE[name]


@functools.cache
def _prime(name: str) -> sp.Lambda:
    z = sp.Dummy("z", real=True)
    return sp.Lambda(z, normal_steps(sp.diff(activation(name)(z), z)))


def activation_prime(name: str) -> Callable[[sp.Expr], sp.Expr]:
    """The derivative of an elementwise activation, as SymPy's ``diff`` gives it.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> activation_prime("relu")(z), activation_prime("tanh")(z)
    (Heaviside(z), 1 - tanh(z)**2)
    """
    return _prime(name)


def divisor(spec: Spec, m: int) -> int:
    """What the reduction divides the summed loss by: m, 1 or m * n_L."""
    return {"mean": m, "sum": 1, "mean_all": m * spec.sizes[-1]}[spec.reduction]


def _softmax(Z: sp.Matrix, columns: bool) -> sp.Matrix:
    E = Z.applyfunc(sp.exp)
    if columns:
        sums = [sum(E[:, j]) for j in range(E.cols)]
        return sp.Matrix(E.rows, E.cols, lambda i, j: E[i, j] / sums[j])
    sums = [sum(E[i, :]) for i in range(E.rows)]
    return sp.Matrix(E.rows, E.cols, lambda i, j: E[i, j] / sums[i])


def _activate(name: str, Z: sp.Matrix, columns: bool) -> sp.Matrix:
    return _softmax(Z, columns) if name == "softmax" else Z.applyfunc(activation(name))


def _summed_loss(spec: Spec, A: sp.Matrix, Y: sp.Matrix) -> sp.Expr:
    if spec.loss == "bce":
        return sp.Add(*(bce(a, y) for a, y in zip(A, Y, strict=True)))
    if spec.loss == "ce":
        return sp.Add(*(-y * sp.log(a) for a, y in zip(A, Y, strict=True) if y != 0))
    return sp.Add(*(squared_error(a, y, half=spec.half) for a, y in zip(A, Y, strict=True)))


@dataclass(frozen=True, eq=False)
class SpecNetwork:
    """A spec's network at one tuple of dimensions: the forward pass and the loss.

    Attributes
    ----------
    spec : Spec
    dims : tuple of int
        ``(n_0, ..., n_L, m)``.
    values : Mapping[str, numpy.ndarray or sympy.Integer]
        ``X`` (also ``A0``), ``Y``, ``m``, ``W1``, ``b1``, ``Z1``, ``A1``, ...: 2-D object
        arrays in the spec's layout. The gradients come from :func:`true_gradient`.
    params : Mapping[str, sympy.Matrix]
    Z, A : tuple of sympy.Matrix
        ``Z[l - 1]`` is Z_l; ``A[0]`` is X and ``A[l]`` the activation of layer l.
    Y : sympy.Matrix
    loss : sympy.Expr
        The scalar loss (after the reduction).
    """

    spec: Spec
    dims: tuple[int, ...]
    values: Mapping[str, object]
    params: Mapping[str, sp.Matrix]
    Z: tuple[sp.Matrix, ...]
    A: tuple[sp.Matrix, ...]
    Y: sp.Matrix
    loss: sp.Expr


def _obj(M: sp.Matrix) -> np.ndarray:
    out = np.empty(M.shape, dtype=object)
    for idx in np.ndindex(*M.shape):
        out[idx] = M[idx]
    return out


def _forward(spec: Spec, start: int, A_in: sp.Matrix, params: Mapping[str, sp.Matrix],
             m: int) -> tuple[list[sp.Matrix], list[sp.Matrix]]:
    """Z_l, A_l for layers ``start + 1 .. L`` from ``A_in`` = A_start."""
    columns = spec.layout == "columns"
    Zs, As = [], []
    A = A_in
    for layer in range(start + 1, spec.n_layers + 1):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        Z = W * A + b * sp.ones(1, m) if columns else A * W + sp.ones(m, 1) * b
        A = _activate(spec.activations[layer - 1], Z, columns)
        Zs.append(Z)
        As.append(A)
    return Zs, As


@functools.cache  # pure: the network is immutable by contract (callers never mutate arrays)
def spec_network(spec: Spec, dims: tuple[int, ...]) -> SpecNetwork:
    """Build ``spec``'s network at ``dims``: symbols, forward pass and loss.

    Parameters
    ----------
    spec : Spec
        Its sizes give the depth; the widths used are those of ``dims``.
    dims : tuple of int
        ``(n_0, ..., n_L, m)``, L = ``spec.n_layers``.

    Returns
    -------
    SpecNetwork
    """
    if spec.summed:  # the same network; only the meaning of dZ, dA differs
        return spec_network(replace(spec, summed=False), dims)
    *sizes, m = dims
    columns = spec.layout == "columns"
    L = spec.n_layers
    X = matrix("X", sizes[0], m) if columns else matrix("X", m, sizes[0])
    if spec.loss == "ce":
        Y = one_hot([j % sizes[-1] for j in range(m)], sizes[-1], layout=spec.layout)
    else:
        Y = matrix("Y", sizes[-1], m) if columns else matrix("Y", m, sizes[-1])
    params: dict[str, sp.Matrix] = {}
    for layer in range(1, L + 1):
        n_in, n_out = sizes[layer - 1], sizes[layer]
        params[f"W{layer}"] = (matrix(f"W{layer}", n_out, n_in) if columns
                               else matrix(f"W{layer}", n_in, n_out))
        params[f"b{layer}"] = (matrix(f"b{layer}", n_out, 1) if columns
                               else matrix(f"b{layer}", 1, n_out))
    Zs, As = _forward(spec, 0, X, params, m)
    loss = _summed_loss(spec, As[-1], Y) / divisor(spec, m)
    values: dict[str, object] = {"X": _obj(X), "Y": _obj(Y), "m": sp.Integer(m), "A0": _obj(X)}
    for layer in range(1, L + 1):
        values[f"W{layer}"] = _obj(params[f"W{layer}"])
        values[f"b{layer}"] = _obj(params[f"b{layer}"])
        values[f"Z{layer}"] = _obj(Zs[layer - 1])
        values[f"A{layer}"] = _obj(As[layer - 1])
    return SpecNetwork(spec, tuple(dims), MappingProxyType(values), MappingProxyType(params),
                       tuple(Zs), (X, *As), Y, loss)


@functools.cache  # pure, as spec_network
def true_gradient(spec: Spec, dims: tuple[int, ...], name: str) -> np.ndarray:
    """``dL/d<name>`` at ``dims`` by ``sympy.diff``, as a 2-D object array.

    Parameters
    ----------
    spec : Spec
    dims : tuple of int
    name : str
        ``"dW1"``, ``"db1"``, ``"dZ1"``, ``"dA1"``, ... or ``"dA0"`` (of X). ``dZ``/``dA`` are
        of the summed loss when ``spec.summed``.

    Returns
    -------
    numpy.ndarray
        With the shape of the quantity.
    """
    net = spec_network(spec, dims)
    quantity = name[1:]
    if spec.summed:  # dW, db as without; dZ, dA scaled by the reduction's divisor
        plain = true_gradient(replace(spec, summed=False), dims, name)
        return plain if quantity in net.params else plain * divisor(spec, dims[-1])
    if quantity in net.params:
        return _obj(entrywise_grad(net.loss, net.params[quantity]).applyfunc(normal_steps))
    kind, layer = quantity[0], int(quantity[1:])
    m = dims[-1]
    D = divisor(spec, m)
    columns = spec.layout == "columns"
    # the tail of the network from fresh symbols standing for Z_l or A_l
    actual = net.Z[layer - 1] if kind == "Z" else net.A[layer]
    fresh = matrix(f"_{quantity}", *actual.shape)
    out = _activate(spec.activations[layer - 1], fresh, columns) if kind == "Z" else fresh
    if layer < spec.n_layers:
        out = _forward(spec, layer, out, net.params, m)[1][-1]
    grad = entrywise_grad(_summed_loss(spec, out, net.Y) / D, fresh)
    subs = dict(zip(fresh, actual, strict=True))
    return _obj(grad.applyfunc(lambda g: normal_steps(g.xreplace(subs))))
