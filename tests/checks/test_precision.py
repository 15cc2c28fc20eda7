"""checks.precision: a float32-computed gradient is judged at float32; a float64 one is not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from checks import check_gradients
from checks.precision import BFLOAT16, FLOAT16, FLOAT32, effective_precision, significant_bits

X = np.linspace(-1.5, 2.0, 24).reshape(4, 6)


def f(x):
    return float(np.sum(np.sin(x) * x))


def grad64(x):
    return np.sin(x) + x * np.cos(x)


def _bf16(a):
    return (a.astype(np.float32).view(np.uint32) & np.uint32(0xFFFF0000)).view(np.float32)


@pytest.mark.parametrize(("cast", "expected"), [
    pytest.param(lambda g: g.astype(np.float32), FLOAT32, id="float32"),
    pytest.param(lambda g: g.astype(np.float16), FLOAT16, id="float16"),
    pytest.param(lambda g: _bf16(g * 1e-6), BFLOAT16, id="bfloat16 (outside float16's range)"),
    pytest.param(lambda g: g, None, id="float64"),
    pytest.param(lambda g: np.round(g * 4) / 4, None, id="round numbers: no evidence"),
])
def test_effective_precision_is_read_off_the_values(cast, expected):
    g = grad64(X)
    assert effective_precision([cast(g).astype(np.float64), None]) == expected


@given(hs.lists(hs.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v != 0), min_size=1,
                max_size=8))
def test_significant_bits_round_trip_through_float32_exactly_when_at_most_24(values):
    x = np.array(values)
    fits = x.astype(np.float32).astype(np.float64) == x
    in_range = np.abs(x) >= np.finfo(np.float32).tiny
    np.testing.assert_array_equal(fits[in_range], significant_bits(x)[in_range] <= 24)


def test_a_float32_computed_gradient_passes_and_the_result_says_why():
    result = check_gradients(f, X, lambda x: grad64(x).astype(np.float32).astype(np.float64),
                             seed=0)
    assert result.verdict == "pass", str(result)
    assert result.rtol == pytest.approx(np.sqrt(np.finfo(np.float32).eps))
    assert "analytic gradient has float32 precision: rtol 0.000345" in str(result)


def test_a_float64_gradient_with_one_entry_off_by_1e_6_still_fails():
    def wrong(x):
        g = grad64(x)
        g[2, 3] *= 1 + 1e-6
        return g

    result = check_gradients(f, X, wrong, seed=0)
    assert result.verdict == "fail" and result.precision is None
    assert result.params[0].diagnosis.kind == "few entries"
    assert result.params[0].worst_index == (2, 3)


def test_a_float32_gradient_with_a_real_error_still_fails_at_float32_precision():
    def wrong(x):
        g = grad64(x)
        g[1, 1] *= 1 + 1e-2
        return g.astype(np.float32).astype(np.float64)

    result = check_gradients(f, X, wrong, seed=0)
    assert result.verdict == "fail" and "float32 precision" in str(result)
    assert result.params[0].worst_index == (1, 1)


def test_an_explicit_rtol_is_kept_and_the_precision_still_stated():
    result = check_gradients(f, X, lambda x: grad64(x).astype(np.float32).astype(np.float64),
                             rtol=1e-12, seed=0)
    assert result.rtol == 1e-12 and result.verdict == "fail"
    assert "float32 precision (every entry is exactly a float32); rtol 1e-12 as given" in (
        str(result))


def test_float32_params_are_not_loosened_further():
    x = X.astype(np.float32)
    result = check_gradients(lambda x: np.sum(np.sin(x) * x), x, grad64, seed=0)
    assert result.precision is None and result.verdict == "pass"


def test_a_float16_computed_gradient_with_a_five_percent_error_fails():
    def wrong(x):
        return (1.05 * grad64(x)).astype(np.float16).astype(np.float64)

    result = check_gradients(f, X, wrong, seed=0)
    assert "float16 precision: rtol 0.0312" in str(result)
    assert result.verdict == "fail" and result.params[0].diagnosis.kind == "factor"
