"""Gradient checking for NumPy code: finite differences with error bars, verdicts, diagnoses.

`check_gradients` compares a hand-written gradient with finite differences whose error is
estimated entry by entry (round-off and truncation), and says "pass", "fail" or
"inconclusive" (a kink inside the stencil, or a gradient below what finite differences
resolve) with a table of the worst entries and, on failure, the most likely bug (a missing
1/m, a transpose, a sign flip, ...). `assert_gradients` raises `GradientMismatch` instead.
`check_network` is the fast full check of `numeric`'s own networks; `three_way` compares
SymPy's, `numeric`'s and the finite differences' gradients of one network;
`step_error_curve` measures each method's error against its step. The methods are the
objects of `FD_METHODS` (`checks.methods`). `check_vjp`, `check_jacobian` and `check_layer`
check vector-valued functions and CS231n-style ``forward``/``backward`` layers,
`check_hessian` second derivatives, and `locate_gradient_errors` finds the wrong entries
among very many parameters. The Hypothesis strategies live in the submodule
`checks.strategies`, loaded on first access to ``checks.strategies``, so that importing
`checks` stays light (no Hypothesis, no SymPy) for the pytest plugin `checks.pytest_plugin`.
"""

from __future__ import annotations

import importlib
from typing import Any

from checks._types import Method, Status, Verdict
from checks.config import CheckConfig
from checks.crosscheck import ThreeWay, max_relative_difference, symbolic_gradients, three_way
from checks.finite_diff import OutputError
from checks.gradcheck import GradientMismatch, assert_gradients, check_gradients
from checks.hessian import assert_hessian, check_hessian
from checks.layers import assert_layer, check_layer
from checks.locate import locate_gradient_errors
from checks.methods import FD_METHODS, METHODS, FDMethod
from checks.numeric_fast import check_network
from checks.result import CheckResult, Diagnosis, ParamCheck
from checks.step_curve import StepErrorCurve, step_error_curve
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
    "Method",
    "Status",
    "Verdict",
    # config.py
    "CheckConfig",
    # crosscheck.py (imports sympy, derivations and numeric only when called)
    "ThreeWay",
    "max_relative_difference",
    "symbolic_gradients",
    "three_way",
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
    # step_curve.py
    "StepErrorCurve",
    "step_error_curve",
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
    # strategies.py (Hypothesis) and pytest_plugin.py are submodules, loaded on access.
]

_LAZY = ("strategies", "pytest_plugin")


def __getattr__(name: str) -> Any:
    """``checks.strategies`` (and ``checks.pytest_plugin``) imported on first access."""
    if name in _LAZY:
        return importlib.import_module(f"checks.{name}")
    raise AttributeError(f"module 'checks' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
