"""Prize expiry and the first record of a level's prizes (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.engine.prizes import expiration, pending_prizes
from shared.enums import DurationType, RewardType
from tests.shared.engine.builders import NOW, badge_reward, points_reward, voucher_reward

D = DurationType


@pytest.mark.parametrize(
    ("start", "duration", "unit", "expected"),
    [
        (datetime(2026, 1, 31, 10, tzinfo=UTC), 30, D.DAYS, datetime(2026, 3, 2, 10, tzinfo=UTC)),
        (datetime(2026, 1, 31, 10, tzinfo=UTC), 1, D.MONTHS, datetime(2026, 2, 28, 10, tzinfo=UTC)),
        (datetime(2026, 11, 15, tzinfo=UTC), 3, D.MONTHS, datetime(2027, 2, 15, tzinfo=UTC)),
        (datetime(2028, 2, 29, tzinfo=UTC), 1, D.YEARS, datetime(2029, 2, 28, tzinfo=UTC)),
        (datetime(2026, 5, 1, tzinfo=UTC), 2, D.YEARS, datetime(2028, 5, 1, tzinfo=UTC)),
        (datetime(2026, 5, 1, tzinfo=UTC), 0, D.YEARS, None),
    ],
)
def test_expiry_uses_calendar_arithmetic(start, duration, unit, expected):
    assert expiration(start, duration, unit) == expected


def test_pending_prizes_carry_what_issuing_needs():
    prizes = pending_prizes(
        [
            points_reward(1, 50, duration=10),
            voucher_reward(2, "pool", months=1),
            badge_reward(3, "b"),
        ],
        NOW,
    )
    assert [p.reward_type for p in prizes] == [
        RewardType.POINTS,
        RewardType.VOUCHER,
        RewardType.BADGE,
    ]
    assert [p.value for p in prizes] == ["50", "pool", "b"]
    assert {p.status for p in prizes} == {"pending"}
    assert prizes[1].description == {"en": "a voucher", "ar": "قسيمة"}
    assert prizes[0].description == {"en": "50 points"}
    assert prizes[0].expiration_date == datetime(2026, 6, 25, 12, tzinfo=UTC)
    assert prizes[2].expiration_date is None
    # As stored: the field names of the schema.
    assert prizes[0].encode()["status"] == "pending"
