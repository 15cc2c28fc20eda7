"""numeric.losses: values and gradients against autograd, conventions, stability.

Oracle: HIPS autograd on the per-entry formulas written here with ``autograd.numpy``.
"""

from __future__ import annotations

import math
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import example, given, settings
from hypothesis import strategies as st

from numeric import (
    LOSSES,
    binary_cross_entropy,
    binary_cross_entropy_backward,
    categorical_cross_entropy,
    categorical_cross_entropy_backward,
    mean_squared_error,
    mean_squared_error_backward,
)

# A loss and its gradient are a few float64 operations per entry plus one sum of <= 64 terms:
# well under 1e-13 relative; 1e-11 leaves margin for the sum's cancellation.
RTOL = 1e-11
REDUCTIONS = ("mean", "mean_all", "sum")


def _divisor(shape, reduction, layout):
    n, m = shape if layout == "columns" else shape[::-1]
    return {"mean": m, "mean_all": m * n, "sum": 1}[reduction]


@st.composite
def cases(draw, min_classes=1):
    n, m = draw(st.integers(min_classes, 5)), draw(st.integers(1, 8))
    layout = draw(st.sampled_from(("columns", "rows")))
    reduction = draw(st.sampled_from(REDUCTIONS))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (n, m) if layout == "columns" else (m, n)
    return shape, layout, reduction, rng


@settings(max_examples=40)
@given(cases(), st.booleans())
def test_bce_matches_autograd_from_probabilities_and_logits(case, from_logits):
    shape, layout, reduction, rng = case
    Z = 3 * rng.standard_normal(shape)
    Y = rng.integers(0, 2, shape).astype(float)
    d = _divisor(shape, reduction, layout)

    def ref(z):
        A = 1 / (1 + anp.exp(-z)) if from_logits else z
        return -anp.sum(Y * anp.log(A) + (1 - Y) * anp.log(1 - A)) / d

    x = Z if from_logits else 1 / (1 + np.exp(-Z))
    kw = dict(from_logits=from_logits, reduction=reduction, layout=layout)
    assert math.isclose(binary_cross_entropy(x, Y, **kw), ref(x), rel_tol=RTOL)
    np.testing.assert_allclose(binary_cross_entropy_backward(x, Y, **kw), grad(ref)(x),
                               rtol=RTOL, atol=1e-15)


@settings(max_examples=40)
@given(cases(min_classes=2))
def test_ce_from_logits_is_accurate_to_eps_times_the_largest_logit(case):
    # against the exact value (mpmath, 40 digits): the loss's own conditioning, no worse
    import mpmath

    shape, layout, reduction, rng = case
    axis = 0 if layout == "columns" else 1
    n, m = shape[axis], shape[1 - axis]
    labels = rng.integers(0, n, m)
    Z = 3 * rng.standard_normal(shape)
    got = categorical_cross_entropy(Z, labels, from_logits=True, reduction=reduction,
                                    layout=layout)
    with mpmath.workdps(40):
        cols = Z if layout == "columns" else Z.T
        total = sum(mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in cols[:, i]))
                    - mpmath.mpf(cols[labels[i], i]) for i in range(m))
        exact = total / _divisor(shape, reduction, layout)
        error = float(abs(mpmath.mpf(float(got)) - exact))
    assert error <= 4 * np.finfo(float).eps * max(1.0, float(np.abs(Z).max()))


@settings(max_examples=40)
@given(cases(min_classes=2), st.booleans(), st.booleans())  # one class is refused
def test_ce_matches_autograd_with_labels_and_one_hot(case, from_logits, as_labels):
    shape, layout, reduction, rng = case
    axis = 0 if layout == "columns" else 1
    n = shape[axis]
    m = shape[1 - axis]
    labels = rng.integers(0, n, m)
    onehot = np.eye(n)[labels] if layout == "rows" else np.eye(n)[labels].T
    Z = 3 * rng.standard_normal(shape)
    d = _divisor(shape, reduction, layout)

    def ref(z):
        P = anp.exp(z) / anp.sum(anp.exp(z), axis=axis, keepdims=True) if from_logits else z
        return -anp.sum(onehot * anp.log(P)) / d

    x = Z if from_logits else np.exp(Z) / np.exp(Z).sum(axis=axis, keepdims=True)
    Y = labels if as_labels else onehot
    kw = dict(from_logits=from_logits, reduction=reduction, layout=layout)
    # log-sum-exp minus the label's logit is conditioned to eps * max|Z| absolute, in any
    # implementation (the reference too): a loss of 1e-6 keeps ~10 digits, not 11
    # (test_ce_from_logits_is_accurate_to_eps_times_the_largest_logit bounds ours exactly)
    floor = 16 * np.finfo(float).eps * max(1.0, float(np.abs(Z).max()))
    assert math.isclose(categorical_cross_entropy(x, Y, **kw), ref(x), rel_tol=RTOL,
                        abs_tol=floor)
    np.testing.assert_allclose(categorical_cross_entropy_backward(x, Y, **kw), grad(ref)(x),
                               rtol=RTOL, atol=1e-15)


