"""The pipeline benchmark's CPU accounting: per process, per event, against the ceiling's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bench import pipeline
from bench.ceiling import Ceiling
from devtools.emulators import descendants

# 0.6 s of CPU, then alive and idle: the CPU of a process that exited is no longer its own.
BURN = (
    "import time\nend = time.process_time() + 0.6\n"
    "while time.process_time() < end: pass\ntime.sleep(30)"
)


def test_cpu_seconds_counts_each_process_on_its_own() -> None:
    # A parent that only waits for its busy child: the child's CPU is not the parent's.
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BURN!r}])",
        ]
    )
    try:
        deadline = time.monotonic() + 20
        while not descendants(parent.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        [child] = descendants(parent.pid)
        pids = {"parent": parent.pid, "child": child}
        before = pipeline.cpu_seconds(pids)
        spent = pipeline.cpu_spent(pids, before)
        while spent["child"] < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
            spent = pipeline.cpu_spent(pids, before)
        assert spent["child"] >= 0.3
        assert spent["parent"] < 0.05
    finally:
        for pid in descendants(parent.pid):
            os.kill(pid, signal.SIGKILL)
        parent.kill()
        parent.wait()


def test_a_process_gone_uses_nothing_more() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert pipeline.cpu_seconds({"gone": gone.pid}) == {"gone": 0.0}


def test_figures_put_the_pipelines_cpu_per_event_beside_the_ceilings() -> None:
    ceiling = Ceiling(rate=200.0, errors=0, created=1000, events=1000)
    run = pipeline.Run("max rate, 50 users", 5.0, users=50, written=500, in_window=400)
    run.cpu_s = {"emulator": 1.5, "functions": 1.0, "deliverer": 0.25, "benchmark": 0.25}
    ceiling_cpu = {50: {"emulator": 1.5, "benchmark": 0.5}}
    out = {
        f.name: f
        for f in pipeline.figures([run], {50: ceiling}, 1.0, 16, 10, None, None, None, ceiling_cpu)
    }
    at_ceiling = out["B2 CPU per event at the emulator event ceiling, 50 users"]
    assert at_ceiling.value == pytest.approx(2.0)
    assert at_ceiling.detail["emulator_ms"] == pytest.approx(1.5)
    every = out["B2 CPU per event, every process, max rate, 50 users"]
    assert every.value == pytest.approx(6.0)
    assert every.detail["functions_ms"] == pytest.approx(2.0)
    ratio = out["B2 ceiling's CPU per event / the pipeline's, max rate, 50 users"]
    assert ratio.value == pytest.approx(1 / 3)
    # The share itself: the rate over the ceiling's, whatever the CPU says.
    share = out["B2 rate / emulator event ceiling, max rate, 50 users"]
    assert share.value == pytest.approx(80.0 / 200.0)


def test_figures_without_cpu_measured_add_none() -> None:
    run = pipeline.Run("max rate, 1 user", 5.0, users=1, written=10, in_window=10)
    names = [f.name for f in pipeline.figures([run], {1: Ceiling(50.0, 0)}, 1.0, 16, 10, None)]
    assert not [name for name in names if "CPU" in name]
