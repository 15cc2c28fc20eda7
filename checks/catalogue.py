"""The project's bug catalogue: hand-written backprop, wrong and right, for the gradient checker.

Each case is a small NumPy program written the way a student writes one from the seed
documents: a loss ``f(params)`` and a gradient ``grad(params)`` for fixed data. Wrong cases carry
one realistic bug each (missing 1/m, a wrong axis, a transpose that fits a square layer, sigma'
at A instead of Z, a ReLU mask from the wrong layer, a 1/2 convention that differs between loss
and gradient, a single entry off by 1e-6, ...). Correct cases are right but tricky for a checker
(a loss scaled by 1e-8, exact zeros, 1000 logits, float32 throughout, a ReLU exactly at its kink,
zero-size parameters, ...).

Nothing here imports `numeric`: the formulas are written out by hand, so a bug shared by
`numeric` and the checker cannot hide. `run_catalogue` checks every case and `format_table`
prints the verdicts and diagnoses.

Layouts as in the seeds: ``"columns"`` (seeds 000, 001, 003): X (n_0, m), W (n_out, n_in),
b (n_out, 1), Z = W X + b. ``"rows"`` (seed 002): X (m, n_0), W (n_in, n_out), b (1, n_out),
Z = X W + b. Means are over the m samples unless a case says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Problem = tuple[Callable[[Any], Any], Any, Callable[[Any], Any]]


@dataclass(frozen=True)
class Case:
    """One catalogue entry.

    Attributes
    ----------
    name : str
    correct : bool
        True when ``grad`` is the true gradient of ``f``.
    layout : str
        "columns", "rows" or "-" (no network layout).
    what : str
        The bug in one line, or why the correct case is tricky.
    make : callable
        ``make() -> (f, params, grad)``, deterministic.
    kink : bool
        A correct case evaluated at a kink: "inconclusive" is the right verdict there.
    unresolved : bool
        A correct case whose ``f`` does not change at all when the parameters move, with no
        gradient scale to judge against: "inconclusive" is the honest verdict (a true
        gradient below the error bar would look the same).
    diagnosis : str
        For wrong cases whose bug has a name, the ``kind`` of `checks` diagnosis that names it
        (``"factor"``, ``"sign flip"``, ``"transpose"``, ``"wrong shape"``, ``"zeroed"``,
        ``"single sample"``, ``"reshape"``, ``"few entries"``), for at least one parameter;
        "" otherwise.
    """

    name: str
    correct: bool
    layout: str
    what: str
    make: Callable[[], Problem]
    kink: bool = False
    diagnosis: str = ""
    unresolved: bool = False

    @property
    def inconclusive(self) -> bool:
        """A correct case whose right verdict is "inconclusive" (a kink, or unresolved)."""
        return self.kink or self.unresolved


def _case(correct: bool, layout: str, what: str, *, kink: bool = False, diagnosis: str = "",
          unresolved: bool = False):
    def wrap(make: Callable[[], Problem]) -> Case:
        return Case(make.__name__, correct, layout, what, make, kink, diagnosis, unresolved)

    return wrap


def wrong(layout: str, what: str, *, diagnosis: str = ""):
    """Register a wrong case (decorator on its ``make`` function)."""
    return _case(False, layout, what, diagnosis=diagnosis)


def right(layout: str, what: str, *, kink: bool = False, unresolved: bool = False):
    """Register a correct case (decorator on its ``make`` function)."""
    return _case(True, layout, what, kink=kink, unresolved=unresolved)


# ---------------------------------------------------------------------------------------------
# Shared forward pieces (what a student keeps in a notebook cell above the backward pass)
# ---------------------------------------------------------------------------------------------


def sigmoid(z):
    # stable both ways: exp of a non-positive number only
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))  # shift by the row max
    return e / e.sum(axis=1, keepdims=True)


def log_softmax_rows(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def bce_from_logits(Z, Y):
    """Mean over samples (columns) of -[y log s(z) + (1-y) log(1-s(z))], for any Z."""
    m = Z.shape[1]
    return float(np.sum(np.logaddexp(0, Z) - Y * Z) / m)


def cols_data(n0, m, n_out=1, *, seed, kind="binary", dtype=np.float64):
    """X (n0, m) and Y (n_out, m): binary targets, or real targets in [-1, 1]."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n0, m))
    Y = rng.integers(0, 2, (n_out, m)) if kind == "binary" else rng.uniform(-1, 1, (n_out, m))
    return X.astype(dtype), Y.astype(dtype)


def cols_params(sizes, *, seed, dtype=np.float64, scale=0.8):
    """W_l (n_l, n_{l-1}), b_l (n_l, 1), random (biases too, so no gradient is trivially 0)."""
    rng = np.random.default_rng(seed)
    p = {}
    for l in range(1, len(sizes)):  # noqa: E741
        p[f"W{l}"] = (scale * rng.standard_normal((sizes[l], sizes[l - 1]))).astype(dtype)
        p[f"b{l}"] = (0.3 * rng.standard_normal((sizes[l], 1))).astype(dtype)
    return p


