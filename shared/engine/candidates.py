"""Which challenges a transaction can count for, and what it adds to each. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.catalog.models import Challenge
from shared.engine.transaction import LedgerTransaction
from shared.enums import CUMULATIVE_KIND_OF, TransactionType, TriggerKind
from shared.progress.state import ProgressState


@dataclass(frozen=True)
class Contribution:
    """What one transaction feeds: at most one cumulative amount, and observed state values."""

    cumulative: tuple[TriggerKind, float] | None = None
    states: dict[TriggerKind, float] = field(default_factory=dict)

    @property
    def kinds(self) -> set[TriggerKind]:
        """Every trigger kind this contribution feeds."""
        kinds = set(self.states)
        if self.cumulative is not None:
            kinds.add(self.cumulative[0])
        return kinds


@dataclass(frozen=True)
class Candidate:
    """A challenge the transaction may count for, with the part of the contribution it measures."""

    challenge: Challenge
    contribution: Contribution


def contribution_of(tx: LedgerTransaction) -> Contribution:
    """What a valid ledger transaction feeds, by its type (DOMAIN.md section 6)."""
    cumulative: tuple[TriggerKind, float] | None = None
    kind = CUMULATIVE_KIND_OF.get(tx.type)
    if kind is not None:
        # Points transactions add their points; voucher transactions count one each.
        amount = tx.points if tx.type in _POINTS_TYPES else 1.0
        cumulative = (kind, float(amount or 0.0))
    states: dict[TriggerKind, float] = {}
    if tx.type is TransactionType.TIER_CHANGE and tx.tier is not None:
        states[TriggerKind.HIT_TIER] = float(tx.tier)
    if tx.balanceAfter is not None:
        states[TriggerKind.TOTAL_POINTS_BALANCE] = float(tx.balanceAfter)
    return Contribution(cumulative=cumulative, states=states)


_POINTS_TYPES = {TransactionType.EARN_POINTS, TransactionType.REDEEM_POINTS}


def _restricted(contribution: Contribution, kinds: set[TriggerKind]) -> Contribution:
    cumulative = contribution.cumulative
    if cumulative is not None and cumulative[0] not in kinds:
        cumulative = None
    states = {k: v for k, v in contribution.states.items() if k in kinds}
    return Contribution(cumulative=cumulative, states=states)


def candidates_for(
    challenges_by_kind: dict[TriggerKind, list[Challenge]], tx: LedgerTransaction
) -> list[Candidate]:
    """Challenges measuring a kind the transaction feeds whose window holds `occurredAt`.

    Reward credits count for nothing. Locks are checked later, against stored progress.
    """
    if tx.is_reward:
        return []
    contribution = contribution_of(tx)
    moment = tx.occurred_at
    found: dict[int, Challenge] = {}
    for kind in contribution.kinds:
        for challenge in challenges_by_kind.get(kind, []):
            if challenge.in_window(moment):
                found[challenge.id] = challenge
    return [
        Candidate(challenge, _restricted(contribution, challenge.trigger_kinds))
        for _, challenge in sorted(found.items())
    ]


def is_unlocked(challenge: Challenge, parent: ProgressState | None, moment: datetime) -> bool:
    """A child challenge counts only from its parent's `achievedAt` on; others always count."""
    if challenge.parentChallengeId is None:
        return True
    if parent is None or parent.achieved_at is None:
        return False
    return bool(moment >= parent.achieved_at)
