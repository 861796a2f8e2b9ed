"""Dead letters: events the engine acknowledged without processing, with the reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shared.clock import utcnow
from shared.repository import paths

if TYPE_CHECKING:
    from google.cloud import firestore


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
    source: str = "engine",
) -> str:
    """Write (or overwrite, on redelivery) `deadLetters/{key}`; returns the document id."""
    doc_id = dead_letter_id(key)
    db.collection(paths.DEAD_LETTERS).document(doc_id).set(
        {
            "reason": reason,
            "transactionId": transaction_id,
            "data": dict(data) if data is not None else None,
            "receivedAt": utcnow(),
            "source": source,
        }
    )
    return doc_id


def get_dead_letter(db: firestore.Client, key: str) -> dict[str, Any] | None:
    """One dead letter by transaction or event id, or None."""
    snap = db.collection(paths.DEAD_LETTERS).document(dead_letter_id(key)).get()
    return snap.to_dict() if snap.exists else None
