"""Vector-valued functions: vector-Jacobian products and whole Jacobians, checked.

A VJP ``vjp(x, u) = u^T J(x)`` is the gradient of the scalar ``<u, f(x)>``, so each cotangent
``u`` turns the check into one of `checks.check_gradients`, with its error bars, verdicts,
kink handling and diagnoses. `check_vjp` runs it for the cotangents the caller gives plus a
few seeded random ones: one cotangent can hide a bug (a zero entry of ``u`` hides a column of
``J``; ``u = 1`` hides a missing ``u``), several random ones do not. ``f`` is evaluated once per
point for all cotangents (each finite-difference evaluation gives a whole vector), so the cost
is about that of one scalar check.

Two checks are added on top of the scalar one:

- *Ties moved together.* Where entries sit at a kink (a max-pool window with tied maxima, a
  ReLU at 0), each entry alone is "inconclusive". Moving all of them together is smooth for
  ties (the max of tied entries moves with them), and there the sum of their gradient entries
  must match the derivative along that direction: a backward pass that copies the gradient to
  every tied entry fails instead of hiding behind the kink.
- *Diagonal only.* A VJP that acts entry by entry (``dx = d * u`` for one ``d``) while ``f``
  mixes its entries (softmax, normalisation) has used only the Jacobian's diagonal.

`check_jacobian` compares a whole Jacobian, laid out ``(*out_shape, *in_shape)`` (the layout
of ``torch.autograd.functional.jacobian`` and ``jax.jacobian``): row ``i`` is the VJP with the
one-hot cotangent ``e_i``; every finite-difference evaluation gives a whole column.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from checks._types import Method, Status, Verdict
from checks.config import CheckConfig
from checks.finite_diff import OutputError
from checks.gradcheck import GradientMismatch, check_gradients
from checks.result import CheckResult, Diagnosis, ParamCheck, overall
from checks.structure import Structure, normalise_params, private_copies

DEFAULT_RANDOM_COTANGENTS = 3
"""Seeded random cotangents checked besides the ones given."""
COTANGENT_STREAM = 0x636F74
"""Second word of the random cotangents' seed sequence ``[seed, COTANGENT_STREAM]``."""
MEMO_LIMIT = 20_000_000
"""Contracted values `VectorMemo` keeps (160 MB in float64); beyond, it evaluates again."""
ELEMENTWISE_RTOL = 1e-2
"""Relative residual under which a VJP counts as acting entry by entry."""


class LayerError(OutputError):
    """A VJP or a layer broke its contract (wrote into ``dout`` or ``cache``, bad returns).

    Raised when a VJP or ``backward`` writes into its cotangent or into the forward's
    cache, or a layer returns something other than ``(out, cache)`` or one gradient per input.
    """


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class VectorCheckResult(CheckResult):
    """A `checks.CheckResult` of a vector-valued check, with the cotangents it used.

    Attributes
    ----------
    kind : str
        "vjp", "layer", "jacobian" or "hessian": the first word of ``str(result)``.
    cotangents : tuple of ndarray
        The cotangents checked, the caller's first, each with the shape of ``f``'s output.
    labels : tuple of str
        "given" or "random" per cotangent.
    exposed_by : tuple of (str, int)
        For each failing (or inconclusive) parameter, the index of the first cotangent under
        which it failed (was inconclusive).
    per_cotangent : tuple of CheckResult
        The scalar check of ``<u, f(x)>`` for each cotangent, in order.
    """

    kind: str = "vjp"
    cotangents: tuple[np.ndarray, ...] = ()
    labels: tuple[str, ...] = ()
    exposed_by: tuple[tuple[str, int], ...] = ()
    per_cotangent: tuple[CheckResult, ...] = field(default_factory=tuple)

    def cotangent_for(self, name: str) -> np.ndarray | None:
        """The cotangent that exposed parameter ``name``, or None if it passed under all."""
        for n, k in self.exposed_by:
            if n == name:
                return self.cotangents[k]
        return None

    def __str__(self) -> str:
        n = len(self.cotangents)
        given = sum(lab == "given" for lab in self.labels)
        what = (f"{n} cotangents: {given} given, {n - given} random (seed {self.seed})"
                if self.kind in ("vjp", "layer") else
                f"{len(self.per_cotangent)} rows, seed {self.seed}" if self.kind == "jacobian"
                else f"seed {self.seed}")
        lines = [
            f"{self.kind} check: {self.verdict.value.upper()}  ({what}; method {self.method}; "
            f"{self.evaluations} evaluations of f; rtol={self.rtol:.3g}, atol={self.atol:.3g})"
        ]
        lines += [f"  problem: {p}" for p in self.problems]
        exposed = dict(self.exposed_by)
        for p in self.params:
            lines.append(p.table())
            if p.name in exposed and self.kind in ("vjp", "layer"):
                k = exposed[p.name]
                bad = sum(r[p.name].verdict == p.verdict for r in self.per_cotangent
                          if p.name in [q.name for q in r.params])
                tally = f", {p.verdict.value} under {bad} of {n}" if bad else ""
                lines.append(f"    exposed by cotangent #{k} ({self.labels[k]}; "
                             f".cotangents[{k}]){tally}")
        return "\n".join(lines)


