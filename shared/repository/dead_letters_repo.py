"""Dead letters: events the engine acknowledged without processing, with the reason.

The engine writes `deadLetters/{transactionId}` (or the CloudEvent id of an undecodable event);
the local deliverer (devtools/eventarc.py) writes `deadLetters/{ce-id}` for an event it could not
deliver. An operator lists, shows and re-drives them (`python -m devtools.dead_letters`,
docs/OPERATIONS.md); a re-drive that succeeds marks its letter (`redrivenAt`, `redriveStatus`,
`redrivenFrom`), and a later failure of the same transaction overwrites the letter whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from google.api_core import exceptions as gexc
from google.cloud import firestore as _firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from shared.clock import utcnow
from shared.schema import dead_letters as schema
from shared.schema import paths
from shared.schema.dead_letters import DeadLetter, Letter

if TYPE_CHECKING:
    from google.cloud import firestore

__all__ = [
    "DATA",
    "FROM_LETTER",
    "FROM_TRANSACTION",
    "PAGE_SIZE",
    "REASON",
    "RECEIVED_AT",
    "REDRIVEN_AT",
    "REDRIVEN_FROM",
    "REDRIVE_STATUS",
    "SOURCE",
    "TRANSACTION_ID",
    "DeadLetter",
    "dead_letter_id",
    "delete_dead_letter",
    "get_dead_letter",
    "letters_of_user",
    "list_dead_letters",
    "mark_redriven",
    "pending_dead_letters",
    "read_dead_letter",
    "read_transaction",
    "record_dead_letter",
]

# A letter's fields and values (shared/schema/dead_letters.py).
REASON = schema.REASON
TRANSACTION_ID = schema.TRANSACTION_ID
DATA = schema.DATA
RECEIVED_AT = schema.RECEIVED_AT
SOURCE = schema.SOURCE
REDRIVEN_AT = schema.REDRIVEN_AT
REDRIVE_STATUS = schema.REDRIVE_STATUS
REDRIVEN_FROM = schema.REDRIVEN_FROM
FROM_TRANSACTION = schema.FROM_TRANSACTION
FROM_LETTER = schema.FROM_LETTER
# Letters read per query when walking them all.
PAGE_SIZE = 200


def dead_letter_id(raw: str) -> str:
    """A document id for a transaction or event id (which may hold `/`)."""
    key = raw.replace("%", "%25").replace("/", "%2F") or "%empty"
    if key in {".", ".."} or (key.startswith("__") and key.endswith("__")):
        key = "%" + key.encode().hex()
    return key[:1400]


def record_dead_letter(
    db: firestore.Client,
    key: str,
    *,
    reason: str,
    transaction_id: str | None,
    data: Mapping[str, Any] | None,
    source: str = schema.SOURCE_ENGINE,
) -> str:
    """Write (or overwrite, on redelivery) `deadLetters/{key}`; returns the document id."""
    doc_id = dead_letter_id(key)
    letter = Letter(reason, transaction_id, utcnow(), source, data)
    db.collection(paths.DEAD_LETTERS).document(doc_id).set(letter.encode())
    return doc_id


def get_dead_letter(db: firestore.Client, key: str) -> dict[str, Any] | None:
    """One dead letter by transaction or event id, or None."""
    snap = db.collection(paths.DEAD_LETTERS).document(dead_letter_id(key)).get()
    return snap.to_dict() if snap.exists else None


def _letters(db: firestore.Client) -> firestore.CollectionReference:
    return db.collection(paths.DEAD_LETTERS)


def list_dead_letters(db: firestore.Client, limit: int | None = None) -> list[DeadLetter]:
    """The letters, newest first (by `receivedAt`), at most `limit` of them."""
    query = _letters(db).order_by(RECEIVED_AT, direction=_firestore.Query.DESCENDING)
    if limit is not None:
        query = query.limit(limit)
    return [DeadLetter(snap.id, snap.to_dict() or {}) for snap in query.stream()]


def read_dead_letter(db: firestore.Client, letter_id: str) -> DeadLetter | None:
    """One letter by its document id (or by the raw transaction or event id it was keyed by)."""
    for doc_id in dict.fromkeys([letter_id, dead_letter_id(letter_id)]):
        if not doc_id or "/" in doc_id:
            continue
        snap = _letters(db).document(doc_id).get()
        if snap.exists:
            return DeadLetter(snap.id, snap.to_dict() or {})
    return None


def pending_dead_letters(db: firestore.Client, page_size: int = PAGE_SIZE) -> Iterator[DeadLetter]:
    """Every letter not re-driven yet, in document id order, read page by page."""
    cursor: Any = None
    while True:
        query = _letters(db).order_by(FieldPath.document_id()).limit(page_size)
        if cursor is not None:
            query = query.start_after(cursor)
        snaps = list(query.stream())
        for snap in snaps:
            letter = DeadLetter(snap.id, snap.to_dict() or {})
            if letter.redriven_at is None:
                yield letter
        if len(snaps) < page_size:
            return
        cursor = snaps[-1]


def read_transaction(db: firestore.Client, transaction_id: str) -> dict[str, Any] | None:
    """The current `transactions/{transaction_id}` document, or None when it is gone."""
    snap = db.document(paths.transaction_doc(transaction_id)).get()
    return (snap.to_dict() or {}) if snap.exists else None


def mark_redriven(
    db: firestore.Client, letter_id: str, status: str, redriven_from: str, now: datetime
) -> bool:
    """Record on the letter that a re-drive succeeded; False when the letter is gone."""
    try:
        _letters(db).document(letter_id).update(schema.redriven_update(now, status, redriven_from))
    except gexc.NotFound:
        return False
    return True


def delete_dead_letter(db: firestore.Client, letter_id: str) -> None:
    """Delete one letter (nothing when it is gone)."""
    _letters(db).document(letter_id).delete()


def letters_of_user(db: firestore.Client, user_id: str) -> list[DeadLetter]:
    """The engine's letters whose transaction names this user (`data.userId`)."""
    query = _letters(db).where(filter=FieldFilter(schema.data_user_path(), "==", user_id))
    return [DeadLetter(snap.id, snap.to_dict() or {}) for snap in query.stream()]
