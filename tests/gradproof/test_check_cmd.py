"""gradproof check (gradproof/check_cmd.py), run in-process through gradproof.cli.main."""

from __future__ import annotations

import json

import pytest

from gradproof.check_cmd import parse_assignment
from gradproof.cli import main

SPEC = "2-4-1 sigmoid/sigmoid bce mean columns"


def test_all_proven_exits_0(capsys):
    db2 = "db2 = np.sum(dZ2, axis=1, keepdims=True)"
    assert main(["check", SPEC, "dW2 = dZ2 @ A1.T", db2]) == 0
    out = capsys.readouterr().out
    assert "all 2 steps proven" in out and out.count(": proven") == 2


def test_one_proven_step_reads_as_one(capsys):
    assert main(["check", SPEC, "dW2 = dZ2 @ A1.T"]) == 0
    assert f"{SPEC}: its one step proven" in capsys.readouterr().out


def test_a_refuted_formula_exits_1_with_its_diagnosis(capsys):
    assert main(["check", SPEC, "dW2 = dZ2 @ A1.T / m"]) == 1
    out = capsys.readouterr().out
    assert "refuted" in out and "an extra 1/m" in out and "corrected: dW2 = dZ2 @ A1.T" in out


def test_json_carries_every_field(capsys):
    assert main(["check", SPEC, "dZ2 = A2 - Y", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    row = data["formulas"][0]
    assert data["first_wrong"] == "dZ2" and row["verdict"] == "refuted"
    assert "a missing 1/m" in row["diagnosis"] and row["corrected_verdict"] == "proven"
    assert row["counterexample"]["point"]["dimensions"].endswith("m=3")


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        pytest.param([SPEC.replace("bce", "bse"), "dW2 = dZ2"], "'bse' is not a loss", id="spec"),
        pytest.param([SPEC, "dW2 = dZ2 @@ A1"], "not valid Python syntax", id="syntax"),
        pytest.param([SPEC, "dW2 := dZ2"], "is not of the form", id="assignment"),
        pytest.param([SPEC], "at least one", id="nothing"),
        pytest.param([SPEC, "dW2 = dZ2 @ A1.T / m", "dw2 = dZ2 @ A1.T"], "dW2 is given twice",
                     id="one target twice"),
        pytest.param([SPEC, "--code", "/no/such/file.py"], "no such file", id="code"),
    ],
)
def test_usage_errors_exit_2_in_our_words(argv, match, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", *argv])
    assert exc.value.code == 2
    assert match in capsys.readouterr().err


def test_code_file_is_run_and_decided(tmp_path, capsys):
    code = tmp_path / "backward.py"
    code.write_text("A1 = 1 / (1 + np.exp(-(W1 @ X + b1)))\n"
                    "A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))\n"
                    "dZ2 = (A2 - Y) / m\ndW2 = dZ2 @ A1.T\n", encoding="utf-8")
    assert main(["check", "2-1-1 sigmoid/sigmoid bce mean columns", "--code", str(code)]) == 0
    assert "2 gradient(s) found" in capsys.readouterr().out


def test_parse_assignment_keeps_comparisons_in_the_expression():
    assert parse_assignment("dZ1 = dA1 * (Z1 >= 0)") == ("dZ1", "dA1 * (Z1 >= 0)")


def test_help_says_the_code_is_run(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "RUNS YOUR CODE" in capsys.readouterr().out


def test_code_with_a_relu_mask_states_its_label(tmp_path, capsys):
    code = tmp_path / "backward.py"
    code.write_text("A1 = np.maximum(0, X @ W1 + b1)\nA2 = A1 @ W2 + b2\n"
                    "dZ2 = (A2 - Y) / m\ndZ1 = (dZ2 @ W2.T) * (A1 > 0)\n"
                    "dW1 = X.T @ dZ1\n", encoding="utf-8")
    assert main(["check", "2-2-1 relu/identity mse half mean rows", "--code", str(code)]) == 0
    out = capsys.readouterr().out
    assert out.count(": proven") == 3
    assert "on every sign pattern of the quantities the code compares" in out
    assert "off the kinks" in out
