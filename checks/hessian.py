"""`check_hessian`: a hand-written Hessian or Hessian-vector product, checked.

The Hessian is the Jacobian of the gradient, and a Hessian-vector product ``H v`` is the VJP
of the gradient with cotangent ``v`` (H is symmetric), so both checks are those of
`checks.vjp` applied to the gradient: the caller's ``grad`` when given (itself checked first
against finite differences of ``f``: a Hessian judged against a wrong gradient means
nothing), or central differences of ``f`` otherwise. Symmetry is checked on its own: ``H``
against ``H.T`` for a whole Hessian, ``u . H v`` against ``v . H u`` for products.

Why a separate function rather than ``check_gradients(..., order=2)``: the arguments are
different (``hess`` or ``hvp``, plus an optional ``grad`` that is an input of the check, not
the thing checked), and so are the checks (symmetry, the gradient first). With ``order=2``
the meaning of ``grad`` would change with another argument, which the house style forbids
(one purpose and one return type per function).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from checks import steps as st
from checks._types import Method, Status, Verdict
from checks.gradcheck import check_gradients
from checks.methods import CENTRAL_EXPONENT
from checks.result import Diagnosis, ParamCheck
from checks.structure import normalise_params, private_copies
from checks.vjp import (
    DEFAULT_RANDOM_COTANGENTS,
    VectorCheckResult,
    check_callable,
    check_count,
    check_jacobian,
    check_knobs,
    check_seed,
    normalise_cotangents,
    overall,
    raise_on_failure,
    run_vjp,
)

INNER_EXPONENT = 1 / 5  # the step exponent of `FDGradient` (optimal for a 4th-order stencil)


class FDGradient:
    """The gradient of a scalar ``f`` by Richardson-extrapolated central differences.

    Used when no ``grad`` is given. Steps ``h = eps**(1/5) max(|x|, 1)`` and ``h / 2``,
    combined as ``(4 D(h/2) - D(h)) / 3`` (error ``O(h^4)``, round-off about
    ``eps |f| / h``). Its round-off is not noise at the scale of a few ulps (the rounded
    stencil points move in steps), so the checker cannot measure it: `implied_atol` states it.
    """

    def __init__(self, f: Callable[[Any], Any]) -> None:
        self.f = f
        self.calls = 0  # evaluations of f
        self.f_abs = 0.0  # largest |f| seen

    def _f(self, x: np.ndarray) -> float:
        value = float(np.asarray(self.f(x)))
        self.f_abs = max(self.f_abs, abs(value))
        self.calls += 1
        return value

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The gradient at ``x``, entry by entry (x restored after each)."""
        x = np.array(x, copy=True)
        flat = x.reshape(-1)
        h = st.steps(flat, INNER_EXPONENT)
        g = np.empty(flat.size)
        for i in range(flat.size):
            old = flat[i]
            d = []
            try:
                for s in (h[i], h[i] / 2):
                    flat[i] = old + s
                    up, hp = self._f(x), float(flat[i]) - float(old)
                    flat[i] = old - s
                    down, hm = self._f(x), float(flat[i]) - float(old)
                    d.append((up - down) / (hp - hm))
            finally:
                flat[i] = old
            g[i] = (4.0 * d[1] - d[0]) / 3.0
        return g.reshape(x.shape).astype(x.dtype)

    def implied_atol(self, x: np.ndarray) -> float:
        """What the inner round-off (``~8 eps |f| / h``) implies for a Hessian entry.

        Differenced by the outer central step ``eps**(1/3) max(|x|, 1)``, twice over.
        """
        eps = float(np.finfo(x.dtype).eps)
        scale = float(np.max(np.abs(x), initial=1.0))  # max(|x|, 1)
        inner = 8.0 * eps * self.f_abs / (st.base_step(x.dtype, INNER_EXPONENT) * scale)
        return 2.0 * inner / (st.base_step(x.dtype, CENTRAL_EXPONENT) * scale)