@settings(max_examples=40)
@given(cases(), st.booleans())
def test_mse_matches_autograd_with_and_without_half(case, half):
    shape, layout, reduction, rng = case
    A, Y = rng.standard_normal(shape), rng.standard_normal(shape)
    d = _divisor(shape, reduction, layout)

    def ref(a):
        return anp.sum((a - Y) ** 2) * (0.5 if half else 1.0) / d

    kw = dict(half=half, reduction=reduction, layout=layout)
    assert math.isclose(mean_squared_error(A, Y, **kw), ref(A), rel_tol=RTOL)
    np.testing.assert_allclose(mean_squared_error_backward(A, Y, **kw), grad(ref)(A), rtol=RTOL)


def test_seed_conventions_by_hand():
    A = np.array([[0.5, 2.0, -1.0], [1.0, 0.0, 3.0]])  # columns: n = 2 outputs, m = 3 samples
    Y = np.zeros_like(A)
    sq = 0.25 + 4 + 1 + 1 + 0 + 9  # sum of squared errors = 15.25
    # seed 001: E = 1/(N M) sum 1/2 (y - yhat)^2
    assert mean_squared_error(A, Y, half=True, reduction="mean_all") == pytest.approx(sq / 2 / 6)
    # seed 003: J = 1/(2m) sum (yhat - y)^2
    assert mean_squared_error(A, Y, half=True, reduction="mean") == pytest.approx(sq / 2 / 3)
    assert mean_squared_error(A, Y, reduction="sum") == pytest.approx(sq)
    # rows layout: the same data transposed has the same m
    assert mean_squared_error(A.T, Y.T, half=True, layout="rows") == pytest.approx(sq / 2 / 3)


