"""The machine-noise probe."""

from __future__ import annotations

from bench.noise import measure


def test_noise_reports_an_ordered_spread_and_the_load() -> None:
    noise = measure(runs=3, iterations=20_000)
    assert 0 < noise.loop_ms_min <= noise.loop_ms_median <= noise.loop_ms_max
    assert noise.spread >= 1.0
    assert noise.cpus >= 1
    assert "min/median/max" in noise.describe()
