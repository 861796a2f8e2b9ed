"""The audit's pure checks: bundles built in memory, no Firestore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.audit import stored as s
from shared.audit.checks import LOCK_RACE, classify, explain
from shared.audit.findings import NOTE, Finding
from shared.audit.globals import (
    check_claims,
    check_people_finished,
    check_rank_table,
    histogram,
)
from shared.audit.milestones import level_need
from shared.audit.model import AuditContext, UserBundle
from shared.audit.replay import Expected, add_counted, view_of
from shared.audit.user import check_user, lookups_for
from shared.catalog.models import Action, Catalog, Category
from shared.engine.prizes import ISSUED
from shared.enums import Operator, TriggerKind
from shared.gigya import caps
from shared.gigya.ranks import RankTable
from shared.progress.state import ProgressState
from shared.repository import paths
from shared.repository.catalog_cache import CatalogView
from shared.repository.keys import milestone_id, prize_key
from shared.schema import gigya as g
from tests.shared.engine.builders import challenge, earn, group, level, simple_level, trigger, tx

K = TriggerKind
NOW = datetime.now(UTC).replace(microsecond=0)
START, END = NOW - timedelta(days=30), NOW + timedelta(days=30)
USER = "+201000000001"


def _catalog(*challenges: Any, **extra: Any) -> AuditContext:
    catalog = Catalog(
        categories=[Category(id=1, name={"en": "c"})], challenges=list(challenges), **extra
    )
    return AuditContext(CatalogView.build(catalog), NOW)


def _points(cid: int, frequency: float = 1000, **extra: Any) -> Any:
    return challenge(cid, simple_level(K.EARNED_POINTS, frequency), start=START, end=END, **extra)


def _consistent(ctx: AuditContext, txs: dict[str, dict[str, Any]]) -> UserBundle:
    """A user whose every transaction was counted for every challenge it may count for."""
    bundle = UserBundle(USER, transactions=dict(txs))
    expected = Expected()
    for tid, data in txs.items():
        view = view_of(ctx.view, tid, data)
        if view.tx is None or view.tx.is_reward or not view.action_known:
            continue
        listed = list(view.candidates.values())
        marker = {
            s.MARKER_TRANSACTION_ID: tid,
            s.MARKER_CHALLENGES: [c.challenge.id for c in listed],
            s.MARKER_COUNTED_AT: NOW,
        }
        bundle.events[tid] = marker
        if view.tx.sequence is not None:
            bundle.sequences[str(view.tx.sequence)] = marker
        add_counted(expected, USER, view, listed, NOW, ctx.timezone, ctx.default_keys)
    bundle.doc = expected.doc
    bundle.entries = {
        board: {**entry, g.ENTRY_UID: USER, g.ENTRY_DIRTY: True}
        for board, entry in expected.boards.items()
    }
    return bundle


def _differences(ctx: AuditContext, bundle: UserBundle) -> list[Finding]:
    return check_user(ctx, bundle).findings.differences


def test_a_consistent_user_has_no_difference() -> None:
    ctx = _catalog(
        _points(1), _points(2, actions=["share"]), actions=[Action(actionId="share", points=5)]
    )
    txs = {
        "t1": earn(USER, 60, at=NOW - timedelta(hours=1), sequence=1, balanceAfter=60),
        "t2": earn(USER, 40, at=NOW - timedelta(days=20), sequence=2),
        "t3": tx(USER, 6, at=NOW, actionId="share", attributes={"branch": "x"}),
    }
    report = check_user(ctx, _consistent(ctx, txs))
    assert report.findings.differences == []
    assert report.findings.tally["transactions.counted"] == 3


def test_an_increment_added_twice_is_reported_with_user_and_challenge() -> None:
    ctx = _catalog(_points(1))
    bundle = _consistent(ctx, {"t1": earn(USER, 60, at=NOW)})
    assert bundle.doc is not None
    bundle.doc["challenges"]["1"]["totals"]["earnedPoints"] += 60
    [found] = _differences(ctx, bundle)
    assert (found.check, found.user, found.challenge) == ("totals", USER, "1")
    assert "is 120 but the 1 transactions counted in it add up to 60 (+60)" in found.message


def test_a_transaction_without_marker_is_not_counted_unless_dead_lettered() -> None:
    ctx = _catalog(_points(1))
    bundle = _consistent(ctx, {"t1": earn(USER, 60, at=NOW)})
    bundle.events.clear()
    found = _differences(ctx, bundle)
    assert any(f.check == "counted" and "t1 was not counted" in f.message for f in found)
    assert lookups_for(ctx, bundle).dead_letters == ("t1",)
    bundle.dead_letters["t1"] = [{"reason": "not delivered"}]
    report = check_user(ctx, bundle)
    assert report.findings.tally["transactions.deadLettered"] == 1
    # Its points are still in the totals: now more than what was counted.
    assert {f.check for f in report.findings.differences} == {"totals", "points", "leaderboard"}


def test_what_counts_for_nothing_needs_no_marker() -> None:
    ctx = _catalog(
        _points(1),
        challenge(2, simple_level(K.HIT_TIER, 3), start=START, end=END),
        actions=[Action(actionId="off", points=5, enabled=False)],
    )
    txs = {
        "reward": earn(USER, 10, at=NOW, source="reward"),
        "disabled": tx(USER, 6, at=NOW, actionId="off"),
        "outside": tx(USER, 5, at=START - timedelta(days=1), tier=4),
        "malformed": tx(USER, 1, at=NOW),
    }
    bundle = UserBundle(USER, transactions=txs, dead_letters={"malformed": [{"reason": "x"}]})
    report = check_user(ctx, bundle)
    # A reward credit is fine as a transaction, but this one is the credit of no prize.
    [orphan] = report.findings.differences
    assert "reward credit reward is the credit of no issued points prize" in orphan.message
    tally = report.findings.tally
    assert (tally["transactions.rewardCredits"], tally["transactions.countForNothing"]) == (1, 2)
    assert tally["transactions.malformedDeadLettered"] == 1


def test_the_same_ledger_entry_under_another_id_counts_once() -> None:
    ctx = _catalog(_points(1))
    first = earn(USER, 60, at=NOW, sequence=7)
    bundle = _consistent(ctx, {"t1": first})
    bundle.transactions["t2"] = dict(first)
    report = check_user(ctx, bundle)
    assert report.findings.differences == []
    assert report.findings.tally["transactions.sameLedgerEntry"] == 1


def test_a_locked_child_may_skip_and_a_lock_race_is_a_note() -> None:
    parent = _points(1, frequency=50)
    child = challenge(2, simple_level(K.EARNED_POINTS, 1000), parent=1, start=START, end=END)
    ctx = _catalog(parent, child)
    achieved = NOW - timedelta(hours=1)
    states = {1: ProgressState(achieved_at=achieved, completed=True)}
    before = view_of(ctx.view, "t", earn(USER, 5, at=achieved - timedelta(minutes=1))).tx
    after = view_of(ctx.view, "t", earn(USER, 5, at=achieved + timedelta(minutes=1))).tx
    assert before is not None and after is not None
    assert explain(child, before, states) == "locked"
    assert explain(child, after, states) == LOCK_RACE
    assert explain(parent, after, states) == "won"


def test_a_lock_race_without_points_is_a_note_not_a_difference() -> None:
    parent = challenge(1, simple_level(K.HIT_TIER, 2), start=START, end=END)
    child = challenge(2, simple_level(K.HIT_TIER, 5), parent=1, start=START, end=END)
    ctx = _catalog(parent, child)
    bundle = UserBundle(USER, transactions={"t1": tx(USER, 5, at=NOW, tier=3)})
    won = {"achievedAt": NOW - timedelta(hours=1), "completed": True}
    bundle.doc = {"userId": USER, "challenges": {"1": won}}
    out = classify(ctx, bundle)
    [note] = out.findings.items
    assert (note.severity, note.challenge) == (NOTE, "2")
    assert "raced the parent's completion" in note.message
    assert out.uncounted == []


def test_hour_buckets_beyond_the_horizon_may_be_pruned_but_never_exceed() -> None:
    ctx = _catalog(_points(1))
    old = NOW - timedelta(days=12)
    bundle = _consistent(ctx, {"t1": earn(USER, 60, at=NOW), "t2": earn(USER, 30, at=old)})
    assert bundle.doc is not None
    default = bundle.doc[g.GIGYA][g.DEFAULT]
    # Counted 12 days ago, the old hour was kept then; pruned since: fine.
    assert len(default[g.HOURS]) == 1
    default[g.HOURS]["h1"] = 5
    [found] = _differences(ctx, bundle)
    assert found.check == "points" and "h1 is 5" in found.message


def test_the_latest_state_is_the_latest_by_ledger_order() -> None:
    ctx = _catalog(challenge(1, simple_level(K.TOTAL_POINTS_BALANCE, 9999), start=START, end=END))
    txs = {
        "late": earn(USER, 1, at=NOW, sequence=2, balanceAfter=200),
        "early": earn(USER, 1, at=NOW, sequence=1, balanceAfter=100),
    }
    bundle = _consistent(ctx, txs)
    assert bundle.doc is not None
    balance = bundle.doc["challenges"]["1"]["balance"]
    del balance[max(balance)]
    [found] = _differences(ctx, bundle)
    assert found.check == "states" and "200" in found.message


def _won(ctx: AuditContext, codes: list[str]) -> UserBundle:
    """A user who won challenge 1's level twice (repeatable), each time with a voucher."""
    bundle = _consistent(ctx, {"t1": earn(USER, 100, at=NOW), "t2": earn(USER, 100, at=NOW)})
    assert bundle.doc is not None
    entry = bundle.doc["challenges"]["1"]
    entry.update(cycle=2, level=0, levelsReached=0, baseline={"earnedPoints": 200})
    entry["achievedAt"] = NOW
    entry["unclaimed"] = {}
    for cycle, code in enumerate(codes):
        mid = milestone_id(USER, 1, cycle, 0)
        key = prize_key(mid, 9)
        prize = {"rewardId": 9, "rewardType": 2, "value": code, "status": ISSUED}
        bundle.milestones[str(mid)] = {
            "milestoneId": mid,
            "userId": USER,
            "challengeId": 1,
            "cycle": cycle,
            "level": 0,
            "occurredAt": NOW,
            "prizes": [prize],
            "issued": True,
            "claimed": False,
        }
        entry["unclaimed"][str(mid)] = {"milestoneId": mid, "prizes": [prize]}
        bundle.pool_docs[s.pool_doc("pool", s.ASSIGNMENTS, key)] = {"code": code, "userId": USER}
        bundle.pool_docs[s.pool_doc("pool", s.CLAIMS, code)] = {"prizeKey": key, "userId": USER}
        bundle.pool_docs[s.pool_doc("pool", s.CODES, code)] = {"taken": True, "takenBy": USER}
    return bundle


