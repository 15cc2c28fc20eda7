"""numeric.mlp: gradients against autograd (and torch), layout and reduction laws, dtypes.

Oracle: HIPS autograd on a loss written here from scratch with ``autograd.numpy`` (naive
formulas, no numeric function inside), and torch 2.13 autograd where torch is installed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as autograd_grad
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from numeric import (
    ACTIVATIONS,
    LOSSES,
    MLP,
    backward,
    flatten_params,
    forward,
    init_params,
    loss_and_grad,
    predict,
)
from tests import references

# Every registered activation and loss (a new one is drawn here without a change to this file,
# and fails until it has its reference in tests/references.py).
ACTS = tuple(ACTIVATIONS)
# Output/loss pairs with a defined loss: each loss with its fused output; BCE and CE also with
# the other probability output (from probabilities, not fused); MSE takes any output.
PAIRS = sorted(
    {(loss.fused_activation, name) for name, loss in LOSSES.items() if loss.fused_activation}
    | {("softmax", "bce"), ("sigmoid", "ce")}
    | {(act, name) for name, loss in LOSSES.items() if not loss.fused_activation
       for act in ACTS}
)
KINKED = tuple(name for name, act in ACTIVATIONS.items() if act.kinked)

# Normwise relative difference max|g - g_ref| / max|g_ref| over all parameters.
# float64: numeric and autograd both round at u = 1.1e-16 per operation; after at most
# 4 layers of inner products of length <= 32 the differences stay near 1e-13, so 1e-10
# (the bound) has three orders of margin.
# float32: numeric runs in float32 (u = 6.0e-8) and is compared with autograd in float64 on
# the same (float32-representable) inputs. A forward/backward pass through depth d <= 4
# with inner products of length n <= 32 accumulates about 2 * d * (n + 3) roundings
# (matmul, bias, activation, their backward) = 2 * 4 * 35 = 280 u = 1.7e-5 relative to the
# gradient's scale. The batch sums of dW and db add terms of both signs, so the result can be
# several times smaller than its terms; a factor 6 for that gives 280 u * 6 = 1e-4.
# Measured over 3,000 drawn problems (half of each dtype): max 5.7e-6 in float32, 4.7e-14 in
# float64, so 1e-4 leaves a factor of ~17 and still fails on any real error (those are O(1)).
RTOL = {np.float64: 1e-10, np.float32: 1e-4}
# Laws between two float64 evaluations of numeric itself (layouts, reductions): the same
# arithmetic up to summation order and where a 1/m is applied, a few roundings of 1.1e-16
# relative to the gradient's scale, so 1e-12 (normwise) has a wide margin.
LAW_RTOL = 1e-12
# Pre-activations closer than this to a ReLU kink are rejected: float32 rounding
# (|Z| * 1e-6 for |Z| < 5) could flip the side of the kink between numeric and the reference.
KINK_MARGIN = 1e-4


# ---------------------------------------------------------------------------------------------
# The independent reference
# ---------------------------------------------------------------------------------------------


REF_ACTIVATIONS = references.ACTIVATIONS
REF_LOSSES = references.LOSSES


def _ref_activation(name: str, Z, axis: int, slope: float):
    return REF_ACTIVATIONS[name](Z, axis, slope)


def test_every_registered_activation_and_loss_has_a_reference_and_is_drawn():
    assert set(REF_ACTIVATIONS) == set(ACTIVATIONS)
    assert set(references.TORCH_ACTIVATIONS) == set(ACTIVATIONS)
    assert set(references.TORCH_LOSSES) == set(LOSSES)
    assert set(REF_LOSSES) == set(LOSSES)
    assert {a for a, _ in PAIRS} == set(ACTIVATIONS)
    assert {loss for _, loss in PAIRS} == set(LOSSES)


def _ref_loss(net: MLP, params: dict, X, T):
    """The loss of ``net`` with T dense targets, from scratch in autograd.numpy."""
    axis = 0 if net.layout == "columns" else 1
    A = X
    for l, act in enumerate(net.activations, start=1):  # noqa: E741
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = anp.dot(W, A) + b if net.layout == "columns" else anp.dot(A, W) + b
        A = _ref_activation(act, Z, axis, net.leaky_slope)
    m = X.shape[1] if net.layout == "columns" else X.shape[0]
    n = net.sizes[-1]
    divisor = {"mean": m, "mean_all": m * n, "sum": 1}[net.reduction]
    return REF_LOSSES[net.loss](A, T, net.half) / divisor


def _pre_activations64(net: MLP, params: dict, X) -> list[np.ndarray]:
    """Z of every layer, in float64 with the reference's formulas (for the kink margin)."""
    axis = 0 if net.layout == "columns" else 1
    A, Zs = X.astype(np.float64), []
    for l, act in enumerate(net.activations, start=1):  # noqa: E741
        W, b = params[f"W{l}"].astype(np.float64), params[f"b{l}"].astype(np.float64)
        Z = W @ A + b if net.layout == "columns" else A @ W + b
        Zs.append(Z)
        A = _ref_activation(act, Z, axis, net.leaky_slope)
    return Zs


