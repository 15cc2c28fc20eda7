"""The network spec grammar (derivations/spec.py): parsing, keywords and errors that teach."""

from __future__ import annotations

import pytest

from derivations.spec import ACTIVATIONS, LOSSES, REDUCTIONS, Spec, SpecError, parse_spec


@pytest.mark.parametrize(
    ("text", "sizes", "activations", "loss", "reduction", "half", "layout"),
    [
        ("2-4-1 sigmoid/sigmoid bce mean columns", (2, 4, 1), ("sigmoid", "sigmoid"), "bce",
         "mean", False, "columns"),
        ("2-4-3 relu/softmax ce mean rows", (2, 4, 3), ("relu", "softmax"), "ce", "mean", False,
         "rows"),
        ("3-5-5-2 tanh,relu/identity mse half mean_all columns", (3, 5, 5, 2),
         ("tanh", "relu", "identity"), "mse", "mean_all", True, "columns"),
        ("3-5-5-2 leaky_relu/identity mse sum rows", (3, 5, 5, 2),
         ("leaky_relu", "leaky_relu", "identity"), "mse", "sum", False, "rows"),
        ("2-1 sigmoid bce", (2, 1), ("sigmoid",), "bce", "mean", False, "columns"),
        ("2-3-1 rows tanh/sigmoid bce", None, None, None, None, None, None),
    ],
)
def test_parse_spec_reads_every_field(text, sizes, activations, loss, reduction, half, layout):
    if sizes is None:  # words after the activations in any order, the defaults stated
        with pytest.raises(SpecError, match="'rows'"):
            parse_spec(text)
        return
    spec = parse_spec(text)
    assert spec.sizes == sizes
    assert spec.activations == activations
    assert (spec.loss, spec.reduction, spec.half, spec.layout) == (loss, reduction, half, layout)


def test_words_after_the_activations_come_in_any_order():
    a = parse_spec("2-4-1 sigmoid/sigmoid rows bce sum")
    b = parse_spec("2-4-1 sigmoid/sigmoid bce sum rows")
    assert a == b
    assert str(a) == "2-4-1 sigmoid/sigmoid bce sum rows"


def test_keyword_construction_equals_the_parsed_text():
    spec = Spec(sizes=(3, 5, 5, 2), hidden=("tanh", "relu"), output="identity", loss="mse",
                reduction="mean_all", half=True, layout="columns")
    assert spec == parse_spec("3-5-5-2 tanh,relu/identity mse half mean_all columns")
    assert parse_spec(str(spec)) == spec


def test_summed_round_trips():
    spec = parse_spec("2-4-1 sigmoid/sigmoid bce mean columns summed")
    assert spec.summed and str(spec).endswith("summed")


def test_every_activation_loss_and_reduction_is_accepted():
    for act in ACTIVATIONS:
        if act != "softmax":
            assert parse_spec(f"2-2-2 {act}/identity mse").hidden == (act,)
    for loss in LOSSES:
        out = {"bce": "sigmoid", "ce": "softmax", "mse": "identity"}[loss]
        for reduction in REDUCTIONS:
            assert parse_spec(f"2-3-2 tanh/{out} {loss} {reduction}").reduction == reduction


@pytest.mark.parametrize(
    ("text", "match"),
    [
        pytest.param("2x4x1 sigmoid/sigmoid bce", "sizes '2x4x1'.*'2-4-1'", id="sizes"),
        pytest.param("2-0-1 sigmoid/sigmoid bce", "each >= 1", id="zero width"),
        pytest.param("2-4-1 sigmod/sigmoid bce", "'sigmod' is not one of.*'sigmoid'",
                     id="activation"),
        pytest.param("2-4-1 softmax/sigmoid bce", "softmax only at the output", id="softmax"),
        pytest.param("2-4-1 sigmoid/sigmoid bse", "'bse' is not a loss.*'bce'", id="loss"),
        pytest.param("2-4-1 sigmoid/sigmoid bce average", "'average'.*'mean_all'",
                     id="reduction"),
        pytest.param("2-4-1 sigmoid/sigmoid bce col", "'col'.*'columns'", id="layout"),
        pytest.param("2-4-1 sigmoid/sigmoid", "at least SIZES ACTIVATIONS LOSS", id="short"),
        pytest.param("2-4-1 sigmoid/sigmoid mean rows", "names no loss", id="no loss"),
        pytest.param("2-4-1 sigmoid/sigmoid bce mse", "loss twice", id="two losses"),
        pytest.param("2-4-1 sigmoid/identity bce", "needs an output activation in", id="bce"),
        pytest.param("2-4-1 sigmoid/sigmoid bce half", "'half' is for the squared error",
                     id="half"),
        pytest.param("2-4-4-1 tanh,relu,relu/identity mse", "2 hidden layer", id="count"),
        pytest.param("2-4-1 tanh,relu mse", "separate the hidden layers", id="no slash"),
        pytest.param("2-4-1 relu/softmax ce", "at least 2 outputs", id="softmax of one"),
    ],
)
def test_bad_specs_name_the_token_and_list_what_is_allowed(text, match):
    with pytest.raises(SpecError, match=match):
        parse_spec(text)


def test_spec_errors_are_value_errors_and_keyword_errors_too():
    assert issubclass(SpecError, ValueError)
    with pytest.raises(SpecError, match="tuple of ints"):
        Spec(sizes="2-4-1")  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="layout 'cols' is not one of 'columns', 'rows'"):
        Spec(sizes=(2, 1), output="sigmoid", loss="bce", layout="cols")  # type: ignore[arg-type]
