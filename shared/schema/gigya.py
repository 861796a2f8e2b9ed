"""The stored Gigya state: document paths, field names and their typed models.

Three places hold it (docs/GIGYA.md has the layout and the reasons):

- the user document `users/{userKey}`: a top-level `gigya` map, apart from the progress
  entries (`challenges.{id}`) the DSQ list reads, with per catalog challenge the points by hour
  and month, the points redeemed and the variants (`gigya.challenges.{id}`: `GigyaPoints` and
  `VariantState`), the program-wide `_default` challenge (`gigya.default`: `DefaultState`) and
  the action caps (`gigya.actions.{actionId}`: `ActionCapState`); the challenge's points total
  and action counts are the engine's counters in its progress entry (shared/schema/user.py);
- the per-user action and redeem logs (`ActionLogEntry`, `RedeemLogEntry`);
- `leaderboards/{boardId}/entries/{userKey}`: one entry per user and board (a challenge, or a
  variant of one), written by the engine in the same commit that counts the points, and folded
  into `rankTables/{boardId}` by the rank refresher (models: shared/schema/leaderboards.py);
- `gigyaSites/{apiKey}` and `gigyaApplications/{userKey}`: the credentials
  (shared/schema/credentials.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.field_path import FieldPath

from shared.lazy_mapping import LazyMapping
from shared.repository.keys import user_key

DEFAULT_CHALLENGE = "_default"

# --- the user document -------------------------------------------------------------------------
GIGYA = "gigya"  # top-level map of the user document
DEFAULT = "default"  # gigya.default: the `_default` challenge's state
CHALLENGES = "challenges"  # gigya.challenges.{id}: a catalog challenge's Gigya points state
ACTIONS = "actions"  # gigya.actions.{actionId}: cap state; totals.actions.{actionId}: counts

# Points state, the same fields in a challenge entry, in gigya.default and in a variant.
POINTS = "points"  # gigya.default.points and variants' points (a catalog challenge: totals)
HOURS = "hours"  # {h<epochHour>: points}
MONTHS = "months"  # {m<YYYYMM>: points}
REDEEMED = "redeemed"  # points taken by gm.redeemPoints (Increment)
REDEEM_SEQ = "redeemSeq"  # redeems so far: names the next redeem document (its create is the lock)
VARIANTS = "variants"  # {variantId: {points, actions: {actionId: n}, hours, months}}
ACK_LEVEL = "ackLevel"  # gigya.default: the level gm.resetLevelStatus acknowledged
IS_NEW_LEVEL = "isNewLevel"  # a catalog challenge's entry: set by a level-up, reset by the API

# gigya.actions.{actionId}: counted notifications of the action, for the caps.
ACTION_COUNT = "count"  # counted notifications ever: names the next log document
ACTION_LAST_AT = "lastAt"  # when the last counted notification happened
ACTION_DAY = "day"  # the calendar day (program timezone) of `dayCount`
ACTION_DAY_COUNT = "dayCount"  # counted notifications on `day`

# --- per-user logs (their creates are the compare-and-swap of caps and redeems) -----------------
ACTION_LOG = "actionLog"  # users/{u}/actionLog/{actionId}~{n}
REDEEM_LOG = "redeemLog"  # users/{u}/redeemLog/{challengeKey}~{n}
LOG_AT = "at"  # both logs: when the notification or the redeem happened
ACTION_LOG_TRANSACTION_ID = "transactionId"  # actionLog: the notification's transaction
REDEEM_CHALLENGE_ID = "challengeID"  # redeemLog: the challenge as gm.* names it
REDEEM_POINTS = POINTS  # redeemLog: the points taken

# --- leaderboards --------------------------------------------------------------------------------
LEADERBOARDS = "leaderboards"
ENTRIES = "entries"
RANK_TABLES = "rankTables"

# Entry fields the engine writes.
ENTRY_UID = "uid"
ENTRY_TOTAL = "total"  # all-time points on this board (Increment)
ENTRY_HOURS = "hours"  # {h<epochHour>: points} (Increment)
ENTRY_REACHED_AT = "reachedAt"  # when `total` last grew: ties go to who reached a score first
ENTRY_DIRTY = "dirty"  # true after a change the refresher has not folded yet
# Entry fields the refresher writes.
ENTRY_FOLDED = "folded"  # `total` as last folded into the rank table
ENTRY_FOLDED_WEEK = "foldedWeek"  # the 7-day points as last folded
ENTRY_EXPIRES_AT = "expiresAt"  # when the 7-day points next drop (a bucket leaves the window)

VARIANT_SEPARATOR = "~"


def _safe(text: str) -> str:
    # Document ids may not hold "/"; "~" separates a board's challenge and variant.
    return text.replace("%", "%25").replace("/", "%2F").replace("~", "%7E")


def board_id(challenge_key: str, variant_id: str | None = None) -> str:
    """The leaderboard of a challenge (`_default` or a catalog id), or of one of its variants."""
    base = _safe(challenge_key)
    return base if variant_id is None else f"{base}{VARIANT_SEPARATOR}{_safe(variant_id)}"


def entries_collection(board: str) -> str:
    """The collection of a board's entries."""
    return f"{LEADERBOARDS}/{board}/{ENTRIES}"


