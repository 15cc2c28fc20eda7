"""checks.vjp: check_vjp and check_jacobian on vector-valued functions, right and wrong."""

from __future__ import annotations

import numpy as np
import pytest

from checks import GradientMismatch, Verdict
from checks.vjp import LayerError, assert_jacobian, assert_vjp, check_jacobian, check_vjp


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_vjp(x, u):
    s = softmax(x)
    return s * (u - np.sum(u * s, axis=-1, keepdims=True))


X = np.random.default_rng(0).normal(size=(3, 4))


def test_correct_vjp_passes_under_every_cotangent():
    r = check_vjp(softmax, X, softmax_vjp, cotangents=np.ones((3, 4)))
    assert r.verdict == Verdict.PASS
    assert len(r.cotangents) == 4 and r.labels == ("given", "random", "random", "random")
    # u = 1 is flat for a softmax (its columns sum to 1): that cotangent decides nothing, and
    # the random ones pass
    given, *randoms = r.per_cotangent
    assert given.verdict == Verdict.INCONCLUSIVE
    assert all(c.verdict == Verdict.PASS for c in randoms)


def test_diagonal_only_softmax_is_named():
    r = check_vjp(softmax, X, lambda x, u: u * softmax(x) * (1 - softmax(x)))
    assert r.verdict == Verdict.FAIL
    assert r.params[0].diagnosis.kind == "diagonal only"


def test_elementwise_layer_with_a_factor_is_a_factor_not_diagonal_only():
    r = check_vjp(np.tanh, X, lambda x, u: 2 * u * (1 - np.tanh(x) ** 2))
    assert r.params[0].diagnosis.kind == "factor"


def test_vjp_that_ignores_u_passes_u_of_ones_and_is_exposed_by_a_random_cotangent():
    # the classic slip: backward returns J^T 1 (the VJP for dout = ones), whatever dout is
    f = lambda x: softmax(x) * np.arange(1.0, 5.0)  # noqa: E731
    def right(x, u):
        return softmax_vjp(x, u * np.arange(1.0, 5.0))

    def wrong(x, u):
        return right(x, np.ones_like(u))

    assert check_vjp(f, X, right, cotangents=np.ones((3, 4))).passed
    r = check_vjp(f, X, wrong, cotangents=np.ones((3, 4)))
    assert r.verdict == Verdict.FAIL
    assert r.per_cotangent[0].verdict == Verdict.PASS  # the given cotangent hides it
    assert dict(r.exposed_by)["params"] == 1
    assert r.cotangent_for("params") is r.cotangents[1]
    assert "exposed by cotangent #1 (random" in str(r)


def test_f_is_evaluated_once_per_point_for_all_cotangents():
    calls = [0]

    def f(x):
        calls[0] += 1
        return softmax(x)

    one = check_vjp(f, X, softmax_vjp, random_cotangents=1)
    n_one = calls[0]
    calls[0] = 0
    many = check_vjp(f, X, softmax_vjp, random_cotangents=6)
    assert one.passed and many.passed
    # seven cotangents cost what one costs, bar a few refinements
    assert calls[0] <= n_one + 0.25 * X.size * 2
    assert many.evaluations <= calls[0]


def test_dict_inputs_name_the_input_and_the_index():
    inputs = {"x": X.copy(), "w": np.random.default_rng(1).normal(size=(4, 2))}

    def f(p):
        return np.tanh(p["x"] @ p["w"])

    def vjp(p, u):
        dz = u * (1 - np.tanh(p["x"] @ p["w"]) ** 2)
        dw = p["x"].T @ dz
        dw[2, 1] += 1e-3
        return {"x": dz @ p["w"].T, "w": dw}

    r = check_vjp(f, inputs, vjp)
    assert r["x"].verdict == Verdict.PASS
    assert r["w"].verdict == Verdict.FAIL and r["w"].worst_index == (2, 1)


def test_inputs_are_never_modified_also_when_vjp_raises():
    x = X.copy()
    before = x.tobytes()

    def vjp(x, u):
        x[...] = 0.0
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        check_vjp(softmax, x, vjp)
    assert x.tobytes() == before
    check_vjp(softmax, x, softmax_vjp)
    assert x.tobytes() == before


def test_vjp_writing_into_its_cotangent_is_an_error():
    def vjp(x, u):
        u *= 1 - np.tanh(x) ** 2
        return u

    with pytest.raises(LayerError, match=r"wrote into the cotangent.*dout.copy\(\)"):
        check_vjp(np.tanh, X, vjp)