def raise_on_failure(result: CheckResult, allow_inconclusive: bool) -> CheckResult:
    """``result``, or `GradientMismatch` with its table when it failed (or was undecided)."""
    if result.verdict == Verdict.FAIL or (
        not allow_inconclusive and result.verdict == Verdict.INCONCLUSIVE
    ):
        raise GradientMismatch(str(result), result=result)
    return result


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def check_callable(value: Any, name: str) -> None:
    """TypeError naming ``name`` unless ``value`` is callable."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}.")


def check_count(value: Any, name: str, minimum: int = 0) -> int:
    """``value`` as an int >= ``minimum``, or a ValueError/TypeError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}.")
    return int(value)


def check_knobs(method: Any, rtol: Any, atol: Any) -> None:
    """The knobs passed on to `checks.check_gradients`, validated before any evaluation.

    By `checks.CheckConfig`, the one place they are validated (same messages).
    """
    CheckConfig(method=method, rtol=rtol, atol=atol)


def check_executor(executor: Any) -> None:
    """TypeError unless ``executor`` is None or a `concurrent.futures.Executor`."""
    CheckConfig(executor=executor)


def check_seed(seed: Any) -> int:
    """The seed, resolved: None -> 0 (results are reproducible by default)."""
    resolved = CheckConfig(seed=seed).seed
    return 0 if resolved is None else resolved


def validated_output(f: Callable[[Any], Any], arg: Any, name: str = "f") -> np.ndarray:
    """``f(arg)`` as a finite real float array, called twice to make sure it is deterministic."""
    out = f(arg)
    arr = np.asarray(out)
    if arr.dtype.kind != "f":
        raise OutputError(
            f"{name} must return a real floating-point array, but it returned "
            f"{type(out).__name__} with dtype {arr.dtype} at the given inputs."
        )
    if arr.size == 0:
        raise OutputError(f"{name} returned an empty array (shape {arr.shape}): nothing to check.")
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise OutputError(
            f"{name} returned {arr[idx]} at output index {idx} at the given inputs (before any "
            "perturbation); move the point into the function's domain."
        )
    arr = np.array(arr, copy=True)
    again = np.asarray(f(arg))
    if again.shape != arr.shape or again.tobytes() != arr.tobytes():
        raise OutputError(
            f"{name} is not deterministic: two calls with the same inputs returned different "
            "outputs. Fix its random seed (dropout masks: seed them inside the layer) before "
            "checking gradients."
        )
    return arr


def normalise_cotangents(cotangents: Any, shape: tuple[int, ...], dtype: np.dtype,
                         name: str = "cotangents", source: str = "f returns"
                         ) -> list[np.ndarray]:
    """The caller's cotangents as a list of float arrays of ``shape``, cast to ``dtype``."""
    if cotangents is None:
        return []
    items = list(cotangents) if isinstance(cotangents, list | tuple) else [cotangents]
    out = []
    for k, u in enumerate(items):
        label = name if not isinstance(cotangents, list | tuple) else f"{name}[{k}]"
        arr = np.asarray(u)
        if arr.dtype.kind not in "fiu" or arr.dtype.kind == "b":
            raise TypeError(f"{label} has dtype {arr.dtype}; a real float array of the output's "
                            f"shape {shape} is expected.")
        if arr.shape != shape:
            raise ValueError(
                f"{label} has shape {arr.shape}, but {source} an array of shape {shape}: a "
                "cotangent (upstream gradient dout) must have the output's shape."
            )
        if not np.isfinite(arr).all():
            raise ValueError(f"{label} contains NaN or inf; cotangents must be finite.")
        out.append(arr.astype(dtype, copy=True))
    return out


