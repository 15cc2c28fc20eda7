"""The registry of claims: every document module's claims, looked up by id or document.

Each document has a module ``derivations/documents/doc<NNN>.py`` with a function
``claims() -> list[Claim]`` and (modules on the template, :mod:`derivations.document`) a
:class:`~derivations.document.Document` named ``DOC``. Modules are found by name
(:func:`document_modules`): a new tutorial needs no edit here. Building claims is cheap (no
verdict is computed here); the tuple is cached because claims are immutable, and verdicts are
never cached (:func:`clear_caches` forgets the modules found, for a test that adds one).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from derivations.claim import Claim, Result, verify
from derivations.document import Document

__all__ = [
    "all_claims",
    "all_documents",
    "clear_caches",
    "document_modules",
    "documents",
    "get_claim",
    "to_numpy",
    "verify_all",
]

#: the name of a document module: ``doc`` and the seed's three-digit prefix
MODULE_NAME = re.compile(r"doc\d{3}")


@functools.cache
def document_modules() -> tuple[ModuleType, ...]:
    """Every module ``derivations.documents.doc<NNN>``, in the order of the seeds.

    Found with :mod:`pkgutil` on ``derivations.documents.__path__``, so a test (or a plugin
    directory) that extends that path adds documents.

    Raises
    ------
    TypeError
        If a document module has no ``claims`` function.
    """
    # by importlib: the attribute derivations.documents is the function documents()
    package = importlib.import_module("derivations.documents")
    names = sorted({info.name for info in pkgutil.iter_modules(package.__path__)
                    if MODULE_NAME.fullmatch(info.name)})
    modules = tuple(importlib.import_module(f"{package.__name__}.{n}") for n in names)
    for module in modules:
        if not callable(getattr(module, "claims", None)):
            raise TypeError(f"document module {module.__name__} has no claims() function; "
                            "see derivations/documents/README.md")
    return modules


def all_documents() -> tuple[Document, ...]:
    """The :class:`Document` (``DOC``) of every document module that declares one, in order.

    A ``DOC`` is recognised by what it has (``file``, ``networks``, ``build``), not by
    ``isinstance``: pytest's ``--import-mode=importlib`` re-executes
    ``derivations/document.py`` when it collects its doctests, and modules imported after
    that build their ``DOC`` from the second class.
    """
    return tuple(m.DOC for m in document_modules() if _is_document(getattr(m, "DOC", None)))


def _is_document(doc: object) -> bool:
    return all(hasattr(doc, name) for name in ("file", "networks", "build"))


def clear_caches() -> None:
    """Forget the document modules found and their claims (for tests that add a document)."""
    all_claims.cache_clear()
    document_modules.cache_clear()


@functools.cache
def all_claims() -> tuple[Claim, ...]:
    """Every claim of every document module, in document order.

    Raises
    ------
    ValueError
        If two claims share an id (a programming error in a document module).
    """
    claims: list[Claim] = []
    for module in document_modules():
        claims.extend(module.claims())
    seen: set[str] = set()
    for c in claims:
        if c.id in seen:
            raise ValueError(f"duplicate claim id {c.id!r}")
        seen.add(c.id)
    return tuple(claims)


def documents() -> tuple[str, ...]:
    """The seed file names that have claims, in order."""
    return tuple(dict.fromkeys(c.document for c in all_claims()))


def _closest(name: str, choices: Iterable[str], n: int = 5) -> list[str]:
    """The ``n`` choices closest to ``name`` (difflib's ratio; never empty if choices are)."""
    import difflib

    pool = list(choices)
    close = difflib.get_close_matches(name, pool, n=n, cutoff=0.0)
    return close or pool[:n]


def get_claim(claim_id: str) -> Claim:
    """The claim with id ``claim_id``.

    Raises
    ------
    TypeError
        If ``claim_id`` is not a str.
    KeyError
        If no claim has that id; the message lists the five closest ids and how to list all.
    """
    if not isinstance(claim_id, str):
        raise TypeError(
            f"claim_id must be a str such as '000-sigmoid-derivative', got "
            f"{type(claim_id).__name__} {claim_id!r}"
        )
    for c in all_claims():
        if c.id == claim_id:
            return c
    ids = [c.id for c in all_claims()]
    close = ", ".join(map(repr, _closest(claim_id, ids)))
    raise KeyError(
        f"no claim has id {claim_id!r}. Did you mean {close}? (the 5 closest of {len(ids)} "
        "ids; `gradproof claims` or derivations.all_claims() lists them all)"
    )


def select(*, document: str | None = None, claim_id: str | None = None) -> tuple[Claim, ...]:
    """Claims filtered by document (seed file name or its ``NNN`` prefix) and/or id.

    Raises
    ------
    ValueError
        For an unknown document or id, listing the valid ones.
    """
    claims = all_claims()
    for name, value in (("document", document), ("claim_id", claim_id)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a str or None, got {type(value).__name__}")
    if document is not None:
        docs = documents()
        match = [d for d in docs if d == document or d.split("_")[0] == document]
        if not match:
            raise ValueError(
                f"unknown document {document!r}; valid documents: {', '.join(docs)} "
                "(or their prefixes 000, 001, ...)"
            )
        claims = tuple(c for c in claims if c.document == match[0])
    if claim_id is not None:
        try:
            wanted = get_claim(claim_id)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        claims = tuple(c for c in claims if c is wanted)
        if not claims:
            raise ValueError(f"claim {claim_id!r} is not in document {document!r}")
    return claims


def verify_all(
    claims: Iterable[Claim] | None = None,
    *,
    progress: Callable[[Claim, Result], Any] | None = None,
) -> tuple[Result, ...]:
    """Verify ``claims`` (default: all) in order; ``progress`` is called after each one."""
    results = []
    for c in all_claims() if claims is None else claims:
        r = verify(c)
        if progress is not None:
            progress(c, r)
        results.append(r)
    return tuple(results)


def to_numpy(claim: Claim | str) -> Callable[..., Any]:
    """The claim's formula as a NumPy function (lambdified from SymPy).

    Parameters
    ----------
    claim : Claim or str
        A matrix-form claim, or its id.

    Returns
    -------
    callable
        Its argument order and shapes are documented in its ``__doc__``.

    Raises
    ------
    ValueError
        If the claim has no NumPy form (not a matrix-form claim).
    """
    c = get_claim(claim) if isinstance(claim, str) else claim
    if not isinstance(c, Claim):
        raise TypeError(f"claim must be a Claim or a claim id (str), got {type(c).__name__}")
    if c.numpy is None:
        with_numpy = [x.id for x in all_claims() if x.numpy is not None]
        raise ValueError(
            f"claim {c.id!r} has no NumPy form; claims that have one: {', '.join(with_numpy)}"
        )
    return c.numpy()
