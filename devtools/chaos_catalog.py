"""The chaos run's catalog (devtools/chaos.py), in code: every trigger kind, and the hard parts.

Levels (limited challenges of three levels, a repeatable one of two), repeatable and limited
challenges, locks (a child of a limited parent, a child of a repeatable parent), AND/OR groups, a
voucher pool much smaller than the demand for it, Gigya actions with a daily cap, a frequency
cap, none, zero points and disabled, variants, `_default` levels, and a challenge whose window
ended weeks ago. Windows are placed around the run's start, `now`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.catalog.models import (
    Action,
    Catalog,
    Category,
    Challenge,
    DefaultChallenge,
    DefaultLevel,
    Group,
    Level,
    Reward,
    Trigger,
    VoucherPool,
)
from shared.enums import DurationType, Operator, RewardType, TriggerKind

K = TriggerKind
POOL = "chaos-pool"
BRANCH = "branch"
BRANCHES = ("maadi", "zamalek", "heliopolis")
TIMEZONE = "Africa/Cairo"
# Action ids: capped per day, capped by frequency, uncapped, worth nothing, switched off.
CHECK_IN, REVIEW, SHARE, LIKE, LEGACY = "check-in", "review", "share", "like", "legacy"
DAILY_CAP = 3
FREQ_CAP_SECONDS = 2
# Ledger transactions may name an action the catalog does not have: they count for nothing.
UNKNOWN_ACTION = "ghost"
# The challenge whose window ended before the run (its transactions are backdated).
PAST_CHALLENGE = 10
PAST_WINDOW = (timedelta(days=60), timedelta(days=15))


def _trigger(
    kind: TriggerKind,
    frequency: float,
    order: int = 0,
    op: Operator = Operator.AND,
    action: str | None = None,
) -> Trigger:
    return Trigger(
        triggerId=kind,
        triggerType=kind.trigger_type,
        name={"en": f"{kind.name.lower()} {frequency:g}"},
        order=order,
        operator=op,
        triggerFrequency=frequency,
        actionId=action,
    )


def _level(*groups: Group, rewards: tuple[Reward, ...] = ()) -> Level:
    return Level(title={"en": "level"}, groups=list(groups), rewards=list(rewards))


def _group(*triggers: Trigger, gid: int = 1, order: int = 0, op: Operator = Operator.AND) -> Group:
    return Group(groupId=gid, groupOrder=order, operator=op, triggers=list(triggers))


def _one(kind: TriggerKind, frequency: float, *rewards: Reward, action: str | None = None) -> Level:
    return _level(_group(_trigger(kind, frequency, action=action)), rewards=rewards)


class _Rewards:
    """Reward ids are unique across the catalog."""

    def __init__(self) -> None:
        self.next = 1

    def _take(self) -> int:
        self.next += 1
        return self.next - 1

    def points(self, amount: int) -> Reward:
        return Reward(
            rewardId=self._take(),
            name={"en": f"{amount} points"},
            rewardType=RewardType.POINTS,
            rewardValue=str(amount),
        )

    def voucher(self) -> Reward:
        return Reward(
            rewardId=self._take(),
            name={"en": "voucher"},
            rewardType=RewardType.VOUCHER,
            rewardValue=POOL,
            duration=1,
            durationType=DurationType.MONTHS,
        )

    def badge(self, name: str) -> Reward:
        return Reward(
            rewardId=self._take(),
            name={"en": name},
            rewardType=RewardType.BADGE,
            rewardValue=name,
        )


def chaos_catalog(now: datetime, voucher_codes: int) -> Catalog:
    """The catalog, windows around `now`, with a pool of `voucher_codes` codes."""
    r = _Rewards()
    start, end = now - timedelta(days=40), now + timedelta(days=40)

    def challenge(
        cid: int, *levels: Level, limited: bool = True, parent: int | None = None, **extra: object
    ) -> Challenge:
        fields: dict[str, object] = {
            "id": cid,
            "name": {"en": f"chaos {cid}"},
            "description": {"en": "chaos run"},
            "categoryId": 1,
            "startDate": start,
            "endDate": end,
            "limited": limited,
            "parentChallengeId": parent,
            "rewardType": RewardType.POINTS,
            "levels": list(levels),
            **extra,
        }
        return Challenge.model_validate(fields)

    mixed = _level(
        _group(
            _trigger(K.EARNED_POINTS, 200, 0, Operator.AND),
            _trigger(K.SUBSCRIBE_VOUCHERS_COUNT, 1, 1),
            gid=1,
            order=0,
            op=Operator.OR,
        ),
        _group(_trigger(K.HIT_TIER, 3), gid=2, order=1),
        rewards=(r.points(25),),
    )
    actions_level_2 = _level(
        _group(
            _trigger(K.PERFORMED_ACTION, 2, 0, action=REVIEW),
            _trigger(K.EARNED_POINTS, 60, 1),
        ),
        rewards=(r.badge("regular"),),
    )
    challenges = [
        challenge(
            1,
            _one(K.EARNED_POINTS, 300, r.points(50)),
            _one(K.EARNED_POINTS, 400, r.voucher()),
            _one(K.EARNED_POINTS, 500, r.badge("ladder")),
        ),
        challenge(2, _one(K.EARNED_POINTS, 250, r.points(20), r.badge("grind")), limited=False),
        challenge(3, _one(K.SUBSCRIBE_VOUCHERS_COUNT, 2, r.voucher()), limited=False),
        challenge(
            4,
            _one(K.REDEEMED_POINTS, 150, r.points(30)),
            _one(K.REDEEMED_VOUCHERS_COUNT, 2, r.badge("redeemer")),
        ),
        challenge(5, _one(K.TOTAL_POINTS_BALANCE, 800, r.points(40))),
        challenge(6, _one(K.HIT_TIER, 2, r.badge("silver")), _one(K.HIT_TIER, 4, r.points(100))),
        challenge(7, mixed),
        challenge(8, _one(K.EARNED_POINTS, 200, r.voucher()), parent=1),
        challenge(
            9,
            _one(K.PERFORMED_ACTION, 3, r.points(15), action=CHECK_IN),
            actions_level_2,
            limited=False,
            actions=[CHECK_IN, REVIEW, LIKE],
            variantAttributes=[BRANCH],
        ),
        challenge(
            PAST_CHALLENGE,
            _one(K.EARNED_POINTS, 100, r.points(10)),
            startDate=now - PAST_WINDOW[0],
            endDate=now - PAST_WINDOW[1],
        ),
        challenge(11, _one(K.REDEEMED_POINTS, 100, r.points(10)), limited=False, parent=2),
        challenge(
            12,
            _one(K.PERFORMED_ACTION, 5, r.badge("sharer"), action=SHARE),
            limited=False,
            gigyaChallengeId="gm-share",
            actions=[SHARE],
            variantAttributes=[BRANCH],
        ),
    ]
    return Catalog(
        defaultLanguage="en",
        languages=["en"],
        categories=[Category(id=1, name={"en": "chaos"})],
        challenges=challenges,
        voucherPools=[VoucherPool(id=POOL, codes=[f"CH-{i:05d}" for i in range(voucher_codes)])],
        actions=[
            Action(actionId=CHECK_IN, points=10, dailyCap=DAILY_CAP),
            Action(actionId=REVIEW, points=25, freqCap=FREQ_CAP_SECONDS),
            Action(actionId=SHARE, points=5),
            Action(actionId=LIKE, points=0),
            Action(actionId=LEGACY, points=50, enabled=False),
        ],
        timezone=TIMEZONE,
        defaultChallenge=DefaultChallenge(
            title={"en": "overall"},
            levels=[
                DefaultLevel(title={"en": "rookie"}, points=500),
                DefaultLevel(title={"en": "expert"}, points=1500),
            ],
            variantAttributes=[BRANCH],
        ),
    )