def _voucher_catalog() -> AuditContext:
    from tests.shared.engine.builders import voucher_reward

    lvl = simple_level(K.EARNED_POINTS, 100, [voucher_reward(9, "pool")])
    return _catalog(challenge(1, lvl, limited=False, start=START, end=END))


def test_milestones_one_per_level_reached_with_their_codes() -> None:
    ctx = _voucher_catalog()
    bundle = _won(ctx, ["A", "B"])
    report = check_user(ctx, bundle)
    assert report.findings.differences == []
    assert report.finished == {1}
    assert report.findings.tally["prizes.vouchers"] == 2


def test_a_complete_listing_mirror_that_differs_from_its_entry_is_reported() -> None:
    from shared.schema import user as user_schema

    ctx = _voucher_catalog()
    bundle = _won(ctx, ["A", "B"])
    assert bundle.doc is not None
    entries = user_schema.entries(bundle.doc)
    bundle.doc.update(user_schema.listing_document(entries))
    report = check_user(ctx, bundle)
    assert report.findings.differences == []
    assert report.findings.tally["listingMirrors"] == 1
    # A claim that reached the entry but not the mirror: the list would show a prize claimed.
    first = str(milestone_id(USER, 1, 0, 0))
    del bundle.doc[user_schema.LISTING]["1"][user_schema.UNCLAIMED][first]
    [found] = [f for f in _differences(ctx, bundle) if f.check == "listingMirror"]
    assert (found.user, found.challenge) == (USER, "1")
    # Older than the mirror (no listingVersion): nothing to compare, the list reads entries.
    del bundle.doc[user_schema.LISTING_VERSION]
    assert [f for f in _differences(ctx, bundle) if f.check == "listingMirror"] == []


