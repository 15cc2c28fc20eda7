"""Smoke tests of the benchmark runner with a fake benchmark: discovery, table, JSON, exit code.

No test here measures time: the clock is faked where a timing helper is exercised.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import textwrap
import time
import types

import pytest

import benchmarks
from benchmarks import Paired, Row, limit_threads, median_time, paired_medians, run_benchmark
from benchmarks.__main__ import format_rows, main
from benchmarks.bench_backprop import mlp_flops

FAKE = textwrap.dedent(
    """
    from benchmarks import Row

    def run(*, quick=False):
        tag = " quick" if quick else ""
        return [
            Row("fake", "meets" + tag, 1.0, "peer-a", 4.0, target=2.0, extra={"GFLOP/s": 1.5}),
            Row("fake", "misses" + tag, 2.0, "peer-b", 1.0, target=1.0),
            Row("fake", "no target" + tag, 0.5, "peer-c", 0.5),
        ]
    """
)

REQUIRED_KEYS = {"benchmark", "case", "ours_s", "peer", "peer_s", "speedup"}


@pytest.fixture
def fake_benchmark(tmp_path, monkeypatch):
    (tmp_path / "bench_fake.py").write_text(FAKE, encoding="utf-8")
    monkeypatch.setattr(benchmarks, "__path__", [*benchmarks.__path__, str(tmp_path)])
    yield "fake"
    sys.modules.pop("benchmarks.bench_fake", None)


def test_available_finds_fake_and_backprop(fake_benchmark):
    names = benchmarks.available()
    assert "fake" in names
    assert "backprop" in names
    assert names == sorted(names)


def test_run_benchmark_passes_quick(fake_benchmark):
    rows = run_benchmark("fake", quick=True)
    assert [r.case for r in rows] == ["meets quick", "misses quick", "no target quick"]


def test_run_benchmark_unknown_name_lists_choices(fake_benchmark):
    with pytest.raises(ValueError, match=r"unknown benchmark 'nope'; choose from .*fake"):
        run_benchmark("nope")


def test_row_speedup_and_target():
    row = Row("b", "c", ours_s=0.5, peer="p", peer_s=2.0, target=4.0)
    assert row.speedup == 4.0
    assert row.meets_target is True
    assert Row("b", "c", 1.0, "p", 3.0, target=4.0).meets_target is False
    assert Row("b", "c", 1.0, "p", 3.0).meets_target is None


def test_main_writes_json_rows_with_required_keys(fake_benchmark, tmp_path, capsys):
    out = tmp_path / "rows.json"
    assert main(["fake", "--json", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(rows, list)
    assert len(rows) == 3
    for row in rows:
        assert row.keys() >= REQUIRED_KEYS
        assert row["speedup"] == pytest.approx(row["peer_s"] / row["ours_s"])
    assert [r["meets_target"] for r in rows] == [True, False, None]
    assert rows[0]["extra"] == {"GFLOP/s": 1.5}
    printed = capsys.readouterr().out
    assert "== fake" in printed
    assert "# cores:" in printed  # the machine is stated before the figures


def test_main_check_fails_on_missed_target(fake_benchmark, capsys):
    assert main(["fake", "--check"]) == 1
    assert main(["fake"]) == 0


def test_main_rejects_unknown_name(fake_benchmark, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["nope"])
    assert exc.value.code == 2
    assert "unknown benchmark(s) nope" in capsys.readouterr().err


def test_main_list(fake_benchmark, capsys):
    assert main(["--list"]) == 0
    assert "fake" in capsys.readouterr().out.split()


def test_format_rows_marks_targets_and_extra():
    table = format_rows(
        [
            Row("fake", "good", 1e-3, "p", 5e-3, target=4.0, extra={"GFLOP/s": "ours 9.9"}),
            Row("fake", "bad", 2e-6, "p", 1e-6, target=1.0),
        ]
    )
    good, extra, bad = table.splitlines()[2:]
    assert "5.00x" in good and "ok" in good and "1 ms" in good
    assert "GFLOP/s: ours 9.9" in extra
    assert "0.50x" in bad and "NO" in bad and "2 us" in bad


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_median_time_is_median_per_call(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(time, "perf_counter", clock)
    durations = iter([9.0, 1.0, 1.0, 5.0, 5.0, 2.0, 2.0])  # warm-up, then 3 repeats x 2

    def fn():
        clock.now += next(durations)

    # per-call means of the repeats: 1, 5, 2 -> median 2 (the slow warm-up is not counted)
    assert median_time(fn, repeat=3, number=2) == 2.0


@pytest.mark.parametrize("kwargs", [{"repeat": 0}, {"number": 0}])
def test_median_time_rejects_bad_counts(kwargs):
    with pytest.raises(ValueError, match="must be >= 1"):
        median_time(lambda: None, **kwargs)


def test_paired_medians_runs_each_side_in_its_own_block(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda s: None)
    log: list[str] = []

    @contextlib.contextmanager
    def setup(tag):
        log.append(f"enter {tag}")
        yield
        log.append(f"exit {tag}")

    result = paired_medians(
        lambda: log.append("ours"), lambda: log.append("peer"), rounds=2, repeat=1,
        ours_setup=lambda: setup("ours"), peer_setup=lambda: setup("peer"),
    )
    assert isinstance(result, Paired)
    assert len(result.ours_blocks) == len(result.peer_blocks) == 2
    # Blocks alternate, and inside a block only that side is called.
    tags, current = [], None
    for entry in log:
        word, _, tag = entry.partition(" ")
        if word == "enter":
            assert current is None
            current = tag
            tags.append(tag)
        elif word == "exit":
            current = None
        else:
            assert word == current
    assert tags == ["ours", "peer", "ours", "peer"]
    assert log.count("ours") >= 2 and log.count("peer") >= 2


def test_limit_threads_sets_and_restores_both_libraries(monkeypatch):
    seen: list[object] = []

    @contextlib.contextmanager
    def threadpool_limits(*, limits, user_api):
        seen.append((limits, user_api))
        yield

    fake_tpc = types.ModuleType("threadpoolctl")
    fake_tpc.threadpool_limits = threadpool_limits
    state = {"n": 2}
    fake_torch = types.SimpleNamespace(
        get_num_threads=lambda: state["n"], set_num_threads=lambda n: state.update(n=n)
    )
    monkeypatch.setitem(sys.modules, "threadpoolctl", fake_tpc)
    monkeypatch.setitem(sys.modules, "torch", fake_torch)
    with limit_threads(1):
        assert state["n"] == 1
    assert state["n"] == 2
    assert seen == [(1, "blas")]
    with pytest.raises(ValueError, match=r"n \(threads\) must be >= 1, got 0"), limit_threads(0):
        pass


def test_environment_reports_openblas_variables(monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.delenv("OPENBLAS_L2_SIZE", raising=False)
    env = benchmarks.environment()
    assert env["OPENBLAS_CORETYPE"] == "Haswell"
    assert env["OPENBLAS_L2_SIZE"] is None
    assert env["cores"] >= 1


def test_mlp_flops_counts_forward_dw_and_da_but_not_dx():
    # sizes 2-3-1, m = 5: layer matmuls 2*5*2*3 = 60 and 2*5*3*1 = 30 FLOPs;
    # forward 90 + dW 90 + dA_1 only 30 (no dX) = 210.
    assert mlp_flops((2, 3, 1), 5) == 210
    assert mlp_flops((64, 256, 256, 10), 512) == 242_745_344


def test_measure_other_load_subtracts_own_cpu_time(monkeypatch):
    busy = iter([1000, 1000 + 2 * os.sysconf("SC_CLK_TCK")])  # 2 s of busy CPU in all
    own = iter([10.0, 10.5])  # of which 0.5 s were ours
    wall = iter([100.0, 101.0])  # over 1 s of wall time
    monkeypatch.setattr(benchmarks, "_busy_jiffies", lambda: next(busy))
    monkeypatch.setattr(time, "process_time", lambda: next(own))
    monkeypatch.setattr(time, "perf_counter", lambda: next(wall))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with benchmarks.measure_other_load() as other:
        assert other.fraction is None
    assert other.fraction == pytest.approx(0.75)  # 1.5 s of others' CPU over 2 cores x 1 s
    assert str(other) == "75% of 2 cores"


def test_measure_other_load_unknown_without_proc_stat(monkeypatch):
    monkeypatch.setattr(benchmarks, "_busy_jiffies", lambda: None)
    with benchmarks.measure_other_load() as other:
        pass
    assert other.fraction is None
    assert str(other) == "unknown"


def test_wait_for_idle_returns_once_quiet(monkeypatch):
    shares = iter([0.9, 0.8, 0.1, 0.0])
    monkeypatch.setattr(time, "sleep", lambda s: None)

    @contextlib.contextmanager
    def fake_measure():
        result = benchmarks.OtherLoad()
        yield result
        result.fraction = next(shares)

    monkeypatch.setattr(benchmarks, "measure_other_load", fake_measure)
    assert benchmarks.wait_for_idle(timeout=60.0, max_other=0.25).fraction == 0.1
    assert next(shares) == 0.0  # it stopped probing at the first quiet probe


def test_wait_for_idle_gives_up_after_timeout(monkeypatch):
    probes = []
    monkeypatch.setattr(time, "sleep", lambda s: None)

    @contextlib.contextmanager
    def busy():
        result = benchmarks.OtherLoad()
        yield result
        probes.append(1)
        result.fraction = 1.0

    monkeypatch.setattr(benchmarks, "measure_other_load", busy)
    assert benchmarks.wait_for_idle(timeout=0.0).fraction == 1.0
    assert len(probes) == 1


def test_run_benchmark_passes_idle_wait_only_when_asked(fake_benchmark, tmp_path):
    (tmp_path / "bench_fake.py").write_text(
        FAKE.replace("def run(*, quick=False):", "def run(*, quick=False, idle_wait=0.0):\n"
                     "    assert idle_wait == 7.5\n    return []\n\ndef _unused(*, quick=False):"),
        encoding="utf-8",
    )
    assert run_benchmark("fake", idle_wait=7.5) == []
    with pytest.raises(ValueError, match="idle_wait must be >= 0"):
        run_benchmark("fake", idle_wait=-1)


def test_median_times_reads_cpu_time_around_the_same_repeats(monkeypatch):
    wall, cpu = FakeClock(), FakeClock()
    monkeypatch.setattr(time, "perf_counter", wall)
    monkeypatch.setattr(time, "process_time", cpu)

    def fn():  # each call: 3 s of wall time of which 1 s on the CPU (waiting for a core)
        wall.now += 3.0
        cpu.now += 1.0

    assert benchmarks.median_times(fn, repeat=3, number=2) == (3.0, 1.0)


def test_thread_scaling_is_a_positive_ratio_and_restores_the_thread_limits():
    with pytest.raises(ValueError, match="threads must be >= 1, got 0"):
        benchmarks.thread_scaling(0)
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [info["num_threads"] for info in threadpoolctl.threadpool_info()]
    ratio = benchmarks.thread_scaling(2, size=64, repeat=2)
    assert math.isfinite(ratio) and 0.05 < ratio < 20
    assert [info["num_threads"] for info in threadpoolctl.threadpool_info()] == before
