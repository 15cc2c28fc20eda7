"""numeric.objective: `Objective` against `loss_and_grad`, its data snapshot, errors, threads.

The gradients of `loss_and_grad` are checked against autograd and torch in test_mlp.py, on
both of its engines; here the Objective must give exactly its results (the same engine on
the same numbers), for networks drawn by Hypothesis on both sides of the engines' boundary.
"""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import MLP, Objective, forward, init_params, loss_and_grad

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax")  # softmax: mlp's engine
OUTPUTS = [("sigmoid", "bce"), ("softmax", "ce"), ("identity", "mse"), ("sigmoid", "mse"),
           ("tanh", "mse")]


@st.composite
def cases(draw):
    """A network, parameters, X and Y (labels for CE); sometimes above the small-batch bound."""
    depth = draw(st.integers(1, 3))
    sizes = tuple(draw(st.lists(st.integers(2, 8), min_size=depth + 1, max_size=depth + 1)))
    output, loss = draw(st.sampled_from(OUTPUTS))
    net = MLP(sizes, hidden=tuple(draw(st.lists(st.sampled_from(HIDDEN), min_size=depth - 1,
                                                max_size=depth - 1))),
              output=output, loss=loss, layout=draw(st.sampled_from(("columns", "rows"))),
              reduction=draw(st.sampled_from(("mean", "mean_all", "sum"))),
              half=loss == "mse" and draw(st.booleans()))
    m = draw(st.sampled_from((1, 7, 40, 5000)))  # 5000 x 8 >= 2**15: numeric.mlp's engine
    dtype = draw(st.sampled_from((np.float64, np.float32)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    params = {k: (v + 0.2 * rng.standard_normal(v.shape)).astype(dtype)
              for k, v in init_params(net, rng=rng, dtype=dtype).items()}
    X = rng.standard_normal((sizes[0], m) if net.layout == "columns" else (m, sizes[0]))
    if loss == "ce":
        Y = rng.integers(0, sizes[-1], m)
    else:
        Y = rng.uniform(0, 1, (sizes[-1], m))
        Y = Y if net.layout == "columns" else Y.T.copy()
    return net, params, X.astype(dtype), Y


def _assert_same(got, expected):
    loss, grads = got
    loss_ref, grads_ref = expected
    assert loss == loss_ref and loss.dtype == loss_ref.dtype
    assert list(grads) == list(grads_ref)
    for key, ref in grads_ref.items():
        assert grads[key].shape == ref.shape and grads[key].dtype == ref.dtype
        np.testing.assert_array_equal(grads[key], ref)


@settings(max_examples=60)
@given(cases(), st.sampled_from((0.0, 0.3)))
def test_objective_equals_loss_and_grad_to_the_last_bit(case, l2):
    net, params, X, Y = case
    objective = Objective(net, X, Y, l2=l2)
    expected = loss_and_grad(net, params, X, Y, l2=l2)
    _assert_same(objective(params), expected)
    _assert_same(objective(params), expected)  # again, on the buffers of the first call
    assert objective.loss(params) == pytest.approx(float(expected[0]), rel=1e-5)


def test_loss_alone_equals_forward():
    net = MLP((2, 4, 3), hidden="relu", output="softmax", loss="ce", layout="rows")
    params = init_params(net, rng=1)
    X = np.random.default_rng(1).standard_normal((30, 2))
    y = np.arange(30) % 3
    assert Objective(net, X, y).loss(params) == forward(net, params, X, y)[0]
    penalty = 0.25 * sum(float(np.sum(params[k] ** 2)) for k in ("W1", "W2"))
    assert Objective(net, X, y, l2=0.5).loss(params) == pytest.approx(
        float(forward(net, params, X, y)[0]) + penalty, rel=1e-12)


def _doc000():
    net = MLP((2, 4, 1), hidden="sigmoid", output="sigmoid", loss="bce")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 50))
    return net, init_params(net, rng=rng), X, (X[0:1] * X[1:2] > 0).astype(float)


