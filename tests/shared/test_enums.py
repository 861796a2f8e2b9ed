"""Wire enums and the facts derived from them."""

from __future__ import annotations

from shared.enums import CUMULATIVE_KIND_OF, TransactionType, TriggerKind, TriggerType


def test_values_are_the_seed_values():
    assert [k.value for k in TriggerKind] == [1, 2, 3, 4, 5, 6, 7]
    assert [t.value for t in TransactionType] == [1, 2, 3, 4, 5, 6]


def test_cumulative_and_state_kinds():
    cumulative = {k for k in TriggerKind if k.is_cumulative}
    assert cumulative == set(CUMULATIVE_KIND_OF.values()) | {TriggerKind.PERFORMED_ACTION}
    assert not TriggerKind.TOTAL_POINTS_BALANCE.is_cumulative
    assert not TriggerKind.HIT_TIER.is_cumulative


def test_trigger_type_of_each_kind():
    # The published list sample sends triggerType 2 (Points) for Earned Points.
    assert TriggerKind.EARNED_POINTS.trigger_type is TriggerType.POINTS
    assert TriggerKind.REDEEMED_POINTS.trigger_type is TriggerType.POINTS
    assert TriggerKind.TOTAL_POINTS_BALANCE.trigger_type is TriggerType.POINTS
    assert TriggerKind.SUBSCRIBE_VOUCHERS_COUNT.trigger_type is TriggerType.VOUCHER
    assert TriggerKind.REDEEMED_VOUCHERS_COUNT.trigger_type is TriggerType.VOUCHER
    assert TriggerKind.HIT_TIER.trigger_type is TriggerType.TIER
    assert TriggerKind.PERFORMED_ACTION.trigger_type is TriggerType.ACTION
