"""checks.result: frozen results and the text a user pastes into a bug report."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from checks import GradientMismatch, Verdict, check_gradients


def _result(factor=1.0):
    params = {"W": np.linspace(-1, 1, 12).reshape(3, 4), "b": np.array([0.5, -0.5])}

    def f(p):
        return np.sum(np.sin(p["W"])) + np.sum(p["b"] ** 2)

    return check_gradients(f, params, lambda p: {"W": factor * np.cos(p["W"]),
                                                 "b": 2 * p["b"]}, seed=3)


def test_results_are_frozen():
    result = _result()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = Verdict.FAIL  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.params[0].verdict = Verdict.FAIL  # type: ignore[misc]


def test_failing_table_shows_worst_entries_with_index_values_error_bar_and_diagnosis():
    result = _result(factor=-1.0)
    text = str(result)
    lines = text.splitlines()
    assert lines[0].startswith("gradient check: FAIL")
    assert "W (3, 4): FAIL" in text and "b (2,): PASS" in text
    header = next(line for line in lines if "analytic" in line)
    assert all(w in header for w in ("index", "analytic", "numeric", "|diff|", "error bar"))
    w = result["W"]
    assert f"{w.worst_index}" in text
    assert "diagnosis: sign flip" in text
    # the worst index really is the entry with the largest discrepancy over its allowance
    ratio = np.abs(w.analytic - w.numeric) / w.allowance
    assert w.worst_index == np.unravel_index(np.argmax(ratio), w.shape)
    assert w.worst_error_bar == w.error_bar[w.worst_index]
    assert len([line for line in lines if "FAIL" in line and "(" in line.split()[0]]) <= 5


def test_passing_result_fields_and_short_repr():
    result = _result()
    assert result.passed and result.verdict == "pass" and result.diagnoses == {}
    w = result["W"]
    assert w.shape == (3, 4) and w.analytic.shape == (3, 4) and w.status.shape == (3, 4)
    assert w.max_abs_error < 1e-8 and w.max_rel_error < 1e-7
    assert len(repr(result)) < 120 and "W" in repr(result)
    with pytest.raises(KeyError, match="the parameters are"):
        result["nope"]


def test_raise_if_failed():
    _result().raise_if_failed()
    with pytest.raises(GradientMismatch, match="diagnosis: factor"):
        _result(factor=2.0).raise_if_failed()
