"""numeric.batched: stacked losses equal one forward pass per parameter vector.

The reference here is numeric's own single-network `forward`/`loss_and_grad`, whose gradients
test_mlp.py checks against autograd and torch; this file checks the stacking.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import (
    MLP,
    batched_loss,
    batched_loss_and_grad,
    batched_loss_from,
    flatten_params,
    forward,
    init_params,
    loss_and_grad,
    unflatten_params,
)

# Stacked and single evaluations do the same float operations, except that a stacked matmul
# may block its sums differently: a few roundings, 1e-12 relative in float64; float32 5e-6.
RTOL = {np.float64: 1e-12, np.float32: 5e-6}
NETWORKS = [
    MLP((1, 4, 1), hidden="sigmoid", output="sigmoid", loss="bce"),  # seed 000
    MLP((2, 5, 3), hidden="relu", output="softmax", loss="ce", layout="rows"),  # seed 002
    MLP((3, 4, 4, 1), hidden="relu", output="identity", loss="mse", half=True),  # seed 003
    MLP((2, 3, 2), hidden="tanh", output="sigmoid", loss="mse", half=True,
        reduction="mean_all", layout="rows"),  # seed 001
]


def _data(net: MLP, m: int, rng: np.random.Generator, dtype=np.float64):
    n0, nL = net.sizes[0], net.sizes[-1]
    X = rng.standard_normal((n0, m)).astype(dtype)
    if net.loss == "ce":
        Y = rng.integers(0, nL, m)
    elif net.loss == "bce":
        Y = rng.integers(0, 2, (nL, m)).astype(dtype)
    else:
        Y = rng.standard_normal((nL, m)).astype(dtype)
    if net.layout == "rows":
        X = X.T.copy()
        Y = Y if Y.ndim == 1 else Y.T.copy()
    return X, Y


def _thetas(net, K, rng, dtype):
    base = flatten_params(init_params(net, rng=rng, dtype=dtype))
    return (base + 0.3 * rng.standard_normal((K, base.size))).astype(dtype)


@pytest.mark.parametrize("net", NETWORKS, ids=lambda n: f"{n.sizes}-{n.layout}")
@settings(max_examples=15)
@given(K=st.integers(1, 9), m=st.integers(1, 12), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_batched_loss_equals_one_forward_per_row(net, K, m, seed, dtype):
    rng = np.random.default_rng(seed)
    X, Y = _data(net, m, rng, dtype)
    thetas = _thetas(net, K, rng, dtype)
    like = init_params(net, dtype=dtype)
    thetas0 = thetas.copy()
    losses = batched_loss(net, thetas, X, Y)
    assert losses.shape == (K,) and losses.dtype == dtype
    expected = [forward(net, unflatten_params(t, like), X, Y)[0] for t in thetas]
    expected = np.array(expected, dtype=np.float64)
    excess = np.abs(losses - expected) - RTOL[dtype] * np.abs(expected)
    bound = _rounding_bounds(net, thetas, like, X, Y)
    assert np.all(excess <= bound), (losses, expected, excess, bound)
    np.testing.assert_array_equal(thetas, thetas0)


def _rounding_bounds(net, thetas, like, X, Y) -> np.ndarray:
    """How far two roundings of each loss (K,) may differ beyond RTOL * |L|, at most.

    A dot product rounded in floating point is the exact one of inputs perturbed by a few
    units of roundoff (its backward error), and so, to first order, the loss moves by at
    most eps * sum_theta |dL/dtheta| |theta| (X's term likewise); 64 such units cover both
    evaluations' dot products of up to 5 terms. A small loss made of large cancelling terms
    (an MSE residual of 1e-3 on outputs of order 1) has a relative error far above RTOL:
    Hypothesis found one at L = 1e-5 in float32 (2.7e-5 relative).
    """
    eps = float(np.finfo(thetas.dtype).eps)
    bounds = []
    for theta in thetas.astype(np.float64):
        params = unflatten_params(theta, {k: v.astype(np.float64) for k, v in like.items()})
        _, grads = loss_and_grad(net, params, X.astype(np.float64), _as64(Y))
        bounds.append(64 * eps * sum(float(np.sum(np.abs(grads[k] * params[k])))
                                     for k in params))
    return np.array(bounds)


def _as64(Y):
    return Y if Y.dtype.kind in "iu" else Y.astype(np.float64)


@pytest.mark.parametrize("net", NETWORKS, ids=lambda n: f"{n.sizes}-{n.layout}")
def test_batched_gradients_equal_one_backward_per_row(net):
    rng = np.random.default_rng(5)
    X, Y = _data(net, 7, rng)
    thetas = _thetas(net, 4, rng, np.float64)
    like = init_params(net)
    losses, grads = batched_loss_and_grad(net, thetas, X, Y)
    assert grads.shape == thetas.shape
    for k, theta in enumerate(thetas):
        loss, g = loss_and_grad(net, unflatten_params(theta, like), X, Y)
        assert losses[k] == pytest.approx(loss, rel=RTOL[np.float64])
        np.testing.assert_allclose(grads[k], flatten_params(g), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("net", NETWORKS, ids=lambda n: f"{n.sizes}-{n.layout}")
def test_batched_loss_from_a_cached_layer_equals_the_full_pass(net):
    """Perturb only layers >= start and reuse cache.A[start - 1]: the checker's use case."""
    rng = np.random.default_rng(11)
    X, Y = _data(net, 6, rng)
    params = init_params(net, rng=rng)
    _, cache = forward(net, params, X, Y)
    K = 5
    for start in range(1, net.n_layers + 1):
        stacked = {k: v + 0.1 * rng.standard_normal((K, *v.shape))
                   for k, v in params.items() if int(k[1:]) >= start}
        losses = batched_loss_from(net, stacked, cache.A[start - 1], Y, start=start)
        for k in range(K):
            full = {**params, **{key: v[k] for key, v in stacked.items()}}
            assert losses[k] == pytest.approx(forward(net, full, X, Y)[0], rel=1e-12)
        # the dense targets kept in the cache work as Y too
        np.testing.assert_allclose(
            batched_loss_from(net, stacked, cache.A[start - 1], cache.Y, start=start), losses,
            rtol=1e-14)


def test_batched_loss_from_accepts_a_stacked_input_activation():
    net = NETWORKS[2]
    rng = np.random.default_rng(2)
    X, Y = _data(net, 5, rng)
    params = init_params(net, rng=rng)
    K = 3
    stacked1 = {k: np.stack([v] * K) + 0.1 * rng.standard_normal((K, *v.shape))
                for k, v in params.items() if k in ("W1", "b1")}
    A1 = np.stack([forward(net, {**params, "W1": stacked1["W1"][k], "b1": stacked1["b1"][k]},
                           X, Y)[1].A[1] for k in range(K)])  # (K, n_1, m)
    rest = {k: np.stack([v] * K) for k, v in params.items() if int(k[1:]) >= 2}
    got = batched_loss_from(net, rest, A1, Y, start=2)
    full = batched_loss(net, np.stack([flatten_params({**params, "W1": stacked1["W1"][k],
                                                       "b1": stacked1["b1"][k]})
                                       for k in range(K)]), X, Y)
    np.testing.assert_allclose(got, full, rtol=1e-12)


def test_flatten_unflatten_round_trip_and_copies():
    params = init_params(NETWORKS[1], rng=0, dtype=np.float32)
    theta = flatten_params(params)
    assert theta.dtype == np.float32 and theta.shape == (NETWORKS[1].n_params,)
    back = unflatten_params(theta, like=params)
    assert list(back) == list(params)
    for key in params:
        np.testing.assert_array_equal(back[key], params[key])
    back["W1"][0, 0] = 123.0  # a copy: theta is untouched
    assert theta[0] != 123.0
    stacked = unflatten_params(np.stack([theta, 2 * theta]), like=params)
    assert stacked["W2"].shape == (2, *params["W2"].shape)
    np.testing.assert_array_equal(stacked["W2"][1], 2 * params["W2"])