def test_bce_from_logits_equals_bce_from_probabilities_where_both_are_accurate():
    Z = np.array([[-4.0, -0.5, 0.0, 2.0, 6.0]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    A = 1 / (1 + np.exp(-Z))
    assert binary_cross_entropy(Z, Y, from_logits=True) == pytest.approx(
        binary_cross_entropy(A, Y), rel=1e-12)
    np.testing.assert_allclose(binary_cross_entropy_backward(Z, Y, from_logits=True),
                               binary_cross_entropy_backward(A, Y) * A * (1 - A), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_from_logits_are_finite_and_silent_at_1e3(dtype):
    Z = np.array([[1000.0, -1000.0, 1000.0, -1000.0]], dtype=dtype)
    Y = np.array([[1.0, 0.0, 0.0, 1.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = binary_cross_entropy(Z, Y, from_logits=True, reduction="sum")
        dZ = binary_cross_entropy_backward(Z, Y, from_logits=True, reduction="sum")
        Zc = np.array([[1000.0, 0.0], [-1000.0, 0.0], [0.0, 0.0]], dtype=dtype)  # rows
        ce = categorical_cross_entropy(Zc, np.array([1, 0, 0]), from_logits=True, layout="rows",
                                       reduction="sum")
        dce = categorical_cross_entropy_backward(Zc, np.array([1, 0, 0]), from_logits=True,
                                                 layout="rows", reduction="sum")
    # BCE: two right, two wrong by 1000: 2000. CE: wrong by 1000 twice, a tie once: + log 2
    assert float(loss) == pytest.approx(2000.0)
    np.testing.assert_array_equal(dZ, [[0.0, 0.0, 1.0, -1.0]])
    assert float(ce) == pytest.approx(2000.0 + math.log(2), rel=1e-6)
    assert np.isfinite(dce).all()
    assert {np.asarray(v).dtype for v in (loss, dZ, ce, dce)} == {np.dtype(dtype)}


def test_probabilities_of_exactly_0_or_1_give_exact_limits():
    """0 log 0 = 0 where the target weight is 0; a confident wrong answer costs +inf."""
    Y = np.array([[1.0, 0.0]])
    assert binary_cross_entropy(np.array([[1.0, 0.0]]), Y, reduction="sum") == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert binary_cross_entropy(np.array([[0.0, 0.0]]), Y) == np.inf


def test_mean_is_sum_over_m_and_stacked_batches_give_one_loss_each():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((4, 3, 7))  # K = 4 stacked, columns (n = 3, m = 7)
    labels = rng.integers(0, 3, 7)
    stacked = categorical_cross_entropy(Z, labels, from_logits=True)
    assert stacked.shape == (4,)
    for k in range(4):
        assert stacked[k] == pytest.approx(categorical_cross_entropy(Z[k], labels,
                                                                     from_logits=True), rel=1e-14)
        assert stacked[k] == pytest.approx(
            categorical_cross_entropy(Z[k], labels, from_logits=True, reduction="sum") / 7,
            rel=1e-14)


def test_losses_do_not_modify_inputs():
    rng = np.random.default_rng(1)
    P = rng.dirichlet(np.ones(3), 5)  # rows layout probabilities
    labels = np.array([0, 2, 1, 1, 0])
    P0 = P.copy()
    categorical_cross_entropy_backward(P, labels, layout="rows")
    categorical_cross_entropy_backward(P, labels, layout="rows", from_logits=True)
    np.testing.assert_array_equal(P, P0)


def test_registry():
    assert {"bce", "ce", "mse"} <= set(LOSSES)  # the tutorials' (others: tests/references.py)
    assert LOSSES["bce"].fused_activation == "sigmoid"
    assert LOSSES["ce"].fused_activation == "softmax"
    assert LOSSES["mse"].fused_activation is None
    assert LOSSES["mse"].function is mean_squared_error


@st.composite
def stacked_logits(draw):
    """K stacked (n, m) logits, some of them large (confident), and targets: hard or soft."""
    K, n, m = draw(st.integers(1, 6)), draw(st.integers(1, 4)), draw(st.integers(1, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from((np.float32, np.float64)))
    Z = rng.standard_normal((K, n, m)) * draw(st.sampled_from((1.0, 10.0, 300.0)))
    Y = rng.integers(0, 2, (n, m)).astype(float)
    if draw(st.booleans()):
        Y = rng.random((n, m))
    elif draw(st.booleans()):  # every prediction right and confident: a loss of ~e^-30
        Z = np.abs(Z) + 30.0
        Z *= np.where(Y == 1.0, 1.0, -1.0)
    return Z.astype(dtype), Y.astype(dtype)


def _bce_reference(Z, Y):
    """Sum of log1p(e^-|z|) + (max(z, 0) - y z) per entry in float64, summed exactly (fsum)."""
    z, y = np.asarray(Z, np.float64).ravel(), np.asarray(Y, np.float64).ravel()
    pairs = zip(z, y, strict=True)
    return math.fsum(math.log1p(math.exp(-abs(a))) + (max(a, 0.0) - b * a) for a, b in pairs)


@settings(max_examples=80)
@given(stacked_logits(), st.sampled_from(("stacked", "single", "fused")))
@example((np.full((2, 1, 3), 356.0, np.float32), np.ones((1, 3), np.float32)), "stacked")
def test_bce_from_logits_keeps_the_digits_of_tiny_losses(case, path):
    """Every BCE-from-logits path against an exactly summed float64 reference.

    ``stacked`` (K losses: the two-slab form, one matrix-vector sum), ``single`` (one loss: the
    direct form) and ``fused`` (value and gradient, as loss_and_grad runs it). The bound: each
    entry is a few correctly rounded operations on non-negative terms, so a sum of N entries
    is within ~(N + 8) eps relative, plus eps |z| for each soft target y in (0, 1), whose
    max(z, 0) - y z cancels (a hard target's is exact). A tiny loss (every prediction right
    and confident, ~e^-30 an entry, hard targets) keeps its digits only because
    max(Z, 0) - Y Z is formed first, exactly 0 there; adding log1p(e^-|Z|) to max(Z, 0)
    first rounds it away.
    """
    Z, Y = case
    eps = np.finfo(Z.dtype).eps
    if path == "stacked":
        got = binary_cross_entropy(Z, Y, from_logits=True, reduction="sum")
        assert got.shape == (Z.shape[0],) and got.dtype == Z.dtype
    elif path == "single":
        got = [binary_cross_entropy(z, Y, from_logits=True, reduction="sum") for z in Z]
    else:
        got = [LOSSES["bce"].value_and_grad(z, Y, 1.0)[0] for z in Z]
    for k, value in enumerate(got):
        assert np.asarray(value).dtype == Z.dtype
        ref = _bce_reference(Z[k], Y)
        soft = (Y != 0) & (Y != 1)
        cancelled = float(np.abs(Z[k][soft]).astype(np.float64).sum())
        # + N tiny: e^-|z| below the dtype's smallest normal float flushes (float32: |z| > 87)
        bound = (Z[k].size + 8) * eps * (ref + cancelled) + Z[k].size * np.finfo(Z.dtype).tiny
        assert value >= 0 and abs(float(value) - ref) <= bound, (k, value, ref)


def test_stacked_bce_from_logits_beyond_half_the_largest_float_falls_back_silently():
    big = np.finfo(np.float64).max / 1.5  # 2 |Z| overflows; the loss itself is finite
    Z = np.array([[[big, -1.0]], [[0.5, -big]]])
    Y = np.array([[0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stacked = binary_cross_entropy(Z, Y, from_logits=True, reduction="sum")
    assert np.isfinite(stacked).all()
    for k in range(2):
        assert stacked[k] == binary_cross_entropy(Z[k], Y, from_logits=True, reduction="sum")
    assert stacked[0] == pytest.approx(big + math.log1p(math.exp(-1.0)) + 1.0, rel=1e-15)