# ---------------------------------------------------------------------------------------------
# One evaluation of f for every cotangent
# ---------------------------------------------------------------------------------------------


def _leaves(structure: Structure, params: Any) -> list[np.ndarray]:
    if structure.kind == "array":
        return [np.asarray(params)]
    if structure.kind == "dict":
        return [np.asarray(params[k]) for k in structure.keys]
    return [np.asarray(p) for p in params]


class VectorMemo:
    """Evaluates a vector-valued ``f`` once per point and contracts it with every cotangent.

    ``memo(params)`` is ``U @ f(params).ravel()``, one value per cotangent (row of ``U``),
    kept per point: the scalar checks of all cotangents share every evaluation, and only K
    numbers per point are stored, whatever the size of ``f``'s output. Keys are digests of
    the inputs' bytes and dtypes. Lives for one check only.
    """

    def __init__(self, f: Callable[[Any], Any], structure: Structure, U: np.ndarray) -> None:
        self.f = f
        self.structure = structure
        self.U = U
        self.store: dict[bytes, np.ndarray] = {}
        self.calls = 0

    def __call__(self, params: Any) -> np.ndarray:
        """``U @ f(params)``, shape (K,), from the store when this point was seen before."""
        h = hashlib.blake2b(digest_size=20)
        for a in _leaves(self.structure, params):
            h.update(a.dtype.str.encode())
            h.update(np.ascontiguousarray(a).tobytes())
        key = h.digest()
        hit = self.store.get(key)
        if hit is not None:
            return hit
        out = np.asarray(self.f(params))
        self.calls += 1
        if out.size != self.U.shape[1]:
            raise OutputError(
                f"f returned shape {out.shape} at a perturbed point, but {self.U.shape[1]} "
                "entries at the given inputs: the output's shape must not depend on the input "
                "values."
            )
        value = self.U @ out.reshape(-1)
        if len(self.store) * self.U.shape[0] < MEMO_LIMIT:
            self.store[key] = value
        return value


@dataclass(frozen=True)
class Contracted:
    """The scalar ``<u_k, f(x)>`` that `checks.check_gradients` checks for one cotangent."""

    memo: VectorMemo
    k: int  # row of memo.U

    def __call__(self, params: Any) -> Any:
        """``sum(u_k * f(params))`` in f's output dtype (complex when f is given complex)."""
        return self.memo(params)[self.k]


# ---------------------------------------------------------------------------------------------
# check_vjp
# ---------------------------------------------------------------------------------------------


def _call_vjp(vjp: Callable[[Any, Any], Any], structure: Structure,
              originals: list[np.ndarray], u: np.ndarray, name: str) -> Any:
    """The user's VJP on private copies; an error if it writes into the cotangent."""
    mine = u.copy()
    value = vjp(structure.build(private_copies(originals)), mine)
    if mine.tobytes() != u.tobytes():
        raise LayerError(
            f"{name} wrote into the cotangent it was given (e.g. `dx = dout; dx[mask] = 0`). "
            "In a network dout is shared with other branches: copy it first "
            "(`dx = dout.copy()`) or build a new array (`dx = dout * mask`)."
        )
    return value


def _elementwise(gs: Sequence[np.ndarray], us: Sequence[np.ndarray]) -> bool:
    """Whether ``gs[k] = d * us[k]`` for one ``d`` (an entry-by-entry VJP), k >= 2 needed."""
    if len(gs) < 2 or any(g.shape != u.shape for g, u in zip(gs, us, strict=True)):
        return False
    U = np.stack([u.reshape(-1) for u in us]).astype(np.float64)
    G = np.stack([g.reshape(-1) for g in gs]).astype(np.float64)
    den = np.sum(U * U, axis=0)
    d = np.where(den > 0, np.sum(U * G, axis=0) / np.where(den > 0, den, 1.0), 0.0)
    scale = float(np.linalg.norm(G))
    return scale > 0 and float(np.linalg.norm(G - d * U)) <= ELEMENTWISE_RTOL * scale


