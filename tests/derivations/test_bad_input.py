"""Bad input to derivations' public API: each row is refused in our words, naming the culprit.

Issue 18 section 5 and issue 19: claims cannot be rebuilt with another statement, results
compare without their timing, readings must say their kind, ids must be strings.
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from derivations import Reading, Verdict, get_claim, select, to_numpy, verify
from derivations.decide import (
    EvaluationError,
    decide_equal,
    decide_readings,
    intended,
    literal,
    on_model,
    readings_verdict,
)

CLAIM = "000-sigmoid-derivative"
x = sp.Symbol("x", real=True)


class _Opaque(sp.Function):  # a defined function without evalf: symbolic at every point
    pass


def _replace_statement():
    dataclasses.replace(get_claim(CLAIM), statement=sp.Eq(x, 2 * x))


BAD = [
    pytest.param(lambda: get_claim(None), TypeError, "claim_id must be a str",
                 id="get_claim(None)"),
    pytest.param(lambda: get_claim(0), TypeError, "got int 0", id="get_claim(0)"),
    pytest.param(lambda: get_claim("000-sigmoid-derivativ"), KeyError,
                 "Did you mean '000-sigmoid-derivative'", id="get_claim(unknown id)"),
    pytest.param(lambda: select(document=0), TypeError, "document must be a str",
                 id="select(document=0)"),
    pytest.param(lambda: select(document="999"), ValueError, "valid documents",
                 id="select(document='999')"),
    pytest.param(lambda: select(claim_id="nope"), ValueError, "Did you mean",
                 id="select(claim_id='nope')"),
    pytest.param(lambda: verify("000-sigmoid-derivative"), TypeError, "takes a Claim, got str",
                 id="verify(str)"),
    pytest.param(lambda: to_numpy(CLAIM), ValueError, "has no NumPy form",
                 id="to_numpy(claim without one)"),
    pytest.param(lambda: to_numpy(3), TypeError, "Claim or a claim id", id="to_numpy(3)"),
    pytest.param(_replace_statement, ValueError, "init=False",
                 id="dataclasses.replace(claim, statement=...)"),
    pytest.param(lambda: dataclasses.replace(get_claim(CLAIM)), TypeError, "missing",
                 id="dataclasses.replace(claim)"),
    pytest.param(lambda: decide_readings([("one", decide_equal(x, x))], what="it"), TypeError,
                 r"readings\[0\] is a tuple, not a Reading", id="decide_readings(unmarked)"),
    pytest.param(lambda: decide_readings([], what="it"), ValueError,
                 "at least one literal reading", id="decide_readings([])"),
    pytest.param(lambda: decide_readings([intended("fix", decide_equal(x, x))], what="it"),
                 ValueError, "at least one literal reading", id="decide_readings(intended only)"),
    pytest.param(lambda: Reading("r", Verdict.PROVEN, "why", "typo"), ValueError,
                 "kind='typo' is not one of 'literal', 'intended'", id="Reading(kind='typo')"),
    pytest.param(lambda: Reading("r", "proven", "why", "literal"), TypeError,
                 "verdict must be a Verdict", id="Reading(verdict=str)"),
    pytest.param(lambda: literal("r", "proven"), TypeError, "decision must be a Decision, got str",
                 id="literal(decision=str)"),
    pytest.param(lambda: literal("", decide_equal(x, x)), TypeError, "non-empty str",
                 id="literal(description='')"),
    pytest.param(lambda: readings_verdict([]), ValueError, "at least one literal reading",
                 id="readings_verdict([])"),
    pytest.param(lambda: on_model(decide_equal(x, x), ""), ValueError, "model problem",
                 id="on_model(model='')"),
    pytest.param(lambda: decide_equal(_Opaque(x), _Opaque(2 * x)), EvaluationError,
                 "does not evaluate to a number", id="decide_equal(unevaluable function)"),
]


@pytest.mark.parametrize(("call", "exc", "words"), BAD)
def test_bad_input_is_refused_in_our_words(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_at_least_twelve_bad_inputs_are_tried():
    assert len(BAD) >= 12


def test_verify_twice_gives_equal_results():
    claim = get_claim(CLAIM)
    first, second = verify(claim), verify(claim)
    assert first == second  # the seconds differ; they are not part of equality
    assert dataclasses.replace(first, seconds=first.seconds + 1) == first
    assert dataclasses.replace(first, reason="other") != first
