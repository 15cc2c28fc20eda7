"""Where the tutorials are, and the check that every claim still quotes them.

The tutorials are not part of the package. In a source checkout they sit in
``../shared/seeds`` beside the project (the directory that holds ``pyproject.toml``), and that
is the default of ``--documents``. An installed wheel has no such neighbour: its default is no
directory at all, the quotes are not re-checked, and the CLI and the report's header say so;
pass ``--documents DIR`` to check them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from derivations import Claim
from derivations.sources import MissingQuote, missing_quotes

__all__ = ["QuoteError", "check_quotes", "default_documents", "project_root"]


class QuoteError(ValueError):
    """A claim's quote is no longer in its document (or the document is missing)."""

    def __init__(self, missing: tuple[MissingQuote, ...], directory: str) -> None:
        self.missing = missing
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        super().__init__(f"{missing[0]}{more}, in --documents {directory}; the document "
                         "changed since the claim was written: update the claim's quote, or "
                         "point --documents at the tutorials the claims were written from")


def project_root() -> Path | None:
    """The source checkout this package runs from, or ``None`` for an installed copy.

    A checkout is recognised by the ``pyproject.toml`` beside the ``gradproof`` package that
    names the ``gradproof`` project.
    """
    root = Path(__file__).resolve().parents[1]
    pyproject = root / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return None
    return root if 'name = "gradproof"' in text else None


def default_documents() -> Path | None:
    """``../shared/seeds`` beside the project when this is a checkout and it exists."""
    root = project_root()
    if root is None:
        return None
    seeds = root.parent / "shared" / "seeds"
    return seeds if seeds.is_dir() else None


def check_quotes(directory: str | os.PathLike[str], claims: Sequence[Claim] | None = None) -> int:
    """Check each claim's quote in ``directory``; return how many were checked.

    Parameters
    ----------
    directory : str or path
        The tutorials' directory.
    claims : sequence of Claim, optional
        The claims to check (default: every registered claim).

    Raises
    ------
    NotADirectoryError
        When ``directory`` is not a directory.
    QuoteError
        Naming the first claim whose quote is missing and its document.
    """
    from derivations import all_claims

    claims = all_claims() if claims is None else claims
    missing = missing_quotes(directory, claims)
    if missing:
        raise QuoteError(missing, os.fspath(directory))
    return len(claims)
