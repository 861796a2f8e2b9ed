"""What the benchmarks read and count against: catalogs, a user with progress, a partner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.context import BenchContext
from shared.catalog.models import Catalog, Category, Challenge, Group, Level, Reward, Trigger
from shared.enums import DurationType, Operator, RewardType, TriggerKind, TriggerType
from shared.progress.state import COUNTER_FIELD, STATE_FIELD, order_key
from shared.repository import paths
from shared.repository.keys import milestone_id

READ_USER = "+201000000100"
UNCLAIMED_EVERY = 5  # one challenge in five holds an unclaimed prize
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 12, 31, 23, 59, 59, tzinfo=UTC)
# A threshold no benchmark reaches: events on such challenges complete nothing.
UNREACHABLE = 1e12
COMPLETING_CHALLENGE = 1
COMPLETING_POINTS = 100


@dataclass(frozen=True)
class ReadFixture:
    """The read path's data: the catalog, the user with progress, a V1 partner."""

    catalog: Catalog
    user: str
    client_id: str
    key: bytes
    unclaimed: int


def _now() -> datetime:
    return datetime.now(UTC)


def _prize(reward: Reward, created: datetime) -> dict[str, Any]:
    return {
        "rewardId": reward.rewardId,
        "rewardType": int(reward.rewardType),
        "value": "SYN-BENCH" if reward.rewardType is RewardType.VOUCHER else reward.rewardValue,
        "description": dict(reward.name),
        "expirationDate": created + timedelta(days=30),
        "status": "issued",
    }


def _below_threshold(level: Level) -> dict[TriggerKind, float]:
    """Per kind of `level`, 40% of its smallest threshold: every trigger unmet, progress shown."""
    values: dict[TriggerKind, float] = {}
    for group in level.groups:
        for trigger in group.triggers:
            amount = float(int(trigger.triggerFrequency * 0.4))
            values[trigger.triggerId] = min(values.get(trigger.triggerId, amount), amount)
    return values


