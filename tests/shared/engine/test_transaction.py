"""Validation of ledger transactions (docs/ENGINE.md)."""

from __future__ import annotations

import pytest

from shared.engine.transaction import parse_transaction
from shared.enums import TransactionType
from shared.errors import TransactionRejected
from tests.shared.engine.builders import NOW, earn, tx


@pytest.mark.parametrize(
    "data",
    [
        earn("u", 0),
        earn("u", 12.5, balanceAfter=100, sequence=3),
        tx("u", 2, voucherId="V1"),
        tx("u", 3, points=4),
        tx("u", 4, voucherId="V1"),
        tx("u", 5, tier=2),
        tx("u", 6, actionId="share", attributes={"channel": "x"}),
        {**earn("u", 1), "source": "reward", "milestoneId": 5},
    ],
)
def test_valid_transactions_are_accepted(data):
    parsed = parse_transaction(data)
    assert parsed.userId == "u" and parsed.type == TransactionType(data["type"])
    assert parsed.occurred_at == NOW


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"type": 1, "occurredAt": NOW, "points": 1}, "userId: is required"),
        (earn("", 1), "userId:"),
        ({**earn("u", 1), "userId": 7}, "userId:"),
        (tx("u", 7), "type:"),
        ({**earn("u", 1), "type": "1"}, "type: must be an integer"),
        ({**earn("u", 1), "type": True}, "type: must be an integer"),
        ({"userId": "u", "type": 1, "points": 1}, "occurredAt: is required"),
        ({**earn("u", 1), "occurredAt": "2026-06-15"}, "occurredAt: must be a timestamp"),
        (earn("u", -0.5), "points:"),
        (earn("u", "10"), "points:"),
        (earn("u", True), "points:"),
        (tx("u", 3), "points: is required for transaction type 3"),
        (tx("u", 4), "voucherId: is required for transaction type 4"),
        (tx("u", 5), "tier: is required for transaction type 5"),
        (tx("u", 5, tier="gold"), "tier:"),
        (tx("u", 6), "actionId: is required"),
        (earn("u", 1, balanceAfter=-1), "balanceAfter:"),
        (earn("u", 1, sequence=-1), "sequence:"),
        (earn("u", 1, sequence=1.5), "sequence:"),
        (earn("u", 1, source="other"), "source:"),
    ],
)
def test_malformed_transactions_are_rejected_naming_the_field(data, reason):
    with pytest.raises(TransactionRejected) as caught:
        parse_transaction(data)
    assert reason in caught.value.reason


def test_a_naive_occurred_at_is_taken_as_utc():
    parsed = parse_transaction(earn("u", 1, at=NOW.replace(tzinfo=None)))
    assert parsed.occurred_at == NOW
