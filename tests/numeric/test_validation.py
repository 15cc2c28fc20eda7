"""Bad input to every public function of numeric: one row per error, the message names the culprit.

In the style of Hypothesis' test_argument_validation.py: each row is a call that must raise,
the exception type, and the part of the message that tells the user what to fix.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import (
    MLP,
    backward,
    batched_loss,
    batched_loss_from,
    binary_cross_entropy,
    categorical_cross_entropy,
    forward,
    init_params,
    loss_and_grad,
    mean_squared_error,
    predict,
    spiral,
    train,
    two_class,
    unflatten_params,
)
from numeric.losses import _in_unit_interval

NET = MLP((2, 3, 1), hidden="relu", output="sigmoid", loss="bce")  # columns
CE = MLP((2, 3, 3), output="softmax", loss="ce", layout="rows")
P = init_params(NET, rng=0)
PCE = init_params(CE, rng=0)
X = np.random.default_rng(0).standard_normal((2, 4))  # columns: n_0 = 2, m = 4
Y = np.array([[0.0, 1.0, 1.0, 0.0]])
XR = X.T.copy()  # rows, for CE
LABELS = np.array([0, 2, 1, 0])


def _with(params, key, value):
    return {**params, key: value}


def _nan_at(a, index, value=np.nan):
    b = a.copy()
    b[index] = value
    return b


CASES = [
    # --- MLP spec ---------------------------------------------------------------------------
    pytest.param(lambda: MLP((2, 3, 1), hidden="sigmod"), ValueError,
                 r"hidden\[0\]='sigmod' is not one of 'sigmoid', 'tanh', 'relu'",
                 id="MLP(hidden='sigmod')"),
    pytest.param(lambda: MLP((2, 3, 1), output="softplus"), ValueError,
                 r"output='softplus' is not one of .*'identity', 'softmax'", id="MLP(output=?)"),
    pytest.param(lambda: MLP((2, 3, 1), loss="cross_entropy"), ValueError,
                 r"loss='cross_entropy' is not one of 'bce', 'ce', 'mse'", id="MLP(loss=?)"),
    pytest.param(lambda: MLP((2, 3, 1), layout="col"), ValueError,
                 r"layout='col' is not one of 'columns', 'rows'", id="MLP(layout='col')"),
    pytest.param(lambda: MLP((2, 3, 1), reduction="avg"), ValueError,
                 r"reduction='avg' is not one of 'mean', 'mean_all', 'sum'", id="MLP(reduction=?)"),
    pytest.param(lambda: MLP((2, 3, 4, 1), hidden=("relu",)), ValueError,
                 r"hidden has 1 entries, but sizes=\(2, 3, 4, 1\) has 2 hidden layers",
                 id="MLP(hidden count)"),
    pytest.param(lambda: MLP((2,)), ValueError, r"sizes=\(2,\) has 1 entries",
                 id="MLP(sizes=(2,))"),
    pytest.param(lambda: MLP((2, 0, 1)), ValueError, r"sizes\[1\] must be >= 1, got 0",
                 id="MLP(sizes with 0)"),
    pytest.param(lambda: MLP((2, 3.5, 1)), TypeError, r"sizes\[1\] must be an int",
                 id="MLP(sizes with float)"),
    pytest.param(lambda: MLP((2, 1), loss="bce", half=True), ValueError,
                 r"half=True applies to loss='mse' only", id="MLP(half with bce)"),
    pytest.param(lambda: MLP((2, 1), leaky_slope=-0.1), ValueError,
                 r"leaky_slope must be finite and >= 0", id="MLP(leaky_slope<0)"),
    # --- shapes -----------------------------------------------------------------------------
    pytest.param(lambda: forward(NET, P, X.T, Y), ValueError,
                 r"X has shape \(4, 2\), but layout='columns' needs \(n_in, m\) = \(2, m\).*"
                 r"pass layout='rows'", id="forward(X transposed)"),
    pytest.param(lambda: forward(NET, P, X[0], Y), ValueError, r"X has shape \(4,\)",
                 id="forward(X 1-D)"),
    pytest.param(lambda: forward(NET, _with(P, "W1", P["W1"].T), X, Y), ValueError,
                 r"params\['W1'\] has shape \(2, 3\), but layout='columns' needs "
                 r"\(n_out, n_in\) = \(3, 2\)", id="forward(W1 transposed)"),
    pytest.param(lambda: forward(NET, _with(P, "b2", np.zeros((1, 2))), X, Y), ValueError,
                 r"params\['b2'\] has shape \(1, 2\).*\(n_out, 1\) = \(1, 1\)",
                 id="forward(b2 shape)"),
    pytest.param(lambda: forward(CE, _with(PCE, "b1", np.zeros((3, 1))), XR, LABELS),
                 ValueError, r"params\['b1'\] has shape \(3, 1\).*\(1, n_out\) = \(1, 3\)",
                 id="forward(rows b1 as column)"),
    pytest.param(lambda: forward(NET, {k: v for k, v in P.items() if k != "b2"}, X, Y),
                 ValueError, r"missing \['b2'\]", id="forward(params missing b2)"),
    pytest.param(lambda: forward(NET, _with(P, "W3", P["W2"]), X, Y), ValueError,
                 r"unexpected \['W3'\]", id="forward(params extra W3)"),
    pytest.param(lambda: forward(NET, P, X, Y[:, :3]), ValueError,
                 r"Y has shape \(1, 3\), but the network's output for m = 4 samples has shape "
                 r"\(1, 4\)", id="forward(Y shape)"),
    pytest.param(lambda: forward(CE, PCE, XR, LABELS[:3]), ValueError,
                 r"Y has 3 entries, but X has m = 4 samples", id="forward(labels count)"),
    pytest.param(lambda: forward(NET, P, X[:, :0], Y[:, :0]), ValueError,
                 r"X has shape \(2, 0\): the batch is empty", id="forward(empty batch)"),
    # --- labels and targets -----------------------------------------------------------------
    pytest.param(lambda: forward(CE, PCE, XR, np.array([0, 3, 1, 0])), ValueError,
                 r"Y has label 3, out of range: labels must lie in \[0, 3\)",
                 id="forward(label 3 of 3 classes)"),
    pytest.param(lambda: forward(CE, PCE, XR, np.array([0, -1, 1, 0])), ValueError,
                 r"Y has label -1, out of range", id="forward(label -1)"),
    pytest.param(lambda: forward(CE, PCE, XR, np.array([0.0, 1.5, 1.0, 0.0])), TypeError,
                 r"Y holds class labels but has dtype float64; labels must be integers",
                 id="forward(float labels)"),
    pytest.param(lambda: forward(NET, P, X, 2 * Y), ValueError,
                 r"Y has values in \[0.0, 2.0\], but binary cross-entropy targets must lie in "
                 r"\[0, 1\]", id="forward(BCE target 2)"),
    # --- dtypes -----------------------------------------------------------------------------
    pytest.param(lambda: forward(NET, P, X.astype(int), Y), TypeError,
                 r"X has dtype int64, but a float32 or float64 array is needed",
                 id="forward(integer X)"),
    pytest.param(lambda: forward(NET, _with(P, "b1", P["b1"].astype(np.float32)), X, Y),
                 TypeError, r"params\['b1'\] has dtype float32, but params\['W1'\] has float64",
                 id="forward(mixed dtypes)"),
    pytest.param(lambda: forward(NET, _with(P, "W2", P["W2"].astype(int)), X, Y), TypeError,
                 r"params\['W2'\] has dtype int64", id="forward(integer W2)"),
    pytest.param(lambda: init_params(NET, dtype=np.int32), TypeError,
                 r"dtype must be float32 or float64, got int32", id="init_params(dtype=int32)"),
    # --- NaN and inf ------------------------------------------------------------------------
    pytest.param(lambda: forward(NET, P, _nan_at(X, (1, 2)), Y), ValueError,
                 r"X contains a non-finite value \(nan\) at index \(1, 2\)", id="forward(NaN X)"),
    pytest.param(lambda: forward(NET, _with(P, "W2", _nan_at(P["W2"], (0, 1), np.inf)), X, Y),
                 ValueError, r"params\['W2'\] contains a non-finite value \(inf\) at index "
                 r"\(0, 1\)", id="forward(inf W2)"),
    pytest.param(lambda: forward(NET, P, X, _nan_at(Y, (0, 3))), ValueError,
                 r"Y contains a non-finite value \(nan\)", id="forward(NaN Y)"),
    pytest.param(lambda: predict(NET, P, _nan_at(X, (0, 0), -np.inf)), ValueError,
                 r"X contains a non-finite value \(-inf\)", id="predict(-inf X)"),
    # --- other entry points -----------------------------------------------------------------
    pytest.param(lambda: forward("net", P, X, Y), TypeError, r"net must be an MLP, got str",
                 id="forward(net='net')"),
    pytest.param(lambda: backward(NET, P, cache=None), TypeError,
                 r"cache must be the Cache that forward\(\) returned", id="backward(cache=None)"),
    pytest.param(lambda: loss_and_grad(NET, P, X, Y, l2=-1.0), ValueError,
                 r"l2 must be finite and >= 0, got -1.0", id="loss_and_grad(l2=-1)"),
    pytest.param(lambda: binary_cross_entropy(Y, Y, reduction="none"), ValueError,
                 r"reduction='none' is not one of 'mean', 'mean_all', 'sum'",
                 id="binary_cross_entropy(reduction='none')"),
    pytest.param(lambda: mean_squared_error(Y, Y, layout="row"), ValueError,
                 r"layout='row' is not one of 'columns', 'rows'",
                 id="mean_squared_error(layout='row')"),
    pytest.param(lambda: mean_squared_error(Y, Y.T), ValueError,
                 r"Y has shape \(4, 1\), but A has shape \(1, 4\)", id="mean_squared_error(Y.T)"),
    pytest.param(lambda: categorical_cross_entropy(np.full((3, 4), 0.25), np.array([0, 1, 2])),
                 ValueError, r"Y has 3 labels, but P has m = 4 samples",
                 id="categorical_cross_entropy(labels count)"),
    # --- batched ----------------------------------------------------------------------------
    pytest.param(lambda: batched_loss(NET, np.zeros((5, 12)), X, Y), ValueError,
                 r"thetas has shape \(5, 12\), but \(K, P\) = \(K, 13\) is expected",
                 id="batched_loss(P=12)"),
    pytest.param(lambda: batched_loss(NET, np.zeros(13), X, Y), ValueError,
                 r"thetas has shape \(13,\)", id="batched_loss(thetas 1-D)"),
    pytest.param(lambda: batched_loss_from(NET, {"W2": np.zeros((2, 1, 3)),
                                                 "b2": np.zeros((2, 1, 1))}, X, Y, start=3),
                 ValueError, r"start=3 is out of range: 1 <= start <= L = 2",
                 id="batched_loss_from(start=3)"),
    pytest.param(lambda: batched_loss_from(NET, {"W2": np.zeros((2, 1, 3))}, X, Y, start=2),
                 ValueError, r"stacked has keys \['W2'\], but start=2 needs exactly "
                 r"\['W2', 'b2'\]", id="batched_loss_from(missing b2)"),
    pytest.param(lambda: batched_loss_from(NET, {"W2": np.zeros((2, 3, 1)),
                                                 "b2": np.zeros((2, 1, 1))}, X, Y, start=2),
                 ValueError, r"stacked\['W2'\] has shape \(2, 3, 1\).*\(2, 1, 3\)",
                 id="batched_loss_from(W2 transposed)"),
    pytest.param(lambda: batched_loss_from(NET, {"W2": np.zeros((2, 1, 3)),
                                                 "b2": np.zeros((2, 1, 1))}, X, Y, start=2),
                 ValueError, r"A_prev has shape \(2, 4\), but layout='columns' needs "
                 r"\(n_in, m\) = \(3, m\).* A_prev is the input of layer 2: cache.A\[1\]",
                 id="batched_loss_from(A_prev is X, not A1)"),
    pytest.param(lambda: unflatten_params(np.zeros(12), like=P), ValueError,
                 r"theta has shape \(12,\), but the parameters have P = 13 entries",
                 id="unflatten_params(P=12)"),
    # --- training ---------------------------------------------------------------------------
    pytest.param(lambda: train(NET, P, X, Y, method="adam", lr=0.1, epochs=1), ValueError,
                 r"method='adam' is not one of 'gd', 'sgd', 'minibatch'", id="train(method)"),
    pytest.param(lambda: train(NET, P, X, Y, lr=0.0, epochs=1), ValueError,
                 r"lr must be finite and > 0, got 0.0", id="train(lr=0)"),
    pytest.param(lambda: train(NET, P, X, Y, lr=0.1, epochs=-1), ValueError,
                 r"epochs must be >= 0, got -1", id="train(epochs=-1)"),
    pytest.param(lambda: train(NET, P, X, Y, method="minibatch", lr=0.1, epochs=1), ValueError,
                 r"method='minibatch' needs batch_size", id="train(minibatch, no batch_size)"),
    pytest.param(lambda: train(NET, P, X, Y, lr=0.1, epochs=1, batch_size=2), ValueError,
                 r"method='gd' uses the full batch, but batch_size=2 was given",
                 id="train(gd with batch_size)"),
    pytest.param(lambda: train(NET, P, X, Y, method="sgd", lr=0.1, epochs=1, batch_size=2),
                 ValueError, r"method='sgd' uses batch_size 1, but batch_size=2",
                 id="train(sgd with batch_size=2)"),
    pytest.param(lambda: train(NET, P, X, Y, method="minibatch", lr=0.1, epochs=1,
                               batch_size=5), ValueError,
                 r"batch_size=5 exceeds the number of samples m = 4", id="train(batch_size>m)"),
    # --- data -------------------------------------------------------------------------------
    pytest.param(lambda: spiral(layout="cols"), ValueError,
                 r"layout='cols' is not one of 'columns', 'rows'", id="spiral(layout='cols')"),
    pytest.param(lambda: spiral(0), ValueError, r"n_per_class must be >= 1, got 0",
                 id="spiral(0)"),
    pytest.param(lambda: two_class(10, separation=-1.0), ValueError,
                 r"separation must be finite and >= 0", id="two_class(separation=-1)"),
]


@pytest.mark.parametrize("call, error, match", CASES)
def test_bad_input_raises_naming_the_culprit(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_inputs_are_unchanged_after_an_error():
    X_bad = _nan_at(X, (0, 0))
    before = {k: v.copy() for k, v in P.items()}
    with pytest.raises(ValueError):
        forward(NET, P, X_bad, Y)
    assert np.isnan(X_bad[0, 0])
    for key, value in P.items():
        np.testing.assert_array_equal(value, before[key])


@settings(max_examples=300, deadline=None)
@given(
    dtype=st.sampled_from([np.float32, np.float64]),
    values=st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from([0.0, -0.0, 1.0, 5e-324, -5e-324, 1.0000000000000002, -1e-300]),
            st.floats(0.0, 1.0),
        ),
        min_size=1, max_size=12,
    ),
    transposed=st.booleans(),
)
def test_bce_target_range_test_agrees_with_the_two_comparisons(dtype, values, transposed):
    """check_targets' one-reduction test of [0, 1] (bits as unsigned integers) is exact.

    Against the plain definition, on the cases the bit trick must get right: -0.0 (in range,
    but its bits read large), the subnormals on both sides of 0, the next float after 1,
    NaN and the infinities; in both dtypes and on a non-contiguous view.
    """
    with np.errstate(over="ignore"):  # a float64 beyond float32's range casts to inf: a case
        Y = np.array(values, dtype=np.float64).astype(dtype).reshape(1, -1)
    if transposed:
        Y = np.repeat(Y, 2, axis=0).T[:, :1]  # (m, 1), strided
    expected = bool(np.all((Y >= 0) & (Y <= 1)))
    assert _in_unit_interval(Y) is expected
