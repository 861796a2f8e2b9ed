"""The user document `users/{userKey}` and its challenge entries: names, model, writes.

The document holds `userId`, `updatedAt` (when the engine last counted a transaction for the
user), `challenges` (a map from the challenge id, as a string, to the entry `ProgressState`
decodes), `listing` and `listingVersion` (below) and `gigya` (shared/schema/gigya.py), so one
read gives the user's progress in every challenge. The engine writes entries with merge-sets
and field transforms only (no read-modify-write): the fragments below (`counted_fields`,
`level_up_fields`, `issued_fields`, `claimed_fields`, `reset_level_fields`), wrapped by
`merge_body`, are every write an entry gets. An entry's fields:

- `totals.<counter>`: cumulative amount counted for the challenge, per cumulative kind
  (`Increment`); `totals.actions.<actionId>`: counted notifications of a Gigya action.
- `baseline.<counter>`: `totals` as they were when the current level began; the current
  level's achieved amount is `totals - baseline`.
- `balance.<orderKey>` / `tier.<orderKey>`: observed state values keyed by ledger order;
  the largest key is the latest state. Older keys are pruned by later writes.
- `cycle`, `level`: the current cycle (repeatable challenges) and level index in it;
  `levelsReached`: levels reached in the current cycle; `completed`: a limited challenge won.
  Written together by every level-up, absent before the first.
- `achievedAt`: when the user first completed the challenge (unlocks its children).
- `pending.<milestoneId>`: milestones created whose prizes are not yet all issued (an empty
  map once they are); `unclaimed.<milestoneId>`: prizes won and not claimed (what `prizes`
  lists); `lastClaimed`: the most recently claimed milestone, listed with empty prizes as
  docs/API.md shows a claimed milestone (all three: `MilestoneEntry`).
- `claimedCount`: milestones claimed (limited challenges with one leave the list).
- `isNewLevel`: set by a level-up, removed by gm.resetLevelStatus (read by the Gigya surface).

`listing.{challengeId}` mirrors, for every challenge, the two things the list's exclusions ask
of an entry: `unclaimed.{milestoneId}` (true while the entry's is there) and `claimedCount`.
`merge_body` writes the mirror from the entry's own fragments, in the same write, so the two
cannot differ; the list reads it with the entries of one page only, not every entry. The
mirror is complete (covers every entry) when `listingVersion` is present: set when the document
is written whole or created by a write that knew it was absent. A document older than the
mirror lacks it: the list reads it whole and writes its whole mirror once (`listing_document`,
conditional on the document being unchanged since the read), docs/DESIGN.md, "The list's read".

Entries carry no timestamp the document or the milestones already hold: when a level was
reached is its milestone's `createdAt`, the time of the last counting write the document's
`updatedAt` (written once per event, not once per challenge counted). `isNewLevel` is stored
only while true. Entries written before keep `updatedAt`, `levelUpAt` and `isNewLevel: false`
until rewritten; `decode_entry` ignores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.cloud import firestore as _firestore
from google.cloud.firestore_v1.field_path import FieldPath

from shared.enums import TriggerKind
from shared.schema import gigya as g
from shared.schema.milestones import MilestoneEntry

# --- the document --------------------------------------------------------------------------------
USER_ID = "userId"
UPDATED_AT = "updatedAt"  # when the engine last counted a transaction for the user
CHALLENGES = "challenges"  # challenges.{challengeId}: the entries
GIGYA = g.GIGYA
LISTING = "listing"  # listing.{challengeId}: the entry's unclaimed keys and claimed count
LISTING_VERSION = "listingVersion"  # present: `listing` mirrors every entry
LISTING_COMPLETE = 1  # the value of `listingVersion`

# --- a challenge entry ---------------------------------------------------------------------------
TOTALS = "totals"
BASELINE = "baseline"
CYCLE = "cycle"
LEVEL = "level"
LEVELS_REACHED = "levelsReached"
COMPLETED = "completed"
ACHIEVED_AT = "achievedAt"
PENDING = "pending"
UNCLAIMED = "unclaimed"
CLAIMED_COUNT = "claimedCount"
LAST_CLAIMED = "lastClaimed"
IS_NEW_LEVEL = g.IS_NEW_LEVEL
TOTAL_ACTIONS = g.ACTIONS  # totals.actions.{actionId} (and baseline.actions)

# Where each kind is kept: cumulative counters under `totals`/`baseline`, observed states.
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

NAMES = frozenset(
    {
        USER_ID,
        CHALLENGES,
        LISTING,
        LISTING_VERSION,
        TOTALS,
        BASELINE,
        CYCLE,
        LEVEL,
        LEVELS_REACHED,
        COMPLETED,
        ACHIEVED_AT,
        PENDING,
        UNCLAIMED,
        CLAIMED_COUNT,
        LAST_CLAIMED,
        IS_NEW_LEVEL,
        UPDATED_AT,
        TOTAL_ACTIONS,
        *COUNTER_FIELD.values(),
        *STATE_FIELD.values(),
    }
)

# What a trigger measures: its kind, and for PerformedAction the action.
Counter = tuple[TriggerKind, str | None]


def counter_field(counter: Counter) -> tuple[str, ...]:
    """Where a cumulative counter lives under `totals` (and `baseline`) in an entry."""
    kind, action = counter
    if kind is TriggerKind.PERFORMED_ACTION:
        return (TOTAL_ACTIONS, action or "")
    return (COUNTER_FIELD[kind],)


def stored_number(amount: float) -> int | float:
    """A number as the engine stores it: whole numbers as integers."""
    return int(amount) if float(amount).is_integer() else amount


def latest_state(observed: Mapping[str, Any] | None) -> float | None:
    """The value at the largest order key, or None when nothing was observed."""
    if not observed:
        return None
    return float(observed[max(observed)])


# --- paths in the document -----------------------------------------------------------------------


def entry_path(challenge_id: int, *fields: str) -> FieldPath:
    """The field path of one challenge's entry (or a field in it) in the user document."""
    return FieldPath(CHALLENGES, str(challenge_id), *fields)


