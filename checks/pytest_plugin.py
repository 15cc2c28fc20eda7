"""pytest plugin: a ``gradcheck`` fixture and command-line defaults for gradient checks.

Installed with gradproof and loaded through the ``pytest11`` entry point, so every test suite
gets::

    def test_my_backprop(gradcheck):
        gradcheck(loss, params, grad)          # checks.assert_gradients with this test's seed

Options (shown by ``pytest --help`` under "gradproof"):

``--gradcheck-method NAME``
    Default ``method`` of the fixture (default: the checker's own, ``"auto"``); an unknown
    name is a usage error at start-up, listing the names.
``--gradcheck-rtol X`` / ``--gradcheck-atol X``
    Default tolerances (default: None, the checker's error-bar based verdict).
``--gradcheck-seed N``
    Base seed (default 0). Each test's seed is ``(N + crc32(node id)) mod 2**32``: stable
    across runs, machines and test orders, and different from test to test. A failing test
    names its seed and the command that reproduces it.

Keyword arguments given to the fixture's call override these defaults. The module imports
`checks` only when the fixture is used (or ``--gradcheck-method`` is given), so loading the
plugin costs nothing in suites that do not use it. A failing check shows the test's line and
the check's table, not the library's frames (``__tracebackhide__``).

Notes
-----
Inside a Hypothesis ``@given`` test the fixture is reused across examples, which is safe (it
holds only options), but Hypothesis reports any function-scoped fixture: add
``@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])``.
"""

from __future__ import annotations

import argparse
import math
import zlib
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import pytest

__all__ = ["GradCheck", "gradcheck", "seed_for"]

_SEED_KEY = pytest.StashKey[int]()


def _tolerance(text: str) -> float:
    """Argparse type for the tolerances: a finite float >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 1e-6, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


def _method(text: str) -> str:
    """Argparse type for the method: a name of `checks.METHODS` (checked at start-up)."""
    from checks.methods import FD_METHODS  # only when the option is given

    if text not in FD_METHODS:
        choices = ", ".join(repr(m) for m in FD_METHODS)
        raise argparse.ArgumentTypeError(f"expected one of {choices}, got {text!r}")
    return text


def _seed(text: str) -> int:
    """Argparse type for the base seed: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--gradcheck-method``, ``--gradcheck-rtol``, ``--gradcheck-atol``, ``-seed``."""
    group = parser.getgroup("gradproof", "gradient checks (gradproof's gradcheck fixture)")
    group.addoption(
        "--gradcheck-method", type=_method, default=None, metavar="NAME",
        help="default method of the gradcheck fixture (default: the checker's 'auto')",
    )
    group.addoption(
        "--gradcheck-rtol", type=_tolerance, default=None, metavar="X",
        help="default relative tolerance of the gradcheck fixture (default: automatic)",
    )
    group.addoption(
        "--gradcheck-atol", type=_tolerance, default=None, metavar="X",
        help="default absolute tolerance of the gradcheck fixture (default: automatic)",
    )
    group.addoption(
        "--gradcheck-seed", type=_seed, default=0, metavar="N",
        help="base seed; each test's seed is (N + crc32(node id)) mod 2**32 (default: 0)",
    )


def _describe(value: Any, default: str) -> str:
    return default if value is None else repr(value)


def pytest_report_header(config: pytest.Config) -> str:
    """One line: the fixture's defaults and how seeds are derived."""
    method = _describe(config.getoption("gradcheck_method"), "auto")
    rtol = _describe(config.getoption("gradcheck_rtol"), "automatic")
    atol = _describe(config.getoption("gradcheck_atol"), "automatic")
    base = config.getoption("gradcheck_seed")
    return (
        f"gradproof gradcheck: method={method}, rtol={rtol}, atol={atol}, "
        f"--gradcheck-seed={base} (per test: seed + crc32(node id))"
    )


