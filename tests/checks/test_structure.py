"""checks.structure: params normalisation, rebuilding, gradient matching (no broadcasting)."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from checks.structure import normalise_grad, normalise_params, private_copies


@pytest.mark.parametrize(
    ("params", "kind", "names"),
    [
        pytest.param(np.zeros(3), "array", ("params",), id="array"),
        pytest.param([np.zeros(2), np.ones((1, 2))], "list", ("params[0]", "params[1]"),
                     id="list"),
        pytest.param((np.zeros(2),), "tuple", ("params[0]",), id="tuple"),
        pytest.param({"W": np.zeros((2, 2)), "b": np.zeros(2)}, "dict", ("W", "b"), id="dict"),
    ],
)
def test_normalise_params_records_kind_names_and_rebuilds_the_same_kind(params, kind, names):
    structure, arrays = normalise_params(params)
    assert structure.kind == kind and structure.names == names
    rebuilt = structure.build(private_copies(arrays))
    assert type(rebuilt) is type(params)
    if kind == "dict":
        assert list(rebuilt) == list(params)


@given(shapes=hs.lists(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
                       min_size=1, max_size=4),
       dtype=hs.sampled_from([np.float32, np.float64]))
def test_private_copies_keep_shape_dtype_values_and_share_no_memory(shapes, dtype):
    arrays = [np.array(np.arange(np.prod(s), dtype=dtype).reshape(s), order="F") for s in shapes]
    structure, originals = normalise_params(arrays)
    copies = private_copies(originals)
    assert structure.shapes == tuple(shapes)
    assert structure.n_entries == sum(int(np.prod(s)) for s in shapes)
    for a, c in zip(arrays, copies, strict=True):
        assert c.dtype == a.dtype and c.shape == a.shape and c.flags.c_contiguous
        assert np.array_equal(a, c) and not np.shares_memory(a, c)


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        pytest.param(np.arange(3), TypeError, r"params has dtype int64.*astype", id="int"),
        pytest.param([np.zeros(2), np.array([1, 2])], TypeError, r"params\[1\] has dtype",
                     id="int entry in list"),
        pytest.param({"W": np.array(["a"])}, TypeError, "W has dtype", id="strings"),
        pytest.param({}, ValueError, "empty dict", id="empty dict"),
        pytest.param([], ValueError, "empty list", id="empty list"),
        pytest.param("W", TypeError, "got str", id="a string"),
    ],
)
def test_normalise_params_errors(params, exc, match):
    with pytest.raises(exc, match=match):
        normalise_params(params)


def test_normalise_grad_reports_every_problem_without_broadcasting():
    structure, _ = normalise_params({"W": np.zeros((2, 3)), "b": np.zeros((2, 1)),
                                     "c": np.zeros(1)})
    arrays, problems = normalise_grad(
        {"W": np.zeros((3, 2)), "b": np.zeros(2), "extra": np.zeros(5)}, structure)
    assert arrays == [None, None, None]
    kinds = {(p.name, p.kind) for p in problems}
    assert kinds == {("W", "wrong shape"), ("b", "wrong shape"), ("c", "missing"),
                     ("extra", "extra")}
    messages = " ".join(p.message for p in problems)
    assert "(3, 2)" in messages and "(2, 3)" in messages and "(5,)" in messages


def test_normalise_grad_converts_to_float64_and_accepts_integer_zeros():
    structure, _ = normalise_params([np.zeros(2, np.float32), np.zeros(3)])
    arrays, problems = normalise_grad([np.ones(2, np.float32), np.zeros(3, int)], structure)
    assert problems == []
    assert all(a.dtype == np.float64 for a in arrays)
