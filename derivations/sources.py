"""The claims' quotes, checked against the documents they quote.

A claim ties its statement to a tutorial by a verbatim quote. The tutorials themselves are not
part of the package: :func:`missing_quotes` reads them from a directory the caller names
(``gradproof --documents DIR``) and returns every claim whose quote is no longer there.

Quotes are compared with whitespace collapsed (a quote may span a line break of its document);
everything else, case and punctuation included, must match exactly.

Examples
--------
>>> import tempfile, pathlib
>>> from derivations import get_claim
>>> claim = get_claim("000-sigmoid-derivative")
>>> with tempfile.TemporaryDirectory() as d:
...     _ = (pathlib.Path(d) / claim.document).write_text("text edited since", encoding="utf-8")
...     [m.claim_id for m in missing_quotes(d, [claim])]  # the quote is no longer there
['000-sigmoid-derivative']
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

__all__ = ["MissingQuote", "missing_quotes", "normalise_text"]


class Quoted(Protocol):
    """Anything with an id, a document file name and a quote from it, such as a ``Claim``."""

    id: str
    document: str
    quote: str


@dataclass(frozen=True)
class MissingQuote:
    """A claim whose quote was not found in its document.

    ``reason`` is ``"no document"`` when the directory has no file of that name, and
    ``"not in document"`` when the file is there but the quote is not.
    """

    claim_id: str
    document: str
    quote: str
    reason: Literal["no document", "not in document"]

    def __str__(self) -> str:
        if self.reason == "no document":
            return f"{self.claim_id}: its document {self.document} is missing"
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "..."
        return f"{self.claim_id}: quote {quote!r} is not in {self.document}"


def normalise_text(text: str) -> str:
    """``text`` with every run of whitespace collapsed to one space, ends stripped."""
    return re.sub(r"\s+", " ", text).strip()


def missing_quotes(
    directory: str | os.PathLike[str],
    claims: Iterable[Quoted] | None = None,
) -> tuple[MissingQuote, ...]:
    """Every claim whose quote is not in its document, in claim order.

    Parameters
    ----------
    directory : str or path
        The directory holding the documents, one file per document named as
        ``claim.document`` (e.g. ``000_7a69e03d4d058e30.txt``), UTF-8 text.
    claims : iterable of Claim, optional
        The claims to check (default: every registered claim).

    Returns
    -------
    tuple of MissingQuote
        Empty when every quote was found.

    Raises
    ------
    NotADirectoryError
        When ``directory`` is not a directory.
    """
    root = Path(directory)
    if not root.is_dir():
        raise NotADirectoryError(
            f"documents directory {os.fspath(directory)!r} is not a directory; name the "
            "directory that holds the tutorials (e.g. ../shared/seeds)")
    if claims is None:
        from derivations.registry import all_claims

        claims = all_claims()
    texts: dict[str, str | None] = {}
    missing = []
    for claim in claims:
        if claim.document not in texts:
            path = root / claim.document
            texts[claim.document] = (normalise_text(path.read_text(encoding="utf-8"))
                                     if path.is_file() else None)
        text = texts[claim.document]
        if text is None:
            missing.append(MissingQuote(claim.id, claim.document, claim.quote, "no document"))
        elif normalise_text(claim.quote) not in text or not normalise_text(claim.quote):
            missing.append(MissingQuote(claim.id, claim.document, claim.quote,
                                        "not in document"))
    return tuple(missing)
