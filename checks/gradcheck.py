"""`check_gradients` and `assert_gradients`: is a hand-written gradient right, with evidence.

The pipeline: validate the arguments once; copy the parameters (the caller's arrays are never
written); call ``f`` twice at the unperturbed point (a scalar, finite, deterministic?); measure
``f``'s rounding noise along a random line at the stencil's reach (not at the point: at an
exact minimum the two differ by orders of magnitude); estimate every entry (or random
direction) with an error bar; compare ``|analytic - numeric|`` with ``3 x error bar + rtol x
magnitude + atol``; refine with Richardson extrapolation (steps 2h and 4h) only the entries
that the first estimate leaves undecided; flag kinks; confirm every failure at a quarter of
the step (a kink moves the estimate, a real error does not); diagnose failing parameters
(those steps live in
`checks.engine`); call ``f`` once more at the unperturbed point (stateful ``f``?) and make
sure ``f`` did not write into its input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import replace
from typing import Any

import numpy as np

from checks._types import FloatArray, Method, Verdict
from checks.config import CheckConfig
from checks.engine import Target, run_check
from checks.finite_diff import BlackBox, OutputError
from checks.result import CheckResult, ParamCheck, overall
from checks.structure import (
    GradProblem,
    Structure,
    normalise_grad,
    normalise_params,
    private_copies,
)


class GradientMismatch(AssertionError):
    """A gradient check failed; ``str()`` is the check's table, ``.result`` the `CheckResult`."""

    def __init__(self, message: str, *, result: CheckResult | None = None) -> None:
        super().__init__(message)
        self.result = result


class _Squeezed:
    """Wraps an ``f`` that returns size-1 arrays so that it returns their single element."""

    def __init__(self, f: Callable[[Any], Any]) -> None:
        self.f = f

    def __call__(self, params: Any) -> Any:
        out = np.asarray(self.f(params))
        if out.size != 1:
            raise OutputError(f"f returned an array of shape {out.shape}; a scalar is expected.")
        return out.reshape(())[()]


def refuse_if_written(structure: Structure, arrays: list[np.ndarray], originals: list[np.ndarray],
               when: str) -> None:
    """`OutputError` if ``f`` wrote into the checker's copy of a parameter."""
    __tracebackhide__ = True  # pytest: a refusal points at the caller's line
    for name, a, o in zip(structure.names, arrays, originals, strict=True):
        if a.tobytes() != np.ascontiguousarray(o).tobytes():
            moved = (a != o) | (np.signbit(a) != np.signbit(o))
            index = tuple(int(i) for i in np.argwhere(moved)[0]) if moved.any() else ()
            raise OutputError(
                f"f modified its input in place: {name} changed {when} (first at index "
                f"{index}, e.g. by x += ..., x[...] = ... or out=x). f must not write into the "
                "parameters it is given; copy first (x = x.copy()). Your arrays are "
                "untouched: the checker calls f on its own copies."
            )


def _validated_f(
    f: Callable[[Any], Any], structure: Structure, arrays: list[np.ndarray],
    originals: list[np.ndarray],
) -> tuple[Callable[[Any], Any], float, float]:
    """``f`` (wrapped if needed), ``f(x)`` and the epsilon of its output; checks determinism."""
    __tracebackhide__ = True  # pytest: a refusal points at the caller's line
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}.")
    arg = structure.build(arrays)
    out = f(arg)
    refuse_if_written(structure, arrays, originals, "during the first call of f")
    arr = np.asarray(out)
    if arr.dtype.kind in "iu":
        raise OutputError(
            f"f returns an integer ({type(out).__name__} {out!r}) at the given params: its "
            "finite differences are 0 (or jumps of 1), so no gradient can be measured. "
            "Return the float itself, before any int() or rounding."
        )
    if arr.dtype.kind != "f":
        raise OutputError(
            f"f must return a real scalar, but it returned {type(out).__name__} with dtype "
            f"{arr.dtype} at the given params."
        )
    if arr.size != 1:
        raise OutputError(
            f"f must return a scalar (a float, 0-d or size-1 array), but it returned an array "
            f"of shape {arr.shape} at the given params; reduce it (e.g. .sum() or .mean())."
        )
    fn: Callable[[Any], Any] = f if arr.ndim == 0 else _Squeezed(f)
    f0 = float(arr.reshape(()))
    if not math.isfinite(f0):
        raise OutputError(f"f returned {f0} at the given params (before any perturbation).")
    again = float(np.asarray(fn(arg)))
    if again != f0:
        raise OutputError(
            f"f is not deterministic: two calls with the same params returned {f0!r} and "
            f"{again!r}. Fix its random seed (or dropout) inside f before checking gradients."
        )
    return fn, f0, float(np.finfo(arr.dtype).eps)


