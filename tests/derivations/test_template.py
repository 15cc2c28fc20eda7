"""A fifth tutorial is one module: the README's example, added as a synthetic document.

The example module of ``derivations/documents/README.md`` is written (prefix 004 renamed
990, so that it never meets a real fifth document) into a directory put on
``derivations.documents.__path__``, its tutorial text into a seeds directory; the registry,
``verify_all``, the quote check and the report then see it with no other edit.
"""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from pathlib import Path

import pytest

import derivations
from derivations import Verdict, get_claim, select, verify_all
from derivations.sources import missing_quotes

#: the package of document modules (the attribute derivations.documents is a function)
PACKAGE = importlib.import_module("derivations.documents")
README = Path(PACKAGE.__file__).with_name("README.md")
PREFIX = "990"
FILE = f"{PREFIX}_0123456789abcdef.txt"
#: the synthetic tutorial: every quote of the README's example, in its words
TUTORIAL = (
    "In this tutorial we use tanh in the hidden layer. Its derivative is\n"
    "\\tanh'(z) = 1 - \\tanh^2(z)\nand tanh squashes every value into [0, 1].\n"
)


def example_module() -> str:
    """The README's example ``doc004.py``, renamed to document ``990``."""
    block = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block is not None, "derivations/documents/README.md has no python example"
    return textwrap.dedent(block.group(1)).replace("004", PREFIX)


@pytest.fixture
def fifth_document(tmp_path, monkeypatch):
    """``derivations.documents.doc990`` from the README, and a seeds directory with its text."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / f"doc{PREFIX}.py").write_text(example_module(), encoding="utf-8")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / FILE).write_text(TUTORIAL, encoding="utf-8")
    monkeypatch.setattr(PACKAGE, "__path__", [*PACKAGE.__path__, str(modules)])
    derivations.clear_caches()
    yield seeds
    sys.modules.pop(f"derivations.documents.doc{PREFIX}", None)
    monkeypatch.undo()
    derivations.clear_caches()


def test_the_registry_finds_the_new_module_after_the_seed_documents(fifth_document):
    names = [m.__name__.rsplit(".", 1)[1] for m in derivations.document_modules()]
    assert names[-1] == f"doc{PREFIX}"
    assert names == sorted(names)
    assert derivations.documents()[-1] == FILE
    assert derivations.all_documents()[-1].file == FILE
    assert [c.id for c in select(document=PREFIX)] == [
        f"{PREFIX}-tanh-definition", f"{PREFIX}-tanh-derivative", f"{PREFIX}-tanh-range"]
    assert get_claim(f"{PREFIX}-tanh-range").depends_on == (f"{PREFIX}-tanh-definition",)


def test_its_claims_are_decided_at_run_time(fifth_document):
    results = verify_all(select(document=PREFIX))
    assert [r.verdict for r in results] == [Verdict.DEFINITION, Verdict.PROVEN, Verdict.REFUTED]
    assert "-1 at -oo" in results[2].reason


def test_its_quotes_are_checked_against_its_tutorial(fifth_document):
    claims = select(document=PREFIX)
    assert missing_quotes(fifth_document, claims) == ()
    (fifth_document / FILE).write_text(TUTORIAL.replace("squashes", "maps"), encoding="utf-8")
    assert [m.claim_id for m in missing_quotes(fifth_document, claims)] == [f"{PREFIX}-tanh-range"]


def test_the_report_shows_its_claims_and_its_network(fifth_document):
    from gradproof.report.collect import collect_claims, collect_conventions
    from gradproof.report.documents import document_networks
    from gradproof.report.records import Report
    from gradproof.report.render_markdown import render_markdown
    from gradproof.sources import check_quotes

    assert check_quotes(fifth_document, select(document=PREFIX)) == 3
    records = collect_claims(select(document=PREFIX), workers=1)
    assert [r.verdict for r in records] == ["definition", "proven", "refuted"]
    assert document_networks()[-1].name == f"doc{PREFIX}"
    assert document_networks()[-1].net.sizes == (2, 3, 1)
    conventions = collect_conventions()
    assert conventions[-1].document == FILE
    text = render_markdown(Report(seed=0, claims=records, conventions=conventions))
    for cid in (f"{PREFIX}-tanh-derivative", f"{PREFIX}-tanh-range", FILE):
        assert cid in text
    # the introduction counts the documents it shows
    assert "Every formula of the one backprop tutorial," in text
    every = collect_claims(select(document="000"), workers=1) + records
    both = render_markdown(Report(seed=0, claims=every, conventions=conventions))
    assert "Every formula of the two backprop tutorials," in both


def test_documents_stays_a_function_once_the_modules_are_imported(fifth_document):
    derivations.all_claims()  # imports every document module, the new one too
    assert callable(derivations.documents)
    assert FILE in derivations.documents()


def test_without_the_module_nothing_of_it_remains(fifth_document):
    assert derivations.documents()[-1] == FILE
    sys.modules.pop(f"derivations.documents.doc{PREFIX}", None)
    PACKAGE.__path__ = PACKAGE.__path__[:-1]
    derivations.clear_caches()
    assert FILE not in derivations.documents()
