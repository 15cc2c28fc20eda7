"""The CLI as a process: a closed output pipe and Ctrl-C end it as they end Unix tools."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

#: seconds to wait for the command to reach a state (start-up imports SymPy; the machine may
#: be loaded), and for its processes to be gone after it exits
START_TIMEOUT = 120.0
GONE_TIMEOUT = 10.0


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return {int(x) for x in path.read_text().split()}
    except OSError:
        return set()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_ctrl_c_prints_one_line_exits_130_and_leaves_no_worker():
    cmd = [sys.executable, "-m", "gradproof", "claims", "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the worker pool never started"
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
        _, err = proc.communicate(timeout=START_TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert [line for line in err.splitlines() if "note:" not in line] == [
        "gradproof: interrupted"]
    deadline = time.monotonic() + GONE_TIMEOUT
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "worker processes outlived the command"


def test_a_closed_output_pipe_ends_quietly_with_141():
    # the real command, with its output made large (far beyond a pipe's buffer) and its
    # computation replaced: the subject is how the CLI meets EPIPE, here and at exit
    code = textwrap.dedent("""
        import sys
        import gradproof.claims_format as cf
        from gradproof.cli import main
        cf.collect_claims = lambda claims, workers=None: ()
        cf.decide_claims = lambda claims, workers=None: ()
        cf.format_claims_json = lambda decided: "{}\\n" * 500_000
        sys.exit(main(["claims", "--json", "--id", "000-sigmoid-derivative"]))
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "{}\n"
    proc.stdout.close()  # `| head -1`
    err = proc.stderr.read()
    proc.stderr.close()
    proc.wait(timeout=START_TIMEOUT)
    assert proc.returncode == 141, err
    assert "Broken pipe" not in err and "Traceback" not in err and "Exception" not in err, err