def rows_data(m, d, n_classes, *, seed, dtype=np.float64):
    """X (m, d) and integer labels y (m,) with every class present when m allows."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d)).astype(dtype)
    y = np.arange(m) % n_classes
    rng.shuffle(y)
    return X, y


def rows_params(sizes, *, seed, dtype=np.float64, scale=0.8):
    """W_l (n_{l-1}, n_l), b_l (1, n_l)."""
    rng = np.random.default_rng(seed)
    p = {}
    for l in range(1, len(sizes)):  # noqa: E741
        p[f"W{l}"] = (scale * rng.standard_normal((sizes[l - 1], sizes[l]))).astype(dtype)
        p[f"b{l}"] = (0.3 * rng.standard_normal((1, sizes[l]))).astype(dtype)
    return p


def net000_forward(p, X, act=np.tanh):
    """Seed 000 (columns): Z1 = W1 X + b1, A1 = act(Z1), Z2 = W2 A1 + b2, A2 = sigmoid(Z2)."""
    Z1 = p["W1"] @ X + p["b1"]
    A1 = act(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    return Z1, A1, Z2, sigmoid(Z2)


def net002_forward(p, X, act=np.tanh):
    """Seed 002 (rows): z1 = X W1 + b1, a1 = act(z1), z2 = a1 W2 + b2 (logits)."""
    z1 = X @ p["W1"] + p["b1"]
    a1 = act(z1)
    return z1, a1, a1 @ p["W2"] + p["b2"]


def ce_rows(z2, y):
    """Mean over the m samples of -log softmax(z2)[i, y_i] (stable log-sum-exp)."""
    m = z2.shape[0]
    return float(-np.sum(log_softmax_rows(z2)[np.arange(m), y]) / m)


def onehot_rows(y, n):
    out = np.zeros((y.size, n))
    out[np.arange(y.size), y] = 1
    return out


def cols_grads(X, dZ1, A1, dZ2):
    """Columns layout: dW_l = dZ_l A_{l-1}^T, db_l = row sums of dZ_l (two layers)."""
    return {"W1": dZ1 @ X.T, "b1": dZ1.sum(axis=1, keepdims=True),
            "W2": dZ2 @ A1.T, "b2": dZ2.sum(axis=1, keepdims=True)}


def rows_grads(X, dz1, a1, dz2):
    """Rows layout: dW_l = a_{l-1}^T dz_l, db_l = column sums of dz_l (two layers)."""
    return {"W1": X.T @ dz1, "b1": dz1.sum(axis=0, keepdims=True),
            "W2": a1.T @ dz2, "b2": dz2.sum(axis=0, keepdims=True)}


def relu(z):
    return np.maximum(z, 0)


def net000(*, act=np.tanh, n0=3, h=5, m=7, seed=0):
    """Data, parameters and loss of a seed-000 style network with BCE (mean over samples)."""
    X, Y = cols_data(n0, m, seed=seed)
    p = cols_params((n0, h, 1), seed=seed + 1)

    def f(q):
        return bce_from_logits(net000_forward(q, X, act)[2], Y)

    return X, Y, p, f


def net002(*, act=np.tanh, d=3, h=5, n=4, m=8, seed=0):
    """Data, parameters and loss of a seed-002 style network (rows, softmax + CE, mean)."""
    X, y = rows_data(m, d, n, seed=seed)
    p = rows_params((d, h, n), seed=seed + 1)

    def f(q):
        return ce_rows(net002_forward(q, X, act)[2], y)

    return X, y, p, f


def net001(*, seed=31):
    """Seed 001 (columns): sigmoid hidden and output, J = 1/(N M) sum 1/2 (y - yhat)^2."""
    X, Y = cols_data(2, 6, 3, seed=seed, kind="real")
    p = cols_params((2, 4, 3), seed=seed + 1)

    def forward(q):
        A1 = sigmoid(q["W1"] @ X + q["b1"])
        return A1, sigmoid(q["W2"] @ A1 + q["b2"])

    def f(q):
        N, M = X.shape[1], Y.shape[0]
        return float(np.sum(0.5 * (Y - forward(q)[1]) ** 2) / (N * M))

    return X, Y, p, forward, f


def two_arrays():
    """A list-of-arrays problem: f([u, v]) = sum(sin(u) v) + sum(u^2) at a fixed [u, v].

    Its gradient is [cos(u) v + 2u, sin(u)].
    """
    rng = np.random.default_rng(81)

    def f(ps):
        u, v = ps
        return float(np.sum(np.sin(u) * v) + np.sum(u**2))

    return f, [rng.standard_normal(4), rng.standard_normal(4)]


# ---------------------------------------------------------------------------------------------
# Correct reference backward passes (the right versions the wrong cases deviate from)
# ---------------------------------------------------------------------------------------------


def grad000(p, X, Y, act_prime=lambda A1: 1 - A1**2, act=np.tanh):
    """Seed 000, correct: dZ2 = (A2 - Y)/m, dW2 = dZ2 A1^T, ..., act' written in terms of A1."""
    m = X.shape[1]
    _Z1, A1, _Z2, A2 = net000_forward(p, X, act)
    dZ2 = (A2 - Y) / m
    dZ1 = (p["W2"].T @ dZ2) * act_prime(A1)
    return cols_grads(X, dZ1, A1, dZ2)


