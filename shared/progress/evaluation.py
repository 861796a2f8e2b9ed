"""Evaluating a challenge's current level against a user's progress state."""

from __future__ import annotations

from dataclasses import dataclass

from shared.catalog.models import Challenge, Group, Level, Trigger
from shared.progress.amounts import action_left, is_reached, progress_percent
from shared.progress.operators import combine
from shared.progress.state import ProgressState


@dataclass(frozen=True)
class TriggerProgress:
    """One trigger's standing: achieved amount, what is left, percentage, met or not."""

    trigger: Trigger
    achieved: float
    action_left: float
    progress: float
    satisfied: bool


@dataclass(frozen=True)
class GroupProgress:
    """A group's triggers in order and whether their operators are satisfied."""

    group: Group
    triggers: list[TriggerProgress]
    satisfied: bool


@dataclass(frozen=True)
class LevelProgress:
    """A level's groups in order and whether the level is complete."""

    level_index: int
    groups: list[GroupProgress]
    satisfied: bool


def evaluate_trigger(trigger: Trigger, state: ProgressState) -> TriggerProgress:
    """Evaluate one trigger against the state."""
    achieved = state.achieved(trigger.triggerId, trigger.actionId)
    return TriggerProgress(
        trigger=trigger,
        achieved=achieved,
        action_left=action_left(trigger.triggerFrequency, achieved),
        progress=progress_percent(trigger.triggerFrequency, achieved),
        satisfied=is_reached(trigger.triggerFrequency, achieved),
    )


def evaluate_level(level: Level, state: ProgressState, level_index: int = 0) -> LevelProgress:
    """Evaluate every group of `level`; groups combine with their operators like triggers."""
    groups: list[GroupProgress] = []
    for group in level.ordered_groups:
        triggers = [evaluate_trigger(t, state) for t in group.ordered_triggers]
        satisfied = combine([(tp.satisfied, tp.trigger.operator) for tp in triggers])
        groups.append(GroupProgress(group=group, triggers=triggers, satisfied=satisfied))
    satisfied = combine([(gp.satisfied, gp.group.operator) for gp in groups])
    return LevelProgress(level_index=level_index, groups=groups, satisfied=satisfied)


def level_met(level: Level, state: ProgressState) -> bool:
    """`evaluate_level(level, state).satisfied`, without building the detail (the event path)."""
    return combine(
        [
            (
                combine(
                    [
                        (
                            is_reached(t.triggerFrequency, state.achieved(t.triggerId, t.actionId)),
                            t.operator,
                        )
                        for t in group.ordered_triggers
                    ]
                ),
                group.operator,
            )
            for group in level.ordered_groups
        ]
    )


def current_level(challenge: Challenge, state: ProgressState) -> Level:
    """The level the user is working on (the last one once a limited challenge is won)."""
    return challenge.levels[min(state.level, len(challenge.levels) - 1)]


def evaluate_current(challenge: Challenge, state: ProgressState) -> LevelProgress:
    """Evaluate the level the user is working on."""
    index = min(state.level, len(challenge.levels) - 1)
    if state.completed:
        # A won limited challenge shows its last level as done whatever the counters say.
        level = challenge.levels[index]
        return _completed_view(level, index)
    return evaluate_level(challenge.levels[index], state, index)


def _completed_view(level: Level, index: int) -> LevelProgress:
    groups = [
        GroupProgress(
            group=g,
            triggers=[
                TriggerProgress(t, t.triggerFrequency, 0.0, 100.0, True) for t in g.ordered_triggers
            ],
            satisfied=True,
        )
        for g in level.ordered_groups
    ]
    return LevelProgress(level_index=index, groups=groups, satisfied=True)


@dataclass(frozen=True)
class Position:
    """Where a user stands after a level completes."""

    cycle: int
    level: int
    levels_reached: int
    completed: bool
    # True when this completion finished the last level of a cycle.
    finished_cycle: bool


def next_position(challenge: Challenge, state: ProgressState) -> Position:
    """The position after the current level completes (a new cycle for repeatable challenges)."""
    last = len(challenge.levels) - 1
    if state.level < last:
        return Position(state.cycle, state.level + 1, state.levels_reached + 1, False, False)
    if challenge.limited:
        return Position(state.cycle, state.level, state.levels_reached + 1, True, True)
    return Position(state.cycle + 1, 0, 0, False, True)


def challenge_progress(challenge: Challenge, state: ProgressState) -> float:
    """One figure for sorting by progress: the mean of the current level's trigger progress."""
    level = evaluate_current(challenge, state)
    values = [t.progress for g in level.groups for t in g.triggers]
    return round(sum(values) / len(values), 2) if values else 0.0
