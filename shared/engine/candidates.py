"""Which challenges a transaction can count for, and what it adds to each. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.catalog.models import Action, Challenge
from shared.engine.transaction import LedgerTransaction
from shared.enums import CUMULATIVE_KIND_OF, TransactionType, TriggerKind
from shared.progress.state import Counter, ProgressState


@dataclass(frozen=True)
class Contribution:
    """What one transaction feeds: cumulative amounts per counter, and observed state values."""

    cumulative: dict[Counter, float] = field(default_factory=dict)
    states: dict[TriggerKind, float] = field(default_factory=dict)

    @property
    def counters(self) -> set[Counter]:
        """Every counter this contribution feeds (state kinds with no action)."""
        return set(self.cumulative) | {(kind, None) for kind in self.states}

    @property
    def kinds(self) -> set[TriggerKind]:
        """Every trigger kind this contribution feeds."""
        return {kind for kind, _ in self.counters}

    @property
    def points(self) -> float:
        """The points it earns (EarnPoints, or an action's points)."""
        return self.cumulative.get(POINTS_COUNTER, 0.0)


POINTS_COUNTER: Counter = (TriggerKind.EARNED_POINTS, None)


@dataclass(frozen=True)
class Candidate:
    """A challenge the transaction may count for, with the part of the contribution it measures."""

    challenge: Challenge
    contribution: Contribution


def contribution_of(tx: LedgerTransaction, action: Action | None = None) -> Contribution:
    """What a valid ledger transaction feeds, by its type (docs/ENGINE.md).

    An Action transaction feeds its action's points and one count of the action, when `action`
    (the catalog's, enabled) is given; otherwise nothing but its balance.
    """
    cumulative: dict[Counter, float] = {}
    kind = CUMULATIVE_KIND_OF.get(tx.type)
    if kind is not None:
        # Points transactions add their points; voucher transactions count one each.
        amount = tx.points if tx.type in _POINTS_TYPES else 1.0
        cumulative[(kind, None)] = float(amount or 0.0)
    if tx.type is TransactionType.ACTION and action is not None and action.enabled:
        if action.points > 0:
            cumulative[POINTS_COUNTER] = float(action.points)
        cumulative[(TriggerKind.PERFORMED_ACTION, action.actionId)] = 1.0
    states: dict[TriggerKind, float] = {}
    if tx.type is TransactionType.TIER_CHANGE and tx.tier is not None:
        states[TriggerKind.HIT_TIER] = float(tx.tier)
    if tx.balanceAfter is not None:
        states[TriggerKind.TOTAL_POINTS_BALANCE] = float(tx.balanceAfter)
    return Contribution(cumulative=cumulative, states=states)


_POINTS_TYPES = {TransactionType.EARN_POINTS, TransactionType.REDEEM_POINTS}


def _restricted(
    contribution: Contribution, challenge: Challenge, action_id: str | None
) -> Contribution:
    kinds = challenge.trigger_kinds
    if action_id is not None and action_id in challenge.actions:
        # A challenge listing the action earns its points and counts it, whatever it measures.
        cumulative = dict(contribution.cumulative)
    else:
        cumulative = {c: v for c, v in contribution.cumulative.items() if c[0] in kinds}
        cumulative.pop((TriggerKind.PERFORMED_ACTION, action_id), None)
    states = {k: v for k, v in contribution.states.items() if k in kinds}
    return Contribution(cumulative=cumulative, states=states)


def candidates_for(
    challenges_by_kind: dict[TriggerKind, list[Challenge]],
    tx: LedgerTransaction,
    challenges_by_action: dict[str, list[Challenge]] | None = None,
    action: Action | None = None,
) -> list[Candidate]:
    """Challenges measuring a kind the transaction feeds (or listing its action) in their window.

    Reward credits count for nothing. Locks are checked later, against stored progress.
    """
    if tx.is_reward:
        return []
    contribution = contribution_of(tx, action)
    action_id = action.actionId if action is not None and action.enabled else None
    moment = tx.occurred_at
    found: dict[int, Challenge] = {}
    for kind in contribution.kinds - {TriggerKind.EARNED_POINTS, TriggerKind.PERFORMED_ACTION}:
        for challenge in challenges_by_kind.get(kind, []):
            if challenge.in_window(moment):
                found[challenge.id] = challenge
    if action_id is None and TriggerKind.EARNED_POINTS in contribution.kinds:
        for challenge in challenges_by_kind.get(TriggerKind.EARNED_POINTS, []):
            if challenge.in_window(moment):
                found[challenge.id] = challenge
    if action_id is not None:
        for challenge in (challenges_by_action or {}).get(action_id, []):
            if challenge.in_window(moment):
                found[challenge.id] = challenge
    candidates = [
        Candidate(challenge, _restricted(contribution, challenge, action_id))
        for _, challenge in sorted(found.items())
    ]
    return [c for c in candidates if c.contribution.counters]


def is_unlocked(challenge: Challenge, parent: ProgressState | None, moment: datetime) -> bool:
    """A child challenge counts only from its parent's `achievedAt` on; others always count."""
    if challenge.parentChallengeId is None:
        return True
    if parent is None or parent.achieved_at is None:
        return False
    return bool(moment >= parent.achieved_at)
