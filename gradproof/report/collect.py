"""Collect: run the derivations and the checks, and return plain records.

Nothing here knows that HTML exists. Every figure comes from live computation at the given
seed; nothing is read from a previous report.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derivations import Claim, Result, all_claims, get_claim, verify
from derivations.decide import decide_matrix, matrix_shapes
from derivations.symbolic import affine_grads
from gradproof.report.documents import DOCUMENT_NETWORKS, DocumentNetwork
from gradproof.report.records import (
    CatalogueRow,
    ClaimRecord,
    ConventionRow,
    FormulaRow,
    NetworkCheck,
    Report,
    StepCurve,
    TrainingRecord,
)

__all__ = ["collect", "collect_claims", "collect_formulas"]

ProgressFn = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _verify_id(claim_id: str) -> Result:
    return verify(get_claim(claim_id))


def _worker_init() -> None:
    """Workers ignore Ctrl-C: the parent stops them, so none prints a traceback or lingers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _verify_in_pool(ids: Sequence[str], workers: int) -> Iterator[Result]:
    """Verify ``ids`` in ``workers`` processes, yielding results in order.

    On any interruption (Ctrl-C in the parent, an error) the workers are terminated and
    joined before the exception goes on: no process outlives the call.
    """
    pool = multiprocessing.get_context().Pool(workers, initializer=_worker_init)
    try:
        yield from pool.imap(_verify_id, ids, chunksize=4)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _record(claim: Claim, r: Result) -> ClaimRecord:
    cex = None
    if r.counterexample is not None:
        cex = {
            "point": dict(r.counterexample.point),
            "stated": r.counterexample.stated,
            "correct": r.counterexample.correct,
            "entry": r.counterexample.entry,
        }
    return ClaimRecord(
        id=claim.id,
        document=claim.document,
        title=claim.title,
        quote=" ".join(claim.quote.split()),
        kind=claim.kind,
        statement=claim.statement,
        latex=claim.latex,
        verdict=r.verdict.value,
        reason=r.reason,
        counterexample=cex,
        corrected=r.corrected,
        corrected_verdict=None if r.corrected_check is None else r.corrected_check.verdict.value,
        corrected_statement=r.corrected_expr,
        conventions=tuple(
            {"label": c.label(), "convention": dict(c.convention), "holds": c.holds,
             "detail": c.detail}
            for c in r.conventions
        ),
        readings=tuple(
            {"description": x.description, "verdict": x.verdict.value, "reason": x.reason}
            for x in r.readings
        ),
        evidence=tuple(r.evidence),
    )


def collect_claims(
    claims: Sequence[Claim] | None = None,
    *,
    workers: int | None = None,
    progress: ProgressFn = _noop,
) -> tuple[ClaimRecord, ...]:
    """Verify every claim (in ``workers`` processes) and return records in claim order.

    ``workers=None`` uses up to 2 processes (the machine this is made for has 2 cores);
    ``workers=1`` verifies in this process.
    """
    claims = list(all_claims() if claims is None else claims)
    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    total = len(claims)
    progress("claims", 0, total)
    results: list[Result] = []
    if workers > 1 and total > 1:
        for i, r in enumerate(_verify_in_pool([c.id for c in claims], workers)):
            results.append(r)
            progress("claims", i + 1, total)
    else:
        for i, c in enumerate(claims):
            results.append(verify(c))
            progress("claims", i + 1, total)
    return tuple(_record(c, r) for c, r in zip(claims, results, strict=True))


@dataclass(frozen=True)
class _Layer:
    """Matrix symbols of one affine layer, for typesetting its gradient formulas."""

    W: sp.MatrixSymbol
    b: sp.MatrixSymbol
    A: sp.MatrixSymbol
    dZ: sp.MatrixSymbol
    ones: sp.MatrixSymbol


def _layer_symbols(layout: str) -> _Layer:
    n, k, m = sp.symbols("n_out n_in m", integer=True, positive=True)
    if layout == "columns":
        return _Layer(sp.MatrixSymbol("W", n, k), sp.MatrixSymbol("b", n, 1),
                      sp.MatrixSymbol("A_prev", k, m), sp.MatrixSymbol("dZ", n, m),
                      sp.MatrixSymbol("1_m", m, 1))
    return _Layer(sp.MatrixSymbol("W", k, n), sp.MatrixSymbol("b", 1, n),
                  sp.MatrixSymbol("A_prev", m, k), sp.MatrixSymbol("dZ", m, n),
                  sp.MatrixSymbol("1_m", m, 1))


