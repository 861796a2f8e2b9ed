"""Small catalogs and transactions built in code for engine tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.catalog.models import (
    Catalog,
    Category,
    Challenge,
    Group,
    Level,
    Reward,
    Trigger,
    VoucherPool,
)
from shared.enums import DurationType, Operator, RewardType, TriggerKind
from shared.repository import catalog_cache, stats_repo
from shared.repository.catalog_repo import save_catalog
from shared.schema import ledger, paths
from shared.schema import user as user_schema

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
START = NOW - timedelta(days=30)
END = NOW + timedelta(days=30)


def trigger(
    kind: TriggerKind,
    frequency: float,
    order: int = 0,
    op: Operator = Operator.AND,
    action: str | None = None,
) -> Trigger:
    return Trigger(
        triggerId=kind,
        triggerType=kind.trigger_type,
        name={"en": f"{kind.name} {frequency}"},
        order=order,
        operator=op,
        triggerFrequency=frequency,
        actionId=action,
    )


def group(*triggers: Trigger, gid: int = 1, order: int = 0, op: Operator = Operator.AND) -> Group:
    return Group(groupId=gid, groupOrder=order, operator=op, triggers=list(triggers))


def level(*groups: Group, rewards: Iterable[Reward] = ()) -> Level:
    return Level(title={"en": "level"}, groups=list(groups), rewards=list(rewards))


def simple_level(kind: TriggerKind, frequency: float, rewards: Iterable[Reward] = ()) -> Level:
    return level(group(trigger(kind, frequency)), rewards=rewards)


def points_reward(rid: int, amount: int, duration: int = 0) -> Reward:
    return Reward(
        rewardId=rid,
        name={"en": f"{amount} points"},
        rewardType=RewardType.POINTS,
        rewardValue=str(amount),
        duration=duration,
        durationType=DurationType.DAYS,
    )


def voucher_reward(rid: int, pool: str, months: int = 0) -> Reward:
    return Reward(
        rewardId=rid,
        name={"en": "voucher"},
        description={"en": "a voucher", "ar": "قسيمة"},
        rewardType=RewardType.VOUCHER,
        rewardValue=pool,
        duration=months,
        durationType=DurationType.MONTHS,
    )


def badge_reward(rid: int, badge: str) -> Reward:
    return Reward(rewardId=rid, name={"en": badge}, rewardType=RewardType.BADGE, rewardValue=badge)


def challenge(
    cid: int,
    *levels: Level,
    limited: bool = True,
    parent: int | None = None,
    start: datetime = START,
    end: datetime = END,
    reward_type: RewardType = RewardType.POINTS,
    actions: Iterable[str] = (),
    variants: Iterable[str] = (),
    gigya_id: str | None = None,
    hidden: bool = False,
    visible: bool = True,
) -> Challenge:
    return Challenge(
        id=cid,
        name={"en": f"challenge {cid}"},
        description={"en": "test"},
        categoryId=1,
        startDate=start,
        endDate=end,
        limited=limited,
        parentChallengeId=parent,
        rewardType=reward_type,
        levels=list(levels),
        actions=list(actions),
        variantAttributes=list(variants),
        gigyaChallengeId=gigya_id,
        hiddenUntilFirstLevel=hidden,
        visible=visible,
    )


def install(
    db: Any,
    challenges: Iterable[Challenge],
    pools: Iterable[VoucherPool] = (),
    **catalog: Any,
) -> None:
    """Save a catalog to the emulator and make the engine see it."""
    save_catalog(
        db,
        Catalog(
            categories=[Category(id=1, name={"en": "cat"})],
            challenges=list(challenges),
            voucherPools=list(pools),
            **catalog,
        ),
    )
    catalog_cache.reset_cache()


def tx(user: str, type_: int, at: datetime = NOW, **fields: Any) -> dict[str, Any]:
    """A ledger transaction document (`fields` by their stored names, valid or not)."""
    return {ledger.USER_ID: user, ledger.TYPE: type_, ledger.OCCURRED_AT: at, **fields}


def earn(user: str, points: float, at: datetime = NOW, **fields: Any) -> dict[str, Any]:
    return tx(user, 1, at, points=points, **fields)


def progress(db: Any, user: str, cid: int) -> dict[str, Any]:
    """The user's stored progress entry in a challenge ({} when absent)."""
    doc = db.document(paths.user_doc(user)).get().to_dict()
    return dict(user_schema.entries(doc).get(cid) or {})


def milestones(db: Any, user: str) -> list[dict[str, Any]]:
    """The user's stored milestones."""
    return [s.to_dict() for s in db.collection(paths.milestones_collection(user)).stream()]


def people_finished(db: Any, cid: int) -> int:
    """The challenge's peopleFinished figure."""
    return stats_repo.people_finished(db).get(cid, 0)
