"""Bad and degenerate input to numeric's public API, tried as a hostile new user would (issue 18).

Each row: a public function, its arguments, the exception type and the words its message must
contain. Every row also checks that no array it passed was changed, even though the call
failed. Hypothesis adds drawn dtypes and shapes that must be refused.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numeric
from numeric import (
    MLP,
    Objective,
    TrainingDiverged,
    backward,
    batched_loss,
    categorical_cross_entropy,
    categorical_cross_entropy_backward,
    forward,
    init_params,
    loss_and_grad,
    predict,
    regression,
    spiral,
    train,
    two_class,
)

NET = MLP((2, 3, 1), hidden="tanh", output="sigmoid", loss="bce")  # columns
CE = MLP((2, 3, 3), output="softmax", loss="ce", layout="rows")
RELU = MLP((2, 8, 1), hidden="relu", output="identity", loss="mse")  # diverges at lr=1e6
P = init_params(NET, rng=0)
PRELU = init_params(RELU, rng=0)
PCE = init_params(CE, rng=0)
X = np.random.default_rng(0).standard_normal((2, 6))  # columns: n_0 = 2, m = 6
Y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0, 0.0]])
XR = X.T.copy()
ONEHOT = np.eye(3)[[0, 2, 1, 0, 1, 2]]  # rows layout: (m, 3)
NEGATIVE = ONEHOT.copy()
NEGATIVE[1] = [0.5, -0.5, 1.0]  # sums to 1, but one target is negative
DOUBLED = 2 * ONEHOT  # sums to 2
LOGITS = np.random.default_rng(1).standard_normal((6, 3))


def row(fn, *args, error, words, **kwargs):
    """One table row; the id is the call as a user would write it."""
    shown = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    shown = ", ".join(shown)
    return pytest.param(fn, args, kwargs, error, words, id=f"{fn.__name__}({shown})")


def _short(value):
    if isinstance(value, np.ndarray):
        return f"<{value.dtype} {value.shape}>"
    if isinstance(value, dict):
        return "params"
    if isinstance(value, MLP):
        return f"MLP{value.sizes}"
    if isinstance(value, str | int | float | list | tuple | type(None)):
        return repr(value)[:30]
    return f"{type(value).__name__}(...)"  # no addresses: ids must agree across workers


CASES = [
    # --- divergence (issue 18 section 2) ------------------------------------------------------
    row(train, RELU, PRELU, X, Y, lr=1e6, epochs=50, error=TrainingDiverged,
        words=["diverged", "epoch", "lr=1e+06", "smaller learning rate"]),
    row(train, RELU, PRELU, X, Y, method="sgd", lr=1e7, epochs=20, rng=0, error=TrainingDiverged,
        words=["diverged", "step", "lr=1e+07", "smaller learning rate"]),
    row(train, RELU, PRELU, X, Y, method="minibatch", batch_size=2, lr=1e8, epochs=20, rng=0,
        error=TrainingDiverged,
        words=["diverged", "epoch", "step", "lr=1e+08"]),
    # --- degenerate setups ------------------------------------------------------------------
    row(MLP, (2, 4, 1), output="softmax", loss="ce", error=ValueError,
        words=["one output", "at least 2 classes", "loss='bce'"]),
    row(MLP, (2, 4, 1), output="softmax", loss="mse", error=ValueError,
        words=["one output", "softmax over one unit is always 1"]),
    row(categorical_cross_entropy, np.zeros((1, 4)), np.ones((1, 4)), from_logits=True,
        error=ValueError, words=["n = 1 class", "at least 2", "binary_cross_entropy"]),
    row(categorical_cross_entropy_backward, np.zeros((4, 1)), np.array([0, 0, 0, 0]),
        layout="rows", from_logits=True, error=ValueError, words=["n = 1 class", "at least 2"]),
    row(forward, CE, PCE, XR, NEGATIVE, error=ValueError,
        words=["Y has a negative target", "index (1, 1)", "probabilities"]),
    row(loss_and_grad, CE, PCE, XR, DOUBLED, error=ValueError,
        words=["sample 0 sum to 2", "must sum to 1", "integer labels"]),
    row(Objective, CE, XR, DOUBLED, error=ValueError, words=["sum to 2", "must sum to 1"]),
    row(categorical_cross_entropy, LOGITS, NEGATIVE, from_logits=True, layout="rows",
        error=ValueError, words=["negative target", "probabilities"]),
    row(categorical_cross_entropy_backward, LOGITS, DOUBLED, from_logits=True, layout="rows",
        error=ValueError, words=["sum to 2", "normalise them"]),
    # --- rng that is not None, a seed or a Generator ----------------------------------------
    row(init_params, NET, rng="seed", error=TypeError,
        words=["rng must be None, an int seed or a numpy.random.Generator", "str"]),
    row(init_params, NET, rng=1.5, error=TypeError, words=["rng must be", "float 1.5"]),
    row(init_params, NET, rng=np.random.RandomState(0), error=TypeError,
        words=["rng must be", "RandomState", "np.random.default_rng(0)"]),
    row(init_params, NET, rng=-1, error=ValueError, words=["rng=-1", "negative seed"]),
    row(init_params, NET, rng=True, error=TypeError, words=["rng must be", "bool"]),
    row(train, NET, P, X, Y, method="sgd", lr=0.1, epochs=1, rng="0", error=TypeError,
        words=["rng must be", "str"]),
    row(spiral, 5, rng=[1, 2], error=TypeError, words=["rng must be", "list"]),
    row(two_class, 10, rng=2.0, error=TypeError, words=["rng must be", "float"]),
    row(regression, 10, rng=object(), error=TypeError, words=["rng must be", "object"]),
    # --- dtypes and shapes the documentation does not allow ----------------------------------
    row(forward, NET, P, X.astype(np.float16), Y, error=TypeError,
        words=["X has dtype float16", "float32 or float64", "astype(np.float64)"]),
    row(predict, NET, P, X.astype(np.complex128), error=TypeError,
        words=["X has dtype complex128"]),
    row(init_params, NET, dtype=np.float16, error=TypeError,
        words=["dtype must be float32 or float64", "float16"]),
    row(loss_and_grad, NET, list(P.values()), X, Y, error=TypeError,
        words=["params must be a dict of arrays", "list"]),
    row(backward, NET, P, (X, Y), error=TypeError, words=["cache must be the Cache"]),
    row(Objective, NET, X, 2 * Y, error=ValueError,
        words=["binary cross-entropy targets must lie in [0, 1]"]),
    row(batched_loss, NET, np.full((2, 13), np.nan), X, Y, error=ValueError,
        words=["thetas contains a non-finite value (nan) at index (0, 0)"]),
    row(train, NET, P, X, Y, lr=float("inf"), epochs=1, error=ValueError,
        words=["lr must be finite and > 0", "inf"]),
]


def _arrays(value):
    """Every ndarray inside ``value`` (args tuples, kwargs and parameter dicts)."""
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _arrays(v)


@pytest.mark.parametrize("fn, args, kwargs, error, words", CASES)
def test_bad_input_is_refused_in_our_words_and_changes_nothing(fn, args, kwargs, error, words):
    before = [a.copy() for a in _arrays((args, kwargs))]
    with pytest.raises(error) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "numpy" not in type(info.value).__module__
    for old, now in zip(before, _arrays((args, kwargs)), strict=True):
        np.testing.assert_array_equal(now, old)  # NaN == NaN here


def test_the_table_has_at_least_twenty_rows():
    assert len(CASES) >= 20


def test_divergence_keeps_the_finite_history_and_the_last_finite_params():
    with pytest.raises(TrainingDiverged) as info:
        train(RELU, PRELU, X, Y, lr=1e6, epochs=50)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.lr == 1e6 and 1 <= err.epoch <= 50 and err.step == 1
    assert err.history.shape == (err.epoch,)
    assert np.isfinite(err.history).all()
    assert err.history[0] == forward(RELU, PRELU, X, Y)[0]  # the initial objective
    assert set(err.params) == set(PRELU)
    assert all(np.isfinite(v).all() for v in err.params.values())
    assert f"epoch {err.epoch}" in str(err)


def test_divergence_is_an_error_even_when_warnings_are_ignored():
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged):
        train(RELU, PRELU, X, Y, lr=1e6, epochs=50)


def test_a_soft_normalised_target_is_still_accepted():
    soft = np.full((6, 3), 1 / 3)
    loss, _ = loss_and_grad(CE, PCE, XR, soft)
    assert np.isfinite(loss)


_BAD_DTYPES = st.sampled_from([np.int8, np.int64, np.uint8, np.bool_, np.float16,
                               np.complex64, np.complex128])


@settings(max_examples=40, deadline=None)
@given(X_bad=hnp.arrays(_BAD_DTYPES, st.just((2, 6))))
def test_every_non_float_input_dtype_is_refused_naming_X(X_bad):
    kept = X_bad.copy()
    with pytest.raises(TypeError, match=rf"X has dtype {X_bad.dtype}"):
        loss_and_grad(NET, P, X_bad, Y)
    np.testing.assert_array_equal(X_bad, kept)


@settings(max_examples=40, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5).filter(
    lambda s: not (len(s) == 2 and s[0] == 2)))
def test_every_input_shape_but_n_in_by_m_is_refused_naming_X(shape):
    X_bad = np.zeros(shape)
    with pytest.raises(ValueError, match=r"X has shape"):
        loss_and_grad(NET, P, X_bad, Y)


@settings(max_examples=40, deadline=None)
@given(rng=st.one_of(st.floats(), st.text(max_size=3), st.booleans(),
                     st.integers(max_value=-1), st.lists(st.integers(0, 9), max_size=2)))
def test_every_rng_but_a_seed_or_a_generator_is_refused_naming_rng(rng):
    with pytest.raises((TypeError, ValueError), match=r"rng"):
        init_params(NET, rng=rng)


def test_every_public_name_is_still_exported():
    assert "TrainingDiverged" in numeric.__all__
    assert copy.deepcopy(NET) == NET
