"""The command line, tested in-process with main([...]) and capsys."""

from __future__ import annotations

import pytest

from gradproof import __version__
from gradproof.cli import build_parser, main


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"gradproof {__version__}"


def test_help_documents_exit_codes_and_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "exit codes" in out and "report" in out


def test_report_help_states_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = capsys.readouterr().out
    assert "default: docs/report" in out and "default: 0" in out


def test_missing_command_is_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_report_defaults():
    args = build_parser().parse_args(["report"])
    assert (args.out, args.seed, args.quick, args.quiet) == ("docs/report", 0, False, False)


def test_unwritable_out_fails_before_any_computation(tmp_path, capsys, monkeypatch):
    import gradproof.report.build as build

    def must_not_run(**kwargs):
        raise AssertionError("collect ran although --out is unwritable")

    monkeypatch.setattr(build, "collect", must_not_run)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["report", "--out", str(blocker / "report"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("gradproof: error: --out") and "Traceback" not in err
