"""The layer bug catalogue: CS231n-style ``forward``/``backward`` pairs, wrong and right.

Each layer is written the way a from-scratch deep-learning library writes it, in plain NumPy:
``forward(*inputs) -> (out, cache)`` and ``backward(dout, cache) -> grads`` (one gradient per
float-array input, in order). A backward takes a ``bug`` keyword naming one realistic slip;
``bug=""`` is the correct pass. A wrong case is a layer with one slip (softmax with only the
Jacobian's diagonal, conv padding cropped at the wrong offset, the stride forgotten in
backward, max-pool copying the gradient to every tied maximum, batch-norm treating the batch
mean as a constant, an RNN without the recurrent term, upsampling that picks instead of sums,
dropout that redraws its mask, ...). A correct case is right but tricky for a checker (ties,
exact zeros at a ReLU's kink, overlapping windows, repeated embedding indices, stateful
``bn_param``, seeded dropout).

Nothing here imports `numeric` or the checker: `run_layer_catalogue` feeds the cases to
`checks.check_layer` and `format_layer_table` prints the verdicts.

Layout: images are (N, C, H, W); sequences (N, T, D); weights of a conv (F, C, HH, WW).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

Inputs = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class LayerCase:
    """One catalogue entry.

    Attributes
    ----------
    name : str
    correct : bool
        True when ``backward`` is the true VJP of ``forward``.
    layer : str
        The layer's kind ("conv", "maxpool", "batchnorm", ...).
    what : str
        The bug in one line, or why the correct case is tricky.
    forward, backward : callable
        The CS231n pair.
    make_inputs : callable
        ``make_inputs() -> (args, kwargs)`` for ``forward``, deterministic.
    kink : bool
        A correct case evaluated at kinks (ties, ReLU at 0): "inconclusive" is right there.
    """

    name: str
    correct: bool
    layer: str
    what: str
    forward: Callable[..., Any]
    backward: Callable[..., Any]
    make_inputs: Callable[[], Inputs]
    kink: bool = False

    def inputs(self) -> Inputs:
        """Fresh inputs for ``forward``: ``(args, kwargs)``."""
        return self.make_inputs()


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------------------------
# Layers: forward next to backward, each backward with its slips
# ---------------------------------------------------------------------------------------------


def affine_forward(x, w, b):
    """``out = x.reshape(N, -1) @ w + b`` for x of shape (N, d1, ..., dk)."""
    return x.reshape(x.shape[0], -1) @ w + b, (x, w)


def affine_backward(dout, cache, *, bug=""):
    """Gradients dx (shape of x), dw, db."""
    x, w = cache
    x2 = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    db = dout[0] if bug == "db_first_row" else dout.sum(axis=0)
    return dx, x2.T @ dout, db


def relu_forward(x):
    """``max(x, 0)``."""
    return np.maximum(x, 0.0), x


def relu_backward(dout, cache):
    """``dout`` where x > 0 (the subgradient 0 at x = 0)."""
    return dout * (cache > 0)


def sigmoid_forward(x):
    """``1 / (1 + e^-x)``, stable for both signs."""
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return s, (x, s)


def sigmoid_backward(dout, cache, *, bug=""):
    """``dout * s (1 - s)``."""
    x, s = cache
    a = x if bug == "uses_input" else s
    return dout * a * (1.0 - a)


def softmax_forward(x):
    """Softmax over the last axis (rows), shifted by the row max."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    s = e / e.sum(axis=-1, keepdims=True)
    return s, s


def softmax_backward(dout, cache, *, bug=""):
    """``s * (dout - <dout, s>)`` row by row: the full Jacobian, not its diagonal."""
    s = cache
    if bug == "diagonal":
        return dout * s * (1.0 - s)
    return s * (dout - np.sum(dout * s, axis=-1, keepdims=True))


