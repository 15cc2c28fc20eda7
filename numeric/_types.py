"""Array and option aliases shared by the `numeric` modules (one place, like `_typing`)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.floating]
"""A float32 or float64 array; the dtype of the parameters decides which."""

IntArray = NDArray[np.integer]
"""Integer class labels, shape (m,)."""

Layout = Literal["columns", "rows"]
"""``"columns"``: samples are columns, Z = W A + b (seeds 000, 001, 003).
``"rows"``: samples are rows, Z = A W + b (seed 002)."""

Reduction = Literal["mean", "mean_all", "sum"]
"""How per-entry losses become one number: mean over the m samples, mean over samples x outputs
(N*M, seed 001), or the plain sum."""

LAYOUTS: tuple[str, ...] = ("columns", "rows")
REDUCTIONS: tuple[str, ...] = ("mean", "mean_all", "sum")


def class_axis(layout: Layout) -> int:
    """Axis of the units (outputs, classes) of an activation, counted from the end."""
    return -2 if layout == "columns" else -1

