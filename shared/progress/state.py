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
  `createdAt`, `claimedAt`), listed with empty prizes as docs/API.md shows a claimed milestone.
- `isNewLevel`, `levelUpAt`: set by a level-up (read by the Gigya surface).
- `updatedAt`: when the entry last counted a transaction (the document names the user, the
  entry's key the challenge).
- `totals.actions.<actionId>` / `baseline.actions.<actionId>`: counted notifications of a Gigya
  action (PerformedAction triggers), like the other cumulative counters.
- A challenge's Gigya points state lives apart, in `gigya.challenges.{id}` (the DSQ list does
  not read it): `hours`, `months`, `redeemed`, `redeemSeq`, `variants` (field names in
  shared/schema/gigya.py), parsed here into `GigyaPoints` and joined with `with_gigya`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from shared.enums import TriggerKind
from shared.schema import gigya as g

# What a trigger measures: its kind, and for PerformedAction the action.
Counter = tuple[TriggerKind, str | None]

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


def counter_field(counter: Counter) -> tuple[str, ...]:
    """Where a cumulative counter lives under `totals` (and `baseline`) in an entry."""
    kind, action = counter
    if kind is TriggerKind.PERFORMED_ACTION:
        return (g.ACTIONS, action or "")
    return (COUNTER_FIELD[kind],)


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
class GigyaPoints:
    """Points by period and redeemed points of one challenge (or `_default`, or a variant)."""

    hours: Mapping[str, float] = field(default_factory=dict)
    months: Mapping[str, float] = field(default_factory=dict)
    redeemed: float = 0.0
    redeem_seq: int = 0


@dataclass(frozen=True)
class VariantState:
    """What the actions carrying one attribute value earned in a challenge."""

    points: float = 0.0
    actions: Mapping[str, float] = field(default_factory=dict)
    periods: GigyaPoints = field(default_factory=GigyaPoints)


def parse_points(doc: Mapping[str, Any] | None) -> GigyaPoints:
    """The period buckets and redeemed points of a stored map (None for none)."""
    doc = doc or {}
    return GigyaPoints(
        hours={str(k): float(v) for k, v in (doc.get(g.HOURS) or {}).items()},
        months={str(k): float(v) for k, v in (doc.get(g.MONTHS) or {}).items()},
        redeemed=float(doc.get(g.REDEEMED) or 0.0),
        redeem_seq=int(doc.get(g.REDEEM_SEQ) or 0),
    )


def parse_variants(doc: Mapping[str, Any] | None) -> dict[str, VariantState]:
    """The variants of a stored map, by variant id."""
    found: dict[str, VariantState] = {}
    for vid, raw in ((doc or {}).get(g.VARIANTS) or {}).items():
        if isinstance(raw, Mapping):
            found[str(vid)] = VariantState(
                points=float(raw.get(g.POINTS) or 0.0),
                actions={str(k): float(v) for k, v in (raw.get(g.ACTIONS) or {}).items()},
                periods=parse_points(raw),
            )
    return found


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
    action_totals: Mapping[str, float] = field(default_factory=dict)
    action_baseline: Mapping[str, float] = field(default_factory=dict)
    points: GigyaPoints = field(default_factory=GigyaPoints)
    variants: Mapping[str, VariantState] = field(default_factory=dict)

    def total(self, counter: Counter) -> float:
        """The all-time total of a cumulative counter."""
        kind, action = counter
        if kind is TriggerKind.PERFORMED_ACTION:
            return self.action_totals.get(action or "", 0.0)
        return self.totals.get(kind, 0.0)

    def base(self, counter: Counter) -> float:
        """A cumulative counter's total when the current level began."""
        kind, action = counter
        if kind is TriggerKind.PERFORMED_ACTION:
            return self.action_baseline.get(action or "", 0.0)
        return self.baseline.get(kind, 0.0)

    def achieved(self, kind: TriggerKind, action: str | None = None) -> float:
        """The amount of `kind` (of `action`) achieved toward the current level."""
        if kind.is_cumulative:
            return max(0.0, self.total((kind, action)) - self.base((kind, action)))
        return self.states.get(kind, 0.0)

    @property
    def points_total(self) -> float:
        """All points the challenge earned, every cycle (Gigya's pointsTotal)."""
        return self.totals.get(TriggerKind.EARNED_POINTS, 0.0)

    def with_total(self, counter: Counter | TriggerKind, total: float) -> ProgressState:
        """A copy with one cumulative total replaced (the value a commit returned)."""
        kind, action = counter if isinstance(counter, tuple) else (counter, None)
        if kind is TriggerKind.PERFORMED_ACTION:
            actions = dict(self.action_totals)
            actions[action or ""] = total
            return _replace(self, action_totals=actions)
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


def _actions(raw: Mapping[str, Any] | None) -> dict[str, float]:
    return {str(k): float(v) for k, v in ((raw or {}).get(g.ACTIONS) or {}).items()}


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
        is_new_level=bool(doc.get(g.IS_NEW_LEVEL, False)),
        action_totals=_actions(doc.get("totals")),
        action_baseline=_actions(doc.get("baseline")),
    )


def with_gigya(state: ProgressState, gigya: Mapping[str, Any] | None) -> ProgressState:
    """The progress with the challenge's Gigya points state (`gigya.challenges.{id}`) joined."""
    if not gigya:
        return state
    return _replace(state, points=parse_points(gigya), variants=parse_variants(gigya))
