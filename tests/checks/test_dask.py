"""A real Dask cluster (LocalCluster, 2 worker processes): the same verdicts as one process.

The functions below are pickled by value (cloudpickle), because the worker processes cannot
import a test module loaded by pytest's importlib mode.
"""

from __future__ import annotations

import sys

import cloudpickle
import numpy as np
import pytest
from distributed import Client, LocalCluster

from checks import Status, Verdict, check_gradients, check_vjp, locate_gradient_errors

cloudpickle.register_pickle_by_value(sys.modules[__name__])

X = np.linspace(-2.0, 2.0, 24).reshape(4, 6)


def loss(x):
    return float(np.sum(np.sin(x) * x))


def grad(x):
    return np.sin(x) + x * np.cos(x)


def grad_doubled(x):
    return 2.0 * grad(x)


def layer(x):
    return np.tanh(x) * 3.0


def layer_vjp(x, u):
    return 3.0 * u * (1.0 - np.tanh(x) ** 2)


def layer_vjp_wrong(x, u):
    return 3.0 * u * (1.0 - np.tanh(x))


XL = np.random.default_rng(0).normal(size=4096)
XA = np.random.default_rng(1).normal(size=60_000)  # above auto's full-check limit


CALLS = [0]  # calls of sines in this process (the workers count in their own copies)


def sines(x):
    CALLS[0] += 1
    return float(np.sum(np.sin(x)))


def cos_one_wrong(x):
    out = np.cos(x)
    out[1234] *= 1 + 1e-6
    return out


@pytest.fixture(scope="module")
def executor():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client.get_executor()


@pytest.mark.parametrize("g, verdict", [(grad, Verdict.PASS), (grad_doubled, Verdict.FAIL)],
                         ids=["right", "doubled"])
def test_check_gradients_on_a_cluster_matches_one_process(executor, g, verdict):
    remote = check_gradients(loss, X, g, seed=0, executor=executor, chunk_size=5)
    local = check_gradients(loss, X, g, seed=0)
    assert remote.verdict == local.verdict == verdict
    np.testing.assert_array_equal(remote.params[0].numeric, local.params[0].numeric)
    np.testing.assert_array_equal(remote.params[0].status, local.params[0].status)


@pytest.mark.parametrize("vjp, verdict", [(layer_vjp, Verdict.PASS),
                                          (layer_vjp_wrong, Verdict.FAIL)],
                         ids=["right", "wrong"])
def test_check_vjp_on_a_cluster_matches_one_process(executor, vjp, verdict):
    remote = check_vjp(layer, X, vjp, seed=0, executor=executor)
    local = check_vjp(layer, X, vjp, seed=0)
    assert remote.verdict == local.verdict == verdict
    np.testing.assert_array_equal(remote.params[0].numeric, local.params[0].numeric)


@pytest.mark.parametrize("g, verdict", [(np.cos, Verdict.PASS), (cos_one_wrong, Verdict.FAIL)],
                         ids=["right", "one wrong"])
def test_locate_on_a_cluster_matches_one_process(executor, g, verdict):
    CALLS[0] = 0
    remote = locate_gradient_errors(sines, XL, g, seed=0, executor=executor)
    assert CALLS[0] < remote.evaluations / 4  # the group tests ran on the workers
    local = locate_gradient_errors(sines, XL, g, seed=0)
    assert remote.verdict == local.verdict == verdict
    assert remote.evaluations == local.evaluations
    np.testing.assert_array_equal(remote.params[0].status, local.params[0].status)
    np.testing.assert_array_equal(remote.params[0].numeric, local.params[0].numeric)
    if verdict == Verdict.FAIL:
        assert np.flatnonzero(remote.params[0].status == Status.FAIL).tolist() == [1234]


def test_auto_above_the_limit_locates_on_a_cluster_as_in_one_process(executor):
    def wrong(x):
        out = np.cos(x)
        out[54_321] *= 1.01
        return out

    remote = check_gradients(sines, XA, wrong, seed=0, executor=executor)
    local = check_gradients(sines, XA, wrong, seed=0)
    assert remote.method == local.method == "group testing"
    np.testing.assert_array_equal(remote.params[0].status, local.params[0].status)
    assert np.flatnonzero(remote.params[0].status == Status.FAIL).tolist() == [54_321]