def _symmetry(name: str, A: np.ndarray, rtol: float, shape: tuple[int, ...],
              what: str) -> ParamCheck:
    """Exact comparison of A with A.T (no finite differences: a Hessian is symmetric)."""
    B = A.T
    diff = np.abs(A - B)
    scale = float(np.max(np.abs(A), initial=0.0))
    allow = rtol * np.maximum(np.abs(A), np.abs(B)) + 64.0 * np.finfo(np.float64).eps * scale
    bad = diff > allow
    status = np.where(bad, Status.FAIL, Status.PASS).astype(np.int8)
    verdict = Verdict.FAIL if bad.any() else Verdict.PASS
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff > 0, diff / np.maximum(np.abs(A), np.abs(B)), 0.0)
    diagnosis = None
    if bad.any():
        i, j = (int(t) for t in np.argwhere(bad)[0])
        diagnosis = Diagnosis(
            "asymmetric",
            f"{what} is not symmetric: entry ({i}, {j}) is {A[i, j]:.6g} but ({j}, {i}) is "
            f"{A[j, i]:.6g} ({int(bad.sum()) // 2} pairs differ); a Hessian of a smooth f is "
            "symmetric (an outer product in the wrong order, or one triangle only?).",
        )
    pc = ParamCheck(name, shape, "entries", verdict, A.reshape(shape), B.reshape(shape),
                    np.zeros(shape), status.reshape(shape), float(diff.max(initial=0.0)),
                    float(rel.max(initial=0.0)), None, 0.0, allow.reshape(shape), diagnosis)
    worst = pc.worst(1)
    return replace(pc, worst_index=worst[0] if worst else None)


