"""numeric.engine: the workspace's layouts, buffer reuse, and results that never alias buffers.

The engine's numbers are checked against autograd and torch in test_mlp.py (through
loss_and_grad); here the reference is numeric's readable pass (forward + backward, the same
activation and loss objects), and the subject is where the arrays live.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from numeric import MLP, Objective, backward, engine, forward, init_params, loss_and_grad
from numeric.mlp import plan_of

# float64, the same formulas in another arrangement (bias inside the GEMM, transposed views):
# a few roundings apart.
RTOL = 1e-12


def _case(layout, m, sizes=(3, 40, 5), output="softmax", loss="ce", seed=0):
    net = MLP(sizes, hidden="sigmoid", output=output, loss=loss, layout=layout)
    rng = np.random.default_rng(seed)
    params = init_params(net, rng=rng)
    X = rng.standard_normal((sizes[0], m) if layout == "columns" else (m, sizes[0]))
    return net, params, X, rng.integers(0, sizes[-1], m)


@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize("m, augmented", [(819, True), (820, False)])  # 40 m vs 2**15
def test_layout_is_chosen_by_size_and_both_equal_the_readable_pass(layout, m, augmented):
    net, params, X, y = _case(layout, m)
    assert engine.Workspace(plan_of(net), m, np.dtype(np.float64)).augmented is augmented
    loss, grads = loss_and_grad(net, params, X, y)
    ref_loss, cache = forward(net, params, X, y)
    ref = backward(net, params, cache)
    assert np.isclose(loss, ref_loss, rtol=RTOL, atol=0)
    for key, g in ref.items():
        assert grads[key].shape == g.shape and grads[key].dtype == g.dtype
        np.testing.assert_allclose(grads[key], g, rtol=0, atol=RTOL * np.abs(g).max())


def test_a_large_columns_pass_returns_c_ordered_columns_gradients():
    net, params, X, y = _case("columns", 2000)
    _, grads = loss_and_grad(net, params, X, y)
    assert grads["W1"].shape == (40, 3) and grads["W1"].flags.c_contiguous
    assert grads["b1"].shape == (40, 1)


def test_a_thread_reuses_its_workspace_and_threads_do_not_share_one():
    net, _, _, _ = _case("rows", 10)
    dtype = np.dtype(np.float64)
    ws = engine.thread_workspace(net, 10, dtype)
    assert engine.thread_workspace(net, 10, dtype) is ws
    assert engine.thread_workspace(MLP(**vars(net)), 10, dtype) is ws  # an equal spec
    assert engine.thread_workspace(net, 11, dtype) is not ws
    other = []
    t = threading.Thread(target=lambda: other.append(engine.thread_workspace(net, 10, dtype)))
    t.start()
    t.join()
    assert other[0] is not ws


@pytest.mark.parametrize("m", [10, 2000])
def test_results_never_alias_the_buffers(m):
    """A second call (same workspace) must not change the first call's results."""
    net, params, X, _y = _case("columns", m, output="sigmoid", loss="mse",
                              sizes=(3, 40, 2))
    Y = np.random.default_rng(1).random((2, m))
    _loss1, grads1 = loss_and_grad(net, params, X, Y)
    kept = {k: g.copy() for k, g in grads1.items()}
    other = {k: 2 * v for k, v in params.items()}
    loss_and_grad(net, other, 2 * X, Y)
    Objective(net, X, Y)(other)
    for key, g in kept.items():
        np.testing.assert_array_equal(grads1[key], g)


def test_the_stacked_loss_equals_one_loss_per_parameter_set():
    net, params, X, _y = _case("columns", 30, output="sigmoid", loss="bce", sizes=(3, 6, 1))
    Y = (X[:1] > 0).astype(float)
    sets = [params, {k: 0.5 * v for k, v in params.items()}]
    stacked = {k: np.stack([s[k] for s in sets]) for k in params}
    losses = engine.loss(net, stacked, X, Y)
    expected = [forward(net, s, X, Y)[0] for s in sets]
    np.testing.assert_allclose(losses, expected, rtol=RTOL)


@pytest.mark.parametrize("m", [10, 2000])
def test_the_kept_workspace_holds_no_reference_to_the_callers_arrays(m):
    import gc
    import weakref

    net, params, X, y = _case("columns", m)
    refs = [weakref.ref(X), *(weakref.ref(v) for v in params.values())]
    loss_and_grad(net, params, X, y)
    del X, params
    gc.collect()
    assert all(r() is None for r in refs)


@pytest.mark.parametrize("m", [10, 2000])
@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_an_objective_holds_no_reference_to_the_parameters_it_was_called_with(m, layout):
    import gc
    import weakref

    net, params, X, y = _case(layout, m)
    objective = Objective(net, X, y)
    objective(params)
    refs = [weakref.ref(v) for v in params.values()]
    del params
    gc.collect()
    assert all(r() is None for r in refs)
