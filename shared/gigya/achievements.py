"""A user's standing in one challenge as Gigya shows it: levels, points, next level. Pure.

Catalog challenges take their level from the engine's progress (levels reached in the current
cycle); their points are the challenge's EarnedPoints total (ledger earnings it counts and the
points of the actions it lists). The program-wide `_default` challenge's levels are thresholds
on all the points the user earned. A variant (the actions carrying one attribute value) takes
its level from its own counters, level after level (docs/GIGYA.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.catalog.models import Catalog, Challenge, DefaultChallenge, Level, localize
from shared.enums import TriggerKind
from shared.gigya import periods
from shared.progress.evaluation import evaluate_level
from shared.schema.gigya import DEFAULT_CHALLENGE, GigyaPoints, VariantState
from shared.schema.user import ProgressState

ALL_LANGUAGES = "all"
DEFAULT_TITLE = {"en": "Default challenge"}
DEFAULT_DESCRIPTION = {"en": "Every point earned in the program"}
POINTS_ACHIEVEMENT = "points"

Texts = Mapping[str, str] | None
ImageUrl = Callable[[str | None], str | None]


def number(value: float) -> int | float:
    """A whole number as an int, as Gigya prints points."""
    return int(value) if float(value).is_integer() else round(float(value), 6)


@dataclass(frozen=True)
class Language:
    """The `lang` of a request: a language with the catalog's fallback, or `all`."""

    requested: str | None
    default: str

    def text(self, texts: Texts) -> Any:
        """A localized text, or every translation (with `default`) for `lang=all`."""
        if not texts:
            return None
        if self.requested == ALL_LANGUAGES:
            expanded: dict[str, str] = {
                "default": texts.get(self.default) or next(iter(texts.values()))
            }
            expanded.update(texts)
            return expanded
        return localize(texts, self.requested or self.default, self.default)


@dataclass(frozen=True)
class Requirement:
    """What the next level still asks: points, and counts of actions or other triggers."""

    points_left: float | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class LevelText:
    """The describable part of a level: texts, badges, action URL."""

    title: Texts
    description: Texts
    badge_object: str | None
    locked_badge_object: str | None
    action_url: str | None


@dataclass(frozen=True)
class Standing:
    """Where a user stands in one challenge (or variant), before rendering."""

    challenge_id: str
    title: Texts
    description: Texts
    level: int
    is_new_level: bool
    points_total: float
    points: GigyaPoints
    reached: LevelText | None
    next_level: LevelText | None
    requirement: Requirement | None
    single_action: tuple[str, float] | None = None

    def points_7days(self, now: datetime) -> float:
        """Points in the last 7 days at `now`."""
        return periods.points_7days(self.points.hours, now)

    @property
    def points_current(self) -> float:
        """pointsTotal less the points redeemed, never below 0."""
        return max(0.0, self.points_total - self.points.redeemed)


def _level_text(owner: Challenge | DefaultChallenge, index: int) -> LevelText:
    level = owner.levels[index]
    return LevelText(
        title=level.title,
        description=level.description,
        badge_object=owner.badge_object(index),
        locked_badge_object=owner.badge_object(index, locked=True),
        action_url=level.actionUrl,
    )


def level_requirement(level: Level, state: ProgressState, language: Language) -> Requirement:
    """What `level` still needs of `state`: points left (EarnedPoints), other triggers' counts."""
    evaluated = evaluate_level(level, state)
    points_left: float | None = None
    actions: list[dict[str, Any]] = []
    for group in evaluated.groups:
        for progress in group.triggers:
            trigger = progress.trigger
            if trigger.triggerId is TriggerKind.EARNED_POINTS:
                left = trigger.triggerFrequency - progress.achieved
                points_left = left if points_left is None else max(points_left, left)
                continue
            actions.append(
                {
                    "actionID": trigger.actionId or language.text(trigger.name),
                    "completed": number(progress.achieved),
                    "required": number(trigger.triggerFrequency),
                }
            )
    return Requirement(points_left=points_left, actions=actions)


