"""gradproof: the application on top of `derivations`, `numeric` and `checks`.

It provides the ``gradproof`` command (``gradproof/cli.py``) and the derivation report.
Nothing imports this package; it imports the three library packages.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
