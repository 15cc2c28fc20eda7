"""Tests of derivations.document: a Document turns Row data into Claims."""

from __future__ import annotations

import pytest
import sympy as sp

from derivations import DeclaredNetwork, Document, Row, SpecError, Verdict, verify
from derivations.decide import decide_equal, decide_holds, definition

x = sp.Symbol("x")
DOC = Document("900_example.txt", conventions={"layout": "columns"},
               statements={"slope": lambda: sp.Eq(sp.Derivative(x**2, x), 2 * x)},
               latex={"square": "y = x^2"})


def _rows(stated=2 * x):
    return (
        Row("square", "y = x^2", "y is the square of x", lambda: definition("defines y"),
            kind="definition"),
        Row("slope", "dy/dx = 2x", "the slope of x^2", lambda: decide_equal(
            sp.diff(x**2, x), stated, what="the slope"), depends_on=("900-square",),
            conventions={"layout": "rows"}),
    )


def test_rows_become_claims_with_the_documents_defaults():
    square, slope = DOC.build(_rows())
    assert (square.id, square.document, square.latex) == ("900-square", "900_example.txt",
                                                          "y = x^2")
    assert square.conventions == {"layout": "columns"}
    assert square.statement is None
    assert slope.conventions == {"layout": "rows"}
    assert slope.statement == sp.Eq(sp.Derivative(x**2, x), 2 * x)
    assert slope.latex == sp.latex(slope.statement)
    assert slope.depends_on == ("900-square",)


def test_verdicts_are_computed_from_the_rows_procedure():
    assert verify(DOC.build(_rows())[1]).verdict is Verdict.PROVEN
    assert verify(DOC.build(_rows(3 * x))[1]).verdict is Verdict.REFUTED


def test_a_row_statement_may_be_built_lazily_and_wins_over_the_table():
    row = Row("slope", "q", "t", lambda: definition("d"), statement=lambda: sp.Eq(x, 1))
    assert DOC.claim(row).statement == sp.Eq(x, 1)


@pytest.mark.parametrize(("rows", "match"), [
    ((Row("a", "q", "t", lambda: definition("d")),) * 2, "two rows have id 'a'"),
    ((Row("a", "q", "t", lambda: definition("d")),), "statements has entries for no row: slope"),
    ((Row("900-a", "q", "t", lambda: definition("d")),), "leave out the prefix 900-"),
])
def test_build_refuses_duplicate_ids_table_typos_and_prefixed_ids(rows, match):
    doc = Document("900_x.txt", statements={"slope": sp.Integer(1)}) if "entries" in match \
        else Document("900_x.txt")
    with pytest.raises(ValueError, match=match):
        doc.build(rows)


def test_the_prefix_comes_from_the_file_name_or_is_refused():
    assert Document("042_abc.txt").prefix == "042"
    assert Document("notes.txt", prefix="007").id("x") == "007-x"
    with pytest.raises(ValueError, match=r"prefix 'notes\.txt' is not three digits"):
        Document("notes.txt")


def test_a_declared_network_is_a_valid_spec():
    net = DeclaredNetwork("n", "2-4-1 sigmoid/sigmoid bce", "d", labels="0/1", data="two_class")
    assert Document("900_x.txt", networks=[net]).networks == (net,)
    with pytest.raises(SpecError):
        DeclaredNetwork("n", "2-4-1 sigmoid/sigmoid bcx", "d", labels="0/1", data="two_class")
    with pytest.raises(ValueError, match="data='mnist'"):
        DeclaredNetwork("n", "2-4-1 sigmoid/sigmoid bce", "d", labels="0/1", data="mnist")
    with pytest.raises(ValueError, match="two networks share a name"):
        Document("900_x.txt", networks=(net, net))


def test_decide_holds_follows_the_condition():
    assert decide_holds(True, "yes").verdict is Verdict.PROVEN
    no = decide_holds(False, "yes", otherwise="no")
    assert (no.verdict, no.reason) == (Verdict.REFUTED, "no")
    with pytest.raises(TypeError, match="holds must be a bool"):
        decide_holds(sp.Symbol("a") > 0, "?")


def test_a_sympy_lambda_statement_is_kept_not_called():
    square = sp.Lambda(x, x**2)
    row = Row("square", "q", "t", lambda: definition("d"), statement=square)
    assert DOC.claim(row).statement == square


def test_numpy_form_computes_the_formula_on_arrays_and_carries_its_doc():
    import numpy as np

    from derivations.document import numpy_form

    m, h, n = sp.symbols("m h n", integer=True, positive=True)
    A, G = sp.MatrixSymbol("A", m, h), sp.MatrixSymbol("G", m, n)
    f = numpy_form((A, G), A.T * G, "A.T @ G; A (m, h), G (m, n)")
    a = np.arange(6.0).reshape(3, 2)
    g = np.arange(12.0).reshape(3, 4) - 5.0
    np.testing.assert_array_equal(f(a, g), a.T @ g)  # exact: small integers in float64
    assert f.__doc__ == "A.T @ G; A (m, h), G (m, n)"