def _single_action(challenge: Challenge, catalog: Catalog) -> tuple[str, float] | None:
    if len(challenge.actions) != 1:
        return None
    action = catalog.action(challenge.actions[0])
    return (challenge.actions[0], action.points if action is not None else 0.0)


def is_shown(challenge: Challenge, state: ProgressState) -> bool:
    """Whether gm.* shows the challenge to this user (visible, and unhidden by a level)."""
    if not challenge.visible:
        return False
    if challenge.hiddenUntilFirstLevel:
        return state.levels_reached > 0 or state.cycle > 0 or state.completed
    return True


def challenge_standing(
    challenge: Challenge, state: ProgressState, catalog: Catalog, language: Language
) -> Standing:
    """A catalog challenge as the engine left it."""
    count = len(challenge.levels)
    level = count if state.completed else min(state.levels_reached, count)
    next_index = None if state.completed or level >= count else min(state.level, count - 1)
    requirement = (
        level_requirement(challenge.levels[next_index], state, language)
        if next_index is not None
        else None
    )
    return Standing(
        challenge_id=challenge.gigya_id,
        title=challenge.name,
        description=challenge.description,
        level=level,
        is_new_level=state.is_new_level,
        points_total=state.points_total,
        points=state.points,
        reached=_level_text(challenge, level - 1) if level > 0 else None,
        next_level=_level_text(challenge, next_index) if next_index is not None else None,
        requirement=requirement,
        single_action=_single_action(challenge, catalog),
    )


def variant_level(levels: Sequence[Level], variant: VariantState) -> tuple[int, Requirement | None]:
    """Levels a variant's own counters reach, one after the other, and what the next asks."""
    points = variant.points
    actions = dict(variant.actions)
    for index, level in enumerate(levels):
        needs_points = 0.0
        needs: dict[str, float] = {}
        for group in level.groups:
            for trigger in group.triggers:
                if trigger.triggerId is TriggerKind.EARNED_POINTS:
                    needs_points = max(needs_points, trigger.triggerFrequency)
                elif trigger.triggerId is TriggerKind.PERFORMED_ACTION and trigger.actionId:
                    needs[trigger.actionId] = max(
                        needs.get(trigger.actionId, 0.0), trigger.triggerFrequency
                    )
                else:
                    # A variant counts actions only: a level asking anything else stops it here.
                    return index, None
        met = points >= needs_points and all(actions.get(a, 0.0) >= n for a, n in needs.items())
        if not met:
            return index, Requirement(
                points_left=needs_points - points if needs_points else None,
                actions=[
                    {"actionID": a, "completed": number(actions.get(a, 0.0)), "required": number(n)}
                    for a, n in needs.items()
                ],
            )
        points -= needs_points
        for a, n in needs.items():
            actions[a] = actions.get(a, 0.0) - n
    return len(levels), None


def variant_standing(challenge: Challenge, variant: VariantState, catalog: Catalog) -> Standing:
    """A catalog challenge seen through one variant: only the actions carrying its value."""
    level, requirement = variant_level(challenge.levels, variant)
    count = len(challenge.levels)
    return Standing(
        challenge_id=challenge.gigya_id,
        title=challenge.name,
        description=challenge.description,
        level=level,
        is_new_level=False,
        points_total=variant.points,
        points=variant.periods,
        reached=_level_text(challenge, level - 1) if level > 0 else None,
        next_level=_level_text(challenge, level) if level < count and requirement else None,
        requirement=requirement,
        single_action=_single_action(challenge, catalog),
    )


