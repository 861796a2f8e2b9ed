"""Small catalog objects for progress tests."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.catalog.models import Challenge, Group, Level, Reward, Trigger
from shared.enums import Operator, RewardType, TriggerKind


def trigger(kind: TriggerKind, frequency: float, order: int = 1, op: Operator = Operator.AND):
    return Trigger(
        triggerId=kind,
        triggerType=kind.trigger_type,
        name={"en": kind.name},
        order=order,
        operator=op,
        triggerFrequency=frequency,
    )


def group(*triggers: Trigger, group_id: int = 1, order: int = 1, op: Operator = Operator.AND):
    return Group(groupId=group_id, groupOrder=order, operator=op, triggers=list(triggers))


def level(*groups: Group, title: str = "Level"):
    return Level(
        title={"en": title},
        groups=list(groups),
        rewards=[
            Reward(rewardId=1, name={"en": "100"}, rewardType=RewardType.POINTS, rewardValue="100")
        ],
    )


def challenge(*levels: Level, limited: bool = True, challenge_id: int = 1):
    return Challenge(
        id=challenge_id,
        name={"en": "Challenge"},
        description={"en": "Description"},
        categoryId=1,
        startDate=datetime(2026, 1, 1, tzinfo=UTC),
        endDate=datetime(2027, 1, 1, tzinfo=UTC),
        limited=limited,
        rewardType=RewardType.POINTS,
        levels=list(levels),
    )
