"""`deadLetters/{id}`: events acknowledged without processing, with the reason.

The engine writes a letter per malformed transaction (or undecodable event); the local
deliverer (devtools/eventarc.py) one per event it could not deliver, with its attempts and
target; a re-drive that succeeded adds `redrivenAt`, `redriveStatus` and `redrivenFrom`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.field_path import FieldPath

from shared.schema import ledger

REASON = "reason"
TRANSACTION_ID = "transactionId"
DATA = "data"  # the transaction as the engine read it (engine letters only)
RECEIVED_AT = "receivedAt"
SOURCE = "source"  # SOURCE_ENGINE or SOURCE_DELIVERER
ATTEMPTS = "attempts"  # deliverer letters: delivery attempts made
TARGET = "target"  # deliverer letters: the URL it delivered to
# Written by a re-drive that succeeded.
REDRIVEN_AT = "redrivenAt"
REDRIVE_STATUS = "redriveStatus"  # the engine's outcome status (counted, duplicate, ...)
REDRIVEN_FROM = "redrivenFrom"  # FROM_TRANSACTION or FROM_LETTER

SOURCE_ENGINE = "engine"
SOURCE_DELIVERER = "deliverer"
FROM_TRANSACTION = "transaction"  # the current `transactions/{id}` document
FROM_LETTER = "letter"  # the letter's `data` (the transaction document was gone)

NAMES = frozenset(
    {
        REASON,
        TRANSACTION_ID,
        DATA,
        RECEIVED_AT,
        SOURCE,
        ATTEMPTS,
        TARGET,
        REDRIVEN_AT,
        REDRIVE_STATUS,
        REDRIVEN_FROM,
    }
)


def data_user_path() -> str:
    """The field path of the user a letter's transaction names (`data.userId`)."""
    return FieldPath(DATA, ledger.USER_ID).to_api_repr()


@dataclass(frozen=True)
class Letter:
    """A letter's fields, as written."""

    reason: str
    transaction_id: str | None
    received_at: datetime | None
    source: str
    data: Mapping[str, Any] | None = None
    attempts: int | None = None
    target: str | None = None
    redriven_at: datetime | None = None
    redrive_status: str | None = None
    redriven_from: str | None = None

    def encode(self) -> dict[str, Any]:
        """The stored letter: an engine letter always has `data` (None when left out)."""
        out: dict[str, Any] = {
            REASON: self.reason,
            TRANSACTION_ID: self.transaction_id,
            RECEIVED_AT: self.received_at,
            SOURCE: self.source,
        }
        if self.source == SOURCE_DELIVERER:
            out[ATTEMPTS] = self.attempts
            out[TARGET] = self.target
        else:
            out[DATA] = dict(self.data) if self.data is not None else None
        if self.redriven_at is not None:
            out.update(redriven_update(self.redriven_at, self.redrive_status, self.redriven_from))
        return out

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> Letter:
        """A stored letter."""
        letter = DeadLetter("", dict(raw))
        attempts = raw.get(ATTEMPTS)
        target = raw.get(TARGET)
        return cls(
            reason=letter.reason,
            transaction_id=letter.transaction_id,
            received_at=letter.received_at,
            source=letter.source,
            data=letter.data,
            attempts=None if attempts is None else int(attempts),
            target=None if target is None else str(target),
            redriven_at=letter.redriven_at,
            redrive_status=letter.redrive_status,
            redriven_from=letter.redriven_from,
        )


def redriven_update(now: datetime, status: str | None, redriven_from: str | None) -> dict[str, Any]:
    """The update recording on a letter that a re-drive succeeded."""
    return {REDRIVEN_AT: now, REDRIVE_STATUS: status, REDRIVEN_FROM: redriven_from}


@dataclass(frozen=True)
class DeadLetter:
    """One stored letter: its document id and its fields, read on demand."""

    id: str
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """Why the event was not processed."""
        return str(self.fields.get(REASON) or "")

    @property
    def transaction_id(self) -> str | None:
        """The transaction's document id, when the event named one."""
        value = self.fields.get(TRANSACTION_ID)
        return str(value) if value else None

    @property
    def data(self) -> dict[str, Any] | None:
        """The transaction as the engine read it (None in the deliverer's letters)."""
        value = self.fields.get(DATA)
        return dict(value) if isinstance(value, dict) else None

    @property
    def received_at(self) -> datetime | None:
        """When the letter was (last) written."""
        value = self.fields.get(RECEIVED_AT)
        return value if isinstance(value, datetime) else None

    @property
    def source(self) -> str:
        """Who wrote it: `engine` or `deliverer`."""
        return str(self.fields.get(SOURCE) or "")

    @property
    def redriven_at(self) -> datetime | None:
        """When a re-drive of it last succeeded (None: still to re-drive)."""
        value = self.fields.get(REDRIVEN_AT)
        return value if isinstance(value, datetime) else None

    @property
    def redrive_status(self) -> str | None:
        """The engine's outcome status of that re-drive."""
        value = self.fields.get(REDRIVE_STATUS)
        return str(value) if value else None

    @property
    def redriven_from(self) -> str | None:
        """What that re-drive read: FROM_TRANSACTION or FROM_LETTER."""
        value = self.fields.get(REDRIVEN_FROM)
        return str(value) if value else None
