"""A small terminal progress bar per stage, silent when not on a terminal or when asked."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Progress of the report's stages on ``stream`` (stdout by default).

    It draws only when ``enabled`` and the stream is a terminal; otherwise every call is a
    no-op, so output piped to a file or a CI log stays clean.
    """

    def __init__(self, *, enabled: bool = True, stream: TextIO | None = None, width: int = 28):
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.width = width
        self._stage = ""
        self._total = 0
        self._start = 0.0

    def stage(self, name: str, total: int) -> None:
        """Start a stage of ``total`` steps."""
        self._stage, self._total, self._start = name, max(total, 1), time.perf_counter()
        self.update(0)

    def update(self, done: int) -> None:
        """Redraw the bar with ``done`` steps finished."""
        if not self.enabled:
            return
        frac = min(done / self._total, 1.0)
        filled = round(frac * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self._start
        self.stream.write(
            f"\r{self._stage:<28} [{bar}] {done}/{self._total} {elapsed:5.1f}s"
        )
        if done >= self._total:
            self.stream.write("\n")
        self.stream.flush()