def _eq(name: str, rhs: sp.MatrixExpr) -> sp.Eq:
    return sp.Eq(sp.MatrixSymbol(name, *rhs.shape), rhs, evaluate=False)


def collect_formulas() -> tuple[FormulaRow, ...]:
    """The affine layer's gradient formulas in both layouts, each proven entrywise now."""
    rows = []
    for layout in ("columns", "rows"):
        s = _layer_symbols(layout)
        if layout == "columns":
            forward = _eq("Z", s.W * s.A + s.b * s.ones.T)
            dW, db, dA = s.dZ * s.A.T, s.dZ * s.ones, s.W.T * s.dZ

            def stated(g):
                return (g.G * g.A_prev.T, g.G * sp.ones(g.G.shape[1], 1), g.W.T * g.G)
        else:
            forward = _eq("Z", s.A * s.W + s.ones * s.b)
            dW, db, dA = s.A.T * s.dZ, s.ones.T * s.dZ, s.dZ * s.W.T

            def stated(g):
                return (g.A_prev.T * g.G, sp.ones(1, g.G.shape[0]) * g.G, g.G * g.W.T)

        def build(dims, layout=layout, stated=stated):
            g = affine_grads(*dims, layout=layout)
            correct = sp.Matrix.hstack(g.dW.reshape(g.dW.rows * g.dW.cols, 1).T,
                                       g.db.reshape(g.db.rows * g.db.cols, 1).T,
                                       g.dA_prev.reshape(g.dA_prev.rows * g.dA_prev.cols, 1).T)
            sW, sb, sA = stated(g)
            if (sW.shape, sb.shape, sA.shape) != (g.dW.shape, g.db.shape, g.dA_prev.shape):
                raise sp.ShapeError(f"stated shapes {sW.shape}, {sb.shape}, {sA.shape}")
            ours = sp.Matrix.hstack(sW.reshape(sW.rows * sW.cols, 1).T,
                                    sb.reshape(sb.rows * sb.cols, 1).T,
                                    sA.reshape(sA.rows * sA.cols, 1).T)
            return correct, ours

        shapes = matrix_shapes(3)
        decision = decide_matrix(build, n_dims=3, shapes=shapes, what=f"the {layout} formulas")
        rows.append(FormulaRow(
            layout=layout,
            forward=forward,
            dW=_eq("dW", dW),
            db=_eq("db", db),
            dA_prev=_eq("dA_prev", dA),
            verdict=decision.verdict.value,
            shapes=len(shapes),
        ))
    return tuple(rows)


def collect_conventions() -> tuple[ConventionRow, ...]:
    """The conventions of each document, read off the networks' ``numeric`` specs."""
    return tuple(
        ConventionRow(
            document=d.document, network=d.description, layout=d.net.layout,
            loss=d.loss_text, reduction=d.reduction_text, half=d.half_text, labels=d.labels,
        )
        for d in DOCUMENT_NETWORKS
    )


def collect_training(*, seed: int, hidden: int = 100, epochs: int = 3000) -> TrainingRecord:
    """Train the spiral network of document 002 (rows layout) and map its decision regions.

    Seed 002 initialises with ``0.01 * randn`` and uses a learning rate of 1; so do we.
    """
    import numpy as np

    from numeric import MLP, init_params, predict, spiral, train

    X, y = spiral(rng=seed)
    net = MLP((2, hidden, 3), hidden="relu", output="softmax", loss="ce", layout="rows")
    lr = 1.0
    result = train(net, init_params(net, rng=seed, scale=0.01), X, y, method="gd", lr=lr,
                   epochs=epochs, rng=seed)
    accuracy = float(np.mean(predict(net, result.params, X).argmax(axis=1) == y))
    lo, hi = X.min(axis=0) - 0.15, X.max(axis=0) + 0.15
    gx, gy = np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120)
    mx, my = np.meshgrid(gx, gy)
    grid = np.column_stack([mx.ravel(), my.ravel()])
    regions = predict(net, result.params, grid).argmax(axis=1).reshape(mx.shape)
    return TrainingRecord(hidden=hidden, epochs=epochs, lr=lr,
                          history=tuple(float(v) for v in result.history), accuracy=accuracy,
                          X=X, y=y, grid_x=gx, grid_y=gy, grid_class=regions)


def _max_rel(a: dict, b: dict) -> float:
    """The largest |a - b| over all parameters, relative to max |b| (the reference)."""
    import numpy as np

    diff = max(float(np.max(np.abs(np.asarray(a[k], dtype=float) - b[k]), initial=0.0))
               for k in b)
    scale = max(float(np.max(np.abs(b[k]), initial=0.0)) for k in b)
    return diff / max(scale, np.finfo(float).tiny)


