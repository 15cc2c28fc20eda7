"""checks.numeric_fast: batched losses equal numeric.forward; verdicts equal the black box.

Oracle: `numeric.forward` with one entry changed (itself tested against autograd and torch).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from checks import check_gradients
from checks.numeric_fast import NetworkProbe, check_network
from checks.structure import normalise_params, private_copies
from numeric import MLP, forward, init_params, loss_and_grad

CONFIGS = list(itertools.product(
    ["columns", "rows"],
    ["tanh", "relu", ("sigmoid", "leaky_relu")],
    [("softmax", "ce"), ("sigmoid", "bce"), ("identity", "mse")],
))
# Agreement of a batched loss with numeric.forward: rounding of a few operations.
LOSS_ATOL = 1e-13


def problem(layout, hidden, output, loss, sizes=(3, 5, 4, 2), m=7, seed=0):
    rng = np.random.default_rng(seed)
    net = MLP(sizes, hidden=hidden, output=output, loss=loss, layout=layout)
    params = {k: v + 0.1 * rng.standard_normal(v.shape)
              for k, v in init_params(net, rng=seed).items()}
    cols = layout == "columns"
    X = rng.standard_normal((sizes[0], m) if cols else (m, sizes[0]))
    shape = (sizes[-1], m) if cols else (m, sizes[-1])
    if loss == "ce":
        Y = rng.integers(0, sizes[-1], m)
    elif loss == "bce":
        Y = rng.integers(0, 2, shape).astype(float)
    else:
        Y = rng.standard_normal(shape)
    return net, params, X, Y


@pytest.mark.parametrize(("layout", "hidden", "out"), CONFIGS)
def test_probe_losses_equal_numeric_forward_with_one_entry_moved(layout, hidden, out):
    net, params, X, Y = problem(layout, hidden, *out)
    cache = forward(net, params, X, Y)[1]
    structure, arrays = normalise_params(params)
    probe = NetworkProbe(net, structure, private_copies(arrays), X, Y, cache, chunk_size=3)
    for pi, key in enumerate(structure.keys):
        flat = params[key].ravel()
        idx = np.arange(flat.size)
        vals = np.stack([flat + 0.01, flat - 0.03])
        got = probe.entries(pi, idx, vals)
        for j, k in itertools.product(range(2), idx):
            moved = {kk: v.copy() for kk, v in params.items()}
            moved[key].reshape(-1)[k] = vals[j, k]
            assert abs(got[j, k] - forward(net, moved, X, Y)[0]) <= LOSS_ATOL, (key, j, k)


@pytest.mark.parametrize(("layout", "hidden", "out"), CONFIGS[::3])
def test_check_network_agrees_with_the_black_box_check(layout, hidden, out):
    net, params, X, Y = problem(layout, hidden, *out, sizes=(3, 6, 5, 2), m=9, seed=1)
    fast = check_network(net, params, X, Y, seed=0)
    slow = check_gradients(lambda p: forward(net, p, X, Y)[0], params,
                           lambda p: loss_and_grad(net, p, X, Y)[1], seed=0)
    assert fast.verdict == slow.verdict == "pass", str(fast)
    for a, b in zip(fast.params, slow.params, strict=True):
        assert a.name == b.name
        np.testing.assert_allclose(a.numeric, b.numeric, rtol=1e-7, atol=1e-10)


def test_check_network_finds_and_diagnoses_a_missing_one_over_m():
    net, params, X, Y = problem("columns", "tanh", "sigmoid", "bce", m=8)
    grads = loss_and_grad(net, params, X, Y)[1]
    wrong = {**grads, "W2": grads["W2"] * 8}
    result = check_network(net, params, X, Y, wrong, seed=0)
    assert result.verdict == "fail"
    assert [p.name for p in result.params if not p.passed] == ["W2"]
    assert result["W2"].diagnosis.kind == "factor"
    assert "m = 8" in result["W2"].diagnosis.message


def test_check_network_leaves_params_untouched_and_accepts_any_key_order():
    net, params, X, Y = problem("rows", "relu", "softmax", "ce")
    snap = {k: v.tobytes() for k, v in params.items()}
    shuffled = dict(reversed(list(params.items())))
    result = check_network(net, shuffled, X, Y, lambda p: loss_and_grad(net, p, X, Y)[1])
    assert result.verdict in ("pass", "inconclusive")
    assert [p.name for p in result.params] == list(net.param_shapes())
    assert {k: v.tobytes() for k, v in params.items()} == snap


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        pytest.param({"method": "nope"}, ValueError, "is not one of", id="method='nope'"),
        pytest.param({"rtol": -1.0}, ValueError, "rtol must", id="rtol=-1"),
        pytest.param({"chunk_size": 0}, ValueError, "chunk_size must", id="chunk_size=0"),
        pytest.param({"X": np.zeros((4, 7))}, ValueError, "X", id="X with 4 features"),
    ],
)
def test_check_network_argument_errors(kwargs, exc, match):
    net, params, X, Y = problem("columns", "tanh", "sigmoid", "bce")
    X = kwargs.pop("X", X)
    with pytest.raises(exc, match=match):
        check_network(net, params, X, Y, **kwargs)


@pytest.mark.parametrize("method", ["central", "forward", "richardson", "directional"])
def test_check_network_every_method(method):
    net, params, X, Y = problem("rows", "tanh", "softmax", "ce", seed=2)
    grads = loss_and_grad(net, params, X, Y)[1]
    good = check_network(net, params, X, Y, method=method, seed=0)
    bad = check_network(net, params, X, Y, {**grads, "b1": -grads["b1"]}, method=method, seed=0)
    assert good.verdict == "pass" and good.method == method, str(good)
    assert bad.verdict == "fail" and bad["b1"].diagnosis.kind == "sign flip"


def test_check_network_complex_falls_back_and_says_so():
    net, params, X, Y = problem("columns", "tanh", "sigmoid", "bce")
    result = check_network(net, params, X, Y, method="complex", seed=0)
    assert result.method == "central" and "complex step not usable" in result.method_note
