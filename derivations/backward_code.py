"""Decide a user's own NumPy forward + backward code: ``check_backward(spec, source)``.

**This runs the user's code** (``exec`` of the source text, as pytest runs a test file): pass
only code you would run yourself. It runs in a fresh namespace holding ``np`` (NumPy whose
``exp``, ``log``, ``tanh``, ``maximum`` work on exact object arrays), ``m`` and the spec's
inputs and parameters, under the names of :func:`~derivations.formula.formula_names`
(``X``, ``Y``, ``W1``, ``b1``, ...; lower-case aliases too). The inputs are exact: object
arrays of SymPy symbols, so that the code's result is an identity decided entrywise against
``sympy.diff`` of the spec's loss. Code that compares values (``Z1 > 0`` as a ReLU mask)
cannot run on plain symbols; it is run once per sign pattern of the quantities it compares
(:mod:`derivations.sign_patterns`), each run an exact identity on an open region, and proven
only when every pattern of every shape is (off the kinks, where a compared quantity is 0).
Past :data:`PATTERN_LIMIT` patterns at a shape the gradient is ``undecided``, with the count
proven; code the tracing cannot follow runs on exact rational points and is at most
``undecided`` (agreement at points is not a proof); refutations are at exact points.

Every gradient variable the code binds is found by name: ``dW1``, ``dw1``, ``grad_W1``,
``W1_grad``, ``db2``, ...; ``names={"dhidden": "dA1"}`` maps any other name to its quantity.
Aliasing writes are flagged: a name bound to an array another name also holds (``dz2 = probs``
followed by ``dz2[...] -= 1``) changes both.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from derivations.claim import Counterexample, Result, Verdict
from derivations.code import run_cell
from derivations.decide import PRECISION, rational_points
from derivations.formula import (
    _short,
    _zero_in_atoms,
    check_shapes,
    counterexample,
    formula_names,
)
from derivations.sign_patterns import Pattern, on_pattern, patterns, traced_array, untraced
from derivations.spec import Spec, parse_spec
from derivations.spec_network import maximum, normal_steps, spec_network, true_gradient

__all__ = ["BackwardResult", "check_backward", "check_names", "gradient_names"]

_PATTERNS = (
    re.compile(r"d(?P<q>[WwBbZzAa])(?P<l>\d+)"),
    re.compile(r"grad_?(?P<q>[WwBbZzAa])(?P<l>\d+)"),
    re.compile(r"(?P<q>[WwBbZzAa])(?P<l>\d+)_?grad"),
)
_NONZERO = sp.Float(10) ** (-(PRECISION - 10))


def check_names(names: Mapping[str, str]) -> None:
    """Raise ValueError unless every value of ``names`` is a quantity such as ``"dA1"``.

    Examples
    --------
    >>> check_names({"dhidden": "dA1"})
    """
    for var, q in names.items():
        if not (isinstance(var, str) and var.isidentifier()):
            raise ValueError(f"names: {var!r} is not a Python variable name")
        if not (isinstance(q, str) and re.fullmatch(r"d(W|b|Z|A)\d+", q)):
            raise ValueError(f"names: {q!r} is not a quantity such as 'dW1', 'db2', 'dZ1'")


def gradient_names(bound: Mapping[str, Any], spec: Spec,
                   names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Which bound names hold which gradient: ``{"dw1": "dW1", "grad_b2": "db2", ...}``.

    Examples
    --------
    >>> gradient_names({"dw1": 0, "grad_b1": 0, "h": 0}, parse_spec("2-1 sigmoid bce"))
    {'dw1': 'dW1', 'grad_b1': 'db1'}
    """
    found: dict[str, str] = {}
    L = spec.n_layers
    for name in bound:
        for pattern in _PATTERNS:
            hit = pattern.fullmatch(name)
            if hit:
                q, layer = hit.group("q"), int(hit.group("l"))
                q = q.upper() if q.lower() in "wza" else "b"
                if 1 <= layer <= L:
                    found[name] = f"d{q}{layer}"
                break
    for name, quantity in (names or {}).items():
        found[name] = quantity
    return found


