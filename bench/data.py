"""What the benchmarks read and count against: catalogs, a user with progress, a partner."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from google.cloud import firestore as _firestore
from google.cloud.firestore_v1.transforms import Increment

from bench.context import BenchContext
from shared.catalog.models import Catalog, Category, Challenge, Group, Level, Reward, Trigger
from shared.enums import (
    DurationType,
    Operator,
    RewardType,
    TransactionType,
    TriggerKind,
    TriggerType,
)
from shared.schema import paths
from shared.schema import user as user_schema
from shared.schema.milestones import Claim, Milestone, Prize
from shared.schema.user import ProgressState, decode_entry

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


# --- the stored documents: what the engine writes for the fixture's transactions ----------------
#
# A challenge's fixture is the engine's result for a few ledger transactions of one user: with a
# prize, transactions meeting every trigger of its first level, sent until the level completes
# (its prizes issued); for a parent of a challenge with a prize, such rounds until its first cycle
# is complete (its `achievedAt` unlocks the child), its prizes then claimed but, with a prize of
# its own, the last; then, as long as the challenge still counts, transactions bringing each kind
# of the current level to 40% of its smallest threshold (states first), so that no level is met.
# The documents are built by replaying the engine's own pure steps (candidates, the counting
# merge, the level-up, issuing and claiming merges, all encoded by shared/schema) on those
# transactions: tests/bench/test_data.py runs the engine and ClaimPrize on the emulator for the
# same transactions and compares the stored documents field by field.

VOUCHER_CODE = "SYN-BENCH"  # the code a voucher prize of the fixture was given
_ACHIEVED_AGO = timedelta(days=3)
_WON_AGO = timedelta(days=2)
_PROGRESS_AGO = timedelta(days=1)


@dataclass(frozen=True)
class ProgressFixture:
    """One challenge's stored entry ({} when nothing counted), milestones, claims, transactions."""

    entry: dict[str, Any]
    milestones: list[Milestone] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def state(self) -> ProgressState:
        """The entry, decoded."""
        return decode_entry(self.entry)


