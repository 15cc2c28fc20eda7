"""The ``--formulas FILE`` of ``gradproof report``: your own derivations, in TOML.

A file holds any number of derivations, each a ``[[derivation]]`` table::

    [[derivation]]
    name = "homework 3, question 2"          # optional; default "derivation 1", ...
    spec = "2-4-1 sigmoid/sigmoid bce mean columns"
    code_file = "backward.py"                # optional, relative to this file; or code = '''...'''
    names = { dhidden = "dA1" }              # optional, with code: other gradient names

    [derivation.formulas]                    # optional; target = "expression", in order
    dZ2 = "(A2 - Y) / m"
    dW2 = "dZ2 @ A1.T"

A derivation needs ``formulas``, code (``code`` or ``code_file``, not both) or both. The
spec, targets and expressions are those of ``gradproof check`` (:mod:`derivations.spec`,
:mod:`derivations.formula`). :func:`load_formulas_file` reads and validates everything
(unknown keys, bad specs, formulas, code that is not Python, a missing code file) before
any formula is decided; every error names the file, the derivation and the key. The code is
only read here; the report **runs** it (:func:`derivations.check_backward`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = ["KEYS", "FormulasFileError", "UserDerivation", "load_formulas_file"]

#: the keys of a ``[[derivation]]`` table, in the order the documentation gives them
KEYS = ("name", "spec", "formulas", "code", "code_file", "names")


class FormulasFileError(ValueError):
    """A ``--formulas`` file that cannot be used; the message names the file, table and key."""


@dataclass(frozen=True)
class UserDerivation:
    """One ``[[derivation]]`` of a formulas file, validated.

    Attributes
    ----------
    name : str
    spec : str
        The spec in its canonical text.
    formulas : tuple of (str, str)
        ``(target, expression)`` pairs in the file's order.
    code : str or None
        The backward code's source (read from ``code_file`` when given).
    code_origin : str or None
        Where the code came from: ``"inline"`` or the code file's path.
    names : Mapping[str, str]
        Other gradient variable names of the code -> the quantity each holds.
    """

    name: str
    spec: str
    formulas: tuple[tuple[str, str], ...] = ()
    code: str | None = None
    code_origin: str | None = None
    names: Mapping[str, str] | None = None


def _where(path: Path, index: int, name: Any) -> str:
    """``"f.toml: [[derivation]] 2 ('mine')"``; a name that is not text is left out."""
    named = f" ({name!r})" if isinstance(name, str) else ""
    return f"{path}: [[derivation]] {index}{named}"


def _text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FormulasFileError(f"{where}, key {key!r}: expected non-empty text, got "
                                f"{type(value).__name__} {value!r}")
    return value


def _structure(path: Path, index: int, table: Any) -> UserDerivation:
    """Keys, types, the code file and the code's syntax: checks that need no SymPy."""
    if not isinstance(table, dict):
        raise FormulasFileError(f"{path}: [[derivation]] {index} is not a table")
    where = _where(path, index, table.get("name"))
    unknown = [k for k in table if k not in KEYS]
    if unknown:
        raise FormulasFileError(f"{where}: unknown key {unknown[0]!r}; the keys are "
                                f"{', '.join(KEYS)}")
    if "spec" not in table:
        raise FormulasFileError(f"{where}: key 'spec' is missing, e.g. spec = "
                                "\"2-4-1 sigmoid/sigmoid bce mean columns\"")
    name = _text(table.get("name", f"derivation {index}"), where, "name").strip()
    spec = _text(table["spec"], where, "spec")
    formulas = table.get("formulas", {})
    if not isinstance(formulas, dict):
        raise FormulasFileError(f"{where}, key 'formulas': expected a table of target = "
                                "\"expression\" ([derivation.formulas]), got "
                                f"{type(formulas).__name__}")
    pairs = tuple((t, _text(e, where, f"formulas.{t}")) for t, e in formulas.items())
    if "code" in table and "code_file" in table:
        raise FormulasFileError(f"{where}: keys 'code' and 'code_file' are both given; keep one")
    code, origin = None, None
    if "code" in table:
        code, origin = _text(table["code"], where, "code"), "inline"
    elif "code_file" in table:
        relative = _text(table["code_file"], where, "code_file")
        file = path.parent / relative
        if not file.is_file():
            raise FormulasFileError(f"{where}, key 'code_file': {relative!r} is not a file "
                                    f"(looked for {file}; the path is relative to {path})")
        try:
            code = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FormulasFileError(f"{where}, key 'code_file': cannot read {file}: {exc}"
                                    ) from None
        origin = str(file)
    if code is not None:
        try:
            compile(code, origin or "<code>", "exec")
        except SyntaxError as exc:
            key = "code" if origin == "inline" else "code_file"
            raise FormulasFileError(f"{where}, key {key!r}: the code is not valid Python: "
                                    f"{exc.msg} at line {exc.lineno}") from None
    names = table.get("names")
    if names is not None:
        if code is None:
            raise FormulasFileError(f"{where}, key 'names': only for code (add code or "
                                    "code_file, or remove names)")
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            raise FormulasFileError(f"{where}, key 'names': expected a table of variable = "
                                    "\"quantity\", e.g. names = { dhidden = \"dA1\" }")
    if not pairs and code is None:
        raise FormulasFileError(f"{where}: nothing to check; give [derivation.formulas], "
                                "code or code_file")
    return UserDerivation(name, spec, pairs, code, origin, names)