def test_data_is_copied_and_params_are_never_written():
    net, params, X, Y = _doc000()
    objective = Objective(net, X, Y)
    expected = loss_and_grad(net, params, X, Y)
    X[:] = 0.0  # the caller reuses their arrays: the objective keeps its own copy
    Y[:] = 1.0
    before = {k: v.copy() for k, v in params.items()}
    _assert_same(objective(params), expected)
    for key, value in params.items():
        np.testing.assert_array_equal(value, before[key])


def test_one_objective_serves_both_dtypes():
    net, params, X, Y = _doc000()
    objective = Objective(net, X.astype(np.float32), Y)
    for dtype in (np.float32, np.float64, np.float32):
        p = {k: v.astype(dtype) for k, v in params.items()}
        loss, grads = objective(p)
        assert loss.dtype == dtype and all(g.dtype == dtype for g in grads.values())
        _assert_same((loss, grads), loss_and_grad(net, p, X.astype(np.float32), Y))


def test_threads_share_one_objective():
    net, params, X, Y = _doc000()
    objective = Objective(net, X, Y)
    rng = np.random.default_rng(5)
    points = [{k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
              for _ in range(6)]
    expected = [loss_and_grad(net, p, X, Y) for p in points]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(objective, points * 20))
    for got, ref in zip(results, expected * 20, strict=True):
        _assert_same(got, ref)


def test_pickles_with_its_data():
    net, params, X, Y = _doc000()
    objective = Objective(net, X, Y, l2=0.1)
    objective(params)  # buffers exist; they are not part of the pickle
    clone = pickle.loads(pickle.dumps(objective))
    _assert_same(clone(params), objective(params))
    assert repr(clone) == repr(objective) and "m=50" in repr(clone)


def test_bad_data_is_refused_at_construction():
    net, _, X, Y = _doc000()
    with pytest.raises(ValueError, match=r"X has shape \(3, 50\)"):
        Objective(net, np.ones((3, 50)), Y)
    with pytest.raises(ValueError, match=r"Y has shape \(1, 49\)"):
        Objective(net, X, Y[:, :49])
    nan_at_1_7 = np.where(np.arange(100).reshape(2, 50) == 57, np.nan, X)
    with pytest.raises(ValueError, match=r"X contains a non-finite value \(nan\) at index \(1, 7"):
        Objective(net, nan_at_1_7, Y)
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        Objective(net, X, 2 * Y)
    with pytest.raises(TypeError, match="X has dtype int64"):
        Objective(net, np.ones((2, 50), dtype=np.int64), Y)
    with pytest.raises(ValueError, match="l2 must be finite and >= 0"):
        Objective(net, X, Y, l2=-1.0)
    with pytest.raises(TypeError, match="net must be an MLP"):
        Objective("net", X, Y)


@pytest.mark.parametrize("m", [50, 20000])  # both engines
def test_bad_params_are_refused_at_each_call(m):
    net = MLP((2, 4, 1), hidden="sigmoid", output="sigmoid", loss="bce")
    params = init_params(net, rng=0)
    X = np.random.default_rng(0).standard_normal((2, m))
    objective = Objective(net, X, np.ones((1, m)))
    bad = dict(params, b1=params["b1"].copy())
    bad["b1"][2, 0] = np.inf
    with pytest.raises(ValueError, match=r"params\['b1'\] contains a non-finite value \(inf\) "
                                         r"at index \(2, 0\)"):
        objective(bad)
    with pytest.raises(ValueError, match=r"params\['W2'\] has shape \(4, 1\)"):
        objective(dict(params, W2=params["W2"].T))
    with pytest.raises(ValueError, match=r"missing \['b2'\]"):
        objective({k: v for k, v in params.items() if k != "b2"})
    huge = {k: v * 1e200 for k, v in params.items()}  # finite; only a sum of squares overflows
    assert np.isfinite(objective(huge)[0])
