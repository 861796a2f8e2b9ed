"""Per-trigger arithmetic as docs/API.md's worked example defines it."""

from __future__ import annotations


def action_left(frequency: float, achieved: float) -> float:
    """What is still needed: `max(0, frequency - achieved)`."""
    return max(0.0, float(frequency) - float(achieved))


def progress_percent(frequency: float, achieved: float) -> float:
    """Percentage done, capped at 100 and rounded to two decimals (200 of 1000 is 20.0)."""
    if frequency <= 0:
        return 100.0
    return round(min(100.0, max(0.0, float(achieved)) / float(frequency) * 100.0), 2)


def is_reached(frequency: float, achieved: float) -> bool:
    """True when the achieved amount meets the required frequency."""
    return float(achieved) >= float(frequency)
