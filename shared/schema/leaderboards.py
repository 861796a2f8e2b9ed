"""Leaderboard entries and rank tables as stored (docs/RANKS.md); names in shared/schema/gigya.py.

`leaderboards/{boardId}/entries/{userKey}` is one user's entry on a board: the engine's
`points_added` merge and the refresher's `folded_update`; `rankTables/{boardId}` holds both
histograms as bytes (shared/gigya/ranks.py encodes them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.cloud import firestore as _firestore
from google.cloud.firestore_v1.field_path import FieldPath

from shared.gigya import periods
from shared.schema.gigya import (
    ENTRY_DIRTY,
    ENTRY_EXPIRES_AT,
    ENTRY_FOLDED,
    ENTRY_FOLDED_WEEK,
    ENTRY_HOURS,
    ENTRY_REACHED_AT,
    ENTRY_TOTAL,
    ENTRY_UID,
)

# rankTables/{boardId}: the histograms of the entries' folded scores (the entries' names).
TABLE_FOLDED = ENTRY_FOLDED
TABLE_FOLDED_WEEK = ENTRY_FOLDED_WEEK


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class BoardEntry:
    """One user's entry on a board, as stored."""

    uid: str
    total: float
    hours: dict[str, float]
    reached_at: datetime | None
    folded: float | None
    folded_week: float | None
    dirty: bool = False
    expires_at: datetime | None = None

    def points_7days(self, now: datetime) -> float:
        """The user's points in the 7-day window at `now` (fresh, from the hour buckets)."""
        return periods.points_7days(self.hours, now)

    @classmethod
    def decode(cls, raw: Mapping[str, Any], fallback_uid: str = "") -> BoardEntry:
        """A stored entry; `fallback_uid` (the document's) when it names no user."""
        hours = raw.get(ENTRY_HOURS)
        expires = raw.get(ENTRY_EXPIRES_AT)
        return cls(
            uid=str(raw.get(ENTRY_UID) or fallback_uid),
            total=_number(raw.get(ENTRY_TOTAL)) or 0,
            hours=dict(hours) if isinstance(hours, dict) else {},
            reached_at=raw.get(ENTRY_REACHED_AT),
            folded=_number(raw.get(ENTRY_FOLDED)),
            folded_week=_number(raw.get(ENTRY_FOLDED_WEEK)),
            dirty=raw.get(ENTRY_DIRTY) is True,
            expires_at=expires if isinstance(expires, datetime) else None,
        )

    def encode(self) -> dict[str, Any]:
        """The stored entry (the refresher's fields only once it folded the entry)."""
        out: dict[str, Any] = {
            ENTRY_UID: self.uid,
            ENTRY_TOTAL: self.total,
            ENTRY_HOURS: dict(self.hours),
            ENTRY_REACHED_AT: self.reached_at,
            ENTRY_DIRTY: self.dirty,
        }
        if self.folded is not None:
            out[ENTRY_FOLDED] = self.folded
        if self.folded_week is not None:
            out[ENTRY_FOLDED_WEEK] = self.folded_week
        if self.expires_at is not None:
            out[ENTRY_EXPIRES_AT] = self.expires_at
        return out


def entry_hours(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The hour buckets of a stored entry ({} when none)."""
    hours = raw.get(ENTRY_HOURS)
    return hours if isinstance(hours, dict) else {}


def entry_total(raw: Mapping[str, Any]) -> float:
    """The all-time points of a stored entry."""
    return _number(raw.get(ENTRY_TOTAL)) or 0


def entry_folded(raw: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """The all-time and 7-day scores a stored entry was last folded with (None: never)."""
    return _number(raw.get(ENTRY_FOLDED)), _number(raw.get(ENTRY_FOLDED_WEEK))


def entry_due(raw: Mapping[str, Any], now: datetime) -> bool:
    """Whether a stored entry is to be folded: changed, or its 7-day points dropped."""
    if raw.get(ENTRY_DIRTY) is True:
        return True
    expires = raw.get(ENTRY_EXPIRES_AT)
    return isinstance(expires, datetime) and expires <= now


def points_added(user_id: str, points: float, hour_key: str, now: datetime) -> dict[str, Any]:
    """The engine's blind merge-set of a user's entry: `points` more, in hour bucket `hour_key`."""
    return {
        ENTRY_UID: user_id,
        ENTRY_TOTAL: _firestore.Increment(points),
        ENTRY_HOURS: {hour_key: _firestore.Increment(points)},
        ENTRY_REACHED_AT: now,
        ENTRY_DIRTY: True,
    }


def folded_update(
    total: float, week: float, expiry: datetime | None, stale_hours: Iterable[str]
) -> dict[str, Any]:
    """The refresher's update of an entry it folded (stale hour buckets deleted)."""
    update: dict[str, Any] = {
        ENTRY_FOLDED: total,
        ENTRY_FOLDED_WEEK: week,
        ENTRY_EXPIRES_AT: _firestore.DELETE_FIELD if expiry is None else expiry,
        ENTRY_DIRTY: False,
    }
    for key in stale_hours:
        update[FieldPath(ENTRY_HOURS, key).to_api_repr()] = _firestore.DELETE_FIELD
    return update


def score_field(week: bool) -> str:
    """The entry field a top list orders: the live `total`, or the folded 7-day points."""
    return ENTRY_FOLDED_WEEK if week else ENTRY_TOTAL


def top_list_fields(score: str) -> list[str]:
    """What a top list reads of each entry."""
    return [ENTRY_UID, score, ENTRY_REACHED_AT]


@dataclass(frozen=True)
class RankTableDoc:
    """`rankTables/{boardId}`: both histograms, as shared/gigya/ranks.py encodes them."""

    folded: bytes | None = None
    folded_week: bytes | None = None

    @classmethod
    def decode(cls, raw: Mapping[str, Any] | None) -> RankTableDoc:
        """A stored table (None for none)."""
        raw = raw or {}
        return cls(raw.get(TABLE_FOLDED), raw.get(TABLE_FOLDED_WEEK))

    def encode(self) -> dict[str, Any]:
        """The stored table."""
        return {TABLE_FOLDED: self.folded, TABLE_FOLDED_WEEK: self.folded_week}
