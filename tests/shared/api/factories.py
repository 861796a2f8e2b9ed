"""Catalogs, progress documents and milestones for read API tests, in the stored shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.catalog.models import Catalog, Category, Challenge, Group, Level, Reward, Trigger
from shared.enums import DurationType, Operator, RewardType, TriggerKind, TriggerType
from shared.progress.state import COUNTER_FIELD
from shared.repository import paths

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


def prize(value: Any = "100", reward_type: RewardType = RewardType.POINTS) -> dict[str, Any]:
    return {
        "rewardId": 3,
        "rewardType": int(reward_type),
        "value": value,
        "description": {"en": "100 points", "ar": "مئة نقطة"},
        "expirationDate": NOW + timedelta(days=30),
        "status": "issued",
    }


def unclaimed_entry(milestone_id: int, created: datetime = NOW, **prize_args: Any) -> dict:
    return {
        "milestoneId": milestone_id,
        "level": 0,
        "cycle": 0,
        "createdAt": created,
        "prizes": [prize(**prize_args)],
    }


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
    field = COUNTER_FIELD[TriggerKind.EARNED_POINTS]
    return {
        "totals": {field: earned},
        "baseline": {field: baseline},
        "cycle": 0,
        "level": level,
        "levelsReached": 0,
        "completed": completed,
        "achievedAt": achieved_at,
        "pending": {},
        "unclaimed": {str(e["milestoneId"]): e for e in unclaimed or []},
        "claimedCount": claimed_count,
    }


def store_progress(db: Any, user_id: str, entries: dict[int, dict[str, Any]]) -> None:
    """Write the user document with these progress entries, as the engine stores them."""
    db.document(paths.user_doc(user_id)).set(
        {"userId": user_id, "challenges": {str(cid): e for cid, e in entries.items()}}, merge=True
    )


def stored_progress(db: Any, user_id: str, challenge_id: int) -> dict[str, Any]:
    """The user's stored progress entry in one challenge ({} when absent)."""
    doc = db.document(paths.user_doc(user_id)).get().to_dict() or {}
    return dict((doc.get("challenges") or {}).get(str(challenge_id)) or {})


def milestone_doc(
    user_id: str, milestone_id: int, challenge_id: int, *, issued: bool = True
) -> dict[str, Any]:
    return {
        "milestoneId": milestone_id,
        "userId": user_id,
        "challengeId": challenge_id,
        "cycle": 0,
        "level": 0,
        "createdAt": NOW,
        "occurredAt": NOW,
        "prizes": [prize()],
        "issued": issued,
        "claimed": False,
        "claimedAt": None,
    }