def _diagonal_only(name: str, results: Sequence[CheckResult], us: Sequence[np.ndarray]
                   ) -> Diagnosis | None:
    """"diagonal only" when the analytic VJP acts entry by entry and the numeric does not."""
    checks = [r[name] for r in results]
    if any(c.analytic is None or c.numeric is None or c.probe != "entries" for c in checks):
        return None
    if not _elementwise([c.analytic for c in checks], us):  # type: ignore[misc]
        return None
    if _elementwise([c.numeric for c in checks], us):  # type: ignore[misc]
        return None
    return Diagnosis(
        "diagonal only",
        f"the VJP acts entry by entry ({name}_grad = d * u with one d for all "
        f"{len(us)} cotangents u), but f mixes the entries of {name}: only the Jacobian's "
        "diagonal was used, and the terms through shared quantities (a softmax's sum, a batch "
        "mean or variance) are missing; e.g. softmax `s * (1 - s) * dout` instead of "
        "`s * (dout - sum(dout * s, axis=-1, keepdims=True))`.",
    )


def _ties_probe(memo: VectorMemo, structure: Structure, originals: list[np.ndarray],
                k: int, result: CheckResult, name: str, pi: int, method: Method,
                seed: int) -> Diagnosis | None:
    """Move the kink entries of one input together; a failure there is a tie bug."""
    pc = result[name]
    if pc.status is None or pc.analytic is None or pc.probe != "entries":
        return None
    kinks = pc.status == Status.KINK
    if not kinks.any():
        return None
    x = originals[pi]
    v = np.where(kinks, np.maximum(np.abs(x.astype(np.float64)), 1.0), 0.0)
    along = float(np.sum(pc.analytic * v))
    contracted = Contracted(memo, k)

    def g(t: np.ndarray) -> Any:
        arrays = private_copies(originals)
        arrays[pi] = (x.astype(np.float64) + float(t[0]) * v).astype(x.dtype)
        return contracted(structure.build(arrays))

    t0 = np.zeros(1, dtype=x.dtype)
    r = check_gradients(g, t0, np.array([along]), method=method, seed=seed)
    if r.verdict != Verdict.FAIL:
        return None
    n = r.params[0].numeric
    numeric = float(n[0]) if n is not None else math.nan
    where = [tuple(int(i) for i in w) for w in np.argwhere(kinks)[:3]]
    return Diagnosis(
        "ties",
        f"{int(kinks.sum())} entries of {name} sit at kinks (e.g. {where}); moved together "
        f"(each by max(|x|, 1)), f changes smoothly at rate {numeric:.6g}, but the analytic "
        f"gradient gives {along:.6g} along that direction: tied entries (equal maxima of a "
        "pooling window) must share the upstream gradient (route it to one of them, e.g. the "
        "first argmax), not each get all of it.",
    )


def _shifted(pc: ParamCheck) -> Diagnosis | None:
    """"shifted" when the analytic gradient is the numeric one moved by a small offset.

    Tried on the last two axes (an image's H and W), offsets up to 2 each way; the two must
    agree on the overlap (the entries that moved in) to `ELEMENTWISE_RTOL` of its norm. The
    signature of a padding or crop offset in a conv or pooling backward pass.
    """
    a, n = pc.analytic, pc.numeric
    if a is None or n is None or a.ndim < 2 or min(a.shape[-2:]) < 3:
        return None
    for di in range(-2, 3):
        for dj in range(-2, 3):
            if di == dj == 0:
                continue
            H, W = a.shape[-2:]
            sa = (..., slice(max(di, 0), H + min(di, 0)), slice(max(dj, 0), W + min(dj, 0)))
            sn = (..., slice(max(-di, 0), H + min(-di, 0)),
                  slice(max(-dj, 0), W + min(-dj, 0)))
            A, N = a[sa], n[sn]
            scale = float(np.linalg.norm(N))
            if scale > 0 and float(np.linalg.norm(A - N)) <= ELEMENTWISE_RTOL * scale:
                return Diagnosis(
                    "shifted",
                    f"analytic[..., i, j] = numeric[..., i - {di}, j - {dj}] on the overlap: "
                    f"the gradient is moved by ({di}, {dj}) along the last two axes, a padding "
                    "or crop offset (e.g. dx = dx_pad[..., :H, :W] instead of "
                    "dx_pad[..., pad:pad + H, pad:pad + W]).",
                )
    return None


