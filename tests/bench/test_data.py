"""The benchmark's fixture is what the engine writes: same transactions, same documents."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from bench.data import VOUCHER_CODE, ProgressFixture, earn_challenge, progress_fixture
from devtools.synthetic_catalog import VOUCHER_POOL, synthetic_catalog
from shared.catalog.models import Challenge, VoucherPool
from shared.engine import process
from shared.engine.run import Run
from shared.enums import RewardType, TriggerKind
from shared.repository import prizes_repo
from shared.schema import gigya as g
from shared.schema import ledger, paths
from shared.schema import user as user_schema
from tests.shared.engine.builders import (
    NOW,
    badge_reward,
    challenge,
    group,
    install,
    level,
    points_reward,
    simple_level,
    trigger,
    voucher_reward,
)

K = TriggerKind
USER = "+2010/bench%fixture"


@dataclass(frozen=True)
class Step:
    """One challenge of a case: the fixture's inputs for it."""

    challenge: Challenge
    with_prize: bool
    achieve: bool = False


def _fixtures(steps: list[Step]) -> list[ProgressFixture]:
    """The fixtures of a case's challenges, as bench.data.seed_progress chains them."""
    found: list[ProgressFixture] = []
    achieved: dict[int, Any] = {}
    sequence = 1
    for step in steps:
        fixture = progress_fixture(
            USER,
            step.challenge,
            step.with_prize,
            NOW,
            achieved.get(step.challenge.parentChallengeId or 0),
            achieve=step.achieve,
            first_sequence=sequence,
        )
        sequence += len(fixture.transactions)
        achieved[step.challenge.id] = fixture.state.achieved_at
        found.append(fixture)
    return found


def _vouchers(fixtures: list[ProgressFixture]) -> int:
    return sum(
        p.reward_type == RewardType.VOUCHER
        for f in fixtures
        for m in f.milestones
        for p in m.prizes
    )


def _synthetic() -> list[tuple[str, list[Step]]]:
    """Challenges of the benchmark's own catalog: mixed kinds, AND and OR, one to three levels."""
    cases = []
    for item in synthetic_catalog(40).challenges:
        if item.parentChallengeId is not None:
            continue
        for with_prize in (True, False):
            steps = [Step(item, with_prize)]
            fixtures = _fixtures(steps)
            # The engine picks a voucher code at random: one voucher prize keeps it known.
            if fixtures[0].transactions and _vouchers(fixtures) <= 1:
                cases.append((f"synthetic-{item.id}-{with_prize}", steps))
    return cases[:16]


PARENT = challenge(
    6,
    simple_level(K.EARNED_POINTS, 100, [points_reward(5, 10)]),
    simple_level(K.EARNED_POINTS, 300, [badge_reward(6, "silver")]),
)
CHILD = challenge(
    7, simple_level(K.HIT_TIER, 2, [voucher_reward(7, VOUCHER_POOL)]), parent=PARENT.id
)
REPEATABLE_PARENT = challenge(
    8, simple_level(K.REDEEMED_POINTS, 100, [badge_reward(8, "r")]), limited=False
)
CASES: list[tuple[str, list[Step]]] = [
    ("bench-earn", [Step(earn_challenge(1, 100, RewardType.POINTS), True)]),
    (
        "two-levels-every-kind",
        [
            Step(
                challenge(
                    2,
                    level(
                        group(
                            trigger(K.EARNED_POINTS, 300),
                            trigger(K.SUBSCRIBE_VOUCHERS_COUNT, 2, 1),
                            trigger(K.HIT_TIER, 3, 2),
                            trigger(K.TOTAL_POINTS_BALANCE, 500, 3),
                        ),
                        rewards=[voucher_reward(1, VOUCHER_POOL, months=1), points_reward(2, 40)],
                    ),
                    level(
                        group(trigger(K.EARNED_POINTS, 1000), trigger(K.HIT_TIER, 5, 1)),
                        rewards=[badge_reward(3, "gold")],
                    ),
                ),
                True,
            )
        ],
    ),
    (
        "repeatable",
        [
            Step(
                challenge(
                    3,
                    level(
                        group(
                            trigger(K.REDEEMED_POINTS, 200),
                            trigger(K.REDEEMED_VOUCHERS_COUNT, 2, 1),
                        ),
                        rewards=[badge_reward(4, "b")],
                    ),
                    limited=False,
                ),
                True,
            )
        ],
    ),
    ("balance-only", [Step(challenge(4, simple_level(K.TOTAL_POINTS_BALANCE, 800)), False)]),
    (
        "no-rewards-won",
        [Step(challenge(5, simple_level(K.EARNED_POINTS, 50), limited=False), True)],
    ),
    # A parent completed and its prizes claimed, so that its child counts (and wins).
    ("achieved-parent-and-child", [Step(PARENT, False, achieve=True), Step(CHILD, True)]),
    (
        "achieved-parent-with-a-prize",
        [
            Step(REPEATABLE_PARENT, True, achieve=True),
            Step(challenge(9, simple_level(K.HIT_TIER, 2), parent=REPEATABLE_PARENT.id), False),
        ],
    ),
    ("locked-child", [Step(PARENT, False), Step(CHILD, True)]),
    *_synthetic(),
]


