"""Writing the report: the only code of the report that touches the file system.

The rule: the report never deletes or overwrites a file it did not write.

- Every report directory holds a manifest, ``.gradproof-report.json``, that lists the files
  gradproof wrote there with their SHA-256. Only those files are ever replaced or removed.
- A directory that holds anything else (a *foreign* entry) is refused, naming the directory
  and the first foreign entry, unless ``force=True``; then the report is written beside the
  foreign entries, which are left alone. A foreign file at one of the report's own paths is
  refused even then: replacing it would lose it.
- A report file edited since gradproof wrote it (its hash no longer matches) counts as the
  user's: refused unless ``force=True``.
- Refused always: an empty path, the filesystem root, the home directory, and a directory
  that contains ``.git`` (a checkout) unless it already is a report directory.

The write is all-or-nothing: the new report is built in a temporary sibling directory. When
the target holds only gradproof's files, the whole directory is swapped in by two renames
(an interrupted write leaves the previous report whole). Beside foreign entries, the files
are swapped one by one, each atomically, and a failure puts the previous files back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["MANIFEST", "OutDirError", "check_writable", "write_files"]

MANIFEST = ".gradproof-report.json"
_GENERATOR = "gradproof report"


class OutDirError(OSError):
    """The output directory cannot take the report without losing or risking a file."""


@dataclass(frozen=True)
class _Existing:
    """What a report directory holds now."""

    ours: dict[str, str]          # relative path -> SHA-256 as written, from the manifest
    foreign: tuple[str, ...]      # entries the manifest does not list (sorted)
    edited: tuple[str, ...]       # listed files whose content changed since they were written


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(target: Path) -> dict[str, str]:
    path = target / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutDirError(f"--out {target}: its {MANIFEST} is unreadable ({exc}); "
                          "delete the directory yourself or choose another --out") from None
    files = data.get("files") if isinstance(data, dict) else None
    if data.get("generator") != _GENERATOR or not isinstance(files, dict):
        raise OutDirError(f"--out {target}: {MANIFEST} was not written by gradproof")
    return {str(k): str(v) for k, v in files.items() if _safe_relpath(str(k))}


def _safe_relpath(rel: str) -> bool:
    p = PurePosixPath(rel)
    return not p.is_absolute() and ".." not in p.parts and rel not in ("", ".")


def _survey(target: Path) -> _Existing:
    """Sort what ``target`` holds into gradproof's files, edited ones and foreign entries."""
    ours = _read_manifest(target)
    parents = {str(PurePosixPath(rel).parent) for rel in ours} | {
        str(p) for rel in ours for p in PurePosixPath(rel).parents}
    foreign, edited = [], []
    for path in sorted(target.rglob("*")):
        rel = path.relative_to(target).as_posix()
        if rel == MANIFEST:
            continue
        if rel in ours and path.is_file() and not path.is_symlink():
            if _sha256(path.read_bytes()) != ours[rel]:
                edited.append(rel)
        elif not (rel in parents and path.is_dir() and not path.is_symlink()):
            foreign.append(rel)
    # A listed file that is gone is simply not ours to remove any more.
    present = {rel: sha for rel, sha in ours.items() if (target / rel).is_file()}
    return _Existing(ours=present, foreign=tuple(foreign), edited=tuple(edited))


def _refuse_special(raw: str, path: Path) -> None:
    if raw.strip() == "":
        raise OutDirError("--out is empty; name the directory to write the report into, "
                          "e.g. --out docs/report")
    if path == Path(path.anchor):
        raise OutDirError(f"--out {raw}: is the filesystem root; choose a directory of its own")
    with contextlib.suppress(RuntimeError, KeyError):  # no home directory known
        if path == Path.home().resolve():
            raise OutDirError(f"--out {raw}: is your home directory; choose a directory of "
                              "its own, e.g. ~/gradproof-report")
    if (path / ".git").exists() and not (path / MANIFEST).is_file():
        raise OutDirError(f"--out {raw}: {path} contains .git (a checkout); choose a directory "
                          "of its own inside it, e.g. --out docs/report")


