"""A user's progress in one challenge, as stored in the user document.

`users/{userKey}` holds `userId` and `challenges`, a map from the challenge id (a string) to
the entry this module parses, so one read gives the user's progress in every challenge. The
engine writes the entries with merge-sets and field transforms only (no read-modify-write), so
an entry's shape is the contract between the engine and the read API:

- `totals.<counter>`: cumulative amount counted for the challenge, per cumulative kind
  (`Increment`).
- `baseline.<counter>`: `totals` as they were when the current level began; the current
  level's achieved amount is `totals - baseline`.
- `balance.<orderKey>` / `tier.<orderKey>`: observed state values keyed by ledger order;
  the largest key is the latest state. Older keys are pruned by later writes.
- `cycle`, `level`: the current cycle (repeatable challenges) and level index in it.
- `levelsReached`: levels reached in the current cycle; `completed`: a limited challenge won.
- `achievedAt`: when the user first completed the challenge (unlocks its children).
- `pending.<milestoneId>`: milestones created whose prizes are not yet all issued.
- `unclaimed.<milestoneId>`: prizes won and not claimed (what `prizes` lists).
- `claimedCount`: milestones claimed (limited challenges with one leave the list).
- `lastClaimed`: the most recently claimed milestone (`milestoneId`, `level`, `cycle`,
  `createdAt`, `claimedAt`), listed with empty prizes as seed 001 shows a claimed milestone.
- `isNewLevel`, `levelUpAt`: set by a level-up (read by the Gigya surface).
- `updatedAt`: when the entry last counted a transaction (the document names the user, the
  entry's key the challenge).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from shared.enums import TriggerKind

COUNTER_FIELD: dict[TriggerKind, str] = {
    TriggerKind.EARNED_POINTS: "earnedPoints",
    TriggerKind.SUBSCRIBE_VOUCHERS_COUNT: "subscribedVouchers",
    TriggerKind.REDEEMED_POINTS: "redeemedPoints",
    TriggerKind.REDEEMED_VOUCHERS_COUNT: "redeemedVouchers",
}
STATE_FIELD: dict[TriggerKind, str] = {
    TriggerKind.TOTAL_POINTS_BALANCE: "balance",
    TriggerKind.HIT_TIER: "tier",
}


def order_key(sequence: int | None, occurred_at: datetime) -> str:
    """A key that sorts like the ledger's order: `sequence` first, then `occurredAt`.

    Keys are field names, so they start with a letter and have a fixed width.
    """
    micros = int(occurred_at.astimezone(UTC).timestamp() * 1_000_000)
    return f"k{(sequence or 0):019d}{max(0, micros):019d}"


def latest_state(observed: Mapping[str, Any] | None) -> float | None:
    """The value at the largest order key, or None when nothing was observed."""
    if not observed:
        return None
    return float(observed[max(observed)])


@dataclass(frozen=True)
class ProgressState:
    """A parsed progress entry; an absent entry is the zero state."""

    totals: Mapping[TriggerKind, float] = field(default_factory=dict)
    baseline: Mapping[TriggerKind, float] = field(default_factory=dict)
    states: Mapping[TriggerKind, float] = field(default_factory=dict)
    observed: Mapping[TriggerKind, Mapping[str, Any]] = field(default_factory=dict)
    cycle: int = 0
    level: int = 0
    levels_reached: int = 0
    completed: bool = False
    achieved_at: datetime | None = None
    pending: Mapping[str, Any] = field(default_factory=dict)
    unclaimed: Mapping[str, Any] = field(default_factory=dict)
    claimed_count: int = 0
    last_claimed: Mapping[str, Any] | None = None
    is_new_level: bool = False

    def achieved(self, kind: TriggerKind) -> float:
        """The amount of `kind` achieved toward the current level."""
        if kind.is_cumulative:
            return max(0.0, self.totals.get(kind, 0.0) - self.baseline.get(kind, 0.0))
        return self.states.get(kind, 0.0)

    def with_total(self, kind: TriggerKind, total: float) -> ProgressState:
        """A copy with one cumulative total replaced (the value a commit returned)."""
        totals = dict(self.totals)
        totals[kind] = total
        return _replace(self, totals=totals)

    def with_state(self, kind: TriggerKind, value: float) -> ProgressState:
        """A copy with one state value replaced."""
        states = dict(self.states)
        states[kind] = value
        return _replace(self, states=states)


def _replace(state: ProgressState, **changes: Any) -> ProgressState:
    return replace(state, **changes)


def _counters(raw: Mapping[str, Any] | None) -> dict[TriggerKind, float]:
    raw = raw or {}
    return {kind: float(raw[name]) for kind, name in COUNTER_FIELD.items() if name in raw}


def parse_progress(doc: Mapping[str, Any] | None) -> ProgressState:
    """Build a ProgressState from a stored entry (None for a missing one)."""
    if not doc:
        return ProgressState()
    observed = {kind: dict(doc.get(name) or {}) for kind, name in STATE_FIELD.items()}
    states = {
        kind: value
        for kind, values in observed.items()
        if (value := latest_state(values)) is not None
    }
    return ProgressState(
        totals=_counters(doc.get("totals")),
        baseline=_counters(doc.get("baseline")),
        states=states,
        observed=observed,
        cycle=int(doc.get("cycle", 0)),
        level=int(doc.get("level", 0)),
        levels_reached=int(doc.get("levelsReached", 0)),
        completed=bool(doc.get("completed", False)),
        achieved_at=doc.get("achievedAt"),
        pending=dict(doc.get("pending") or {}),
        unclaimed=dict(doc.get("unclaimed") or {}),
        claimed_count=int(doc.get("claimedCount", 0)),
        last_claimed=doc.get("lastClaimed") or None,
        is_new_level=bool(doc.get("isNewLevel", False)),
    )
