"""checks.hessian: Hessians and Hessian-vector products against FD of the gradient."""

from __future__ import annotations

import numpy as np
import pytest

from checks import GradientMismatch, Verdict
from checks.hessian import FDGradient, assert_hessian, check_hessian

X = np.random.default_rng(0).normal(size=5)


def f(x):
    return float(np.sum(np.sin(x)) * np.sum(x**2))


def grad(x):
    return np.cos(x) * np.sum(x**2) + np.sum(np.sin(x)) * 2 * x


def hess(x):
    return (-np.diag(np.sin(x)) * np.sum(x**2) + np.outer(np.cos(x), 2 * x)
            + np.outer(2 * x, np.cos(x)) + 2 * np.sum(np.sin(x)) * np.eye(x.size))


def test_fd_gradient_matches_the_analytic_gradient():
    # central differences in float64: error ~ eps^(2/3) relative
    np.testing.assert_allclose(FDGradient(f)(X), grad(X), rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("with_grad", [False, True], ids=["fd-of-fd", "fd-of-grad"])
def test_right_hessian_passes(with_grad):
    r = check_hessian(f, X, hess, grad=grad if with_grad else None)
    assert r.verdict == Verdict.PASS
    names = [p.name for p in r.params]
    assert names == (["gradient"] if with_grad else []) + ["hessian", "hessian symmetry"]


def test_error_bars_without_grad_are_wider_but_still_catch_1e_4():
    bad = lambda x: hess(x) + 1e-4 * np.eye(5)  # noqa: E731
    fd = check_hessian(f, X, bad)
    assert fd.verdict == Verdict.FAIL
    with_grad = check_hessian(f, X, hess, grad=grad)
    no_grad = check_hessian(f, X, hess)
    assert no_grad["hessian"].error_bar.max() > 10 * with_grad["hessian"].error_bar.max()


def test_one_triangle_wrong_fails_and_is_asymmetric():
    bad = lambda x: hess(x) + 0.01 * np.triu(np.ones((5, 5)), 1)  # noqa: E731
    r = check_hessian(f, X, bad, grad=grad)
    assert r["hessian"].verdict == Verdict.FAIL
    assert r["hessian symmetry"].verdict == Verdict.FAIL
    assert r["hessian symmetry"].diagnosis.kind == "asymmetric"


def test_a_factor_in_the_hessian_is_diagnosed():
    r = check_hessian(f, X, lambda x: 2 * hess(x), grad=grad)
    assert r["hessian"].diagnosis.kind == "factor"


def test_hvp_right_and_wrong():
    assert check_hessian(f, X, hvp=lambda x, v: hess(x) @ v, grad=grad).passed
    r = check_hessian(f, X, hvp=lambda x, v: hess(x).T @ v * 0.5, grad=grad)
    assert r["hvp"].verdict == Verdict.FAIL and r["hvp"].diagnosis.kind == "factor"
    asym = check_hessian(f, X, hvp=lambda x, v: (hess(x) + np.triu(np.ones((5, 5)), 1)) @ v)
    assert asym["hvp symmetry"].verdict == Verdict.FAIL


def test_wrong_grad_is_reported_first_it_is_what_the_hessian_is_judged_against():
    r = check_hessian(f, X, lambda x: 2 * hess(x), grad=lambda x: 2 * grad(x))
    assert r["gradient"].verdict == Verdict.FAIL
    assert r["hessian"].verdict == Verdict.PASS  # consistent with the (wrong) gradient
    assert r.verdict == Verdict.FAIL


def test_x_is_not_modified():
    x = X.copy()
    check_hessian(f, x, hess)
    assert np.array_equal(x, X)


def test_assert_hessian_raises():
    with pytest.raises(GradientMismatch, match="hessian check: FAIL"):
        assert_hessian(f, X, np.zeros((5, 5)))
