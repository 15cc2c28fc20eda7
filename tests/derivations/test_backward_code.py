"""A user's backward code run on exact inputs and decided (derivations/backward_code.py).

Oracle: sympy.diff of the spec's loss (true_gradient); the wrong lines are a student's.
"""

from __future__ import annotations

import pytest

from derivations import Verdict, check_backward
from derivations.backward_code import gradient_names
from derivations.formula import check_shapes
from derivations.spec import parse_spec

COLUMNS = """
Z1 = W1 @ X + b1
A1 = np.tanh(Z1)
Z2 = W2 @ A1 + b2
A2 = Z2
dZ2 = (A2 - Y) / m
dW2 = dZ2 @ A1.T
db2 = np.sum(dZ2, axis=1, keepdims=True)
dA1 = W2.T @ dZ2
dZ1 = dA1 * (1 - A1 ** 2)
dW1 = dZ1 @ X.T / m
"""

ROWS_ALIAS = """
hidden = np.maximum(0, X @ W1 + b1)
out = hidden @ W2 + b2
dout = out
dout -= Y
dout /= m
dW2 = hidden.T @ dout
db2 = np.sum(dout, axis=0, keepdims=True)
dhidden = dout @ W2.T
dhidden[hidden <= 0] = 0
dW1 = X.T @ dhidden
"""


def test_each_gradient_variable_is_decided_and_the_wrong_one_refuted():
    r = check_backward("2-2-1 tanh/identity mse half mean columns", COLUMNS)
    verdicts = {x.claim_id: x.verdict for x in r.results}
    assert verdicts == {"dZ2": Verdict.PROVEN, "dW2": Verdict.PROVEN, "db2": Verdict.PROVEN,
                        "dA1": Verdict.PROVEN, "dZ1": Verdict.PROVEN, "dW1": Verdict.REFUTED}
    bad = next(x for x in r.results if x.claim_id == "dW1")
    assert bad.counterexample is not None and "dimensions" in bad.counterexample.point
    assert not r.proven and r.aliasing == ()


def test_code_that_masks_runs_on_exact_numbers_and_aliasing_is_flagged():
    r = check_backward("2-2-1 relu/identity mse half mean rows", ROWS_ALIAS,
                       names={"dhidden": "dA1"})
    by = {x.claim_id: x for x in r.results}
    for name in ("dW2", "dW1"):  # every sign pattern of the mask, each an identity
        assert by[name].verdict is Verdict.PROVEN
        assert "on every sign pattern of the quantities the code compares" in by[name].reason
    assert by["dhidden"].verdict is Verdict.REFUTED  # masked in place: it is dZ1, not dA1
    assert any(a.startswith("dout is written in place") and "out" in a for a in r.aliasing)


def test_gradient_names_finds_the_usual_spellings():
    spec = parse_spec("2-3-1 sigmoid/sigmoid bce")
    found = gradient_names({"dw1": 0, "grad_W2": 0, "b1_grad": 0, "dZ9": 0, "h": 0}, spec)
    assert found == {"dw1": "dW1", "grad_W2": "dW2", "b1_grad": "db1"}


@pytest.mark.parametrize(
    ("source", "names", "match"),
    [
        pytest.param("dW1 = (", None, "not valid Python", id="syntax"),
        pytest.param("h = X", None, "binds no gradient variable", id="none"),
        pytest.param("dW1 = X", {"h": "W1"}, "'W1' is not a quantity", id="names"),
    ],
)
def test_bad_code_is_a_value_error(source, names, match):
    with pytest.raises(ValueError, match=match):
        check_backward("2-1 sigmoid bce", source, names=names)


def test_a_shape_error_in_the_code_is_a_refutation():
    r = check_backward("2-3-1 sigmoid/sigmoid bce", "dW1 = X @ W1")
    assert r.results[0].verdict is Verdict.REFUTED and "shape error" in r.results[0].reason


RELU_MASK = """
Z1 = X @ W1 + b1
A1 = np.maximum(0, Z1)
A2 = A1 @ W2 + b2
dZ2 = (A2 - Y) / m
dW2 = A1.T @ dZ2
dA1 = dZ2 @ W2.T
dZ1 = dA1 * (Z1 > 0)
dW1 = X.T @ dZ1
db1 = np.sum(dZ1, axis=0, keepdims=True)
"""
RELU_SPEC = "2-2-1 relu/identity mse half mean rows"


def test_a_correct_relu_mask_is_proven_on_every_sign_pattern_off_the_kinks():
    r = check_backward(RELU_SPEC, RELU_MASK)
    assert {x.claim_id for x in r.results} == {"dZ2", "dW2", "dA1", "dZ1", "dW1", "db1"}
    # one pattern per sign of each hidden pre-activation entry (m x n_1 of them) at each shape
    shapes = check_shapes(parse_spec(RELU_SPEC))
    counts = [2 ** (s.dims[1] * s.dims[-1]) for s in shapes]
    first = f"({sum(counts)} patterns: {counts[0]} at {shapes[0].dims}"
    for x in r.results:
        assert x.verdict is Verdict.PROVEN, x.reason
        assert first in x.reason and "off the kinks" in x.reason
    assert r.proven


@pytest.mark.parametrize(
    ("wrong", "bad"),
    [
        pytest.param("dA1 * (dA1 > 0)", {"dZ1", "dW1", "db1"}, id="mask on dA1 instead of Z1"),
        pytest.param("dA1 * (Z1 < 0)", {"dZ1", "dW1", "db1"}, id="mask inverted"),
        pytest.param("dA1 * (X @ W1 > 0)", {"dZ1", "dW1", "db1"}, id="mask without the bias"),
    ],
)
def test_a_wrong_relu_mask_is_refuted_at_an_exact_point_of_its_region(wrong, bad):
    r = check_backward(RELU_SPEC, RELU_MASK.replace("dA1 * (Z1 > 0)", wrong))
    refuted = {x.claim_id for x in r.results if x.verdict is Verdict.REFUTED}
    assert refuted == bad
    for x in r.results:
        if x.claim_id in bad:
            point = {k: v for k, v in x.counterexample.point.items() if k != "dimensions"}
            assert point and all("/" in v or v.lstrip("-").isdigit() for v in point.values())
            assert x.counterexample.stated != x.counterexample.correct
        else:  # no pattern is left out of a verdict: proven, or undecided past the limit
            assert x.verdict in (Verdict.PROVEN, Verdict.UNDECIDED)
            assert x.verdict is Verdict.PROVEN or "the walk stopped after 256" in x.reason


def test_a_missing_relu_mask_is_refuted():
    r = check_backward(RELU_SPEC, RELU_MASK.replace("dA1 * (Z1 > 0)", "dA1"))
    by = {x.claim_id: x.verdict for x in r.results}
    assert by["dZ1"] is Verdict.REFUTED and by["dW1"] is Verdict.REFUTED
    assert by["dW2"] is Verdict.PROVEN


def test_code_the_tracing_cannot_follow_is_at_most_undecided():
    # a cast to float has no exact symbolic meaning: exact points only, never 'proven'
    code = RELU_MASK.replace("dA1 * (Z1 > 0)", "dA1 * ((Z1.astype('float64') > 0) * 1.0)")
    r = check_backward(RELU_SPEC, code)
    by = {x.claim_id: x for x in r.results}
    assert by["dZ1"].verdict is Verdict.UNDECIDED
    assert "exact rational points tried" in by["dZ1"].reason
