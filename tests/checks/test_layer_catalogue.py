"""The checker against the layer bug catalogue (checks/layer_catalogue.py).

With default settings `checks.check_layer` must fail every wrong layer and pass (or, at
kinks, mark inconclusive) every correct one. Before that, the catalogue's ground truth is
checked against an independent oracle written here: Richardson-extrapolated central
differences of ``<u, forward(x)>`` in float64, entry by entry, with plain loops.
"""

from __future__ import annotations

import numpy as np
import pytest

from checks import layer_catalogue as lc

CORRECT = {c.name: c for c in lc.CORRECT}
WRONG = {c.name: c for c in lc.WRONG}

ORACLE_RTOL = 1e-7  # Richardson on these smooth float64 layers is good to ~1e-10
WRONG_MIN_REL = 1e-6  # a wrong backward differs from the truth by more than this somewhere


def _oracle(case, u):
    """Richardson central differences of <u, forward> w.r.t. every float-array input."""
    args, named = case.inputs()
    grads = []
    for k, a in enumerate(args):
        if not (isinstance(a, np.ndarray) and a.dtype.kind == "f"):
            continue
        g = np.zeros(a.shape)
        for i in np.ndindex(a.shape):
            def phi(t, k=k, i=i):
                b = [np.array(v, copy=True) if isinstance(v, np.ndarray) else
                     (dict(v) if isinstance(v, dict) else v) for v in args]
                b[k][i] += t
                return float(np.sum(u * case.forward(*b, **named)[0]))

            h = 1e-3 * max(1.0, abs(a[i]))
            d = [(phi(s) - phi(-s)) / (2 * s) for s in (h, h / 2, h / 4)]
            r1 = [(4 * d[j + 1] - d[j]) / 3 for j in range(2)]
            g[i] = (16 * r1[1] - r1[0]) / 15
        grads.append(g)
    return grads


def _backward(case, u):
    args, named = case.inputs()
    _, cache = case.forward(*args, **named)
    g = case.backward(u.copy(), cache)
    return list(g) if isinstance(g, tuple | list) else [g]


def _u(case):
    args, named = case.inputs()
    out, _ = case.forward(*args, **named)
    return np.random.default_rng(99).normal(size=out.shape)


def test_catalogue_has_the_cases_the_issue_asks_for():
    assert len(lc.WRONG) >= 15 and len(lc.CORRECT) >= 8
    assert len({c.name for c in lc.CASES}) == len(lc.CASES)
    layers = {c.layer for c in lc.WRONG}
    assert {"softmax", "conv", "maxpool", "batchnorm", "rnn", "upsample", "dropout"} <= layers


@pytest.mark.parametrize("name", sorted(n for n, c in CORRECT.items() if not c.kink))
def test_oracle_correct_cases_are_correct(name):
    case = CORRECT[name]
    u = _u(case)
    for got, want in zip(_backward(case, u), _oracle(case, u), strict=True):
        np.testing.assert_allclose(got, want, rtol=ORACLE_RTOL, atol=ORACLE_RTOL)


@pytest.mark.parametrize("name", sorted(n for n in WRONG if n != "maxpool_ties_all"))
def test_oracle_wrong_cases_are_wrong(name):
    case = WRONG[name]
    u = _u(case)
    got, want = _backward(case, u), _oracle(case, u)
    rel = [np.max(np.abs(np.asarray(g) - w) / np.maximum(np.abs(w), 1e-3))
           if np.shape(g) == w.shape else np.inf for g, w in zip(got, want, strict=False)]
    assert len(got) != len(want) or max(rel) > WRONG_MIN_REL


def test_oracle_ties_all_gives_away_more_gradient_than_arrives():
    # non-overlapping windows: a correct max-pool routes each window's dout to one entry,
    # so sum(dx) == sum(dout); copying it to every tied maximum gives away more
    case = WRONG["maxpool_ties_all"]
    u = np.ones_like(_u(case))
    assert np.sum(_backward(case, u)[0]) > np.sum(u) + 1
    assert np.sum(_backward(CORRECT["maxpool_ties"], u)[0]) == pytest.approx(np.sum(u))


def test_checker_fails_every_wrong_layer_and_no_correct_one(capsys):
    outcomes = lc.run_layer_catalogue()
    with capsys.disabled():
        print("\n" + lc.format_layer_table(outcomes))
    unexpected = [o.case.name for o in outcomes if not o.as_expected]
    assert unexpected == []
    by_name = {o.case.name: o for o in outcomes}
    assert "diagonal only" in by_name["softmax_diagonal_only"].diagnosis
    assert "ties" in by_name["maxpool_ties_all"].diagnosis
    assert "factor" in by_name["conv_db_mean"].diagnosis
    assert "shifted" in by_name["conv_pad_crop_offset"].diagnosis
    assert "shifted" in by_name["maxpool_pad_crop_offset"].diagnosis
    assert "diagonal only" in by_name["batchnorm_dx_constant_stats"].diagnosis
    assert by_name["maxpool_ties"].verdict == "inconclusive"  # ties are kinks, honestly


def test_checker_leaves_the_catalogue_inputs_alone():
    case = CORRECT["batchnorm_train"]
    args, named = case.inputs()
    saved = [a.copy() if isinstance(a, np.ndarray) else dict(a) for a in args]
    from checks import check_layer

    check_layer(case.forward, case.backward, *args, **named)
    for a, s in zip(args, saved, strict=True):
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, s)
        else:
            assert a == s
