"""Execute the documents' code cells on small exact inputs and decide what they compute.

A code cell is run as written (its source text, verbatim from the document) in a fresh
namespace holding NumPy and the cell's inputs. The inputs are exact: NumPy object arrays of
SymPy symbols or Rationals for the linear algebra (``np.dot`` and ``np.sum`` then build exact
SymPy expressions), or float arrays of exactly representable values (0, 1/2, -1/4, ...) where
the cell compares or indexes with booleans. What the execution shows is decided here:

- the value a cell leaves in a name, entry by entry, against a SymPy matrix
  (:func:`decide_cell_value`);
- whether a cell changes an array held under another name, through an alias such as
  ``dz2 = probs`` followed by an in-place write (:func:`decide_cell_preserves`);
- which names a cell reads and writes (:func:`names_read`, :func:`names_written`), for
  statements about what is used where.

Notes
-----
``exec`` runs only source text that the document modules hold as constants (the cells
of the seeds), never user input.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from derivations.claim import Counterexample, Decision, Verdict
from derivations.decide import is_zero

__all__ = [
    "as_matrix",
    "decide_cell_preserves",
    "decide_cell_value",
    "dependencies",
    "exact_array",
    "names_read",
    "names_written",
    "numpy_with_rng",
    "run_cell",
    "symbol_array",
    "sympy_numpy",
]

_BUILTINS = {"range": range, "len": len, "print": lambda *a, **k: None}


class _NumpyProxy:
    """NumPy with some attributes replaced (``exp``, ``random``); everything else delegates."""

    def __init__(self, **overrides: Any) -> None:
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(np, name)


def sympy_numpy() -> Any:
    """NumPy whose ``exp`` maps ``sympy.exp`` over object arrays (exact softmax cells).

    Examples
    --------
    >>> sympy_numpy().exp(exact_array([[0, 1]]))
    array([[1, E]], dtype=object)
    """
    return _NumpyProxy(exp=np.vectorize(sp.exp, otypes=[object]))


class _Random:
    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def randn(self, *shape: int) -> np.ndarray:
        return self._rng.standard_normal(shape)


def numpy_with_rng(rng: np.random.Generator | int | None = None) -> Any:
    """NumPy whose ``np.random.randn`` draws from ``rng`` (no global random state is touched)."""
    return _NumpyProxy(random=_Random(np.random.default_rng(rng)))


def symbol_array(name: str, rows: int, cols: int) -> np.ndarray:
    """An object array of the real symbols ``name_i_j`` (the names :func:`symbolic.matrix` uses).

    Examples
    --------
    >>> symbol_array("a", 1, 2)
    array([[a_0_0, a_0_1]], dtype=object)
    """
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out[i, j] = sp.Symbol(f"{name}_{i}_{j}", real=True)
    return out


def exact_array(values: Any) -> np.ndarray:
    """An object array of SymPy numbers (``"1/3"`` and ints become Rationals).

    Examples
    --------
    >>> exact_array([["1/3", 2]])
    array([[1/3, 2]], dtype=object)
    """
    arr = np.array(values, dtype=object)
    flat = [sp.nsimplify(sp.sympify(v)) for v in arr.ravel()]
    return np.array(flat, dtype=object).reshape(arr.shape)


def as_matrix(array: Any) -> sp.Matrix:
    """A 2-D array (object or float) as a SymPy Matrix; floats become exact Rationals."""
    arr = np.asarray(array)
    if arr.ndim != 2:
        raise ValueError(f"array must be 2-D, got shape {arr.shape}")
    return sp.Matrix(
        arr.shape[0],
        arr.shape[1],
        lambda i, j: sp.nsimplify(arr[i, j]) if isinstance(arr[i, j], float) else arr[i, j],
    )


def run_cell(source: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """Run a code cell on a deep copy of ``namespace`` and return the namespace afterwards.

    The copy keeps the aliasing between names (two names bound to one array stay bound to
    one copy), so in-place writes behave as in the notebook; the caller's arrays are never
    changed. ``np`` is NumPy unless ``namespace`` provides it.

    Parameters
    ----------
    source : str
        The cell's source, verbatim.
    namespace : mapping
        The names the cell reads.

    Returns
    -------
    dict
        Every name after the cell ran (``np`` and the builtins excluded).
    """
    env: dict[str, Any] = {"np": np}
    env.update(copy.deepcopy({k: v for k, v in namespace.items() if k != "np"}))
    if "np" in namespace:
        env["np"] = namespace["np"]
    glb = {"__builtins__": _BUILTINS}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        exec(compile(source, "<cell>", "exec"), glb, env)
    env.pop("np", None)
    return env


def _shapes_text(namespace: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {np.shape(v)}" for k, v in namespace.items()
                     if k != "np" and isinstance(v, np.ndarray))


def _run_or_refute(source: str, namespace: Mapping[str, Any], what: str) -> dict | Decision:
    """Run the cell; a NumPy ``ValueError`` (shapes that do not fit) refutes it.

    The cell is the document's code: an operation it cannot perform on inputs of the shapes
    the document states is a finding about the cell, reported with NumPy's shape error.
    """
    try:
        return run_cell(source, namespace)
    except ValueError as exc:
        line = next(_failing_lines(exc), None)
        at = f" at line {line} of the cell" if line else ""
        return Decision(
            Verdict.REFUTED,
            f"{what} does not run on inputs of shapes {_shapes_text(namespace)}: it raises "
            f"ValueError{at}: {exc}",
            counterexample=Counterexample(
                point={k: str(np.shape(v)) for k, v in namespace.items()
                       if k != "np" and isinstance(v, np.ndarray)},
                stated="the cell runs", correct=f"ValueError: {exc}",
            ),
            evidence=("executed on exact inputs", "NumPy shape error"),
        )


def _failing_lines(exc: BaseException):
    """The line numbers of ``exc``'s traceback inside the cell (file ``<cell>``)."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<cell>":
            yield tb.tb_lineno
        tb = tb.tb_next


