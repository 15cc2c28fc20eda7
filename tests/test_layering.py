"""STYLE.md's import rules, checked in fresh interpreters (``sys.modules`` after one import).

numeric and derivations import neither other package; checks never imports gradproof; no
library package imports gradproof; ``import checks`` loads neither SymPy nor Hypothesis (the
pytest plugin imports checks in every pytest run of every user).
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("numeric", "derivations", "checks", "gradproof")

#: package -> the packages (ours and third-party) it must never load
FORBIDDEN = {
    "numeric": ("derivations", "checks", "gradproof"),
    "derivations": ("numeric", "checks", "gradproof"),
    "checks": ("gradproof", "sympy", "hypothesis"),
}


def _loaded_after(statement: str) -> set[str]:
    """Top-level names in ``sys.modules`` after ``statement`` in a fresh interpreter."""
    code = (f"import sys, json\n{statement}\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _modules(package: str) -> list[str]:
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        found.append(info.name)
    return sorted(found)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_importing_a_package_loads_none_it_must_not(package):
    loaded = _loaded_after(f"import {package}")
    assert package in loaded
    bad = sorted(loaded & set(FORBIDDEN[package]))
    assert not bad, f"`import {package}` loads {bad}"


@pytest.mark.parametrize("package", ["numeric", "derivations", "checks"])
def test_no_module_of_a_library_package_loads_a_forbidden_package(package):
    """Every module imported, not only the package's ``__init__``."""
    forbidden = set(FORBIDDEN[package]) - {"sympy", "hypothesis"}  # submodules may use them
    statement = "\n".join(f"import {m}" for m in _modules(package)
                          if not m.endswith("__main__"))
    bad = sorted(_loaded_after(statement) & forbidden)
    assert not bad, f"the modules of {package} load {bad}"


def _imported_names(path: Path) -> set[str]:
    """Top-level package names of every import statement in ``path``, at any depth."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_statement_names_a_forbidden_package(package):
    """Statically, so that an import inside a function (run only when called) counts too."""
    forbidden = {p for p in FORBIDDEN[package] if p in PACKAGES}
    bad = sorted(f"{path.relative_to(ROOT)} imports {name}"
                 for path in (ROOT / package).rglob("*.py")
                 for name in _imported_names(path) & forbidden)
    assert not bad, bad


def test_the_walk_finds_every_package():
    for package in PACKAGES:
        assert len(_modules(package)) > 1, f"no modules found under {package}"
