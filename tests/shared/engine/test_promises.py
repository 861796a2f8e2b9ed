"""docs/ENGINE.md's promises: each of the engine's promises, against the Firestore emulator."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.catalog.models import VoucherPool
from shared.engine.process import COUNTED, DEAD_LETTERED, DUPLICATE, process_transaction
from shared.enums import TriggerKind
from shared.repository import paths
from shared.repository.dead_letters_repo import get_dead_letter
from tests.shared.engine.builders import (
    NOW,
    badge_reward,
    challenge,
    earn,
    group,
    install,
    level,
    milestones,
    people_finished,
    points_reward,
    progress,
    simple_level,
    trigger,
    tx,
    voucher_reward,
)

pytestmark = pytest.mark.emulator

EARNED = TriggerKind.EARNED_POINTS


def _parallel(calls, workers: int = 16) -> list:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [f.result(timeout=60) for f in [pool.submit(c) for c in calls]]


def _reward_credits(db, user: str) -> list[dict]:
    query = db.collection("transactions").where(filter=FieldFilter("userId", "==", user))
    return [s.to_dict() for s in query.stream() if s.to_dict().get("source") == "reward"]


def test_an_event_delivered_three_times_one_after_another_counts_once(db):
    install(db, [challenge(1, simple_level(EARNED, 100, [points_reward(1, 5)]), limited=False)])
    statuses = [process_transaction(db, "t1", earn("u", 100)).status for _ in range(3)]
    assert statuses == [COUNTED, DUPLICATE, DUPLICATE]
    doc = progress(db, "u", 1)
    assert doc["totals"]["earnedPoints"] == 100 and doc["cycle"] == 1
    assert len(milestones(db, "u")) == 1 and len(_reward_credits(db, "u")) == 1


def test_an_event_delivered_three_times_at_once_counts_once(db):
    install(db, [challenge(1, simple_level(EARNED, 100, [points_reward(1, 5)]), limited=False)])
    for n in range(5):
        outcomes = _parallel([lambda n=n: process_transaction(db, f"t{n}", earn("u", 100))] * 3)
        assert sorted(o.status for o in outcomes) == [COUNTED, DUPLICATE, DUPLICATE]
    doc = progress(db, "u", 1)
    assert doc["totals"]["earnedPoints"] == 500 and doc["cycle"] == 5
    assert len(milestones(db, "u")) == 5 and len(_reward_credits(db, "u")) == 5
    assert people_finished(db, 1) == 1


def test_fifty_concurrent_transactions_of_one_user_are_all_counted(db):
    install(
        db,
        [
            challenge(1, simple_level(EARNED, 10_000)),
            challenge(2, simple_level(EARNED, 100), limited=False),
        ],
    )
    outcomes = _parallel(
        [lambda n=n: process_transaction(db, f"t{n}", earn("u", n + 1)) for n in range(50)]
    )
    assert all(o.status == COUNTED for o in outcomes)
    assert progress(db, "u", 1)["totals"]["earnedPoints"] == sum(range(1, 51))
    # Cycles depend on the interleaving (excess does not carry), but each has one milestone.
    doc = progress(db, "u", 2)
    assert doc["totals"]["earnedPoints"] == 1275
    mine = milestones(db, "u")
    assert 1 <= len(mine) == doc["cycle"] <= 12
    assert sorted(m["cycle"] for m in mine) == list(range(doc["cycle"]))


def test_concurrent_transactions_of_different_kinds_complete_an_and_level(db):
    lvl = level(group(trigger(EARNED, 100), trigger(TriggerKind.SUBSCRIBE_VOUCHERS_COUNT, 1)))
    install(db, [challenge(1, lvl)])
    users = [f"u{n}" for n in range(15)]
    calls = []
    for user in users:
        calls.append(lambda user=user: process_transaction(db, f"e-{user}", earn(user, 100)))
        calls.append(
            lambda user=user: process_transaction(db, f"s-{user}", tx(user, 2, voucherId="v"))
        )
    _parallel(calls)
    assert all(progress(db, user, 1).get("completed") for user in users)
    assert people_finished(db, 1) == len(users)


CRASH_STEPS = ["counted", "milestone", "prize:1", "prize:2", "prize:3", "issued"]


class InjectedCrash(Exception):
    pass


@pytest.mark.parametrize("step", CRASH_STEPS)
def test_a_crash_after_any_write_step_is_repaired_by_the_redelivery(db, step):
    rewards = [points_reward(1, 25), voucher_reward(2, "pool"), badge_reward(3, "star")]
    install(
        db,
        [challenge(1, simple_level(EARNED, 100, rewards))],
        [VoucherPool(id="pool", codes=[f"C{n}" for n in range(5)])],
    )
    seen: list[str] = []

    def crash(name: str) -> None:
        seen.append(name)
        if name == step:
            raise InjectedCrash(name)

    with pytest.raises(InjectedCrash):
        process_transaction(db, "t1", earn("u", 100), faults=crash)
    assert seen[-1] == step
    for _ in range(2):
        process_transaction(db, "t1", earn("u", 100))
    [milestone] = milestones(db, "u")
    assert milestone["issued"] is True
    assert [p["status"] for p in milestone["prizes"]] == ["issued"] * 3
    assert len(_reward_credits(db, "u")) == 1
    taken = [
        s.id
        for s in db.collection("voucherPools/pool/codes")
        .where(filter=FieldFilter("taken", "==", True))
        .stream()
    ]
    assert taken == [milestone["prizes"][1]["value"]]
    doc = progress(db, "u", 1)
    assert doc["totals"]["earnedPoints"] == 100
    assert doc.get("pending", {}) == {}
    assert doc["unclaimed"][str(milestone["milestoneId"])]["prizes"] == milestone["prizes"]
    assert people_finished(db, 1) == 1


def test_150_completions_share_100_voucher_codes_without_giving_one_twice(db):
    install(
        db,
        [challenge(1, simple_level(EARNED, 10, [voucher_reward(1, "pool", months=1)]))],
        [VoucherPool(id="pool", codes=[f"CODE{n:03d}" for n in range(100)])],
    )
    outcomes = _parallel(
        [lambda n=n: process_transaction(db, f"t{n}", earn(f"user{n}", 10)) for n in range(150)],
        workers=24,
    )
    prizes = [p for o in outcomes for p in o.prizes]
    issued = [p.value for p in prizes if p.status == "issued"]
    assert len(issued) == len(set(issued)) == 100
    assert sum(p.status == "outOfStock" for p in prizes) == 50
    # What the milestones record agrees, and each claim names one user.
    recorded = [m["prizes"][0] for n in range(150) for m in milestones(db, f"user{n}")]
    assert sorted(p["value"] for p in recorded if p["status"] == "issued") == sorted(issued)
    claims = {
        s.id: s.to_dict()["userId"] for s in db.collection("voucherPools/pool/claims").stream()
    }
    assert len(claims) == 100 and len(set(claims.values())) == 100


@pytest.mark.parametrize("kind", ["balance", "tier"])
def test_state_events_in_reverse_order_reflect_the_latest_ledger_state(db, kind):
    trig = TriggerKind.TOTAL_POINTS_BALANCE if kind == "balance" else TriggerKind.HIT_TIER
    install(db, [challenge(1, simple_level(trig, 1000 if kind == "balance" else 3))])

    def event(seq: int, value: int) -> dict:
        if kind == "balance":
            return earn("u", 1, at=NOW + timedelta(minutes=seq), sequence=seq, balanceAfter=value)
        return tx("u", 5, at=NOW + timedelta(minutes=seq), sequence=seq, tier=value)

    high, low = (1500, 200) if kind == "balance" else (4, 1)
    # The ledger: seq 1 reached the goal, seq 2 fell below it. Delivered last first.
    assert process_transaction(db, "t2", event(2, low)).milestones == []
    assert process_transaction(db, "t1", event(1, high)).milestones == []
    observed = progress(db, "u", 1)[kind]
    assert observed[max(observed)] == low
    # And in order, another user's same events do reach it on seq 1.
    assert len(process_transaction(db, "t3", {**event(1, high), "userId": "w"}).milestones) == 1


NAN, INF = float("nan"), float("inf")
MAP = {"nested": {"map": 1}}
LONG = "x" * 300
ACTION = 6


def _same(stored: object, sent: object) -> bool:
    """Equal as stored, NaN equal to NaN."""
    return json.dumps(stored, sort_keys=True, default=str) == json.dumps(
        sent, sort_keys=True, default=str
    )


# Every field of a ledger transaction with each kind of wrong value (docs/ENGINE.md, Validation).
MALFORMED = [
    # userId: missing, wrong types, empty, too long, control characters, and padded. A padded
    # id is dead-lettered, not counted as is: every API refuses it (shared/user_ids.py), so its
    # progress could never be read; a '+' that became a space upstream is the likely cause.
    ({"type": 1, "occurredAt": NOW, "points": 5}, "userId"),
    (earn(MAP, 5), "userId"),  # type: ignore[arg-type]
    (earn(["u"], 5), "userId"),  # type: ignore[arg-type]
    (earn(7, 5), "userId"),  # type: ignore[arg-type]
    (earn("", 5), "userId"),
    (earn("u" * 257, 5), "userId"),
    (earn("u\x00v", 5), "userId"),
    (earn(" 201000000001", 5), "userId"),
    (earn("+201000000001 ", 5), "userId"),
    (earn("+201000000001\n", 5), "userId"),
    # type
    (tx("u", 9, points=5), "type"),
    ({**earn("u", 5), "type": "1"}, "type"),
    ({**earn("u", 5), "type": True}, "type"),
    ({**earn("u", 5), "type": 1.0}, "type"),
    ({**earn("u", 5), "type": MAP}, "type"),
    ({**earn("u", 5), "type": None}, "type"),
    # occurredAt
    ({**earn("u", 5), "occurredAt": "2026-01-01T00:00:00Z"}, "occurredAt"),
    ({**earn("u", 5), "occurredAt": 1767225600}, "occurredAt"),
    ({**earn("u", 5), "occurredAt": MAP}, "occurredAt"),
    ({"userId": "u", "type": 1, "points": 5}, "occurredAt"),
    # points
    (earn("u", -5), "points"),
    (earn("u", "5"), "points"),  # type: ignore[arg-type]
    (earn("u", True), "points"),
    (earn("u", MAP), "points"),  # type: ignore[arg-type]
    (earn("u", NAN), "points"),
    (earn("u", INF), "points"),
    (earn("u", -INF), "points"),
    (tx("u", 1), "points"),
    (tx("u", 3), "points"),
    # voucherId
    (tx("u", 2), "voucherId"),
    (tx("u", 2, voucherId=""), "voucherId"),
    (tx("u", 2, voucherId=7), "voucherId"),
    (tx("u", 2, voucherId=MAP), "voucherId"),
    (tx("u", 2, voucherId=LONG), "voucherId"),
    # tier
    (tx("u", 5), "tier"),
    (tx("u", 5, tier="gold"), "tier"),
    (tx("u", 5, tier=2.5), "tier"),
    (tx("u", 5, tier=MAP), "tier"),
    # balanceAfter
    (earn("u", 1, balanceAfter=-1), "balanceAfter"),
    (earn("u", 1, balanceAfter="100"), "balanceAfter"),
    (earn("u", 1, balanceAfter=NAN), "balanceAfter"),
    (earn("u", 1, balanceAfter=INF), "balanceAfter"),
    (earn("u", 1, balanceAfter=MAP), "balanceAfter"),
    # sequence
    (earn("u", 5, sequence=-1), "sequence"),
    (earn("u", 5, sequence=1.5), "sequence"),
    (earn("u", 5, sequence="3"), "sequence"),
    (earn("u", 5, sequence=MAP), "sequence"),
    # actionId: an Action without one, and wrong ones
    (tx("u", ACTION), "actionId"),
    (tx("u", ACTION, actionId=""), "actionId"),
    (tx("u", ACTION, actionId=7), "actionId"),
    (tx("u", ACTION, actionId=MAP), "actionId"),
    (tx("u", ACTION, actionId=LONG), "actionId"),
    # attributes: not a map, a value too long to be a variant, too much of them
    (tx("u", ACTION, actionId="share", attributes="show=glee"), "attributes"),
    (tx("u", ACTION, actionId="share", attributes=["show"]), "attributes"),
    (tx("u", ACTION, actionId="share", attributes={"show": LONG}), "attributes"),
    (tx("u", ACTION, actionId="share", attributes={LONG: "glee"}), "attributes"),
    (
        tx("u", ACTION, actionId="share", attributes={f"k{n}": "v" * 100 for n in range(50)}),
        "attributes",
    ),
    # source: only the ledger's and the engine's own credits
    (earn("u", 5, source="other"), "source"),
    (earn("u", 5, source=""), "source"),
    (earn("u", 5, source=MAP), "source"),
    (earn("u", 5, source=None), "source"),
]


@pytest.mark.parametrize(("data", "field"), MALFORMED)
def test_malformed_transactions_are_dead_lettered_with_the_reason(db, data, field):
    install(db, [challenge(1, simple_level(EARNED, 10))])
    for _ in range(2):  # a redelivery changes nothing
        outcome = process_transaction(db, "bad", data)
        assert outcome.status == DEAD_LETTERED and field in (outcome.reason or "")
    letter = get_dead_letter(db, "bad")
    assert letter is not None and field in letter["reason"]
    assert letter["transactionId"] == "bad" and letter["source"] == "engine"
    assert _same(letter["data"], data)
    assert list(db.collection(paths.USERS).stream()) == []


# A transaction document may be nearly 1 MiB: its letter, which keeps it beside the reason,
# would be larger than Firestore stores.
FULL = 1_048_576 - 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (earn("u" * FULL, 5), "userId"),
        (tx("u", 2, voucherId="v" * FULL), "voucherId"),
        (tx("u", ACTION, actionId="share", attributes={"show": "g" * FULL}), "attributes"),
    ],
)
def test_a_transaction_too_large_for_its_letter_is_dead_lettered_without_its_data(db, data, field):
    install(db, [challenge(1, simple_level(EARNED, 10))])
    for _ in range(2):
        outcome = process_transaction(db, "huge", data)
        assert outcome.status == DEAD_LETTERED
    letter = get_dead_letter(db, "huge")
    assert letter is not None and letter["data"] is None
    assert letter["reason"].startswith(f"{field}:") and "data left out" in letter["reason"]
    assert len(letter["reason"]) < 4096
    assert list(db.collection(paths.USERS).stream()) == []


def test_the_same_ledger_entry_under_two_document_ids_counts_once(db):
    install(db, [challenge(1, simple_level(EARNED, 100, [points_reward(1, 5)]))])
    first = process_transaction(db, "ledger-export-1", earn("u", 60, sequence=41))
    again = process_transaction(db, "ledger-export-2", earn("u", 60, sequence=41))
    other_user = process_transaction(db, "ledger-export-3", earn("v", 60, sequence=41))
    assert (first.status, again.status, other_user.status) == (COUNTED, DUPLICATE, COUNTED)
    assert progress(db, "u", 1)["totals"]["earnedPoints"] == 60
    assert progress(db, "v", 1)["totals"]["earnedPoints"] == 60
    assert milestones(db, "u") == []


@pytest.mark.parametrize("limited", [True, False])
def test_prizes_a_crash_left_pending_are_issued_by_the_next_other_event(db, limited):
    """Another transaction than the crashed one finishes the pending prizes (no redelivery)."""
    rewards = [points_reward(1, 25), badge_reward(2, "star")]
    install(db, [challenge(1, simple_level(EARNED, 100, rewards), limited=limited)])

    def crash(name: str) -> None:
        if name == "milestone":
            raise InjectedCrash(name)

    with pytest.raises(InjectedCrash):
        process_transaction(db, "t1", earn("u", 100), faults=crash)
    assert progress(db, "u", 1)["pending"]
    # One point: far from the next level (repeatable) or counting for nothing (won, limited).
    outcome = process_transaction(db, "t2", earn("u", 1))
    assert [p.status for p in outcome.prizes] == ["issued", "issued"]
    [milestone] = milestones(db, "u")
    assert milestone["issued"] is True
    assert len(_reward_credits(db, "u")) == 1
    doc = progress(db, "u", 1)
    assert doc.get("pending", {}) == {}
    assert doc["totals"]["earnedPoints"] == (100 if limited else 101)