def grad002(p, X, y, act_prime=lambda a1: 1 - a1**2, act=np.tanh):
    """Seed 002, correct: dz2 = (probs - onehot)/m, dW2 = a1^T dz2, da1 = dz2 W2^T, ..."""
    m = X.shape[0]
    _z1, a1, z2 = net002_forward(p, X, act)
    dz2 = (softmax_rows(z2) - onehot_rows(y, z2.shape[1])) / m
    dz1 = (dz2 @ p["W2"].T) * act_prime(a1)
    return rows_grads(X, dz1, a1, dz2)


# =============================================================================================
# WRONG cases
# =============================================================================================


@wrong("columns", "sigmoid+BCE: dZ2 = A2 - Y without the 1/m of the mean loss",
       diagnosis="factor")
def missing_1_over_m_columns():
    X, Y, p, f = net000(act=sigmoid)

    def grad(q):
        _Z1, A1, _Z2, A2 = net000_forward(q, X, sigmoid)
        dZ2 = A2 - Y  # the seed's line, but this loss is a mean
        dZ1 = (q["W2"].T @ dZ2) * A1 * (1 - A1)
        return cols_grads(X, dZ1, A1, dZ2)

    return f, p, grad


@wrong("rows", "softmax+CE: dW and db summed over the batch, never divided by m",
       diagnosis="factor")
def missing_1_over_m_rows():
    X, y, p, f = net002(act=relu)

    def grad(q):
        z1, a1, z2 = net002_forward(q, X, relu)
        dz2 = softmax_rows(z2)
        dz2[np.arange(len(y)), y] -= 1  # seed 002, In [12]; the /m of In [13] forgotten
        dz1 = (dz2 @ q["W2"].T) * (z1 > 0)
        return rows_grads(X, dz1, a1, dz2)

    return f, p, grad


@wrong("rows", "db1 alone misses the 1/m (dW1 has it)", diagnosis="factor")
def missing_1_over_m_db_only():
    X, y, p, f = net002()

    def grad(q):
        g = grad002(q, X, y)
        g["b1"] = g["b1"] * X.shape[0]  # db1 = np.sum(dz1_unscaled, axis=0, keepdims=True)
        return g

    return f, p, grad


@wrong("rows", "db2 summed over the class axis (axis=1): shape (m, 1) instead of (1, n)",
       diagnosis="wrong shape")
def wrong_axis_db_shape():
    X, y, p, f = net002()

    def grad(q):
        g = grad002(q, X, y)
        z2 = net002_forward(q, X)[2]
        dz2 = (softmax_rows(z2) - onehot_rows(y, z2.shape[1])) / X.shape[0]
        g["b2"] = np.sum(dz2, axis=1, keepdims=True)
        return g

    return f, p, grad


@wrong("columns", "db1 summed over the unit axis and reshaped to b1's shape; fits as m = n_1")
def wrong_axis_db_reshaped_square():
    X, Y, p, f = net000(h=6, m=6)

    def grad(q):
        g = grad000(q, X, Y)
        _Z1, A1, _Z2, A2 = net000_forward(q, X)
        dZ1 = (q["W2"].T @ ((A2 - Y) / X.shape[1])) * (1 - A1**2)
        g["b1"] = np.sum(dZ1, axis=0).reshape(q["b1"].shape)  # axis=0: over units, not samples
        return g

    return f, p, grad


@wrong("columns", "dW1 = X dZ1^T (transposed); fits because W1 is square (n_0 = n_1 = 4)",
       diagnosis="transpose")
def transposed_dW_square_columns():
    X, Y, p, f = net000(n0=4, h=4)

    def grad(q):
        g = grad000(q, X, Y)
        _Z1, A1, _Z2, A2 = net000_forward(q, X)
        dZ1 = (q["W2"].T @ ((A2 - Y) / X.shape[1])) * (1 - A1**2)
        g["W1"] = X @ dZ1.T
        return g

    return f, p, grad


@wrong("rows", "dW2 = dz2^T a1 (columns formula in a rows network); fits as h = n = 4",
       diagnosis="transpose")
def transposed_dW_square_rows():
    X, y, p, f = net002(h=4, n=4)

    def grad(q):
        g = grad002(q, X, y)
        _z1, a1, z2 = net002_forward(q, X)
        dz2 = (softmax_rows(z2) - onehot_rows(y, 4)) / X.shape[0]
        g["W2"] = dz2.T @ a1
        return g

    return f, p, grad


@wrong("columns", "dA1 = W2 dZ2 instead of W2^T dZ2; runs because W2 is square (3-layer net)")
def missing_transpose_in_backprop_square():
    X, Y = cols_data(3, 6, seed=5)
    p = cols_params((3, 4, 4, 1), seed=6)

    def forward(q):
        Z1 = q["W1"] @ X + q["b1"]
        A1 = np.tanh(Z1)
        Z2 = q["W2"] @ A1 + q["b2"]
        A2 = np.tanh(Z2)
        Z3 = q["W3"] @ A2 + q["b3"]
        return A1, A2, Z3

    def f(q):
        return bce_from_logits(forward(q)[2], Y)

    def grad(q):
        A1, A2, Z3 = forward(q)
        dZ3 = (sigmoid(Z3) - Y) / X.shape[1]
        dZ2 = (q["W3"].T @ dZ3) * (1 - A2**2)
        dZ1 = (q["W2"] @ dZ2) * (1 - A1**2)  # W2.T forgotten
        return {"W1": dZ1 @ X.T, "b1": dZ1.sum(1, keepdims=True),
                "W2": dZ2 @ A1.T, "b2": dZ2.sum(1, keepdims=True),
                "W3": dZ3 @ A2.T, "b3": dZ3.sum(1, keepdims=True)}

    return f, p, grad


