"""Collect: run the derivations and the checks, and return plain records.

Nothing here knows that HTML exists. Every figure comes from live computation at the given
seed; nothing is read from a previous report.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from checks import METHODS
from derivations import Claim, Result, all_claims, get_claim, verify
from derivations.decide import matrix_shapes
from derivations.formula import decide_affine_formulas
from gradproof.formulas_file import UserDerivation
from gradproof.report.documents import DocumentNetwork, document_networks
from gradproof.report.records import (
    CatalogueRow,
    ClaimRecord,
    ConventionRow,
    DerivationRecord,
    FormulaRow,
    NetworkCheck,
    Report,
    StepCurve,
    TrainingRecord,
)

__all__ = ["collect", "collect_claims", "collect_derivations", "collect_formulas"]

ProgressFn = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _verify_id(claim_id: str) -> Result:
    return verify(get_claim(claim_id))


def _worker_init() -> None:
    """Workers ignore Ctrl-C: the parent stops them, so none prints a traceback or lingers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool(workers: int) -> Any:
    """A pool whose workers ignore Ctrl-C from their first instruction.

    The initializer alone leaves a window: a worker forked just before a Ctrl-C still has
    Python's handler and prints a KeyboardInterrupt traceback. So the parent ignores SIGINT
    while it forks, and the children inherit that; the parent's handler is then restored.
    """
    ctx = multiprocessing.get_context()
    if threading.current_thread() is not threading.main_thread():
        return ctx.Pool(workers, initializer=_worker_init)  # signal.signal: main thread only
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return ctx.Pool(workers, initializer=_worker_init)
    finally:
        signal.signal(signal.SIGINT, previous)


