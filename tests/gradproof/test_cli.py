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
    out = " ".join(capsys.readouterr().out.split())  # help wraps with the terminal's width
    assert "default: docs/report" in out and "default: 0" in out
    assert "../shared/seeds beside the gradproof source checkout" in out
    assert "--quick" not in out


def test_missing_command_is_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_report_defaults():
    args = build_parser().parse_args(["report"])
    assert (args.out, args.seed, args.quiet, args.documents) == ("docs/report", 0, False, None)


@pytest.fixture
def no_collect(monkeypatch):
    import gradproof.report.build as build

    def must_not_run(**kwargs):
        raise AssertionError("collect ran although --out was refused")

    monkeypatch.setattr(build, "collect", must_not_run)


def _usage_error(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err
    return err


def test_unwritable_out_is_a_usage_error_before_any_computation(tmp_path, capsys, no_collect):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    err = _usage_error(["report", "--out", str(blocker / "report"), "--quiet"], capsys)
    assert "gradproof report: error: --out" in err and "is a file, not a directory" in err


def test_out_with_a_foreign_file_is_refused_and_kept(tmp_path, capsys, no_collect):
    out = tmp_path / "v"
    out.mkdir()
    (out / "keep").write_text("x")
    err = _usage_error(["report", "--out", str(out)], capsys)
    assert "(keep)" in err and "--force" in err
    assert (out / "keep").read_text() == "x"


def test_empty_out_in_a_checkout_is_refused(tmp_path, capsys, no_collect, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "keep.py").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert "--out is empty" in _usage_error(["report", "--out", ""], capsys)
    assert "contains .git" in _usage_error(["report", "--out", ".", "--force"], capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git", "keep.py"]


def test_default_out_inside_another_project_keeps_its_docs(tmp_path, capsys, no_collect,
                                                           monkeypatch):
    docs = tmp_path / "docs" / "report"
    docs.mkdir(parents=True)
    (docs / "index.html").write_text("their report")
    monkeypatch.chdir(tmp_path)
    err = _usage_error(["report", "--force"], capsys)
    assert "index.html is not a file gradproof wrote" in err
    assert (docs / "index.html").read_text() == "their report"


def test_without_documents_the_cli_and_the_report_say_quotes_were_not_checked(
        tmp_path, capsys, monkeypatch):
    import gradproof.report as report
    import gradproof.sources as sources

    seen = {}

    def fake_build(out, **kwargs):
        seen.update(kwargs)
        return "done"

    monkeypatch.setattr(sources, "default_documents", lambda: None)
    monkeypatch.setattr(report, "build_report", fake_build)
    assert main(["report", "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "quotes not re-checked against the documents" in err
    assert seen["documents"] is None


def test_explicit_documents_are_passed_to_the_report(tmp_path, capsys, monkeypatch):
    import gradproof.report as report

    seen = {}
    monkeypatch.setattr(report, "build_report", lambda out, **kw: seen.update(kw) or "done")
    assert main(["report", "--out", str(tmp_path / "r"), "--documents", str(tmp_path)]) == 0
    assert seen["documents"] == str(tmp_path) and capsys.readouterr().err == ""


def test_the_default_documents_are_beside_a_source_checkout_only(tmp_path, monkeypatch):
    import gradproof.sources as sources

    root = sources.project_root()
    assert root is not None and (root / "gradproof" / "cli.py").is_file()  # this checkout
    expected = root.parent / "shared" / "seeds"
    assert sources.default_documents() == (expected if expected.is_dir() else None)
    # an installed copy: no pyproject.toml naming gradproof beside the package
    fake = tmp_path / "site-packages" / "gradproof" / "sources.py"
    fake.parent.mkdir(parents=True)
    (tmp_path / "shared" / "seeds").mkdir(parents=True)  # even a neighbour by that name
    monkeypatch.setattr(sources, "__file__", str(fake))
    monkeypatch.chdir(tmp_path)
    assert sources.project_root() is None and sources.default_documents() is None
    # an installed copy run from a checkout (`pip install . && gradproof report`): its seeds
    checkout = tmp_path / "gradproof-checkout"
    checkout.mkdir()
    (checkout / "pyproject.toml").write_text('[project]\nname = "gradproof"\n')
    monkeypatch.chdir(checkout)
    assert sources.project_root() == checkout
    assert sources.default_documents() == tmp_path / "shared" / "seeds"
