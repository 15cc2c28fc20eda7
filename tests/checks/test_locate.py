"""checks.locate: adaptive group testing finds the wrong entries among many, cheaply."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from checks import OutputError, Status, Verdict, check_gradients
from checks.locate import locate_gradient_errors

RNG = np.random.default_rng(0)
P = 20_000
X = RNG.normal(size=P)
Wt = RNG.normal(size=P)


def f(x):
    return float(Wt @ np.sin(x))


def grad(x):
    return Wt * np.cos(x)


def _counted(fn):
    calls = [0]

    def wrapped(x):
        calls[0] += 1
        return fn(x)

    return wrapped, calls


def test_one_wrong_entry_is_located_with_far_fewer_evaluations_than_a_full_check():
    g = grad(X)
    g[12_345] *= 1.001
    fc, calls = _counted(f)
    r = locate_gradient_errors(fc, X, g)
    pc = r.params[0]
    assert r.verdict == Verdict.FAIL and r.method == "group testing"
    assert np.flatnonzero(pc.status == Status.FAIL).tolist() == [12_345]
    assert pc.worst_index == (12_345,)
    assert calls[0] <= 2 * P // 100  # a full check costs 2P = 40,000: >= 100x fewer
    assert r.evaluations == calls[0]
    # the located entry carries a real finite-difference estimate, as in a full check
    assert pc.numeric[12_345] == pytest.approx(grad(X)[12_345], rel=1e-8)
    assert pc.error_bar[12_345] > 0


def test_wrong_entries_in_two_parameters_are_all_located():
    params = {"a": X[:5000].reshape(50, 100), "b": X[5000:7000]}

    def loss(p):
        return float(np.sum(np.tanh(p["a"]) * 3.0) + np.sum(p["b"] ** 2))

    g = {"a": 3.0 / np.cosh(params["a"]) ** 2, "b": 2 * params["b"]}
    g["a"][7, 42] += 0.01
    g["b"][[10, 1500]] *= -1.0
    r = locate_gradient_errors(loss, params, g)
    assert np.argwhere(r["a"].status == Status.FAIL).tolist() == [[7, 42]]
    assert np.flatnonzero(r["b"].status == Status.FAIL).tolist() == [10, 1500]


def test_a_correct_gradient_passes_in_a_dozen_evaluations():
    fc, calls = _counted(f)
    r = locate_gradient_errors(fc, X, grad)
    assert r.verdict == Verdict.PASS and calls[0] <= 16


def test_every_entry_wrong_stops_at_the_region_cap_and_fails():
    fc, calls = _counted(f)
    r = locate_gradient_errors(fc, X, 2 * grad(X), max_regions=8)
    assert r.verdict == Verdict.FAIL
    assert "run a full check" in r.params[0].diagnosis.message
    assert calls[0] < 400


def test_round_off_sets_the_floor_and_a_right_gradient_is_not_blamed():
    # f is a sum of 65,536 weighted sines (f ~ 200): its rounding noise bounds what a group
    # test resolves (~1e-6 relative in one entry here); below it the search reports nothing
    # rather than a guess
    rng = np.random.default_rng(0)
    x = rng.normal(size=2**16)
    w = rng.normal(size=2**16)
    g = w * np.cos(x)
    loss = lambda x: float(w @ np.sin(x))  # noqa: E731
    g[40_000] *= 1 + 1e-9  # below rtol: a full check passes it too
    assert locate_gradient_errors(loss, x, g).verdict == Verdict.PASS
    g[40_000] *= 1 + 1e-5
    r = locate_gradient_errors(loss, x, g)
    assert np.flatnonzero(r.params[0].status == Status.FAIL).tolist() == [40_000]


def _mlp():
    from benchmarks.bench_locate import make_problem

    params, loss, grad = make_problem((100, 200, 50, 1))
    g = grad(params)
    W = g["W1"]  # an entry twice the rms: a group test sees one entry's rtol at the rms
    i = np.unravel_index(np.argmin(np.abs(np.abs(W) - 2 * np.sqrt(np.mean(W * W)))), W.shape)
    return params, loss, g, tuple(int(k) for k in i)


@pytest.mark.parametrize("rel", [1e-3, 1e-6])
def test_one_entry_wrong_by_1e_3_or_1e_6_in_an_mlp_is_located_exactly(rel):
    params, loss, g, i = _mlp()
    g["W1"][i] *= 1 + rel
    fc, calls = _counted(loss)
    r = locate_gradient_errors(fc, params, g)
    assert r.verdict == Verdict.FAIL
    assert [(n, [tuple(k) for k in np.argwhere(r[n].status == Status.FAIL)]) for n in params
            if (r[n].status == Status.FAIL).any()] == [("W1", [i])]
    assert r["W1"].diagnosis.kind == "few entries"
    assert r["W1"].max_rel_error == pytest.approx(rel, rel=1e-3)
    P = sum(v.size for v in params.values())
    assert calls[0] == r.evaluations <= 2 * P // 100  # >= 100x fewer than a full check


def test_a_right_mlp_gradient_and_its_float32_rounding_pass():
    params, loss, g, _ = _mlp()
    assert locate_gradient_errors(loss, params, g).verdict == Verdict.PASS
    g32 = {k: v.astype(np.float32).astype(np.float64) for k, v in g.items()}
    r = locate_gradient_errors(loss, params, g32)
    assert r.verdict == Verdict.PASS and "float32 precision" in r.precision
    # a genuinely float64 gradient with one entry off by 1e-6 is not mistaken for float32
    g["W1"][0, 0] *= 1 + 1e-6
    assert locate_gradient_errors(loss, params, g).precision is None


def test_a_right_gradient_of_a_million_entries_passes_in_a_few_evaluations():
    x = np.random.default_rng(5).normal(size=10**6)
    fc, calls = _counted(lambda x: float(np.sum(np.sin(x))))
    r = locate_gradient_errors(fc, x, np.cos)
    assert r.verdict == Verdict.PASS and calls[0] <= 16


def test_rounding_spread_over_every_entry_below_rtol_is_never_a_failure():
    # each entry off by up to 1e-10 and 1e-8 relative, under rtol = 1.5e-8: right by a full
    # check; the search goes down where groups disagree, finds no single entry, and passes
    # or, at the region cap, says inconclusive -- never "fail"
    rng = np.random.default_rng(6)
    x, w = rng.normal(size=2**12), rng.normal(size=2**12)
    loss = lambda x: float(w @ np.sin(x))  # noqa: E731
    verdicts = []
    for spread in (1e-10, 1e-8):
        g = w * np.cos(x) * (1 + spread * rng.uniform(-1.0, 1.0, size=x.size))
        r = locate_gradient_errors(loss, x, g, max_regions=8)
        assert not (r.params[0].status == Status.FAIL).any()
        verdicts.append(r.verdict)
    assert Verdict.FAIL not in verdicts and verdicts[0] == Verdict.PASS


def test_starting_groups_cost_one_test_each_when_they_pass():
    fc, calls = _counted(f)
    r = locate_gradient_errors(fc, X, grad, groups=64)
    assert r.verdict == Verdict.PASS
    assert calls[0] <= 12 + 64 * 6  # noise estimate + at most six evaluations per test


def test_params_are_not_modified():
    x = X.copy()
    g = grad(x)
    g[3] = 0.0
    locate_gradient_errors(f, x, g)
    assert np.array_equal(x, X)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"groups": 0}, "groups must be an int >= 1"),
    ({"max_regions": 0}, "max_regions must be an int >= 1"),
    ({"max_evaluations": 0}, "max_evaluations must be an int >= 1"),
    ({"rtol": -1.0}, "rtol must be a finite float >= 0"),
    ({"chunk_size": 0}, "chunk_size must be an int >= 1"),
])
def test_bad_knobs_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        locate_gradient_errors(f, X, grad, **kwargs)


def test_an_executor_that_is_not_one_is_named():
    with pytest.raises(TypeError, match="executor must be a concurrent"):
        locate_gradient_errors(f, X, grad, executor="pool")


def test_auto_above_the_full_check_limit_locates_a_wrong_entry():
    # P = 60,000 > the 50,000 of a full check: auto takes random directions, and when they
    # fail it must name the entry, as a full check would
    x = np.random.default_rng(0).normal(size=60_000)

    def grad(x):
        out = np.cos(x)
        out[12345] *= 1.01
        return out

    r = check_gradients(lambda x: np.sum(np.sin(x)), x, grad, seed=0)
    assert r.verdict == Verdict.FAIL and r.method == "group testing"
    assert "random directions" in r.method_note and "group testing" in r.method_note
    status = r.params[0].status
    assert np.flatnonzero(status == Status.FAIL).tolist() == [12345]
    assert r.evaluations < 500


def test_auto_above_the_limit_confirms_a_right_gradient_by_group_testing():
    x = np.random.default_rng(1).normal(size=60_000)
    r = check_gradients(lambda x: np.sum(np.sin(x)), x, np.cos, seed=0)
    assert r.verdict == Verdict.PASS and r.method == "group testing"
    assert "they passed, and group testing" in r.method_note
    assert r.evaluations < 100


def test_auto_above_the_limit_finds_one_entry_wrong_by_1e_6_that_directions_pass():
    # random directions allow rtol of the whole directional derivative: a 1e-6 error in one
    # of 60,501 entries passes them; the group tests that follow locate it
    from benchmarks.bench_locate import make_problem

    params, loss, grad = make_problem((100, 400, 50, 1))
    g = grad(params)
    W = g["W1"]
    i = np.unravel_index(np.argmin(np.abs(np.abs(W) - 2 * np.sqrt(np.mean(W * W)))), W.shape)
    i = tuple(int(k) for k in i)
    g["W1"][i] *= 1 + 1e-6
    directions = check_gradients(loss, params, g, method="directional", seed=0)
    assert directions.verdict == Verdict.PASS  # what the auto path used to return
    r = check_gradients(loss, params, g, seed=0)
    assert r.verdict == Verdict.FAIL and r.method == "group testing"
    assert [(n, [tuple(k) for k in np.argwhere(r[n].status == Status.FAIL)]) for n in params
            if (r[n].status == Status.FAIL).any()] == [("W1", [i])]
    assert r.evaluations < 500


def test_auto_above_the_limit_keeps_a_whole_parameter_diagnosis():
    # every entry off by the same factor: the directional check's "factor" says it all, and
    # group testing would only give up on too many wrong entries
    x = np.random.default_rng(2).normal(size=60_000)
    r = check_gradients(lambda x: np.sum(np.sin(x)), x, lambda x: 16.0 * np.cos(x), seed=0)
    assert r.verdict == Verdict.FAIL and r.method == "directional"
    assert r.params[0].diagnosis.kind == "factor" and "no entries were located" in r.method_note


def test_params_are_restored_when_f_raises_during_a_group_test():
    x = X.copy()
    calls = [0]

    def flaky(x):
        calls[0] += 1
        if calls[0] == 40:
            raise RuntimeError("boom")
        return f(x)

    g = grad(x)
    g[3] = 0.0
    with pytest.raises(RuntimeError, match="boom"):
        locate_gradient_errors(flaky, x, g)
    assert np.array_equal(x, X)


def test_auto_goes_on_to_locate_when_the_directional_check_is_inconclusive():
    # P = 200,000: central differences along the whole gradient cannot decide a 1e-4 error in
    # one entry (round-off), the group tests' Richardson estimates can
    x = np.random.default_rng(0).normal(size=200_000)
    g = np.cos(x)
    g[12_345] *= 1 + 1e-4
    directional = check_gradients(lambda x: np.sum(np.sin(x)), x, g, method="directional",
                                  seed=0)
    assert directional.verdict == Verdict.INCONCLUSIVE
    r = check_gradients(lambda x: np.sum(np.sin(x)), x, g, seed=0)
    assert r.verdict == Verdict.FAIL and r.method == "group testing"
    assert np.flatnonzero(r.params[0].status == Status.FAIL).tolist() == [12_345]


def test_a_nan_in_the_gradient_is_reported_with_its_index():
    g = grad(X)
    g[777] = np.nan
    r = locate_gradient_errors(f, X, g)
    assert r.verdict == Verdict.FAIL
    assert np.flatnonzero(r.params[0].status == Status.NONFINITE).tolist() == [777]


@settings(max_examples=15)
@given(shape=hs.lists(hs.integers(1, 40), min_size=1, max_size=3),
       where=hs.floats(0.0, 1.0, exclude_max=True), rel=hs.sampled_from([1e-4, 1e-3, -0.5]),
       seed=hs.integers(0, 2**16))
def test_any_single_wrong_entry_of_any_shape_is_the_one_located(shape, where, rel, seed):
    # law: one entry wrong by a relative 1e-4 or more, in a parameter of any shape, is
    # located at its index and no other entry is blamed; without it the gradient passes.
    # (f sums up to 64,000 positive terms, f ~ 6,000: its round-off hides ~1e-5 there)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.2, 1.3, size=shape)  # |cos| >= 0.26: every entry matters
    loss = lambda x: float(np.sum(np.sin(x)) / 8.0)  # noqa: E731
    g = np.cos(x) / 8.0
    assert locate_gradient_errors(loss, x, g, seed=seed).verdict == Verdict.PASS
    i = np.unravel_index(int(where * x.size), x.shape)
    g[i] *= 1 + rel
    r = locate_gradient_errors(loss, x, g, seed=seed)
    assert [tuple(k) for k in np.argwhere(r.params[0].status == Status.FAIL)] == [i]
    assert r.params[0].shape == x.shape


def test_a_directional_failure_is_never_turned_into_a_pass_by_group_testing(monkeypatch):
    # a mutant search that finds nothing: the directional check's failure must stand
    import checks.locate

    x = np.random.default_rng(7).normal(size=60_000)
    noise = np.random.default_rng(8).normal(size=x.size)
    wrong = lambda x: np.cos(x) * (1 + 0.05 * noise)  # noqa: E731 -- spread, no one factor
    real = checks.locate.locate_gradient_errors
    monkeypatch.setattr(checks.locate, "locate_gradient_errors",
                        lambda f, p, g, **kw: real(f, p, np.cos, **kw))  # finds nothing
    r = check_gradients(lambda x: np.sum(np.sin(x)), x, wrong, seed=0)
    assert r.verdict == Verdict.FAIL and r.params[0].verdict == Verdict.FAIL
    assert r.params[0].probe == "directions"


def test_f_writing_into_its_input_is_refused_not_checked_at_the_moved_point():
    x = X.copy()
    calls = [0]

    def doubles_once(x):
        calls[0] += 1
        if calls[0] == 1:
            x *= 2  # on the checker's copy: the point would move under the search
        return f(x)

    with pytest.raises(OutputError, match="modified its input in place"):
        locate_gradient_errors(doubles_once, x, grad)
    assert np.array_equal(x, X)
