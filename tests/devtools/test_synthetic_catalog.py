"""The synthetic catalog: valid by every rule, varied, deterministic, sized as asked."""

from __future__ import annotations

from devtools.synthetic_catalog import BASE_DIR, synthetic_catalog
from shared.catalog.validation import cross_reference_errors, image_errors, parse_catalog
from shared.enums import Operator, RewardType, TriggerKind


def test_two_hundred_challenges_break_no_rule():
    catalog = synthetic_catalog(200)
    assert len(catalog.challenges) == 200
    assert cross_reference_errors(catalog) == []
    assert image_errors(catalog, lambda path: (BASE_DIR / path).is_file()) == []
    # What it writes survives the round trip through the file format.
    assert parse_catalog(catalog.model_dump(mode="json")) == catalog


def test_it_is_varied():
    catalog = synthetic_catalog(200)
    challenges = catalog.challenges
    # Every kind of the DSQ surfaces (PerformedAction needs Gigya actions: not synthetic).
    assert {k for c in challenges for k in c.trigger_kinds} == set(TriggerKind) - {
        TriggerKind.PERFORMED_ACTION
    }
    assert {c.rewardType for c in challenges} == set(RewardType)
    assert {len(c.levels) for c in challenges} == {1, 2, 3}
    assert len({c.categoryId for c in challenges}) >= 4
    assert any(c.parentChallengeId for c in challenges)
    assert any(c.limited for c in challenges) and any(not c.limited for c in challenges)
    assert 0 < sum(c.image is not None for c in challenges) < 200
    assert len({c.image for c in challenges if c.image}) == 1
    operators = {
        t.operator for c in challenges for lv in c.levels for g in lv.groups for t in g.triggers
    }
    assert operators == set(Operator)


def test_it_is_deterministic_per_seed():
    assert synthetic_catalog(30, seed=4) == synthetic_catalog(30, seed=4)
    assert synthetic_catalog(30, seed=4) != synthetic_catalog(30, seed=5)


def test_small_sizes_work():
    assert synthetic_catalog(0).challenges == []
    assert [c.id for c in synthetic_catalog(3).challenges] == [1, 2, 3]
