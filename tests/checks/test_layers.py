"""checks.layers: check_layer on CS231n-style forward/backward pairs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from checks import GradientMismatch, Verdict, check_vjp
from checks.layers import LayerError, assert_layer, check_layer

RNG = np.random.default_rng(0)
X, W, B = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 2)), RNG.normal(size=2)


def affine_forward(x, w, b):
    return x @ w + b, (x, w, b)


def affine_backward(dout, cache):
    x, w, _ = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def bn_forward(x, gamma, beta, bn_param):
    mu, var = x.mean(axis=0), x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + bn_param["eps"])
    bn_param["running_mean"] = 0.9 * bn_param.get("running_mean", 0.0) + 0.1 * mu
    return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + bn_param["eps"]))


def bn_backward(dout, cache):
    xhat, gamma, std = cache
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0)) / std
    return dx, (dout * xhat).sum(0), dout.sum(0)


def test_affine_layer_one_line_names_inputs_from_the_signature():
    r = check_layer(affine_forward, affine_backward, X, W, B)
    assert r.verdict == Verdict.PASS
    assert [p.name for p in r.params] == ["x", "w", "b"]
    assert r.kind == "layer" and str(r).startswith("layer check: PASS")


def test_inputs_by_name_and_mixed():
    assert check_layer(affine_forward, affine_backward, x=X, w=W, b=B).passed
    assert check_layer(affine_forward, affine_backward, X, W, b=B).passed


def test_wrong_db_names_the_input_and_the_cotangent():
    def backward(dout, cache):
        dx, dw, _db = affine_backward(dout, cache)
        return dx, dw, dout.mean(axis=0)

    r = check_layer(affine_forward, backward, X, W, B, upstream=np.ones((4, 2)))
    assert r["b"].verdict == Verdict.FAIL and r["x"].passed and r["w"].passed
    assert r["b"].diagnosis.kind == "factor"
    assert dict(r.exposed_by)["b"] == 0 and r.labels[0] == "given"


def test_wrt_checks_only_the_named_inputs():
    def backward(dout, cache):  # dw is wrong, but only x is checked
        dx, dw, db = affine_backward(dout, cache)
        return dx, 2 * dw, db

    r = check_layer(affine_forward, backward, X, W, B, wrt="x")
    assert r.passed and [p.name for p in r.params] == ["x"]
    assert check_layer(affine_forward, backward, X, W, B, wrt=["w"]).verdict == Verdict.FAIL


def test_non_array_inputs_are_fresh_copies_and_the_callers_dict_is_untouched():
    x = 2.0 + RNG.normal(size=(5, 3))
    gamma, beta = RNG.normal(size=3), RNG.normal(size=3)
    bn_param = {"eps": 1e-5}
    r = check_layer(bn_forward, bn_backward, x, gamma, beta, bn_param)
    assert r.passed
    assert bn_param == {"eps": 1e-5}


def test_callers_arrays_unchanged_also_when_forward_or_backward_raise():
    x, w, b = X.copy(), W.copy(), B.copy()
    saved = [a.tobytes() for a in (x, w, b)]

    def bad_forward(x, w, b):
        x *= 2.0
        w[0] = 1.0
        raise RuntimeError("forward failed")

    with pytest.raises(RuntimeError, match="forward failed"):
        check_layer(bad_forward, affine_backward, x, w, b)

    calls = [0]

    def bad_backward(dout, cache):
        calls[0] += 1
        if calls[0] == 2:
            raise RuntimeError("backward failed")
        return affine_backward(dout, cache)

    with pytest.raises(RuntimeError, match="backward failed"):
        check_layer(affine_forward, bad_backward, x, w, b)
    check_layer(affine_forward, affine_backward, x, w, b)
    assert [a.tobytes() for a in (x, w, b)] == saved


def relu_forward(x):
    return np.maximum(x, 0.0), x


def test_backward_writing_into_dout_is_a_clear_error():
    def backward(dout, cache):
        dx = dout
        dx[cache <= 0] = 0.0
        return dx

    with pytest.raises(LayerError, match=r"backward wrote into the cotangent"):
        check_layer(relu_forward, backward, X)


def test_backward_writing_into_cache_is_a_clear_error():
    def backward(dout, cache):
        x, w, b = cache
        x -= 1.0
        return affine_backward(dout, (x + 1.0, w, b))

    with pytest.raises(LayerError, match=r"backward wrote into cache\[0\] \(shape \(4, 3\)\)"):
        check_layer(affine_forward, backward, X, W, B)


def test_forward_returning_only_out_is_a_clear_error():
    with pytest.raises(LayerError, match=r"forward must return \(out, cache\).*check_vjp"):
        check_layer(lambda x: np.tanh(x), lambda dout, cache: dout, X)


def test_backward_returning_one_array_for_three_inputs_is_a_clear_error():
    with pytest.raises(LayerError, match=r"return a tuple .*\(dx, dw, db\)"):
        check_layer(affine_forward, lambda dout, cache: dout @ cache[1].T, X, W, B)


def test_backward_may_return_a_dict_by_name():
    def backward(dout, cache):
        dx, dw, db = affine_backward(dout, cache)
        return {"x": dx, "w": dw, "b": db}

    assert check_layer(affine_forward, backward, X, W, B).passed


def test_missing_and_extra_gradients_fail():
    r = check_layer(affine_forward, lambda d, c: affine_backward(d, c)[:2], X, W, B)
    assert r.verdict == Verdict.FAIL and r["b"].diagnosis.kind == "missing"
    r = check_layer(affine_forward, lambda d, c: (*affine_backward(d, c), d), X, W, B)
    assert r.verdict == Verdict.FAIL and any("backward[3]" in p for p in r.problems)


def test_integer_inputs_pass_through_as_constants():
    idx = np.array([0, 2, 2, 1])

    def fwd(idx, W):
        return W[idx], (idx, W.shape)

    def bwd(dout, cache):
        idx, shape = cache
        dW = np.zeros(shape)
        np.add.at(dW, idx, dout)
        return (dW,)

    r = check_layer(fwd, bwd, idx, RNG.normal(size=(3, 2)))
    assert r.passed and [p.name for p in r.params] == ["W"]


def test_assert_layer_raises_gradient_mismatch_with_the_table():
    def backward(dout, cache):
        dx, dw, db = affine_backward(dout, cache)
        return dx, dw.T.reshape(dw.shape), db

    with pytest.raises(GradientMismatch, match=r"layer check: FAIL[\s\S]*w \(3, 2\): FAIL"):
        assert_layer(affine_forward, backward, X, W, B)


# ---------------------------------------------------------------------------------------------
# Properties over shapes (Hypothesis)
# ---------------------------------------------------------------------------------------------

_shapes = st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3))
_tame = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


@given(_shapes, st.data())
def test_affine_layer_of_any_shape_passes_and_a_dropped_sum_fails(shape, data):
    n, d, k = shape
    x = data.draw(hnp.arrays(np.float64, (n, d), elements=_tame))
    w = data.draw(hnp.arrays(np.float64, (d, k), elements=_tame))
    b = data.draw(hnp.arrays(np.float64, (k,), elements=_tame))
    saved = [a.tobytes() for a in (x, w, b)]
    r = check_layer(affine_forward, affine_backward, x, w, b)
    assert r.verdict == Verdict.PASS
    assert [p.shape for p in r.params] == [(n, d), (d, k), (k,)]
    if n > 1:  # db from the first sample only is wrong as soon as there are two samples
        wrong = check_layer(affine_forward,
                            lambda d_, c: (*affine_backward(d_, c)[:2], d_[0]), x, w, b)
        assert wrong["b"].verdict == Verdict.FAIL
    assert [a.tobytes() for a in (x, w, b)] == saved  # never modified


@given(st.tuples(st.integers(1, 3), st.integers(2, 6)), st.data())
def test_softmax_vjp_of_any_shape_passes_and_its_diagonal_fails(shape, data):
    z = data.draw(hnp.arrays(np.float64, shape, elements=_tame))

    def softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    right = check_vjp(softmax, z, lambda z, u: softmax(z) * (
        u - np.sum(u * softmax(z), axis=-1, keepdims=True)))
    assert right.verdict == Verdict.PASS
    diag = check_vjp(softmax, z, lambda z, u: u * softmax(z) * (1 - softmax(z)))
    assert diag.verdict == Verdict.FAIL


def test_process_pool_gives_the_same_verdicts_on_catalogue_layers():
    from concurrent.futures import ProcessPoolExecutor

    from checks import layer_catalogue as lc

    cases = {c.name: c for c in lc.CASES}
    picked = [cases["conv_pad1_stride2"], cases["conv_db_mean"], cases["softmax_diagonal_only"]]
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = []
        for case in picked:
            args, named = case.inputs()
            pooled.append(check_layer(case.forward, case.backward, *args, executor=pool,
                                      **named))
    for case, r in zip(picked, pooled, strict=True):
        args, named = case.inputs()
        local = check_layer(case.forward, case.backward, *args, **named)
        assert r.verdict == local.verdict
        assert [p.verdict for p in r.params] == [p.verdict for p in local.params]
        for p, q in zip(r.params, local.params, strict=True):
            np.testing.assert_array_equal(p.numeric, q.numeric)
