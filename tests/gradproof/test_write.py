"""Writing is atomic and fails early on an unwritable directory."""

from __future__ import annotations

import pytest

from gradproof.report import write as write_mod
from gradproof.report.write import check_writable, write_files


def test_write_replaces_the_whole_directory(tmp_path):
    out = tmp_path / "report"
    write_files(out, {"a.txt": "one", "sub/b.txt": "two"})
    write_files(out, {"c.txt": "three"})
    assert sorted(p.name for p in out.rglob("*")) == ["c.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_failure_leaves_previous_report_untouched(tmp_path, monkeypatch):
    out = tmp_path / "report"
    write_files(out, {"index.html": "old"})

    class Boom(RuntimeError):
        pass

    def broken(self, *a, **k):
        raise Boom("disk full")

    monkeypatch.setattr(write_mod.Path, "write_text", broken)
    with pytest.raises(Boom):
        write_files(out, {"index.html": "new"})
    monkeypatch.undo()
    assert (out / "index.html").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_out_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OSError, match=r"--out .* not a directory"):
        check_writable(f)


def test_out_below_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OSError, match="is a file, not a directory"):
        check_writable(f / "report")


def test_unwritable_parent_is_refused(tmp_path, monkeypatch):
    # root may write anywhere, so the permission answer is what we simulate
    monkeypatch.setattr(write_mod.os, "access", lambda path, mode: False)
    with pytest.raises(OSError, match="not writable"):
        check_writable(tmp_path / "report")