def _analytic(
    grad: Any, structure: Structure, arrays: list[np.ndarray]
) -> tuple[list[FloatArray | None], list[GradProblem]]:
    value = grad(structure.build(private_copies(arrays))) if callable(grad) else grad
    return normalise_grad(value, structure)


def check_gradients(
    f: Callable[[Any], Any],
    params: Any,
    grad: Any,
    *,
    method: Method = "auto",
    rtol: float | None = None,
    atol: float | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
    directions: int | None = None,
    chunk_size: int | None = None,
) -> CheckResult:
    """Compare an analytic gradient with finite differences, with error bars and a diagnosis.

    Parameters
    ----------
    f : callable
        ``f(params) -> scalar`` (a float, 0-d or size-1 array), called with the same structure
        as ``params`` (a dict gets a dict with the same keys). Must be deterministic.
    params : ndarray, sequence of ndarray, or dict of name -> ndarray
        Float arrays (float32 or float64; any shape, zero-size included). Never modified.
    grad : callable or arrays
        The analytic gradient: a function called like ``f`` returning the same structure,
        or that structure itself. Each array must have its parameter's shape exactly.
    method : {"auto", "central", "forward", "richardson", "complex", "directional"}
        ``"auto"`` (default): every entry by central differences, refined by Richardson
        extrapolation only where they are not conclusive, for P <= 50,000 parameters; above,
        random directions and then group testing (`checks.locate_gradient_errors`), which
        finds one entry wrong by 1e-6 among a million and the wrong entries in O(k log P)
        evaluations for k of them. ``"forward"``:
        one evaluation per entry, refined where not conclusive. ``"richardson"``: steps h,
        2h, 4h for every entry (6 evaluations per entry; 6 more for a failing entry, to
        confirm it at a quarter of the step).
        ``"complex"``: the complex step ``Im f(x + ih) / h``, if ``f`` accepts complex input
        (detected; central differences otherwise, and the result says why).
        ``"directional"``: ``directions`` random directions, cost independent of P; it cannot
        locate a single wrong entry among many, only a wrong gradient.
    rtol : float, optional
        Relative slack for the analytic gradient's own rounding; default
        ``sqrt(eps)`` of the least precise dtype among the parameters and f's output
        (1.5e-8 in float64, 3.5e-4 in float32).
    atol : float, optional
        Absolute slack; default 0 (a loss scaled by 1e-8 is checked as strictly).
    seed : int, optional
        Seeds the random directions of the noise estimate and the directional check.
    executor : concurrent.futures.Executor, optional
        Spreads chunks of entries over its workers (e.g. a ``ProcessPoolExecutor``, or
        ``dask.distributed.Client(...).get_executor()``), and the group tests of
        `checks.locate_gradient_errors` on the auto path; ``f`` must then be picklable.
        Verdicts are the same as in one process.
    directions : int, optional
        Number of random directions for ``method="directional"`` (default 8).
    chunk_size : int, optional
        Entries per executor task.

    Returns
    -------
    CheckResult
        ``.verdict`` ("pass", "fail" or "inconclusive"), one `ParamCheck` per parameter, the
        method used and why; ``str(result)`` is the table to paste into a bug report.

    Raises
    ------
    TypeError
        Parameters that are not float32 or float64 (float16 included: it cannot resolve a
        gradient to better than a few percent), ``params`` of an unsupported kind, a
        ``grad`` container of another kind than ``params``, non-callable ``f``.
    ValueError
        An unknown ``method``, negative tolerances, empty ``params``, NaN or inf in
        ``params`` (named with its index).
    OutputError
        ``f`` returns NaN or inf (at the point or inside the stencil), a non-scalar, an
        integer, or different values for the same input, or it writes into its input.
        Exceptions raised by ``f`` itself propagate unchanged.

    Notes
    -----
    Verdict per entry: ``|analytic - numeric| <= 3 x error bar + rtol x max(|analytic|,
    |numeric|) + atol`` passes. The error bar is round-off (``f``'s measured noise and
    rounding over the step) plus truncation (estimated from the one-sided differences, and by
    Richardson from steps 2h and 4h for entries not decided by the first estimate). Where the
    one-sided differences disagree in a way no smooth function explains (ReLU, abs or max at
    a kink inside the stencil), the entry is "inconclusive" (status ``kink?``), never a
    failure and never a silent pass. Where ``f`` did not change at all when an entry moved
    and no entry of the gradient is resolved from 0 (``f = 1 + 4e-18 x``, or a constant
    ``f``), the entry is "inconclusive" too (status ``unresolved``, with the resolution in
    the result's note): a gradient below the error bar cannot be told from 0. Steps are
    ``eps**(1/3) max(|x|, 1)`` per entry (see `checks.steps`), rounded to the parameter's
    dtype: ``f`` never sees another dtype, except with ``method="complex"``, which by
    definition calls it with complex arrays.

    Spreading the finite differences over processes, or over a cluster (``f`` and ``grad``
    must then be picklable: module-level functions, not lambdas)::

        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=4) as pool:
            result = check_gradients(loss, params, grad, executor=pool)

        from dask.distributed import Client
        client = Client("tcp://scheduler:8786")
        result = check_gradients(loss, params, grad, executor=client.get_executor())

    Each task evaluates a chunk of entries on its own copy of the parameters; the verdicts
    are those of a run in one process.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[1.0, -2.0], [0.5, 3.0]])
    >>> f = lambda W: np.sum(np.sin(W))
    >>> print(check_gradients(f, W, np.cos).verdict)
    pass
    >>> r = check_gradients(f, W, lambda W: 2 * np.cos(W))
    >>> print(r.verdict, r.params[0].diagnosis.kind, round(r.params[0].diagnosis.factor, 6))
    fail factor 2.0
    """
    __tracebackhide__ = True  # pytest: a refusal points at the caller's line
    structure, originals = normalise_params(params)
    config = CheckConfig(method=method, rtol=rtol, atol=atol, seed=seed, directions=directions,
                         executor=executor, chunk_size=chunk_size)
    arrays = private_copies(originals)
    arg = structure.build(arrays)
    fn, f0, out_eps = _validated_f(f, structure, arrays, originals)
    analytic, problems = _analytic(grad, structure, arrays)
    probe = BlackBox(fn, structure, arrays, executor, config.chunk_size)
    target = Target(structure=structure, arrays=arrays, f0=f0, out_eps=out_eps,
                    analytic=analytic, problems=problems, complex_fn=fn)
    result = run_check(probe, target, config)
    _after(fn, arg, f0, structure, arrays, originals)
    result = _with_evaluations(result, result.evaluations + 3)
    if method == "auto" and result.method == "directional":
        return _located(f, params, grad, result, rtol=rtol, atol=atol, seed=seed,
                        executor=executor)
    return result


