"""Catalogs, progress documents and milestones for read API tests, in the stored shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.catalog.models import Catalog, Category, Challenge, Group, Level, Reward, Trigger
from shared.enums import DurationType, Operator, RewardType, TriggerKind, TriggerType
from shared.schema import paths
from shared.schema import user as user_schema
from shared.schema.milestones import STATUS_ISSUED, Milestone, MilestoneEntry, Prize
from shared.schema.user import ProgressState

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 12, 31, tzinfo=UTC)

CATEGORIES = [
    Category(id=1, name={"en": "Coffee", "ar": "قهوة"}),
    Category(id=3, name={"en": "Sports", "ar": "رياضة"}),
]


def earn_trigger(frequency: float = 1000, order: int = 1) -> Trigger:
    return Trigger(
        triggerId=TriggerKind.EARNED_POINTS,
        triggerType=TriggerType.POINTS,
        name={"en": "Earned Points", "ar": "النقاط المكتسبة"},
        order=order,
        operator=Operator.AND,
        triggerFrequency=frequency,
    )


def reward(reward_type: RewardType = RewardType.POINTS, reward_id: int = 3) -> Reward:
    value = {RewardType.POINTS: "100", RewardType.VOUCHER: "pool-a", RewardType.BADGE: "Badges"}
    return Reward(
        rewardId=reward_id,
        name={"en": "Food lovers Badge", "ar": "شارة محبي الطعام"},
        rewardType=reward_type,
        rewardValue=value[reward_type],
        duration=0,
        durationType=DurationType.DAYS,
    )


def challenge(
    challenge_id: int,
    *,
    name: dict[str, str] | None = None,
    reward_type: RewardType = RewardType.POINTS,
    frequency: float = 1000,
    category_id: int = 1,
    visible: bool = True,
    limited: bool = True,
    parent: int | None = None,
    start: datetime = START,
    end: datetime = END,
    image: str | None = None,
    levels: int = 1,
) -> Challenge:
    return Challenge(
        id=challenge_id,
        name=name or {"en": f"Challenge {challenge_id}", "ar": f"تحدي {challenge_id}"},
        description={"en": f"About {challenge_id}", "ar": f"عن {challenge_id}"},
        categoryId=category_id,
        startDate=start,
        endDate=end,
        visible=visible,
        limited=limited,
        parentChallengeId=parent,
        image=image,
        rewardType=reward_type,
        levels=[
            Level(
                title={"en": f"Level {i + 1}"},
                groups=[
                    Group(
                        groupId=314 + i,
                        groupOrder=1,
                        operator=Operator.AND,
                        triggers=[earn_trigger(frequency * (i + 1))],
                    )
                ],
                rewards=[reward(reward_type, reward_id=3 + i)],
            )
            for i in range(levels)
        ],
    )


def catalog(*challenges: Challenge) -> Catalog:
    return Catalog(
        defaultLanguage="en",
        languages=["en", "ar"],
        categories=CATEGORIES,
        challenges=list(challenges),
    )


def _prize(value: Any = "100", reward_type: RewardType = RewardType.POINTS) -> Prize:
    return Prize(
        reward_id=3,
        reward_type=int(reward_type),
        value=value,
        description={"en": "100 points", "ar": "مئة نقطة"},
        expiration_date=NOW + timedelta(days=30),
        status=STATUS_ISSUED,
    )


def prize(value: Any = "100", reward_type: RewardType = RewardType.POINTS) -> dict[str, Any]:
    return _prize(value, reward_type).encode()


def unclaimed_entry(milestone_id: int, created: datetime = NOW, **prize_args: Any) -> dict:
    return MilestoneEntry(milestone_id, 0, 0, created, (_prize(**prize_args),)).encode()


def progress_doc(
    earned: float = 0,
    *,
    baseline: float = 0,
    unclaimed: list[dict[str, Any]] | None = None,
    achieved_at: datetime | None = None,
    claimed_count: int = 0,
    completed: bool = False,
    level: int = 0,
) -> dict[str, Any]:
    """A stored entry (as the engine leaves one) with these counters, prizes and position."""
    earned_points = TriggerKind.EARNED_POINTS
    return ProgressState(
        totals={earned_points: earned},
        baseline={earned_points: baseline},
        level=level,
        completed=completed,
        achieved_at=achieved_at,
        unclaimed={str(MilestoneEntry.decode(e).milestone_id): e for e in unclaimed or []},
        claimed_count=claimed_count,
    ).encode()


def store_progress(db: Any, user_id: str, entries: dict[int, dict[str, Any]]) -> None:
    """Write the user document with these progress entries, as the engine stores them."""
    db.document(paths.user_doc(user_id)).set(
        user_schema.user_document(user_id, entries), merge=True
    )


def store_legacy_progress(db: Any, user_id: str, entries: dict[int, dict[str, Any]]) -> None:
    """Write the user document as it was before the `listing` mirror: its entries only."""
    stored = {str(cid): entry for cid, entry in entries.items()}
    db.document(paths.user_doc(user_id)).set(
        {user_schema.USER_ID: user_id, user_schema.CHALLENGES: stored}
    )


def stored_progress(db: Any, user_id: str, challenge_id: int) -> dict[str, Any]:
    """The user's stored progress entry in one challenge ({} when absent)."""
    doc = db.document(paths.user_doc(user_id)).get().to_dict()
    return dict(user_schema.entries(doc).get(challenge_id) or {})


def milestone_doc(
    user_id: str, milestone_id: int, challenge_id: int, *, issued: bool = True
) -> dict[str, Any]:
    return Milestone(
        milestone_id=milestone_id,
        user_id=user_id,
        challenge_id=challenge_id,
        cycle=0,
        level=0,
        created_at=NOW,
        occurred_at=NOW,
        prizes=(_prize(),),
        issued=issued,
    ).encode()
