"""Writing the report: the only code of the report that touches the file system.

Atomic: everything is written into a temporary directory beside the target, then swapped
into place; a failure leaves the previous report untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["check_writable", "write_files"]


def check_writable(out: str | os.PathLike[str]) -> Path:
    """Fail early, before any computation, when ``out`` cannot be written.

    Raises
    ------
    OSError
        Naming ``--out`` and the directory, when it is a file or not writable.
    """
    path = Path(out).resolve()
    if path.exists() and not path.is_dir():
        raise OSError(f"--out {out}: exists and is not a directory")
    parent = path if path.exists() else _first_existing(path)
    if not parent.is_dir():
        raise OSError(f"--out {out}: {parent} is a file, not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OSError(f"--out {out}: {parent} is not writable")
    return path


def _first_existing(path: Path) -> Path:
    for p in path.parents:
        if p.exists():
            return p
    return Path("/")  # pragma: no cover - the root always exists


def write_files(out: str | os.PathLike[str], files: Mapping[str, str]) -> Path:
    """Write ``files`` (relative path -> text) as the whole content of directory ``out``.

    The new content is built in a temporary sibling directory, then swapped in by renames;
    the previous content is removed only after the swap.

    Returns
    -------
    Path
        The resolved output directory.
    """
    target = check_writable(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for rel, text in files.items():
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8", newline="\n")
        tmp.chmod(0o755)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
        try:
            tmp.rename(target)
        except OSError:
            if old is not None:
                old.rename(target)  # put the previous report back
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