def _flat(pc: ParamCheck) -> bool:
    """Undecided only because ``<u, f>`` does not move along this parameter: u says nothing."""
    return (pc.verdict == Verdict.INCONCLUSIVE and pc.status is not None
            and bool(np.all((pc.status == Status.UNRESOLVED) | (pc.status == Status.PASS))))


def _pick(results: Sequence[CheckResult], name: str) -> tuple[ParamCheck, int | None]:
    """The parameter's check from the first cotangent that failed it (or left it undecided).

    A cotangent under which ``<u, f(x)>`` is flat in the parameter (e.g. ``u = 1`` for a
    softmax, whose columns sum to 1) decides nothing; it counts only when every cotangent is.
    """
    for k, r in enumerate(results):
        if r[name].verdict == Verdict.FAIL:
            return r[name], k
    for k, r in enumerate(results):
        if r[name].verdict == Verdict.INCONCLUSIVE and not _flat(r[name]):
            return r[name], k
    for r in results:
        if r[name].verdict == Verdict.PASS:
            return r[name], None
    for k, r in enumerate(results):
        if r[name].verdict == Verdict.INCONCLUSIVE:
            return r[name], k
    return results[0][name], None


def run_vjp(f: Callable[[Any], Any], structure: Structure, originals: list[np.ndarray],
            vjp: Callable[[Any, Any], Any], given: list[np.ndarray], n_random: int, *,
            method: Method, rtol: float | None, atol: float | None, seed: int,
            kind: str = "vjp", vjp_name: str = "vjp",
            out: np.ndarray | None = None,
            executor: Executor | None = None) -> VectorCheckResult:
    """The check proper on validated input (shared with `checks.layers.check_layer`)."""
    if out is None:
        out = validated_output(f, structure.build(private_copies(originals)))
    # A stream of its own: default_rng(seed) is what users draw their data from, and a
    # cotangent equal to the data (u = x - 2 for x = 2 + normal) can be orthogonal to
    # everything a layer's VJP depends on (batch norm then has dx = 0 for any slip).
    rng = np.random.default_rng(np.random.SeedSequence([seed, COTANGENT_STREAM]))
    randoms = [rng.standard_normal(out.shape).astype(out.dtype) for _ in range(n_random)]
    us = [*given, *randoms]
    labels = ("given",) * len(given) + ("random",) * len(randoms)
    memo = VectorMemo(f, structure, np.stack([u.reshape(-1) for u in us]))
    results = []
    for k, u in enumerate(us):
        value = _call_vjp(vjp, structure, originals, u, vjp_name)
        results.append(check_gradients(Contracted(memo, k), structure.build(originals), value,
                                       method=method, rtol=rtol, atol=atol, seed=seed,
                                       executor=executor))
    params, exposed = [], []
    for pi, name in enumerate(structure.names):
        pc, k = _pick(results, name)
        if pc.verdict == Verdict.INCONCLUSIVE and k is not None:
            ties = _ties_probe(memo, structure, originals, k, results[k], name, pi, method,
                               seed)
            if ties is not None:
                pc = replace(pc, verdict=Verdict.FAIL, diagnosis=ties)
        if pc.verdict == Verdict.FAIL and (pc.diagnosis is None or pc.diagnosis.kind in (
                "unexplained", "few entries")):
            diag = _diagonal_only(name, results, us) or _shifted(pc)
            if diag is not None:
                pc = replace(pc, diagnosis=diag)
        params.append(pc)
        if k is not None:
            exposed.append((name, k))
    again = np.asarray(f(structure.build(private_copies(originals))))
    if again.shape != out.shape or again.tobytes() != out.tobytes():
        raise OutputError(
            "f is not deterministic: at the same inputs it returned different outputs before "
            "and after the check (does it keep state between calls?)."
        )
    problems = tuple(dict.fromkeys(p for r in results for p in r.problems))
    first = results[0]
    return VectorCheckResult(
        overall(params, problems), tuple(params), first.method, first.method_note, first.rtol,
        first.atol, max(r.noise for r in results), memo.calls + 3, seed, problems, kind=kind,
        cotangents=tuple(us), labels=labels, exposed_by=tuple(exposed),
        per_cotangent=tuple(results),
    )


