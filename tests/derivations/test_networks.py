"""Symbolic networks: shapes, the opaque sigmoid, and end-to-end gradient decisions.

Oracles: ``sympy.diff`` of the plain expression ``1 / (1 + exp(-z))`` for the sigmoid, exact
evaluation at rational points, and the textbook backward pass written independently here.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import Verdict
from derivations.decide import is_zero
from derivations.networks import (
    Sigmoid,
    decide_network,
    entrywise_grad,
    gradients,
    network,
    network_shapes,
    one_hot,
    stacked,
)

z = sp.Symbol("z", real=True)


def test_sigmoid_derivative_matches_the_plain_expression():
    plain = 1 / (1 + sp.exp(-z))
    opaque = sp.diff(Sigmoid(z), z).rewrite(sp.exp)
    assert sp.simplify(opaque - sp.diff(plain, z)) == 0


def test_sigmoid_evaluates_exactly_at_numbers_and_numerically():
    assert Sigmoid(sp.Integer(0)) == sp.Rational(1, 2)
    a = sp.Symbol("a", real=True)
    value = sp.N(Sigmoid(a).subs(a, sp.Rational(1, 3)), 30)
    assert abs(value - sp.N(1 / (1 + sp.exp(-sp.Rational(1, 3))), 30)) < sp.Float(10) ** -25


@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_shapes_follow_the_layout(layout):
    net = network((3, 2, 1), 4, layout=layout)
    cols = layout == "columns"
    assert net.X.shape == ((3, 4) if cols else (4, 3))
    assert net.params["W1"].shape == ((2, 3) if cols else (3, 2))
    assert net.params["b1"].shape == ((2, 1) if cols else (1, 2))
    assert net.A[-1].shape == net.Y.shape == ((1, 4) if cols else (4, 1))
    assert len(net.Z) == 2 and len(net.A) == 3
    assert list(net.params) == ["W1", "b1", "W2", "b2"]


def test_rows_network_is_the_columns_network_transposed():
    cols = network((2, 2, 1), 2, activations=("tanh", "identity"), loss="mse")
    rows = network((2, 2, 1), 2, layout="rows", activations=("tanh", "identity"), loss="mse")
    swap = {}
    for name, P in cols.params.items():
        for i in range(P.rows):
            for j in range(P.cols):
                swap[rows.params[name][j, i]] = P[i, j]
    for i in range(2):
        for j in range(2):
            swap[rows.X[j, i]] = cols.X[i, j]
    swap.update({rows.Y[j, 0]: cols.Y[0, j] for j in range(2)})
    assert is_zero(rows.loss.xreplace(swap) - cols.loss)


def test_reductions_divide_the_summed_loss():
    kw = {"activations": "identity", "loss": "mse"}
    total = network((1, 2), 3, reduction="sum", **kw).loss
    assert is_zero(network((1, 2), 3, reduction="mean", **kw).loss - total / 3)
    assert is_zero(network((1, 2), 3, reduction="mean_all", **kw).loss - total / 6)
    half = network((1, 2), 3, reduction="sum", half=True, **kw).loss
    assert is_zero(2 * half - total)


def test_ce_with_softmax_gives_p_minus_onehot():
    net = network((1, 3), 2, activations="softmax", loss="ce", reduction="sum", labels=(2, 0))
    g = gradients(net, names=["b1"])["b1"]
    expected = (net.A[-1] - net.Y) * sp.ones(2, 1)
    assert all(is_zero(g[i] - expected[i]) for i in range(3))
    # one-hot columns: sample 0 is class 2, sample 1 is class 0
    assert net.Y.tolist() == [[0, 1], [0, 0], [1, 0]]
    assert one_hot([2, 0], 3, layout="rows") == net.Y.T


def _textbook_columns(net):
    """dW, db for every layer of a sigmoid network with BCE mean over m (columns)."""
    m, L = net.m, len(net.sizes) - 1
    dZ = (net.A[-1] - net.Y) / m
    out = {}
    for layer in range(L, 0, -1):
        A_prev = net.A[layer - 1]
        out[f"W{layer}"] = dZ * A_prev.T
        out[f"b{layer}"] = dZ * sp.ones(m, 1)
        if layer > 1:
            dA = net.params[f"W{layer}"].T * dZ
            dZ = dA.multiply_elementwise(A_prev.applyfunc(lambda a: a * (1 - a)))
    return out


@settings(max_examples=20)
@given(st.tuples(*(st.integers(1, 2) for _ in range(4))))
def test_textbook_backprop_is_proven_on_drawn_shapes(dims):
    d = decide_network(_textbook_columns, n_layers=2, shapes=[dims])
    assert d.verdict is Verdict.PROVEN, d.reason


def test_three_layer_textbook_backprop_is_proven():
    d = decide_network(_textbook_columns, n_layers=3, shapes=network_shapes(3, count=4))
    assert d.verdict is Verdict.PROVEN, d.reason


def test_dropping_one_over_m_is_refuted_with_a_counterexample():
    def no_mean(net):
        return {k: v * net.m for k, v in _textbook_columns(net).items()}

    d = decide_network(no_mean, n_layers=2, corrected=_textbook_columns)
    assert d.verdict is Verdict.REFUTED
    assert d.counterexample is not None
    assert d.counterexample.stated != d.counterexample.correct
    assert d.corrected_check.verdict is Verdict.PROVEN


def test_wrong_shape_is_refuted_naming_the_parameter():
    def untransposed(net):
        g = _textbook_columns(net)
        g["W2"] = g["W2"].T
        return g

    d = decide_network(untransposed, n_layers=2)
    assert d.verdict is Verdict.REFUTED
    assert "dW2 has shape" in d.reason


def test_stacked_refuses_a_missing_formula():
    net = network((1, 1), 1)
    with pytest.raises(sp.ShapeError, match="no formula for dW1"):
        stacked({}, net.params)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"sizes": (2,), "m": 1}, "sizes must be", id="one size"),
        pytest.param({"sizes": (2, 0), "m": 1}, "sizes must be", id="zero width"),
        pytest.param({"sizes": (1, 1), "m": 0}, "m \\(samples\\)", id="m=0"),
        pytest.param({"sizes": (1, 1), "m": 1, "layout": "col"}, "'columns', 'rows'",
                     id="layout"),
        pytest.param({"sizes": (1, 1), "m": 1, "loss": "nll"}, "'bce', 'ce', 'mse'", id="loss"),
        pytest.param({"sizes": (1, 1), "m": 1, "reduction": "avg"}, "'mean', 'sum'",
                     id="reduction"),
        pytest.param({"sizes": (1, 1, 1), "m": 1, "activations": ("relu",)}, "one name per layer",
                     id="activation count"),
        pytest.param({"sizes": (1, 1, 1), "m": 1, "activations": ("softmax", "sigmoid")},
                     "only supported for the output", id="hidden softmax"),
        pytest.param({"sizes": (1, 2), "m": 2, "loss": "ce", "labels": (0,)}, "expected m = 2",
                     id="labels length"),
        pytest.param({"sizes": (1, 2), "m": 1, "loss": "ce", "labels": (5,)}, "class index",
                     id="label range"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        network(kwargs.pop("sizes"), kwargs.pop("m"), **kwargs)


def test_unknown_parameter_name_lists_the_choices():
    with pytest.raises(ValueError, match="choose from"):
        gradients(network((1, 1), 1), names=["W3"])


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_entrywise_grad_equals_diff_of_the_whole_loss(layout, reduction):
    net = network((2, 2, 1), 2, layout=layout, reduction=reduction,
                  activations=("tanh", "sigmoid"))
    for name, P in net.params.items():
        fast = entrywise_grad(net.loss, P)
        plain = P.applyfunc(lambda s: sp.diff(net.loss, s))
        assert all(is_zero(a - b) for a, b in zip(fast, plain, strict=True)), name


def test_entrywise_grad_keeps_a_constant_factor_outside_a_sum():
    x, y = sp.symbols("x y")
    L = sp.Mul(sp.Rational(1, 3), x**2 + x * y, evaluate=False)
    assert entrywise_grad(L, sp.Matrix([[x, y]])) == sp.Matrix([[(2 * x + y) / 3, x / 3]])
