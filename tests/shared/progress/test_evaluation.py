"""Level evaluation, current level and the position after a completion."""

from __future__ import annotations

from shared.enums import Operator, TriggerKind
from shared.progress.evaluation import (
    challenge_progress,
    evaluate_current,
    evaluate_level,
    next_position,
)
from shared.progress.state import ProgressState

from .factories import challenge, group, level, trigger

EARN = TriggerKind.EARNED_POINTS
SUB = TriggerKind.SUBSCRIBE_VOUCHERS_COUNT
TIER = TriggerKind.HIT_TIER
BALANCE = TriggerKind.TOTAL_POINTS_BALANCE


def test_worked_example_through_a_level():
    lvl = level(group(trigger(EARN, 1000)))
    result = evaluate_level(lvl, ProgressState(totals={EARN: 200}))
    tp = result.groups[0].triggers[0]
    assert (tp.achieved, tp.action_left, tp.progress, tp.satisfied) == (200, 800, 20.0, False)
    assert not result.satisfied
    assert evaluate_level(lvl, ProgressState(totals={EARN: 1000})).satisfied


def test_baseline_is_subtracted_for_cumulative_kinds_only():
    lvl = level(group(trigger(EARN, 100), trigger(TIER, 2, order=2)))
    state = ProgressState(totals={EARN: 250}, baseline={EARN: 200}, states={TIER: 3})
    result = evaluate_level(lvl, state)
    earn, tier = result.groups[0].triggers
    assert earn.achieved == 50 and not earn.satisfied
    assert tier.achieved == 3 and tier.satisfied
    assert not result.satisfied


def test_triggers_sorted_by_order_and_groups_by_group_order():
    lvl = level(
        group(trigger(SUB, 1, order=2), trigger(EARN, 1, order=1), group_id=7, order=2),
        group(trigger(TIER, 1), group_id=3, order=1),
    )
    result = evaluate_level(lvl, ProgressState())
    assert [g.group.groupId for g in result.groups] == [3, 7]
    assert [t.trigger.triggerId for t in result.groups[1].triggers] == [EARN, SUB]


def test_mixed_operators_inside_a_group():
    # earn>=100 OR subscribe>=2 AND tier>=3
    lvl = level(
        group(
            trigger(EARN, 100, order=1, op=Operator.OR),
            trigger(SUB, 2, order=2, op=Operator.AND),
            trigger(TIER, 3, order=3),
        )
    )
    assert evaluate_level(lvl, ProgressState(totals={EARN: 100})).satisfied
    assert not evaluate_level(lvl, ProgressState(totals={SUB: 2})).satisfied
    assert evaluate_level(lvl, ProgressState(totals={SUB: 2}, states={TIER: 3})).satisfied


def test_groups_combine_with_their_operators():
    either = level(
        group(trigger(EARN, 100), group_id=1, order=1, op=Operator.OR),
        group(trigger(SUB, 1), group_id=2, order=2),
    )
    both = level(
        group(trigger(EARN, 100), group_id=1, order=1, op=Operator.AND),
        group(trigger(SUB, 1), group_id=2, order=2),
    )
    only_sub = ProgressState(totals={SUB: 1})
    assert evaluate_level(either, only_sub).satisfied
    assert not evaluate_level(both, only_sub).satisfied
    assert evaluate_level(both, ProgressState(totals={SUB: 1, EARN: 100})).satisfied


def test_current_level_follows_the_state():
    ch = challenge(level(group(trigger(EARN, 100))), level(group(trigger(EARN, 500))))
    first = evaluate_current(ch, ProgressState(totals={EARN: 100}))
    second = evaluate_current(ch, ProgressState(totals={EARN: 100}, baseline={EARN: 100}, level=1))
    assert first.level_index == 0 and first.satisfied
    assert second.level_index == 1 and not second.satisfied
    assert second.groups[0].triggers[0].action_left == 500


def test_won_limited_challenge_shows_its_last_level_done():
    ch = challenge(level(group(trigger(EARN, 100))))
    done = evaluate_current(
        ch, ProgressState(totals={EARN: 100}, baseline={EARN: 100}, completed=True)
    )
    assert done.satisfied
    assert done.groups[0].triggers[0].progress == 100.0
    assert done.groups[0].triggers[0].action_left == 0


def test_next_position_moves_through_levels_then_completes_a_limited_challenge():
    ch = challenge(level(group(trigger(EARN, 1))), level(group(trigger(EARN, 1))))
    first = next_position(ch, ProgressState())
    assert (first.cycle, first.level, first.levels_reached, first.completed) == (0, 1, 1, False)
    assert not first.finished_cycle
    last = next_position(ch, ProgressState(level=1, levels_reached=1))
    assert (last.cycle, last.level, last.levels_reached, last.completed) == (0, 1, 2, True)
    assert last.finished_cycle


def test_next_position_starts_a_new_cycle_for_a_repeatable_challenge():
    ch = challenge(level(group(trigger(EARN, 1))), level(group(trigger(EARN, 1))), limited=False)
    after = next_position(ch, ProgressState(cycle=2, level=1, levels_reached=1))
    assert (after.cycle, after.level, after.levels_reached, after.completed) == (3, 0, 0, False)
    assert after.finished_cycle


def test_challenge_progress_is_the_mean_of_its_triggers():
    ch = challenge(level(group(trigger(EARN, 100), trigger(SUB, 4, order=2))))
    assert challenge_progress(ch, ProgressState(totals={EARN: 50, SUB: 1})) == 37.5