def totals_path(challenge_id: int, counter: Counter) -> FieldPath:
    """The field path of a challenge's cumulative total of one counter."""
    return entry_path(challenge_id, TOTALS, *counter_field(counter))


def entries(doc: Mapping[str, Any] | None) -> dict[int, dict[str, Any]]:
    """The stored challenge entries of a user document, by challenge id."""
    found: dict[int, dict[str, Any]] = {}
    for key, entry in ((doc or {}).get(CHALLENGES) or {}).items():
        if key.isdigit() and isinstance(entry, dict):
            found[int(key)] = entry
    return found


def gigya_map(doc: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The `gigya` map of a user document ({} when none)."""
    found = (doc or {}).get(GIGYA)
    return found if isinstance(found, Mapping) else {}


def gigya_points_of(doc: Mapping[str, Any] | None, challenge_id: int) -> Mapping[str, Any]:
    """The stored Gigya points map of one catalog challenge ({} when none)."""
    return (gigya_map(doc).get(g.CHALLENGES) or {}).get(str(challenge_id)) or {}


def default_of(doc: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The stored `gigya.default` map ({} when none)."""
    return gigya_map(doc).get(g.DEFAULT) or {}


def action_cap_of(doc: Mapping[str, Any] | None, action_id: str) -> Mapping[str, Any]:
    """The stored cap state of one action ({} when none)."""
    return (gigya_map(doc).get(g.ACTIONS) or {}).get(action_id) or {}


# --- the entry, decoded --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressState:
    """A decoded challenge entry (with its Gigya points joined); an absent entry is the zero state.

    `pending`, `unclaimed` and `last_claimed` keep the stored maps (`MilestoneEntry.decode`
    reads one); `states` holds the latest value of each observed kind.
    """

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
    points: g.GigyaPoints = field(default_factory=g.GigyaPoints)
    variants: Mapping[str, g.VariantState] = field(default_factory=dict)

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

    def evolve(self, **changes: Any) -> ProgressState:
        """A copy with some fields changed (`dataclasses.replace`, for the event path)."""
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"ProgressState has no field {sorted(unknown)}")
        # `replace` runs __init__ with every field; an event copies a state a few times per
        # challenge, so the instance's fields are copied as they are instead.
        copy = object.__new__(ProgressState)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    def with_total(self, counter: Counter | TriggerKind, total: float) -> ProgressState:
        """A copy with one cumulative total replaced (the value a commit returned)."""
        kind, action = counter if isinstance(counter, tuple) else (counter, None)
        if kind is TriggerKind.PERFORMED_ACTION:
            actions = dict(self.action_totals)
            actions[action or ""] = total
            return self.evolve(action_totals=actions)
        totals = dict(self.totals)
        totals[kind] = total
        return self.evolve(totals=totals)

    def with_state(self, kind: TriggerKind, value: float) -> ProgressState:
        """A copy with one state value replaced."""
        states = dict(self.states)
        states[kind] = value
        return self.evolve(states=states)

    def unclaimed_entries(self) -> list[MilestoneEntry]:
        """The unclaimed milestones, decoded."""
        return [MilestoneEntry.decode(e) for e in self.unclaimed.values() if isinstance(e, Mapping)]

    def last_claimed_entry(self) -> MilestoneEntry | None:
        """The most recently claimed milestone, decoded (None when none)."""
        return MilestoneEntry.decode(self.last_claimed) if self.last_claimed else None

    def encode(self) -> dict[str, Any]:
        """The stored entry (without the Gigya points, which live apart)."""
        out: dict[str, Any] = {}
        totals = encode_counters(self.totals, self.action_totals)
        if totals:
            out[TOTALS] = totals
        baseline = encode_counters(self.baseline, self.action_baseline)
        if baseline:
            out[BASELINE] = baseline
        for kind, values in self.observed.items():
            out[STATE_FIELD[kind]] = dict(values)
        if self.cycle or self.level or self.levels_reached or self.completed:
            out.update(position_fields(self.cycle, self.level, self.levels_reached, self.completed))
        if self.achieved_at is not None:
            out[ACHIEVED_AT] = self.achieved_at
        if self.pending:
            out[PENDING] = dict(self.pending)
        if self.unclaimed:
            out[UNCLAIMED] = dict(self.unclaimed)
        if self.claimed_count:
            out[CLAIMED_COUNT] = self.claimed_count
        if self.last_claimed is not None:
            out[LAST_CLAIMED] = dict(self.last_claimed)
        if self.is_new_level:
            out[IS_NEW_LEVEL] = True
        return out


