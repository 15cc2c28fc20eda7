"""checks.steps: automatic steps per entry; perturbed values in the parameter's dtype."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from checks import steps as st
from checks.methods import FD_METHODS

EPS = {np.float64: float(np.finfo(np.float64).eps), np.float32: float(np.finfo(np.float32).eps)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("kind", "power"), [("forward", 1 / 2), ("central", 1 / 3),
                                             ("richardson", 1 / 6), ("complex", 2.0)])
def test_steps_scale_with_eps_and_magnitude(dtype, kind, power):
    x = np.array([0.0, 0.5, -3.0, 1e4], dtype=dtype)
    h = st.steps(x, FD_METHODS[kind].exponent)
    assert h.dtype == np.float64
    np.testing.assert_allclose(h, EPS[dtype] ** power * np.array([1, 1, 3, 1e4]), rtol=1e-12)


@given(x=hnp.arrays(hs.sampled_from([np.float32, np.float64]), hnp.array_shapes(max_dims=2),
                    elements=hs.floats(-1e6, 1e6, width=32)),
       multiple=hs.sampled_from([1.0, -1.0, 2.0, -4.0]),
       kind=hs.sampled_from(["central", "richardson", "forward"]))
def test_offsets_keep_dtype_move_every_entry_the_right_way(x, multiple, kind):
    h = st.steps(x, FD_METHODS[kind].exponent)
    moved = st.offset(x, h, multiple)
    assert moved.dtype == x.dtype and moved.shape == x.shape
    taken = st.taken(x, moved)
    assert np.all(np.sign(taken) == np.sign(multiple))
    # the step actually taken is the requested one up to rounding to the dtype
    np.testing.assert_allclose(taken, multiple * h, rtol=0.0,
                               atol=float(np.finfo(x.dtype).eps) * float(np.max(
                                   np.abs(x), initial=1.0)) * 2)


def test_offset_never_returns_the_same_value_below_half_an_ulp():
    x = np.array([1e20, -1e20], dtype=np.float32)
    moved = st.offset(x, np.array([1e-3, 1e-3]), 1.0)
    assert np.all(moved > x)