# ---------------------------------------------------------------------------------------------
# Random problems
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    net: MLP
    params: dict
    X: np.ndarray
    Y: np.ndarray  # what the caller passes: labels (m,) for CE, else output-shaped
    T: np.ndarray  # dense float64 targets for the reference


@st.composite
def problems(draw, *, dtypes=(np.float64, np.float32), layouts=("columns", "rows"), pairs=PAIRS):
    depth = draw(st.integers(1, 4))
    sizes = tuple(draw(st.lists(st.integers(1, 16), min_size=depth + 1, max_size=depth + 1)))
    output, loss = draw(st.sampled_from(pairs))
    hidden = tuple(draw(st.lists(st.sampled_from(ACTS), min_size=depth - 1, max_size=depth - 1)))
    # A softmax over one unit is the constant 1 (zero gradient below it, and BCE of log(1 - 1)),
    # and CE over one class is identically 0: such layers get two units.
    acts = (None, *hidden, output)  # acts[i]: activation of the layer with sizes[i] units
    sizes = tuple(
        max(n, ACTIVATIONS[acts[i]].min_units if acts[i] else 1,
            LOSSES[loss].min_outputs if i == depth else 1)
        for i, n in enumerate(sizes)
    )
    net = MLP(
        sizes,
        hidden=hidden,
        output=output,
        loss=loss,
        layout=draw(st.sampled_from(layouts)),
        reduction=draw(st.sampled_from(("mean", "mean_all", "sum"))),
        half=LOSSES[loss].half and draw(st.booleans()),
        leaky_slope=draw(st.sampled_from((0.01, 0.2))),
    )
    dtype = draw(st.sampled_from(dtypes))
    m = draw(st.integers(1, 32))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    params = init_params(net, rng=rng, dtype=dtype, scale=None)
    # Nonzero biases so the bias gradients are exercised with a generic Z.
    params = {k: (v + 0.3 * rng.standard_normal(v.shape)).astype(dtype) if k[0] == "b" else v
              for k, v in params.items()}
    X = rng.standard_normal((sizes[0], m)).astype(dtype)
    n = sizes[-1]
    if LOSSES[loss].labels:
        labels = rng.integers(0, n, m)
        Y, T = labels, np.eye(n)[labels].T
    elif LOSSES[loss].targets == "binary":
        T = rng.integers(0, 2, (n, m)).astype(np.float64)
        Y = T.astype(dtype)
    else:
        T = rng.standard_normal((n, m)).astype(dtype).astype(np.float64)
        Y = T.astype(dtype)
    if net.layout == "rows":
        X, T = X.T.copy(), T.T.copy()
        Y = Y if LOSSES[loss].labels else Y.T.copy()
    return Problem(net, params, X, Y, T)


def _reference_grads(p: Problem) -> dict[str, np.ndarray]:
    params64 = {k: v.astype(np.float64) for k, v in p.params.items()}
    X64 = p.X.astype(np.float64)
    return autograd_grad(lambda q: _ref_loss(p.net, q, X64, p.T))(params64)


def _away_from_kinks(p: Problem) -> bool:
    Zs = _pre_activations64(p.net, p.params, p.X)
    return all(
        np.min(np.abs(Z)) > KINK_MARGIN for Z, act in zip(Zs, p.net.activations, strict=True)
        if act in KINKED
    )


def _rel_diff(grads: dict, ref: dict) -> float:
    g = np.concatenate([np.ravel(grads[k]).astype(np.float64) for k in ref])
    r = np.concatenate([np.ravel(ref[k]) for k in ref])
    scale = np.max(np.abs(r))
    return float(np.max(np.abs(g - r)) / scale) if scale > 0 else float(np.max(np.abs(g)))