def test_a_voucher_code_given_twice_is_reported() -> None:
    ctx = _voucher_catalog()
    bundle = _won(ctx, ["A", "B"])
    second = str(milestone_id(USER, 1, 1, 0))
    bundle.milestones[second]["prizes"][0]["value"] = "A"
    bundle.doc["challenges"]["1"]["unclaimed"][second]["prizes"][0]["value"] = "A"  # type: ignore[index]
    found = _differences(ctx, bundle)
    assert {f.check for f in found} == {"vouchers"}
    assert any("given to prizes" in f.message for f in found)
    assert all(f.user == USER and f.challenge == "1" for f in found)


def test_a_missing_and_an_extra_milestone_are_reported() -> None:
    ctx = _voucher_catalog()
    bundle = _won(ctx, ["A", "B"])
    del bundle.milestones[str(milestone_id(USER, 1, 1, 0))]
    bundle.milestones["7"] = {**bundle.milestones[str(milestone_id(USER, 1, 0, 0))], "cycle": 5}
    messages = [f.message for f in _differences(ctx, bundle)]
    assert any("no milestone for cycle 1 level 0" in m for m in messages)
    assert any("of cycle 5 level 0 is beyond the entry" in m for m in messages)


def test_a_met_level_not_completed_is_reported() -> None:
    ctx = _catalog(challenge(1, simple_level(K.EARNED_POINTS, 100), start=START, end=END))
    bundle = _consistent(ctx, {"t1": earn(USER, 150, at=NOW)})
    [found] = _differences(ctx, bundle)
    assert found.check == "milestones" and "met by its counters but not completed" in found.message