def network_data(d: DocumentNetwork, *, m: int, seed: int) -> tuple[Any, Any]:
    """A small batch of ``d``'s data set, laid out as its network expects."""
    from numeric import regression, spiral, two_class

    n_in, n_out = d.net.sizes[0], d.net.sizes[-1]
    if d.data == "spiral":
        X, y = spiral(n_per_class=-(-m // n_out), n_classes=n_out, rng=seed, layout=d.net.layout)
        keep = [i * (len(y) // m) for i in range(m)]
        return (X[keep] if d.net.layout == "rows" else X[:, keep]), y[keep]
    if d.data == "two_class":
        return two_class(m, n_features=n_in, rng=seed, layout=d.net.layout)
    return regression(m, n_features=n_in, n_outputs=n_out, rng=seed, layout=d.net.layout)


def symbolic_gradients(d: DocumentNetwork, params: dict, X: Any, Y: Any) -> dict:
    """The gradients SymPy derives for ``d``'s network, evaluated at ``params``, ``X``, ``Y``.

    The loss is built on symbolic matrices by ``derivations.networks``, differentiated entry by
    entry, and the derivative expressions are evaluated numerically (lambdified).
    """
    import numpy as np

    from derivations import networks

    net = d.net
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
    swap: dict[sp.Basic, sp.Basic] = {}
    for k in sorted(kinks, key=sp.count_ops):  # inner kinks first: deeper layers nest them
        fn_k = maxfn if isinstance(k, sp.Max) else stepfn
        swap[k] = fn_k(*(a.xreplace(swap) for a in k.args))
    flat = [e.xreplace(swap) for e in flat]
    fn = sp.lambdify(symbols, flat, modules=modules, cse=True)
    evaluated = np.asarray(fn(*values), dtype=float)
    out, start = {}, 0
    for name in grads:
        size = params[name].size
        out[name] = evaluated[start:start + size].reshape(params[name].shape)
        start += size
    return out


def collect_networks(*, seed: int, m: int = 4) -> tuple[NetworkCheck, ...]:
    """Symbolic vs analytic vs finite-difference gradients for every document network."""
    import numpy as np

    from checks import check_gradients
    from numeric import init_params, loss_and_grad

    rows = []
    for d in DOCUMENT_NETWORKS:
        X, Y = network_data(d, m=m, seed=seed)
        params = init_params(d.net, rng=seed, scale=0.8)
        for k in params:
            if k.startswith("b"):  # nonzero biases: every term of the gradient is exercised
                params[k] = params[k] + 0.1 * np.arange(1, params[k].size + 1).reshape(
                    params[k].shape)
        _, analytic = loss_and_grad(d.net, params, X, Y)
        symbolic = symbolic_gradients(d, params, X, Y)

        def f(p, d=d, X=X, Y=Y):
            return loss_and_grad(d.net, p, X, Y)[0]

        def grad(p, d=d, X=X, Y=Y):
            return loss_and_grad(d.net, p, X, Y)[1]

        check = check_gradients(f, params, grad, seed=seed)
        fd = {p.name: p.numeric for p in check.params}
        rows.append(NetworkCheck(
            name=d.name, document=d.document, description=d.description,
            n_params=sum(int(v.size) for v in params.values()),
            symbolic_vs_analytic=_max_rel(analytic, symbolic),
            analytic_vs_fd=_max_rel(fd, analytic),
            symbolic_vs_fd=_max_rel(fd, symbolic),
            fd_verdict=str(check.verdict), fd_method=check.method,
        ))
    return tuple(rows)


def _doc000_loss(theta: Any, X: Any, Y: Any) -> Any:
    """Document 000's 2-4-1 sigmoid/BCE loss of a flat parameter vector, complex-safe.

    Written with plain ``exp`` and ``log`` (no stable branches), so a complex step
    ``theta + ih e_k`` flows through it; used only for the step-size plot, whose reference is
    ``numeric``'s analytic gradient.
    """
    import numpy as np

    W1, b1 = theta[:8].reshape(4, 2), theta[8:12].reshape(4, 1)
    W2, b2 = theta[12:16].reshape(1, 4), theta[16:17].reshape(1, 1)
    A1 = 1 / (1 + np.exp(-(W1 @ X + b1)))
    A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
    return -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))


def collect_step_curves(*, seed: int, quick: bool) -> tuple[StepCurve, ...]:
    """Finite-difference error against the step size h on document 000's network.

    Each method's gradient of all 17 parameters is compared with ``numeric``'s analytic
    gradient: ``max |FD - exact| / max |exact|`` for h from 1e-16 to 1e-1.
    """
    import numpy as np

    from numeric import flatten_params, init_params, loss_and_grad

    d = DOCUMENT_NETWORKS[0]
    X, Y = network_data(d, m=8, seed=seed)
    params = init_params(d.net, rng=seed, scale=0.8)
    _, grads = loss_and_grad(d.net, params, X, Y)
    theta, exact = flatten_params(params), flatten_params(grads)
    hs = np.logspace(-16, -1, 16 if quick else 31)
    eye = np.eye(theta.size)

    def f(t):
        return _doc000_loss(t, X, Y)

    def central(h):
        return np.array([(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in eye])

    estimates = {
        "forward": lambda h: np.array([(f(theta + h * e) - f(theta)) / h for e in eye]),
        "central": central,
        "Richardson (central, h and h/2)": lambda h: (4 * central(h / 2) - central(h)) / 3,
        "complex step": lambda h: np.array([f(theta + 1j * h * e).imag / h for e in eye]),
    }
    scale = np.max(np.abs(exact))
    return tuple(
        StepCurve(method=name, h=tuple(float(h) for h in hs),
                  error=tuple(float(np.max(np.abs(est(h) - exact)) / scale) for h in hs))
        for name, est in estimates.items()
    )


#: the methods compared on the bug catalogue, in the plot's column order
CATALOGUE_METHODS = ("forward", "central", "richardson", "complex", "directional", "auto")
#: the largest parameter count checked entry by entry in the catalogue plot
ENTRYWISE_LIMIT = 5_000


def collect_catalogue(
    *, seed: int, methods: Sequence[str] = CATALOGUE_METHODS
) -> tuple[CatalogueRow, ...]:
    """Every case of the bug catalogue checked by every method of ``methods``.

    Entry-by-entry methods are not run on cases with more than ``ENTRYWISE_LIMIT`` parameters
    (minutes each); their cells say so.
    """
    import warnings

    import numpy as np

    from checks import check_gradients
    from checks.catalogue import CASES

    rows = []
    for case in CASES:
        verdicts, diagnosis = {}, ""
        for method in methods:
            f, params, grad = case.make()
            arrays = params.values() if isinstance(params, dict) else (
                params if isinstance(params, (list, tuple)) else [params])
            n_params = sum(np.size(a) for a in arrays)
            if method not in ("auto", "directional") and n_params > ENTRYWISE_LIMIT:
                verdicts[method] = "not run"
                continue
            with warnings.catch_warnings():
                # the complex step probes f with complex input; an f that casts it to float
                # warns, and the checker detects that and falls back to central differences
                warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
                result = check_gradients(f, params, grad, method=method, seed=seed)
            verdicts[method] = str(result.verdict)
            if method == "auto":
                diagnosis = "; ".join(
                    f"{p.name}: {p.diagnosis.message}" for p in result.params if p.diagnosis
                )
        rows.append(CatalogueRow(name=case.name, wrong=not case.correct, verdicts=verdicts,
                                 diagnosis=diagnosis))
    return tuple(rows)


def collect(
    *,
    seed: int = 0,
    progress: ProgressFn = _noop,
    workers: int | None = None,
    quotes_checked: bool = False,
) -> Report:
    """Run everything the report shows, at ``seed``.

    Parameters
    ----------
    seed : int
        Seeds every random draw (network parameters, data, finite-difference directions).
    progress : callable (stage, done, total)
        Called as work advances.
    workers : int, optional
        Processes for verifying claims (default: up to 2).
    quotes_checked : bool
        Whether the caller found every claim's quote in its document; the report says so.
    """
    claims = collect_claims(workers=workers, progress=progress)
    progress("formulas and conventions", 0, 1)
    formulas = collect_formulas()
    conventions = collect_conventions()
    progress("formulas and conventions", 1, 1)
    progress("training the spiral network", 0, 1)
    training = collect_training(seed=seed)
    progress("training the spiral network", 1, 1)
    progress("numeric cross-checks", 0, 2)
    networks = collect_networks(seed=seed, m=4)
    progress("numeric cross-checks", 1, 2)
    step_curves = collect_step_curves(seed=seed, quick=False)
    progress("numeric cross-checks", 2, 2)
    progress("bug catalogue", 0, 1)
    catalogue = collect_catalogue(seed=seed)
    progress("bug catalogue", 1, 1)
    return Report(seed=seed, claims=claims, formulas=formulas, conventions=conventions,
                  networks=networks, step_curves=step_curves, training=training,
                  catalogue=catalogue, quotes_checked=quotes_checked)
