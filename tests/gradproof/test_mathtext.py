"""The documents' mixed prose and LaTeX: split, then typeset with no command left raw.

The corpus is every claim of the registry (its quote, LaTeX and title), so a new claim whose
LaTeX latex2mathml cannot typeset fails here, not in a reader's browser. The verdicts' reasons
and corrections are computed, and are covered by the browser test of the committed report.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from derivations import all_claims
from gradproof.report.mathtext import has_command, latex_to_mathml, split_math

COMMAND = re.compile(r"\\[A-Za-z]+")


def _text(markup: str) -> str:
    return re.sub(r"<[^>]*>", " ", markup)


def _pairs(text):
    return [(s.text, s.math) for s in split_math(text)]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("plain words only", [("plain words only", False)], id="prose"),
    pytest.param("(A_2-Y)A_1", [("(A_2-Y)A_1", False)], id="no command: left as text"),
    pytest.param("A_1 = \\sigma(Z_1)", [("A_1 = \\sigma(Z_1)", True)], id="bare formula"),
    pytest.param("\\frac{dL}{dW} = \\frac{dL}{dA}.", [("\\frac{dL}{dW} = \\frac{dL}{dA}", True),
                                                     (".", False)], id="trailing period"),
    pytest.param("so $x^2$ and $\\hat{y}$ here",
                 [("so ", False), ("x^2", True), (" and ", False), ("\\hat{y}", True),
                  (" here", False)], id="dollars"),
    pytest.param("\\frac{\\partial a}{\\partial z} * 1$.",
                 [("\\frac{\\partial a}{\\partial z} * 1", True), (".", False)],
                 id="quote starts inside $...$"),
    pytest.param("is: $$ \\sigma(z)=\\frac{1}{1+e^{-z}}",
                 [("is: ", False), ("\\sigma(z)=\\frac{1}{1+e^{-z}}", True)],
                 id="quote ends inside $$...$$"),
    pytest.param("the label \\nabla E_w on the vector",
                 [("the label ", False), ("\\nabla E_w", True), (" on the vector", False)],
                 id="command inside prose"),
    pytest.param("the cost's h_\\sigma(x) is", [("the cost's ", False), ("h_\\sigma(x)", True),
                                                (" is", False)], id="apostrophe word"),
    pytest.param("dZ=\\tfrac{1}{m}(A-Y),\\ dW=dZ A^T",
                 [("dZ=\\tfrac{1}{m}(A-Y),\\ dW=dZ A^T", True)], id="LaTeX space keeps one run"),
    pytest.param("\\text{a b} = c", [("\\text{a b} = c", True)], id="spaces inside braces"),
])
def test_split_math(text, expected):
    assert _pairs(text) == expected


def test_split_math_keeps_every_character_but_the_dollars():
    text = "with respect to $W3$ is: $$ \\frac{\\partial J}{\\partial W3}=(A3 - y)\\cdot A2"
    joined = "".join(s.text for s in split_math(text))
    assert joined.replace(" ", "") == text.replace("$", "").replace(" ", "")


def test_an_unknown_command_is_typeset_upright_by_name():
    out = latex_to_mathml("w = \\arg\\min E + \\foo{x}")
    assert not COMMAND.findall(_text(out))
    assert ">arg<" in out and ">foo<" in out


@pytest.mark.parametrize("latex", ["{", "\\frac{1}{", "}}", "\\"])
def test_unparsable_latex_still_gives_well_formed_mathml(latex):
    out = latex_to_mathml(latex)
    ET.fromstring(out)
    assert not COMMAND.findall(_text(out))


def test_display_and_inline():
    assert 'display="block"' in latex_to_mathml("x", display=True)
    assert 'display="inline"' in latex_to_mathml("x", display=False)


def _corpus():
    for c in all_claims():
        yield f"{c.id} quote", c.quote, False
        if c.latex:
            yield f"{c.id} latex", c.latex, True
        yield f"{c.id} title", c.title, False


@pytest.mark.parametrize(("where", "text", "is_formula"),
                         [pytest.param(*row, id=row[0]) for row in _corpus()])
def test_every_claim_typesets_with_no_command_left(where, text, is_formula):
    pieces = [text] if is_formula else [s.text for s in split_math(text) if s.math]
    for s in split_math(text):
        if not s.math:
            assert not has_command(s.text), f"{where}: LaTeX left in prose: {s.text!r}"
    for piece in pieces:
        out = latex_to_mathml(piece)
        ET.fromstring(out)
        assert not COMMAND.findall(_text(out)), f"{where}: {piece!r}"
