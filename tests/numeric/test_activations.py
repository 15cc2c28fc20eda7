"""numeric.activations: values, derivatives against autograd, stability, dtypes.

Oracle for derivatives: HIPS autograd's ``elementwise_grad`` (and ``grad`` for softmax) of the
textbook formulas written here with ``autograd.numpy``.
"""

from __future__ import annotations

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad, grad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numeric import (
    ACTIVATIONS,
    leaky_relu,
    leaky_relu_backward,
    log_softmax,
    relu,
    relu_backward,
    sigmoid,
    softmax,
    softmax_backward,
    tanh,
)
from tests import references

# Derivatives of elementwise functions: numeric and autograd evaluate the same few operations
# in float64 (a handful of roundings of 1.1e-16), so 1e-12 relative leaves a wide margin.
RTOL = {np.float64: 1e-12, np.float32: 1e-5}  # float32: u = 6e-8, a few operations
SLOPE = 0.05
# Pre-activations at least this far from ReLU's kink (autograd picks its own value at 0).
KINK_MARGIN = 1e-3

tame = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
    elements=st.floats(-20, 20, allow_nan=False, allow_infinity=False),
)

#: every elementwise activation of the registry, with its textbook autograd reference
REFERENCE = {n: ref for n, ref in references.ACTIVATIONS.items()
             if n in ACTIVATIONS and ACTIVATIONS[n].elementwise}


@pytest.mark.parametrize("name", sorted(REFERENCE))
@settings(max_examples=30)
@given(Z=tame, seed=st.integers(0, 2**32 - 1))
def test_elementwise_forward_and_backward_match_autograd(name, Z, seed):
    act = ACTIVATIONS[name]
    ref = lambda z: REFERENCE[name](z, -1, SLOPE)  # noqa: E731
    if name in references.KINKED:
        Z = np.where(np.abs(Z) < KINK_MARGIN, KINK_MARGIN, Z)
    dA = np.random.default_rng(seed).standard_normal(Z.shape)
    A = act.forward(Z, slope=SLOPE)
    np.testing.assert_allclose(A, ref(Z), rtol=RTOL[np.float64], atol=1e-300)
    # dL/dZ for L = sum(dA * f(Z)) is dA * f'(Z): the chain rule autograd applies.
    expected = elementwise_grad(lambda z: anp.sum(dA * ref(z)))(Z)
    got = act.backward(dA, Z, A, slope=SLOPE)
    np.testing.assert_allclose(got, expected, rtol=RTOL[np.float64], atol=1e-15)


@settings(max_examples=30)
@given(
    Z=hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
                 elements=st.floats(-20, 20)),
    axis=st.sampled_from([0, 1, -1, -2]),
    seed=st.integers(0, 2**32 - 1),
)
def test_softmax_and_its_backward_match_autograd(Z, axis, seed):
    def ref(z):
        E = anp.exp(z)
        return E / anp.sum(E, axis=axis, keepdims=True)

    P = softmax(Z, axis=axis)
    np.testing.assert_allclose(P, ref(Z), rtol=1e-12)
    np.testing.assert_allclose(np.sum(P, axis=axis), 1.0, rtol=1e-14)
    np.testing.assert_allclose(log_softmax(Z, axis=axis), np.log(ref(Z)), rtol=1e-12, atol=1e-12)
    dA = np.random.default_rng(seed).standard_normal(Z.shape)
    expected = grad(lambda z: anp.sum(dA * ref(z)))(Z)  # vector-Jacobian product
    np.testing.assert_allclose(softmax_backward(dA, P, axis=axis), expected, rtol=1e-10,
                               atol=1e-14)


