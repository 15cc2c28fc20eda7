"""One gradient from three sources: SymPy's derivation, `numeric`'s backprop, finite differences.

`three_way` evaluates, for a `numeric.MLP` at given parameters and data, the gradient that
SymPy derives from the loss built on symbolic matrices (`derivations.networks`), the one
`numeric.loss_and_grad` computes, and the finite differences of `checks.check_gradients`,
and reports the largest relative difference of each pair. SymPy and `numeric` are imported
inside the functions: ``import checks`` loads neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from checks._types import FloatArray
from checks.result import CheckResult


@dataclass(frozen=True, eq=False)
class ThreeWay:
    """The three gradients of one network's loss and how far apart they are.

    Attributes
    ----------
    symbolic, analytic, numeric : dict of name -> ndarray
        SymPy's gradient (lambdified), `numeric`'s backprop, finite differences; each keyed
        like the parameters ("W1", "b1", ...), each array of its parameter's shape.
    check : CheckResult
        The finite-difference check of the analytic gradient (verdict, method, error bars).
    symbolic_vs_analytic, analytic_vs_fd, symbolic_vs_fd : float
        `max_relative_difference` of each pair (the second of each pair is the reference).
    """

    symbolic: dict[str, FloatArray]
    analytic: dict[str, FloatArray]
    numeric: dict[str, FloatArray]
    check: CheckResult
    symbolic_vs_analytic: float
    analytic_vs_fd: float
    symbolic_vs_fd: float


def max_relative_difference(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """The largest ``|a - b|`` over all parameters, relative to ``max |b|`` (the reference).

    Examples
    --------
    >>> max_relative_difference({"W": np.array([1.0, 2.5])}, {"W": np.array([1.0, 2.0])})
    0.25
    """
    diff = max(float(np.max(np.abs(np.asarray(a[k], dtype=float) - b[k]), initial=0.0))
               for k in b)
    scale = max(float(np.max(np.abs(b[k]), initial=0.0)) for k in b)
    return diff / max(scale, np.finfo(float).tiny)


def symbolic_gradients(net: Any, params: Mapping[str, Any], X: Any, Y: Any
                       ) -> dict[str, FloatArray]:
    """The gradients SymPy derives for ``net``'s loss, evaluated at ``params``, ``X``, ``Y``.

    Parameters
    ----------
    net : numeric.MLP
        Its sizes, layout, activations, loss, reduction and ``half`` define the loss.
    params : dict
        ``{"W1", "b1", ...}`` as for `numeric.forward`.
    X, Y : ndarray
        The data in ``net``'s layout; class labels for ``loss="ce"``.

    Returns
    -------
    dict of name -> ndarray (float64), keyed and shaped like ``params``

    Notes
    -----
    The loss is built on symbolic matrices by `derivations.networks`, differentiated entry by
    entry, and lambdified. ReLU's derivative is taken as 0 at 0, as in `numeric`. Meant for
    small networks: the expressions grow with every layer and sample.
    """
    import sympy as sp

    from derivations import networks

    labels = tuple(int(v) for v in Y) if net.loss == "ce" else None
    m = X.shape[1] if net.layout == "columns" else X.shape[0]
    sym = networks.network(net.sizes, m, layout=net.layout, activations=net.activations,
                           loss=net.loss, reduction=net.reduction, half=net.half, labels=labels)
    grads = networks.gradients(sym)
    symbols = [*sym.X, *([] if net.loss == "ce" else list(sym.Y))]
    values = [*np.asarray(X, dtype=float).ravel(),
              *([] if net.loss == "ce" else np.asarray(Y, dtype=float).ravel())]
    for name, P in sym.params.items():
        symbols += list(P)
        values += list(np.asarray(params[name], dtype=float).ravel())
    # opaque stand-ins so the printer emits plain calls; ReLU' is 0 at 0, as in numeric
    maxfn, stepfn = sp.Function("maxfn"), sp.Function("stepfn")
    modules = [{"Sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "maxfn": np.maximum,
                "stepfn": lambda z, *_: np.heaviside(z, 0.0)}, "numpy"]
    flat = [e for G in grads.values() for e in G]
    kinks = set().union(*(e.atoms(sp.Max, sp.Heaviside) for e in flat))
    swap: dict[Any, Any] = {}
    for k in sorted(kinks, key=sp.count_ops):  # inner kinks first: deeper layers nest them
        fn_k = maxfn if isinstance(k, sp.Max) else stepfn
        swap[k] = fn_k(*(a.xreplace(swap) for a in k.args))
    flat = [e.xreplace(swap) for e in flat]
    fn = sp.lambdify(symbols, flat, modules=modules, cse=True)
    evaluated = np.asarray(fn(*values), dtype=float)
    out, start = {}, 0
    for name in grads:
        size = np.size(params[name])
        out[name] = evaluated[start:start + size].reshape(np.shape(params[name]))
        start += size
    return out


def three_way(net: Any, params: Mapping[str, Any], X: Any, Y: Any, *,
              seed: int | None = None) -> ThreeWay:
    """Symbolic vs analytic vs finite-difference gradients of ``net``'s loss at ``params``.

    Parameters
    ----------
    net : numeric.MLP
    params : dict
        ``{"W1", "b1", ...}``; never modified.
    X, Y : ndarray
        A small batch in ``net``'s layout (the symbolic loss has one term per sample).
    seed : int, optional
        Seeds the finite-difference check (`checks.check_gradients`).

    Returns
    -------
    ThreeWay

    Examples
    --------
    >>> from numeric import MLP, init_params, two_class
    >>> net = MLP((2, 2, 1), hidden="tanh", output="sigmoid", loss="bce")
    >>> X, Y = two_class(3, n_features=2, rng=0)
    >>> tw = three_way(net, init_params(net, rng=0), X, Y, seed=0)
    >>> print(tw.check.verdict, tw.symbolic_vs_analytic < 1e-12)
    pass True
    """
    from checks.gradcheck import check_gradients
    from numeric import loss_and_grad

    def f(p: Any) -> Any:
        return loss_and_grad(net, p, X, Y)[0]

    def grad(p: Any) -> Any:
        return loss_and_grad(net, p, X, Y)[1]

    _, analytic = loss_and_grad(net, params, X, Y)
    symbolic = symbolic_gradients(net, params, X, Y)
    check = check_gradients(f, dict(params), grad, seed=seed)
    numeric = {p.name: p.numeric for p in check.params if p.numeric is not None}
    return ThreeWay(
        symbolic=symbolic, analytic=dict(analytic), numeric=numeric, check=check,
        symbolic_vs_analytic=max_relative_difference(analytic, symbolic),
        analytic_vs_fd=max_relative_difference(numeric, analytic),
        symbolic_vs_fd=max_relative_difference(numeric, symbolic),
    )