@wrong("columns", "tanh' evaluated at A1 instead of Z1: 1 - tanh(A1)^2")
def tanh_prime_at_A():
    X, Y, p, f = net000()

    def grad(q):
        return grad000(q, X, Y, act_prime=lambda A1: 1 - np.tanh(A1) ** 2)

    return f, p, grad


@wrong("columns", "sigmoid' written with Z1 where A1 belongs: Z1 (1 - Z1)")
def sigmoid_prime_at_Z():
    X, Y, p, f = net000(act=sigmoid)

    def grad(q):
        m = X.shape[1]
        Z1, A1, _Z2, A2 = net000_forward(q, X, sigmoid)
        dZ2 = (A2 - Y) / m
        dZ1 = (q["W2"].T @ dZ2) * Z1 * (1 - Z1)
        return cols_grads(X, dZ1, A1, dZ2)

    return f, p, grad


@wrong("columns", "tanh' as 1 - A instead of 1 - A^2")
def tanh_prime_not_squared():
    X, Y, p, f = net000()

    def grad(q):
        return grad000(q, X, Y, act_prime=lambda A1: 1 - A1)

    return f, p, grad


@wrong("columns", "ReLU mask of layer 1 taken from Z2 (layers 1 and 2 both have 5 units)")
def relu_mask_from_wrong_layer():
    X, Y = cols_data(3, 8, seed=11)
    p = cols_params((3, 5, 5, 1), seed=12)

    def forward(q):
        Z1 = q["W1"] @ X + q["b1"]
        A1 = relu(Z1)
        Z2 = q["W2"] @ A1 + q["b2"]
        A2 = relu(Z2)
        Z3 = q["W3"] @ A2 + q["b3"]
        return Z1, A1, Z2, A2, Z3

    def f(q):
        return bce_from_logits(forward(q)[4], Y)

    def grad(q):
        _Z1, A1, Z2, A2, Z3 = forward(q)
        dZ3 = (sigmoid(Z3) - Y) / X.shape[1]
        dZ2 = (q["W3"].T @ dZ3) * (Z2 > 0)
        dZ1 = (q["W2"].T @ dZ2) * (Z2 > 0)  # copy-pasted from the line above
        return {"W1": dZ1 @ X.T, "b1": dZ1.sum(1, keepdims=True),
                "W2": dZ2 @ A1.T, "b2": dZ2.sum(1, keepdims=True),
                "W3": dZ3 @ A2.T, "b3": dZ3.sum(1, keepdims=True)}

    return f, p, grad


@wrong("rows", "ReLU derivative taken as the ReLU itself: dz1 = da1 * relu(z1)")
def relu_prime_as_relu():
    X, y, p, f = net002(act=relu)

    def grad(q):
        return grad002(q, X, y, act=relu, act_prime=relu)

    return f, p, grad


@wrong("columns", "loss mean((A - Y)^2) without 1/2, gradient (A - Y)/m as if it had it",
       diagnosis="factor")
def mse_half_in_gradient_only():
    X, Y = cols_data(2, 9, 2, seed=21, kind="real")
    p = cols_params((2, 4, 2), seed=22)

    def forward(q):
        A1 = sigmoid(q["W1"] @ X + q["b1"])
        return A1, q["W2"] @ A1 + q["b2"]  # identity output

    def f(q):
        return float(np.sum((forward(q)[1] - Y) ** 2) / X.shape[1])

    def grad(q):
        A1, A2 = forward(q)
        dZ2 = (A2 - Y) / X.shape[1]  # d/dA of 1/2 (A - Y)^2 -- but f has no 1/2
        dZ1 = (q["W2"].T @ dZ2) * A1 * (1 - A1)
        return cols_grads(X, dZ1, A1, dZ2)

    return f, p, grad


@wrong("rows", "loss 1/(2m) sum (yhat - y)^2, gradient 2 (yhat - y)/m", diagnosis="factor")
def mse_half_in_loss_only():
    rng = np.random.default_rng(23)
    X, Y = rng.standard_normal((10, 3)), rng.standard_normal((10, 1))
    p = {"W": rng.standard_normal((3, 1)), "b": rng.standard_normal((1, 1))}

    def f(q):
        return float(np.sum((X @ q["W"] + q["b"] - Y) ** 2) / (2 * len(X)))

    def grad(q):
        r = X @ q["W"] + q["b"] - Y
        return {"W": 2 * X.T @ r / len(X), "b": 2 * r.sum(axis=0, keepdims=True) / len(X)}

    return f, p, grad


@wrong("columns", "seed 001: loss divided by N*M (samples x outputs), gradient by N only",
       diagnosis="factor")
def mse_mean_all_vs_mean():
    X, Y, p, forward, f = net001()

    def grad(q):
        A1, A2 = forward(q)
        dZ2 = (A2 - Y) * A2 * (1 - A2) / X.shape[1]  # 1/N, the M forgotten
        dZ1 = (q["W2"].T @ dZ2) * A1 * (1 - A1)
        return cols_grads(X, dZ1, A1, dZ2)

    return f, p, grad