def check_vjp(
    f: Callable[[Any], Any],
    inputs: Any,
    vjp: Callable[[Any, Any], Any],
    *,
    cotangents: Any = None,
    random_cotangents: int = DEFAULT_RANDOM_COTANGENTS,
    method: Method = "auto",
    rtol: float | None = None,
    atol: float | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
) -> VectorCheckResult:
    """Check a vector-Jacobian product against finite differences of ``<u, f(x)>``.

    Parameters
    ----------
    f : callable
        ``f(inputs) -> ndarray`` of any (fixed) shape ``out_shape``, real floating point,
        deterministic; called with the structure of ``inputs``.
    inputs : ndarray, sequence of ndarray, or dict of name -> ndarray
        Float arrays, as the ``params`` of `checks.check_gradients`. Never modified.
    vjp : callable
        ``vjp(inputs, u) -> gradients``: ``u^T J``, the gradient of ``<u, f(inputs)>``, with
        the structure of ``inputs`` (a dict for a dict, one array for one array). Must not
        write into ``u``.
    cotangents : ndarray or sequence of ndarray, optional
        Cotangents (upstream gradients) of shape ``out_shape`` to check first.
    random_cotangents : int
        Seeded standard-normal cotangents checked after them (default 3).
    method, rtol, atol
        As in `checks.check_gradients`, applied to each cotangent's scalar check.
    seed : int, optional
        Seeds the random cotangents and the checks (default 0: reproducible).
    executor : concurrent.futures.Executor, optional
        As in `checks.check_gradients` (``f`` must then be picklable). The workers do not
        share evaluations across cotangents: each cotangent costs a full pass there.

    Returns
    -------
    VectorCheckResult
        A `checks.CheckResult`; per input, the check under the first cotangent that failed
        it, and that cotangent's number (``result.cotangent_for(name)``).

    Raises
    ------
    TypeError, ValueError
        Bad inputs (as in `checks.check_gradients`), a cotangent of the wrong shape or dtype,
        no cotangent at all, a non-callable ``f`` or ``vjp``.
    OutputError
        ``f`` returns a non-float, empty, non-finite or non-deterministic output, or ``vjp``
        writes into its cotangent.

    Notes
    -----
    ``f`` is evaluated once per point whatever the number of cotangents. Inputs that sit at
    a kink are inconclusive entry by entry; they are then moved together, and where that is
    smooth (tied maxima) their gradients must add up (diagnosis "ties"). A VJP that acts
    entry by entry while ``f`` does not gets the diagnosis "diagonal only".

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: np.tanh(x) * 2.0
    >>> x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    >>> print(check_vjp(f, x, lambda x, u: 2.0 * u * (1 - np.tanh(x) ** 2)).verdict)
    pass
    >>> print(check_vjp(f, x, lambda x, u: u * (1 - np.tanh(x) ** 2)).verdict)
    fail
    """
    structure, originals = normalise_params(inputs)
    check_callable(f, "f")
    check_callable(vjp, "vjp")
    check_knobs(method, rtol, atol)
    n_random = check_count(random_cotangents, "random_cotangents")
    seed_ = check_seed(seed)
    out = validated_output(f, structure.build(private_copies(originals)))
    given = normalise_cotangents(cotangents, out.shape, out.dtype)
    if not given and n_random == 0:
        raise ValueError("no cotangent to check: pass cotangents=... or random_cotangents >= 1.")
    check_executor(executor)
    return run_vjp(f, structure, originals, vjp, given, n_random, method=method, rtol=rtol,
                   atol=atol, seed=seed_, out=out, executor=executor)


