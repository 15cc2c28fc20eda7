"""Small deterministic data sets for the seeds' networks.

Every generator takes ``rng`` (a Generator, a seed, or None), normalised once with
``np.random.default_rng``, and a ``layout``: samples are rows (m, n) for ``"rows"`` and columns
(n, m) for ``"columns"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric._types import LAYOUTS, FloatArray, IntArray, Layout
from numeric._validate import (
    FLOAT_DTYPES,
    check_choice,
    check_nonnegative_float,
    check_positive_int,
    check_rng,
)


def _arrange(X: FloatArray, layout: str, dtype: Any) -> FloatArray:
    """Rows-layout data (m, n) to ``layout`` and ``dtype``, as a new contiguous array."""
    dtype = np.dtype(dtype)
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dtype}.")
    out = X if layout == "rows" else X.T
    return np.ascontiguousarray(out, dtype=dtype)


def spiral(
    n_per_class: int = 100,
    n_classes: int = 3,
    *,
    noise: float = 0.2,
    rng: np.random.Generator | int | None = 0,
    layout: Layout = "rows",
    dtype: Any = np.float64,
) -> tuple[FloatArray, IntArray]:
    """The interleaved spiral of seed 002 (the CS231n generator).

    Class k has radii ``linspace(0, 1, n)`` and angles ``linspace(4k, 4(k + 1), n)`` plus
    Gaussian noise of standard deviation ``noise``; point = (r sin t, r cos t).

    Parameters
    ----------
    n_per_class : int
        Points per class (seed 002: 100).
    n_classes : int
        Number of classes (seed 002: 3).
    noise : float
        Standard deviation of the angle noise (0.2 in the CS231n generator).
    rng : numpy.random.Generator, int or None
    layout : {"rows", "columns"}
        "rows" (seed 002) gives X of shape (m, 2), "columns" (2, m).
    dtype : float32 or float64

    Returns
    -------
    X : ndarray, shape (m, 2) or (2, m), m = n_per_class * n_classes
    y : ndarray of int64, shape (m,)
        Labels 0 ... n_classes - 1, in blocks of n_per_class.

    Notes
    -----
    As in seed 002's CSV, the first point of each class is the origin (0, 0) (radius 0), so
    first-layer pre-activations of exactly b (0 with zero biases) occur: ReLU's kink is hit.

    Examples
    --------
    >>> X, y = spiral()
    >>> X.shape, y.shape, X[0].tolist(), int(y[-1])
    ((300, 2), (300,), [0.0, 0.0], 2)
    """
    n = check_positive_int(n_per_class, "n_per_class")
    k = check_positive_int(n_classes, "n_classes")
    noise = check_nonnegative_float(noise, "noise")
    check_choice(layout, LAYOUTS, "layout")
    gen = check_rng(rng)
    X = np.empty((n * k, 2))
    for j in range(k):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(j * 4.0, (j + 1) * 4.0, n) + gen.standard_normal(n) * noise
        X[j * n : (j + 1) * n] = np.column_stack([r * np.sin(t), r * np.cos(t)])
    y = np.repeat(np.arange(k, dtype=np.int64), n)
    return _arrange(X, layout, dtype), y


def two_class(
    n_samples: int = 200,
    *,
    n_features: int = 2,
    separation: float = 3.0,
    rng: np.random.Generator | int | None = 0,
    layout: Layout = "columns",
    dtype: Any = np.float64,
) -> tuple[FloatArray, FloatArray]:
    """Two Gaussian clusters for the sigmoid/BCE networks (seeds 000 and 003).

    Class 0 is drawn from N(-mu, I), class 1 from N(+mu, I), with ``|2 mu| = separation`` along
    the diagonal; labels alternate 0, 1, 0, 1, ...

    Parameters
    ----------
    n_samples : int
    n_features : int
        Seed 000's network has one input feature: ``n_features=1``.
    separation : float
        Distance between the class means, in standard deviations (overlap for small values).
    rng : numpy.random.Generator, int or None
    layout : {"columns", "rows"}
    dtype : float32 or float64

    Returns
    -------
    X : ndarray, shape (n_features, m) for "columns", (m, n_features) for "rows"
    Y : ndarray, shape (1, m) for "columns", (m, 1) for "rows"
        0.0 / 1.0 targets, shaped like a one-output network's output.

    Examples
    --------
    >>> X, Y = two_class(10, n_features=1)
    >>> X.shape, Y.shape, Y[0, :4].tolist()
    ((1, 10), (1, 10), [0.0, 1.0, 0.0, 1.0])
    """
    m = check_positive_int(n_samples, "n_samples")
    d = check_positive_int(n_features, "n_features")
    separation = check_nonnegative_float(separation, "separation")
    check_choice(layout, LAYOUTS, "layout")
    gen = check_rng(rng)
    y = (np.arange(m) % 2).astype(np.float64)
    mu = separation / 2 / np.sqrt(d)
    X = gen.standard_normal((m, d)) + np.where(y[:, None] == 1, mu, -mu)
    return _arrange(X, layout, dtype), _arrange(y[:, None], layout, dtype)


def regression(
    n_samples: int = 200,
    *,
    n_features: int = 3,
    n_outputs: int = 1,
    noise: float = 0.1,
    rng: np.random.Generator | int | None = 0,
    layout: Layout = "columns",
    dtype: Any = np.float64,
) -> tuple[FloatArray, FloatArray]:
    """A smooth nonlinear regression set for the MSE network of seed 003.

    X is uniform on [-1, 1]^n_features; output j is ``sin(3 X u_j) + (X v_j)^2 / 2`` plus
    Gaussian noise, with directions u_j, v_j drawn once from ``rng``.

    Parameters
    ----------
    n_samples, n_features, n_outputs : int
    noise : float
        Standard deviation of the additive noise.
    rng : numpy.random.Generator, int or None
    layout : {"columns", "rows"}
    dtype : float32 or float64

    Returns
    -------
    X : ndarray, shape (n_features, m) for "columns", (m, n_features) for "rows"
    Y : ndarray, shape (n_outputs, m) for "columns", (m, n_outputs) for "rows"

    Examples
    --------
    >>> X, Y = regression(50, n_features=3, n_outputs=2, layout="rows")
    >>> X.shape, Y.shape
    ((50, 3), (50, 2))
    """
    m = check_positive_int(n_samples, "n_samples")
    d = check_positive_int(n_features, "n_features")
    k = check_positive_int(n_outputs, "n_outputs")
    noise = check_nonnegative_float(noise, "noise")
    check_choice(layout, LAYOUTS, "layout")
    gen = check_rng(rng)
    U = gen.standard_normal((d, k)) / np.sqrt(d)
    V = gen.standard_normal((d, k)) / np.sqrt(d)
    X = gen.uniform(-1.0, 1.0, (m, d))
    Y = np.sin(3.0 * X @ U) + 0.5 * (X @ V) ** 2 + noise * gen.standard_normal((m, k))
    return _arrange(X, layout, dtype), _arrange(Y, layout, dtype)