def merged(doc: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """`doc` after a merge-set of `body`, as Firestore applies it (increments, deletes, maps)."""
    out = dict(doc)
    for key, value in body.items():
        if value is _firestore.DELETE_FIELD:
            out.pop(key, None)
        elif isinstance(value, Increment):
            current = out.get(key)
            number = isinstance(current, int | float) and not isinstance(current, bool)
            out[key] = (current if number else 0) + value.value
        elif isinstance(value, Mapping) and value:
            inner = out.get(key)
            out[key] = merged(inner if isinstance(inner, dict) else {}, value)
        else:
            out[key] = value
    return out


def _thresholds(level: Level, pick: Any) -> dict[TriggerKind, float]:
    values: dict[TriggerKind, list[float]] = {}
    for group in level.groups:
        for trigger in group.triggers:
            values.setdefault(trigger.triggerId, []).append(float(trigger.triggerFrequency))
    return {kind: pick(amounts) for kind, amounts in values.items()}


def _below_threshold(level: Level) -> dict[TriggerKind, float]:
    """Per kind of `level`, 40% of its smallest threshold: every trigger unmet, progress shown."""
    return {k: float(int(v * 0.4)) for k, v in _thresholds(level, min).items()}


def _meeting(level: Level) -> dict[TriggerKind, float]:
    """Per kind of `level`, its largest threshold: every trigger met."""
    return _thresholds(level, max)


def _ledger(
    user: str, amounts: Mapping[TriggerKind, float], at: datetime, sequence: int, states_last: bool
) -> list[dict[str, Any]]:
    """Transactions bringing each kind to its amount (states in one transaction), in order."""
    from devtools.ledger import build_transaction

    kinds = TransactionType
    cumulative: list[tuple[TransactionType, dict[str, Any]]] = []
    for kind, amount in sorted(amounts.items()):
        if kind is TriggerKind.EARNED_POINTS and amount > 0:
            cumulative.append((kinds.EARN_POINTS, dict(points=amount)))
        elif kind is TriggerKind.REDEEMED_POINTS and amount > 0:
            cumulative.append((kinds.REDEEM_POINTS, dict(points=amount)))
        elif kind is TriggerKind.SUBSCRIBE_VOUCHERS_COUNT:
            ids = range(math.ceil(amount))
            cumulative += [(kinds.SUBSCRIBE_VOUCHER, dict(voucher_id=f"V{n}")) for n in ids]
        elif kind is TriggerKind.REDEEMED_VOUCHERS_COUNT:
            ids = range(math.ceil(amount))
            cumulative += [(kinds.REDEEM_VOUCHER, dict(voucher_id=f"V{n}")) for n in ids]
    states: list[tuple[TransactionType, dict[str, Any]]] = []
    balance = amounts.get(TriggerKind.TOTAL_POINTS_BALANCE)
    if TriggerKind.HIT_TIER in amounts:
        tier = int(amounts[TriggerKind.HIT_TIER])
        states.append((kinds.TIER_CHANGE, dict(tier=tier, balance_after=balance)))
    elif balance is not None:
        # Only a balance to report: an EarnPoints of nothing carries it.
        states.append((kinds.EARN_POINTS, dict(points=0, balance_after=balance)))
    ordered = cumulative + states if states_last else states + cumulative
    return [
        build_transaction(kind, user, occurred_at=at, sequence=sequence + n, **args)
        for n, (kind, args) in enumerate(ordered)
    ]


def _issued(prize: Prize, voucher_code: str) -> Prize:
    if RewardType(prize.reward_type) is RewardType.VOUCHER:
        return prize.issued(voucher_code)
    return prize.issued()


class _Replay:
    """The engine's pure steps on one user's transactions in one challenge."""

    def __init__(
        self,
        user: str,
        challenge: Challenge,
        now: datetime,
        parent_achieved_at: datetime | None,
        voucher_code: str,
        first_sequence: int,
    ) -> None:
        self.user, self.challenge, self.now = user, challenge, now
        self.parent = ProgressState(achieved_at=parent_achieved_at)
        self.voucher_code = voucher_code
        self.sequence = first_sequence
        self.by_kind = {kind: [challenge] for kind in challenge.trigger_kinds}
        self.entry: dict[str, Any] = {}
        self.milestones: list[Milestone] = []
        self.claims: list[Claim] = []
        self.transactions: list[dict[str, Any]] = []

    @property
    def state(self) -> ProgressState:
        return decode_entry(self.entry)

    def count(self, data: dict[str, Any]) -> bool:
        """Count one transaction as the engine does; whether it completed a level."""
        from shared.engine.candidates import candidates_for, is_unlocked
        from shared.engine.counting import progress_fields
        from shared.engine.settling import current_level, level_up_fields, milestone_doc
        from shared.engine.transaction import parse_transaction
        from shared.progress.evaluation import evaluate_level

        self.transactions.append(data)
        self.sequence += 1
        tx = parse_transaction(data)
        state = self.state
        found = candidates_for(self.by_kind, tx)
        # As the engine: a won limited challenge and a locked child count nothing.
        if (
            not found
            or state.completed
            or not is_unlocked(self.challenge, self.parent, tx.occurred_at)
        ):
            return False
        self.entry = merged(self.entry, progress_fields(found[0], state, tx))
        state = self.state
        _, level = current_level(self.challenge, state)
        if not evaluate_level(level, state).satisfied:
            return False
        milestone = milestone_doc(self.challenge, state, tx, self.now)
        fields, _ = level_up_fields(self.challenge, state, tx, milestone)
        self.entry = merged(self.entry, fields)
        if milestone.prizes:
            prizes = tuple(_issued(p, self.voucher_code) for p in milestone.prizes)
            milestone = replace(milestone, prizes=prizes, issued=True)
            self.entry = merged(self.entry, user_schema.issued_fields(milestone.entry(prizes)))
        self.milestones.append(milestone)
        return True

    def complete_level(self, at: datetime) -> bool:
        """Meet every trigger of the current level, until it completes; whether it did."""
        state = self.state
        level = self.challenge.levels[min(state.level, len(self.challenge.levels) - 1)]
        for data in _ledger(self.user, _meeting(level), at, self.sequence, states_last=True):
            if self.count(data):
                return True
        return False

    def progress(self, at: datetime) -> None:
        """Each kind of the current level at 40% of its smallest threshold (states first)."""
        state = self.state
        level = self.challenge.levels[min(state.level, len(self.challenge.levels) - 1)]
        for data in _ledger(self.user, _below_threshold(level), at, self.sequence, False):
            self.count(data)

    def claim(self, milestones: list[Milestone], at: datetime) -> None:
        """ClaimPrize of each milestone."""
        for milestone in milestones:
            claim = Claim.of(milestone.encode(), milestone.milestone_id, self.user, at)
            self.entry = merged(self.entry, user_schema.claimed_fields(claim.last_claimed()))
            index = self.milestones.index(milestone)
            self.milestones[index] = replace(milestone, claimed=True, claimed_at=at)
            self.claims.append(claim)

    def fixture(self) -> ProgressFixture:
        return ProgressFixture(self.entry, self.milestones, self.claims, self.transactions)


def progress_fixture(
    user: str,
    challenge: Challenge,
    with_prize: bool,
    now: datetime,
    parent_achieved_at: datetime | None = None,
    voucher_code: str = VOUCHER_CODE,
    *,
    achieve: bool = False,
    first_sequence: int = 1,
) -> ProgressFixture:
    """What the engine (and ClaimPrize) store for the user in `challenge` after its transactions.

    `now` is the engine's clock (the document's `updatedAt`, milestones' `createdAt`) and the
    claims' time; the transactions happened three days (a parent's first cycle), two days (the
    won level) and one day (the progress since) before. A child challenge counts from its
    parent's `achievedAt` (`parent_achieved_at`) on. `first_sequence` numbers the transactions
    in the user's ledger.
    """
    replay = _Replay(user, challenge, now, parent_achieved_at, voucher_code, first_sequence)
    if achieve:
        # Level after level until the first cycle is complete (a level that cannot be met ends it).
        while replay.state.achieved_at is None and not replay.state.completed:
            if not replay.complete_level(now - _ACHIEVED_AGO):
                break
        claimed = replay.milestones[:-1] if with_prize else list(replay.milestones)
        replay.claim(claimed, now)
    elif with_prize:
        replay.complete_level(now - _WON_AGO)
    if not replay.state.completed:
        replay.progress(now - _PROGRESS_AGO)
    return replay.fixture()


def _parents_to_achieve(catalog: Catalog) -> set[int]:
    """The challenges whose children hold a prize (and theirs): they must unlock them."""
    by_id = {c.id: c for c in catalog.challenges}
    found: set[int] = set()
    for item in catalog.challenges:
        if item.id % UNCLAIMED_EVERY:
            continue
        parent = item.parentChallengeId
        while parent is not None and parent in by_id and parent not in found:
            found.add(parent)
            parent = by_id[parent].parentChallengeId
    return found


def seed_progress(db: Any, user: str, catalog: Catalog) -> int:
    """Write the user's progress in every challenge; returns how many hold an unclaimed prize."""
    now = _now()
    entries: dict[int, dict[str, Any]] = {}
    achieved: dict[int, datetime | None] = {}
    writes: list[tuple[str, dict[str, Any]]] = []
    unclaimed = 0
    sequence = 1
    parents = _parents_to_achieve(catalog)
    # Parents have smaller ids: their achievement is known before their children count.
    for challenge in sorted(catalog.challenges, key=lambda c: c.id):
        fixture = progress_fixture(
            user,
            challenge,
            challenge.id % UNCLAIMED_EVERY == 0,
            now,
            achieved.get(challenge.parentChallengeId or 0),
            achieve=challenge.id in parents,
            first_sequence=sequence,
        )
        sequence += len(fixture.transactions)
        achieved[challenge.id] = fixture.state.achieved_at
        entries[challenge.id] = fixture.entry
        unclaimed += bool(fixture.state.unclaimed)
        for milestone in fixture.milestones:
            writes.append((paths.milestone_doc(user, milestone.milestone_id), milestone.encode()))
        for claim in fixture.claims:
            writes.append((paths.claim_doc(user, claim.milestone_id), claim.encode()))
    # One user document holds the progress in every challenge (shared/schema/user.py).
    writes.append((paths.user_doc(user), user_schema.user_document(user, entries, counted_at=now)))
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
