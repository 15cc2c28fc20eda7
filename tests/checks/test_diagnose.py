"""checks.diagnose: each realistic bug is named; correct-looking arrays are not mislabelled."""

from __future__ import annotations

import numpy as np
import pytest

from checks import check_gradients
from checks.diagnose import diagnose

RNG = np.random.default_rng(7)
N = RNG.standard_normal((4, 4))
R = RNG.standard_normal((3, 5))
OK4, OK35 = np.ones((4, 4), bool), np.ones((3, 5), bool)


def _one_off(n):
    a = n.copy()
    a[1, 2] *= 1 + 1e-5
    return a


def _zeroed(n):
    a = n.copy()
    a[:, -1] = 0.0
    return a


@pytest.mark.parametrize(
    ("analytic", "numeric", "kind", "text"),
    [
        pytest.param(-N, N, "sign flip", "wrong sign", id="sign flip"),
        pytest.param(2 * N, N, "factor", "factor of 2", id="x2"),
        pytest.param(0.5 * N, N, "factor", "0.5", id="x0.5"),
        pytest.param(32 * N, N, "factor", "m = 32", id="x m (missing 1/m)"),
        pytest.param(N / 16, N, "factor", "1/16", id="divided by m twice"),
        pytest.param(N.T, N, "transpose", "numeric.T", id="transpose (square)"),
        pytest.param(R.T.reshape(3, 5), R, "reshape", "reshaped", id="reshape instead of .T"),
        pytest.param(R.reshape(5, 3).T, R, "reshape", "reversed shape",
                     id="reshape to the reversed shape, then .T"),
        pytest.param(R[::-1, ::-1], R, "reshape", "permutation", id="any permutation"),
        pytest.param(np.outer(R[:, 0], R[0, :]), R, "single sample", "rank-1",
                     id="one sample's outer product"),
        pytest.param(_zeroed(N), N, "zeroed", "left at 0", id="entries left at zero"),
        pytest.param(_one_off(N), N, "few entries", "(1, 2)", id="one entry off by 1e-5"),
        pytest.param(np.where(N > 0, np.nan, N), N, "non-finite", "NaN", id="NaN entries"),
    ],
)
def test_each_bug_gets_its_diagnosis(analytic, numeric, kind, text):
    ok = np.ones(numeric.shape, bool)
    wrong = ~np.isclose(analytic, numeric, rtol=1e-9, atol=0) | ~np.isfinite(analytic)
    d = diagnose(analytic, numeric, wrong, ok)
    assert d.kind == kind
    assert text in d.message


def test_symmetric_matrix_is_not_called_a_transpose():
    S = N + N.T
    a = S.copy()
    a[0, 0] += 1.0
    wrong = np.zeros(S.shape, bool)
    wrong[0, 0] = True
    assert diagnose(a, S, wrong, OK4).kind == "few entries"


def test_directional_diagnosis_only_claims_what_directions_can_show():
    n = RNG.standard_normal(8)
    assert diagnose(3 * n, n, np.ones(8, bool), np.ones(8, bool), entrywise=False).kind == "factor"
    scrambled = diagnose(n[::-1], n, np.ones(8, bool), np.ones(8, bool), entrywise=False)
    assert scrambled.kind == "unexplained" and "method='central'" in scrambled.message


def test_wrong_shape_diagnosis_through_the_checker():
    x = np.ones((2, 3))
    result = check_gradients(lambda x: np.sum(x**2), x, lambda x: 2 * x.T)
    d = result.params[0].diagnosis
    assert d.kind == "wrong shape" and "(3, 2)" in d.message and "(2, 3)" in d.message


def test_few_entries_is_decided_by_the_fraction_not_the_count():
    n = np.array([0.5, -0.25, 2.0])
    a = n + np.array([0.1, -0.3, 0.2])  # every entry of a 3-entry bias wrong
    every = np.ones(3, bool)
    d = diagnose(a, n, every, every)
    assert d.kind == "unexplained" and "3 of 3 entries disagree" in d.message
    assert "only" not in d.message
    big_n = np.linspace(1.0, 2.0, 12)
    one = np.zeros(12, bool)
    one[4] = True
    d = diagnose(np.where(one, 0.5, big_n), big_n, one, np.ones(12, bool))
    assert d.kind == "few entries" and d.message.startswith("only 1 of 12 entries disagree")


def test_wrong_entries_where_f_never_changed_blame_f_not_the_gradient():
    n = np.zeros((2, 3))
    a = np.array([[0.0, 0.0, 0.7], [0.0, 0.0, -0.2]])
    wrong = a != 0
    flat = np.zeros((2, 3), bool)
    flat[:, 2] = True
    d = diagnose(a, n, wrong, np.ones((2, 3), bool), unchanged=flat, name="W")
    assert d.kind == "f constant"
    assert d.message.startswith("f does not depend on W at 2 of its 6 entries, e.g. (0, 2)")
    d = diagnose(a, n, wrong, np.ones((2, 3), bool), unchanged=np.ones((2, 3), bool), name="W")
    assert d.message.startswith("f does not depend on W: f returned exactly f(x)")