def _entries(matrix: sp.Matrix):
    for idx in np.ndindex(*matrix.shape):
        yield idx, matrix[idx]


def decide_cell_value(
    source: str,
    namespace: Mapping[str, Any],
    name: str,
    expected: sp.Matrix,
    *,
    what: str,
) -> Decision:
    """Run ``source`` and decide whether it leaves ``expected`` in ``name``, entry by entry.

    Parameters
    ----------
    source : str
        The cell, verbatim.
    namespace : mapping
        Its inputs (exact object arrays or exactly representable floats).
    name : str
        The name whose value is compared.
    expected : sympy.Matrix
        What the mathematics says that value is, on the same inputs.
    what : str
        How the reason names the cell.

    Returns
    -------
    Decision
        ``PROVEN`` if every entry's difference simplifies to 0; ``REFUTED`` with the first
        entry that differs (exact values shown), when the shapes differ, or when the cell
        raises NumPy's ``ValueError`` (shapes that do not fit) on its inputs.
    """
    env = _run_or_refute(source, namespace, what)
    if isinstance(env, Decision):
        return env
    if name not in env:
        raise ValueError(f"the cell does not bind {name!r}; it binds {sorted(env)}")
    got = as_matrix(env[name])
    if got.shape != expected.shape:
        return Decision(
            Verdict.REFUTED,
            f"{what} leaves {name} with shape {got.shape}, but the mathematics gives "
            f"{expected.shape}",
            counterexample=Counterexample(
                point={"shape": str(expected.shape)}, stated=str(got.shape),
                correct=str(expected.shape),
            ),
        )
    for idx, want in _entries(expected):
        have = got[idx]
        if is_zero(have - want):
            continue
        inputs = {k: _short(v) for k, v in namespace.items() if k != "np"}
        return Decision(
            Verdict.REFUTED,
            f"{what} leaves {name}{list(idx)} = {have}, but the mathematics gives {want}",
            counterexample=Counterexample(
                point=inputs, stated=str(have), correct=str(want), entry=str(idx)
            ),
            evidence=("executed on exact inputs",),
        )
    return Decision(
        Verdict.PROVEN,
        f"{what}, executed on exact {got.shape[0]}x{got.shape[1]} inputs, leaves in {name} "
        "exactly the derived value in every entry",
        evidence=("executed on exact inputs", "entrywise simplify == 0"),
    )


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(value, separator=", ").replace("\n", "")
    return str(value)


