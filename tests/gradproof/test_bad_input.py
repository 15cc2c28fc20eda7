"""A table of bad command lines: each fails fast, in our words, with no traceback and no file
changed, and no computation started (collect and the claim verifier are replaced by tripwires).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from derivations import get_claim
from gradproof.cli import main

CLAIM = get_claim("000-sigmoid-derivative")

#: bad --formulas files: name -> (TOML text, words the usage error must hold)
_GOOD = '[[derivation]]\nname = "hw"\nspec = "2-4-1 sigmoid/sigmoid bce mean columns"\n'
FORMULAS = {
    "unknown_key": (_GOOD + 'formula = "x"\n',
                    "[[derivation]] 1 ('hw'): unknown key 'formula'; the keys are name, spec"),
    "unknown_top": ('title = "x"\n' + _GOOD, "unknown top-level key 'title'"),
    "bad_spec": ('[[derivation]]\nspec = "2-4-1 sigmoid/sigmoid bse"\n'
                 '[derivation.formulas]\ndW2 = "dZ2 @ A1.T"\n',
                 "[[derivation]] 1, key 'spec': spec word 'bse' is not a loss"),
    "bad_formula": (_GOOD + '[derivation.formulas]\ndW2 = "dZ2 @@ A1.T"\n',
                    "[[derivation]] 1 ('hw'), key 'formulas.dW2': expression 'dZ2 @@ A1.T' is "
                    "not valid Python"),
    "bad_name": (_GOOD + '[derivation.formulas]\ndW2 = "dZ2 @ H1.T"\n',
                 "[[derivation]] 1 ('hw'), key 'formulas.dW2': name 'H1' is not defined here"),
    "same_target": (_GOOD + '[derivation.formulas]\ndW2 = "dZ2 @ A1.T"\ndw2 = "dZ2"\n',
                    "[[derivation]] 1 ('hw'), key 'formulas.dw2': names dW2, as 'formulas.dW2' "
                    "does"),
    "bad_target": (_GOOD + '[derivation.formulas]\ndW7 = "dZ2"\n',
                   "[[derivation]] 1 ('hw'), key 'formulas.dW7': target 'dW7' is not a gradient"),
    "missing_code": (_GOOD + 'code_file = "nope.py"\n',
                     "[[derivation]] 1 ('hw'), key 'code_file': 'nope.py' is not a file (looked "
                     "for {tmp}/f/nope.py"),
    "code_syntax": (_GOOD + 'code = "dW1 = ("\n',
                    "[[derivation]] 1 ('hw'), key 'code': the code is not valid Python"),
    "both_codes": (_GOOD + 'code = "dW1 = X"\ncode_file = "x.py"\n',
                   "[[derivation]] 1 ('hw'): keys 'code' and 'code_file' are both given"),
    "bad_names": (_GOOD + 'code = "h = X"\nnames = { h = "W1" }\n',
                  "[[derivation]] 1 ('hw'), key 'names': names: 'W1' is not a quantity"),
    "no_spec": ('[[derivation]]\ncode = "dW1 = X"\n', "[[derivation]] 1: key 'spec' is missing"),
    "nothing": (_GOOD, "[[derivation]] 1 ('hw'): nothing to check"),
    "not_toml": ("[[derivation]\n", "not valid TOML"),
    "empty": ("", "no [[derivation]] table"),
}

#: (argv with {tmp} for the scratch directory, exit code, words stderr must hold)
CASES = [
    pytest.param(["report", "--seed", "-1"], 2, "--seed: expected a non-negative integer, got -1",
                 id="report --seed -1"),
    pytest.param(["report", "--seed", "abc"], 2, "expected a non-negative integer, got 'abc'",
                 id="report --seed abc"),
    pytest.param(["report", "--seed", "1.5"], 2, "got '1.5'", id="report --seed 1.5"),
    pytest.param(["claims", "--workers", "0"], 2, "--workers: expected 1 to",
                 id="claims --workers 0"),
    pytest.param(["claims", "--workers", "-1"], 2, "--workers: expected 1 to",
                 id="claims --workers -1"),
    pytest.param(["claims", "--workers", "two"], 2, "expected a positive integer, got 'two'",
                 id="claims --workers two"),
    pytest.param(["claims", "--workers", "100000"], 2, "per CPU), got 100000",
                 id="claims --workers 100000"),
    pytest.param(["report", "--quick"], 2, "--quick was removed", id="report --quick"),
    pytest.param(["report", "--out", ""], 2, "--out is empty", id="report --out ''"),
    pytest.param(["report", "--out", "{tmp}/file/report"], 2, "is a file, not a directory",
                 id="report --out under a file"),
    pytest.param(["report", "--out", "/"], 2, "is the filesystem root", id="report --out /"),
    pytest.param(["report", "--out", "/proc/x"], 2, "--out /proc/x: cannot create files in /proc",
                 id="report --out /proc/x"),
    pytest.param(["report", "--out", "{tmp}"], 2, "holds files gradproof did not write",
                 id="report --out a directory of foreign files"),
    pytest.param(["report", "--documents", "{tmp}/missing"], 2,
                 "--documents {tmp}/missing: is not a directory", id="report --documents missing"),
    pytest.param(["claims", "--documents", "{tmp}/file"], 2, "is not a directory",
                 id="claims --documents a file"),
    pytest.param(["claims", "--id", "000-sigmoid-derivativ"], 2,
                 "Did you mean '000-sigmoid-derivative'", id="claims --id misspelt"),
    pytest.param(["claims", "--id", CLAIM.id, "--id", "nope"], 2, "no claim has id 'nope'",
                 id="claims --id good --id bad"),
    pytest.param(["claims", "--document", "999"], 2, "valid documents", id="claims --document 999"),
    pytest.param(["claims", "--document", "001", "--id", CLAIM.id], 2,
                 "is not in document '001'", id="claims --id outside --document"),
    *(pytest.param(["report", "--out", "{tmp}/out", "--formulas", f"{{tmp}}/f/{name}.toml"], 2,
                   f"{{tmp}}/f/{name}.toml: {words}",
                   id=f"report --formulas {name}")
      for name, (_, words) in FORMULAS.items()),
    pytest.param(["report", "--out", "{tmp}/out", "--formulas", "{tmp}/f/missing.toml"], 2,
                 "--formulas {tmp}/f/missing.toml: no such file", id="report --formulas missing"),
    pytest.param(["report", "--bogus"], 2, "unrecognized arguments: --bogus", id="report --bogus"),
    pytest.param(["claims", "extra"], 2, "unrecognized arguments: extra", id="claims extra"),
    pytest.param([], 2, "the following arguments are required: COMMAND", id="no command"),
    pytest.param(["claims", "--id", CLAIM.id, "--documents", "{tmp}/empty"], 1,
                 f"{CLAIM.id}: its document {CLAIM.document} is missing",
                 id="claims --documents without the document"),
    pytest.param(["claims", "--id", CLAIM.id, "--documents", "{tmp}/edited"], 1,
                 f"is not in {CLAIM.document}", id="claims --documents with an edited document"),
    pytest.param(["report", "--out", "{tmp}/out", "--documents", "{tmp}/edited"], 1,
                 f"is not in {CLAIM.document}", id="report --documents with an edited document"),
]


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "dir" for p in sorted(root.rglob("*"))}


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "edited").mkdir()
    (tmp_path / "edited" / CLAIM.document).write_text("a tutorial edited since", encoding="utf-8")
    (tmp_path / "f").mkdir()
    for name, (text, _) in FORMULAS.items():
        (tmp_path / "f" / f"{name}.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the default --out docs/report lands here, if anywhere

    import gradproof.claims_format as claims_format
    import gradproof.report.build as build

    def tripwire(*args, **kwargs):
        raise AssertionError("computation started although the input was bad")

    monkeypatch.setattr(build, "collect", tripwire)
    monkeypatch.setattr(claims_format, "collect_claims", tripwire)
    return tmp_path


@pytest.mark.parametrize(("argv", "code", "words"), CASES)
def test_bad_input_fails_fast_in_our_words(scratch, capsys, argv, code, words):
    argv = [a.replace("{tmp}", str(scratch)) for a in argv]
    words = words.replace("{tmp}", str(scratch))
    before = _snapshot(scratch)
    try:
        got = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        got = exc.code
    out, err = capsys.readouterr()
    assert got == code, err
    assert words in " ".join(err.split()), err
    assert "Traceback" not in err and out == ""
    if code == 2:
        assert err.startswith("usage: gradproof"), err
    else:
        assert err.count("gradproof: error: ") == 1, err
    assert _snapshot(scratch) == before


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True, None])
def test_build_report_refuses_a_bad_seed_before_computing(scratch, seed):
    from gradproof.report import build_report

    before = _snapshot(scratch)
    with pytest.raises(ValueError, match="expected a non-negative integer"):
        build_report(scratch / "out", seed=seed, show_progress=False)
    assert _snapshot(scratch) == before
