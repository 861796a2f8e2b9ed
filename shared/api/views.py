"""Pure views: a challenge and the user's progress state as the seeds' response objects."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from shared.api.models import (
    CategoryInfo,
    ChallengeDetails,
    ChallengeListItem,
    ClaimedMilestone,
    GroupProgressInfo,
    LockedEvent,
    MilestonePrizes,
    PrizeInfo,
    RewardInfo,
    TriggerProgressInfo,
)
from shared.catalog.models import Category, Challenge, localize
from shared.enums import RewardType
from shared.progress.evaluation import current_level, evaluate_current
from shared.schema.milestones import Claim, MilestoneEntry, Prize
from shared.schema.user import ProgressState

_DAY_SECONDS = 86_400


def _no_image(_: Challenge) -> str | None:
    return None


@dataclass(frozen=True)
class ViewContext:
    """What every view needs besides the challenge: language, time, statistics, images."""

    language: str
    default_language: str
    now: datetime
    categories: Mapping[int, Category] = field(default_factory=dict)
    people_finished: Mapping[int, int] = field(default_factory=dict)
    image_url: Callable[[Challenge], str | None] = _no_image

    def text(self, texts: Mapping[str, str] | str | None) -> str | None:
        """A localized text in the request's language, with the catalog's fallback."""
        if texts is None or isinstance(texts, str):
            return texts
        return localize(texts, self.language, self.default_language)


def ends_after(end: datetime, now: datetime) -> int:
    """Whole days left until `end`, rounded up, never negative."""
    seconds = (end - now).total_seconds()
    return max(0, math.ceil(seconds / _DAY_SECONDS))


def is_locked(challenge: Challenge, states: Mapping[int, ProgressState]) -> bool:
    """True while the challenge has a parent the user has not achieved."""
    parent = challenge.parentChallengeId
    if parent is None:
        return False
    state = states.get(parent)
    return state is None or state.achieved_at is None


def _as_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"not a date: {value!r}")


def _prize_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def prize_info(prize: Prize, ctx: ViewContext) -> PrizeInfo:
    """One stored prize for the wire."""
    return PrizeInfo(
        value=_prize_value(prize.value),
        expirationDate=_as_datetime(prize.expiration_date),
        description=ctx.text(prize.description),
        rewardType=RewardType(prize.reward_type),
    )


def _created_key(entry: MilestoneEntry) -> tuple[float, int]:
    created = _as_datetime(entry.created_at)
    return (created.timestamp() if created else 0.0, entry.milestone_id)


def milestone_prizes(user_id: str, state: ProgressState, ctx: ViewContext) -> list[MilestonePrizes]:
    """The user's milestones with unclaimed prizes, oldest first, then the last one claimed.

    As the published details sample shows (docs/API.md), a claimed milestone stays listed with its
    prizes emptied (they moved to the history); only the most recent claim is kept, so a
    repeatable challenge's list is bounded.
    """
    entries = state.unclaimed_entries()
    claimed = state.last_claimed_entry()
    if claimed is not None and str(claimed.milestone_id) not in state.unclaimed:
        entries.append(replace(claimed, prizes=()))
    return [
        MilestonePrizes(
            userId=user_id,
            milestoneId=entry.milestone_id,
            prizes=[prize_info(p, ctx) for p in entry.prizes or ()],
        )
        for entry in sorted(entries, key=_created_key)
    ]


def group_progress(
    challenge: Challenge, state: ProgressState, ctx: ViewContext
) -> list[GroupProgressInfo]:
    """Groups and triggers of the user's current level with `actionLeft` and `progress`."""
    level = evaluate_current(challenge, state)
    return [
        GroupProgressInfo(
            groupId=g.group.groupId,
            groupOrder=g.group.groupOrder,
            operator=g.group.operator,
            triggersProgress=[
                TriggerProgressInfo(
                    triggerId=t.trigger.triggerId,
                    triggerType=t.trigger.triggerType,
                    triggerName=ctx.text(t.trigger.name),
                    triggerOrder=t.trigger.order,
                    operator=t.trigger.operator,
                    triggerFrequency=float(t.trigger.triggerFrequency),
                    actionLeft=t.action_left,
                    progress=t.progress,
                )
                for t in g.triggers
            ],
        )
        for g in level.groups
    ]