def progress_document(
    user: str, challenge: Challenge, with_prize: bool, now: datetime
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A progress entry in the stored shape (shared/progress/state.py), and its milestone.

    With a prize, the user has won level 1 (milestone of cycle 0, level 0) and stands where
    the engine would leave them; either way no level of the current position is met yet.
    """
    won = with_prize
    if won and len(challenge.levels) > 1:
        position = {"cycle": 0, "level": 1, "levelsReached": 1, "completed": False}
    elif won and challenge.limited:
        position = {"cycle": 0, "level": 0, "levelsReached": 1, "completed": True}
    elif won:
        position = {"cycle": 1, "level": 0, "levelsReached": 0, "completed": False}
    else:
        position = {"cycle": 0, "level": 0, "levelsReached": 0, "completed": False}
    current = challenge.levels[int(position["level"])]
    amounts = _below_threshold(current)
    # Only the fields the engine writes: counters and states of the kinds measured.
    key = order_key(1, now - timedelta(days=1))
    kinds = challenge.trigger_kinds
    counters = {kind: name for kind, name in COUNTER_FIELD.items() if kind in kinds}
    # A won level's totals became the baseline; the current level's 40% comes on top.
    base = {kind: 50.0 if won else 0.0 for kind in counters}
    doc: dict[str, Any] = {
        "userId": user,
        "challengeId": challenge.id,
        "totals": {name: base[kind] + amounts.get(kind, 0.0) for kind, name in counters.items()},
        "baseline": {name: base[kind] for kind, name in counters.items()},
        **{
            name: {key: amounts.get(kind, 0.0)}
            for kind, name in STATE_FIELD.items()
            if kind in kinds
        },
        **position,
        # Won challenges unlock their children, so the list shows every kind of row.
        "achievedAt": now - timedelta(days=2) if won else None,
        "pending": {},
        "unclaimed": {},
        "claimedCount": 0,
        "updatedAt": now,
    }
    if not won:
        return doc, None
    mid = milestone_id(user, challenge.id, 0, 0)
    prizes = [_prize(r, now) for r in challenge.levels[0].rewards]
    doc["unclaimed"] = {
        str(mid): {"milestoneId": mid, "level": 0, "cycle": 0, "createdAt": now, "prizes": prizes}
    }
    milestone = {
        "milestoneId": mid,
        "userId": user,
        "challengeId": challenge.id,
        "cycle": 0,
        "level": 0,
        "createdAt": now,
        "occurredAt": now,
        "prizes": prizes,
        "issued": True,
        "claimed": False,
        "claimedAt": None,
    }
    return doc, milestone


def seed_progress(db: Any, user: str, catalog: Catalog) -> int:
    """Write the user's progress in every challenge; returns how many hold an unclaimed prize."""
    now = _now()
    entries: dict[str, dict[str, Any]] = {}
    writes: list[tuple[str, dict[str, Any]]] = []
    unclaimed = 0
    for challenge in catalog.challenges:
        with_prize = challenge.id % UNCLAIMED_EVERY == 0
        doc, milestone = progress_document(user, challenge, with_prize, now)
        entries[str(challenge.id)] = doc
        if milestone is not None:
            unclaimed += 1
            writes.append((paths.milestone_doc(user, int(milestone["milestoneId"])), milestone))
    # One user document holds the progress in every challenge (shared/progress/state.py).
    writes.append((paths.user_doc(user), {"userId": user, "challenges": entries}))
    for start in range(0, len(writes), 400):
        batch = db.batch()
        for path, data in writes[start : start + 400]:
            batch.set(db.document(path), data)
        batch.commit()
    return unclaimed


def load_read_fixture(ctx: BenchContext, challenges: int) -> ReadFixture:
    """Empty the database, load a synthetic catalog with its image, seed the user and a partner."""
    from devtools.auth_tools import create_partner_client
    from devtools.catalog import load_into
    from devtools.synthetic_catalog import BASE_DIR, synthetic_catalog

    ctx.clear()
    db = ctx.firestore()
    catalog = synthetic_catalog(challenges)
    load_into(db, ctx.storage(), ctx.bucket, catalog, BASE_DIR)
    unclaimed = seed_progress(db, READ_USER, catalog)
    client_id, key = create_partner_client(db, "bench-partner", "bench")
    return ReadFixture(catalog, READ_USER, client_id, key, unclaimed)


def _text(en: str) -> dict[str, str]:
    return {"en": en}


def earn_challenge(challenge_id: int, frequency: float, reward_type: RewardType) -> Challenge:
    """A one-level challenge measuring earned points only."""
    trigger = Trigger(
        triggerId=TriggerKind.EARNED_POINTS,
        triggerType=TriggerType.POINTS,
        name=_text("Earned Points"),
        order=1,
        operator=Operator.AND,
        triggerFrequency=frequency,
    )
    reward = Reward(
        rewardId=challenge_id,
        name=_text(f"Reward {challenge_id}"),
        rewardType=reward_type,
        rewardValue="50" if reward_type is RewardType.POINTS else f"badge-{challenge_id}",
        duration=30,
        durationType=DurationType.DAYS,
    )
    level = Level(
        title=_text("Level 1"),
        groups=[Group(groupId=1, groupOrder=1, operator=Operator.AND, triggers=[trigger])],
        rewards=[reward],
    )
    return Challenge(
        id=challenge_id,
        name=_text(f"Earn {challenge_id}"),
        description=_text(f"Earn points ({challenge_id})."),
        categoryId=1,
        startDate=START,
        endDate=END,
        visible=True,
        limited=True,
        rewardType=reward_type,
        levels=[level],
    )


def earn_catalog(challenges: int) -> Catalog:
    """`challenges` challenges that all measure earned points.

    Only challenge 1 can complete (at COMPLETING_POINTS points, a points reward); the others
    never do, so an event of a few points completes nothing.
    """
    items = [
        earn_challenge(COMPLETING_CHALLENGE, COMPLETING_POINTS, RewardType.POINTS),
        *(earn_challenge(i, UNREACHABLE, RewardType.BADGE) for i in range(2, challenges + 1)),
    ]
    return Catalog(
        defaultLanguage="en",
        languages=["en"],
        categories=[Category(id=1, name=_text("Benchmarks"))],
        challenges=items,
    )


def load_catalog(ctx: BenchContext, catalog: Catalog) -> None:
    """Empty the database and save `catalog` (no images)."""
    from shared.repository.catalog_repo import save_catalog

    ctx.clear()
    save_catalog(ctx.firestore(), catalog)


def earn_transaction(user: str, points: int = 1) -> dict[str, Any]:
    """A ledger transaction earning `points` now."""
    from devtools.ledger import build_transaction
    from shared.enums import TransactionType

    return build_transaction(TransactionType.EARN_POINTS, user, points=points)
