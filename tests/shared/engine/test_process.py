"""The engine end to end against the Firestore emulator: counting, levels, rewards, locks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.engine.process import COUNTED, DUPLICATE, NOTHING_TO_COUNT, process_transaction
from shared.enums import Operator, TriggerKind
from shared.repository import paths
from shared.repository.keys import milestone_id
from tests.shared.engine.builders import (
    END,
    NOW,
    START,
    badge_reward,
    challenge,
    earn,
    group,
    install,
    level,
    points_reward,
    simple_level,
    trigger,
    tx,
)

pytestmark = pytest.mark.emulator

EARNED = TriggerKind.EARNED_POINTS


def progress(db, user: str, cid: int) -> dict:
    return db.document(paths.progress_doc(user, cid)).get().to_dict() or {}


def milestones(db, user: str) -> list[dict]:
    return [s.to_dict() for s in db.collection(paths.milestones_collection(user)).stream()]


def test_counts_points_and_completes_a_level_with_its_prizes(db):
    install(
        db,
        [challenge(1, simple_level(EARNED, 100, [points_reward(7, 50), badge_reward(8, "gold")]))],
    )
    first = process_transaction(db, "t1", earn("u1", 60))
    assert first.status == COUNTED and first.counted == [1] and first.milestones == []
    assert (first.reads, first.commits) == (1, 1)
    second = process_transaction(db, "t2", earn("u1", 70))
    assert second.milestones == [milestone_id("u1", 1, 0, 0)]
    doc = progress(db, "u1", 1)
    assert doc["totals"]["earnedPoints"] == 130
    assert doc["completed"] is True and doc["levelsReached"] == 1
    assert doc["achievedAt"] == NOW
    mid = str(second.milestones[0])
    assert doc.get("pending", {}) == {}
    assert [p["status"] for p in doc["unclaimed"][mid]["prizes"]] == ["issued", "issued"]
    [milestone] = milestones(db, "u1")
    assert milestone["issued"] is True and milestone["claimed"] is False
    assert milestone["prizes"][1]["value"] == "gold"
    credit = db.document(f"transactions/reward-{mid}-7").get().to_dict()
    assert credit["source"] == "reward" and credit["points"] == 50 and credit["userId"] == "u1"
    # A won limited challenge counts nothing more, and the credit counts toward nothing.
    assert process_transaction(db, "t3", earn("u1", 500)).status == NOTHING_TO_COUNT
    assert process_transaction(db, f"reward-{mid}-7", credit).counted == []
    assert progress(db, "u1", 1)["totals"]["earnedPoints"] == 130


def people_finished(db, cid: int) -> int:
    from shared.repository.stats_repo import people_finished as read

    return read(db).get(cid, 0)


def test_each_level_counts_from_the_previous_level_and_excess_does_not_carry(db):
    install(db, [challenge(1, simple_level(EARNED, 100), simple_level(EARNED, 100))])
    assert len(process_transaction(db, "t1", earn("u", 150)).milestones) == 1
    doc = progress(db, "u", 1)
    assert (doc["level"], doc["levelsReached"], doc["completed"]) == (1, 1, False)
    assert doc["baseline"]["earnedPoints"] == 150 and doc["isNewLevel"] is True
    assert "achievedAt" not in doc
    assert process_transaction(db, "t2", earn("u", 50)).milestones == []
    assert len(process_transaction(db, "t3", earn("u", 50)).milestones) == 1
    doc = progress(db, "u", 1)
    assert (doc["level"], doc["levelsReached"], doc["completed"]) == (1, 2, True)
    assert sorted(m["level"] for m in milestones(db, "u")) == [0, 1]
    assert people_finished(db, 1) == 1


def test_one_event_completes_at_most_one_level(db):
    install(db, [challenge(1, simple_level(EARNED, 10), simple_level(EARNED, 10))])
    assert len(process_transaction(db, "t1", earn("u", 1000)).milestones) == 1
    assert progress(db, "u", 1)["level"] == 1


def test_a_repeatable_challenge_starts_new_cycles_and_counts_the_person_once(db):
    install(db, [challenge(1, simple_level(EARNED, 100, [badge_reward(1, "b")]), limited=False)])
    for n in range(3):
        outcome = process_transaction(db, f"t{n}", earn("u", 100))
        assert outcome.milestones == [milestone_id("u", 1, n, 0)]
    doc = progress(db, "u", 1)
    assert (doc["cycle"], doc["level"], doc["levelsReached"], doc["completed"]) == (3, 0, 0, False)
    assert doc["baseline"]["earnedPoints"] == 300
    assert len(doc["unclaimed"]) == 3
    assert people_finished(db, 1) == 1


def test_transactions_outside_the_window_count_for_nothing(db):
    install(db, [challenge(1, simple_level(EARNED, 100))])
    before = process_transaction(db, "t1", earn("u", 10, at=START - timedelta(seconds=1)))
    after = process_transaction(db, "t2", earn("u", 10, at=END + timedelta(seconds=1)))
    inside = process_transaction(db, "t3", earn("u", 10, at=END))
    assert (before.status, after.status, inside.status) == (
        NOTHING_TO_COUNT,
        NOTHING_TO_COUNT,
        COUNTED,
    )
    assert progress(db, "u", 1)["totals"]["earnedPoints"] == 10


def test_a_child_counts_only_from_the_moment_its_parent_was_achieved(db):
    install(
        db,
        [challenge(1, simple_level(EARNED, 100)), challenge(2, simple_level(EARNED, 30), parent=1)],
    )
    locked = process_transaction(db, "t1", earn("u", 60, at=NOW - timedelta(hours=2)))
    assert locked.counted == [1]
    process_transaction(db, "t2", earn("u", 60, at=NOW - timedelta(hours=1)))
    assert progress(db, "u", 1)["achievedAt"] == NOW - timedelta(hours=1)
    # Delivered late, but it happened before the parent was achieved.
    late = process_transaction(db, "t3", earn("u", 40, at=NOW - timedelta(hours=3)))
    assert late.counted == []
    unlocked = process_transaction(db, "t4", earn("u", 40, at=NOW))
    assert unlocked.counted == [2] and len(unlocked.milestones) == 1
    assert progress(db, "u", 2)["totals"]["earnedPoints"] == 40


@pytest.mark.parametrize(
    ("sent", "met"),
    [
        ({"earn": 100}, True),  # a
        ({"subscribe": 1}, False),  # b alone: b AND c not met
        ({"subscribe": 1, "redeem": 50}, True),  # b AND c
        ({"redeem": 50}, False),
    ],
)
def test_and_binds_tighter_than_or(db, sent, met):
    # earned >= 100  OR  subscribed >= 1  AND  redeemed >= 50
    lvl = level(
        group(
            trigger(EARNED, 100, 0, Operator.OR),
            trigger(TriggerKind.SUBSCRIBE_VOUCHERS_COUNT, 1, 1, Operator.AND),
            trigger(TriggerKind.REDEEMED_POINTS, 50, 2),
        )
    )
    install(db, [challenge(1, lvl)])
    won = []
    if "earn" in sent:
        won += process_transaction(db, "e", earn("u", sent["earn"])).milestones
    if "subscribe" in sent:
        won += process_transaction(db, "s", tx("u", 2, voucherId="v1")).milestones
    if "redeem" in sent:
        won += process_transaction(db, "r", tx("u", 3, points=sent["redeem"])).milestones
    assert bool(won) is met


def test_groups_combine_with_their_operators(db):
    # group 1 (earned >= 100) OR group 2 (tier >= 3)
    lvl = level(
        group(trigger(EARNED, 100), gid=1, order=0, op=Operator.OR),
        group(trigger(TriggerKind.HIT_TIER, 3), gid=2, order=1),
    )
    install(db, [challenge(1, lvl)])
    assert process_transaction(db, "t1", tx("u", 5, tier=2)).milestones == []
    assert len(process_transaction(db, "t2", tx("u", 5, tier=3)).milestones) == 1


def test_state_kinds_are_not_baselined(db):
    install(
        db,
        [
            challenge(
                1,
                simple_level(TriggerKind.TOTAL_POINTS_BALANCE, 500),
                simple_level(TriggerKind.TOTAL_POINTS_BALANCE, 500),
            )
        ],
    )
    assert len(process_transaction(db, "t1", earn("u", 600, balanceAfter=600)).milestones) == 1
    # The balance still holds: the next balance event reaches level 2.
    assert (
        len(process_transaction(db, "t2", tx("u", 3, points=10, balanceAfter=590)).milestones) == 1
    )
    assert progress(db, "u", 1)["completed"] is True


def test_a_level_with_no_rewards_is_listed_with_no_prizes(db):
    install(db, [challenge(1, simple_level(EARNED, 10))])
    [mid] = process_transaction(db, "t1", earn("u", 10)).milestones
    doc = progress(db, "u", 1)
    assert doc["unclaimed"][str(mid)]["prizes"] == []
    assert milestones(db, "u")[0]["issued"] is True


def test_round_trips_per_event(db):
    install(
        db,
        [
            challenge(1, simple_level(EARNED, 100, [points_reward(1, 5)])),
            challenge(2, simple_level(EARNED, 1000)),
        ],
    )
    quiet = process_transaction(db, "t1", earn("u", 10))
    assert (quiet.reads, quiet.commits, quiet.round_trips) == (1, 1, 2)
    winning = process_transaction(db, "t2", earn("u", 90))
    # + fresh read, milestone batch, points credit, issued batch
    assert (winning.reads, winning.commits) == (2, 4)


# --- DOMAIN.md section 9: the engine's promises -------------------------------------------

from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from google.cloud.firestore_v1.base_query import FieldFilter  # noqa: E402

from shared.catalog.models import VoucherPool  # noqa: E402
from shared.engine.process import DEAD_LETTERED  # noqa: E402
from shared.repository.dead_letters_repo import get_dead_letter  # noqa: E402
from tests.shared.engine.builders import voucher_reward  # noqa: E402


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
    issued = [p["value"] for p in prizes if p["status"] == "issued"]
    assert len(issued) == len(set(issued)) == 100
    assert sum(p["status"] == "outOfStock" for p in prizes) == 50
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


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": 1, "occurredAt": NOW, "points": 5}, "userId"),
        (tx("u", 9, points=5), "type"),
        (earn("u", -5), "points"),
        (earn("u", "5"), "points"),
        ({**earn("u", 5), "occurredAt": "2026-01-01T00:00:00Z"}, "occurredAt"),
        (tx("u", 1), "points"),
        (tx("u", 2), "voucherId"),
        ({**earn("u", 5), "sequence": -1}, "sequence"),
    ],
)
def test_malformed_transactions_are_dead_lettered_with_the_reason(db, data, field):
    install(db, [challenge(1, simple_level(EARNED, 10))])
    for _ in range(2):  # a redelivery changes nothing
        outcome = process_transaction(db, "bad", data)
        assert outcome.status == DEAD_LETTERED and field in (outcome.reason or "")
    letter = get_dead_letter(db, "bad")
    assert letter is not None and field in letter["reason"]
    assert letter["transactionId"] == "bad" and letter["source"] == "engine"
    assert letter["data"] == data
    assert list(db.collection(paths.USERS).stream()) == []
