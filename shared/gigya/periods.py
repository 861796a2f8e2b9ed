"""Points by period: hour and month buckets, the rolling 7 days and the current month. Pure.

Points are recorded in buckets keyed by the hour (`h<hours since the epoch>`) and by the month in
the program's timezone (`m<YYYYMM>`). `points7Days` sums the buckets of the last 168 hours plus
the current, partial hour: a transaction counts for between 168 and 169 hours after its hour
began, never less than 7 x 24 h (docs/GIGYA.md).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

HOUR_PREFIX = "h"
MONTH_PREFIX = "m"
WEEK_HOURS = 168
# Hour buckets older than this are never read again; writers prune them.
KEEP_HOURS = WEEK_HOURS + 24


def epoch_hour(moment: datetime) -> int:
    """Whole hours since the Unix epoch."""
    return int(moment.astimezone(UTC).timestamp() // 3600)


def hour_key(moment: datetime) -> str:
    """The hour bucket of `moment`."""
    return f"{HOUR_PREFIX}{epoch_hour(moment)}"


def month_key(moment: datetime, timezone: str = "UTC") -> str:
    """The month bucket of `moment` in the program's timezone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{MONTH_PREFIX}{local.year:04d}{local.month:02d}"


def _hour_of(key: str) -> int | None:
    if not key.startswith(HOUR_PREFIX):
        return None
    try:
        return int(key[len(HOUR_PREFIX) :])
    except ValueError:
        return None


def week_start_hour(now: datetime) -> int:
    """The first hour bucket inside the 7-day window at `now`."""
    return epoch_hour(now) - WEEK_HOURS


def points_7days(hours: Mapping[str, float] | None, now: datetime) -> float:
    """Points in the buckets of the 7-day window at `now`."""
    start = week_start_hour(now)
    total = 0.0
    for key, value in (hours or {}).items():
        hour = _hour_of(key)
        if hour is not None and hour >= start:
            total += float(value)
    return total


def week_expiry(hours: Mapping[str, float] | None, now: datetime) -> datetime | None:
    """When the 7-day sum next drops (its oldest bucket leaves the window); None if never."""
    start = week_start_hour(now)
    live = [
        hour
        for key, value in (hours or {}).items()
        if (hour := _hour_of(key)) is not None and hour >= start and float(value) != 0
    ]
    if not live:
        return None
    return datetime.fromtimestamp(0, UTC) + timedelta(hours=min(live) + WEEK_HOURS + 1)


def stale_hours(hours: Mapping[str, float] | None, now: datetime) -> list[str]:
    """Hour bucket keys old enough to be deleted."""
    if not hours:
        return []
    limit = epoch_hour(now) - KEEP_HOURS
    return [key for key in (hours or {}) if (hour := _hour_of(key)) is not None and hour < limit]


@functools.lru_cache(maxsize=16)
def _kept_months(now: datetime, timezone: str) -> frozenset[str]:
    # The same `now` asks once per challenge an event counts for: computed once.
    local = now.astimezone(ZoneInfo(timezone))
    previous = local.replace(day=1) - timedelta(days=1)
    return frozenset(
        {month_key(now, timezone), f"{MONTH_PREFIX}{previous.year:04d}{previous.month:02d}"}
    )


def points_this_month(
    months: Mapping[str, float] | None, now: datetime, timezone: str = "UTC"
) -> float:
    """Points since the 1st of the current month, 00:00 in the program's timezone."""
    return float((months or {}).get(month_key(now, timezone), 0.0))


def stale_months(
    months: Mapping[str, float] | None, now: datetime, timezone: str = "UTC"
) -> list[str]:
    """Month bucket keys older than the previous month."""
    if not months:
        return []
    keep = _kept_months(now, timezone)
    return [key for key in (months or {}) if key.startswith(MONTH_PREFIX) and key not in keep]