def test_the_least_a_level_needs_of_each_counter() -> None:
    either = level(
        group(
            trigger(K.EARNED_POINTS, 200), trigger(K.SUBSCRIBE_VOUCHERS_COUNT, 2), op=Operator.OR
        ),
        group(trigger(K.HIT_TIER, 3), gid=2, order=1),
    )
    both = level(group(trigger(K.EARNED_POINTS, 200), trigger(K.SUBSCRIBE_VOUCHERS_COUNT, 2)))
    assert level_need(either, (K.EARNED_POINTS, None)) == 0
    assert level_need(both, (K.EARNED_POINTS, None)) == 200
    assert level_need(both, (K.REDEEMED_POINTS, None)) == 0


def test_notifications_beyond_a_cap_are_reported() -> None:
    action = Action(actionId="checkin", points=10, dailyCap=2)
    ctx = _catalog(_points(1), actions=[action])
    txs = {f"gm-{n}": tx(USER, 6, at=NOW, actionId="checkin") for n in range(3)}
    bundle = _consistent(ctx, txs)
    state = caps.ActionCapState()
    user_doc = paths.user_doc(USER)
    for n, tid in enumerate(txs, start=1):
        moment = NOW + timedelta(seconds=n)
        state = caps.after_one_more(state, moment, ctx.timezone)
        log_id = g.action_log_doc(user_doc, "checkin", n).rsplit("/", 1)[1]
        bundle.action_log[log_id] = {"transactionId": tid, "at": moment}
    assert bundle.doc is not None
    bundle.doc[g.GIGYA][g.ACTIONS] = {
        "checkin": {
            g.ACTION_COUNT: state.count,
            g.ACTION_LAST_AT: state.last_at,
            g.ACTION_DAY: state.day,
            g.ACTION_DAY_COUNT: state.day_count,
        }
    }
    [found] = _differences(ctx, bundle)
    assert found.check == "caps" and "notification 3" in found.message


