"""The peers of ``benchmarks.bench_layers``: each wrapper gives the verdict its checker gives."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.bench_layers import _score, cs231n, eval_numerical_gradient_array, ours, rel_error
from checks import layer_catalogue as lc

CASES = {c.name: c for c in lc.CASES}


def test_cs231n_numeric_gradient_is_the_vjp_and_restores_x():
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    before = x.copy()
    df = np.arange(6.0).reshape(2, 3)
    g = eval_numerical_gradient_array(np.sin, x, df)
    np.testing.assert_allclose(g, np.cos(before) * df, rtol=1e-8)
    assert np.array_equal(x, before)
    assert rel_error(np.ones(2), np.ones(2)) == 0.0


@pytest.mark.parametrize(("name", "want"), [("softmax_full_jacobian", "pass"),
                                            ("softmax_diagonal_only", "fail"),
                                            ("batchnorm_std_without_eps", "fail")])
def test_cs231n_verdicts(name, want):
    assert cs231n(CASES[name]) == want


def test_torch_gradcheck_wrapper_runs_the_numpy_layer():
    pytest.importorskip("torch")
    from benchmarks.bench_layers import torch_gradcheck

    assert torch_gradcheck(CASES["conv_pad1_stride2"]) == "pass"
    assert torch_gradcheck(CASES["conv_db_mean"]) == "fail"
    assert torch_gradcheck(CASES["batchnorm_std_without_eps"]) == "pass"  # rtol 1e-3 misses it


def test_score_counts_inconclusive_at_a_kink_as_no_alarm():
    cases = [CASES["maxpool_ties"], CASES["maxpool_ties_all"]]
    assert _score(cases, ["inconclusive", "fail"]) == {"caught": 1, "missed": 0,
                                                       "false alarms": 0}
    assert _score(cases, ["fail", "pass"]) == {"caught": 0, "missed": 1, "false alarms": 1}
    assert ours(CASES["maxpool_ties"]) == "inconclusive"


def test_jax_check_vjp_wrapper_runs_the_numpy_layer():
    pytest.importorskip("jax")
    from benchmarks.bench_layers import jax_check_vjp

    assert jax_check_vjp(CASES["conv_pad1_stride2"]) == "pass"
    assert jax_check_vjp(CASES["conv_db_mean"]) == "fail"
    assert jax_check_vjp(CASES["softmax_diagonal_only"]) == "fail"


def test_without_jax_the_rows_say_not_installed(monkeypatch):
    import sys

    from benchmarks import bench_layers

    monkeypatch.setitem(sys.modules, "jax", None)  # import jax now raises ImportError
    monkeypatch.setitem(sys.modules, "jax.test_util", None)
    peers, missing = bench_layers._peers()
    assert "jax check_vjp" not in peers and "not installed" in missing["jax check_vjp"]
    # two cases keep it short: quick mode runs CASES[:6] + WRONG[:6]
    monkeypatch.setattr(lc, "CASES", (CASES["affine_3d_input"],))
    monkeypatch.setattr(lc, "WRONG", (CASES["conv_db_mean"],))
    rows = bench_layers.run(quick=True)
    assert rows and all("not installed" in r.extra["jax check_vjp"] for r in rows)
    assert all(r.peer != "jax check_vjp" for r in rows)
    assert rows[0].extra["conv_db_mean"].startswith("wrong: ours fail")


def test_with_jax_the_rows_have_a_jax_peer(monkeypatch):
    pytest.importorskip("jax")
    from benchmarks import bench_layers

    monkeypatch.setattr(lc, "CASES", (CASES["affine_3d_input"],))
    monkeypatch.setattr(lc, "WRONG", (CASES["conv_db_mean"],))
    rows = {r.peer: r for r in bench_layers.run(quick=True)}
    assert rows["jax check_vjp"].extra["peer"] == "caught 1, missed 0, false alarms 0"
    assert "jax check_vjp" not in rows["CS231n rel_error < 1e-7"].extra