@wrong("rows", "loss summed over samples (no 1/m) but gradient divided by m", diagnosis="factor")
def sum_loss_mean_gradient():
    X, y, p, f_mean = net002()

    def f(q):
        return f_mean(q) * len(y)

    def grad(q):
        return grad002(q, X, y)

    return f, p, grad


@wrong("rows", "dz2 = onehot - probs: every gradient has the wrong sign", diagnosis="sign flip")
def ce_sign_flip():
    X, y, p, f = net002()

    def grad(q):
        return {k: -v for k, v in grad002(q, X, y).items()}

    return f, p, grad


@wrong("columns", "BCE dL/dA with one term's sign slipped: -Y/A - (1-Y)/(1-A)")
def bce_dA_term_sign():
    X, Y, p, f = net000()

    def grad(q):
        m = X.shape[1]
        _Z1, A1, _Z2, A2 = net000_forward(q, X)
        dA2 = (-Y / A2 - (1 - Y) / (1 - A2)) / m
        dZ2 = dA2 * A2 * (1 - A2)
        dZ1 = (q["W2"].T @ dZ2) * (1 - A1**2)
        return cols_grads(X, dZ1, A1, dZ2)

    return f, p, grad


@wrong("columns", "sigmoid' applied twice: dZ2 = (A2 - Y) * A2 (1 - A2) on a fused BCE")
def fused_bce_extra_sigmoid_prime():
    X, Y, p, f = net000()

    def grad(q):
        m = X.shape[1]
        _Z1, A1, _Z2, A2 = net000_forward(q, X)
        dZ2 = (A2 - Y) * A2 * (1 - A2) / m
        dZ1 = (q["W2"].T @ dZ2) * (1 - A1**2)
        return cols_grads(X, dZ1, A1, dZ2)

    return f, p, grad


@wrong("rows", "softmax Jacobian taken as its diagonal s (1 - s) under an MSE loss")
def softmax_diagonal_jacobian():
    rng = np.random.default_rng(41)
    X, T = rng.standard_normal((7, 3)), rng.dirichlet(np.ones(4), size=7)
    p = rows_params((3, 4), seed=42)

    def f(q):
        s = softmax_rows(X @ q["W1"] + q["b1"])
        return float(np.sum((s - T) ** 2) / len(X))

    def grad(q):
        s = softmax_rows(X @ q["W1"] + q["b1"])
        dz = 2 * (s - T) / len(X) * s * (1 - s)  # elementwise, as if softmax were sigmoid
        return {"W1": X.T @ dz, "b1": dz.sum(axis=0, keepdims=True)}

    return f, p, grad


@wrong("rows", "CE gradient w.r.t. the probabilities (-onehot/p) used as dz2")
def ce_gradient_wrt_probs():
    X, y, p, f = net002()

    def grad(q):
        m = X.shape[0]
        _z1, a1, z2 = net002_forward(q, X)
        probs = softmax_rows(z2)
        dz2 = -onehot_rows(y, probs.shape[1]) / probs / m
        dz1 = (dz2 @ q["W2"].T) * (1 - a1**2)
        return rows_grads(X, dz1, a1, dz2)

    return f, p, grad


@wrong("rows", "softmax for the gradient normalised over the batch axis (a columns helper)")
def softmax_wrong_axis_in_gradient():
    X, y, p, f = net002(m=6, n=3)

    def softmax_cols(z):
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    def grad(q):
        m = X.shape[0]
        _z1, a1, z2 = net002_forward(q, X)
        dz2 = (softmax_cols(z2) - onehot_rows(y, 3)) / m
        dz1 = (dz2 @ q["W2"].T) * (1 - a1**2)
        return rows_grads(X, dz1, a1, dz2)

    return f, p, grad


@wrong("rows", "softmax regression, per-sample loop writes dW = ... instead of dW += ...: "
       "only the last sample counts", diagnosis="single sample")
def only_last_sample_counted():
    X, y = rows_data(6, 3, 4, seed=51)
    p = rows_params((3, 4), seed=52)

    def f(q):
        return ce_rows(X @ q["W1"] + q["b1"], y)

    def grad(q):
        dW, db = np.zeros_like(q["W1"]), np.zeros_like(q["b1"])
        for i in range(len(X)):
            x_i = X[i : i + 1]  # (1, d)
            dz = softmax_rows(x_i @ q["W1"] + q["b1"]) - onehot_rows(y[i : i + 1], 4)
            dW = x_i.T @ dz / len(X)  # should be dW += ...
            db = db + dz / len(X)
        return {"W1": dW, "b1": db}

    return f, p, grad


@wrong("columns", "dW1 built as (n_in, n_out) and fixed with reshape instead of .T",
       diagnosis="reshape")
def reshape_instead_of_transpose():
    X, Y, p, f = net000(n0=3, h=5)

    def grad(q):
        g = grad000(q, X, Y)
        g["W1"] = g["W1"].T.copy().reshape(q["W1"].shape)
        return g

    return f, p, grad


@wrong("columns", "db2 never computed: left at np.zeros_like(b2)", diagnosis="zeroed")
def db_left_at_zero():
    X, Y, p, f = net000()

    def grad(q):
        g = grad000(q, X, Y)
        g["b2"] = np.zeros_like(q["b2"])
        return g

    return f, p, grad