def _differences(have: Any, want: Any, path: str = "") -> list[str]:
    """Every field where the stored document and the fixture differ, by its path."""
    if isinstance(have, Mapping) and isinstance(want, Mapping):
        found: list[str] = []
        for key in sorted(set(have) | set(want)):
            where = f"{path}.{key}" if path else str(key)
            if key not in have:
                found.append(f"{where}: only in the fixture ({want[key]!r})")
            elif key not in want:
                found.append(f"{where}: only stored ({have[key]!r})")
            else:
                found += _differences(have[key], want[key], where)
        return found
    if isinstance(have, list) and isinstance(want, list) and len(have) == len(want):
        return [
            d
            for i, (h, w) in enumerate(zip(have, want, strict=True))
            for d in _differences(h, w, f"{path}[{i}]")
        ]
    # Timestamps come back as the client library's datetime subclass; other types must match.
    moments = isinstance(have, datetime) and isinstance(want, datetime)
    same = have == want and (moments or type(have) is type(want))
    return [] if same else [f"{path}: stored {have!r}, fixture {want!r}"]


@pytest.mark.emulator
@pytest.mark.parametrize(("name", "steps"), CASES, ids=[c[0] for c in CASES])
def test_the_fixture_is_what_the_engine_stores_for_the_same_transactions(
    db, monkeypatch, name, steps
):
    fixtures = _fixtures(steps)
    assert any(f.transactions for f in fixtures), name
    install(
        db, [step.challenge for step in steps], [VoucherPool(id=VOUCHER_POOL, codes=[VOUCHER_CODE])]
    )
    # The engine's clock is the fixture's `now`.
    monkeypatch.setattr(process, "Run", functools.partial(Run, now=NOW))
    for fixture in fixtures:
        for data in fixture.transactions:
            transaction_id = f"bench-{data[ledger.SEQUENCE]}"
            db.document(paths.transaction_doc(transaction_id)).set(data)
            process.process_transaction(db, transaction_id, data)
        for claim in fixture.claims:
            assert claim.claimed_at is not None
            prizes_repo.claim_milestone(db, USER, claim.milestone_id, claim.claimed_at)

    stored = db.document(paths.user_doc(USER)).get().to_dict() or {}
    # The Gigya state is apart from the read fixture (bench/gigya_data.py builds its own).
    stored.pop(g.GIGYA, None)
    entries = {step.challenge.id: f.entry for step, f in zip(steps, fixtures, strict=True)}
    if not stored:
        assert not any(entries.values())
    else:
        assert _differences(stored, user_schema.user_document(USER, entries, counted_at=NOW)) == []
    assert (
        _differences(
            _stored(db, paths.milestones_collection(USER)),
            _by_id({m.milestone_id: m.encode() for f in fixtures for m in f.milestones}),
        )
        == []
    )
    assert (
        _differences(
            _stored(db, paths.claims_collection(USER)),
            _by_id({c.milestone_id: c.encode() for f in fixtures for c in f.claims}),
        )
        == []
    )
    # Every challenge with a prize holds it unclaimed, and a child of an achieved parent counts.
    for step, fixture in zip(steps, fixtures, strict=True):
        if step.with_prize and not name.startswith("synthetic") and name != "locked-child":
            assert fixture.state.unclaimed, step.challenge.id
        if step.achieve:
            assert (fixture.state.achieved_at is not None and fixture.claims) or step.with_prize
    if name == "locked-child":
        assert fixtures[1].entry == {} and fixtures[1].transactions


def _stored(db: Any, collection: str) -> dict[str, Any]:
    return {snap.id: snap.to_dict() for snap in db.collection(collection).stream()}


def _by_id(docs: Mapping[int, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in docs.items()}