def _counters(raw: Mapping[str, Any] | None) -> dict[TriggerKind, float]:
    raw = raw or {}
    return {kind: float(raw[name]) for kind, name in COUNTER_FIELD.items() if name in raw}


def _actions(raw: Mapping[str, Any] | None) -> dict[str, float]:
    return {str(k): float(v) for k, v in ((raw or {}).get(TOTAL_ACTIONS) or {}).items()}


def encode_counters(
    values: Mapping[TriggerKind, float], actions: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """`totals` or `baseline` as stored: a counter per cumulative kind, actions nested."""
    out: dict[str, Any] = {COUNTER_FIELD[k]: stored_number(v) for k, v in values.items()}
    if actions:
        out[TOTAL_ACTIONS] = {a: stored_number(v) for a, v in actions.items()}
    return out


def decode_entry(
    raw: Mapping[str, Any] | None, gigya: Mapping[str, Any] | None = None
) -> ProgressState:
    """A stored entry as a ProgressState (None for a missing one), its Gigya points joined."""
    points = g.GigyaPoints.decode(gigya) if gigya else g.GigyaPoints()
    variants = g.decode_variants(gigya) if gigya else {}
    if not raw:
        return ProgressState(points=points, variants=variants)
    observed = {kind: dict(raw[name]) for kind, name in STATE_FIELD.items() if name in raw}
    states = {
        kind: value
        for kind, values in observed.items()
        if (value := latest_state(values)) is not None
    }
    totals, baseline = raw.get(TOTALS), raw.get(BASELINE)
    return ProgressState(
        totals=_counters(totals),
        baseline=_counters(baseline),
        states=states,
        observed=observed,
        cycle=int(raw.get(CYCLE, 0)),
        level=int(raw.get(LEVEL, 0)),
        levels_reached=int(raw.get(LEVELS_REACHED, 0)),
        completed=bool(raw.get(COMPLETED, False)),
        achieved_at=raw.get(ACHIEVED_AT),
        pending=dict(raw.get(PENDING) or {}),
        unclaimed=dict(raw.get(UNCLAIMED) or {}),
        claimed_count=int(raw.get(CLAIMED_COUNT, 0)),
        last_claimed=raw.get(LAST_CLAIMED) or None,
        is_new_level=bool(raw.get(IS_NEW_LEVEL, False)),
        action_totals=_actions(totals),
        action_baseline=_actions(baseline),
        points=points,
        variants=variants,
    )


def with_gigya(state: ProgressState, gigya: Mapping[str, Any] | None) -> ProgressState:
    """The progress with the challenge's Gigya points state (`gigya.challenges.{id}`) joined."""
    if not gigya:
        return state
    return state.evolve(points=g.GigyaPoints.decode(gigya), variants=g.decode_variants(gigya))


# Read without decoding the entry (the list's exclusions, from the raw protobuf).
def claimed_count_field(fields: Any) -> Any | None:
    """The raw `claimedCount` value of an entry's protobuf fields, or None."""
    # Membership first: indexing a protobuf message map would insert the key.
    if CLAIMED_COUNT not in fields:
        return None
    return fields[CLAIMED_COUNT]


def has_unclaimed_fields(fields: Any) -> bool:
    """Whether an entry's (or its `listing` mirror's) protobuf fields list unclaimed prizes."""
    return UNCLAIMED in fields and bool(fields[UNCLAIMED].map_value.fields)


def listing_complete(fields: Any) -> bool:
    """Whether a user document's raw fields say its `listing` mirrors every entry."""
    return LISTING_VERSION in fields


# --- the writes (merge-set fragments of one entry) -----------------------------------------------


def position_fields(cycle: int, level: int, levels_reached: int, completed: bool) -> dict[str, Any]:
    """Where the user stands in the challenge."""
    return {CYCLE: cycle, LEVEL: level, LEVELS_REACHED: levels_reached, COMPLETED: completed}


def counted_fields(
    increments: Mapping[Counter, Any], observed: Mapping[TriggerKind, Mapping[str, Any]]
) -> dict[str, Any]:
    """The counting merge of one entry: `Increment`s of totals, observed-state changes."""
    fields: dict[str, Any] = {}
    totals: dict[str, Any] = {}
    for counter, increment in increments.items():
        *parents, leaf = counter_field(counter)
        target = totals
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = increment
    if totals:
        fields[TOTALS] = totals
    for kind, changes in observed.items():
        if changes:
            fields[STATE_FIELD[kind]] = dict(changes)
    return fields


def level_up_fields(
    *,
    cycle: int,
    level: int,
    levels_reached: int,
    completed: bool,
    baseline: Mapping[TriggerKind, float],
    action_baseline: Mapping[str, float],
    milestone: MilestoneEntry,
    achieved_at: datetime | None,
) -> dict[str, Any]:
    """The merge of a completed level: the new position, baseline and the milestone's entry.

    A milestone with prizes is `pending` until they are issued; one without is listed at once
    (`unclaimed`, with no prizes).
    """
    fields: dict[str, Any] = position_fields(cycle, level, levels_reached, completed)
    fields[IS_NEW_LEVEL] = True
    counters = encode_counters(baseline, action_baseline)
    if counters:
        fields[BASELINE] = counters
    key = str(milestone.milestone_id)
    if milestone.prizes is None:
        fields[PENDING] = {key: milestone.encode()}
    else:
        fields[UNCLAIMED] = {key: milestone.encode()}
    if achieved_at is not None:
        fields[ACHIEVED_AT] = achieved_at
    return fields


def issued_fields(unclaimed: MilestoneEntry) -> dict[str, Any]:
    """The merge once a milestone's prizes are issued: no longer pending, listed unclaimed."""
    key = str(unclaimed.milestone_id)
    return {PENDING: {key: _firestore.DELETE_FIELD}, UNCLAIMED: {key: unclaimed.encode()}}


def claimed_fields(last_claimed: MilestoneEntry) -> dict[str, Any]:
    """The merge of a claim: no longer unclaimed, counted once, shown as the last claim."""
    return {
        UNCLAIMED: {str(last_claimed.milestone_id): _firestore.DELETE_FIELD},
        CLAIMED_COUNT: _firestore.Increment(1),
        LAST_CLAIMED: last_claimed.encode(),
    }


def reset_level_fields() -> dict[str, Any]:
    """gm.resetLevelStatus's merge: the level acknowledged (`isNewLevel` absent is false)."""
    return {IS_NEW_LEVEL: _firestore.DELETE_FIELD}


def listing_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The `listing` mirror of one entry's write: its `unclaimed` keys and `claimedCount`."""
    mirror: dict[str, Any] = {}
    # Written exactly as the entry's: a merge of an empty map empties both.
    if (unclaimed := fields.get(UNCLAIMED)) is not None:
        mirror[UNCLAIMED] = {
            key: value if value is _firestore.DELETE_FIELD else True
            for key, value in unclaimed.items()
        }
    if CLAIMED_COUNT in fields:
        mirror[CLAIMED_COUNT] = fields[CLAIMED_COUNT]
    return mirror


def listing_document(entries: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """The whole `listing` mirror of stored entries, marked complete (a legacy document's)."""
    listing = {str(cid): m for cid, entry in entries.items() if (m := listing_fields(entry))}
    return {LISTING: listing, LISTING_VERSION: LISTING_COMPLETE}


def merge_body(
    user_id: str,
    fields_by_challenge: Mapping[int, Mapping[str, Any]],
    gigya: Mapping[str, Any] | None = None,
    counted_at: datetime | None = None,
    *,
    complete: bool = False,
) -> dict[str, Any]:
    """The merge-set body writing nested `fields` into each challenge's entry (and `gigya`).

    Each entry's `listing` mirror is written with it. `counted_at` (a counting write's time)
    becomes the document's `updatedAt`; `complete` (the document is absent, or written whole)
    marks the mirror complete.
    """
    body: dict[str, Any] = {USER_ID: user_id}
    if counted_at is not None:
        body[UPDATED_AT] = counted_at
    # An empty map in a merge-set would replace the stored one: only write what there is.
    challenges = {str(cid): dict(fields) for cid, fields in fields_by_challenge.items() if fields}
    if challenges:
        body[CHALLENGES] = challenges
        listing = {cid: m for cid, fields in challenges.items() if (m := listing_fields(fields))}
        if listing:
            body[LISTING] = listing
    if complete:
        body[LISTING_VERSION] = LISTING_COMPLETE
    if gigya:
        body[GIGYA] = dict(gigya)
    return body


def user_document(
    user_id: str,
    entries_by_challenge: Mapping[int, Mapping[str, Any]],
    gigya: Mapping[str, Any] | None = None,
    counted_at: datetime | None = None,
) -> dict[str, Any]:
    """A whole user document (fixtures): entries by challenge id, Gigya state, last counted."""
    return merge_body(user_id, entries_by_challenge, gigya, counted_at, complete=True)
