"""Benchmarks, run with ``python -m benchmarks [NAME ...] [--json FILE]``.

Each benchmark is a module ``benchmarks/bench_<name>.py`` with a function
``run(*, quick: bool = False) -> list[Row]``. A row compares our time with one peer's,
both measured in the same run (medians of repeated runs), so the ratios mean something
on whatever machine runs them. Benchmarks are outside ``testpaths``: no unit test times code.
"""

from __future__ import annotations

import importlib
import pkgutil
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Row", "available", "median_time", "run_benchmark"]


@dataclass(frozen=True)
class Row:
    """One line of a benchmark table: our time against one peer's.

    ``speedup`` is ``peer_s / ours_s``: above 1 we are faster. ``target`` is the speedup the
    issue asks for (``None`` when there is none); ``extra`` holds figures such as GFLOP/s.
    """

    benchmark: str
    case: str
    ours_s: float
    peer: str
    peer_s: float
    target: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def speedup(self) -> float:
        """Peer time over our time (> 1: we are faster)."""
        return self.peer_s / self.ours_s if self.ours_s > 0 else float("inf")

    def to_json(self) -> dict[str, Any]:
        """The JSON row ``{benchmark, case, ours_s, peer, peer_s, speedup, ...}``."""
        out = asdict(self)
        out["speedup"] = self.speedup
        out["meets_target"] = None if self.target is None else self.speedup >= self.target
        return out


def median_time(fn: Callable[[], object], *, repeat: int = 7, number: int | None = None) -> float:
    """Median wall time of one call of ``fn``, in seconds.

    ``number`` calls are timed together per repeat (chosen so that one repeat takes about
    0.05 s when ``None``), and the median over ``repeat`` repeats is returned per call.
    """
    fn()  # warm up: caches, lazy imports, thread pools
    if number is None:
        t0 = time.perf_counter()
        fn()
        one = max(time.perf_counter() - t0, 1e-7)
        number = max(1, int(0.05 / one))
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def available() -> list[str]:
    """Names of the benchmarks found in this package, sorted."""
    import benchmarks

    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )


def run_benchmark(name: str, *, quick: bool = False) -> list[Row]:
    """Import ``benchmarks.bench_<name>`` and run it."""
    names = available()
    if name not in names:
        raise ValueError(f"unknown benchmark {name!r}; choose from {', '.join(names)}")
    module = importlib.import_module(f"benchmarks.bench_{name}")
    return list(module.run(quick=quick))
