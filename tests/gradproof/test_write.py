"""Writing the report: never a file it did not write, all-or-nothing, refused early."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gradproof.report import write as write_mod
from gradproof.report.write import MANIFEST, OutDirError, check_writable, write_files


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _siblings(root: Path) -> list[str]:
    return sorted(p.name for p in root.parent.iterdir())


def test_second_report_replaces_only_the_first(tmp_path):
    out = tmp_path / "report"
    write_files(out, {"a.txt": "one", "sub/b.txt": "two"})
    write_files(out, {"c.txt": "three"})
    assert set(_tree(out)) == {"c.txt", MANIFEST}
    assert not (out / "sub").exists()
    assert _siblings(out) == ["report"]  # no staging directory left behind


def test_manifest_lists_every_file_with_its_hash(tmp_path):
    out = tmp_path / "report"
    write_files(out, {"index.html": "<p>x</p>", "figures/f.svg": "<svg/>"})
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["generator"] == "gradproof report"
    assert set(manifest["files"]) == {"index.html", "figures/f.svg"}
    assert all(len(h) == 64 for h in manifest["files"].values())


def test_directory_with_a_foreign_file_is_refused_and_untouched(tmp_path):
    out = tmp_path / "v"
    out.mkdir()
    (out / "keep").write_text("x")
    with pytest.raises(OutDirError, match=r"--out .*v: the directory holds files gradproof did "
                       r"not write \(keep\).*--force"):
        write_files(out, {"index.html": "new"})
    assert _tree(out) == {"keep": "x"}
    assert _siblings(out) == ["v"]


def test_force_writes_beside_foreign_files_and_keeps_them(tmp_path):
    out = tmp_path / "v"
    out.mkdir()
    (out / "keep").write_text("x")
    (out / "notes").mkdir()
    (out / "notes" / "n.txt").write_text("mine")
    write_files(out, {"index.html": "one", "figures/a.svg": "a"}, force=True)
    write_files(out, {"index.html": "two"}, force=True)  # figures/a.svg is ours: removed
    assert _tree(out) == {"keep": "x", "notes/n.txt": "mine", "index.html": "two",
                          MANIFEST: (out / MANIFEST).read_text()}
    assert not (out / "figures").exists()
    assert _siblings(out) == ["v"]


def test_foreign_file_at_a_report_path_is_refused_even_with_force(tmp_path):
    out = tmp_path / "v"
    out.mkdir()
    (out / "index.html").write_text("my page")
    with pytest.raises(OutDirError, match=r"index.html is not a file gradproof wrote.*never"):
        write_files(out, {"index.html": "new"}, force=True)
    assert _tree(out) == {"index.html": "my page"}


def test_report_file_edited_since_written_is_refused_without_force(tmp_path):
    out = tmp_path / "report"
    write_files(out, {"index.html": "one"})
    (out / "index.html").write_text("my edits")
    with pytest.raises(OutDirError, match=r"index.html was edited since gradproof wrote it"):
        write_files(out, {"index.html": "two"})
    assert (out / "index.html").read_text() == "my edits"
    write_files(out, {"index.html": "two"}, force=True)
    assert (out / "index.html").read_text() == "two"


def test_file_added_to_a_report_directory_is_kept(tmp_path):
    out = tmp_path / "report"
    write_files(out, {"index.html": "one"})
    (out / "README").write_text("about this report")
    with pytest.raises(OutDirError, match=r"\(README\)"):
        write_files(out, {"index.html": "two"})
    write_files(out, {"index.html": "two"}, force=True)
    assert (out / "README").read_text() == "about this report"


@pytest.mark.parametrize("mode", ["directory", "beside foreign files"])
def test_interrupted_write_leaves_the_previous_report_whole(tmp_path, monkeypatch, mode):
    out = tmp_path / "report"
    force = mode != "directory"
    if force:
        out.mkdir()
        (out / "keep").write_text("x")
    write_files(out, {"index.html": "old", "report.md": "old md"}, force=force)
    before = _tree(out)

    real_replace = os.replace
    calls = []

    def interrupted(src, dst):  # the second new file moved in is where the user hits Ctrl-C
        if Path(dst) == out / "report.md" and "gradproof-new" in str(src) and not calls:
            calls.append(dst)
            raise KeyboardInterrupt
        return real_replace(src, dst)

    real_rename = Path.rename

    def interrupted_rename(self, target):
        if Path(target) == out and self.name.startswith(".report.gradproof-new-"):
            raise KeyboardInterrupt
        return real_rename(self, target)

    monkeypatch.setattr(write_mod.os, "replace", interrupted)
    monkeypatch.setattr(write_mod.Path, "rename", interrupted_rename)
    with pytest.raises(KeyboardInterrupt):
        write_files(out, {"index.html": "new", "report.md": "new md"}, force=force)
    monkeypatch.undo()
    assert _tree(out) == before
    assert _siblings(out) == ["report"]


def test_failure_while_staging_leaves_previous_report_untouched(tmp_path, monkeypatch):
    out = tmp_path / "report"
    write_files(out, {"index.html": "old"})
    before = _tree(out)

    def broken(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write_mod.Path, "write_bytes", broken)
    with pytest.raises(OSError, match="No space"):
        write_files(out, {"index.html": "new"})
    monkeypatch.undo()
    assert _tree(out) == before
    assert _siblings(out) == ["report"]


@pytest.mark.parametrize("out, match", [
    pytest.param("", "--out is empty", id="empty"),
    pytest.param("   ", "--out is empty", id="blank"),
    pytest.param("/", "filesystem root", id="root"),
    pytest.param("~", "home directory", id="home"),
])
def test_special_directories_are_refused(out, match, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(OutDirError, match=match):
        check_writable(out, force=True)


def test_empty_out_in_a_checkout_does_not_touch_it(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "code.py").write_text("x = 1")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutDirError, match="--out is empty"):
        write_files("", {"index.html": "new"}, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git", "code.py"]


def test_a_checkout_is_refused_even_with_force(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutDirError, match=r"contains \.git .*docs/report"):
        write_files(".", {"index.html": "new"}, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git"]


def test_a_report_directory_that_is_its_own_checkout_is_allowed(tmp_path):
    out = tmp_path / "site"
    write_files(out, {"index.html": "one"})
    (out / ".git").mkdir()  # e.g. a gh-pages checkout of the report alone
    write_files(out, {"index.html": "two"}, force=True)
    assert (out / "index.html").read_text() == "two" and (out / ".git").is_dir()


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


def test_a_directory_that_refuses_files_is_found_by_the_probe():
    with pytest.raises(OutDirError, match=r"--out /proc/x: cannot create files in /proc"):
        check_writable("/proc/x")


def test_a_manifest_not_written_by_gradproof_is_refused(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps({"generator": "someone else", "files": {}}))
    with pytest.raises(OutDirError, match="not written by gradproof"):
        write_files(out, {"index.html": "x"}, force=True)