def entry_doc(board: str, user_id: str) -> str:
    """One user's entry on a board."""
    return f"{entries_collection(board)}/{user_key(user_id)}"


def rank_table_doc(board: str) -> str:
    """A board's materialized rank table."""
    return f"{RANK_TABLES}/{board}"


def action_log_doc(user_doc: str, action_id: str, n: int) -> str:
    """The n-th counted notification of an action by a user (n from 1)."""
    return f"{user_doc}/{ACTION_LOG}/{_safe(action_id)}{VARIANT_SEPARATOR}{n}"


def redeem_log_doc(user_doc: str, challenge_key: str, n: int) -> str:
    """The n-th redeem of a user in a challenge (n from 1)."""
    return f"{user_doc}/{REDEEM_LOG}/{_safe(challenge_key)}{VARIANT_SEPARATOR}{n}"


def variant_id(key: str, value: str) -> str:
    """The variant of an action attribute value: `key:value`."""
    return f"{key}:{value}"


def gigya_path(challenge_id: int) -> FieldPath:
    """The field path of a catalog challenge's Gigya points state in the user document."""
    return FieldPath(GIGYA, CHALLENGES, str(challenge_id))


def default_path() -> FieldPath:
    """The field path of the `_default` challenge's state in the user document."""
    return FieldPath(GIGYA, DEFAULT)


def action_cap_path(action_id: str) -> FieldPath:
    """The field path of one action's cap state in the user document."""
    return FieldPath(GIGYA, ACTIONS, action_id)


def _floats(raw: Any) -> dict[str, float]:
    return {str(k): float(v) for k, v in (raw or {}).items()}


# --- the points state: gigya.challenges.{id}, gigya.default, a variant ---------------------------


@dataclass(frozen=True)
class GigyaPoints:
    """Points by period and redeemed points of one challenge (or `_default`, or a variant)."""

    hours: Mapping[str, float] = field(default_factory=dict)
    months: Mapping[str, float] = field(default_factory=dict)
    redeemed: float = 0.0
    redeem_seq: int = 0

    @classmethod
    def decode(cls, raw: Mapping[str, Any] | None) -> GigyaPoints:
        """The period buckets and redeemed points of a stored map (None for none)."""
        raw = raw or {}
        return cls(
            hours=_floats(raw.get(HOURS)),
            months=_floats(raw.get(MONTHS)),
            redeemed=float(raw.get(REDEEMED) or 0.0),
            redeem_seq=int(raw.get(REDEEM_SEQ) or 0),
        )

    def encode(self) -> dict[str, Any]:
        """The stored map (empty buckets and zero counters left out, as writes leave them)."""
        out: dict[str, Any] = {}
        if self.hours:
            out[HOURS] = dict(self.hours)
        if self.months:
            out[MONTHS] = dict(self.months)
        if self.redeemed:
            out[REDEEMED] = self.redeemed
        if self.redeem_seq:
            out[REDEEM_SEQ] = self.redeem_seq
        return out


@dataclass(frozen=True)
class VariantState:
    """What the actions carrying one attribute value earned in a challenge."""

    points: float = 0.0
    actions: Mapping[str, float] = field(default_factory=dict)
    periods: GigyaPoints = field(default_factory=GigyaPoints)

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> VariantState:
        """One stored variant."""
        return cls(
            points=float(raw.get(POINTS) or 0.0),
            actions=_floats(raw.get(ACTIONS)),
            periods=GigyaPoints.decode(raw),
        )

    def encode(self) -> dict[str, Any]:
        """The stored variant."""
        out = self.periods.encode()
        if self.points:
            out[POINTS] = self.points
        if self.actions:
            out[ACTIONS] = dict(self.actions)
        return out


def _decode_variant(raw: Any) -> VariantState:
    # Looked up when a variant is read, not when the mapping is made; a stored value that is
    # not a map (never written so) reads as an empty variant.
    return VariantState.decode(raw if isinstance(raw, Mapping) else {})


def decode_variants(raw: Mapping[str, Any] | None) -> Mapping[str, VariantState]:
    """The variants of a stored points map, by variant id (each decoded when first read).

    `raw`'s variants may themselves be stored values still to decode (`documents.LazyMap`):
    neither is decoded before a variant is read.
    """
    stored = (raw or {}).get(VARIANTS)
    if not isinstance(stored, Mapping) or not stored:
        return {}
    return LazyMapping(stored, _decode_variant)


def encode_variants(variants: Mapping[str, VariantState]) -> dict[str, Any]:
    """The `variants` field of a points map ({} when there is none)."""
    return {VARIANTS: {vid: v.encode() for vid, v in variants.items()}} if variants else {}