def decide_cell_preserves(
    source: str,
    namespace: Mapping[str, Any],
    name: str,
    *,
    what: str,
) -> Decision:
    """Decide whether running ``source`` leaves the values held under ``name`` unchanged.

    A cell that never assigns ``name`` can still change it: ``dz2 = probs`` binds a second
    name to the same array, and ``dz2[...] -= 1`` then writes into both.

    Returns
    -------
    Decision
        ``PROVEN`` if every entry of ``name`` is the same after the cell; ``REFUTED`` with the
        first entry that changed (before and after values), naming the alias when there is one,
        or when the cell raises NumPy's ``ValueError`` on its inputs.
    """
    before = as_matrix(np.array(namespace[name], dtype=object))
    env = _run_or_refute(source, namespace, what)
    if isinstance(env, Decision):
        return env
    after = as_matrix(np.array(env[name], dtype=object))
    aliases = sorted(
        k for k, v in env.items()
        if k != name and isinstance(v, np.ndarray) and np.shares_memory(v, env[name])
    )
    via = f" (it shares memory with {', '.join(aliases)})" if aliases else ""
    for idx, old in _entries(before):
        new = after[idx]
        if is_zero(new - old):
            continue
        return Decision(
            Verdict.REFUTED,
            f"{what} changes {name}{list(idx)} from {old} to {new}{via}",
            counterexample=Counterexample(
                point={k: _short(v) for k, v in namespace.items() if k != "np"},
                stated=f"{name}{list(idx)} = {old} after the cell",
                correct=f"{name}{list(idx)} = {new} after the cell",
                entry=str(idx),
            ),
            evidence=("executed on exact inputs", "np.shares_memory"),
        )
    return Decision(
        Verdict.PROVEN,
        f"{what} leaves every entry of {name} unchanged{via}",
        evidence=("executed on exact inputs",),
    )


def _names(source: str, ctx: type) -> frozenset[str]:
    tree = ast.parse(source)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ctx):
            found.add(node.id)
        if ctx is ast.Load and isinstance(node, ast.AugAssign) and isinstance(
            node.target, ast.Name
        ):
            found.add(node.target.id)  # x += 1 reads x
    return frozenset(found)


def names_read(source: str) -> frozenset[str]:
    """The names a cell reads (including the target of an augmented assignment).

    Examples
    --------
    >>> sorted(names_read("dw2 = np.dot(a1.T, dz2)/ m"))
    ['a1', 'dz2', 'm', 'np']
    """
    return _names(source, ast.Load)


def names_written(source: str) -> frozenset[str]:
    r"""The names a cell binds with ``=`` (not those written through an index).

    Examples
    --------
    >>> sorted(names_written("dz2 = probs\ndz2[range(m), y] -= 1"))
    ['dz2']
    """
    return _names(source, ast.Store)


def _target_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def dependencies(*sources: str) -> dict[str, frozenset[str]]:
    r"""For each name a statement assigns (also through an index), the names it is computed from.

    Statement by statement over the cells in order; a name assigned several times collects
    the reads of every assignment. ``np`` and the builtins are left out.

    Examples
    --------
    >>> deps = dependencies("da1 = np.dot(dz2, w2.T)", "da1[z1 <= 0] = 0\ndz1 = da1")
    >>> sorted(deps["da1"]), sorted(deps["dz1"])
    (['da1', 'dz2', 'w2', 'z1'], ['da1'])
    """
    deps: dict[str, set[str]] = {}
    for source in sources:
        for stmt in ast.parse(source).body:
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AugAssign):
                targets, value = [stmt.target], stmt.value
            else:
                continue
            for target in targets:
                name = _target_name(target)
                if name is None:
                    continue
                reads = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
                if not isinstance(target, ast.Name) or isinstance(stmt, ast.AugAssign):
                    reads |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
                deps.setdefault(name, set()).update(reads - {"np", *_BUILTINS})
    return {k: frozenset(v) for k, v in deps.items()}
