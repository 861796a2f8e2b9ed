"""Completing a level: the pure decisions and the merge a completion writes."""

from __future__ import annotations

from shared.engine.settling import could_complete, level_up_fields, milestone_doc
from shared.engine.transaction import parse_transaction
from shared.enums import Operator, TriggerKind
from shared.progress.state import parse_progress
from shared.repository.keys import milestone_id
from tests.shared.engine.builders import (
    NOW,
    badge_reward,
    challenge,
    earn,
    group,
    level,
    simple_level,
    trigger,
)

K = TriggerKind
AND_LEVEL = level(group(trigger(K.EARNED_POINTS, 100), trigger(K.SUBSCRIBE_VOUCHERS_COUNT, 2)))


def test_a_level_could_complete_when_only_other_kinds_stand_in_the_way():
    met_own = parse_progress({"totals": {"earnedPoints": 100}})
    assert could_complete(AND_LEVEL, met_own, {(K.EARNED_POINTS, None)})
    short_own = parse_progress({"totals": {"earnedPoints": 99}})
    assert not could_complete(AND_LEVEL, short_own, {(K.EARNED_POINTS, None)})
    # No other kind in the level: the commit's own value is exact, no reread needed.
    assert not could_complete(
        simple_level(K.EARNED_POINTS, 10), short_own, {(K.EARNED_POINTS, None)}
    )


def test_an_event_that_fed_none_of_the_level_s_counters_needs_no_fresh_read():
    # The level counts vouchers and points; an event of a kind the level does not measure
    # cannot be the one that completes it, whatever stale values stand in the way.
    nothing_met = parse_progress({})
    assert not could_complete(AND_LEVEL, nothing_met, {(K.REDEEMED_POINTS, None)})
    assert not could_complete(AND_LEVEL, nothing_met, set())
    # Feeding one of them is enough for the other to be read fresh.
    points_met = parse_progress({"totals": {"earnedPoints": 100}})
    assert could_complete(
        AND_LEVEL, points_met, {(K.EARNED_POINTS, None), (K.REDEEMED_POINTS, None)}
    )


def test_could_complete_respects_the_baseline_and_or():
    either = level(group(trigger(K.EARNED_POINTS, 100, 0, Operator.OR), trigger(K.HIT_TIER, 3, 1)))
    state = parse_progress({"totals": {"earnedPoints": 5}})
    assert could_complete(either, state, {(K.EARNED_POINTS, None)})


def _completion(ch, doc):
    tx = parse_transaction(earn("u", 10))
    state = parse_progress(doc)
    milestone = milestone_doc(ch, state, tx, NOW)
    return milestone, *level_up_fields(ch, state, tx, milestone)


def test_completing_a_middle_level_moves_to_the_next_from_the_current_totals():
    ch = challenge(
        1,
        simple_level(K.EARNED_POINTS, 10, [badge_reward(1, "b")]),
        simple_level(K.EARNED_POINTS, 10),
    )
    milestone, fields, first = _completion(ch, {"totals": {"earnedPoints": 15}})
    assert milestone.milestone_id == milestone_id("u", 1, 0, 0)
    assert (milestone.cycle, milestone.level, milestone.issued) == (0, 0, False)
    assert milestone.prizes[0].status == "pending"
    assert (fields["level"], fields["levelsReached"], fields["completed"]) == (1, 1, False)
    assert fields["baseline"] == {"earnedPoints": 15}
    assert str(milestone.milestone_id) in fields["pending"] and "unclaimed" not in fields
    assert not first and "achievedAt" not in fields


def test_the_first_completion_of_the_last_level_is_the_achievement():
    ch = challenge(1, simple_level(K.EARNED_POINTS, 10))
    milestone, fields, first = _completion(ch, {"totals": {"earnedPoints": 10}})
    assert first and fields["achievedAt"] == NOW and fields["completed"] is True
    # No prizes: listed at once, nothing pending.
    assert fields["unclaimed"][str(milestone.milestone_id)]["prizes"] == []
    assert "pending" not in fields and milestone.issued is True


def test_a_later_cycle_is_not_a_first_completion():
    ch = challenge(1, simple_level(K.EARNED_POINTS, 10), limited=False)
    milestone, fields, first = _completion(
        ch, {"cycle": 2, "totals": {"earnedPoints": 40}, "baseline": {"earnedPoints": 30}}
    )
    assert not first and (fields["cycle"], fields["level"]) == (3, 0)
    assert milestone.milestone_id == milestone_id("u", 1, 2, 0)
