"""One use only for V1 message nonces: `authNonces/{clientId}:{nonce}`, created once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.api_core.exceptions import AlreadyExists

from shared.firestore.writes import Batch
from shared.schema.credentials import AuthNonce
from shared.schema.paths import nonce_doc

__all__ = ["nonce_doc", "use_nonce"]


def use_nonce(db: Any, client_id: str, nonce: str, expires_at: float) -> bool:
    """Record the nonce as used; False when it was used before (a replay).

    `expires_at` (Unix seconds) is when the message falls out of the time window anyway; a
    Firestore TTL policy on `expiresAt` deletes the record some time after that.
    """
    record = AuthNonce(datetime.fromtimestamp(expires_at, UTC))
    # Encoded straight into the commit (shared/firestore/writes.py): every V1 request pays it.
    batch = Batch(db)
    batch.create(nonce_doc(client_id, nonce), record.encode())
    try:
        batch.commit()
    except AlreadyExists:
        return False
    return True