#: diagnoses of a directional check that explain a whole parameter (every entry is off by
#: the same rule): locating entries would only mark all of them
_WHOLE_PARAMETER = frozenset({"factor", "sign flip", "transpose", "reshape", "zeroed"})


def _explained(pc: ParamCheck) -> bool:
    return pc.diagnosis is not None and pc.diagnosis.kind in _WHOLE_PARAMETER


def _located(f: Callable[[Any], Any], params: Any, grad: Any, directional: CheckResult,
             **kwargs: Any) -> CheckResult:
    """Above the full-check limit, the directional check is followed by group testing.

    A parameter whose directional failure is already explained as a whole (a factor, a sign)
    keeps that check; the others get the group tests' entries. A directional check that
    passes or is inconclusive goes on too: its tolerance is ``rtol`` of the whole directional
    derivative, so one entry wrong by 1e-6 among a million moves it by less than that, while
    each group test allows one entry's ``rtol`` and its Richardson estimates resolve what
    central differences along the whole gradient do not.
    """
    from checks.locate import locate_gradient_errors  # checks.locate imports this module

    failing = [pc for pc in directional.params if pc.verdict == Verdict.FAIL]
    if failing and all(_explained(pc) for pc in failing):
        note = (f"{directional.method_note}; they failed with an error of every entry (see "
                "the diagnosis), so no entries were located")
        return replace(directional, method_note=note)
    located = locate_gradient_errors(f, params, grad, **kwargs)
    # a directional failure stands unless group testing found that parameter's entries: one
    # the search passes (an error spread too thin for a group test) is never a pass
    merged = tuple(d if d.verdict == Verdict.FAIL and (_explained(d) or g.verdict != Verdict.FAIL)
                   else g for d, g in zip(directional.params, located.params, strict=True))
    outcome = {Verdict.PASS: "they passed, and group testing to one entry's tolerance "
               "followed", Verdict.FAIL: "they failed, so the wrong entries were located by "
               "group testing"}.get(directional.verdict, "they were inconclusive, so group "
                                     "testing followed")
    note = f"{directional.method_note}; {outcome}: {located.method_note}"
    return replace(located, verdict=overall(merged, located.problems), params=merged,
                   method_note=note, evaluations=directional.evaluations + located.evaluations)


