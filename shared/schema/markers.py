"""Counted-event markers: `users/{u}/events/{transactionId}` and `users/{u}/sequences/{n}`.

The engine `create()`s both in its counting batch (the sequence marker when the ledger gives
one), so a transaction, or a ledger entry written again under another id, is counted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

TRANSACTION_ID = "transactionId"
OCCURRED_AT = "occurredAt"
CHALLENGES = "challenges"  # the ids of the challenges it counted for
COUNTED_AT = "countedAt"

NAMES = frozenset({TRANSACTION_ID, OCCURRED_AT, CHALLENGES, COUNTED_AT})


@dataclass(frozen=True)
class EventMarker:
    """What a marker records: the transaction, when it happened and was counted, and where."""

    transaction_id: str
    occurred_at: datetime | None
    challenges: tuple[int, ...]
    counted_at: datetime | None

    @classmethod
    def of(
        cls,
        transaction_id: str,
        occurred_at: datetime,
        challenges: Iterable[int],
        counted_at: datetime,
    ) -> EventMarker:
        """The marker of a counted transaction."""
        return cls(transaction_id, occurred_at, tuple(challenges), counted_at)

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> EventMarker:
        """A stored marker."""
        return cls(
            transaction_id=str(raw.get(TRANSACTION_ID) or ""),
            occurred_at=raw.get(OCCURRED_AT),
            challenges=tuple(int(c) for c in raw.get(CHALLENGES) or ()),
            counted_at=raw.get(COUNTED_AT),
        )

    def encode(self) -> dict[str, Any]:
        """The stored marker."""
        return {
            TRANSACTION_ID: self.transaction_id,
            OCCURRED_AT: self.occurred_at,
            CHALLENGES: list(self.challenges),
            COUNTED_AT: self.counted_at,
        }
