"""Integer enums as they travel on the wire (docs/API.md)."""

from __future__ import annotations

from enum import IntEnum


class TriggerKind(IntEnum):
    """What a trigger measures; sent as `triggerId`."""

    EARNED_POINTS = 1
    SUBSCRIBE_VOUCHERS_COUNT = 2
    REDEEMED_POINTS = 3
    REDEEMED_VOUCHERS_COUNT = 4
    TOTAL_POINTS_BALANCE = 5
    HIT_TIER = 6
    # Gigya actions: counted notifications of the trigger's `actionId` (an extension of the
    # seed's values, for levels that require actions; docs/GIGYA.md).
    PERFORMED_ACTION = 7

    @property
    def is_cumulative(self) -> bool:
        """Cumulative kinds add up transactions; state kinds take the latest value."""
        return self not in (TriggerKind.TOTAL_POINTS_BALANCE, TriggerKind.HIT_TIER)

    @property
    def trigger_type(self) -> TriggerType:
        """The family of this kind (the published sample sends triggerType 2 for EarnedPoints)."""
        if self is TriggerKind.HIT_TIER:
            return TriggerType.TIER
        if self is TriggerKind.PERFORMED_ACTION:
            return TriggerType.ACTION
        if self in (TriggerKind.SUBSCRIBE_VOUCHERS_COUNT, TriggerKind.REDEEMED_VOUCHERS_COUNT):
            return TriggerType.VOUCHER
        return TriggerType.POINTS


class TriggerType(IntEnum):
    """The family a trigger belongs to."""

    VOUCHER = 1
    POINTS = 2
    TIER = 3
    ACTION = 4


class Operator(IntEnum):
    """Joins an item to the next one in order; AND binds tighter than OR."""

    AND = 1
    OR = 2


class RewardType(IntEnum):
    """What a level's reward gives."""

    POINTS = 1
    VOUCHER = 2
    BADGE = 3


class DurationType(IntEnum):
    """Unit of a prize's validity."""

    DAYS = 1
    MONTHS = 2
    YEARS = 3


class TransactionType(IntEnum):
    """Kinds of ledger transactions."""

    EARN_POINTS = 1
    SUBSCRIBE_VOUCHER = 2
    REDEEM_POINTS = 3
    REDEEM_VOUCHER = 4
    TIER_CHANGE = 5
    ACTION = 6


# The cumulative trigger kind each transaction type feeds (state kinds are handled apart).
CUMULATIVE_KIND_OF: dict[TransactionType, TriggerKind] = {
    TransactionType.EARN_POINTS: TriggerKind.EARNED_POINTS,
    TransactionType.SUBSCRIBE_VOUCHER: TriggerKind.SUBSCRIBE_VOUCHERS_COUNT,
    TransactionType.REDEEM_POINTS: TriggerKind.REDEEMED_POINTS,
    TransactionType.REDEEM_VOUCHER: TriggerKind.REDEEMED_VOUCHERS_COUNT,
}