def _verify_in_pool(ids: Sequence[str], workers: int) -> Iterator[Result]:
    """Verify ``ids`` in ``workers`` processes, yielding results in order.

    On any interruption (Ctrl-C in the parent, an error) the workers are terminated and
    joined before the exception goes on: no process outlives the call.
    """
    pool = _pool(workers)
    try:
        yield from pool.imap(_verify_id, ids, chunksize=4)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _outcome(r: Result) -> dict[str, Any]:
    """The fields of a ClaimRecord that come from a Result (verdict, why, correction, ...)."""
    cex = None
    if r.counterexample is not None:
        cex = {
            "point": dict(r.counterexample.point),
            "stated": r.counterexample.stated,
            "correct": r.counterexample.correct,
            "entry": r.counterexample.entry,
        }
    return dict(
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


def _record(claim: Claim, r: Result) -> ClaimRecord:
    return ClaimRecord(
        id=claim.id,
        document=claim.document,
        title=claim.title,
        quote=" ".join(claim.quote.split()),
        kind=claim.kind,
        statement=claim.statement,
        latex=claim.latex,
        **_outcome(r),
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
    """The affine layer's gradient formulas in both layouts, each decided entrywise now.

    The typeset formulas are matrix symbols; the decision is `derivations`'
    (:func:`~derivations.formula.decide_affine_formulas`), on explicit matrices.
    """
    rows = []
    for layout in ("columns", "rows"):
        s = _layer_symbols(layout)
        if layout == "columns":
            forward = _eq("Z", s.W * s.A + s.b * s.ones.T)
            dW, db, dA = s.dZ * s.A.T, s.dZ * s.ones, s.W.T * s.dZ
        else:
            forward = _eq("Z", s.A * s.W + s.ones * s.b)
            dW, db, dA = s.A.T * s.dZ, s.ones.T * s.dZ, s.dZ * s.W.T

        shapes = matrix_shapes(3)
        decision = decide_affine_formulas(layout, shapes=shapes)
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


def _binding_lines(source: str, var: str) -> str:
    """The lines of ``source`` that assign ``var`` (also through an index or ``+=``)."""
    import ast

    lines = []
    for node in ast.walk(ast.parse(source)):
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            while isinstance(target, (ast.Subscript, ast.Attribute)):
                target = target.value
            if isinstance(target, ast.Name) and target.id == var:
                lines.append((node.lineno, ast.get_source_segment(source, node) or var))
    return "; ".join(text for _, text in sorted(lines)) or var


def collect_derivations(
    derivations: Sequence[UserDerivation], *, progress: ProgressFn = _noop
) -> tuple[DerivationRecord, ...]:
    """Decide the user's own derivations (``gradproof report --formulas FILE``).

    Each formula is decided by :func:`derivations.check_formulas`; the code, when given, is
    **run** and decided by :func:`derivations.check_backward`. One ClaimRecord per formula and
    per gradient variable of the code, anchored ``yours-<k>-...``.
    """
    from derivations import check_backward, check_formulas

    records = []
    progress("your derivations", 0, len(derivations))
    for k, d in enumerate(derivations, start=1):
        claims: list[ClaimRecord] = []
        first_wrong, aliasing = None, ()
        if d.formulas:
            decided = check_formulas(d.spec, dict(d.formulas))
            first_wrong = decided.first_wrong
            for (target, expression), r in zip(d.formulas, decided.results, strict=True):
                outcome = _outcome(r)
                if r.corrected:
                    outcome["corrected"] = f"{target} = {r.corrected}"
                claims.append(ClaimRecord(
                    id=f"yours-{k}-{r.target}", document=d.name,
                    title=f"{target} = {expression}", quote=f"{target} = {expression}",
                    kind="formula", statement=None, latex="", **outcome))
        if d.code is not None:
            code = check_backward(d.spec, d.code, names=d.names)
            aliasing = code.aliasing
            for r in code.results:
                claims.append(ClaimRecord(
                    id=f"yours-{k}-code-{r.claim_id}", document=d.name,
                    title=f"{r.title} (code)",
                    quote=(_binding_lines(d.code, r.claim_id) if r.claim_id != "code"
                           else "the whole code"),
                    kind="code", statement=None, latex="", **_outcome(r)))
        records.append(DerivationRecord(name=d.name, spec=d.spec, claims=tuple(claims),
                                        first_wrong=first_wrong, code_origin=d.code_origin,
                                        aliasing=tuple(aliasing)))
        progress("your derivations", k, len(derivations))
    return tuple(records)


def collect_conventions() -> tuple[ConventionRow, ...]:
    """The conventions of each document, read off the networks' ``numeric`` specs."""
    return tuple(
        ConventionRow(
            document=d.document, network=d.description, layout=d.net.layout,
            loss=d.loss_text, reduction=d.reduction_text, half=d.half_text, labels=d.labels,
        )
        for d in document_networks()
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


def collect_networks(*, seed: int, m: int = 4) -> tuple[NetworkCheck, ...]:
    """Symbolic vs analytic vs finite-difference gradients for every document network.

    The comparison is `checks.three_way`; the point is the report's: ``init_params`` at
    ``seed`` with scale 0.8, and nonzero biases so that every term of the gradient is
    exercised.
    """
    import numpy as np

    from checks import three_way
    from numeric import init_params

    rows = []
    for d in document_networks():
        X, Y = network_data(d, m=m, seed=seed)
        params = init_params(d.net, rng=seed, scale=0.8)
        for k in params:
            if k.startswith("b"):
                params[k] = params[k] + 0.1 * np.arange(1, params[k].size + 1).reshape(
                    params[k].shape)
        tw = three_way(d.net, params, X, Y, seed=seed)
        rows.append(NetworkCheck(
            name=d.name, document=d.document, description=d.description,
            n_params=sum(int(v.size) for v in params.values()),
            symbolic_vs_analytic=tw.symbolic_vs_analytic, analytic_vs_fd=tw.analytic_vs_fd,
            symbolic_vs_fd=tw.symbolic_vs_fd, fd_verdict=str(tw.check.verdict),
            fd_method=tw.check.method,
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

    `checks.step_error_curve` of every entry-by-entry method on all 17 parameters, against
    ``numeric``'s analytic gradient: ``max |FD - exact| / max |exact|`` for h from 1e-16 to
    1e-1. The loss is `_doc000_loss`, so that the complex step applies.
    """
    import numpy as np

    from checks import step_error_curve
    from numeric import flatten_params, init_params, loss_and_grad

    d = next(n for n in document_networks() if n.name == "doc000")
    X, Y = network_data(d, m=8, seed=seed)
    params = init_params(d.net, rng=seed, scale=0.8)
    _, grads = loss_and_grad(d.net, params, X, Y)
    hs = np.logspace(-16, -1, 16 if quick else 31)
    curves = step_error_curve(lambda t: _doc000_loss(t, X, Y), flatten_params(params),
                              flatten_params(grads), hs)
    return tuple(StepCurve(method=c.label, h=c.h, error=c.error) for c in curves)


#: the methods compared on the bug catalogue, in the plot's column order: every method of
#: checks' table (a new one appears by itself), with "auto", which picks among them, last
CATALOGUE_METHODS = (*(m for m in METHODS if m != "auto"), "auto")
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
    derivations: Sequence[UserDerivation] = (),
    formulas_file: str | None = None,
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
    derivations : sequence of UserDerivation
        The user's own derivations (``--formulas FILE``, already validated); their code is
        run. ``formulas_file`` is the file's name, as the report shows it.
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
    yours = collect_derivations(derivations, progress=progress) if derivations else ()
    return Report(seed=seed, claims=claims, formulas=formulas, conventions=conventions,
                  networks=networks, step_curves=step_curves, training=training,
                  catalogue=catalogue, quotes_checked=quotes_checked, derivations=yours,
                  formulas_file=formulas_file)
