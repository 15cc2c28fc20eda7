"""checks.methods: every row of the method table estimates and judges; a new row is all it takes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from checks import FD_METHODS, METHODS, Verdict, check_gradients
from checks import steps as st
from checks.finite_diff import forward as forward_estimate
from checks.methods import FDMethod, Measured, refine_central, refine_three_scale
from checks.step_curve import step_error_curve

X = np.array([[0.3, -1.2, 2.0], [0.7, 0.05, -0.4]])
ENTRYWISE = [name for name, m in FD_METHODS.items() if m.entrywise]


def f(x):
    return np.sum(np.sin(x) * np.exp(0.3 * x))


def grad(x):
    return np.exp(0.3 * x) * (np.cos(x) + 0.3 * np.sin(x))


def test_methods_are_the_table_in_order_with_auto_first():
    assert tuple(FD_METHODS) == METHODS and METHODS[0] == "auto"
    assert set(METHODS) >= {"forward", "central", "richardson", "complex", "directional"}
    for name, m in FD_METHODS.items():
        assert m.name == name and m.cost >= 1 and m.label


@pytest.mark.parametrize("name", METHODS)
def test_every_method_passes_a_right_gradient_and_fails_a_wrong_one(name):
    right = check_gradients(f, X, grad, method=name, seed=0)
    assert right.verdict == Verdict.PASS, str(right)
    wrong = check_gradients(f, X, lambda x: grad(x) * (1 + 1e-4 * (x > 1.5)), method=name,
                            seed=0)
    assert wrong.verdict == Verdict.FAIL, str(wrong)


@pytest.mark.parametrize("name", ENTRYWISE)
def test_every_entrywise_method_has_its_error_below_a_millionth_at_its_own_step(name):
    x = X[0]
    curve = step_error_curve(f, x, grad(x), [st.base_step(x.dtype, FD_METHODS[name].exponent)],
                             methods=[name])
    # forward differences err by ~ sqrt(eps) ~ 1.5e-8 at their step; the others less
    assert curve[0].error[0] < 1e-6


@dataclass(frozen=True)
class _Backward(FDMethod):
    """(f(x) - f(x - h)) / h: what a contributor's new method looks like."""

    def measure(self, ctx, pi, idx, h):
        x, setup = ctx.setup.base[pi][idx], ctx.setup
        xm = st.offset(x, h, -1.0)
        Fm = ctx.eval(pi, idx, xm[None], "backward differences")
        return Measured(forward_estimate(setup.f0, Fm[0], st.taken(x, xm), st.entry_scale(x),
                                         1.0, setup.eps_f, setup.sigma))


def test_a_new_method_is_one_row_of_the_table(monkeypatch):
    new = _Backward("backward", "backward differences", 1 / 2, 1,
                    (refine_central, refine_three_scale))
    monkeypatch.setitem(FD_METHODS, "backward", new)
    right = check_gradients(f, X, grad, method="backward", seed=0)
    assert right.verdict == Verdict.PASS and right.method == "backward"
    wrong = check_gradients(f, X, lambda x: 2 * grad(x), method="backward", seed=0)
    assert wrong.verdict == Verdict.FAIL and wrong.params[0].diagnosis.kind == "factor"
    curve = step_error_curve(f, X, grad(X), [1e-7], methods=["backward"])
    assert curve[0].label == "backward differences" and curve[0].error[0] < 1e-6


def test_unknown_method_lists_every_row_of_the_table():
    with pytest.raises(ValueError, match="is not one of 'auto', 'forward', 'central'"):
        check_gradients(f, X, grad, method="cental")