def test_ties_copied_to_every_maximum_fail_and_routing_to_one_is_inconclusive():
    x = np.array([[1.0, 1.0, 0.5], [0.2, 2.0, 2.0]])  # each row's max is tied

    def rowmax(x):
        return x.max(axis=1)

    def one(x, u):
        g = np.zeros_like(x)
        g[np.arange(2), x.argmax(axis=1)] = u
        return g

    def all_tied(x, u):
        return (x == x.max(axis=1, keepdims=True)) * u[:, None]

    assert check_vjp(rowmax, x, one).verdict == Verdict.INCONCLUSIVE
    r = check_vjp(rowmax, x, all_tied)
    assert r.verdict == Verdict.FAIL and r.params[0].diagnosis.kind == "ties"


def test_relu_at_zero_stays_inconclusive_moving_the_zeros_together_is_still_a_kink():
    x = np.array([0.0, 1.0, -2.0, 0.0])
    r = check_vjp(lambda x: np.maximum(x, 0), x, lambda x, u: u * (x > 0))
    assert r.verdict == Verdict.INCONCLUSIVE


def test_float32_layer_passes_at_float32_precision():
    x = X.astype(np.float32)
    r = check_vjp(softmax, x, softmax_vjp)
    assert r.verdict == Verdict.PASS
    wrong = check_vjp(softmax, x, lambda x, u: 1.01 * softmax_vjp(x, u))
    assert wrong.verdict == Verdict.FAIL


def test_assert_vjp_raises_with_the_table():
    with pytest.raises(GradientMismatch, match="vjp check: FAIL") as info:
        assert_vjp(np.tanh, X, lambda x, u: u)
    assert info.value.result.verdict == Verdict.FAIL
    assert assert_vjp(np.tanh, X, lambda x, u: u * (1 - np.tanh(x) ** 2)).passed


def test_nondeterministic_f_is_reported():
    rng = np.random.default_rng(0)
    from checks import OutputError

    with pytest.raises(OutputError, match="not deterministic"):
        check_vjp(lambda x: x * rng.random(), X, lambda x, u: u)


# ---------------------------------------------------------------------------------------------
# check_jacobian
# ---------------------------------------------------------------------------------------------


x4 = np.random.default_rng(2).normal(size=4)
s4 = softmax(x4)
J4 = np.diag(s4) - np.outer(s4, s4)


def test_jacobian_right_passes_and_is_laid_out_out_then_in():
    f = lambda x: np.array([x[0] * x[1], np.sin(x[1]), x[2] ** 2])  # noqa: E731
    x = np.array([0.5, 2.0, -1.0])
    J = np.array([[x[1], x[0], 0], [0, np.cos(x[1]), 0], [0, 0, 2 * x[2]]])
    assert check_jacobian(f, x, J).passed
    assert check_jacobian(f, x, J.T).verdict == Verdict.FAIL


def test_jacobian_diagonal_only_is_named():
    r = check_jacobian(softmax, x4, np.diag(s4 * (1 - s4)))
    assert r.verdict == Verdict.FAIL and r.params[0].diagnosis.kind == "diagonal only"


def test_jacobian_one_wrong_entry_is_located():
    J = J4.copy()
    J[1, 3] += 1e-5
    r = check_jacobian(softmax, x4, J)
    assert r.verdict == Verdict.FAIL and r.params[0].worst_index == (1, 3)
    assert int((r.params[0].status == 1).sum()) == 1


def test_jacobian_of_matrix_input_and_output():
    r = check_jacobian(softmax, X, _softmax_jac)
    assert r.passed and r.params[0].shape == (3, 4, 3, 4)


def _softmax_jac(x):
    s = softmax(x)
    J = np.zeros(x.shape + x.shape)
    for i in range(x.shape[0]):
        J[i, :, i, :] = np.diag(s[i]) - np.outer(s[i], s[i])
    return J


def test_jacobian_transposed_layout_is_named():
    f = lambda x: np.concatenate([x, x**2])  # noqa: E731
    J = np.vstack([np.eye(4), np.diag(2 * x4)])
    r = check_jacobian(f, x4, J.T)
    assert r.verdict == Verdict.FAIL and "transpose it" in r.params[0].diagnosis.message
    assert check_jacobian(f, x4, J).passed


def test_assert_jacobian_raises():
    with pytest.raises(GradientMismatch, match="jacobian check: FAIL"):
        assert_jacobian(softmax, x4, np.eye(4))


def test_a_gradient_moved_by_a_crop_offset_is_diagnosed_shifted():
    w = np.random.default_rng(3).normal(size=(2, 5, 5))
    x = np.random.default_rng(4).normal(size=(2, 5, 5))

    def moved(x, u):  # dx_pad[..., :H, :W] for pad 1: every entry one step down-right
        g = np.zeros_like(x)
        g[:, 1:, 1:] = (u * w)[:, :-1, :-1]
        return g

    r = check_vjp(lambda x: w * x, x, moved)
    d = r.params[0].diagnosis
    assert d.kind == "shifted" and "(1, 1)" in d.message
    assert check_vjp(lambda x: w * x, x, lambda x, u: u * w).passed
