"""Run the command line interface with ``python -m gradproof``."""

from __future__ import annotations

import sys

from gradproof.cli import main

sys.exit(main())
