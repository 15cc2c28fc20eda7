"""derivations.sources: quotes checked against the documents they quote.

The oracle is the documents themselves (../shared/seeds beside the repository) and small
hand-written documents; nothing here copies a tutorial's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from derivations import all_claims
from derivations.sources import MissingQuote, missing_quotes, normalise_text

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@dataclass(frozen=True)
class _Quoted:
    id: str
    document: str
    quote: str


def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds live in ../shared/seeds beside the repo")
def test_every_registered_quote_is_in_the_shared_documents():
    assert missing_quotes(SEEDS) == ()


def test_a_quote_across_a_line_break_is_found(tmp_path):
    d = _write(tmp_path, "000_x.txt", "so the derivative\n   is  A(1-A) here")
    assert missing_quotes(d, [_Quoted("000-a", "000_x.txt", "derivative is A(1-A)")]) == ()


def test_an_edited_quote_is_reported_with_id_and_document(tmp_path):
    d = _write(tmp_path, "000_x.txt", "the derivative is A(1+A)")
    claims = [_Quoted("000-ok", "000_x.txt", "the derivative"),
              _Quoted("000-edited", "000_x.txt", "is A(1-A)")]
    (missing,) = missing_quotes(d, claims)
    assert missing == MissingQuote("000-edited", "000_x.txt", "is A(1-A)", "not in document")
    assert str(missing) == "000-edited: quote 'is A(1-A)' is not in 000_x.txt"


def test_case_and_punctuation_must_match(tmp_path):
    d = _write(tmp_path, "000_x.txt", "Sigma of Z.")
    assert len(missing_quotes(d, [_Quoted("000-a", "000_x.txt", "sigma of Z")])) == 1


def test_a_missing_document_is_reported_once_per_claim(tmp_path):
    claims = [_Quoted("001-a", "001_gone.txt", "x"), _Quoted("001-b", "001_gone.txt", "y")]
    missing = missing_quotes(tmp_path, claims)
    assert [(m.claim_id, m.reason) for m in missing] == [("001-a", "no document"),
                                                         ("001-b", "no document")]
    assert "its document 001_gone.txt is missing" in str(missing[0])


def test_an_empty_quote_is_never_found(tmp_path):
    d = _write(tmp_path, "000_x.txt", "anything")
    assert len(missing_quotes(d, [_Quoted("000-a", "000_x.txt", "  \n ")])) == 1


def test_the_default_is_every_registered_claim(tmp_path):
    missing = missing_quotes(tmp_path)  # no document at all: every claim is reported
    assert [m.claim_id for m in missing] == [c.id for c in all_claims()]


def test_a_file_instead_of_a_directory_is_refused(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(NotADirectoryError, match="is not a directory; name the directory"):
        missing_quotes(f)


def test_long_quotes_are_shortened_in_the_message():
    m = MissingQuote("000-a", "000_x.txt", "x" * 100, "not in document")
    assert "x" * 57 + "...' is not in 000_x.txt" in str(m) and "x" * 58 not in str(m)


def test_normalise_text_collapses_whitespace_only():
    assert normalise_text("  a\n\tb  C.  ") == "a b C."
