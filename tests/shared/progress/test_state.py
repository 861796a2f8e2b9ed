"""Parsing the stored progress document and ordering state observations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.enums import TriggerKind
from shared.progress.state import latest_state, order_key, parse_progress

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def test_missing_document_is_the_zero_state():
    state = parse_progress(None)
    assert state.achieved(TriggerKind.EARNED_POINTS) == 0
    assert state.achieved(TriggerKind.HIT_TIER) == 0
    assert (state.cycle, state.level, state.completed) == (0, 0, False)


def test_document_fields_become_the_state():
    doc = {
        "totals": {"earnedPoints": 700, "redeemedVouchers": 2},
        "baseline": {"earnedPoints": 500},
        "balance": {order_key(1, T0): 40, order_key(2, T0): 90},
        "tier": {order_key(None, T0): 2},
        "cycle": 1,
        "level": 2,
        "levelsReached": 2,
        "unclaimed": {"12": {"milestoneId": 12}},
        "claimedCount": 1,
    }
    state = parse_progress(doc)
    assert state.achieved(TriggerKind.EARNED_POINTS) == 200
    assert state.achieved(TriggerKind.REDEEMED_VOUCHERS_COUNT) == 2
    assert state.achieved(TriggerKind.TOTAL_POINTS_BALANCE) == 90
    assert state.achieved(TriggerKind.HIT_TIER) == 2
    assert (state.cycle, state.level, state.levels_reached, state.claimed_count) == (1, 2, 2, 1)
    assert "12" in state.unclaimed


def test_sequence_orders_before_time():
    early_seq_late_time = order_key(1, T0 + timedelta(days=3))
    late_seq_early_time = order_key(2, T0)
    assert late_seq_early_time > early_seq_late_time


def test_without_sequence_time_orders():
    assert order_key(None, T0 + timedelta(microseconds=1)) > order_key(None, T0)


def test_keys_are_field_names():
    key = order_key(12, T0)
    assert key[0].isalpha() and key[1:].isdigit()


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**12), st.integers(0, 10**6)),
        min_size=1,
        max_size=20,
        unique_by=lambda x: x[0],
    )
)
def test_latest_state_is_the_one_with_the_largest_sequence(observations):
    observed = {order_key(seq, T0): value for seq, value in observations}
    expected = max(observations)[1]
    assert latest_state(observed) == expected


def test_with_total_and_with_state_do_not_mutate():
    state = parse_progress({"totals": {"earnedPoints": 5}})
    changed = state.with_total(TriggerKind.EARNED_POINTS, 9).with_state(TriggerKind.HIT_TIER, 3)
    assert state.achieved(TriggerKind.EARNED_POINTS) == 5
    assert changed.achieved(TriggerKind.EARNED_POINTS) == 9
    assert changed.achieved(TriggerKind.HIT_TIER) == 3
