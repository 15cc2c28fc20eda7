"""Exact runs of update rules: the laws they obey and the decisions built on them.

Oracles: closed forms computed by hand on quadratics (one step on a/2 (w - c)^2 moves
w - c to (1 - eta a)(w - c)), and the identities between the rules (batch 1 is SGD, a batch
of all samples is one gradient-descent step on the mean loss, stale gradients add up to one
step of N times the rate).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict
from derivations.iteration import (
    Run,
    as_exact,
    contraction_factor,
    decide_differentiable_at,
    decide_in_interval,
    decide_runs_equal,
    decide_step_decreases,
    decreasing_rates,
    gradient_descent,
    minibatch,
    one_sided_derivatives,
    rates_where,
    sgd,
    step,
)

w = sp.Symbol("w", real=True)
v = sp.Symbol("v", real=True)


def rationals(lo=-3, hi=3, den=8):
    return st.builds(lambda k, d: sp.Rational(k, d), st.integers(lo * den, hi * den),
                     st.integers(1, den))


positive = st.builds(lambda k, d: sp.Rational(k, d), st.integers(1, 16), st.integers(1, 8))


@given(a=positive, c=rationals(), eta=positive, w0=rationals(), k=st.integers(0, 4))
def test_gradient_descent_on_a_quadratic_follows_the_closed_form(a, c, eta, w0, k):
    run = gradient_descent(a / 2 * (w - c) ** 2, [w], [w0], eta, steps=k)
    assert run.final[0] == c + (1 - eta * a) ** k * (w0 - c)
    assert all(isinstance(p[0], sp.Rational) for p in run.iterates)
    assert run.losses[-1] == a / 2 * (run.final[0] - c) ** 2


@settings(max_examples=30)
@given(cs=st.lists(rationals(), min_size=1, max_size=4), eta=positive, w0=rationals())
def test_batch_of_one_is_sgd_and_batch_of_all_is_one_gradient_step(cs, eta, w0):
    losses = [(w - c) ** 2 / 2 for c in cs]
    n = len(losses)
    assert minibatch(losses, [w], [w0], eta, batch_size=1).iterates == \
        sgd(losses, [w], [w0], eta).iterates
    whole = minibatch(losses, [w], [w0], eta, batch_size=n)
    gd = gradient_descent(sum(losses) / n, [w], [w0], eta, steps=1)
    assert whole.iterates == gd.iterates
    assert whole.losses == gd.losses


@settings(max_examples=30)
@given(cs=st.lists(rationals(), min_size=2, max_size=4), eta=positive, w0=rationals())
def test_stale_gradients_add_up_to_one_step_of_n_times_the_rate(cs, eta, w0):
    # every sample gradient taken at w0: w0 - eta * sum_i g_i(w0) = GD on the mean, rate N eta
    losses = [(w - c) ** 2 / 2 for c in cs]
    stale = sgd(losses, [w], [w0], eta, gradient_at="epoch start")
    gd = gradient_descent(sum(losses) / len(cs), [w], [w0], eta * len(cs), steps=1)
    assert stale.final == gd.final


def test_stale_and_fresh_gradients_differ_by_hand():
    # samples (w-1)^2/2, (w+1)^2/2, w = 4, rate 1/2
    # fresh: 4 - 3/2 = 5/2, then 5/2 - (7/2)/2 = 3/4; stale: 5/2 - 5/2 = 0
    losses = [(w - 1) ** 2 / 2, (w + 1) ** 2 / 2]
    assert sgd(losses, [w], [4], "0.5").final == (sp.Rational(3, 4),)
    assert sgd(losses, [w], [4], "0.5", gradient_at="epoch start").final == (0,)
    d = decide_runs_equal(sgd(losses, [w], [4], "0.5"),
                          sgd(losses, [w], [4], "0.5", gradient_at="epoch start"), what="x")
    assert d.verdict is Verdict.REFUTED
    assert d.counterexample.stated != d.counterexample.correct


def test_two_parameters_and_epochs():
    losses = [(w - 1) ** 2 + v**2, (w + 1) ** 2 + (v - 2) ** 2]
    run = minibatch(losses, [w, v], [0, 0], "0.25", batch_size=2, epochs=3)
    assert len(run.iterates) == 4
    # mean loss w^2 + 1 + (v - 1)^2 + 1: v -> v - (v - 1)/2, so v_k = 1 - (1/2)^k
    assert [p[1] for p in run.iterates] == [0, sp.Rational(1, 2), sp.Rational(3, 4),
                                            sp.Rational(7, 8)]


def test_symbolic_rate_gives_the_update_as_a_function_of_the_rate():
    eta = sp.Symbol("eta", positive=True)
    assert step(w**2, [w], [1], eta) == (1 - 2 * eta,)


def test_step_decreases_decides_both_ways():
    # E = w^2 from 1: rate 1/4 -> w = 1/2, E = 1/4 (down); rate 1 -> w = -1, E = 1 (not down)
    assert decide_step_decreases(w**2, [w], [1], "0.25", what="x").verdict is Verdict.PROVEN
    d = decide_step_decreases(w**2, [w], [1], 1, what="x")
    assert d.verdict is Verdict.REFUTED
    assert d.counterexample.correct == "E(w_1) = 1"


@settings(max_examples=20)
@given(a=positive, w0=rationals().filter(lambda x: x != 0))
def test_decreasing_rates_of_a_quadratic_are_zero_to_two_over_a(a, w0):
    assert decreasing_rates(a / 2 * w**2, w, w0) == sp.Interval.open(0, 2 / a)


def test_contraction_factor_and_rates():
    a, eta = sp.symbols("a eta", positive=True)
    c = sp.Symbol("c", real=True)
    assert contraction_factor(a / 2 * (w - c) ** 2, w, c, eta) == 1 - a * eta
    t = sp.Symbol("t", positive=True)
    assert rates_where(sp.Abs(1 - t) < 1, t) == sp.Interval.open(0, 2)
    with pytest.raises(ValueError, match="depends on w"):
        contraction_factor(w**4, w, 0, eta)


def test_one_sided_derivatives_and_differentiability():
    assert one_sided_derivatives(sp.Abs(w), w, 0) == (-1, 1)
    assert one_sided_derivatives(sp.Max(0, w), w, 0) == (0, 1)
    assert decide_differentiable_at(w**2, w, 0, what="w^2").verdict is Verdict.PROVEN
    d = decide_differentiable_at(sp.Abs(w - 1), w, 1, what="|w - 1|")
    assert d.verdict is Verdict.REFUTED
    assert d.counterexample.correct == "left = -1, right = 1"


def test_in_interval():
    assert decide_in_interval(["0.5", "0.000001"], sp.Interval.open(0, 1),
                              what="x").verdict is Verdict.PROVEN
    d = decide_in_interval(["0.5", "1.5"], sp.Interval.open(0, 1), what="x")
    assert d.verdict is Verdict.REFUTED
    assert d.counterexample.correct == "3/2"


def test_as_exact():
    assert as_exact("0.1") == sp.Rational(1, 10)
    assert as_exact(Fraction(2, 6)) == sp.Rational(1, 3)
    assert as_exact(sp.Symbol("eta")) == sp.Symbol("eta")


def test_run_prints_its_iterates():
    run = gradient_descent(w**2 / 2, [w], [8], "0.5", steps=2)
    assert isinstance(run, Run)
    text = str(run)
    assert "learning rate 1/2: 2 updates" in text
    assert "w_2 = 2   E = 2" in text


@pytest.mark.parametrize(
    "call, error, match",
    [
        pytest.param(lambda: as_exact(0.1), TypeError, "pass an exact number",
                     id="as_exact(0.1)"),
        pytest.param(lambda: as_exact(True), TypeError, "bool", id="as_exact(True)"),
        pytest.param(lambda: as_exact([1]), TypeError, "is not exact", id="as_exact([1])"),
        pytest.param(lambda: step(w**2, [w], [1, 2], 1), ValueError, "one start value per",
                     id="step(start of length 2 for 1 param)"),
        pytest.param(lambda: step(w**2, ["w"], [1], 1), TypeError, "sympy Symbols",
                     id="step(params=['w'])"),
        pytest.param(lambda: gradient_descent(w**2, [w], [1], 1, steps=-1), ValueError,
                     "steps must be an int >= 0", id="gradient_descent(steps=-1)"),
        pytest.param(lambda: minibatch([w**2], [w], [1], 1, batch_size=2), ValueError,
                     r"batch_size must be an int in 1..1", id="minibatch(batch_size=2 of 1)"),
        pytest.param(lambda: minibatch([], [w], [1], 1, batch_size=1), ValueError,
                     "sample_losses is empty", id="minibatch(no samples)"),
        pytest.param(lambda: minibatch([w**2], [w], [1], 1, batch_size=1, epochs=0),
                     ValueError, "epochs must be an int >= 1", id="minibatch(epochs=0)"),
        pytest.param(lambda: sgd([w**2], [w], [1], 1, gradient_at="start"), ValueError,
                     "not one of 'current', 'epoch start'", id="sgd(gradient_at='start')"),
        pytest.param(lambda: gradient_descent(w**2, [w], [1], 0.5, steps=1), TypeError,
                     "lr=0.5 is a float", id="gradient_descent(lr=0.5)"),
        pytest.param(lambda: decide_step_decreases(w**2, [w], [sp.Symbol("s")], 1, what="x"),
                     ValueError, "symbolic", id="decide_step_decreases(symbolic start)"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_symbolic_sgd_epoch_contracts_by_the_square_of_the_step_factor():
    # each SGD update on (w - c)^2 / 2 multiplies w by (1 - eta); two of them by (1 - eta)^2
    eta = sp.Symbol("eta", positive=True)
    w0 = sp.Symbol("w_0", real=True)
    run = sgd([(w - 1) ** 2 / 2, (w + 1) ** 2 / 2], [w], [w0], eta)
    assert sp.expand(sp.diff(run.final[0], w0) - (1 - eta) ** 2) == 0
    gd = minibatch([(w - 1) ** 2 / 2, (w + 1) ** 2 / 2], [w], [w0], eta, batch_size=2)
    assert sp.expand(gd.final[0] - (1 - eta) * w0) == 0