@wrong("columns", "one entry of dW1 off by a relative 1e-6 (float64, smooth network)",
       diagnosis="few entries")
def single_entry_off_1e_6():
    X, Y, p, f = net000()

    def grad(q):
        g = grad000(q, X, Y)
        g["W1"][2, 1] *= 1 + 1e-6
        return g

    return f, p, grad


@wrong("columns", "L2 term lambda/(2m) sum W^2 in the loss, lambda W (no /m) in the gradient")
def l2_missing_over_m():
    X, Y, p, f0 = net000()
    lam, m = 0.7, X.shape[1]

    def f(q):
        return f0(q) + lam / (2 * m) * float(np.sum(q["W1"] ** 2) + np.sum(q["W2"] ** 2))

    def grad(q):
        g = grad000(q, X, Y)
        g["W1"] = g["W1"] + lam * q["W1"]
        g["W2"] = g["W2"] + lam * q["W2"]
        return g

    return f, p, grad


@wrong("rows", "L2 gradient added to the biases too, but the loss penalises weights only")
def l2_on_biases_in_gradient_only():
    X, y, p, f0 = net002()
    lam = 0.3

    def f(q):
        return f0(q) + lam / 2 * float(np.sum(q["W1"] ** 2) + np.sum(q["W2"] ** 2))

    def grad(q):
        return {k: v + lam * q[k] for k, v in grad002(q, X, y).items()}

    return f, p, grad


@wrong("columns", "leaky ReLU derivative with the two slopes swapped")
def leaky_relu_slopes_swapped():
    a = 0.1

    def leaky(z):
        return np.where(z > 0, z, a * z)

    X, Y, p, f = net000(act=leaky, seed=3)

    def grad(q):
        Z1 = q["W1"] @ X + q["b1"]
        g = grad000(q, X, Y, act=leaky, act_prime=lambda A1: np.where(Z1 > 0, a, 1.0))
        return g

    return f, p, grad


@wrong("rows", "1000 logits, stable loss, but dz = probs (the one-hot never subtracted)",
       diagnosis="few entries")
def logits_1000_onehot_forgotten():
    rng = np.random.default_rng(61)
    z0 = 20 * rng.standard_normal((1, 1000))
    label = 17

    def f(z):
        return float(-log_softmax_rows(z)[0, label])

    def grad(z):
        return softmax_rows(z)

    return f, z0, grad


@wrong("columns", "loss scaled by 1e-8, gradient of b2 with its sign flipped",
       diagnosis="sign flip")
def tiny_loss_sign_flip():
    X, Y, p, f0 = net000()

    def f(q):
        return 1e-8 * f0(q)

    def grad(q):
        g = {k: 1e-8 * v for k, v in grad000(q, X, Y).items()}
        g["b2"] = -g["b2"]
        return g

    return f, p, grad


@wrong("columns", "float32 throughout, dZ2 without the 1/m (m = 5)", diagnosis="factor")
def float32_missing_1_over_m():
    X, Y = cols_data(3, 5, seed=71, dtype=np.float32)
    p = cols_params((3, 4, 1), seed=72, dtype=np.float32)

    def f(q):
        return np.float32(bce_from_logits(net000_forward(q, X)[2], Y))

    def grad(q):
        g = grad000(q, X, Y)
        return {k: (v * np.float32(5)).astype(np.float32) for k, v in g.items()}

    return f, p, grad


@wrong("columns", "float32 throughout, tanh' written as 1 - A")
def float32_tanh_prime_not_squared():
    X, Y = cols_data(3, 6, seed=73, dtype=np.float32)
    p = cols_params((3, 4, 1), seed=74, dtype=np.float32)

    def f(q):
        return np.float32(bce_from_logits(net000_forward(q, X)[2], Y))

    def grad(q):
        return {k: v.astype(np.float32) for k, v in grad000(q, X, Y, lambda A: 1 - A).items()}

    return f, p, grad


@wrong("columns", "a wide network (P = 64,513, past the entry-by-entry limit of method='auto'): "
       "dZ2 without the 1/m", diagnosis="factor")
def big_network_missing_1_over_m():
    X, Y, p, f = net000(n0=250, h=256, m=16, seed=99)

    def grad(q):
        return {k: 16 * v for k, v in grad000(q, X, Y).items()}

    return f, p, grad


@wrong("-", "a list of two arrays, gradients returned in swapped order (same shapes)")
def list_params_swapped():
    f, params = two_arrays()

    def grad(ps):
        u, v = ps
        return [np.sin(u), np.cos(u) * v + 2 * u]  # the order of the list swapped

    return f, params, grad


# =============================================================================================
# CORRECT but tricky cases
# =============================================================================================


@right("columns", "seed 000 network, correct: dZ2 = (A2 - Y)/m, tanh' from A1")
def correct_seed000():
    X, Y, p, f = net000()
    return f, p, lambda q: grad000(q, X, Y)


@right("rows", "seed 002 network with ReLU, correct; the ReLU mask taken from a1 > 0 (= z1 > 0)")
def correct_seed002_relu_mask_from_a():
    X, y, p, f = net002(act=relu, seed=4)
    return f, p, lambda q: grad002(q, X, y, act=relu, act_prime=lambda a1: (a1 > 0) * 1.0)