def check_hessian(
    f: Callable[[Any], Any],
    x: Any,
    hess: Any = None,
    hvp: Callable[[Any, Any], Any] | None = None,
    grad: Callable[[Any], Any] | None = None,
    *,
    vectors: Any = None,
    random_vectors: int = DEFAULT_RANDOM_COTANGENTS,
    method: Method = "auto",
    rtol: float | None = None,
    atol: float | None = None,
    seed: int | None = None,
) -> VectorCheckResult:
    """Check a Hessian (or Hessian-vector product) against finite differences of the gradient.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar``, deterministic.
    x : ndarray
        One float array of shape ``s``. Never modified.
    hess : callable or ndarray, optional
        ``hess(x)`` or the array, shape ``s + s`` (``H[i..., j...] = d^2 f / dx[i] dx[j]``).
    hvp : callable, optional
        ``hvp(x, v) -> H v`` with the shape of ``x``. At least one of ``hess``, ``hvp``.
    grad : callable, optional
        ``grad(x)``, the gradient of f. When given it is checked first (parameter
        "gradient") and the Hessian is compared with its finite differences; otherwise with
        finite differences of Richardson-extrapolated central differences of ``f``
        (`FDGradient`), with ``atol`` defaulting to what their round-off implies,
        ``~16 eps |f| / (h_inner h_outer)`` (about 1e-6 |f| in float64).
    vectors : ndarray or sequence of ndarray, optional
        Vectors ``v`` (shape ``s``) for ``hvp``, checked before ``random_vectors`` random
        ones (default 3).
    method, rtol, atol, seed
        As in `checks.check_vjp`.

    Returns
    -------
    VectorCheckResult
        Parameters "hessian" (shape ``s + s``) and "hessian symmetry", and/or "hvp" and
        "hvp symmetry" (``u_k . H u_l`` against ``u_l . H u_k`` over the vectors, shape
        (K, K)), and "gradient" when ``grad`` is given.

    Raises
    ------
    TypeError, ValueError
        ``x`` not one float array, neither ``hess`` nor ``hvp``, vectors of the wrong shape,
        non-callable ``f``, ``grad`` or ``hvp``.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: float(np.sum(x**3) + x[0] * x[1])
    >>> H = lambda x: np.diag(6 * x) + np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> print(check_hessian(f, np.array([0.5, -1.0]), H).verdict)
    pass
    >>> print(check_hessian(f, np.array([0.5, -1.0]), lambda x: np.diag(6 * x)).verdict)
    fail
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be one float ndarray, got {type(x).__name__}.")
    structure, originals = normalise_params(x)
    check_callable(f, "f")
    if hess is None and hvp is None:
        raise ValueError("check_hessian needs hess=... (the matrix or a function of x) or "
                         "hvp=... (a function (x, v) -> H v); got neither.")
    if hvp is not None:
        check_callable(hvp, "hvp")
    if grad is not None:
        check_callable(grad, "grad")
    check_knobs(method, rtol, atol)
    n_random = check_count(random_vectors, "random_vectors")
    seed_ = check_seed(seed)
    given = normalise_cotangents(vectors, x.shape, x.dtype, "vectors", "x is")
    if hvp is not None and not given and n_random == 0:
        raise ValueError("no vector for hvp: pass vectors=... or random_vectors >= 1.")
    g = grad if grad is not None else FDGradient(f)
    if isinstance(g, FDGradient) and atol is None:
        g(private_copies(originals)[0])  # sees |f| over the stencil
        atol = g.implied_atol(originals[0])
    params: list[ParamCheck] = []
    evaluations = 0
    parts = []
    first = None
    if grad is not None:
        r = check_gradients(f, originals[0], grad, method=method, rtol=rtol, atol=atol,
                            seed=seed_)
        params.append(replace(r.params[0], name="gradient"))
        evaluations += r.evaluations
        first = r
    if hess is not None:
        r = check_jacobian(g, originals[0], hess, method=method, rtol=rtol, atol=atol,
                           seed=seed_)
        params.append(replace(r.params[0], name="hessian"))
        evaluations += r.evaluations
        first = first or r
        parts.append(r)
        H = np.asarray(hess(private_copies(originals)[0]) if callable(hess) else hess)
        if H.shape == x.shape + x.shape and H.dtype.kind == "f":
            params.append(_symmetry("hessian symmetry", H.reshape(x.size, x.size).astype(
                np.float64), r.rtol or math.sqrt(np.finfo(x.dtype).eps), H.shape, "hess"))
    if hvp is not None:
        r = run_vjp(g, structure, originals, hvp, given, n_random,
                    method=method, rtol=rtol, atol=atol, seed=seed_, kind="hessian",
                    vjp_name="hvp")
        params.append(replace(r.params[0], name="hvp"))
        evaluations += r.evaluations
        first = first or r
        parts.append(r)
        us = [u.reshape(-1).astype(np.float64) for u in r.cotangents]
        Hu = [np.asarray(hvp(private_copies(originals)[0], u.reshape(x.shape).astype(x.dtype)),
                         dtype=np.float64).reshape(-1) for u in us]
        M = np.array([[us[k] @ Hu[m] for m in range(len(us))] for k in range(len(us))])
        params.append(_symmetry("hvp symmetry", M, r.rtol, M.shape, "u_k . hvp(u_l)"))
    assert first is not None
    if isinstance(g, FDGradient):
        evaluations += g.calls
    return VectorCheckResult(
        overall(params, ()), tuple(params), first.method, first.method_note, first.rtol,
        first.atol, first.noise, evaluations, seed_, kind="hessian",
        cotangents=parts[-1].cotangents if hvp is not None else (),
        per_cotangent=tuple(parts),
    )


def assert_hessian(f: Callable[[Any], Any], x: Any, hess: Any = None,
                   hvp: Callable[[Any, Any], Any] | None = None,
                   grad: Callable[[Any], Any] | None = None, *,
                   allow_inconclusive: bool = True, **kwargs: Any) -> VectorCheckResult:
    """`check_hessian`, raising `checks.GradientMismatch` when it fails.

    Parameters
    ----------
    f, x, hess, hvp, grad, **kwargs
        As in `check_hessian`.
    allow_inconclusive : bool
        If False, an "inconclusive" verdict raises too.

    Returns
    -------
    VectorCheckResult
    """
    result = check_hessian(f, x, hess, hvp, grad, **kwargs)
    raise_on_failure(result, allow_inconclusive)
    return result
