"""Gradient checking for NumPy code: finite differences with error bars, verdicts, diagnoses.

`check_gradients` compares a hand-written gradient with finite differences whose error is
estimated entry by entry (round-off and truncation), and says "pass", "fail" or
"inconclusive" (a kink inside the stencil) with a table of the worst entries and, on failure,
the most likely bug (a missing 1/m, a transpose, a sign flip, ...). `assert_gradients` raises
`GradientMismatch` instead. `check_network` is the fast full check of `numeric`'s own networks.
The Hypothesis strategies live in the submodule `checks.strategies` (imported on demand, so
that importing `checks` stays light for the pytest plugin `checks.pytest_plugin`).
"""

from __future__ import annotations

from checks._types import Method, Status, Verdict
from checks.config import CheckConfig
from checks.finite_diff import OutputError
from checks.gradcheck import GradientMismatch, assert_gradients, check_gradients
from checks.methods import FD_METHODS, METHODS, FDMethod
from checks.numeric_fast import check_network
from checks.result import CheckResult, Diagnosis, ParamCheck

__all__ = [  # noqa: RUF022 -- grouped by owning module (STYLE.md section 4), not sorted
    # _types.py
    "Method",
    "Status",
    "Verdict",
    # config.py
    "CheckConfig",
    # finite_diff.py
    "OutputError",
    # gradcheck.py
    "GradientMismatch",
    "assert_gradients",
    "check_gradients",
    # methods.py
    "FD_METHODS",
    "METHODS",
    "FDMethod",
    # numeric_fast.py (imports numeric only when called)
    "check_network",
    # result.py
    "CheckResult",
    "Diagnosis",
    "ParamCheck",
    # strategies.py and pytest_plugin.py are submodules: `from checks import strategies`.
]