def _probe_writable(raw: str, path: Path) -> None:
    """Create and remove a file where the report will go: the only proof that it can."""
    if path.exists() and not path.is_dir():
        raise OutDirError(f"--out {raw}: exists and is not a directory")
    parent = path if path.exists() else _first_existing(path)
    if not parent.is_dir():
        raise OutDirError(f"--out {raw}: {parent} is a file, not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutDirError(f"--out {raw}: {parent} is not writable")
    try:
        fd, probe = tempfile.mkstemp(prefix=".gradproof-probe-", dir=parent)
    except OSError as exc:
        raise OutDirError(f"--out {raw}: cannot create files in {parent} "
                          f"({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def _first_existing(path: Path) -> Path:
    for p in path.parents:
        if p.exists():
            return p
    return Path(path.anchor)  # pragma: no cover - the root always exists


def _check_existing(raw: str, existing: _Existing, names: Iterable[str], force: bool) -> None:
    collisions = [rel for rel in names if rel in existing.foreign]
    if collisions:
        raise OutDirError(
            f"--out {raw}: {collisions[0]} is not a file gradproof wrote, and the report would "
            "replace it; move it away or choose another --out (even --force never replaces it)")
    if existing.foreign and not force:
        n = len(existing.foreign)
        more = f" and {n - 1} more" if n > 1 else ""
        raise OutDirError(
            f"--out {raw}: the directory holds files gradproof did not write "
            f"({existing.foreign[0]}{more}); choose an empty or new directory, or pass --force "
            "to write the report beside them (they are left alone)")
    if existing.edited and not force:
        raise OutDirError(
            f"--out {raw}: {existing.edited[0]} was edited since gradproof wrote it; "
            "save your changes elsewhere, or pass --force to replace it")


def check_writable(
    out: str | os.PathLike[str],
    *,
    force: bool = False,
    names: Iterable[str] = (),
) -> Path:
    """Fail early, before any computation, when the report cannot go into ``out`` safely.

    Parameters
    ----------
    out : str or path
        The report directory (created if absent).
    force : bool
        Allow files that gradproof did not write beside the report, and replace report files
        edited since they were written.
    names : iterable of str
        Relative paths the report will write, when known: a foreign file at one of them is
        refused even with ``force``.

    Returns
    -------
    Path
        The resolved directory.

    Raises
    ------
    OutDirError
        Naming ``--out`` and what is wrong: an empty path, the root, the home directory, a
        checkout, a path that is a file or not writable, foreign or edited files.
    """
    raw = os.fspath(out)
    if raw.strip() == "":
        _refuse_special(raw, Path.cwd())
    path = Path(raw).expanduser().resolve()
    _refuse_special(raw, path)
    _probe_writable(raw, path)
    if path.is_dir():
        _check_existing(raw, _survey(path), names, force)
    return path


def write_files(
    out: str | os.PathLike[str],
    files: Mapping[str, str],
    *,
    force: bool = False,
) -> Path:
    """Write ``files`` (relative path -> text) into directory ``out``, with their manifest.

    Files of an earlier report that the new one does not write are removed; nothing else is.

    Returns
    -------
    Path
        The resolved output directory.

    Raises
    ------
    OutDirError
        As `check_writable`, checked again just before writing.
    """
    bad = [rel for rel in files if not _safe_relpath(rel) or rel == MANIFEST]
    if bad:
        raise ValueError(f"report file name {bad[0]!r} is not a relative path of the report")
    target = check_writable(out, force=force, names=files)
    existing = _survey(target) if target.is_dir() else _Existing({}, (), ())
    payload = {rel: text.encode("utf-8") for rel, text in files.items()}
    manifest = json.dumps(
        {"generator": _GENERATOR, "files": {rel: _sha256(b) for rel, b in sorted(payload.items())}},
        indent=1, sort_keys=True) + "\n"
    payload[MANIFEST] = manifest.encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.gradproof-new-", dir=target.parent))
    try:
        for rel, data in payload.items():
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        tmp.chmod(0o755)
        if existing.foreign:
            _swap_files(tmp, target, payload, existing)
        else:
            _swap_directory(tmp, target, existing)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)  # our own staging directory only
    return target


def _swap_directory(tmp: Path, target: Path, existing: _Existing) -> None:
    """Two renames; then remove from the old directory only what its manifest listed."""
    if not target.exists():
        tmp.rename(target)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.gradproof-old-", dir=target.parent))
    aside.rmdir()
    target.rename(aside)
    try:
        tmp.rename(target)
    except BaseException:
        aside.rename(target)  # put the previous report back
        raise
    _remove_ours(aside, existing.ours)
    _restore_leftovers(aside, target)


def _swap_files(tmp: Path, target: Path, payload: Mapping[str, bytes], existing: _Existing,
                ) -> None:
    """Beside foreign entries: replace file by file, rolling back on any failure."""
    backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.gradproof-old-", dir=target.parent))
    moved: list[str] = []      # our previous files, now in backup
    placed: list[str] = []     # new files, now in target
    try:
        for rel in [*existing.ours, MANIFEST]:
            if (target / rel).is_file():
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(target / rel, backup / rel)
                moved.append(rel)
        for rel in payload:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / rel, target / rel)
            placed.append(rel)
    except BaseException:
        for rel in placed:
            with contextlib.suppress(OSError):
                (target / rel).unlink()
        for rel in moved:
            os.replace(backup / rel, target / rel)  # the previous report, whole again
        _prune_tree(backup)
        raise
    shutil.rmtree(backup, ignore_errors=True)  # holds only our previous files
    _prune_empty_dirs(target, [rel for rel in existing.ours if rel not in payload])


def _remove_ours(directory: Path, ours: Mapping[str, str]) -> None:
    for rel in [*ours, MANIFEST]:
        with contextlib.suppress(FileNotFoundError):
            (directory / rel).unlink()
    _prune_empty_dirs(directory, list(ours))


def _prune_empty_dirs(root: Path, rels: Iterable[str]) -> None:
    dirs = {p for rel in rels for p in PurePosixPath(rel).parents if str(p) != "."}
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty: something else lives there
            (root / d).rmdir()


def _restore_leftovers(aside: Path, target: Path) -> None:
    """Anything still in the old directory appeared after the check: put it back."""
    if not aside.exists():
        return
    with contextlib.suppress(OSError):
        aside.rmdir()
        return
    stuck = []
    for path in sorted(aside.rglob("*"), key=lambda p: len(p.parts)):
        if not path.exists() or (path.is_dir() and not path.is_symlink()):
            continue
        dest = target / path.relative_to(aside)
        if dest.exists():
            stuck.append(path)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, dest)
    if stuck:
        raise OutDirError(f"files appeared in {target} while the report was written; "
                          f"they are kept in {aside}")
    _prune_tree(aside)


def _prune_tree(root: Path) -> None:
    for d in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        with contextlib.suppress(OSError):
            d.rmdir()
    with contextlib.suppress(OSError):
        root.rmdir()
