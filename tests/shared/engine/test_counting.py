"""The counting batch's pure parts: state pruning, the merge, the state after the commit."""

from __future__ import annotations

from google.cloud import firestore
from hypothesis import given
from hypothesis import strategies as st

from shared.catalog.models import Catalog
from shared.engine.candidates import candidates_for
from shared.engine.counting import observed_update, progress_fields, state_after
from shared.engine.transaction import parse_transaction
from shared.enums import TriggerKind
from shared.progress.state import order_key, parse_progress
from shared.repository.catalog_cache import CatalogView
from tests.shared.engine.builders import NOW, challenge, earn, group, level, trigger

K = TriggerKind


def test_a_newer_value_is_written_and_older_ones_pruned():
    assert observed_update({"k1": 5, "k2": 6}, "k3", 7) == {
        "k1": firestore.DELETE_FIELD,
        "k2": firestore.DELETE_FIELD,
        "k3": 7,
    }


def test_an_older_value_is_not_written_and_the_latest_is_never_deleted():
    assert observed_update({"k1": 5, "k3": 6}, "k2", 7) == {"k1": firestore.DELETE_FIELD}
    assert observed_update({}, "k1", 3) == {"k1": 3}


def _candidate(data):
    lvl = level(group(trigger(K.EARNED_POINTS, 100), trigger(K.TOTAL_POINTS_BALANCE, 500)))
    by_kind = CatalogView.build(Catalog(challenges=[challenge(1, lvl)])).by_kind
    tx = parse_transaction(data)
    [candidate] = candidates_for(by_kind, tx)
    return candidate, tx


def test_the_merge_has_one_increment_and_the_observed_state():
    candidate, tx = _candidate(earn("u", 30, sequence=2, balanceAfter=530))
    state = parse_progress({"balance": {"k0000000000000000001": 1}})
    fields = progress_fields(candidate, state, tx)
    assert fields["totals"] == {"earnedPoints": firestore.Increment(30)}
    key = order_key(2, NOW)
    assert fields["balance"] == {"k0000000000000000001": firestore.DELETE_FIELD, key: 530}
    # The user document names the user and the entry's key the challenge: nothing repeated.
    assert set(fields) == {"totals", "balance"}


def test_the_state_after_takes_the_returned_total_and_the_latest_observation():
    candidate, tx = _candidate(earn("u", 30, sequence=1, balanceAfter=530))
    newer = order_key(5, NOW)
    state = parse_progress({"totals": {"earnedPoints": 10}, "balance": {newer: 200}})
    after = state_after(candidate, state, tx, {(K.EARNED_POINTS, None): 77})
    assert after.totals[K.EARNED_POINTS] == 77
    # The transaction's balance is older than the one stored: the stored one stays the state.
    assert after.states[K.TOTAL_POINTS_BALANCE] == 200


def _apply(stored: dict, changes: dict) -> None:
    for key, value in changes.items():
        if value is firestore.DELETE_FIELD:
            stored.pop(key, None)
        else:
            stored[key] = value


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 10_000)), min_size=1, max_size=12),
    st.randoms(use_true_random=False),
)
def test_whatever_the_arrival_order_and_overlap_the_latest_observation_wins(observations, rnd):
    # Writers read a possibly stale snapshot, then their changes land in any order.
    stored: dict[str, int] = {}
    pending: list[dict] = []
    for seq, value in rnd.sample(observations, len(observations)):
        snapshot = dict(stored) if rnd.random() < 0.5 else {}
        pending.append(observed_update(snapshot, order_key(seq, NOW), value))
        if rnd.random() < 0.5:
            _apply(stored, pending.pop(rnd.randrange(len(pending))))
    for changes in pending:
        _apply(stored, changes)
    latest_seq = max(seq for seq, _ in observations)
    assert max(stored) == order_key(latest_seq, NOW)
    assert stored[max(stored)] in {v for s, v in observations if s == latest_seq}


def test_months_are_pruned_in_the_programs_timezone():
    from datetime import UTC, datetime

    from shared.engine.counting import earning_of, period_fields
    from shared.progress.state import GigyaPoints

    # 20:00 UTC on January 31st is February 1st in Tokyo: February is the current month there.
    now = datetime(2027, 1, 31, 20, tzinfo=UTC)
    late = parse_transaction(earn("u", 5, at=datetime(2027, 1, 31, 10, tzinfo=UTC)))
    earning = earning_of(late, 5, now, "Asia/Tokyo")
    assert earning is not None and earning.month == "m202701"
    fields = period_fields(earning, GigyaPoints(months={"m202702": 40.0}))
    # The current month (February in Tokyo) is kept; January is the previous month, kept too.
    assert "m202702" not in fields["months"]
    assert fields["months"]["m202701"] == firestore.Increment(5)
