"""Which challenges a transaction counts for, and what it adds (pure)."""

from __future__ import annotations

from datetime import timedelta

from shared.catalog.models import Action, Catalog
from shared.engine.candidates import candidates_for, contribution_of, is_unlocked
from shared.engine.transaction import parse_transaction
from shared.enums import TriggerKind
from shared.progress.state import ProgressState
from shared.repository.catalog_cache import CatalogView
from tests.shared.engine.builders import (
    END,
    NOW,
    challenge,
    earn,
    group,
    level,
    simple_level,
    trigger,
    tx,
)

K = TriggerKind


def _view(*challenges):
    return CatalogView.build(Catalog(challenges=list(challenges))).by_kind


def test_contributions_by_type():
    assert contribution_of(parse_transaction(earn("u", 30))).cumulative == {
        (K.EARNED_POINTS, None): 30
    }
    assert contribution_of(parse_transaction(tx("u", 2, voucherId="v"))).cumulative == {
        (K.SUBSCRIBE_VOUCHERS_COUNT, None): 1
    }
    assert contribution_of(parse_transaction(tx("u", 3, points=7))).cumulative == {
        (K.REDEEMED_POINTS, None): 7
    }
    assert contribution_of(parse_transaction(tx("u", 4, voucherId="v"))).cumulative == {
        (K.REDEEMED_VOUCHERS_COUNT, None): 1
    }
    tier = contribution_of(parse_transaction(tx("u", 5, tier=3)))
    assert tier.cumulative == {} and tier.states == {K.HIT_TIER: 3}
    balance = contribution_of(parse_transaction(earn("u", 5, balanceAfter=905)))
    assert balance.kinds == {K.EARNED_POINTS, K.TOTAL_POINTS_BALANCE}
    # An action feeds nothing unless the catalog knows it (and it is enabled).
    assert contribution_of(parse_transaction(tx("u", 6, actionId="a"))).kinds == set()
    share = Action(actionId="a", points=15)
    fed = contribution_of(parse_transaction(tx("u", 6, actionId="a")), share)
    assert fed.cumulative == {(K.EARNED_POINTS, None): 15, (K.PERFORMED_ACTION, "a"): 1}
    off = Action(actionId="a", points=15, enabled=False)
    assert contribution_of(parse_transaction(tx("u", 6, actionId="a")), off).kinds == set()


def test_an_action_counts_for_the_challenges_listing_it_only():
    lists = challenge(1, simple_level(K.EARNED_POINTS, 10), actions=["a"])
    earns = challenge(2, simple_level(K.EARNED_POINTS, 10))
    other = challenge(3, simple_level(K.EARNED_POINTS, 10), actions=["b"])
    view = CatalogView.build(Catalog(challenges=[lists, earns, other]))
    share = Action(actionId="a", points=15)
    found = candidates_for(
        view.by_kind, parse_transaction(tx("u", 6, actionId="a")), view.by_action, share
    )
    assert [c.challenge.id for c in found] == [1]
    assert found[0].contribution.points == 15
    # Ledger points count where EarnedPoints is measured, whatever actions a challenge lists.
    earned = candidates_for(view.by_kind, parse_transaction(earn("u", 5)), view.by_action)
    assert [c.challenge.id for c in earned] == [1, 2, 3]


def test_candidates_measure_a_fed_kind_and_hold_the_moment_in_their_window():
    earned = challenge(1, simple_level(K.EARNED_POINTS, 10))
    balance = challenge(2, simple_level(K.TOTAL_POINTS_BALANCE, 10))
    tier = challenge(3, simple_level(K.HIT_TIER, 2))
    ended = challenge(
        4,
        simple_level(K.EARNED_POINTS, 10),
        end=NOW - timedelta(days=1),
        start=NOW - timedelta(days=9),
    )
    both = challenge(5, level(group(trigger(K.EARNED_POINTS, 5), trigger(K.HIT_TIER, 2))))
    view = _view(earned, balance, tier, ended, both)
    found = candidates_for(view, parse_transaction(earn("u", 5, balanceAfter=50)))
    assert [c.challenge.id for c in found] == [1, 2, 5]
    # Each candidate gets only the part of the contribution it measures.
    assert found[1].contribution.cumulative == {}
    assert found[1].contribution.states == {K.TOTAL_POINTS_BALANCE: 50}
    assert found[2].contribution.states == {}
    assert candidates_for(view, parse_transaction(earn("u", 5, at=END + timedelta(days=1)))) == []


def test_reward_credits_count_for_nothing():
    view = _view(challenge(1, simple_level(K.EARNED_POINTS, 10)))
    assert candidates_for(view, parse_transaction(earn("u", 5, source="reward"))) == []


def test_a_child_is_unlocked_from_its_parents_achievement_on():
    child = challenge(2, simple_level(K.EARNED_POINTS, 10), parent=1)
    achieved = ProgressState(achieved_at=NOW)
    assert not is_unlocked(child, None, NOW)
    assert not is_unlocked(child, ProgressState(), NOW)
    assert not is_unlocked(child, achieved, NOW - timedelta(microseconds=1))
    assert is_unlocked(child, achieved, NOW)
    assert is_unlocked(challenge(1, simple_level(K.EARNED_POINTS, 10)), None, NOW)
