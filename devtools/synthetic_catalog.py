"""A generated catalog of any size, valid by the catalog's rules, for benchmarks and load tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

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

# The demo catalog's folder: synthetic challenges with an image all point at one demo picture,
# so pass this as `base_dir` to `devtools.catalog.load_into`.
BASE_DIR = Path(__file__).resolve().parents[1] / "demo"
SHARED_IMAGE = "images/first-sip.png"
VOUCHER_POOL = "synthetic-pool"
CATEGORY_COUNT = 6
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 12, 31, 23, 59, 59, tzinfo=UTC)

_KIND_NAMES: dict[TriggerKind, tuple[str, str]] = {
    TriggerKind.EARNED_POINTS: ("Earn points", "اكسب النقاط"),
    TriggerKind.SUBSCRIBE_VOUCHERS_COUNT: ("Subscribe to vouchers", "اشترك في القسائم"),
    TriggerKind.REDEEMED_POINTS: ("Redeem points", "استبدل النقاط"),
    TriggerKind.REDEEMED_VOUCHERS_COUNT: ("Redeem vouchers", "استخدم القسائم"),
    TriggerKind.TOTAL_POINTS_BALANCE: ("Reach a points balance", "اجمع رصيد نقاط"),
    TriggerKind.HIT_TIER: ("Reach a tier", "ابلغ المستوى"),
}


def _text(en: str, ar: str) -> dict[str, str]:
    return {"en": en, "ar": ar}


def _frequency(kind: TriggerKind, rng: random.Random, level: int) -> float:
    if kind is TriggerKind.HIT_TIER:
        return float(min(5, 2 + level))
    if kind in (TriggerKind.SUBSCRIBE_VOUCHERS_COUNT, TriggerKind.REDEEMED_VOUCHERS_COUNT):
        return float(rng.randint(1, 5) * (level + 1))
    return float(rng.choice([100, 250, 500, 1000, 2000]) * (level + 1))


def _trigger(kind: TriggerKind, order: int, operator: Operator, frequency: float) -> Trigger:
    en, ar = _KIND_NAMES[kind]
    return Trigger(
        triggerId=kind,
        triggerType=kind.trigger_type,
        name=_text(en, ar),
        order=order,
        operator=operator,
        triggerFrequency=frequency,
    )


def _level(rng: random.Random, index: int, reward_type: RewardType, next_reward: int) -> Level:
    groups: list[Group] = []
    for g in range(rng.choice([1, 1, 1, 2])):
        kinds = rng.sample(list(_KIND_NAMES), rng.choice([1, 1, 2, 3]))
        triggers = [
            _trigger(kind, t, rng.choice([Operator.AND, Operator.OR]), _frequency(kind, rng, index))
            for t, kind in enumerate(kinds)
        ]
        groups.append(
            Group(
                groupId=g + 1,
                groupOrder=g,
                operator=rng.choice([Operator.AND, Operator.OR]),
                triggers=triggers,
            )
        )
    value = {
        RewardType.POINTS: str(rng.choice([50, 100, 250])),
        RewardType.VOUCHER: VOUCHER_POOL,
        RewardType.BADGE: f"badge-{next_reward}",
    }[reward_type]
    reward = Reward(
        rewardId=next_reward,
        name=_text(f"Reward {next_reward}", f"مكافأة {next_reward}"),
        rewardType=reward_type,
        rewardValue=value,
        duration=30,
        durationType=DurationType.DAYS,
    )
    return Level(
        title=_text(f"Level {index + 1}", f"المستوى {index + 1}"),
        groups=groups,
        rewards=[reward],
    )


def synthetic_catalog(n_challenges: int, seed: int = 0, voucher_codes: int = 500) -> Catalog:
    """A valid catalog of `n_challenges` challenges of every kind, deterministic for a seed."""
    rng = random.Random(seed)
    categories = [
        Category(id=i, name=_text(f"Category {i}", f"الفئة {i}"))
        for i in range(1, CATEGORY_COUNT + 1)
    ]
    challenges: list[Challenge] = []
    next_reward = 1
    for cid in range(1, n_challenges + 1):
        reward_type = rng.choice(list(RewardType))
        levels: list[Level] = []
        for index in range(rng.choice([1, 1, 2, 3])):
            levels.append(_level(rng, index, reward_type, next_reward))
            next_reward += 1
        # Some children of an earlier challenge: parents always have smaller ids, so no cycles.
        parent = rng.randint(1, cid - 1) if cid > 1 and rng.random() < 0.1 else None
        challenges.append(
            Challenge(
                id=cid,
                name=_text(f"Challenge {cid}", f"التحدي {cid}"),
                description=_text(f"Synthetic challenge {cid}.", f"تحدٍّ تجريبي رقم {cid}."),
                categoryId=rng.randint(1, CATEGORY_COUNT),
                startDate=START,
                endDate=END,
                visible=rng.random() > 0.05,
                limited=rng.random() < 0.6,
                parentChallengeId=parent,
                image=SHARED_IMAGE if cid % 4 == 0 else None,
                rewardType=reward_type,
                gigyaChallengeId=f"synthetic-{cid}" if cid % 5 == 0 else None,
                levels=levels,
            )
        )
    pool = VoucherPool(
        id=VOUCHER_POOL, codes=[f"SYN-{i:06d}" for i in range(max(1, voucher_codes))]
    )
    return Catalog(
        defaultLanguage="en",
        languages=["en", "ar"],
        categories=categories,
        challenges=challenges,
        voucherPools=[pool],
    )