# ---------------------------------------------------------------------------------------------
# Gradients equal the references
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("output, loss", PAIRS)
@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_batches_match_autograd(output, loss, layout, dtype):
    """Above 2**15 entries (m x widest layer) loss_and_grad runs numeric.mlp's engine with its
    scratch memory, and a columns network computes as its rows transpose: both face autograd,
    and the gradients come back C-ordered in the parameters' shapes and dtype."""
    net = MLP((3, 130, 6, 3), hidden=("tanh", "relu"), output=output, loss=loss,
              layout=layout, half=loss == "mse")
    m = 256  # 256 x 130 = 33,280 entries
    rng = np.random.default_rng(3)
    params = {k: v.astype(dtype) for k, v in init_params(net, rng=rng).items()}
    params = {k: (v + 0.3 * rng.standard_normal(v.shape)).astype(dtype) if k[0] == "b" else v
              for k, v in params.items()}
    X = rng.standard_normal((3, m) if layout == "columns" else (m, 3)).astype(dtype)
    labels = rng.integers(0, 3, m)
    T = np.eye(3)[labels] if layout == "rows" else np.eye(3)[labels].T
    Y = labels if loss == "ce" else T.astype(dtype)
    p = Problem(net, params, X, Y, T)
    assert _away_from_kinks(p)
    loss_value, grads = loss_and_grad(net, params, X, Y)
    ref_loss = _ref_loss(net, {k: v.astype(np.float64) for k, v in params.items()},
                         X.astype(np.float64), T)
    assert math.isclose(float(loss_value), float(ref_loss), rel_tol=RTOL[dtype])
    assert _rel_diff(grads, _reference_grads(p)) <= RTOL[dtype]
    for key, g in grads.items():
        assert g.shape == params[key].shape and g.dtype == dtype and g.flags.c_contiguous, key


@settings(max_examples=150)
@given(problems())
def test_gradients_match_autograd(p: Problem):
    assume(_away_from_kinks(p))
    loss, grads = loss_and_grad(p.net, p.params, p.X, p.Y)
    ref_loss = _ref_loss(p.net, {k: v.astype(np.float64) for k, v in p.params.items()},
                         p.X.astype(np.float64), p.T)
    dtype = p.params["W1"].dtype.type
    assert math.isclose(float(loss), float(ref_loss), rel_tol=RTOL[dtype], abs_tol=RTOL[dtype])
    ref = _reference_grads(p)
    assert _rel_diff(grads, ref) <= RTOL[dtype]
    # forward + backward run numeric.mlp's engine at every size (loss_and_grad: small batches
    # on numeric._augmented's): both engines face the reference
    assert _rel_diff(backward(p.net, p.params, forward(p.net, p.params, p.X, p.Y)[1]), ref) \
        <= RTOL[dtype]


@pytest.mark.parametrize("output, loss", PAIRS)
@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_every_pair_matches_autograd_on_a_fixed_network(output, loss, layout):
    """Each output/loss pair at least once, whatever Hypothesis draws."""
    net = MLP((3, 5, 4, 3), hidden=("tanh", "leaky_relu"), output=output, loss=loss,
              layout=layout, half=loss == "mse")
    rng = np.random.default_rng(7)
    params = init_params(net, rng=rng)
    X = rng.standard_normal((3, 9) if layout == "columns" else (9, 3))
    labels = rng.integers(0, 3, 9)
    T = np.eye(3)[labels] if layout == "rows" else np.eye(3)[labels].T
    Y = labels if loss == "ce" else T
    p = Problem(net, params, X, Y, T)
    assert _away_from_kinks(p)
    _, grads = loss_and_grad(net, params, X, Y)
    assert _rel_diff(grads, _reference_grads(p)) <= RTOL[np.float64]


def test_float32_error_is_real_but_within_bound():
    """float32 really runs in float32 (error well above float64's) and stays under RTOL."""
    net = MLP((8, 16, 16, 1), hidden="tanh", output="sigmoid", loss="bce")
    rng = np.random.default_rng(3)
    params = init_params(net, rng=rng, dtype=np.float32)
    X = rng.standard_normal((8, 32)).astype(np.float32)
    Y = rng.integers(0, 2, (1, 32)).astype(np.float32)
    _, grads = loss_and_grad(net, params, X, Y)
    err = _rel_diff(grads, _reference_grads(Problem(net, params, X, Y, Y.astype(np.float64))))
    assert 1e-9 < err <= RTOL[np.float32]


