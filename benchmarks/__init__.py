"""Benchmarks, run with ``python -m benchmarks [NAME ...] [--quick] [--json FILE] [--check]``.

Each benchmark is a module ``benchmarks/bench_<name>.py`` with a function
``run(*, quick: bool = False) -> list[Row]``. A row compares our time with one peer's,
both measured in the same run (medians of repeated runs), so the ratios mean something
on whatever machine runs them. Benchmarks are outside ``testpaths``: no unit test times code.

Timing on a small shared machine needs care, and the helpers here take it:

- ``paired_medians`` measures each library in its own block, never call by call, and
  alternates the blocks (ours, peer, ours, peer, ...) so that load from other processes
  lands on both sides; between blocks it sleeps, because OpenBLAS and OpenMP worker threads
  spin for a while after a call and would steal the cores from the next block's threads.
- ``limit_threads`` runs a block with the same thread count for NumPy's BLAS (through
  threadpoolctl) and for torch (``torch.set_num_threads``), and restores both afterwards.
- ``measure_other_load`` tells how much of the cores other processes took meanwhile.
- ``thread_scaling`` times one fixed GEMM on 1 and n threads: whether the machine gave this
  process n cores just then (a guest can slow down under sustained load with no other
  process visible).
- ``environment`` records what decides the figures: cores, load, the BLAS kernel in use and
  the ``OPENBLAS_*`` variables that pick it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "OtherLoad",
    "Paired",
    "Row",
    "available",
    "environment",
    "format_seconds",
    "limit_threads",
    "measure_other_load",
    "median_time",
    "median_times",
    "paired_medians",
    "run_benchmark",
    "thread_scaling",
    "wait_for_idle",
]


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

    @property
    def meets_target(self) -> bool | None:
        """Whether ``speedup >= target``; ``None`` when the row has no target."""
        return None if self.target is None else self.speedup >= self.target

    def to_json(self) -> dict[str, Any]:
        """The JSON row ``{benchmark, case, ours_s, peer, peer_s, speedup, ...}``."""
        out = asdict(self)
        out["speedup"] = self.speedup
        out["meets_target"] = self.meets_target
        return out


def median_time(fn: Callable[[], object], *, repeat: int = 7, number: int | None = None) -> float:
    """Median wall time of one call of ``fn``, in seconds.

    ``number`` calls are timed together per repeat (chosen so that one repeat takes about
    0.05 s when ``None``), and the median over ``repeat`` repeats is returned per call.
    """
    return median_times(fn, repeat=repeat, number=number)[0]


def median_times(
    fn: Callable[[], object], *, repeat: int = 7, number: int | None = None
) -> tuple[float, float]:
    """Median wall time and median CPU time of this process for one call of ``fn``, in seconds.

    As `median_time`, with the process's CPU time (all its threads) read around the same
    repeats. For single-threaded code the CPU time leaves out the time the process waited
    for a core, so it stays honest on a machine that other processes keep busy; for
    multi-threaded code it adds the threads up (and counts their spinning) instead.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    if number is not None and number < 1:
        raise ValueError(f"number must be >= 1 or None, got {number}")
    fn()  # warm up: caches, lazy imports, thread pools
    if number is None:
        t0 = time.perf_counter()
        fn()
        one = max(time.perf_counter() - t0, 1e-7)
        number = max(1, int(0.05 / one))
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(number):
            fn()
        t1, c1 = time.perf_counter(), time.process_time()
        walls.append((t1 - t0) / number)
        cpus.append((c1 - c0) / number)
    return statistics.median(walls), statistics.median(cpus)