def seed_for(base: int, nodeid: str) -> int:
    """The seed of the test ``nodeid`` for base seed ``base``: ``(base + crc32) mod 2**32``.

    Examples
    --------
    >>> seed_for(0, "tests/test_a.py::test_x") == seed_for(0, "tests/test_a.py::test_x")
    True
    >>> seed_for(0, "tests/test_a.py::test_x") != seed_for(0, "tests/test_a.py::test_y")
    True
    """
    return (base + zlib.crc32(nodeid.encode("utf-8"))) % 2**32


@dataclass(frozen=True)
class GradCheck:
    """What the ``gradcheck`` fixture returns: `checks.assert_gradients` with defaults bound.

    Attributes
    ----------
    method : str or None
        None: the checker's default.
    rtol, atol : float or None
        None: the checker's default.
    seed : int
        This test's seed.
    """

    method: str | None
    rtol: float | None
    atol: float | None
    seed: int

    def __call__(self, f: Any, params: Any, grad: Any, **overrides: Any) -> Any:
        """Run ``checks.assert_gradients(f, params, grad, ...)`` with these defaults.

        Keyword arguments override the defaults (``method``, ``rtol``, ``atol``, ``seed``)
        and reach `assert_gradients` unchanged. Returns what it returns; raises
        `checks.GradientMismatch` when the gradient is wrong.
        """
        __tracebackhide__ = True  # a failure points at the test's line, not at this wrapper
        from checks import assert_gradients  # deferred: loading the plugin stays free

        return assert_gradients(f, params, grad, **self._bound(overrides))

    # Vector-valued checks (checks.vjp, checks.layers, checks.hessian): the same defaults.

    def _bound(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """The fixture's defaults (seed, method, rtol, atol) under the call's overrides."""
        bound = {"seed": self.seed, "method": self.method, "rtol": self.rtol, "atol": self.atol}
        return {k: v for k, v in bound.items() if v is not None} | overrides

    def vjp(self, f: Any, inputs: Any, vjp: Any, **overrides: Any) -> Any:
        """`checks.assert_vjp` with these defaults; raises `checks.GradientMismatch`."""
        __tracebackhide__ = True
        from checks import assert_vjp

        return assert_vjp(f, inputs, vjp, **self._bound(overrides))

    def jacobian(self, f: Any, x: Any, jac: Any, **overrides: Any) -> Any:
        """`checks.assert_jacobian` with these defaults; raises `checks.GradientMismatch`."""
        __tracebackhide__ = True
        from checks import assert_jacobian

        return assert_jacobian(f, x, jac, **self._bound(overrides))

    def layer(self, forward: Any, backward: Any, *inputs: Any, **kwargs: Any) -> Any:
        """`checks.assert_layer` with these defaults (named inputs pass through)."""
        __tracebackhide__ = True
        from checks import assert_layer

        return assert_layer(forward, backward, *inputs, **self._bound(kwargs))

    def hessian(self, f: Any, x: Any, hess: Any = None, hvp: Any = None, grad: Any = None,
                **overrides: Any) -> Any:
        """`checks.assert_hessian` with these defaults; raises `checks.GradientMismatch`."""
        __tracebackhide__ = True
        from checks import assert_hessian

        return assert_hessian(f, x, hess, hvp, grad, **self._bound(overrides))


@pytest.fixture
def gradcheck(request: pytest.FixtureRequest) -> GradCheck:
    """`checks.assert_gradients` with this test's seed and the command line's defaults."""
    config = request.config
    seed = seed_for(config.getoption("gradcheck_seed"), request.node.nodeid)
    request.node.stash[_SEED_KEY] = seed
    return GradCheck(
        method=config.getoption("gradcheck_method"),
        rtol=config.getoption("gradcheck_rtol"),
        atol=config.getoption("gradcheck_atol"),
        seed=seed,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Add a "gradcheck" section with the seed to failing tests that used the fixture."""
    report = yield
    seed = item.stash.get(_SEED_KEY, None)
    if seed is not None and report.failed:
        base = item.config.getoption("gradcheck_seed")
        report.sections.append(
            (
                "gradcheck",
                f"gradcheck seed {seed} (--gradcheck-seed={base} + crc32 of the node id); "
                f"rerun with: pytest '{item.nodeid}' --gradcheck-seed={base}",
            )
        )
    return report