def _meaning(path: Path, index: int, d: UserDerivation) -> UserDerivation:
    """The spec, every target and expression, and the names, as derivations reads them."""
    from derivations.backward_code import check_names
    from derivations.formula import _prepare
    from derivations.spec import parse_spec

    where = _where(path, index, None if d.name == f"derivation {index}" else d.name)
    try:
        spec = parse_spec(d.spec)
    except ValueError as exc:
        raise FormulasFileError(f"{where}, key 'spec': {exc}") from None
    pairs = []
    keys: dict[str, str] = {}  # the target each key names -> the key
    for target, expression in d.formulas:
        try:
            _, t, formula = _prepare(spec, target, expression)
        except ValueError as exc:
            raise FormulasFileError(f"{where}, key 'formulas.{target}': {exc}") from None
        if t in keys:
            raise FormulasFileError(f"{where}, key 'formulas.{target}': names {t}, as "
                                    f"'formulas.{keys[t]}' does; give each target once")
        keys[t] = target
        pairs.append((target, formula.text))
    try:
        check_names(d.names or {})
    except ValueError as exc:
        raise FormulasFileError(f"{where}, key 'names': {exc}") from None
    return replace(d, spec=str(spec), formulas=tuple(pairs))


def load_formulas_file(path: str | os.PathLike[str]) -> tuple[UserDerivation, ...]:
    """Read and validate a formulas file; nothing is decided or run.

    Parameters
    ----------
    path : str or path
        A TOML file in the format of the module docstring.

    Returns
    -------
    tuple of UserDerivation
        In the file's order.

    Raises
    ------
    FormulasFileError
        For a missing or unreadable file, TOML syntax, an unknown key, a bad spec, target,
        expression, code or names, a missing code file, a repeated name, or no derivation;
        the message names the file, the ``[[derivation]]`` (number and name) and the key.
    """
    path = Path(path)
    if not path.is_file():
        raise FormulasFileError(f"--formulas {path}: no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FormulasFileError(f"--formulas {path}: cannot read it: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FormulasFileError(f"{path}: not valid TOML: {exc}") from None
    unknown = [k for k in data if k != "derivation"]
    if unknown:
        raise FormulasFileError(f"{path}: unknown top-level key {unknown[0]!r}; the file holds "
                                "[[derivation]] tables only")
    tables = data.get("derivation")
    if not isinstance(tables, list) or not tables:
        raise FormulasFileError(f"{path}: no [[derivation]] table; see `gradproof report "
                                "--help` for the format")
    # first what needs no SymPy (fast, also for the commonest slips), then the meaning
    found = tuple(_structure(path, k, t) for k, t in enumerate(tables, start=1))
    names = [d.name for d in found]
    repeated = next((n for n in names if names.count(n) > 1), None)
    if repeated is not None:
        raise FormulasFileError(f"{path}: two derivations are named {repeated!r}; names must "
                                "differ (they become the report's headings)")
    return tuple(_meaning(path, k, d) for k, d in enumerate(found, start=1))