def test_softmax_works_along_a_leading_stacked_axis():
    Z = np.random.default_rng(0).standard_normal((5, 3, 4))  # (K, n, m), columns layout
    np.testing.assert_allclose(softmax(Z, axis=-2)[2], softmax(Z[2], axis=0), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_are_finite_and_silent_at_1e3(name, dtype):
    """|z| = 1e3 overflows a naive exp; stable forms stay finite with no warning."""
    Z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], dtype=dtype)
    act = ACTIVATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = act.forward(Z, axis=-1, slope=SLOPE)
        dZ = act.backward(np.ones_like(Z), Z, A, axis=-1, slope=SLOPE)
    assert np.isfinite(A).all() and np.isfinite(dZ).all()
    assert A.dtype == dtype and dZ.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_tails_are_exact(dtype):
    Z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype=dtype)
    A = sigmoid(Z)
    assert A.dtype == dtype
    assert A[0] == 0.0 and A[2] == 0.5 and A[4] == 1.0
    # the small tail keeps its relative accuracy: sigmoid(-30) = e^-30 / (1 + e^-30)
    assert A[1] == pytest.approx(np.exp(-30.0) / (1 + np.exp(-30.0)), rel=RTOL[dtype])
    assert A[3] == pytest.approx(1.0, rel=RTOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_in_place_forms_equal_the_readable_ones(name, dtype):
    """forward_/backward_ (the engine's, written into their arguments) and forward_negated_
    compute what forward/backward compute, up to rounding, for every registered activation."""
    act = ACTIVATIONS[name]
    rng = np.random.default_rng(5)
    Z = (rng.standard_normal((4, 6)) * 3).astype(dtype)
    Z[0, :3] = [-1000.0, 1000.0, 0.0]
    Z[np.abs(Z) < KINK_MARGIN] += 0.1  # away from the kinks, as elsewhere here
    dA = rng.standard_normal((4, 6)).astype(dtype)
    A = act.forward(Z, axis=0, slope=SLOPE)
    dZ = act.backward(dA, Z, A, axis=0, slope=SLOPE)
    aux = np.empty_like(Z) if act.keeps else None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A_ = act.forward_(Z.copy(), aux, axis=0, slope=SLOPE)
        dZ_ = act.backward_(dA.copy(), A_.copy(), aux, axis=0, slope=SLOPE)
        A_neg = act.forward_negated_(-Z, axis=0, slope=SLOPE)
        A_no_aux = act.forward_(Z.copy(), None, axis=0, slope=SLOPE)
    rtol = RTOL[dtype]
    np.testing.assert_allclose(A_, A, rtol=rtol, atol=0)
    np.testing.assert_allclose(A_neg, A, rtol=rtol, atol=0)
    np.testing.assert_allclose(A_no_aux, A, rtol=rtol, atol=0)
    np.testing.assert_allclose(dZ_, dZ, rtol=rtol, atol=rtol * np.abs(dZ).max())
    assert A_.dtype == dZ_.dtype == dtype


def test_softmax_at_1e3_is_a_one_hot_not_nan():
    for dtype in (np.float32, np.float64):
        P = softmax(np.array([[1000.0, -1000.0, 999.0]], dtype=dtype))
        assert P.dtype == dtype
        np.testing.assert_allclose(P.sum(), 1.0, rtol=RTOL[dtype])
        assert P[0, 1] == 0.0 and P[0, 0] > P[0, 2] > 0


def test_relu_derivative_at_the_kink_is_zero_as_in_seed_002():
    """Seed 002: da1[z1 <= 0] = 0, so the derivative at exactly 0 is 0."""
    Z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(relu_backward(np.ones(3), Z), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(leaky_relu_backward(np.ones(3), Z, slope=0.1), [0.1, 0.1, 1.0])


def test_activations_do_not_modify_their_input():
    Z = np.random.default_rng(0).standard_normal((3, 4))
    before = Z.copy()
    for act in ACTIVATIONS.values():
        A = act.forward(Z, axis=0, slope=SLOPE)
        act.backward(np.ones_like(Z), Z, A, axis=0, slope=SLOPE)
        np.testing.assert_array_equal(Z, before)


def test_every_elementwise_activation_has_its_autograd_reference():
    assert set(REFERENCE) == {n for n, a in ACTIVATIONS.items() if a.elementwise}


def test_registry_names_and_elementwise_flags():
    # the tutorials' activations are there (a new one needs no edit here: tests/references.py
    # lists every registered activation, and the reference tests fail until it does)
    assert {"sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"} <= set(ACTIVATIONS)
    assert [n for n, a in ACTIVATIONS.items() if not a.elementwise] == ["softmax"]
    assert all(a.name == n for n, a in ACTIVATIONS.items())
    assert {"relu", "leaky_relu"} <= {n for n, a in ACTIVATIONS.items() if a.gain == 2.0}
    assert {"sigmoid", "tanh", "identity"}.isdisjoint(
        n for n, a in ACTIVATIONS.items() if a.gain == 2.0)
    assert {n for n, a in ACTIVATIONS.items() if a.kinked} == references.KINKED


def test_integer_input_to_sigmoid_gives_float64():
    assert sigmoid(np.array([0, 1])).dtype == np.float64


@pytest.mark.parametrize("fn", [sigmoid, tanh, relu,
                                lambda Z, **kw: leaky_relu(Z, slope=0.1, **kw)],
                         ids=["sigmoid", "tanh", "relu", "leaky_relu"])
def test_out_argument_writes_in_place_with_the_same_values(fn):
    Z = np.random.default_rng(0).standard_normal((3, 5)) * 50
    expected = fn(Z)
    buf = Z.copy()
    assert fn(buf, out=buf) is buf
    np.testing.assert_array_equal(buf, expected)