def conv_forward(x, w, b, conv_param):
    """Naive cross-correlation with zero padding ``pad`` and stride ``stride``."""
    s, p = conv_param["stride"], conv_param["pad"]
    N, _, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    Ho, Wo = 1 + (H + 2 * p - HH) // s, 1 + (W + 2 * p - WW) // s
    out = np.empty((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * s:i * s + HH, j * s:j * s + WW]
            out[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, conv_param)


def conv_backward(dout, cache, *, bug=""):
    """Gradients dx, dw, db of `conv_forward`."""
    x, w, conv_param = cache
    s, p = conv_param["stride"], conv_param["pad"]
    _, _, H, W = x.shape
    _, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    step = 1 if bug == "stride" else s
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            sl = (slice(None), slice(None), slice(i * step, i * step + HH),
                  slice(j * step, j * step + WW))
            d = dout[:, :, i, j]  # (N, F)
            dxp[sl] += np.tensordot(d, w, axes=([1], [0]))
            if bug == "dw_first_sample":
                dw += np.tensordot(d[:1], xp[sl][:1], axes=([0], [0]))
            else:
                dw += np.tensordot(d, xp[sl], axes=([0], [0]))
    dx = dxp[:, :, :H, :W] if bug == "crop" else dxp[:, :, p:p + H, p:p + W]
    db = dout.mean(axis=(0, 2, 3)) if bug == "db_mean" else dout.sum(axis=(0, 2, 3))
    return dx, dw, db


def maxpool_forward(x, pool_param):
    """Max over ``size x size`` windows with stride ``stride``; padding ``pad`` with -inf."""
    k, s, p = pool_param["size"], pool_param["stride"], pool_param.get("pad", 0)
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=-np.inf)
    Ho, Wo = 1 + (H + 2 * p - k) // s, 1 + (W + 2 * p - k) // s
    out = np.empty((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = xp[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    return out, (x, pool_param)


def maxpool_backward(dout, cache, *, bug=""):
    """Gradient dx: each window's upstream gradient to its first argmax (one entry among ties)."""
    x, pool_param = cache
    k, s, p = pool_param["size"], pool_param["stride"], pool_param.get("pad", 0)
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=-np.inf)
    dxp = np.zeros_like(xp)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            sl = (slice(None), slice(None), slice(i * s, i * s + k), slice(j * s, j * s + k))
            win = xp[sl]
            if bug == "ties":
                mask = win == win.max(axis=(2, 3), keepdims=True)
            else:
                first = win.reshape(N, C, -1).argmax(axis=-1)
                mask = np.eye(k * k, dtype=bool)[first].reshape(N, C, k, k)
            contribution = mask * dout[:, :, i, j][:, :, None, None]
            if bug == "assign":
                dxp[sl] = contribution
            else:
                dxp[sl] += contribution
    return dxp[:, :, :H, :W] if bug == "crop" else dxp[:, :, p:p + H, p:p + W]


def batchnorm_forward(x, gamma, beta, bn_param):
    """Training-mode batch norm over axis 0; updates ``bn_param["running_mean"]`` as CS231n."""
    eps = bn_param.get("eps", 1e-5)
    mu, var = x.mean(axis=0), x.var(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    bn_param["running_mean"] = 0.9 * bn_param.get("running_mean", 0.0) + 0.1 * mu
    return gamma * xhat + beta, (xhat, gamma, std, var)


def batchnorm_backward(dout, cache, *, bug=""):
    """Gradients dx, dgamma, dbeta; dx through the batch mean and variance (the compact form)."""
    xhat, gamma, std, var = cache
    if bug == "std_without_eps":  # std recomputed in backward, eps forgotten: ~eps / 2var off
        std = np.sqrt(var)
    dbeta = dout.mean(axis=0) if bug == "dbeta_mean" else dout.sum(axis=0)
    dgamma = dout.sum(axis=0) if bug == "dgamma_no_xhat" else np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    if bug == "dx_constant_stats":
        dx = dxhat / std
    elif bug == "dx_no_var_term":
        dx = (dxhat - dxhat.mean(axis=0)) / std
    else:
        dx = (dxhat - dxhat.mean(axis=0) - xhat * np.mean(dxhat * xhat, axis=0)) / std
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer norm over the features (axis 1) of each sample."""
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    return gamma * xhat + beta, (xhat, gamma, std)


def layernorm_backward(dout, cache, *, bug=""):
    """Gradients dx, dgamma, dbeta; the statistics are per sample, so dx reduces over axis 1."""
    xhat, gamma, std = cache
    dxhat = dout * gamma
    ax = 0 if bug == "batch_axis" else 1
    dx = (dxhat - dxhat.mean(axis=ax, keepdims=True)
          - xhat * np.mean(dxhat * xhat, axis=ax, keepdims=True)) / std
    return dx, np.sum(dout * xhat, axis=0), dout.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    """Vanilla RNN over T steps: ``h_t = tanh(x_t Wx + h_{t-1} Wh + b)``; out h (N, T, H)."""
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    prev = h0
    for t in range(T):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        h[:, t] = prev
    return h, (x, h0, Wx, Wh, h)


def rnn_backward(dh, cache, *, bug=""):
    """Gradients dx, dh0, dWx, dWh, db by backpropagation through time."""
    x, h0, Wx, Wh, h = cache
    T = x.shape[1]
    dx, dWx, dWh = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh)
    db, dprev = np.zeros(Wh.shape[0]), np.zeros_like(h0)
    for t in reversed(range(T)):
        ht, hprev = h[:, t], (h[:, t - 1] if t > 0 else h0)
        dht = dh[:, t] if bug == "no_recurrent" else dh[:, t] + dprev
        dz = dht * (1.0 - ht**2)
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += (ht if bug == "dWh_uses_h_t" else hprev).T @ dz
        db += dz.sum(axis=0)
        dprev = dz @ Wh.T
    return dx, dprev, dWx, dWh, db


def upsample_forward(x, factor):
    """Nearest-neighbour upsampling of (N, C, H, W) by an integer factor."""
    return x.repeat(factor, axis=2).repeat(factor, axis=3), (x.shape, factor)


def upsample_backward(dout, cache, *, bug=""):
    """Gradient dx: the sum of each ``factor x factor`` block of dout."""
    (N, C, H, W), k = cache
    if bug == "picks":
        return dout[:, :, ::k, ::k]
    return dout.reshape(N, C, H, k, W, k).sum(axis=(3, 5))


def dropout_forward(x, dropout_param):
    """Inverted dropout, keep probability ``p``, mask from ``dropout_param["seed"]``."""
    p = dropout_param["p"]
    mask = (_rng(dropout_param["seed"]).random(x.shape) < p) / p
    return x * mask, (dropout_param, mask)


def dropout_backward(dout, cache, *, bug=""):
    """``dout * mask``: the forward's mask, already scaled by 1/p."""
    dropout_param, mask = cache
    if bug == "redrawn_mask":  # a fresh mask in backward: the next seed's, not forward's
        p = dropout_param["p"]
        return dout * (_rng(dropout_param["seed"] + 1).random(dout.shape) < p) / p
    if bug == "no_rescale":
        return dout * (mask > 0)
    return dout * mask


def embedding_forward(idx, W):
    """Rows of W picked by the integer array idx (N, T): out (N, T, D)."""
    return W[idx], (idx, W.shape)


def embedding_backward(dout, cache, *, bug=""):
    """Gradient dW: ``np.add.at`` so that repeated indices accumulate."""
    idx, shape = cache
    dW = np.zeros(shape)
    if bug == "fancy_add":
        dW[idx] += dout  # buffered: a repeated index keeps only its last row
    else:
        np.add.at(dW, idx, dout)
    return dW


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def _affine_inputs() -> Inputs:
    r = _rng(1)
    return (r.normal(size=(3, 2, 2)), r.normal(size=(4, 5)), r.normal(size=5)), {}


def _matrix(seed: int, shape: tuple[int, ...] = (3, 5), scale: float = 1.0) -> Callable[[], Inputs]:
    def make() -> Inputs:
        return (scale * _rng(seed).normal(size=shape),), {}
    return make


def _relu_zeros() -> Inputs:
    x = _rng(2).normal(size=(3, 4))
    x[0, 1] = x[2, 3] = 0.0
    return (x,), {}


def _conv(stride: int, pad: int) -> Callable[[], Inputs]:
    def make() -> Inputs:
        r = _rng(3)
        return (r.normal(size=(2, 2, 5, 5)), r.normal(size=(3, 2, 3, 3)), r.normal(size=3),
                {"stride": stride, "pad": pad}), {}
    return make


def _pool(size: int, stride: int, pad: int = 0, ties: bool = False) -> Callable[[], Inputs]:
    def make() -> Inputs:
        r = _rng(4)
        if ties:  # values on a coarse grid: many windows with tied maxima
            x = r.integers(0, 3, size=(2, 2, 4, 4)).astype(np.float64) / 2.0
        else:
            x = r.normal(size=(2, 2, 4, 4))
        return (x, {"size": size, "stride": stride, "pad": pad}), {}
    return make


def _norm(param_name: str) -> Callable[[], Inputs]:
    def make() -> Inputs:
        r = _rng(5)
        x = 2.0 + 1.5 * r.normal(size=(6, 4))
        return (x, r.normal(size=4), r.normal(size=4), {"eps": 1e-5}), {}
    return make


def _rnn() -> Inputs:
    r = _rng(6)
    N, T, D, H = 2, 3, 3, 4
    return (r.normal(size=(N, T, D)), r.normal(size=(N, H)), 0.5 * r.normal(size=(D, H)),
            0.5 * r.normal(size=(H, H)), 0.1 * r.normal(size=H)), {}


def _upsample() -> Inputs:
    return (_rng(7).normal(size=(2, 2, 3, 3)), 2), {}


def _dropout() -> Inputs:
    return (_rng(8).normal(size=(4, 5)), {"p": 0.6, "seed": 123}), {}


def _embedding() -> Inputs:
    idx = np.array([[0, 2, 2], [4, 0, 2]])  # 0 and 2 repeat
    return (idx, _rng(9).normal(size=(5, 3))), {}


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------

_LAYERS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "affine": (affine_forward, affine_backward),
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "softmax": (softmax_forward, softmax_backward),
    "conv": (conv_forward, conv_backward),
    "maxpool": (maxpool_forward, maxpool_backward),
    "batchnorm": (batchnorm_forward, batchnorm_backward),
    "layernorm": (layernorm_forward, layernorm_backward),
    "rnn": (rnn_forward, rnn_backward),
    "upsample": (upsample_forward, upsample_backward),
    "dropout": (dropout_forward, dropout_backward),
    "embedding": (embedding_forward, embedding_backward),
}


def _make(name: str, layer: str, bug: str, what: str, inputs: Callable[[], Inputs], *,
          kink: bool = False) -> LayerCase:
    fwd, bwd = _LAYERS[layer]
    backward = partial(bwd, bug=bug) if bug else bwd
    return LayerCase(name, not bug, layer, what, fwd, backward, inputs, kink)


CORRECT: tuple[LayerCase, ...] = (
    _make("affine_3d_input", "affine", "", "x of shape (N, 2, 2) flattened; dx reshaped back",
          _affine_inputs),
    _make("relu_exact_zeros", "relu", "", "two inputs exactly at the kink x = 0",
          _relu_zeros, kink=True),
    _make("softmax_full_jacobian", "softmax", "", "s * (dout - <dout, s>), shifted logits",
          _matrix(10, (3, 5), 3.0)),
    _make("conv_pad1_stride2", "conv", "", "padding 1 and stride 2 (windows skip)",
          _conv(2, 1)),
    _make("maxpool_ties", "maxpool", "", "tied maxima, gradient to the first argmax only",
          _pool(2, 2, ties=True), kink=True),
    _make("maxpool_overlapping", "maxpool", "", "3x3 windows, stride 1: entries shared, +=",
          _pool(3, 1)),
    _make("batchnorm_train", "batchnorm", "", "dx through mean and variance; bn_param updated",
          _norm("bn_param")),
    _make("layernorm", "layernorm", "", "statistics per sample (axis 1)", _norm("ln_param")),
    _make("rnn_bptt", "rnn", "", "3 steps through time with the recurrent term", _rnn),
    _make("upsample_nearest", "upsample", "", "2x nearest: dx sums 2x2 blocks", _upsample),
    _make("dropout_seeded", "dropout", "", "mask from a seed in dropout_param, 1/p scaled",
          _dropout),
    _make("embedding_repeated_index", "embedding", "", "repeated indices, np.add.at",
          _embedding),
)

WRONG: tuple[LayerCase, ...] = (
    _make("affine_db_first_row", "affine", "db_first_row", "db = dout[0], one sample's",
          _affine_inputs),
    _make("sigmoid_uses_input", "sigmoid", "uses_input", "x (1 - x) instead of s (1 - s)",
          _matrix(12)),
    _make("softmax_diagonal_only", "softmax", "diagonal", "dout * s (1 - s): the Jacobian's "
          "diagonal only", _matrix(13)),
    _make("conv_pad_crop_offset", "conv", "crop", "dx cropped from [0:H] of the padded "
          "gradient instead of [pad:pad+H]", _conv(1, 1)),
    _make("conv_stride_ignored", "conv", "stride", "backward steps windows by 1, forward by 2",
          _conv(2, 1)),
    _make("conv_dw_first_sample", "conv", "dw_first_sample", "dw from the first sample only",
          _conv(1, 0)),
    _make("conv_db_mean", "conv", "db_mean", "db averaged over N, H, W instead of summed",
          _conv(1, 1)),
    _make("maxpool_ties_all", "maxpool", "ties", "mask x == max: every tied maximum gets all "
          "of the gradient", _pool(2, 2, ties=True)),
    _make("maxpool_pad_crop_offset", "maxpool", "crop", "padding 1, dx cropped at the wrong "
          "offset", _pool(2, 2, pad=1)),
    _make("maxpool_overlap_assign", "maxpool", "assign", "overlapping windows written with = "
          "instead of +=", _pool(3, 1)),
    _make("batchnorm_dgamma_no_xhat", "batchnorm", "dgamma_no_xhat", "dgamma = sum(dout), "
          "x_hat forgotten", _norm("bn_param")),
    _make("batchnorm_dbeta_mean", "batchnorm", "dbeta_mean", "dbeta = mean(dout) instead of "
          "sum", _norm("bn_param")),
    _make("batchnorm_dx_constant_stats", "batchnorm", "dx_constant_stats", "dx = gamma dout "
          "/ std: mean and variance treated as constants", _norm("bn_param")),
    _make("batchnorm_dx_no_var_term", "batchnorm", "dx_no_var_term", "dx without the "
          "variance's x_hat mean(dx_hat x_hat) term", _norm("bn_param")),
    _make("batchnorm_std_without_eps", "batchnorm", "std_without_eps", "backward recomputes "
          "std = sqrt(var) without eps: dx off by ~eps / (2 var), 1e-6 relative",
          _norm("bn_param")),
    _make("layernorm_batch_axis", "layernorm", "batch_axis", "dx reduced over the batch axis",
          _norm("ln_param")),
    _make("rnn_no_recurrent_term", "rnn", "no_recurrent", "dh_t misses dh_{t+1} Wh^T",
          _rnn),
    _make("rnn_dWh_uses_h_t", "rnn", "dWh_uses_h_t", "dWh from h_t instead of h_{t-1}", _rnn),
    _make("upsample_picks", "upsample", "picks", "dx = dout[::2, ::2]: picks one of each "
          "block instead of summing", _upsample),
    _make("dropout_redrawn_mask", "dropout", "redrawn_mask", "backward draws a new mask "
          "instead of the forward's", _dropout),
    _make("dropout_no_rescale", "dropout", "no_rescale", "dout * (mask > 0): the 1/p "
          "forgotten", _dropout),
    _make("embedding_fancy_add", "embedding", "fancy_add", "dW[idx] += dout loses repeated "
          "indices", _embedding),
)

CASES: tuple[LayerCase, ...] = CORRECT + WRONG


@dataclass(frozen=True)
class LayerOutcome:
    """A case and the check's verdict on it."""

    case: LayerCase
    verdict: str
    diagnosis: str
    evaluations: int

    @property
    def as_expected(self) -> bool:
        """Wrong cases fail; correct ones pass (or are inconclusive at kinks)."""
        if self.case.correct:
            return self.verdict == "pass" or (self.case.kink and self.verdict == "inconclusive")
        return self.verdict == "fail"


def run_layer_catalogue(cases: tuple[LayerCase, ...] = CASES, **kwargs: Any
                        ) -> list[LayerOutcome]:
    """`checks.check_layer` with default settings (or ``kwargs``) on every case."""
    from checks.layers import check_layer

    outcomes = []
    for case in cases:
        args, named = case.inputs()
        r = check_layer(case.forward, case.backward, *args, **kwargs, **named)
        diags = "; ".join(f"{n}: {d.kind}" for n, d in r.diagnoses.items())
        outcomes.append(LayerOutcome(case, r.verdict.value, diags, r.evaluations))
    return outcomes


def format_layer_table(outcomes: list[LayerOutcome]) -> str:
    """One line per case: expected, verdict, evaluations, diagnoses."""
    head = f"{'case':<30} {'layer':<10} {'truth':<7} {'verdict':<13} {'evals':>6}  diagnosis"
    lines = [head, "-" * len(head)]
    for o in outcomes:
        mark = "" if o.as_expected else "  <-- unexpected"
        lines.append(f"{o.case.name:<30} {o.case.layer:<10} "
                     f"{'right' if o.case.correct else 'wrong':<7} {o.verdict:<13} "
                     f"{o.evaluations:>6}  {o.diagnosis}{mark}")
    return "\n".join(lines)