def _after(fn: Callable[[Any], Any], arg: Any, f0: float, structure: Structure,
           arrays: list[np.ndarray], originals: list[np.ndarray]) -> None:
    """``f`` unchanged at the point (no hidden state) and its input not written to."""
    __tracebackhide__ = True  # pytest: a refusal points at the caller's line
    refuse_if_written(structure, arrays, originals, "during the check")
    again = float(np.asarray(fn(arg)))
    if again != f0:
        raise OutputError(
            f"f is not deterministic: at the same params it returned {f0!r} before the "
            f"check and {again!r} after it (does f keep state between calls?)."
        )


def _with_evaluations(result: CheckResult, n: int) -> CheckResult:
    return replace(result, evaluations=n)


def assert_gradients(
    f: Callable[[Any], Any],
    params: Any,
    grad: Any,
    *,
    allow_inconclusive: bool = True,
    **kwargs: Any,
) -> CheckResult:
    """`check_gradients`, raising `GradientMismatch` (an AssertionError) when it fails.

    Parameters
    ----------
    f, params, grad, **kwargs
        As in `check_gradients`.
    allow_inconclusive : bool
        If False, an "inconclusive" verdict (kinks, noisy entries) raises too.

    Returns
    -------
    CheckResult
        When the check passes (or is inconclusive and that is allowed).

    Raises
    ------
    GradientMismatch
        With ``str(result)`` as its message and the result as ``.result``.

    Examples
    --------
    >>> import numpy as np
    >>> _ = assert_gradients(lambda x: float(x @ x), np.arange(3.0), lambda x: 2 * x)
    """
    __tracebackhide__ = True  # pytest: the failure shows the caller's line and the table
    result = check_gradients(f, params, grad, **kwargs)
    if result.verdict == Verdict.FAIL or (
        not allow_inconclusive and result.verdict == Verdict.INCONCLUSIVE
    ):
        raise GradientMismatch(str(result), result=result)
    return result