# ---------------------------------------------------------------------------------------------
# torch 2.13 autograd as a second reference
# ---------------------------------------------------------------------------------------------


def _torch_grads(p: Problem) -> dict[str, np.ndarray]:
    torch = pytest.importorskip("torch")
    net = p.net
    params = {k: torch.tensor(v.astype(np.float64), requires_grad=True)
              for k, v in p.params.items()}
    A = torch.tensor(p.X.astype(np.float64))
    T = torch.tensor(p.T)
    cols = net.layout == "columns"
    class_dim = 0 if cols else 1
    for l, act in enumerate(net.activations, start=1):  # noqa: E741
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = W @ A + b if cols else A @ W + b
        A = references.TORCH_ACTIVATIONS[act](Z, class_dim, net.leaky_slope)
    m = p.X.shape[1] if cols else p.X.shape[0]
    divisor = {"mean": m, "mean_all": m * net.sizes[-1], "sum": 1}[net.reduction]
    total = references.TORCH_LOSSES[net.loss](A, T, class_dim, net.half)
    (total / divisor).backward()
    return {k: v.grad.numpy() for k, v in params.items()}


@settings(max_examples=40)
@given(problems())
def test_gradients_match_torch(p: Problem):
    pytest.importorskip("torch")
    assume(_away_from_kinks(p))
    _, grads = loss_and_grad(p.net, p.params, p.X, p.Y)
    assert _rel_diff(grads, _torch_grads(p)) <= RTOL[p.params["W1"].dtype.type]


# ---------------------------------------------------------------------------------------------
# Laws
# ---------------------------------------------------------------------------------------------


def _transpose_problem(p: Problem) -> tuple[MLP, dict, np.ndarray, np.ndarray]:
    """The same network in the other layout: every parameter and X, Y transposed."""
    other = "rows" if p.net.layout == "columns" else "columns"
    net = MLP(p.net.sizes, hidden=p.net.hidden, output=p.net.output, loss=p.net.loss,
              layout=other, reduction=p.net.reduction, half=p.net.half,
              leaky_slope=p.net.leaky_slope)
    params = {k: v.T.copy() for k, v in p.params.items()}
    Y = p.Y if p.Y.ndim == 1 else p.Y.T.copy()
    return net, params, p.X.T.copy(), Y


@settings(max_examples=40)
@given(problems(dtypes=(np.float64,)))
def test_rows_and_columns_agree_up_to_transposition(p: Problem):
    loss, grads = loss_and_grad(p.net, p.params, p.X, p.Y)
    net_t, params_t, X_t, Y_t = _transpose_problem(p)
    loss_t, grads_t = loss_and_grad(net_t, params_t, X_t, Y_t)
    assert math.isclose(float(loss), float(loss_t), rel_tol=LAW_RTOL, abs_tol=1e-300)
    assert _rel_diff(grads, {k: g.T for k, g in grads_t.items()}) <= LAW_RTOL
    out, out_t = predict(p.net, p.params, p.X), predict(net_t, params_t, X_t).T
    assert np.max(np.abs(out - out_t)) <= LAW_RTOL * max(np.max(np.abs(out)), 1.0)


@settings(max_examples=40)
@given(problems(dtypes=(np.float64,)))
def test_mean_gradient_is_sum_gradient_over_m(p: Problem):
    def with_reduction(reduction):
        net = MLP(p.net.sizes, hidden=p.net.hidden, output=p.net.output, loss=p.net.loss,
                  layout=p.net.layout, reduction=reduction, half=p.net.half,
                  leaky_slope=p.net.leaky_slope)
        return loss_and_grad(net, p.params, p.X, p.Y)

    m = p.X.shape[1] if p.net.layout == "columns" else p.X.shape[0]
    n = p.net.sizes[-1]
    loss_sum, g_sum = with_reduction("sum")
    loss_mean, g_mean = with_reduction("mean")
    loss_all, g_all = with_reduction("mean_all")
    assert math.isclose(float(loss_mean), float(loss_sum) / m, rel_tol=LAW_RTOL)
    assert math.isclose(float(loss_all), float(loss_sum) / (m * n), rel_tol=LAW_RTOL)
    assert _rel_diff(g_mean, {k: g / m for k, g in g_sum.items()}) <= LAW_RTOL
    assert _rel_diff(g_all, {k: g / (m * n) for k, g in g_sum.items()}) <= LAW_RTOL


