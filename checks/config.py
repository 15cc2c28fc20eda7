"""The settings of one gradient check: a frozen dataclass, validated when it is made.

`check_gradients` and `checks.numeric_fast.check_network` build a `CheckConfig` from their
keyword arguments (that is where a bad ``method``, tolerance or count is refused, naming the
argument); `checks.engine.run_check` takes it as it is.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

FULL_LIMIT = 50_000
"""``method="auto"`` checks every entry up to this many parameters, random directions above."""


def _method(value: Any) -> str:
    from checks.methods import FD_METHODS

    if not isinstance(value, str) or value not in FD_METHODS:
        raise ValueError(
            f"method={value!r} is not one of {', '.join(repr(m) for m in FD_METHODS)}."
        )
    return value


def _tolerance(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a float >= 0 or None, got {value!r}.")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite float >= 0 or None, got {value!r}.")
    return float(value)


def _count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be an int >= 1 or None, got {value!r}.")
    return int(value)


@dataclass(frozen=True)
class CheckConfig:
    """How to check: the method, the tolerances, the seed and how to spread the work.

    Attributes
    ----------
    method : str
        A name in `checks.METHODS` (``"auto"`` included).
    rtol, atol : float or None
        None: the checker's defaults (``sqrt(eps)`` and 0).
    seed : int or None
        Seeds the noise estimate's direction and the random directions.
    directions : int or None
        Random directions for ``method="directional"`` (None: 8).
    executor : concurrent.futures.Executor or None
        Spreads chunks of entries over its workers.
    chunk_size : int or None
        Entries per executor task (or perturbations per batched call of a network probe).
    full_limit : int
        Largest P that ``method="auto"`` checks entry by entry.

    Raises
    ------
    ValueError
        An unknown method, a negative or non-finite tolerance, a count below 1.
    TypeError
        A tolerance or seed of the wrong type, an executor that is not an `Executor`.

    Examples
    --------
    >>> CheckConfig(method="central", rtol=1e-6).rtol
    1e-06
    """

    method: str = "auto"
    rtol: float | None = None
    atol: float | None = None
    seed: int | None = None
    directions: int | None = None
    executor: Executor | None = None
    chunk_size: int | None = None
    full_limit: int = FULL_LIMIT

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # normalising the fields of a frozen dataclass, once
        set_(self, "method", _method(self.method))
        set_(self, "rtol", _tolerance(self.rtol, "rtol"))
        set_(self, "atol", _tolerance(self.atol, "atol"))
        set_(self, "directions", _count(self.directions, "directions"))
        set_(self, "chunk_size", _count(self.chunk_size, "chunk_size"))
        seed = self.seed
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
            raise TypeError(f"seed must be an int or None, got {seed!r}.")
        set_(self, "seed", None if seed is None else int(seed))
        if self.executor is not None and not isinstance(self.executor, Executor):
            raise TypeError(
                "executor must be a concurrent.futures.Executor, got "
                f"{type(self.executor).__name__}."
            )
