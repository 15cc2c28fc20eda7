"""The probes of ``benchmarks.bench_backprop``: the products they time and that they run.

No test here measures time; the probes' figures are only checked to be positive.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from benchmarks.bench_backprop import (
    doc000_floor,
    doc000_problem,
    gemm_floor,
    mlp_flops,
    mlp_products,
    stacked_floor,
)


@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize("sizes", [(2, 4, 1), (64, 256, 256, 10), (3, 5, 7, 2, 4)])
def test_mlp_products_are_the_passes_products(sizes, layout):
    m = 6
    pairs = mlp_products(sizes, m, layout, np.float32, np.random.default_rng(0))
    flops = sum(2 * a.shape[0] * a.shape[1] * b.shape[1] for a, b in pairs)
    assert flops == mlp_flops(sizes, m)
    assert all(a.dtype == b.dtype == np.float32 for a, b in pairs)
    # forward, dW and (but for layer 1) dA per layer, with the layout's shapes
    expected = []
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        if layout == "columns":
            expected += [(n_out, m), (n_out, n_in)] + ([(n_in, m)] if layer > 1 else [])
        else:
            expected += [(m, n_out), (n_in, n_out)] + ([(m, n_in)] if layer > 1 else [])
    assert [(a @ b).shape for a, b in pairs] == expected


def test_stacked_floor_runs_the_steps_of_a_stacked_loss():
    pytest.importorskip("threadpoolctl")
    seconds = stacked_floor(np.float64, 1, K=2, m=5)
    assert math.isfinite(seconds) and seconds > 0


def test_gemm_floor_times_numpy_and_torch_on_the_same_products():
    pytest.importorskip("torch")
    pytest.importorskip("threadpoolctl")
    paired, count = gemm_floor((3, 4, 2), 5, "rows", np.float64, 1, quick=True)
    assert count == 5  # 2 L + (L - 1) for L = 2
    assert paired.ours_s > 0 and paired.peer_s > 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_doc000_floor_agrees_with_numeric_before_it_is_timed(dtype):
    pytest.importorskip("threadpoolctl")
    problem = doc000_problem(dtype, np.random.default_rng(3))
    seconds = doc000_floor(problem, 1)  # raises AssertionError if its pass disagrees
    assert math.isfinite(seconds) and seconds > 0


def test_doc000_floor_refuses_to_time_a_pass_that_disagrees(monkeypatch):
    import numeric

    problem = doc000_problem(np.float64, np.random.default_rng(3))
    right = numeric.loss_and_grad

    def off_by_a_little(*args, **kwargs):
        loss, grads = right(*args, **kwargs)
        return loss, dict(grads, W1=grads["W1"] * (1 + 1e-6))

    monkeypatch.setattr(numeric, "loss_and_grad", off_by_a_little)
    with pytest.raises(AssertionError, match="doc000_floor: grad W1 differs"):
        doc000_floor(problem, 1)
