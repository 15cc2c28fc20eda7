"""numeric.data: shapes, layouts, determinism and the CS231n spiral's construction."""

from __future__ import annotations

import numpy as np
import pytest

from numeric import regression, spiral, two_class


def test_spiral_matches_seed_002_shapes_and_starts_at_the_origin():
    X, y = spiral()
    assert X.shape == (300, 2) and y.shape == (300,)
    assert np.issubdtype(y.dtype, np.integer)
    np.testing.assert_array_equal(np.bincount(y), [100, 100, 100])
    # seed 002's CSV: row 0 is (0, 0) and row 1 has radius 1/99 (0.0101)
    np.testing.assert_array_equal(X[0], [0.0, 0.0])
    assert np.hypot(*X[1]) == pytest.approx(1 / 99, rel=1e-12)
    assert np.hypot(*X[99]) == pytest.approx(1.0, rel=1e-12)


def test_spiral_is_the_cs231n_generator():
    """r = linspace(0, 1, N); t = linspace(4k, 4(k + 1), N) + randn(N) * 0.2 with this rng."""
    N, K = 7, 3
    X, y = spiral(N, K, rng=5)
    gen = np.random.default_rng(5)
    for k in range(K):
        r = np.linspace(0.0, 1.0, N)
        t = np.linspace(k * 4, (k + 1) * 4, N) + gen.standard_normal(N) * 0.2
        np.testing.assert_allclose(X[k * N:(k + 1) * N], np.c_[r * np.sin(t), r * np.cos(t)],
                                   rtol=1e-15)
        assert (y[k * N:(k + 1) * N] == k).all()


@pytest.mark.parametrize("make", [spiral, two_class, regression])
def test_layouts_are_transposes_and_seeds_are_deterministic(make):
    Xr, Yr = make(rng=3, layout="rows")
    Xc, Yc = make(rng=3, layout="columns")
    np.testing.assert_array_equal(Xr, Xc.T)
    np.testing.assert_array_equal(Yr, Yc if Yr.ndim == 1 else Yc.T)
    Xr2, _ = make(rng=np.random.default_rng(3), layout="rows")
    np.testing.assert_array_equal(Xr, Xr2)
    assert not np.array_equal(Xr, make(rng=4, layout="rows")[0])


@pytest.mark.parametrize("make", [spiral, two_class, regression])
def test_dtype_follows_the_request(make):
    X, Y = make(rng=0, dtype=np.float32)
    assert X.dtype == np.float32
    if make is not spiral:
        assert Y.dtype == np.float32


def test_two_class_targets_are_shaped_for_a_one_output_network():
    X, Y = two_class(9, n_features=1, rng=0)
    assert X.shape == (1, 9) and Y.shape == (1, 9)
    assert set(np.unique(Y)) == {0.0, 1.0}
    # the classes are centred at -mu and +mu along the diagonal
    assert X[Y == 1].mean() > 0 > X[Y == 0].mean()


def test_regression_shapes_and_noise():
    X, Y = regression(40, n_features=3, n_outputs=2, noise=0.0, rng=1)
    assert X.shape == (3, 40) and Y.shape == (2, 40)
    assert np.all(np.abs(X) <= 1)
    X2, Y2 = regression(40, n_features=3, n_outputs=2, noise=0.5, rng=1)
    np.testing.assert_array_equal(X, X2)  # noise drawn after X: the inputs do not move
    assert 0.3 < np.std(Y2 - Y) < 0.7
