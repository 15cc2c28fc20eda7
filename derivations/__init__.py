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

# the subpackage of document modules is imported first, so that the function `documents`
# imported below stays the package's attribute: importing a submodule later would otherwise
# set `derivations.documents` to the subpackage (reach it as sys.modules or by importlib)
from derivations import documents as _documents_package  # noqa: F401
from derivations.backward_code import BackwardResult, check_backward
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
from derivations.document import DeclaredNetwork, Document, Row
from derivations.formula import (
    Derivation,
    FormulaResult,
    check_formula,
    check_formulas,
    decide_affine_formulas,
    standard_formula,
)
from derivations.registry import (
    all_claims,
    all_documents,
    clear_caches,
    document_modules,
    documents,
    get_claim,
    select,
    to_numpy,
    verify_all,
)
from derivations.spec import Spec, SpecError, parse_spec

__all__ = [  # noqa: RUF022 - grouped by owning module, as the house style asks
    # claim.py
    "Claim",
    "ConventionCase",
    "Counterexample",
    "Decision",
    "Reading",
    "Result",
    "Verdict",
    # document.py
    "DeclaredNetwork",
    "Document",
    "Row",
    # registry.py
    "all_claims",
    "all_documents",
    "clear_caches",
    "document_modules",
    "documents",
    "get_claim",
    "select",
    "to_numpy",
    "verify",
    "verify_all",
    # spec.py
    "Spec",
    "SpecError",
    "parse_spec",
    # formula.py
    "Derivation",
    "FormulaResult",
    "check_formula",
    "check_formulas",
    "decide_affine_formulas",
    "standard_formula",
    # backward_code.py
    "BackwardResult",
    "check_backward",
]
