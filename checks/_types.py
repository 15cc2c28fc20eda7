"""Aliases and enums shared by the `checks` modules (one place, like `_typing`)."""

from __future__ import annotations

import enum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.floating]
"""A float array; float32 or float64 parameters keep their dtype throughout."""

IntArray = NDArray[np.integer]
"""Flat entry indices."""

Method = str
"""How the numeric gradient is estimated: a name in `checks.METHODS` (the table of
`checks.methods`, so that a new method is one file)."""


class Verdict(enum.StrEnum):
    """Outcome of a check; a ``str`` so that ``result.verdict == "pass"`` reads naturally.

    ``INCONCLUSIVE`` means some entries could not be decided (a kink inside the
    finite-difference stencil, or an error bar too wide to say anything) and none failed.
    """

    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


class Status(enum.IntEnum):
    """Per-entry (or per-direction) status codes stored in ``ParamCheck.status``."""

    PASS = 0
    FAIL = 1
    KINK = 2  # one-sided differences disagree: not differentiable within the step
    NOISY = 3  # the error bar is too wide for the entry to say anything
    NONFINITE = 4  # the analytic gradient is NaN or inf there
    UNRESOLVED = 5  # f did not change at all, and no entry is resolved from 0: cannot tell