@settings(max_examples=40)
@given(problems())
def test_gradients_have_parameter_shapes_dtypes_and_inputs_stay_unchanged(p: Problem):
    before = {k: v.copy() for k, v in p.params.items()}
    X0, Y0 = p.X.copy(), np.array(p.Y, copy=True)
    loss, cache = forward(p.net, p.params, p.X, p.Y)
    grads = backward(p.net, p.params, cache)
    dtype = p.params["W1"].dtype
    assert list(grads) == list(p.params)
    for key, value in p.params.items():
        assert grads[key].shape == value.shape
        assert grads[key].dtype == dtype
        np.testing.assert_array_equal(value, before[key])
    assert np.asarray(loss).dtype == dtype
    assert all(a.dtype == dtype for a in (*cache.A, *cache.Z))
    assert predict(p.net, p.params, p.X).dtype == dtype
    np.testing.assert_array_equal(p.X, X0)
    np.testing.assert_array_equal(p.Y, Y0)


def test_float32_parameters_with_float64_data_stay_float32():
    net = MLP((2, 3, 1))
    params = init_params(net, rng=0, dtype=np.float32)
    X = np.random.default_rng(0).standard_normal((2, 5))  # float64 data
    loss, grads = loss_and_grad(net, params, X, np.ones((1, 5)))
    assert np.asarray(loss).dtype == np.float32
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}


def test_forward_cache_matches_the_seed_000_formulas():
    """Seed 000: Z1 = W1 X + b1, A1 = sigma(Z1), Z2 = W2 A1 + b2, A2 = sigma(Z2)."""
    net = MLP((1, 4, 1), hidden="sigmoid", output="sigmoid", loss="bce")
    params = init_params(net, rng=1)
    X, Y = np.array([[0.5, -1.5, 2.0]]), np.array([[1.0, 0.0, 1.0]])
    loss, cache = forward(net, params, X, Y)
    Z1 = params["W1"] @ X + params["b1"]
    A1 = 1 / (1 + np.exp(-Z1))
    Z2 = params["W2"] @ A1 + params["b2"]
    A2 = 1 / (1 + np.exp(-Z2))
    np.testing.assert_allclose(cache.Z[0], Z1, rtol=1e-14)
    np.testing.assert_allclose(cache.A[2], A2, rtol=1e-14)
    expected = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    assert math.isclose(float(loss), float(expected), rel_tol=1e-13)
    # dZ2 = A2 - Y, dW2 = (A2 - Y) A1^T / m (seed 000's red lines, mean over m = 3)
    grads = backward(net, params, cache)
    np.testing.assert_allclose(grads["W2"], (A2 - Y) @ A1.T / 3, rtol=1e-13)


def test_fused_output_is_finite_for_saturated_logits():
    """Sigmoid+BCE from logits: huge logits give a finite loss and gradient A - Y."""
    net = MLP((1, 1), output="sigmoid", loss="bce", reduction="sum")
    params = {"W1": np.array([[1000.0]]), "b1": np.array([[0.0]])}
    X, Y = np.array([[1.0, -1.0]]), np.array([[0.0, 1.0]])  # confidently wrong twice
    loss, grads = loss_and_grad(net, params, X, Y)
    assert float(loss) == pytest.approx(2000.0)
    np.testing.assert_allclose(grads["W1"], [[2.0]])  # (1 - 0) * 1 + (0 - 1) * (-1)


def test_flatten_order_is_the_dict_order():
    net = MLP((2, 3, 1))
    params = init_params(net, rng=0)
    theta = flatten_params(params)
    np.testing.assert_array_equal(theta[:6], params["W1"].ravel())
    assert theta.shape == (net.n_params,)


# loss_and_grad against forward + backward: the same formulas on two engines (small batches
# run the augmented one: bias inside the GEMM, sigmoid as e^Z / (1 + e^Z)), so they differ by
# roundings only. float64: a few u = 1.1e-16 per operation, measured max 1.3e-14 over 3,000
# drawn problems, LAW_RTOL leaves a factor 77. float32: each engine is within 280 u of the
# exact result (RTOL's derivation), measured max 1.0e-6; RTOL[float32] = 1e-4 covers both.
ENGINE_RTOL = {np.float64: LAW_RTOL, np.float32: RTOL[np.float32]}


