"""Action caps: dailyCap (counted notifications per calendar day) and freqCap. Pure."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared.catalog.models import Action
from shared.schema.gigya import ActionCapState

__all__ = ["ActionCapState", "after_one_more", "calendar_day", "is_capped", "refusal"]

DAILY_CAP_EXCEEDED = "DailyCap exceeded"
FREQ_CAP_EXCEEDED = "FreqCap exceeded"


def is_capped(action: Action) -> bool:
    """Whether notifications of the action are limited at all."""
    return action.dailyCap is not None or action.freqCap is not None


def calendar_day(moment: datetime, timezone: str) -> str:
    """The calendar day of `moment` in the program's timezone, as YYYY-MM-DD."""
    return moment.astimezone(ZoneInfo(timezone)).date().isoformat()


def refusal(action: Action, state: ActionCapState, now: datetime, timezone: str) -> str | None:
    """Why one more notification at `now` would break a cap, or None when it may count."""
    last = state.last_at
    if (
        action.freqCap is not None
        and last is not None
        and (now - last).total_seconds() < action.freqCap
    ):
        return FREQ_CAP_EXCEEDED
    if action.dailyCap is not None:
        today = calendar_day(now, timezone)
        counted_today = state.day_count if state.day == today else 0
        if counted_today >= action.dailyCap:
            return DAILY_CAP_EXCEEDED
    return None


def after_one_more(state: ActionCapState, now: datetime, timezone: str) -> ActionCapState:
    """The cap state once a notification at `now` is counted."""
    today = calendar_day(now, timezone)
    day_count = state.day_count + 1 if state.day == today else 1
    return ActionCapState(count=state.count + 1, last_at=now, day=today, day_count=day_count)
