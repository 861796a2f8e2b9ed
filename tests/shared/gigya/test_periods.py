"""Points by period: hour and month buckets, the 7-day window, pruning (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.gigya import periods

NOW = datetime(2026, 6, 15, 12, 30, tzinfo=UTC)


def _hours(*offsets_and_points: tuple[float, float]) -> dict[str, float]:
    found: dict[str, float] = {}
    for hours_ago, points in offsets_and_points:
        key = periods.hour_key(NOW - timedelta(hours=hours_ago))
        found[key] = found.get(key, 0.0) + points
    return found


def test_seven_days_count_and_older_points_do_not():
    hours = _hours((0, 5), (24 * 7 - 1, 7), (24 * 8, 100))
    assert periods.points_7days(hours, NOW) == 12


def test_a_point_counts_at_least_seven_full_days():
    moment = NOW - timedelta(days=7) + timedelta(seconds=1)
    hours = {periods.hour_key(moment): 3.0}
    assert periods.points_7days(hours, NOW) == 3


@given(st.integers(min_value=0, max_value=24 * 14 * 60))
def test_a_point_leaves_the_window_between_168_and_169_hours(minutes_ago: int):
    moment = NOW - timedelta(minutes=minutes_ago)
    counted = periods.points_7days({periods.hour_key(moment): 1.0}, NOW) == 1
    if minutes_ago <= 168 * 60:
        assert counted
    if minutes_ago > 170 * 60:
        assert not counted


def test_the_expiry_is_when_the_oldest_live_bucket_leaves():
    hours = _hours((10, 1), (100, 1), (200, 1))
    expiry = periods.week_expiry(hours, NOW)
    assert expiry is not None
    assert periods.points_7days(hours, expiry - timedelta(seconds=1)) == 2
    assert periods.points_7days(hours, expiry) == 1
    assert periods.week_expiry({}, NOW) is None


def test_stale_hours_are_beyond_eight_days():
    hours = _hours((1, 1), (24 * 8 + 2, 1))
    assert periods.stale_hours(hours, NOW) == [periods.hour_key(NOW - timedelta(hours=24 * 8 + 2))]
    assert periods.stale_hours({"not-an-hour": 1}, NOW) == []


def test_months_follow_the_program_timezone():
    late = datetime(2026, 5, 31, 22, 30, tzinfo=UTC)
    assert periods.month_key(late) == "m202605"
    # 01:30 on June 1st in Cairo (UTC+3 in summer).
    assert periods.month_key(late, "Africa/Cairo") == "m202606"
    months = {"m202606": 40.0, "m202605": 7.0}
    assert periods.points_this_month(months, late, "Africa/Cairo") == 40
    assert periods.points_this_month(months, late) == 7


def test_months_before_last_are_stale():
    months = {"m202606": 1.0, "m202605": 1.0, "m202604": 1.0}
    assert periods.stale_months(months, NOW) == ["m202604"]
