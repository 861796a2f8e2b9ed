"""Action caps: the daily cap by calendar day, the frequency cap by seconds (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.catalog.models import Action
from shared.gigya import caps
from shared.gigya.caps import ActionCapState

NOW = datetime(2026, 6, 15, 20, 0, tzinfo=UTC)


def _after(action: Action, moments: list[datetime], timezone: str = "UTC") -> list[str | None]:
    state = ActionCapState()
    answers: list[str | None] = []
    for moment in moments:
        reason = caps.refusal(action, state, moment, timezone)
        answers.append(reason)
        if reason is None:
            state = caps.after_one_more(state, moment, timezone)
    return answers


def test_an_uncapped_action_always_counts():
    action = Action(actionId="a", points=1)
    assert not caps.is_capped(action)
    assert _after(action, [NOW] * 5) == [None] * 5


def test_the_daily_cap_counts_per_calendar_day():
    action = Action(actionId="a", points=1, dailyCap=2)
    moments = [NOW, NOW, NOW, NOW + timedelta(hours=4), NOW + timedelta(hours=5)]
    # 20:00, 20:00, 20:00 (refused), then 00:00 and 01:00 the next day (UTC).
    assert _after(action, moments) == [None, None, caps.DAILY_CAP_EXCEEDED, None, None]


def test_the_calendar_day_is_the_programs():
    action = Action(actionId="a", points=1, dailyCap=1)
    # 20:00 and 22:00 UTC are the same day in UTC, but 23:00 and 01:00 in Cairo (UTC+3).
    moments = [NOW, NOW + timedelta(hours=2)]
    assert _after(action, moments) == [None, caps.DAILY_CAP_EXCEEDED]
    assert _after(action, moments, "Africa/Cairo") == [None, None]


def test_the_frequency_cap_is_a_minimum_interval():
    action = Action(actionId="a", points=1, freqCap=60)
    moments = [NOW, NOW + timedelta(seconds=59), NOW + timedelta(seconds=60)]
    assert _after(action, moments) == [None, caps.FREQ_CAP_EXCEEDED, None]


def test_counting_advances_the_state():
    state = caps.after_one_more(ActionCapState(count=4, day="2026-06-14", day_count=3), NOW, "UTC")
    assert state == ActionCapState(count=5, last_at=NOW, day="2026-06-15", day_count=1)