@dataclass(frozen=True)
class Paired:
    """Times of two functions measured in alternating blocks (see ``paired_medians``).

    ``ours_s`` and ``peer_s`` are the medians over the blocks of each block's median wall time
    per call; ``ours_blocks`` and ``peer_blocks`` keep every block's figure, so the spread
    shows. ``ours_cpu_s`` and ``peer_cpu_s`` are the same medians of this process's CPU time
    (see `median_times`): for single-threaded runs, the figure that other load disturbs least.
    """

    ours_s: float
    peer_s: float
    ours_blocks: tuple[float, ...]
    peer_blocks: tuple[float, ...]
    ours_cpu_s: float = float("nan")
    peer_cpu_s: float = float("nan")

    def spread(self) -> str:
        """The range of the block medians of both sides, e.g. for ``Row.extra``."""
        def span(blocks: tuple[float, ...]) -> str:
            return f"{format_seconds(min(blocks))}..{format_seconds(max(blocks))}"

        return (
            f"ours {span(self.ours_blocks)}, peer {span(self.peer_blocks)} "
            f"over {len(self.ours_blocks)} blocks each"
        )


def format_seconds(seconds: float) -> str:
    """``seconds`` with a unit that keeps three significant digits readable (s, ms, us)."""
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


def paired_medians(
    ours: Callable[[], object],
    peer: Callable[[], object],
    *,
    rounds: int = 5,
    repeat: int = 5,
    cooldown: float = 0.25,
    ours_setup: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
    peer_setup: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
    idle_wait: float = 0.0,
) -> Paired:
    """Time ``ours`` and ``peer`` in alternating blocks, each library in its own block.

    Parameters
    ----------
    ours, peer : callable
        Functions of no argument; each call is one unit of work (e.g. forward + backward).
    rounds : int
        Number of blocks per side; the blocks alternate ours, peer, ours, peer, ...
    repeat : int
        Repeats inside one block, passed to ``median_time``.
    cooldown : float
        Seconds slept after each block, so that the worker threads of the library just
        measured stop spinning before the other library's block starts.
    ours_setup, peer_setup : callable returning a context manager, optional
        Entered around each block of that side (e.g. ``lambda: limit_threads(2)``).
    idle_wait : float
        If > 0, before each block wait up to this many seconds for other processes to leave
        the cores (``wait_for_idle``); on a shared machine, two threads against a busy core
        measure the contention, not the library.

    Returns
    -------
    Paired
        The median over the blocks of each block's median time per call, for both sides.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    ours_blocks: list[tuple[float, float]] = []
    peer_blocks: list[tuple[float, float]] = []
    for _ in range(rounds):
        for fn, setup, blocks in (
            (ours, ours_setup, ours_blocks),
            (peer, peer_setup, peer_blocks),
        ):
            if idle_wait > 0:
                wait_for_idle(timeout=idle_wait)
            with setup() if setup is not None else contextlib.nullcontext():
                blocks.append(median_times(fn, repeat=repeat))
            time.sleep(cooldown)
    return Paired(
        statistics.median(w for w, _ in ours_blocks),
        statistics.median(w for w, _ in peer_blocks),
        tuple(w for w, _ in ours_blocks),
        tuple(w for w, _ in peer_blocks),
        statistics.median(c for _, c in ours_blocks),
        statistics.median(c for _, c in peer_blocks),
    )


def _busy_jiffies() -> int | None:
    """CPU time (in clock ticks) all processes spent busy since boot, from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    steal = fields[7] if len(fields) > 7 else 0  # another VM's time is not ours to count
    return sum(fields[:8]) - idle - steal


@dataclass
class OtherLoad:
    """Share of the machine's cores used by other processes while a block ran.

    ``fraction`` is ``None`` before the block ends, or where /proc/stat does not exist.
    """

    fraction: float | None = None

    def __str__(self) -> str:
        if self.fraction is None:
            return "unknown"
        return f"{100 * self.fraction:.0f}% of {os.cpu_count()} cores"


@contextlib.contextmanager
def measure_other_load() -> Iterator[OtherLoad]:
    """Measure how busy *other* processes kept the cores during the block.

    Busy ticks of the whole machine (/proc/stat) minus this process's own CPU time, over
    the wall time times the number of cores. On a shared machine this says how far the
    figures measured in the block may be off: 0% is a quiet machine.
    """
    result = OtherLoad()
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    busy0, own0, wall0 = _busy_jiffies(), time.process_time(), time.perf_counter()
    yield result
    busy1, own1, wall1 = _busy_jiffies(), time.process_time(), time.perf_counter()
    if busy0 is None or busy1 is None or wall1 <= wall0:
        return
    others = (busy1 - busy0) / tick - (own1 - own0)
    result.fraction = min(1.0, max(0.0, others / ((wall1 - wall0) * (os.cpu_count() or 1))))


