"""The registries are the single list of activations and losses: everything else draws from them.

A new `Activation` or `Loss` added to `numeric.ACTIVATIONS` / `numeric.LOSSES` must be drawn by
the Hypothesis strategies of `checks.strategies` (which feed the property tests) with no change
there, must work in every pass (readable, engine, stacked), and must be accepted by `MLP`.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, find, settings

from checks import strategies as gps
from numeric import (
    ACTIVATIONS,
    LOSSES,
    MLP,
    Activation,
    Loss,
    backward,
    batched_loss,
    flatten_params,
    forward,
    init_params,
    loss_and_grad,
)

FIND = settings(max_examples=2000, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
# Two passes of the same network in float64 (readable vs engine): a few roundings apart.
RTOL = 1e-12


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_is_drawn_by_the_strategies(name):
    net = find(gps.mlps(max_layers=3), lambda net: name in net.activations, settings=FIND)
    assert name in net.activations


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_is_drawn_by_the_strategies(name):
    net = find(gps.mlps(max_layers=2), lambda net: net.loss == name, settings=FIND)
    assert net.loss == name


def test_registries_hold_objects_keyed_by_their_names():
    assert all(isinstance(a, Activation) and a.name == n for n, a in ACTIVATIONS.items())
    assert all(isinstance(loss, Loss) and loss.name == n for n, loss in LOSSES.items())
    fused = {loss.fused_activation for loss in LOSSES.values()} - {None}
    assert fused <= set(ACTIVATIONS)


def _targets(net, m, rng):
    n = net.sizes[-1]
    kind = LOSSES[net.loss].targets
    if kind == "distribution":
        T = np.eye(n)[rng.integers(0, n, m)].T
    elif kind == "binary":
        T = rng.integers(0, 2, (n, m)).astype(float)
    else:
        T = rng.standard_normal((n, m))
    return T if net.layout == "columns" else T.T.copy()


@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize("m", [7, 700])  # the engine's augmented and rows layouts
@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_every_activation_runs_in_every_pass_alike(hidden, m, layout):
    """Readable forward/backward, the engine (both layouts) and the stacked loss agree for
    each registered activation in a hidden layer (softmax too: it has in-place forms)."""
    rng = np.random.default_rng(1)
    net = MLP((3, 50, 4), hidden=hidden, output="identity", loss="mse", layout=layout)
    params = init_params(net, rng=rng)
    X = rng.standard_normal((3, m) if layout == "columns" else (m, 3))
    Y = _targets(net, m, rng)
    loss, cache = forward(net, params, X, Y)
    ref = backward(net, params, cache)
    loss2, grads = loss_and_grad(net, params, X, Y)
    assert np.isclose(loss2, loss, rtol=RTOL, atol=0)
    for key in ref:
        np.testing.assert_allclose(grads[key], ref[key], rtol=0,
                                   atol=RTOL * np.abs(ref[key]).max())
    stacked = batched_loss(net, np.stack([flatten_params(params)] * 2), X, Y)
    np.testing.assert_allclose(stacked, [loss, loss], rtol=RTOL)
