"""docs/API.md's worked example and the edges of actionLeft/progress."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.progress.amounts import action_left, is_reached, progress_percent


@pytest.mark.parametrize(
    ("achieved", "left", "percent"),
    [(0, 1000, 0.0), (200, 800, 20.0), (500, 500, 50.0), (1000, 0, 100.0)],
)
def test_seed_000_worked_example(achieved, left, percent):
    assert action_left(1000, achieved) == left
    assert progress_percent(1000, achieved) == percent


def test_overshoot_is_capped():
    assert action_left(1000, 1500) == 0
    assert progress_percent(1000, 1500) == 100.0
    assert is_reached(1000, 1500)


def test_fractions_round_to_two_decimals():
    assert progress_percent(3, 1) == 33.33
    assert progress_percent(3, 2) == 66.67


def test_reached_exactly_at_frequency_and_not_before():
    assert is_reached(3, 3)
    assert not is_reached(3, 2.999)


@given(
    st.floats(min_value=0.01, max_value=1e9, allow_nan=False),
    st.floats(min_value=0, max_value=1e10, allow_nan=False),
)
def test_bounds_hold_for_any_amounts(frequency, achieved):
    left = action_left(frequency, achieved)
    percent = progress_percent(frequency, achieved)
    assert 0 <= left <= frequency
    assert 0 <= percent <= 100
    assert (left == 0) == is_reached(frequency, achieved)
