"""The ledger command: transaction documents as docs/ENGINE.md defines them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from devtools.ledger import COMMANDS, LedgerUsageError, build_transaction, main, write_transaction
from shared.enums import TransactionType
from tests.conftest import ROOT

AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def test_every_transaction_type_has_a_command() -> None:
    assert set(COMMANDS.values()) == set(TransactionType)


def test_earn_carries_points_balance_and_sequence() -> None:
    data = build_transaction(
        TransactionType.EARN_POINTS,
        "+201000000001",
        occurred_at=AT,
        points=250,
        balance_after=1250,
        sequence=7,
    )
    assert data == {
        "userId": "+201000000001",
        "type": 1,
        "occurredAt": AT,
        "source": "ledger",
        "points": 250,
        "balanceAfter": 1250,
        "sequence": 7,
    }
    assert isinstance(data["points"], int)


def test_fractional_points_stay_fractional() -> None:
    data = build_transaction(TransactionType.REDEEM_POINTS, "u", occurred_at=AT, points=12.5)
    assert data["points"] == 12.5 and data["type"] == 3


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        (TransactionType.SUBSCRIBE_VOUCHER, {"voucher_id": "V1"}, {"voucherId": "V1"}),
        (TransactionType.REDEEM_VOUCHER, {"voucher_id": "V2"}, {"voucherId": "V2"}),
        (TransactionType.TIER_CHANGE, {"tier": 3}, {"tier": 3}),
        (
            TransactionType.ACTION,
            {"action_id": "checkin", "attributes": {"store": "12"}},
            {"actionId": "checkin", "attributes": {"store": "12"}},
        ),
    ],
)
def test_type_specific_fields(kind, fields, expected) -> None:
    data = build_transaction(kind, "u", occurred_at=AT, **fields)
    assert data == {
        "userId": "u",
        "type": int(kind),
        "occurredAt": AT,
        "source": "ledger",
        **expected,
    }


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        (TransactionType.EARN_POINTS, {}, "--points"),
        (TransactionType.REDEEM_POINTS, {"points": -1}, "--points"),
        (TransactionType.SUBSCRIBE_VOUCHER, {}, "--voucher"),
        (TransactionType.TIER_CHANGE, {}, "--tier"),
        (TransactionType.ACTION, {}, "--action-id"),
        (TransactionType.EARN_POINTS, {"points": 1, "balance_after": -5}, "--balance-after"),
        (TransactionType.EARN_POINTS, {"points": 1, "sequence": -1}, "--sequence"),
    ],
)
def test_missing_or_bad_fields_are_refused(kind, fields, message) -> None:
    with pytest.raises(LedgerUsageError, match=message):
        build_transaction(kind, "u", **fields)


def test_occurred_at_defaults_to_now() -> None:
    before = datetime.now(UTC)
    data = build_transaction(TransactionType.TIER_CHANGE, "u", tier=1)
    assert before <= data["occurredAt"] <= datetime.now(UTC)


def test_cli_refuses_an_incomplete_transaction(capsys) -> None:
    assert main(["earn", "--user", "u"]) == 2
    assert "--points" in capsys.readouterr().err


@pytest.mark.emulator
def test_write_creates_the_document_with_a_timestamp(db) -> None:
    data = build_transaction(TransactionType.EARN_POINTS, "+201000000001", occurred_at=AT, points=5)
    transaction_id = write_transaction(db, data)
    stored = db.collection("transactions").document(transaction_id).get().to_dict()
    assert stored["occurredAt"] == AT  # a Firestore Timestamp, read back as a datetime
    assert stored["userId"] == "+201000000001" and stored["points"] == 5


@pytest.mark.emulator
def test_cli_writes_and_prints_the_id(db) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "devtools.ledger",
            "action",
            "--user",
            "+201000000009",
            "--action-id",
            "checkin",
            "--attr",
            "store=12",
            "--sequence",
            "3",
            "--at",
            "2026-05-01T09:30:00Z",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    transaction_id = result.stdout.strip()
    stored = db.collection("transactions").document(transaction_id).get().to_dict()
    assert stored == {
        "userId": "+201000000009",
        "type": 6,
        "occurredAt": AT,
        "actionId": "checkin",
        "attributes": {"store": "12"},
        "sequence": 3,
        "source": "ledger",
    }