@dataclass(frozen=True)
class BackwardResult:
    """The decision on each gradient a user's backward code binds, and its aliasing writes.

    Attributes
    ----------
    spec : str
    results : tuple of Result
        One per gradient variable found (``claim_id`` is the variable, ``title`` says which
        quantity it holds).
    aliasing : tuple of str
        Each name whose array another name also holds after the code ran, with the names.
    """

    spec: str
    results: tuple[Result, ...]
    aliasing: tuple[str, ...]

    @property
    def proven(self) -> bool:
        """Whether every gradient found is proven and no aliasing write was seen."""
        return bool(self.results) and not self.aliasing and all(
            r.verdict is Verdict.PROVEN for r in self.results
        )

    def __str__(self) -> str:
        lines = [f"code for {self.spec}: {len(self.results)} gradient(s) found"]
        for r in self.results:
            lines.append(f"{r.claim_id} ({r.title}): {r.verdict.value}")
            lines.append(f"  reason: {r.reason}")
            if r.counterexample is not None:
                lines.append(f"  counterexample: {r.counterexample}")
        lines.extend(f"aliasing: {a}" for a in self.aliasing)
        return "\n".join(lines)


class _ExactNumpy:
    """NumPy whose elementwise functions map SymPy over object arrays."""

    def __init__(self) -> None:
        self._over = {
            "exp": np.vectorize(sp.exp, otypes=[object]),
            "log": np.vectorize(sp.log, otypes=[object]),
            "tanh": np.vectorize(sp.tanh, otypes=[object]),
            "sqrt": np.vectorize(sp.sqrt, otypes=[object]),
            "maximum": np.vectorize(maximum, otypes=[object]),
        }

    def __getattr__(self, name: str) -> Any:
        return self._over.get(name) or getattr(np, name)


def _inputs(spec: Spec, dims: tuple[int, ...], point: Mapping[sp.Symbol, Any] | None
            ) -> dict[str, Any]:
    net = spec_network(spec, dims)
    wanted = ["X", "Y", "m", *net.params]
    canonical = {k: v for k, v in formula_names(spec).items() if v in wanted}
    out: dict[str, Any] = {}
    for alias, name in canonical.items():
        value = net.values[name]
        if point is not None and isinstance(value, np.ndarray):
            value = np.vectorize(lambda e: sp.sympify(e).xreplace(point), otypes=[object])(value)
        out[alias] = value if not isinstance(value, sp.Integer) else int(value)
    return out


