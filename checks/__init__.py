"""Gradient checking for NumPy code: finite differences with error bars, verdicts, diagnoses.

`check_gradients` compares a hand-written gradient with finite differences whose error is
estimated entry by entry (round-off and truncation), and says "pass", "fail" or
"inconclusive" (a kink inside the stencil) with a table of the worst entries and, on failure,
the most likely bug (a missing 1/m, a transpose, a sign flip, ...). `assert_gradients` raises
`GradientMismatch` instead. `check_network` is the fast full check of `numeric`'s own networks.
`check_vjp`, `check_jacobian` and `check_layer` check vector-valued functions and
CS231n-style ``forward``/``backward`` layers; `check_hessian` second derivatives.
The Hypothesis strategies live in the submodule `checks.strategies` (imported on demand, so
that importing `checks` stays light for the pytest plugin `checks.pytest_plugin`).
"""

from __future__ import annotations

from checks._types import METHODS, Method, Status, Verdict
from checks.finite_diff import OutputError
from checks.gradcheck import GradientMismatch, assert_gradients, check_gradients
from checks.hessian import assert_hessian, check_hessian
from checks.layers import assert_layer, check_layer
from checks.locate import locate_gradient_errors
from checks.numeric_fast import check_network
from checks.result import CheckResult, Diagnosis, ParamCheck
from checks.vjp import (
    LayerError,
    VectorCheckResult,
    assert_jacobian,
    assert_vjp,
    check_jacobian,
    check_vjp,
)

__all__ = [  # noqa: RUF022 -- grouped by owning module (STYLE.md section 4), not sorted
    # _types.py
    "METHODS",
    "Method",
    "Status",
    "Verdict",
    # finite_diff.py
    "OutputError",
    # gradcheck.py
    "GradientMismatch",
    "assert_gradients",
    "check_gradients",
    # numeric_fast.py (imports numeric only when called)
    "check_network",
    # result.py
    "CheckResult",
    "Diagnosis",
    "ParamCheck",
    # vjp.py, layers.py, hessian.py: vector-valued functions, layers, second order
    "LayerError",
    "VectorCheckResult",
    "assert_hessian",
    "assert_jacobian",
    "assert_layer",
    "assert_vjp",
    "check_hessian",
    "check_jacobian",
    "check_layer",
    "check_vjp",
    # locate.py: adaptive group testing among very many parameters
    "locate_gradient_errors",
    # strategies.py and pytest_plugin.py are submodules: `from checks import strategies`.
]
