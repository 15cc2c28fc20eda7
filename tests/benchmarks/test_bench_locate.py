"""``benchmarks.bench_locate``: the benchmark's hand-written gradient is right (else it measures
nothing), and the wrong entry it plants is found."""

from __future__ import annotations

import numpy as np

from benchmarks.bench_locate import make_problem
from checks import Status, check_gradients
from checks.locate import locate_gradient_errors


def test_benchmark_gradient_is_right_and_a_planted_error_is_located():
    params, f, grad = make_problem((6, 5, 4, 1))
    assert check_gradients(f, params, grad).passed
    g = grad(params)
    g["W2"][3, 1] *= 1.001
    r = locate_gradient_errors(f, params, g)
    assert np.argwhere(r["W2"].status == Status.FAIL).tolist() == [[3, 1]]
    assert all(r[n].passed for n in params if n != "W2")
