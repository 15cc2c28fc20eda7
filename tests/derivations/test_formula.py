"""User formulas decided exactly (derivations/formula.py).

Oracle: ``sympy.diff`` of the spec's loss on explicit symbolic matrices (spec_network); every
diagnosis is triggered by a wrong formula written as a student would, in both layouts.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivations import Verdict
from derivations.formula import (
    FormulaResult,
    check_formula,
    check_formulas,
    check_shapes,
    standard_formula,
)
from derivations.spec import parse_spec

SIG = "2-4-1 sigmoid/sigmoid bce mean {layout}"
TWO = "2-4-2 sigmoid/sigmoid bce mean {layout}"
SOFT = "2-4-3 relu/softmax ce mean {layout}"
DEEP = "3-5-5-2 tanh,relu/identity mse half mean_all {layout}"

# (layout-specific formula) per layout: columns, rows
STANDARD = {
    "dW2": ("dZ2 @ A1.T", "A1.T @ dZ2"),
    "db2": ("np.sum(dZ2, axis=1, keepdims=True)", "np.sum(dZ2, axis=0, keepdims=True)"),
    "dA1": ("W2.T @ dZ2", "dZ2 @ W2.T"),
    "dW1": ("dZ1 @ X.T", "X.T @ dZ1"),
}


@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize("target", sorted(STANDARD))
def test_standard_formulas_of_each_layout_are_proven(layout, target):
    text = STANDARD[target][layout == "rows"]
    r = check_formula(SIG.format(layout=layout), target, text)
    assert r.verdict is Verdict.PROVEN, str(r)
    assert f"all {len(r.shapes)} shapes tried" in r.reason
    assert len(r.shapes) == 4 and "1x1" in r.shapes[0] and "several samples" in r.reason
    assert isinstance(r, FormulaResult) and r.counterexample is None


def test_an_elementwise_product_that_broadcasts_to_the_matrix_product_is_proven():
    # one output: W2.T (n1, 1) * dZ2 (1, m) is the outer product, exactly W2.T @ dZ2
    r = check_formula(SIG.format(layout="columns"), "dA1", "W2.T * dZ2")
    assert r.verdict is Verdict.PROVEN


def test_the_output_gradient_of_each_pair_is_proven():
    for spec, text in [
        (SIG.format(layout="columns"), "(A2 - Y) / m"),
        (SOFT.format(layout="rows"), "(A2 - Y) / m"),
        (DEEP.format(layout="columns"), "(A3 - Y) / (m * n3)"),
        ("2-3-2 tanh/identity mse sum rows", "2 * (A2 - Y)"),
        ("2-3-1 leaky_relu/sigmoid bce sum columns", "A2 - Y"),
    ]:
        target = f"dZ{parse_spec(spec).n_layers}"
        assert check_formula(spec, target, text).verdict is Verdict.PROVEN, (spec, text)


@pytest.mark.parametrize(
    ("spec", "target", "text"),
    [
        (SIG.format(layout="columns"), "dZ1", "dA1 * A1 * (1 - A1)"),
        (SIG.format(layout="rows"), "dZ1", "dA1 * sigmoid_prime(Z1)"),
        (SOFT.format(layout="rows"), "dZ1", "dA1 * (Z1 > 0)"),
        (SOFT.format(layout="columns"), "dZ1", "dA1 * relu_prime(Z1)"),
        (DEEP.format(layout="columns"), "dZ1", "dA1 * (1 - np.tanh(Z1) ** 2)"),
        ("2-3-1 leaky_relu/identity mse rows", "dZ1", "dA1 * np.where(Z1 > 0, 1, 0.01)"),
        ("2-3-1 leaky_relu/identity mse rows", "dZ1", "dA1 * leaky_relu_prime(Z1)"),
    ],
)
def test_activation_derivatives_in_every_notation_are_proven(spec, target, text):
    assert check_formula(spec, target, text).verdict is Verdict.PROVEN


def test_a_three_layer_chain_step_is_proven():
    r = check_formula(DEEP.format(layout="columns"), "dW1", "dZ1 @ X.T")
    assert r.verdict is Verdict.PROVEN
    assert "3-3-3-2, m=2" in r.reason  # the spec's own widths, capped at 3


# ---------------------------------------------------------------------------------------------
# every diagnosis, triggered in both layouts
# ---------------------------------------------------------------------------------------------

DIAGNOSES = [
    # (id, target, wrong formula per layout, words in the diagnosis, corrected formula per layout)
    ("missing 1/m", "dZ2", ("A2 - Y", "A2 - Y"), "a missing 1/m",
     ("(A2 - Y) / m", "(A2 - Y) / m")),
    ("extra 1/m", "dW2", ("dZ2 @ A1.T / m", "A1.T @ dZ2 / m"), "an extra 1/m",
     ("dZ2 @ A1.T", "A1.T @ dZ2")),
    ("missing transpose", "dW2", ("dZ2 @ A1", "A1 @ dZ2"), "a missing transpose: A1",
     ("dZ2 @ A1.T", "A1.T @ dZ2")),
    ("wrong layout", "dW2", ("A1.T @ dZ2", "dZ2 @ A1.T"), "wrong layout",
     ("dZ2 @ A1.T", "A1.T @ dZ2")),
    ("elementwise vs matrix", "dA1", ("W2.T * dZ2", "dZ2 * W2.T"),
     "an elementwise product * where the matrix product @ is needed",
     ("W2.T @ dZ2", "dZ2 @ W2.T")),
    ("matrix vs elementwise", "dZ1", ("dA1 @ (A1 * (1 - A1))", "dA1 @ (A1 * (1 - A1))"),
     "a matrix product @ where the elementwise product * is needed",
     ("dA1 * (A1 * (1 - A1))", "dA1 * (A1 * (1 - A1))")),
    ("derivative at the wrong variable", "dZ1",
     ("dA1 * sigmoid_prime(A1)", "dA1 * sigmoid_prime(A1)"),
     "sigma'(A1) instead of sigma'(Z1)",
     ("dA1 * sigmoid_prime(Z1)", "dA1 * sigmoid_prime(Z1)")),
    ("bias broadcasting", "db1",
     ("np.sum(dZ1, axis=0, keepdims=True)", "np.sum(dZ1, axis=1, keepdims=True)"),
     "wrong broadcasting of the bias gradient",
     ("np.sum(dZ1, axis=1, keepdims=True)", "np.sum(dZ1, axis=0, keepdims=True)")),
    ("bias keepdims", "db2", ("np.sum(dZ2, axis=1)", "np.sum(dZ2, axis=0)"),
     "keepdims=True is missing",
     ("np.sum(dZ2, axis=1, keepdims=True)", "np.sum(dZ2, axis=0, keepdims=True)")),
]


@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize(
    ("target", "wrong", "words", "fixed"),
    [pytest.param(*row[1:], id=row[0]) for row in DIAGNOSES],
)
def test_each_diagnosis_is_triggered_by_its_mistake(layout, target, wrong, words, fixed):
    k = layout == "rows"
    # two outputs: with one, W2.T * dZ2 broadcasts to the outer product W2.T @ dZ2 (true)
    r = check_formula(TWO.format(layout=layout), target, wrong[k])
    assert r.verdict is Verdict.REFUTED, str(r)
    assert r.diagnosis is not None and words in r.diagnosis, str(r)
    assert r.corrected == fixed[k]
    assert r.corrected_check is not None and r.corrected_check.verdict is Verdict.PROVEN
    assert r.counterexample is not None and "dimensions" in r.counterexample.point


@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_extra_one_over_m_names_the_summed_convention(layout):
    wrong = "dZ2 @ A1.T / m" if layout == "columns" else "A1.T @ dZ2 / m"
    r = check_formula(SIG.format(layout=layout), "dW2", wrong)
    assert "add 'summed' to the spec" in r.diagnosis
    summed = check_formula(SIG.format(layout=layout) + " summed", "dW2", wrong)
    assert summed.verdict is Verdict.PROVEN  # Andrew Ng's dZ2 = A2 - Y, dW2 = dZ2 A1^T / m


@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_mean_all_missing_division_by_the_outputs(layout):
    r = check_formula(DEEP.format(layout=layout), "dZ3", "(A3 - Y) / m")
    assert r.verdict is Verdict.REFUTED
    assert "a missing 1/n3" in r.diagnosis
    assert r.corrected_check.verdict is Verdict.PROVEN


def test_a_refutation_carries_an_exact_point_and_both_values():
    r = check_formula(SIG.format(layout="columns"), "dZ2", "A2 - Y")
    cex = r.counterexample
    assert cex.point["dimensions"].endswith("m=3")  # 1/m is invisible at m = 1
    assert all("/" in v or v.lstrip("-").isdigit() for k, v in cex.point.items()
               if k != "dimensions")
    assert cex.stated != cex.correct
    assert "stated" in r.reason and "correct" in r.reason


def test_no_known_mistake_means_no_diagnosis_but_the_standard_form():
    r = check_formula(SIG.format(layout="columns"), "dW2", "dZ2 @ A1.T + W2")
    assert r.verdict is Verdict.REFUTED and r.diagnosis is None
    assert r.corrected == "dZ2 @ A1.T" == r.standard
    assert r.corrected_check.verdict is Verdict.PROVEN


# ---------------------------------------------------------------------------------------------
# a whole derivation
# ---------------------------------------------------------------------------------------------


def test_check_formulas_names_the_first_step_that_goes_wrong():
    d = check_formulas(SIG.format(layout="columns"), {
        "dZ2": "(A2 - Y) / m",
        "dW2": "dZ2 @ A1.T",
        "dA1": "W2 @ dZ2",
        "dZ1": "dA1 * A1 * (1 - A1)",
        "dW1": "dZ1 @ X",
    })
    assert d.first_wrong == "dA1" and not d.proven
    assert [r.verdict for r in d.results] == [Verdict.PROVEN, Verdict.PROVEN, Verdict.REFUTED,
                                              Verdict.PROVEN, Verdict.REFUTED]
    assert "first step that goes wrong is dA1" in str(d)


def test_check_formulas_validates_every_step_before_deciding_any():
    with pytest.raises(ValueError, match="name 'Q' is not defined"):
        check_formulas(SIG.format(layout="columns"), {"dZ2": "(A2 - Y) / m", "dW2": "Q"})


# ---------------------------------------------------------------------------------------------
# errors and the allow-list
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "text", "match"),
    [
        pytest.param("dW3", "dZ2", "target 'dW3' is not a gradient", id="target"),
        pytest.param("dW2", "__import__('os').system('true')", "call a listed function",
                     id="import"),
        pytest.param("dW2", "dZ2.__class__", "only .T is allowed", id="dunder"),
        pytest.param("dW2", "open('x')", "function 'open'", id="open"),
        pytest.param("dW2", "[dZ2][0]", "is not allowed in a formula", id="subscript"),
        pytest.param("dW2", "dZ2 @ A1.T /", "not valid Python syntax", id="syntax"),
        pytest.param("dW2", "lambda: 1", "is not allowed", id="lambda"),
        pytest.param("dW2", "np.sum(dZ2, axis=1, out=dZ2)", "keyword 'out'", id="keyword"),
        pytest.param("dW2", "np.dot(dZ2)", "takes 2 positional", id="arity"),
        pytest.param("dW2", "'a'", "only numbers", id="string"),
        pytest.param("dZ2", "dZ2 * 1", "reads dZ2 itself", id="circular"),
        pytest.param("dW2", "W3", "name 'W3' is not defined", id="layer"),
    ],
)
def test_bad_targets_and_expressions_are_value_errors_naming_the_part(target, text, match):
    with pytest.raises(ValueError, match=match):
        check_formula(SIG.format(layout="columns"), target, text)


def test_lower_case_names_are_accepted():
    r = check_formula(SIG.format(layout="rows"), "dw2", "a1.T @ dz2")
    assert r.verdict is Verdict.PROVEN and r.target == "dW2"


def test_check_shapes_cover_the_stated_set():
    shapes = check_shapes(parse_spec(DEEP.format(layout="columns")))
    labels = [s.label for s in shapes]
    assert labels == ["1x1", "one sample, non-square", "several samples, non-square",
                      "the spec's widths"]
    several = shapes[2].dims
    widths = several[:-2]  # the inputs and hidden layers (the output is the spec's)
    assert all(widths[k] != widths[k + 1] for k in range(len(widths) - 1))
    assert all(s.dims[-2] == 2 for s in shapes)  # the output width is the spec's own


# ---------------------------------------------------------------------------------------------
# standard formulas are proven and their mutants refuted, for drawn specs
# ---------------------------------------------------------------------------------------------

_PAIRS = [("sigmoid", "bce"), ("softmax", "ce"), ("identity", "mse"), ("sigmoid", "mse"),
          ("tanh", "mse")]


@st.composite
def specs(draw):
    n_layers = draw(st.integers(1, 2))
    output, loss = draw(st.sampled_from(_PAIRS))
    sizes = [draw(st.integers(1, 3)) for _ in range(n_layers)]
    sizes.append(draw(st.integers(2, 3)) if output == "softmax" else draw(st.integers(1, 2)))
    hidden = [draw(st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "identity"]))
              for _ in range(n_layers - 1)]
    words = ["-".join(map(str, sizes)), f"{','.join(hidden)}/{output}" if hidden else output,
             loss]
    if loss == "mse" and draw(st.booleans()):
        words.append("half")
    words.append(draw(st.sampled_from(["mean", "sum", "mean_all"])))
    words.append(draw(st.sampled_from(["columns", "rows"])))
    return parse_spec(" ".join(words))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), data=st.data())
def test_standard_formulas_are_proven_and_their_mutants_refuted(spec, data):
    L = spec.n_layers
    layer = data.draw(st.integers(1, L))
    kind = data.draw(st.sampled_from(["W", "b", "Z", "A"] if layer < L else ["W", "b", "Z"]))
    target = f"d{kind}{layer}"
    text = standard_formula(spec, target)
    assert text is not None
    assert check_formula(spec, target, text).verdict is Verdict.PROVEN, (str(spec), target)
    mutants = [f"2 * ({text})", f"({text}) / m", f"({text}).T"]
    for mutant in mutants:
        if mutant.endswith(".T") and _square(spec, target):
            continue  # a 1 x 1 gradient at every shape is its own transpose (equivalent mutant)
        r = check_formula(spec, target, mutant)
        assert r.verdict is Verdict.REFUTED, (str(spec), target, mutant)


def _square(spec, target):
    """Whether the target is 1 x 1 at every check shape (so that .T changes nothing)."""
    from derivations.formula import _env

    return all(_env(spec, s.dims)[target].shape == (1, 1) for s in check_shapes(spec))


# --- the affine layer's standard formulas (the report's layout table) ---------------------


@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_affine_formulas_are_proven_at_twenty_shapes(layout):
    from derivations import decide_affine_formulas

    d = decide_affine_formulas(layout)
    assert d.verdict is Verdict.PROVEN, d.reason
    assert "all 20 shapes" in d.reason


@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_affine_formulas_of_the_other_layout_are_refuted(monkeypatch, layout):
    import derivations.formula as formula
    from derivations import decide_affine_formulas
    from derivations.symbolic import affine_grads

    other = "rows" if layout == "columns" else "columns"
    monkeypatch.setattr(formula, "affine_grads",
                        lambda *dims, layout: affine_grads(*dims, layout=other))
    d = decide_affine_formulas(layout, shapes=[(1, 1, 1), (2, 1, 1), (1, 2, 1)])
    assert d.verdict is Verdict.REFUTED


def test_affine_formulas_name_a_bad_layout():
    from derivations import decide_affine_formulas

    with pytest.raises(ValueError, match="'columns', 'rows'"):
        decide_affine_formulas("cols")
