"""How noisy the machine is right now: a fixed CPU-bound loop timed a few times, and the load."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Noise:
    """Spread of a fixed CPU-bound loop's wall time, and the load average."""

    loop_ms_min: float
    loop_ms_median: float
    loop_ms_max: float
    load_1m: float
    load_5m: float
    cpus: int

    @property
    def spread(self) -> float:
        """max / min of the loop's times: 1.0 on a quiet machine."""
        return self.loop_ms_max / self.loop_ms_min

    def describe(self) -> str:
        """One line for the console and the docs."""
        return (
            f"noise: fixed loop {self.loop_ms_min:.0f}/{self.loop_ms_median:.0f}/"
            f"{self.loop_ms_max:.0f} ms (min/median/max, spread x{self.spread:.2f}); "
            f"load average {self.load_1m:.2f} {self.load_5m:.2f} on {self.cpus} CPUs"
        )


def _loop(iterations: int) -> int:
    total = 0
    for i in range(iterations):
        total = (total + i * i) % 1_000_003
    return total


def measure(runs: int = 5, iterations: int = 2_000_000) -> Noise:
    """Time the loop `runs` times and read the load average."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _loop(iterations)
        times.append((time.perf_counter() - started) * 1000)
    load_1m, load_5m, _ = os.getloadavg()
    return Noise(
        loop_ms_min=min(times),
        loop_ms_median=statistics.median(times),
        loop_ms_max=max(times),
        load_1m=load_1m,
        load_5m=load_5m,
        cpus=os.cpu_count() or 1,
    )