def test_a_rank_table_must_equal_the_entries_histogram() -> None:
    entries = histogram([100, 50, 50, None, 0])
    assert entries == {100.0: 1, 50.0: 2}
    assert check_rank_table("3~branch:x", entries, {}, RankTable(entries, {})).items == []
    [found] = check_rank_table("3~branch:x", entries, {}, RankTable({100.0: 1}, {})).items
    assert (found.check, found.challenge) == ("ranks", "3")
    assert "50: 0 not 2" in found.message


def test_people_finished_must_equal_the_users_who_finished() -> None:
    assert check_people_finished({1: 2}, {1: 2}).items == []
    [found] = check_people_finished({1: 2}, {1: 3, 2: 0}).items
    assert found.challenge == "1"


def test_a_claimed_code_must_be_the_one_its_prize_shows() -> None:
    key = prize_key(5, 9)
    claim = {"prizeKey": key, "userId": USER}
    docs: dict[str, Any] = {
        s.pool_doc("pool", s.ASSIGNMENTS, key): {"code": "A"},
        s.pool_doc("pool", s.CODES, "A"): {"taken": True},
        paths.milestone_doc(USER, 5): {"prizes": [{"rewardId": 9, "value": "B", "status": ISSUED}]},
    }
    [found] = check_claims("pool", [("A", claim)], docs).items
    assert "does not show it" in found.message


def test_a_child_counted_long_after_its_parent_completed_is_a_difference() -> None:
    parent = _points(1, frequency=50)
    child = challenge(2, simple_level(K.EARNED_POINTS, 1000), parent=1, start=START, end=END)
    ctx = _catalog(parent, child)
    completed = NOW - timedelta(hours=2)
    for late, severity in ((timedelta(seconds=5), NOTE), (timedelta(minutes=5), "difference")):
        bundle = UserBundle(USER, transactions={"t1": earn(USER, 5, at=NOW)})
        won = {"achievedAt": completed, "completed": True, "levelsReached": 1}
        bundle.doc = {"userId": USER, "challenges": {"1": won}}
        mid = milestone_id(USER, 1, 0, 0)
        bundle.milestones[str(mid)] = {"createdAt": completed}
        # Counted for nothing but `_default` (the parent won, the child skipped).
        bundle.events["t1"] = {
            s.MARKER_TRANSACTION_ID: "t1",
            s.MARKER_CHALLENGES: [],
            s.MARKER_COUNTED_AT: completed + late,
        }
        found = [f for f in classify(ctx, bundle).findings.items if f.challenge == "2"]
        assert [f.severity for f in found] == [severity], found


def test_the_transaction_completing_the_parent_is_a_note_of_its_own() -> None:
    parent = _points(1, frequency=50)
    child = challenge(2, simple_level(K.EARNED_POINTS, 1000), parent=1, start=START, end=END)
    ctx = _catalog(parent, child)
    bundle = UserBundle(USER, transactions={"t1": earn(USER, 60, at=NOW)})
    won = {"achievedAt": NOW, "completed": True, "levelsReached": 1}
    bundle.doc = {"userId": USER, "challenges": {"1": won}}
    bundle.events["t1"] = {
        s.MARKER_TRANSACTION_ID: "t1",
        s.MARKER_CHALLENGES: [1],
        s.MARKER_COUNTED_AT: NOW,
    }
    [note] = [f for f in classify(ctx, bundle).findings.items if f.challenge == "2"]
    assert note.severity == NOTE and "completed the parent 1" in note.message
