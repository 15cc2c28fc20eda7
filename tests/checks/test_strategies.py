"""Tests of checks.strategies: drawn values honour their bounds and fit each other.

The oracle for pre-activations is a direct forward pass written here (Z = W A + b or A W + b
with the textbook activations of tests/references.py), not numeric.forward that the strategy
uses.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
from checks import strategies as gps
from tests import references

KINKED = set(gps.KINKED_ACTIVATIONS)


def _pre_activations(net, params, X):
    """Z_1 ... Z_L by a direct forward pass, independent of numeric.forward."""
    A, Zs = X.astype(np.float64), []
    for l, name in enumerate(net.activations, start=1):  # noqa: E741 -- the seeds' layer index
        W = params[f"W{l}"].astype(np.float64)
        b = params[f"b{l}"].astype(np.float64)
        Z = W @ A + b if net.layout == "columns" else A @ W + b
        Zs.append(Z)
        if l < len(net.activations):  # the output's activation is not needed
            A = references.ACTIVATIONS[name](Z, 0 if net.layout == "columns" else 1,
                                             net.leaky_slope)
    return Zs


def _samples(net, X):
    return X.shape[1] if net.layout == "columns" else X.shape[0]


# ---------------------------------------------------------------------------------------------
# Architectures
# ---------------------------------------------------------------------------------------------


@given(st.data())
def test_layer_sizes_honour_bounds(data):
    lo_l = data.draw(st.integers(1, 3))
    hi_l = data.draw(st.integers(lo_l, 4))
    lo_w = data.draw(st.integers(1, 5))
    hi_w = data.draw(st.integers(lo_w, 8))
    sizes = data.draw(
        gps.layer_sizes(min_layers=lo_l, max_layers=hi_l, min_width=lo_w, max_width=hi_w)
    )
    assert isinstance(sizes, tuple)
    assert lo_l + 1 <= len(sizes) <= hi_l + 1
    assert all(lo_w <= n <= hi_w and isinstance(n, int) for n in sizes)


def _outputs_of(loss: str) -> set[str]:
    """The outputs a loss may be drawn with: its fused activation, or (a loss without one,
    MSE) every smooth elementwise activation; read from the registries, so that a new entry
    is checked here without an edit."""
    fused = numeric.LOSSES[loss].fused_activation
    if fused is not None:
        return {fused}
    return {n for n, a in numeric.ACTIVATIONS.items() if a.elementwise and not a.kinked}


def test_the_output_rule_gives_the_seeds_pairs():
    assert (_outputs_of("bce"), _outputs_of("ce")) == ({"sigmoid"}, {"softmax"})
    assert _outputs_of("mse") >= {"identity", "sigmoid", "tanh"}
    assert not _outputs_of("mse") & {"relu", "leaky_relu", "softmax"}


@given(gps.mlps())
def test_mlps_pair_output_with_loss(net):
    assert isinstance(net, numeric.MLP)
    loss = numeric.LOSSES[net.loss]
    assert net.output in _outputs_of(net.loss)
    assert net.sizes[-1] >= loss.min_outputs
    if net.loss == "ce":
        assert net.sizes[-1] >= 2
    assert not net.half or loss.half
    assert set(net.hidden) <= set(gps.HIDDEN_ACTIVATIONS)


@given(gps.mlps(layout="rows", loss="mse", hidden="tanh", reduction="sum", max_layers=3))
def test_mlps_fixed_choices_are_kept(net):
    assert (net.layout, net.loss, net.reduction) == ("rows", "mse", "sum")
    assert set(net.hidden) <= {"tanh"}
    assert 2 <= len(net.sizes) <= 4


@given(gps.mlps(output="identity", half=True, max_layers=2))
def test_mlps_output_and_half_are_kept(net):
    assert (net.output, net.loss, net.half) == ("identity", "mse", True)


@given(gps.mlps(output="sigmoid"))
def test_mlps_output_sigmoid_draws_only_losses_that_take_it(net):
    assert net.output == "sigmoid" and "sigmoid" in _outputs_of(net.loss)


@given(gps.mlps(smooth=True, min_layers=2))
def test_mlps_smooth_has_no_kinks(net):
    assert not set(net.hidden) & KINKED


@given(gps.dtypes(), gps.layouts(), gps.activations())
def test_simple_strategies_draw_from_their_sets(dtype, layout, act):
    assert dtype in (np.dtype(np.float32), np.dtype(np.float64))
    assert layout in ("columns", "rows")
    assert act in gps.HIDDEN_ACTIVATIONS


# ---------------------------------------------------------------------------------------------
# Parameters and batches
# ---------------------------------------------------------------------------------------------


@given(st.data())
def test_params_fit_the_network_and_bounds(data):
    net = data.draw(gps.mlps(max_layers=3))
    dtype = data.draw(gps.dtypes())
    max_bias = data.draw(st.sampled_from([0.0, 0.25, 1.0]))
    p = data.draw(gps.params(net, dtype=dtype, max_bias=max_bias))
    assert list(p) == list(net.param_shapes())
    for key, shape in net.param_shapes().items():
        arr = p[key]
        assert arr.shape == shape and arr.dtype == dtype
        assert np.all(np.isfinite(arr))
        if key[0] == "W":
            n_in = net.sizes[int(key[1:]) - 1]
            bound = 2.0 / np.sqrt(n_in)
            mags = np.abs(arr.astype(np.float64))
            assert np.all(mags <= bound * (1 + 1e-6))
            assert np.all(mags >= bound / 10 * (1 - 1e-6))  # never zero: no dead unit
        else:
            assert np.all(np.abs(arr) <= max_bias)


@given(st.data())
def test_params_max_weight_is_honoured(data):
    net = data.draw(gps.mlps(max_layers=2))
    p = data.draw(gps.params(net, dtype=np.float64, max_weight=0.3))
    for key, arr in p.items():
        if key[0] == "W":
            assert np.all((np.abs(arr) >= 0.03) & (np.abs(arr) <= 0.3))


@given(gps.problems(max_layers=3))
def test_problems_are_consistent_with_layout_and_loss(p):
    net, X, Y = p.net, p.X, p.Y
    m = _samples(net, X)
    assert 1 <= m <= 16
    cols = net.layout == "columns"
    assert X.shape == ((net.sizes[0], m) if cols else (m, net.sizes[0]))
    assert Y.shape == ((net.sizes[-1], m) if cols else (m, net.sizes[-1]))
    assert X.dtype == Y.dtype == p.params["W1"].dtype == p.dtype
    assert np.all(np.abs(X) <= 1)
    if net.loss == "bce":
        assert set(np.unique(Y)) <= {0.0, 1.0}
    elif net.loss == "ce":
        assert np.all(Y.sum(axis=0 if cols else 1) == 1) and set(np.unique(Y)) <= {0.0, 1.0}
    else:
        assert np.all(np.abs(Y) <= 1)
    loss, _ = numeric.forward(net, p.params, X, Y)
    assert np.isfinite(loss)


@settings(max_examples=40)
@given(gps.problems(hidden="relu", min_layers=2, max_layers=4, dtype=np.float32))
def test_problems_keep_relu_preactivations_away_from_kinks_float32(p):
    Zs = _pre_activations(p.net, p.params, p.X)
    for name, Z in zip(p.net.activations, Zs, strict=True):
        if name in KINKED:
            assert np.min(np.abs(Z)) >= 0.1 * (1 - 1e-4)  # the float32 default margin


@given(st.data())
def test_batches_margin_is_honoured(data):
    net = data.draw(gps.mlps(hidden="leaky_relu", min_layers=2, max_layers=3))
    p = data.draw(gps.params(net, dtype=np.float64))
    X, _ = data.draw(gps.batches(net, params=p, margin=0.05, min_samples=2, max_samples=8))
    assert 2 <= _samples(net, X) <= 8
    for Z in _pre_activations(net, p, X)[:-1]:
        assert np.min(np.abs(Z)) >= 0.05


@given(st.data())
def test_batches_without_params_draw_requested_dtype_and_sizes(data):
    net = data.draw(gps.mlps(smooth=True, max_layers=2))
    X, Y = data.draw(gps.batches(net, dtype="float32", min_samples=3, max_samples=5))
    assert X.dtype == Y.dtype == np.float32
    assert 3 <= _samples(net, X) <= 5  # no kinks: nothing dropped


@given(st.data())
def test_batches_may_hit_kinks_when_asked(data):
    net = numeric.MLP((2, 3, 1), hidden="relu", loss="mse", output="identity")
    X, _ = data.draw(gps.batches(net, away_from_kinks=False, dtype=np.float64))
    assert X.shape[0] == 2


def test_strategies_never_change_the_params_they_are_given():
    net = numeric.MLP((2, 3, 1), hidden="relu")
    p = numeric.init_params(net, rng=0)
    before = {k: v.copy() for k, v in p.items()}

    @settings(max_examples=10, database=None)
    @given(gps.batches(net, params=p))
    def run(batch):
        pass

    run()
    assert all(np.array_equal(p[k], before[k]) for k in p)


# ---------------------------------------------------------------------------------------------
# Argument validation: every bad argument is named in the message
# ---------------------------------------------------------------------------------------------

_NET = numeric.MLP((2, 3, 1), hidden="relu")

BAD_ARGUMENTS = [
    pytest.param(gps.layer_sizes, {"min_layers": 0}, ValueError, "min_layers", id="min_layers=0"),
    pytest.param(gps.layer_sizes, {"min_layers": 3, "max_layers": 2}, ValueError,
                 "min_layers=3 is greater than max_layers=2", id="min_layers>max_layers"),
    pytest.param(gps.layer_sizes, {"max_width": 2.5}, TypeError, "max_width", id="max_width=2.5"),
    pytest.param(gps.layer_sizes, {"min_width": 4, "max_width": 3}, ValueError,
                 "min_width=4 is greater than max_width=3", id="min_width>max_width"),
    pytest.param(gps.activations, {"smooth": "yes"}, TypeError, "smooth", id="smooth='yes'"),
    pytest.param(gps.mlps, {"layout": "col"}, ValueError, "layout='col' is not one of",
                 id="mlps(layout='col')"),
    pytest.param(gps.mlps, {"loss": "nll"}, ValueError, "loss='nll' is not one of",
                 id="mlps(loss='nll')"),
    pytest.param(gps.mlps, {"hidden": "softmax"}, ValueError, "hidden='softmax'",
                 id="mlps(hidden='softmax')"),
    pytest.param(gps.mlps, {"reduction": "avg"}, ValueError, "reduction='avg'",
                 id="mlps(reduction='avg')"),
    pytest.param(gps.mlps, {"output": "relu"}, ValueError, "output='relu' is not one of",
                 id="mlps(output='relu')"),
    pytest.param(gps.mlps, {"output": "softmax", "loss": "bce"}, ValueError,
                 "output='softmax' does not go with loss='bce'; use 'ce'",
                 id="mlps(output='softmax', loss='bce')"),
    pytest.param(gps.mlps, {"half": True, "loss": "ce"}, ValueError, "half=True is the 1/2 of MSE",
                 id="mlps(half=True, loss='ce')"),
    pytest.param(gps.mlps, {"half": 1}, TypeError, "half must be a bool", id="mlps(half=1)"),
    pytest.param(gps.params, {"net": (2, 3)}, TypeError, "net must be a numeric.MLP",
                 id="params(net=tuple)"),
    pytest.param(gps.params, {"net": _NET, "dtype": np.int64}, TypeError, "dtype",
                 id="params(dtype=int64)"),
    pytest.param(gps.params, {"net": _NET, "max_weight": 0.0}, ValueError, "max_weight",
                 id="params(max_weight=0)"),
    pytest.param(gps.params, {"net": _NET, "max_bias": -1.0}, ValueError, "max_bias",
                 id="params(max_bias=-1)"),
    pytest.param(gps.batches, {"net": _NET, "min_samples": 0}, ValueError, "min_samples",
                 id="batches(min_samples=0)"),
    pytest.param(gps.batches, {"net": _NET, "min_samples": 5, "max_samples": 4,
                               "away_from_kinks": False}, ValueError,
                 "min_samples=5 is greater than max_samples=4", id="batches(min>max)"),
    pytest.param(gps.batches, {"net": _NET}, ValueError, "pass params=",
                 id="batches(relu net, params=None)"),
    pytest.param(gps.batches, {"net": _NET, "margin": -0.1, "away_from_kinks": False},
                 ValueError, "margin", id="batches(margin=-0.1)"),
    pytest.param(gps.batches, {"net": _NET, "params": {"W1": np.zeros((3, 2))}}, ValueError,
                 "params has keys", id="batches(params missing keys)"),
    pytest.param(gps.batches, {"net": _NET, "dtype": np.float32,
                               "params": numeric.init_params(_NET, rng=0)}, ValueError,
                 "dtype=float32 but params are float64", id="batches(dtype vs params)"),
    pytest.param(gps.problems, {"max_samples": 0}, ValueError, "max_samples",
                 id="problems(max_samples=0)"),
    pytest.param(gps.problems, {"widht": 3}, TypeError, "widht", id="problems(widht=3)"),
]


@pytest.mark.parametrize(("fn", "kwargs", "error", "match"), BAD_ARGUMENTS)
def test_invalid_arguments_raise_naming_the_argument(fn, kwargs, error, match):
    kwargs = dict(kwargs)
    net = kwargs.pop("net", None)
    args = () if net is None else (net,)
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)