@right("columns", "a batch of zeros, W1 the only parameter: the loss does not change at all, "
       "dW1 = 0 exactly, and nothing resolves it from 1e-12: inconclusive is honest",
       unresolved=True)
def correct_flat_in_every_entry():
    _, Y = cols_data(3, 7, seed=93)
    X = np.zeros((3, 7))  # Z1 = b1 whatever W1 is
    p = cols_params((3, 5, 1), seed=94)

    def f(W1):
        return bce_from_logits(net000_forward({**p, "W1": W1}, X)[2], Y)

    def grad(W1):
        return grad000({**p, "W1": W1}, X, Y)["W1"]

    return f, p["W1"], grad


@right("columns", "a batch of zeros: the loss does not depend on W1 (dW1 = 0 exactly) but "
       "does on b1, whose gradient sets the scale W1's zeros are judged against")
def correct_flat_beside_resolved():
    _, Y = cols_data(3, 7, seed=93)
    X = np.zeros((3, 7))  # Z1 = b1 whatever W1 is; b1 still moves the loss
    p = cols_params((3, 5, 1), seed=94)
    keys = ("W1", "b1")

    def f(q):
        return bce_from_logits(net000_forward({**p, **q}, X)[2], Y)

    def grad(q):
        g = grad000({**p, **q}, X, Y)
        return {k: g[k] for k in keys}

    return f, {k: p[k] for k in keys}, grad


@right("rows", "linear regression fitted exactly: the loss is 0 at its minimum, gradient 0")
def correct_at_exact_minimum():
    rng = np.random.default_rng(97)
    X = rng.standard_normal((8, 3))
    W = rng.standard_normal((3, 1))
    Y = X @ W  # noise-free targets: W is the exact least-squares solution

    def f(q):
        return float(np.sum((X @ q - Y) ** 2) / (2 * len(X)))

    def grad(q):
        return X.T @ (X @ q - Y) / len(X)

    return f, W, grad


@right("columns", "loss scaled by 1e-8: gradients around 1e-9, checked as strictly as usual")
def correct_tiny_loss():
    X, Y, p, f0 = net000()

    def f(q):
        return 1e-8 * f0(q)

    return f, p, lambda q: {k: 1e-8 * v for k, v in grad000(q, X, Y).items()}


@right("columns", "exact zeros: an input feature that is 0 in every sample and an unused bias")
def correct_exact_zero_gradients():
    X, Y = cols_data(3, 7, seed=91)
    X[1] = 0.0  # so column 1 of dW1 is exactly 0
    p = cols_params((3, 5, 1), seed=92)
    p["unused"] = np.array([0.5, -2.0])

    def f(q):
        return bce_from_logits(net000_forward(q, X)[2], Y)

    def grad(q):
        return {**grad000(q, X, Y), "unused": np.zeros(2)}

    return f, p, grad


@right("rows", "1000 logits of size ~20 with a stable log-sum-exp CE")
def correct_logits_1000():
    rng = np.random.default_rng(61)
    z0 = 20 * rng.standard_normal((1, 1000))
    label = 17

    def f(z):
        return float(-log_softmax_rows(z)[0, label])

    def grad(z):
        g = softmax_rows(z)
        g[0, label] -= 1
        return g

    return f, z0, grad


@right("columns", "float32 throughout: data, parameters, loss and gradient")
def correct_float32():
    X, Y = cols_data(3, 6, seed=73, dtype=np.float32)
    p = cols_params((3, 4, 1), seed=74, dtype=np.float32)

    def f(q):
        return np.float32(bce_from_logits(net000_forward(q, X)[2], Y))

    def grad(q):
        return {k: v.astype(np.float32) for k, v in grad000(q, X, Y).items()}

    return f, p, grad


@right("rows", "ReLU with a pre-activation exactly at its kink (z1 = 0): inconclusive is right",
       kink=True)
def correct_relu_at_kink():
    X, y = rows_data(8, 3, 4, seed=7)
    X[0] = 0.0  # sample 0 sees only the biases ...
    p = rows_params((3, 5, 4), seed=8)
    p["b1"][0, 2] = 0.0  # ... so z1[0, 2] = 0 exactly: ReLU's kink, in b1[0, 2]

    def f(q):
        return ce_rows(net002_forward(q, X, relu)[2], y)

    return f, p, lambda q: grad002(q, X, y, act=relu, act_prime=lambda a1: (a1 > 0) * 1.0)


@right("-", "L1 loss sum |x| with some entries exactly 0 (a kink each)", kink=True)
def correct_abs_at_zero():
    x0 = np.array([1.5, 0.0, -0.7, 0.0, 2.0])

    def f(x):
        return float(np.sum(np.abs(x)))

    return f, x0, np.sign


@right("columns", "zero-size parameters: a (0, 3) weight block next to ordinary ones")
def correct_zero_size_params():
    X, Y, p, f0 = net000()
    p["W_empty"] = np.zeros((0, 3))

    def f(q):
        return f0(q) + float(np.sum(q["W_empty"]))

    def grad(q):
        return {**grad000(q, X, Y), "W_empty": np.zeros((0, 3))}

    return f, p, grad