def assert_vjp(f: Callable[[Any], Any], inputs: Any, vjp: Callable[[Any, Any], Any], *,
               allow_inconclusive: bool = True, **kwargs: Any) -> VectorCheckResult:
    """`check_vjp`, raising `checks.GradientMismatch` when it fails.

    Parameters
    ----------
    f, inputs, vjp, **kwargs
        As in `check_vjp`.
    allow_inconclusive : bool
        If False, an "inconclusive" verdict raises too.

    Returns
    -------
    VectorCheckResult
    """
    result = check_vjp(f, inputs, vjp, **kwargs)
    raise_on_failure(result, allow_inconclusive)
    return result


# ---------------------------------------------------------------------------------------------
# check_jacobian
# ---------------------------------------------------------------------------------------------


def _stack_rows(name: str, shape: tuple[int, ...], rows: Sequence[ParamCheck]) -> ParamCheck:
    """One `ParamCheck` of shape ``out_shape + in_shape`` from the per-row checks."""
    def stacked(field_name: str) -> np.ndarray:
        return np.stack([getattr(r, field_name) for r in rows]).reshape(shape)

    status = stacked("status")
    verdict = overall(rows, ())
    decided = (status == Status.PASS) | (status == Status.FAIL)
    finite = [r for r in rows if np.isfinite(r.max_abs_error)]
    pc = ParamCheck(
        name=name, shape=shape, probe="entries", verdict=verdict,
        analytic=stacked("analytic"), numeric=stacked("numeric"),
        error_bar=stacked("error_bar"), status=status,
        max_abs_error=max((r.max_abs_error for r in finite), default=math.nan),
        max_rel_error=max((r.max_rel_error for r in finite), default=math.nan),
        worst_index=None, worst_error_bar=math.nan, allowance=stacked("allowance"),
    )
    worst = pc.worst(1)
    diagnosis = None
    if verdict == Verdict.FAIL:
        diagnosis = _jacobian_diagnosis(pc, decided)
    return replace(pc, worst_index=worst[0] if worst else None,
                   worst_error_bar=float(pc.error_bar[worst[0]]) if worst else math.nan,  # type: ignore[index]
                   diagnosis=diagnosis)