def wait_for_idle(*, timeout: float, max_other: float = 0.25, probe: float = 0.5) -> OtherLoad:
    """Sleep until other processes use at most ``max_other`` of the cores, or ``timeout`` s pass.

    Each probe measures the other processes' share over ``probe`` seconds (see
    ``measure_other_load``); the last probe is returned, so a caller can record how quiet
    the machine was when it gave up waiting.
    """
    deadline = time.monotonic() + timeout
    while True:
        with measure_other_load() as other:
            time.sleep(probe)
        if other.fraction is None or other.fraction <= max_other:
            return other
        if time.monotonic() >= deadline:
            return other


@contextlib.contextmanager
def limit_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` threads for NumPy's BLAS and for torch (if imported).

    NumPy's BLAS is limited with threadpoolctl (``user_api="blas"``); torch's intra-op pool
    with ``torch.set_num_threads``. Both are restored on exit.

    Raises
    ------
    ValueError
        If ``n < 1``.
    ModuleNotFoundError
        If threadpoolctl is missing (``pip install -e ".[bench]"`` installs it).
    """
    if n < 1:
        raise ValueError(f"n (threads) must be >= 1, got {n}")
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=n, user_api="blas"):
        if torch is not None:
            torch.set_num_threads(n)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)


def thread_scaling(threads: int, *, size: int = 384, repeat: int = 5) -> float:
    """Speedup of a float64 (size x size) GEMM on ``threads`` threads over one thread.

    A probe of the machine, not of a library: about ``threads`` on a quiet machine that
    gives this process its cores, well below where a guest is throttled. Medians of
    ``repeat`` runs; the thread limits are restored afterwards.

    Raises
    ------
    ValueError
        If ``threads < 1``.
    """
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    import numpy as np

    a = np.random.default_rng(0).standard_normal((size, size))
    times = []
    for n in (1, threads):
        with limit_threads(n):
            a @ a  # warm the pool at this thread count
            times.append(median_time(lambda: a @ a, repeat=repeat, number=3))
    return times[0] / times[1]


def environment() -> dict[str, Any]:
    """What decides the figures: cores, load, versions, the BLAS kernel and its variables."""
    env: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "load_avg_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }
    with contextlib.suppress(ModuleNotFoundError):
        import numpy

        env["numpy"] = numpy.__version__
    try:
        from threadpoolctl import threadpool_info

        env["blas"] = [
            f"{p.get('internal_api')} {p.get('version')} kernel={p.get('architecture')} "
            f"threads={p.get('num_threads')}"
            for p in threadpool_info()
            if p.get("user_api") == "blas"
        ]
    except ModuleNotFoundError:
        env["blas"] = "unknown (threadpoolctl not installed)"
    return env


def available() -> list[str]:
    """Names of the benchmarks found in this package, sorted."""
    import benchmarks

    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )


def run_benchmark(name: str, *, quick: bool = False, idle_wait: float = 0.0) -> list[Row]:
    """Import ``benchmarks.bench_<name>`` and run it.

    ``idle_wait`` (seconds, see ``paired_medians``) is passed on only when it is > 0, so a
    benchmark's ``run`` needs to accept it only if it supports waiting for a quiet machine.
    """
    names = available()
    if name not in names:
        raise ValueError(f"unknown benchmark {name!r}; choose from {', '.join(names)}")
    if idle_wait < 0:
        raise ValueError(f"idle_wait must be >= 0 seconds, got {idle_wait}")
    module = importlib.import_module(f"benchmarks.bench_{name}")
    if idle_wait > 0:
        return list(module.run(quick=quick, idle_wait=idle_wait))
    return list(module.run(quick=quick))