@right("rows", "sum of the losses of two batches: the gradient is the sum of the gradients")
def correct_sum_of_losses():
    X1, y1, p, f1 = net002(seed=8)
    X2, y2 = rows_data(5, 3, 4, seed=9)

    def f(q):
        return f1(q) + ce_rows(net002_forward(q, X2)[2], y2)

    def grad(q):
        g1, g2 = grad002(q, X1, y1), grad002(q, X2, y2)
        return {k: g1[k] + g2[k] for k in g1}

    return f, p, grad


@right("columns", "seed 001: MSE with 1/2 and mean over N*M, sigmoid output, consistent")
def correct_seed001_mean_all():
    X, Y, p, forward, f = net001()

    def grad(q):
        A1, A2 = forward(q)
        dZ2 = (A2 - Y) * A2 * (1 - A2) / (X.shape[1] * Y.shape[0])
        dZ1 = (q["W2"].T @ dZ2) * A1 * (1 - A1)
        return cols_grads(X, dZ1, A1, dZ2)

    return f, p, grad


@right("columns", "saturated sigmoid output (logits about +-30) with BCE from logits")
def correct_saturated_bce():
    X, Y, p, _ = net000()
    p["W2"] = 30 * np.sign(p["W2"])
    p["b2"] = np.array([[0.5]])

    def f(q):
        return bce_from_logits(net000_forward(q, X)[2], Y)

    return f, p, lambda q: grad000(q, X, Y)


@right("columns", "a wide network (P = 64,513), correct: checked along random directions")
def correct_big_network():
    X, Y, p, f = net000(n0=250, h=256, m=16, seed=99)
    return f, p, lambda q: grad000(q, X, Y)


@right("-", "a single 0-d array parameter and a plain float loss")
def correct_scalar_param():
    x0 = np.array(0.3)

    def f(x):
        return float(np.exp(x) * np.sin(3 * x))

    def grad(x):
        return np.exp(x) * (np.sin(3 * x) + 3 * np.cos(3 * x))

    return f, x0, grad


@right("-", "a list of two arrays, gradients in order")
def correct_list_params():
    f, params = two_arrays()

    def grad(ps):
        u, v = ps
        return [np.cos(u) * v + 2 * u, np.sin(u)]

    return f, params, grad


@right("columns", "large weights (|W| ~ 100) in a smooth softplus network")
def correct_large_weights():
    rng = np.random.default_rng(95)
    X = rng.standard_normal((2, 5))
    p = {"W": 100 * rng.standard_normal((3, 2)), "v": rng.standard_normal((1, 3)) / 100}

    def softplus(z):
        return np.logaddexp(0, z)

    def f(q):
        return float(np.sum(q["v"] @ softplus(q["W"] @ X)) / X.shape[1])

    def grad(q):
        Z = q["W"] @ X
        dZ = (q["v"].T * sigmoid(Z)) / X.shape[1]
        return {"W": dZ @ X.T, "v": softplus(Z).sum(axis=1, keepdims=True).T / X.shape[1]}

    return f, p, grad


CASES: tuple[Case, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Case))
WRONG: tuple[Case, ...] = tuple(c for c in CASES if not c.correct)
CORRECT: tuple[Case, ...] = tuple(c for c in CASES if c.correct)


# ---------------------------------------------------------------------------------------------
# Running the catalogue and the table of verdicts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Row:
    """The checker's verdict on one case."""

    case: Case
    result: Any  # checks.CheckResult

    @property
    def ok(self) -> bool:
        """Whether the verdict is the one a correct checker gives."""
        if not self.case.correct:
            return self.result.verdict == "fail"
        return self.result.verdict in ("pass", "inconclusive")


def run_catalogue(cases: Sequence[Case] = CASES, *, check: Callable[..., Any] | None = None):
    """Check every case with default settings; returns a tuple of `Row`.

    ``check`` defaults to `checks.check_gradients` (a fixed seed per case for the random parts).
    """
    if check is None:
        from checks import check_gradients as check
    rows = []
    for i, case in enumerate(cases):
        f, params, grad = case.make()
        rows.append(Row(case, check(f, params, grad, seed=i)))
    return tuple(rows)


def diagnosis_text(result: Any) -> str:
    """The result's diagnoses on one line: ``name: kind: message; ...``."""
    return "; ".join(f"{name}: {d}" for name, d in result.diagnoses.items())


def format_table(rows: Sequence[Row]) -> str:
    """The table of verdicts: case, truth, layout, verdict, ok, then diagnosis or description.

    A failure shows the checker's diagnoses; any other row the case's description.
    """
    head = ("case", "truth", "layout", "verdict", "ok", "diagnosis / what")
    body = []
    for r in rows:
        diag = diagnosis_text(r.result) or r.case.what
        body.append((r.case.name, "right" if r.case.correct else "wrong", r.case.layout,
                     str(r.result.verdict), "ok" if r.ok else "MISSED", diag))
    widths = [max(len(str(x[i])) for x in (head, *body)) for i in range(5)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(row[:5], widths, strict=True)) + "  "
             + row[5] for row in (head, *body)]
    n_ok = sum(r.ok for r in rows)
    lines.append(f"{n_ok}/{len(rows)} cases got the right verdict "
                 f"({len(WRONG)} wrong, {len(CORRECT)} correct in the catalogue)")
    return "\n".join(lines)
