"""The engine end to end against the Firestore emulator: counting, levels, rewards, locks."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest

from shared.engine import process
from shared.engine.process import COUNTED, process_transaction
from shared.engine.run import Run
from shared.enums import Operator, TriggerKind
from shared.firestore.writes import Batch
from shared.repository import progress_repo
from shared.repository.keys import milestone_id
from shared.schema import paths
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
    milestones,
    people_finished,
    points_reward,
    progress,
    simple_level,
    trigger,
    tx,
)

pytestmark = pytest.mark.emulator

EARNED = TriggerKind.EARNED_POINTS


def test_counts_points_and_completes_a_level_with_its_prizes(db, monkeypatch):
    counted_at = NOW + timedelta(hours=1)
    # The engine's clock, so that the document's `updatedAt` is known.
    monkeypatch.setattr(process, "Run", functools.partial(Run, now=counted_at))
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
    # Stored compactly: the time of counting once on the document, not on each entry.
    assert "updatedAt" not in doc and "levelUpAt" not in doc
    assert db.document(paths.user_doc("u1")).get().get("updatedAt") == counted_at
    mid = str(second.milestones[0])
    assert doc.get("pending", {}) == {}
    assert [p["status"] for p in doc["unclaimed"][mid]["prizes"]] == ["issued", "issued"]
    [milestone] = milestones(db, "u1")
    assert milestone["issued"] is True and milestone["claimed"] is False
    assert milestone["prizes"][1]["value"] == "gold"
    credit = db.document(f"transactions/reward-{mid}-7").get().to_dict()
    assert credit["source"] == "reward" and credit["points"] == 50 and credit["userId"] == "u1"
    # A won limited challenge counts nothing more, and the credit counts toward nothing.
    # (Its points still count for the program-wide Gigya `_default` challenge.)
    assert process_transaction(db, "t3", earn("u1", 500)).counted == []
    assert process_transaction(db, f"reward-{mid}-7", credit).counted == []
    assert progress(db, "u1", 1)["totals"]["earnedPoints"] == 130


def test_the_listing_mirror_follows_the_prizes_and_is_complete_for_new_users_only(db):
    from shared.repository import prizes_repo
    from shared.schema import user as user_schema

    install(db, [challenge(1, simple_level(EARNED, 100, [points_reward(7, 50)]))])
    # A document from before the mirror, with an entry in another challenge.
    db.document(paths.user_doc("old")).set({"userId": "old", "challenges": {"9": {}}})
    for user in ("new", "old"):
        [mid] = process_transaction(db, f"{user}-t1", earn(user, 150)).milestones
        stored = db.document(paths.user_doc(user)).get().to_dict()
        assert stored[user_schema.LISTING] == {"1": {user_schema.UNCLAIMED: {str(mid): True}}}
        prizes_repo.claim_milestone(db, user, mid, NOW)
        stored = db.document(paths.user_doc(user)).get().to_dict()
        assert stored[user_schema.LISTING] == {
            "1": {user_schema.UNCLAIMED: {}, user_schema.CLAIMED_COUNT: 1}
        }
        # Only the document the engine created is known to be mirrored whole.
        assert (user_schema.LISTING_VERSION in stored) is (user == "new")


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
    assert (before.counted, after.counted, inside.counted) == ([], [], [1])
    assert inside.status == COUNTED
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


def test_one_fresh_read_serves_every_challenge_the_event_may_complete(db):
    # Earned points AND a subscribed voucher: the voucher count the counting commit does not
    # return may be stale, so each of these challenges needs a fresh read before settling.
    def mixed(cid: int):
        both = group(trigger(EARNED, 100), trigger(TriggerKind.SUBSCRIBE_VOUCHERS_COUNT, 1, 1))
        return challenge(cid, level(both))

    install(db, [mixed(cid) for cid in range(1, 9)])
    outcome = process_transaction(db, "t1", earn("u", 100))
    assert outcome.counted == list(range(1, 9)) and outcome.milestones == []
    assert (outcome.reads, outcome.commits) == (2, 1)


def test_each_challenge_settles_on_its_own_returned_total(db):
    # Ids whose string order (10, 100, 2) differs from their numeric order: the commit returns
    # the totals in field-path order, and each must reach its own challenge.
    install(db, [challenge(cid, simple_level(EARNED, 100)) for cid in (2, 10, 100)])
    batch = Batch(db)
    seeded = {2: 95, 10: 0, 100: 50}
    progress_repo.add_merge(
        db, batch, "u", {cid: {"totals": {"earnedPoints": t}} for cid, t in seeded.items()}
    )
    batch.commit()
    outcome = process_transaction(db, "t1", earn("u", 10))
    # Only challenge 2 reached 100; a crossed mapping would have re-read another one instead.
    assert outcome.milestones == [milestone_id("u", 2, 0, 0)]
    assert outcome.reads == 2
    assert {cid: progress(db, "u", cid)["totals"]["earnedPoints"] for cid in seeded} == {
        2: 105,
        10: 10,
        100: 60,
    }
