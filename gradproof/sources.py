"""Where the tutorials are, and the check that every claim still quotes them.

The tutorials are not part of the package. In a source checkout they sit in
``../shared/seeds`` beside the project (the directory that holds ``pyproject.toml``), and that
is the default of ``--documents``: the checkout the package runs from (an editable install),
or else the checkout that is the current directory (``pip install .`` run from it, as the
README does). Anywhere else the default is no directory at all, the quotes are not
re-checked, and the CLI and the report's header say so; pass ``--documents DIR`` to check them.
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


def _is_checkout(root: Path) -> bool:
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return False
    return 'name = "gradproof"' in text


def project_root() -> Path | None:
    """The gradproof source checkout: the one this package runs from, else the current directory.

    A checkout is recognised by its ``pyproject.toml`` naming the ``gradproof`` project.
    ``None`` for an installed copy run from anywhere else.
    """
    for root in (Path(__file__).resolve().parents[1], Path.cwd()):
        if _is_checkout(root):
            return root
    return None


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