@dataclass(frozen=True)
class ChallengePoints:
    """`gigya.challenges.{id}`: a catalog challenge's points by period, redeems and variants."""

    periods: GigyaPoints = field(default_factory=GigyaPoints)
    variants: Mapping[str, VariantState] = field(default_factory=dict)

    @classmethod
    def decode(cls, raw: Mapping[str, Any] | None) -> ChallengePoints:
        """The stored map (None for none)."""
        return cls(GigyaPoints.decode(raw), decode_variants(raw))

    def encode(self) -> dict[str, Any]:
        """The stored map."""
        return {**self.periods.encode(), **encode_variants(self.variants)}


@dataclass(frozen=True)
class DefaultState:
    """`gigya.default`: the program-wide challenge's points, periods, redeems, variants, ack."""

    points: float = 0.0
    periods: GigyaPoints = field(default_factory=GigyaPoints)
    ack_level: int | None = None
    variants: Mapping[str, VariantState] = field(default_factory=dict)

    @classmethod
    def decode(cls, raw: Mapping[str, Any] | None) -> DefaultState:
        """The stored map (None for none)."""
        raw = raw or {}
        ack = raw.get(ACK_LEVEL)
        return cls(
            points=float(raw.get(POINTS) or 0.0),
            periods=GigyaPoints.decode(raw),
            ack_level=None if ack is None else int(ack),
            variants=decode_variants(raw),
        )

    def encode(self) -> dict[str, Any]:
        """The stored map."""
        out = {**self.periods.encode(), **encode_variants(self.variants)}
        if self.points:
            out[POINTS] = self.points
        if self.ack_level is not None:
            out[ACK_LEVEL] = self.ack_level
        return out


# --- gigya.actions.{actionId}: the caps ---------------------------------------------------------


@dataclass(frozen=True)
class ActionCapState:
    """A user's counted notifications of one action, as the caps need them."""

    count: int = 0
    last_at: datetime | None = None
    day: str | None = None
    day_count: int = 0

    @classmethod
    def decode(cls, raw: Mapping[str, Any] | None) -> ActionCapState:
        """The stored cap state (None for none)."""
        raw = raw or {}
        return cls(
            count=int(raw.get(ACTION_COUNT) or 0),
            last_at=raw.get(ACTION_LAST_AT),
            day=raw.get(ACTION_DAY),
            day_count=int(raw.get(ACTION_DAY_COUNT) or 0),
        )

    def encode(self) -> dict[str, Any]:
        """The stored cap state (every field: a counted notification writes them all)."""
        return {
            ACTION_COUNT: self.count,
            ACTION_LAST_AT: self.last_at,
            ACTION_DAY: self.day,
            ACTION_DAY_COUNT: self.day_count,
        }


# --- the per-user logs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionLogEntry:
    """`users/{u}/actionLog/{actionId}~{n}`: the n-th counted notification of a capped action."""

    transaction_id: str
    at: datetime | None

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> ActionLogEntry:
        """A stored log document."""
        return cls(str(raw.get(ACTION_LOG_TRANSACTION_ID) or ""), raw.get(LOG_AT))

    def encode(self) -> dict[str, Any]:
        """The stored log document."""
        return {ACTION_LOG_TRANSACTION_ID: self.transaction_id, LOG_AT: self.at}


@dataclass(frozen=True)
class RedeemLogEntry:
    """`users/{u}/redeemLog/{challenge}~{n}`: the n-th redeem in a challenge."""

    challenge_id: str | None  # the challenge as gm.* names it
    points: float
    at: datetime | None

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> RedeemLogEntry:
        """A stored log document."""
        label = raw.get(REDEEM_CHALLENGE_ID)
        return cls(
            None if label is None else str(label),
            float(raw.get(REDEEM_POINTS) or 0),
            raw.get(LOG_AT),
        )

    def encode(self) -> dict[str, Any]:
        """The stored log document."""
        return {REDEEM_CHALLENGE_ID: self.challenge_id, REDEEM_POINTS: self.points, LOG_AT: self.at}


# Every stored name of this module, for the test that no module spells one outside this package.
NAMES = frozenset(
    {
        GIGYA,
        DEFAULT,
        CHALLENGES,
        ACTIONS,
        POINTS,
        HOURS,
        MONTHS,
        REDEEMED,
        REDEEM_SEQ,
        VARIANTS,
        ACK_LEVEL,
        IS_NEW_LEVEL,
        ACTION_COUNT,
        ACTION_LAST_AT,
        ACTION_DAY,
        ACTION_DAY_COUNT,
        ACTION_LOG,
        REDEEM_LOG,
        LOG_AT,
        ACTION_LOG_TRANSACTION_ID,
        REDEEM_CHALLENGE_ID,
        LEADERBOARDS,
        ENTRIES,
        RANK_TABLES,
        ENTRY_UID,
        ENTRY_TOTAL,
        ENTRY_HOURS,
        ENTRY_REACHED_AT,
        ENTRY_DIRTY,
        ENTRY_FOLDED,
        ENTRY_FOLDED_WEEK,
        ENTRY_EXPIRES_AT,
    }
)
