"""checks.result: frozen results and the text a user pastes into a bug report."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

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


class _Cells(HTMLParser):
    """Rows of every table in an HTML string: (row style, [cell texts]); tags seen."""

    def __init__(self):
        super().__init__()
        self.rows, self.tags, self._cell = [], set(), None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "tr":
            self.rows.append((dict(attrs).get("style", ""), []))
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1][1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_html_shows_the_same_table_as_str_with_failing_rows_highlighted():
    from checks.result_html import FAIL_STYLE

    result = _result(factor=-1.0)
    html = result._repr_html_()
    parser = _Cells()
    parser.feed(html)
    assert parser.tags <= {"div", "p", "b", "table", "thead", "tbody", "tr", "th", "td"}
    assert "<script" not in html and "http" not in html and "src=" not in html
    text_rows = [line.split() for line in str(result).splitlines()
                 if line.startswith("    ") and ("FAIL" in line or line.rstrip().endswith("ok"))
                 and "diagnosis" not in line]
    data_rows = [cells for _, cells in parser.rows if cells[0] != "index"]
    assert len(data_rows) == len(text_rows) > 0
    for cells, words in zip(data_rows, text_rows, strict=True):
        assert cells[-1] == words[-1] and cells[1] == words[-5]  # status and analytic agree
    for style, cells in parser.rows:
        if cells[0] != "index":
            assert (style == FAIL_STYLE) == (cells[-1] == "FAIL")
    assert "gradient check: FAIL" in html and "diagnosis: sign flip" in html


def test_html_escapes_names_and_a_param_check_renders_alone():
    f = lambda p: float(np.sum(p["<W>"] ** 2))  # noqa: E731
    result = check_gradients(f, {"<W>": np.ones(2)}, lambda p: {"<W>": 2 * p["<W>"]}, seed=0)
    html = result._repr_html_()
    assert "&lt;W&gt;" in html and "<W>" not in html
    assert result.params[0]._repr_html_().startswith('<p style="margin:6px 0 2px 0">')
