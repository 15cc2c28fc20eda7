"""Frozen result objects of a gradient check, with tables that read well in a test log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from checks._types import FloatArray, Status, Verdict

WORST_ROWS = 5
"""Entries shown per parameter in ``str(result)``."""

_STATUS_TEXT = {
    Status.PASS: "ok",
    Status.FAIL: "FAIL",
    Status.KINK: "kink?",
    Status.NOISY: "noisy",
    Status.NONFINITE: "non-finite",
    Status.UNRESOLVED: "unresolved",
}


@dataclass(frozen=True)
class Row:
    """One entry of a result table: index, values, discrepancy, error bar, status."""

    index: str
    analytic: float
    numeric: float
    diff: float
    error_bar: float
    status: Status

    @property
    def status_text(self) -> str:
        """One of "ok", "FAIL", "kink?", "noisy", "non-finite", "unresolved"."""
        return _STATUS_TEXT[self.status]


@dataclass(frozen=True)
class Diagnosis:
    """What a failing gradient most likely got wrong.

    Attributes
    ----------
    kind : str
        One of "factor", "sign flip", "transpose", "reshape", "single sample", "zeroed",
        "f constant", "wrong shape", "missing", "extra", "non-finite", "few entries",
        "unexplained".
    message : str
        One sentence for the log, with the evidence (factor, indices, shapes).
    factor : float or None
        The fitted ``analytic / numeric`` ratio for "factor" and "sign flip".
    """

    kind: str
    message: str
    factor: float | None = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(frozen=True, eq=False)
class ParamCheck:
    """The check of one parameter.

    Attributes
    ----------
    name : str
        Dict key, ``"params[i]"`` or ``"params"``.
    shape : tuple of int
        Shape of the parameter.
    probe : {"entries", "directions"}
        Whether the arrays below hold one value per entry (shape ``shape``) or one per random
        direction (shape (K,)).
    verdict : Verdict
    analytic, numeric, error_bar : ndarray (float64) or None
        ``None`` when the analytic gradient is missing or has the wrong shape.
    status : ndarray of int8 or None
        `checks._types.Status` code per entry.
    max_abs_error : float
        Largest |analytic - numeric| over decided entries (NaN when nothing was compared).
    max_rel_error : float
        Largest |analytic - numeric| / max(|analytic|, |numeric|) over decided entries.
    worst_index : tuple of int or None
        Index of the entry that exceeds its allowance the most (or comes closest).
    worst_error_bar : float
        The estimated finite-difference error bar at ``worst_index``.
    allowance : ndarray or None
        What each discrepancy was compared with: 3 x error bar + rtol x magnitude + atol.
    diagnosis : Diagnosis or None
        Set when the verdict is "fail".
    note : str or None
        Why entries are undecided when the reason is not in their status alone (e.g. a
        gradient below what finite differences resolve).
    """

    name: str
    shape: tuple[int, ...]
    probe: Literal["entries", "directions"]
    verdict: Verdict
    analytic: FloatArray | None
    numeric: FloatArray | None
    error_bar: FloatArray | None
    status: np.ndarray | None
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...] | None
    worst_error_bar: float
    allowance: FloatArray | None = None
    diagnosis: Diagnosis | None = None
    note: str | None = None

    @property
    def passed(self) -> bool:
        """``verdict == "pass"``."""
        return self.verdict == Verdict.PASS

    def counts(self) -> dict[str, int]:
        """Number of entries per status, e.g. ``{"ok": 10, "FAIL": 2}``."""
        if self.status is None:
            return {}
        codes, n = np.unique(self.status, return_counts=True)
        return {_STATUS_TEXT[Status(int(c))]: int(k) for c, k in zip(codes, n, strict=True)}

    def worst(self, k: int = WORST_ROWS) -> list[tuple[int, ...]]:
        """Indices of the ``k`` entries closest to (or furthest beyond) their allowance.

        Failing and non-finite entries come first, then kinks, then the rest, each by
        discrepancy over allowance.
        """
        if self.analytic is None or self.numeric is None or self.status is None:
            return []
        if self.analytic.size == 0:
            return []
        diff = np.abs(self.analytic - self.numeric).ravel()
        allow = self.allowance.ravel() if self.allowance is not None else np.ones_like(diff)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(allow > 0, diff / allow, np.inf * (diff > 0))
        ratio = np.nan_to_num(ratio, nan=np.inf)
        status = self.status.ravel()
        rank = np.select(
            [(status == Status.FAIL) | (status == Status.NONFINITE), status == Status.KINK],
            [2.0, 1.0], 0.0,
        )
        order = np.lexsort((-ratio, -rank))[:k]
        return [tuple(int(i) for i in np.unravel_index(j, self.analytic.shape)) for j in order]

    def heading(self) -> str:
        """``name shape: VERDICT  (counts)  max abs err ..., max rel err ...``."""
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items())
        return (
            f"{self.name} {self.shape}: {self.verdict.value.upper()}"
            + (f"  ({counts})" if counts else "")
            + (
                f"  max abs err {self.max_abs_error:.3g}, max rel err {self.max_rel_error:.3g}"
                if np.isfinite(self.max_abs_error) else ""
            )
        )

    def rows(self, k: int = WORST_ROWS) -> list[Row]:
        """The ``k`` worst entries (see `worst`) as table rows."""
        if self.analytic is None or self.numeric is None:
            return []
        out = []
        for idx in self.worst(k):
            a, n = float(self.analytic[idx]), float(self.numeric[idx])
            bar = float(self.error_bar[idx]) if self.error_bar is not None else np.nan
            code = Status(int(self.status[idx])) if self.status is not None else Status.PASS
            out.append(Row(str(idx[0]) if len(idx) == 1 else str(idx), a, n, abs(a - n), bar,
                           code))
        return out

    @property
    def index_label(self) -> str:
        """The first column's title: "index", or "direction" for random directions."""
        return "direction" if self.probe == "directions" else "index"

    def footnotes(self) -> list[str]:
        """``diagnosis: ...`` and ``note: ...`` lines, where set."""
        return ([f"diagnosis: {self.diagnosis}"] if self.diagnosis is not None else []) + (
            [f"note: {self.note}"] if self.note is not None else [])

    def table(self, k: int = WORST_ROWS) -> str:
        """The parameter's header line, its worst entries as a table, and the diagnosis."""
        lines = [self.heading()]
        rows = self.rows(k)
        if rows:
            lines.append(
                f"    {self.index_label:<14} {'analytic':>13} {'numeric':>13} {'|diff|':>10} "
                f"{'error bar':>10}  status"
            )
            lines += [
                f"    {r.index:<14} {r.analytic:>13.6g} {r.numeric:>13.6g} {r.diff:>10.3g} "
                f"{r.error_bar:>10.3g}  {r.status_text}"
                for r in rows
            ]
        lines += [f"    {line}" for line in self.footnotes()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from checks.result_html import param_html

        return param_html(self)

    def __repr__(self) -> str:
        return f"ParamCheck({self.name!r}, shape={self.shape}, verdict={self.verdict.value!r})"

    def __str__(self) -> str:
        return self.table()


@dataclass(frozen=True, eq=False)
class CheckResult:
    """Outcome of `checks.check_gradients`.

    Attributes
    ----------
    verdict : Verdict
        "fail" if any parameter fails, else "inconclusive" if any entry is undecided, else
        "pass".
    params : tuple of ParamCheck
        One per parameter, in the order of ``params``.
    method : str
        The method that ran ("forward", "central", "richardson", "complex", "directional").
    method_note : str
        Why that method: what ``method="auto"`` picked, or a fallback (e.g. from the complex
        step to central differences) and its reason.
    rtol, atol : float
        The tolerances used (after resolving the defaults).
    noise : float
        Measured standard deviation of ``f``'s rounding noise.
    evaluations : int
        Number of calls of ``f``.
    seed : int or None
    problems : tuple of str
        Structural problems of the analytic gradient (extra keys or entries).
    precision : str or None
        Set when the analytic gradient's values show a lower precision than the parameters'
        (e.g. float32 values in float64 arrays) and it was judged at that precision
        (`checks.precision`): the sentence that says so, with the rtol used.
    """

    verdict: Verdict
    params: tuple[ParamCheck, ...]
    method: str
    method_note: str
    rtol: float
    atol: float
    noise: float
    evaluations: int
    seed: int | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)
    precision: str | None = None

    @property
    def passed(self) -> bool:
        """``verdict == "pass"``."""
        return self.verdict == Verdict.PASS

    @property
    def diagnoses(self) -> dict[str, Diagnosis]:
        """Diagnosis per failing parameter name."""
        return {p.name: p.diagnosis for p in self.params if p.diagnosis is not None}

    def __getitem__(self, name: str) -> ParamCheck:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"no parameter {name!r}; the parameters are {[p.name for p in self.params]}")

    def raise_if_failed(self) -> None:
        """Raise `checks.GradientMismatch` with ``str(self)`` unless the verdict is "pass"."""
        from checks.gradcheck import GradientMismatch

        if self.verdict == Verdict.FAIL:
            raise GradientMismatch(str(self), result=self)

    def __repr__(self) -> str:
        return (
            f"CheckResult(verdict={self.verdict.value!r}, method={self.method!r}, "
            f"params={[p.name for p in self.params]})"
        )

    def heading(self) -> str:
        """``gradient check: VERDICT  (method ...; evaluations; rtol, atol, seed)``."""
        return (
            f"gradient check: {self.verdict.value.upper()}  "
            f"(method {self.method}; {self.method_note}; {self.evaluations} evaluations of f; "
            f"rtol={self.rtol:.3g}, atol={self.atol:.3g}, seed={self.seed})"
        )

    def notes(self) -> list[str]:
        """The precision line and the structural problems, in the order ``str()`` shows them."""
        return ([self.precision] if self.precision else []) + [
            f"problem: {p}" for p in self.problems]

    def __str__(self) -> str:
        lines = [self.heading(), *(f"  {n}" for n in self.notes())]
        lines += [p.table() for p in self.params]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The same table as ``str()``, as HTML for Jupyter: failing rows highlighted.

        Inline styles only: no JavaScript, no stylesheet or font fetched.
        """
        from checks.result_html import result_html

        return result_html(self)


def overall(checks: Sequence[ParamCheck], problems: Sequence[str]) -> Verdict:
    """"fail" if any check fails or a problem exists, "inconclusive" if any is, else "pass"."""
    if problems or any(c.verdict == Verdict.FAIL for c in checks):
        return Verdict.FAIL
    if any(c.verdict == Verdict.INCONCLUSIVE for c in checks):
        return Verdict.INCONCLUSIVE
    return Verdict.PASS