def category_info(challenge: Challenge, ctx: ViewContext) -> CategoryInfo | None:
    """The challenge's category, localized; None when the catalog lacks it."""
    category = ctx.categories.get(challenge.categoryId)
    if category is None:
        return None
    return CategoryInfo(id=category.id, name=ctx.text(category.name))


def list_item(
    challenge: Challenge,
    user_id: str,
    states: Mapping[int, ProgressState],
    ctx: ViewContext,
) -> ChallengeListItem:
    """One entry of GetProgressChallengesInfoForUser."""
    state = states.get(challenge.id) or ProgressState()
    return ChallengeListItem(
        id=challenge.id,
        name=ctx.text(challenge.name),
        description=ctx.text(challenge.description),
        startDate=challenge.startDate,
        endDate=challenge.endDate,
        peopleFinished=int(ctx.people_finished.get(challenge.id, 0)),
        endsAfter=ends_after(challenge.endDate, ctx.now),
        isLocked=is_locked(challenge, states),
        visible=challenge.visible,
        category=category_info(challenge, ctx),
        image=ctx.image_url(challenge),
        prizes=milestone_prizes(user_id, state, ctx),
        groupProgress=group_progress(challenge, state, ctx),
    )


def locked_event(parent: Challenge, ctx: ViewContext) -> LockedEvent:
    """The parent challenge a locked challenge waits for."""
    return LockedEvent(
        id=parent.id,
        name=ctx.text(parent.name),
        description=ctx.text(parent.description),
        startDate=parent.startDate,
        endDate=parent.endDate,
        image=ctx.image_url(parent),
    )


def rewards(challenge: Challenge, state: ProgressState, ctx: ViewContext) -> list[RewardInfo]:
    """The rewards of the level the user is working on (the last one once won)."""
    level = current_level(challenge, state)
    return [
        RewardInfo(
            challengeId=challenge.id,
            rewardId=r.rewardId,
            rewardName=ctx.text(r.name),
            rewardValue=r.rewardValue,
            rewardType=r.rewardType,
            duration=r.duration,
            durationType=r.durationType,
            # The catalog keeps no creation time per reward; the challenge's start stands in.
            dateCreated=challenge.startDate,
            id=r.rewardId,
        )
        for r in level.rewards
    ]


def details(
    challenge: Challenge,
    parent: Challenge | None,
    user_id: str,
    states: Mapping[int, ProgressState],
    ctx: ViewContext,
) -> ChallengeDetails:
    """GetDetailsById / GetBadgeDetailsById: the list entry plus `lockedEvent` and `rewards`."""
    item = list_item(challenge, user_id, states, ctx)
    state = states.get(challenge.id) or ProgressState()
    locked = item.isLocked
    return ChallengeDetails(
        id=item.id,
        name=item.name,
        description=item.description,
        startDate=item.startDate,
        endDate=item.endDate,
        peopleFinished=item.peopleFinished,
        endsAfter=item.endsAfter,
        isLocked=locked,
        lockedEvent=locked_event(parent, ctx) if locked and parent is not None else None,
        category=item.category,
        image=item.image,
        prizes=item.prizes,
        groupProgress=item.groupProgress,
        rewards=rewards(challenge, state, ctx),
    )


def claimed_milestone(
    claim: Claim, challenge: Challenge | None, ctx: ViewContext
) -> ClaimedMilestone:
    """A stored claim as ClaimPrize and GetPrizesHistory return it."""
    claimed_at = _as_datetime(claim.claimed_at) or ctx.now
    return ClaimedMilestone(
        userId=claim.user_id,
        milestoneId=claim.milestone_id,
        challengeId=claim.challenge_id,
        challengeName=ctx.text(challenge.name) if challenge else None,
        # Stored levels count from 0; people count from 1.
        level=(claim.level or 0) + 1,
        createdAt=_as_datetime(claim.created_at),
        claimedAt=claimed_at,
        prizes=[prize_info(p, ctx) for p in claim.prizes],
    )