@settings(max_examples=40)
@given(problems())
def test_loss_and_grad_agrees_with_forward_then_backward(p: Problem):
    """loss_and_grad (its own engine and scratch memory) equals forward + backward up to
    rounding, and forward + backward leave the returned cache intact."""
    assume(_away_from_kinks(p))  # the two engines may round a Z across a ReLU kink
    loss, grads = loss_and_grad(p.net, p.params, p.X, p.Y)
    loss2, cache = forward(p.net, p.params, p.X, p.Y)
    saved = [a.copy() for a in (*cache.A, *cache.Z)]
    grads2 = backward(p.net, p.params, cache)
    rtol = ENGINE_RTOL[p.params["W1"].dtype.type]
    assert math.isclose(float(loss), float(loss2), rel_tol=rtol, abs_tol=rtol)
    assert _rel_diff(grads, {k: g.astype(np.float64) for k, g in grads2.items()}) <= rtol
    for before, after in zip(saved, (*cache.A, *cache.Z), strict=True):
        np.testing.assert_array_equal(before, after)


def test_mlp_spec_is_frozen_hashable_picklable_and_replaceable():
    import dataclasses
    import pickle

    net = MLP((2, 3, 1), hidden="tanh", loss="mse", half=True, layout="rows")
    assert pickle.loads(pickle.dumps(net)) == net
    assert hash(net) == hash(MLP((2, 3, 1), hidden=("tanh",), loss="mse", half=True,
                                 layout="rows"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        net.layout = "columns"
    cols = dataclasses.replace(net, layout="columns")
    assert cols.param_shapes()["W1"] == (3, 2) and net.param_shapes()["W1"] == (2, 3)
    # a pure spec: its fields are all it holds, so it pickles as its values
    assert vars(net).keys() == {f.name for f in dataclasses.fields(MLP)}
    assert dataclasses.asdict(net)["sizes"] == (2, 3, 1)
    assert not hasattr(MLP, "__reduce__") or MLP.__reduce__ is object.__reduce__
    loss_and_grad(net, init_params(net, rng=0), np.zeros((4, 2)), np.zeros((4, 1)))
    assert vars(net).keys() == {f.name for f in dataclasses.fields(MLP)}  # no buffers added


@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize(("sizes", "m_big", "m_small"), [
    ((3, 7, 5, 4), 20, 9),      # below 2**15 entries: the augmented layout's buffers
    ((3, 70, 40, 4), 600, 500),  # above: the rows layout's buffers for the hidden layers
])
def test_passes_reusing_thread_buffers_return_independent_exact_results(
    layout, sizes, m_big, m_small
):
    """loss_and_grad keeps per-thread buffers on the net between calls: every call must
    equal the same call on a fresh net (no buffers yet), earlier results must stay intact,
    across changes of m and dtype and from several threads."""
    from concurrent.futures import ThreadPoolExecutor

    spec = dict(sizes=sizes, hidden=("sigmoid", "tanh"), output="softmax", loss="ce",
                layout=layout)
    net = MLP(**spec)
    rng = np.random.default_rng(11)

    def case(m, dtype):
        params = init_params(net, rng=rng, dtype=dtype)
        X = rng.standard_normal((3, m) if layout == "columns" else (m, 3))
        return params, X, rng.integers(0, 4, size=m)

    cases = [case(m_big, np.float64), case(m_small, np.float64), case(m_big, np.float32),
             case(m_big, np.float64)]
    expected = [loss_and_grad(MLP(**spec), *c) for c in cases]  # a fresh net each
    first, kept = [], []
    for c in cases:  # a copy of each result at once: later calls must not write into it
        first.append(loss_and_grad(net, *c))
        kept.append({k: g.copy() for k, g in first[-1][1].items()})
    with ThreadPoolExecutor(2) as pool:
        threaded = list(pool.map(lambda c: loss_and_grad(net, *c), cases * 3))
    for (loss, grads), (loss_ref, grads_ref) in zip(first + threaded, expected * 4, strict=True):
        assert loss == loss_ref
        for key in grads_ref:
            np.testing.assert_array_equal(grads[key], grads_ref[key])
    for (_, grads), grads_kept in zip(first, kept, strict=True):
        for key in grads_kept:
            np.testing.assert_array_equal(grads[key], grads_kept[key])