def _jacobian_diagnosis(pc: ParamCheck, decided: np.ndarray) -> Diagnosis:
    """"diagonal only" for a diagonal analytic Jacobian of an f that mixes entries."""
    from checks.diagnose import diagnose

    assert pc.analytic is not None and pc.numeric is not None and pc.status is not None
    n_in = int(np.prod(pc.shape[len(pc.shape) // 2:], dtype=np.int64)) if pc.shape else 1
    A = pc.analytic.reshape(-1, n_in)
    N = pc.numeric.reshape(-1, n_in)
    wrong = ((pc.status == Status.FAIL) | (pc.status == Status.NONFINITE)).reshape(A.shape)
    if A.shape[0] == A.shape[1] > 1:
        off = ~np.eye(A.shape[0], dtype=bool)
        if (A[off] == 0).all() and wrong[off].any() and not wrong[~off].any():
            return Diagnosis(
                "diagonal only",
                f"the analytic Jacobian is diagonal, but {int(wrong[off].sum())} off-diagonal "
                "entries of the numeric one are not 0: only dy_i/dx_i was written (softmax: "
                "J = diag(s) - s s^T, not diag(s (1 - s))).",
            )
    bar = float(np.max(pc.error_bar, initial=0.0)) if pc.error_bar is not None else 0.0
    return diagnose(A, N, wrong, decided.reshape(A.shape), 3.0 * bar)


def check_jacobian(
    f: Callable[[Any], Any],
    x: Any,
    jac: Any,
    *,
    method: Method = "auto",
    rtol: float | None = None,
    atol: float | None = None,
    seed: int | None = None,
) -> VectorCheckResult:
    """Check a whole hand-written Jacobian against finite differences, column by column.

    Parameters
    ----------
    f : callable
        ``f(x) -> ndarray`` of shape ``out_shape``, real floating point, deterministic.
    x : ndarray
        One float array of shape ``in_shape``. Never modified.
    jac : callable or ndarray
        ``jac(x)`` or the array itself, shape ``out_shape + in_shape`` (``J[i..., j...] =
        d f[i...] / d x[j...]``, the layout of ``torch.autograd.functional.jacobian``).
    method, rtol, atol
        As in `checks.check_gradients`, for each row's check.
    seed : int, optional
        Seeds the noise estimates (default 0).

    Returns
    -------
    VectorCheckResult
        One `checks.ParamCheck` named "jacobian" of shape ``out_shape + in_shape``; a failure
        names the entry ``(i..., j...)``.

    Raises
    ------
    TypeError
        ``x`` is not one float array, ``f`` or ``jac`` is not what is expected.
    OutputError
        ``f`` returns a non-float, empty, non-finite or non-deterministic output.

    Notes
    -----
    Each finite-difference evaluation of ``f`` gives a whole column ``d f / d x[j]``; every
    entry is then judged with the error bars of `checks.check_gradients` (row ``i`` is the
    gradient of ``f[i]``). A Jacobian of the wrong shape fails with the diagnosis
    "wrong shape"; one laid out ``in_shape + out_shape`` is named as such. A diagonal
    Jacobian of a function that mixes its entries gets "diagonal only". Diagnoses of other
    failures index the Jacobian as a matrix (flat output, flat input).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: np.array([x[0] * x[1], np.sin(x[1])])
    >>> J = lambda x: np.array([[x[1], x[0]], [0.0, np.cos(x[1])]])
    >>> print(check_jacobian(f, np.array([0.5, 2.0]), J).verdict)
    pass
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be one float ndarray, got {type(x).__name__}; for several "
                        "inputs, use check_vjp.")
    structure, originals = normalise_params(x)
    check_callable(f, "f")
    check_knobs(method, rtol, atol)
    seed_ = check_seed(seed)
    out = validated_output(f, private_copies(originals)[0])
    value = jac(private_copies(originals)[0]) if callable(jac) else jac
    J = np.asarray(value)
    if J.dtype.kind not in "fiu" or J.dtype.kind == "b":
        raise TypeError(f"jac has dtype {J.dtype}; a real array of shape out_shape + in_shape "
                        f"= {out.shape + x.shape} is expected.")
    want = out.shape + x.shape
    if J.shape != want:
        hint = (" It is laid out in_shape + out_shape: transpose it." if
                J.shape == x.shape + out.shape else "")
        pc = ParamCheck("jacobian", want, "entries", Verdict.FAIL, None, None, None, None,
                        math.nan, math.nan, None, math.nan, None,
                        Diagnosis("wrong shape", f"jac has shape {J.shape}, but f maps "
                                  f"{x.shape} to {out.shape}, so out_shape + in_shape = "
                                  f"{want} is expected.{hint}"))
        return VectorCheckResult(Verdict.FAIL, (pc,), "none", "jacobian of the wrong shape",
                                 0.0, 0.0, 0.0, 2, seed_, kind="jacobian")
    rows = J.reshape(out.size, *x.shape).astype(np.float64)
    memo = VectorMemo(f, structure, np.eye(out.size, dtype=out.dtype))
    results = []
    for i in range(out.size):
        results.append(check_gradients(Contracted(memo, i), originals[0], rows[i],
                                       method=method, rtol=rtol, atol=atol, seed=seed_))
    pc = _stack_rows("jacobian", want, [r.params[0] for r in results])
    first = results[0]
    return VectorCheckResult(
        pc.verdict, (pc,), first.method, first.method_note, first.rtol, first.atol,
        max(r.noise for r in results), memo.calls + 2, seed_, kind="jacobian",
        per_cotangent=tuple(results),
    )


def assert_jacobian(f: Callable[[Any], Any], x: Any, jac: Any, *,
                    allow_inconclusive: bool = True, **kwargs: Any) -> VectorCheckResult:
    """`check_jacobian`, raising `checks.GradientMismatch` when it fails.

    Parameters
    ----------
    f, x, jac, **kwargs
        As in `check_jacobian`.
    allow_inconclusive : bool
        If False, an "inconclusive" verdict raises too.

    Returns
    -------
    VectorCheckResult
    """
    result = check_jacobian(f, x, jac, **kwargs)
    raise_on_failure(result, allow_inconclusive)
    return result