def _run(source: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    return run_cell(source, {**namespace, "np": _ExactNumpy()})


def check_backward(spec: Spec | str, source: str, *,
                   names: Mapping[str, str] | None = None) -> BackwardResult:
    """Run a user's forward + backward NumPy code and decide every gradient it binds.

    **This executes** ``source`` (see the module docstring).

    Parameters
    ----------
    spec : Spec or str
        The network the code implements (its layout decides the shapes of the inputs).
    source : str
        Python source reading ``X``, ``Y``, ``m``, ``W1``, ``b1``, ... and binding gradient
        variables (``dW1``, ``dw1``, ``grad_W1``, ...).
    names : mapping of str to str, optional
        Other variable names and the quantity each holds, e.g. ``{"dhidden": "dA1"}``.

    Returns
    -------
    BackwardResult

    Raises
    ------
    ValueError
        If ``source`` is not valid Python, or binds no gradient variable.
    Exception
        Any exception of the user's code other than a shape error propagates unchanged.
    """
    spec = parse_spec(spec)
    try:
        compile(source, "<backward>", "exec")
    except SyntaxError as exc:
        raise ValueError(f"the code is not valid Python: {exc.msg} at line {exc.lineno}") from None
    check_names(names or {})
    shapes = check_shapes(spec)
    symbolic = True
    runs: list[tuple[tuple[int, ...], dict[sp.Symbol, Any] | None, dict[str, Any]]] = []
    for shape in shapes:
        try:
            env = _run(source, _inputs(spec, shape.dims, None))
            runs.append((shape.dims, None, env))
        except TypeError:
            symbolic = False
            break
        except ValueError as exc:
            return _shape_failure(spec, shape, exc)
    if not symbolic:
        try:
            return _check_by_patterns(spec, source, shapes, names)
        except TypeError:
            pass  # an operation the tracing does not support: exact points, undecided
        runs = []
        for shape in shapes:
            net = spec_network(spec, shape.dims)
            symbols = sorted(set().union(*(sp.Matrix(v).free_symbols for v in
                                           (net.A[0], net.Y, *net.params.values()))), key=str)
            for point in rational_points(symbols, count=2, seed=3):
                try:
                    env = _run(source, _inputs(spec, shape.dims, point))
                except ValueError as exc:
                    return _shape_failure(spec, shape, exc)
                runs.append((shape.dims, point, env))
    found = gradient_names(runs[0][2], spec, names)
    if not found:
        raise ValueError(
            "the code binds no gradient variable (dW1, dw1, grad_W1, W1_grad, db1, ...); "
            f"it binds {sorted(runs[0][2])}; map others with names={{'var': 'dW1'}}"
        )
    results = tuple(_decide(spec, var, q, runs, symbolic) for var, q in found.items())
    return BackwardResult(str(spec), results, _aliasing(runs[0][2], _written_in_place(source)))


#: the most sign patterns walked at one shape (2**8: eight compared quantities)
PATTERN_LIMIT = 256


@dataclass(frozen=True)
class _PatternRun:
    """One run of the code on one sign pattern at one shape: each gradient, code and truth."""

    dims: tuple[int, ...]
    pattern: Pattern
    env: dict[str, Any]
    pairs: dict[str, tuple[np.ndarray, np.ndarray]]


def _check_by_patterns(spec: Spec, source: str, shapes: Any,
                       names: Mapping[str, str] | None) -> BackwardResult:
    """Decide code that compares values on symbolic inputs, one sign pattern at a time.

    See :mod:`derivations.sign_patterns`. Raises TypeError when the code does something the
    tracing cannot follow (the caller then falls back to exact points).
    """
    runs: list[_PatternRun] = []
    complete: dict[tuple[int, ...], bool] = {}
    found: dict[str, str] = {}
    for shape in shapes:
        inputs = _inputs(spec, shape.dims, None)

        def run(pattern: Pattern, dims: tuple[int, ...] = shape.dims,
                inputs: dict[str, Any] = inputs) -> _PatternRun:
            env = run_cell(source, {**{k: traced_array(v, pattern) for k, v in inputs.items()},
                                    "np": np})
            if not found:
                found.update(gradient_names(env, spec, names))
            pairs = {}
            for var, quantity in found.items():
                if isinstance(env.get(var), np.ndarray):
                    want = true_gradient(spec, dims, quantity)
                    pairs[var] = (untraced(env[var]), np.vectorize(
                        lambda e, p=pattern: on_pattern(e, p), otypes=[object])(want))
            return _PatternRun(dims, pattern, env, pairs)

        count = 0
        try:
            for pattern, result in patterns(run, limit=PATTERN_LIMIT):
                runs.append(result)
                count += 1
                last = pattern
        except ValueError as exc:
            return _shape_failure(spec, shape, exc)
        complete[shape.dims] = last.next_prefix() is None
        if not found:
            raise ValueError(
                "the code binds no gradient variable (dW1, dw1, grad_W1, W1_grad, db1, ...); "
                f"it binds {sorted(runs[0].env)}; map others with names={{'var': 'dW1'}}"
            )
    results = tuple(_decide_patterns(spec, var, q, runs, complete) for var, q in found.items())
    return BackwardResult(str(spec), results, _aliasing(runs[0].env, _written_in_place(source)))


def _point_in(pattern: Pattern, symbols: list[sp.Symbol], seed: int) -> dict | None:
    """An exact rational point of the pattern's region, if one of 200 tries lies in it."""
    for point in rational_points(symbols, count=200, seed=seed):
        try:
            if all(Pattern().sign(u.xreplace(point)) == (1 if positive else -1)
                   for u, positive in pattern.signs.items()):
                return point
        except TypeError:
            continue
    return None


def _decide_patterns(spec: Spec, var: str, quantity: str, runs: list[_PatternRun],
                     complete: Mapping[tuple[int, ...], bool]) -> Result:
    start = time.perf_counter()
    title = quantity if var == quantity else f"{var} holds {quantity}"
    unresolved = 0
    for k, run in enumerate(runs):
        if var not in run.pairs:
            return Result(Verdict.REFUTED, f"{var} is not an array at dimensions {run.dims}",
                          claim_id=var, title=title, seconds=time.perf_counter() - start)
        got, want = run.pairs[var]
        if got.shape != want.shape:
            return Result(Verdict.REFUTED,
                          f"{var} has shape {got.shape} at dimensions {run.dims}, but "
                          f"{quantity} has shape {want.shape}",
                          counterexample=Counterexample({"dimensions": str(run.dims)},
                                                        str(got.shape), str(want.shape)),
                          claim_id=var, title=title, seconds=time.perf_counter() - start)
        for idx in np.ndindex(*want.shape):
            diff = sp.sympify(got[idx]) - want[idx]
            if _equal(diff, True):
                continue
            symbols = sorted(diff.free_symbols.union(*(u.free_symbols for u in
                                                       run.pattern.signs)), key=str)
            point = _point_in(run.pattern, symbols, seed=k)
            value = None if point is None else sp.N(diff.xreplace(point), PRECISION)
            if value is None or not value.is_number or abs(value) < _NONZERO:
                unresolved += 1
                break
            at = {"dimensions": str(run.dims), **{str(s): str(v) for s, v in point.items()}}
            return Result(
                Verdict.REFUTED,
                f"{var}{list(idx)} differs from {quantity} = sympy.diff of the loss at "
                f"dimensions {run.dims}, on the region where the quantities the code compares "
                f"have the signs they have at the point shown ({run.pattern.describe()})",
                counterexample=Counterexample(at, _short(_num(got[idx].xreplace(point))),
                                              _short(_num(want[idx].xreplace(point))),
                                              str(idx)),
                claim_id=var, title=title, seconds=time.perf_counter() - start,
            )
    per_shape = {}
    for run in runs:
        per_shape[run.dims] = per_shape.get(run.dims, 0) + 1
    listing = ", ".join(f"{n} at {d}" for d, n in per_shape.items())
    if unresolved or not all(complete.values()):
        stopped = [d for d, done in complete.items() if not done]
        why = (f"the walk stopped after {PATTERN_LIMIT} patterns at {stopped}"
               if stopped else "")
        if unresolved:
            why += ("; " if why else "") + (
                f"on {unresolved} pattern(s) the two sides differ as expressions but no point "
                "of the region was found")
        return Result(Verdict.UNDECIDED,
                      f"{var} equals {quantity} = sympy.diff of the loss on "
                      f"{len(runs) - unresolved} sign patterns of the quantities the code "
                      f"compares ({listing}), but not all patterns are proven: {why}",
                      claim_id=var, title=title, seconds=time.perf_counter() - start)
    return Result(Verdict.PROVEN,
                  f"{var} equals {quantity} = sympy.diff of the loss on every sign pattern of "
                  f"the quantities the code compares ({len(runs)} patterns: {listing}), each an "
                  "identity on symbolic inputs over its open region; this holds off the kinks, "
                  "where a compared quantity is 0 (there ReLU'(0) and > against >= are "
                  "conventions)", claim_id=var, title=title,
                  seconds=time.perf_counter() - start)


def _shape_failure(spec: Spec, shape: Any, exc: Exception) -> BackwardResult:
    r = Result(Verdict.REFUTED, f"the code fails at {shape}: NumPy reports a shape error "
               f"({str(exc).split(chr(10))[0]})", claim_id="code", title="the whole code")
    return BackwardResult(str(spec), (r,), ())


def _written_in_place(source: str) -> frozenset[str]:
    """Names the code writes into (``a[i] = ...``, ``a -= ...``), not those it rebinds."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(source)):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AugAssign) else [])
        for target in targets:
            if isinstance(target, ast.Subscript) or isinstance(node, ast.AugAssign):
                while isinstance(target, (ast.Subscript, ast.Attribute)):
                    target = target.value
                if isinstance(target, ast.Name):
                    found.add(target.id)
    return frozenset(found)


def _aliasing(env: Mapping[str, Any], in_place: frozenset[str]) -> tuple[str, ...]:
    """Pairs of names holding one array where the code writes into one of them."""
    arrays = {k: v for k, v in env.items() if isinstance(v, np.ndarray)}
    seen: list[str] = []
    for a in sorted(in_place & arrays.keys()):
        others = sorted(b for b in arrays if b != a and np.shares_memory(arrays[a], arrays[b]))
        if others:
            seen.append(f"{a} is written in place but holds the same array as "
                        f"{', '.join(others)}: the write changes {', '.join(others)} too "
                        f"(copy it first, e.g. {a} = {others[0]}.copy())")
    return tuple(seen)


def _decide(spec: Spec, var: str, quantity: str, runs: list[Any], symbolic: bool) -> Result:
    start = time.perf_counter()
    title = quantity if var == quantity else f"{var} holds {quantity}"
    for dims, point, env in runs:
        got = env.get(var)
        want = true_gradient(spec, dims, quantity)
        if point is not None:
            want = np.vectorize(lambda e, p=point: e.xreplace(p), otypes=[object])(want)
        if not isinstance(got, np.ndarray) or got.shape != want.shape:
            return Result(Verdict.REFUTED,
                          f"{var} has shape {np.shape(got)} at dimensions {dims}, but {quantity} "
                          f"has shape {want.shape}",
                          counterexample=Counterexample({"dimensions": str(dims)},
                                                        str(np.shape(got)), str(want.shape)),
                          claim_id=var, title=title, seconds=time.perf_counter() - start)
        for idx in np.ndindex(*want.shape):
            diff = normal_steps(sp.sympify(got[idx])) - want[idx]
            if _equal(diff, symbolic):
                continue
            at = {"dimensions": str(dims)}
            if point is not None:
                at.update({str(k): str(v) for k, v in point.items()})
                stated, correct = _num(got[idx]), _num(want[idx])
            else:
                cex = counterexample(want[idx], normal_steps(sp.sympify(got[idx])))
                at.update(cex.point if cex else {})
                stated = cex.stated if cex else _num(got[idx])
                correct = cex.correct if cex else _num(want[idx])
            return Result(
                Verdict.REFUTED,
                f"{var}{list(idx)} differs from {quantity} = sympy.diff of the loss at "
                f"dimensions {dims}",
                counterexample=Counterexample(at, _short(stated), _short(correct), str(idx)),
                claim_id=var, title=title, seconds=time.perf_counter() - start,
            )
    shapes = len({d for d, _, _ in runs})
    if not symbolic:
        # agreement at finitely many points is evidence, not a proof
        return Result(Verdict.UNDECIDED,
                      f"{var} agrees with {quantity} = sympy.diff of the loss to {PRECISION} "
                      f"digits at all {len(runs)} exact rational points tried (2 at each of "
                      f"{shapes} shapes), but the code compares values, so it could not run on "
                      "symbols and agreement at points is not a proof", claim_id=var,
                      title=title, seconds=time.perf_counter() - start)
    return Result(Verdict.PROVEN,
                  f"{var} equals {quantity} = sympy.diff of the loss on symbolic inputs, "
                  f"entrywise identity, at {shapes} shapes", claim_id=var, title=title,
                  seconds=time.perf_counter() - start)


def _equal(diff: sp.Expr, symbolic: bool) -> bool:
    if symbolic:
        from derivations.decide import is_zero

        return _zero_in_atoms(diff) or is_zero(diff)
    value = sp.N(diff, PRECISION)
    return bool(value.is_number and abs(value) < _NONZERO)


def _num(value: Any) -> str:
    expr = sp.sympify(value)
    if expr.is_Rational:
        return str(expr)
    if expr.is_number:
        return f"~{sp.N(expr, 12)}"
    text = sp.sstr(expr)
    return text if len(text) < 80 else text[:77] + "..."