def default_standing(
    default: DefaultChallenge, points_total: float, points: GigyaPoints, ack_level: int | None
) -> Standing:
    """The `_default` challenge: thresholds on every point earned (`ack_level` None: a variant)."""
    thresholds = [level.points for level in default.levels]
    level = sum(1 for t in thresholds if points_total >= t)
    next_index = level if level < len(thresholds) else None
    requirement = (
        Requirement(points_left=thresholds[next_index] - points_total)
        if next_index is not None
        else None
    )
    return Standing(
        challenge_id=DEFAULT_CHALLENGE,
        title=default.title or DEFAULT_TITLE,
        description=default.description or DEFAULT_DESCRIPTION,
        level=level,
        is_new_level=ack_level is not None and level > ack_level,
        points_total=points_total,
        points=points,
        reached=_level_text(default, level - 1) if level > 0 else None,
        next_level=_level_text(default, next_index) if next_index is not None else None,
        requirement=requirement,
    )


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs besides the standing: time, language, URLs, options."""

    now: datetime
    language: Language
    image_url: ImageUrl
    full: bool
    points_this_month: bool = False
    timezone: str = "UTC"


def _next_achievement(standing: Standing) -> tuple[str, float] | None:
    requirement = standing.requirement
    if requirement is None:
        return None
    if standing.single_action is not None:
        action_id, action_points = standing.single_action
        for entry in requirement.actions:
            if entry["actionID"] == action_id:
                return action_id, max(0.0, float(entry["required"]) - float(entry["completed"]))
        if requirement.points_left is not None and action_points > 0:
            return action_id, float(math.ceil(max(0.0, requirement.points_left) / action_points))
    if requirement.points_left is not None:
        return POINTS_ACHIEVEMENT, max(0.0, requirement.points_left)
    for entry in requirement.actions:
        left = float(entry["required"]) - float(entry["completed"])
        if left > 0:
            return str(entry["actionID"]), left
    return None


def render(
    standing: Standing,
    rank: int,
    rank_week: int,
    ctx: RenderContext,
    points_7days: float | None = None,
) -> dict[str, Any]:
    """The achievement object of gm.getChallengeStatus (and of getTopUsers' users).

    `points_7days`: the standing's 7-day points at `ctx.now`, when the caller has them already.
    """
    reached = standing.reached
    text = ctx.language.text
    week = standing.points_7days(ctx.now) if points_7days is None else points_7days
    achievement: dict[str, Any] = {
        "challengeID": standing.challenge_id,
        "level": standing.level,
        "isNewLevel": standing.is_new_level,
        "pointsTotal": number(standing.points_total),
        "points7Days": number(week),
        "rank": rank,
        "rank7Days": rank_week,
        "badgeURL": ctx.image_url(reached.badge_object) if reached else None,
    }
    if ctx.points_this_month:
        achievement["pointsThisMonth"] = number(
            periods.points_this_month(standing.points.months, ctx.now, ctx.timezone)
        )
    requirement = standing.requirement
    if requirement is not None:
        if requirement.points_left is not None and requirement.points_left > 0:
            achievement["pointsStatus"] = number(requirement.points_left)
        if requirement.actions:
            achievement["actionStatus"] = requirement.actions
    if not ctx.full:
        return achievement
    achievement.update(
        levelTitle=text(reached.title) if reached else None,
        levelDescription=text(reached.description) if reached else None,
        challengeTitle=text(standing.title),
        challengeDescription=text(standing.description),
        pointsCurrent=number(standing.points_current),
    )
    following = _next_achievement(standing)
    if following is not None:
        achievement["requiredAchievement"] = following[0]
        achievement["achievementsToNextLevel"] = number(following[1])
    next_level = standing.next_level
    if next_level is not None:
        achievement["nextLevelTitle"] = text(next_level.title)
        achievement["nextLevelDescription"] = text(next_level.description)
        achievement["nextLevelLockedBadgeURL"] = ctx.image_url(next_level.locked_badge_object)
        if next_level.action_url:
            achievement["nextLevelActionURL"] = next_level.action_url
    return achievement
