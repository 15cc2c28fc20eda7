"""`gradproof report --formulas FILE` (gradproof/formulas_file.py and the report's section).

The loader's table of bad files is in test_bad_input.py (as the CLI's); here: what a good
file gives, and the report end to end with the long collectors replaced by empty ones, so
that the user's derivations are decided live and rendered by the unchanged writers.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from gradproof.cli import main
from gradproof.formulas_file import FormulasFileError, load_formulas_file

TOML = textwrap.dedent('''
    [[derivation]]
    name = "slide 12"
    spec = "2-4-1 sigmoid/sigmoid bce mean columns"

    [derivation.formulas]
    dW2 = "dZ2 @ A1.T"
    dZ1 = "dA1 * sigmoid_prime(A1)"

    [[derivation]]
    spec = "2-3-1 tanh/identity mse half mean rows"
    code_file = "code/backward.py"
    names = { dhidden = "dA1" }
''')

CODE = textwrap.dedent('''
    A1 = np.tanh(X @ W1 + b1)
    A2 = A1 @ W2 + b2
    dZ2 = (A2 - Y) / m
    dW2 = A1.T @ dZ2
    dhidden = dZ2 @ W2.T
    dZ1 = dhidden * (1 - A1 ** 2)
    dW1 = X.T @ dZ1 / m
''')


@pytest.fixture
def formulas(tmp_path):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "backward.py").write_text(CODE, encoding="utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(TOML, encoding="utf-8")
    return path


def test_a_good_file_gives_each_derivation_in_order(formulas):
    first, second = load_formulas_file(formulas)
    assert first.name == "slide 12" and first.code is None
    assert first.formulas == (("dW2", "dZ2 @ A1.T"), ("dZ1", "dA1 * sigmoid_prime(A1)"))
    assert second.name == "derivation 2" and second.spec.endswith("rows")
    assert second.code == CODE and second.code_origin == str(formulas.parent / "code" /
                                                                "backward.py")
    assert dict(second.names) == {"dhidden": "dA1"}


def test_inline_code_and_a_repeated_name(tmp_path):
    path = tmp_path / "f.toml"
    path.write_text('[[derivation]]\nspec = "2-1 sigmoid bce"\ncode = "dW1 = X"\n'
                    '[[derivation]]\nname = "derivation 1"\nspec = "2-1 sigmoid bce"\n'
                    'code = "dW1 = X"\n', encoding="utf-8")
    with pytest.raises(FormulasFileError, match="two derivations are named 'derivation 1'"):
        load_formulas_file(path)


@pytest.fixture
def cheap_collect(monkeypatch):
    """Every collector but the user's derivations returns nothing (they take minutes)."""
    import gradproof.report.collect as collect

    for name in ("collect_claims", "collect_networks", "collect_step_curves",
                 "collect_catalogue"):
        monkeypatch.setattr(collect, name, lambda *a, **k: ())
    monkeypatch.setattr(collect, "collect_formulas", lambda: ())
    monkeypatch.setattr(collect, "collect_conventions", lambda: ())
    monkeypatch.setattr(collect, "collect_training", lambda **k: None)


def test_report_formulas_end_to_end(formulas, tmp_path, capsys, cheap_collect):
    out = tmp_path / "report"
    assert main(["report", "--out", str(out), "--formulas", str(formulas)]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert "your derivations: 5 proven, 2 refuted" in summary, summary
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "## Your derivations" in md and "### slide 12" in md and "### derivation 2" in md
    # the proven formula, the refuted one with its diagnosis and its proven correction
    assert "#### `yours-1-dW2`: dW2 = dZ2 @ A1.T" in md
    proven = md.split("`yours-1-dW2`")[1].split("####")[0]
    assert "**proven**" in proven and "at all 4 shapes" in proven
    refuted = md.split("`yours-1-dZ1`")[1].split("####")[0]
    assert "**refuted**" in refuted and "sigma'(A1) instead of sigma'(Z1)" in refuted
    assert "your formula gives" in refuted
    assert "Corrected (proven): dZ1 = dA1 * sigmoid_prime(Z1)" in refuted
    # the code: each gradient variable decided, quoted by its own line; the wrong one refuted
    assert "> dhidden = dZ2 @ W2.T" in md
    by_var = {part.split("`")[0]: part for part in md.split("#### `yours-2-code-")[1:]}
    assert set(by_var) == {"dZ2", "dW2", "dhidden", "dZ1", "dW1"}
    assert all("**proven**" in by_var[v] for v in ("dZ2", "dW2", "dhidden", "dZ1"))
    assert "**refuted**" in by_var["dW1"] and "your code gives" in by_var["dW1"]
    # the same blocks in HTML, with the anchors of the summary table's links
    assert 'id="your-derivations"' in html and 'href="#yours-1"' in html
    assert 'id="yours-1-dZ1"' in html
    # the manifest lists only the report's own files (write.py's rules unchanged)
    manifest = json.loads((out / ".gradproof-report.json").read_text())
    assert "mine.toml" not in json.dumps(manifest)
    assert formulas.read_text(encoding="utf-8") == TOML
    # report.json carries the same verdicts, by claim id
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["formulas_file"] == str(formulas)
    verdicts = {c["id"]: c["verdict"] for d in data["derivations"] for c in d["claims"]}
    assert verdicts["yours-1-dW2"] == "proven" and verdicts["yours-1-dZ1"] == "refuted"
    assert verdicts["yours-2-code-dW1"] == "refuted"
    # the chain of formulas names its first wrong step; the code block has no chain
    assert [d["first_wrong"] for d in data["derivations"]] == ["dZ1", None]


def test_without_formulas_the_report_has_no_such_section(tmp_path, cheap_collect):
    out = tmp_path / "report"
    assert main(["report", "--out", str(out), "--quiet"]) == 0
    assert "Your derivations" not in (out / "report.md").read_text(encoding="utf-8")
