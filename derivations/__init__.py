"""Every formula of the four backprop tutorials, derived and decided by SymPy at run time.

A :class:`Claim` ties one statement to its document by a verbatim quote; :func:`verify`
computes its :class:`Verdict` (proven, proven under a convention, refuted with an exact
counterexample and a proven correction, undecided, ambiguous, or a definition). Nothing
here imports `numeric` or `checks`.

Examples
--------
>>> from derivations import get_claim, verify
>>> verify(get_claim("000-sigmoid-derivative")).verdict.value
'proven'
"""

from __future__ import annotations

from derivations.claim import (
    Claim,
    ConventionCase,
    Counterexample,
    Decision,
    Reading,
    Result,
    Verdict,
    verify,
)
from derivations.registry import all_claims, documents, get_claim, select, to_numpy, verify_all

__all__ = [
    # claim.py
    "Claim",
    "ConventionCase",
    "Counterexample",
    "Decision",
    "Reading",
    "Result",
    "Verdict",
    # registry.py
    "all_claims",
    "documents",
    "get_claim",
    "select",
    "to_numpy",
    "verify",
    "verify_all",
]
