"""One use only for V1 message nonces: `authNonces/{clientId}:{nonce}`, created once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.api_core.exceptions import AlreadyExists

from shared.repository.paths import AUTH_NONCES


def nonce_doc(client_id: str, nonce: str) -> str:
    """The document that records a used nonce of a client."""
    return f"{AUTH_NONCES}/{client_id}:{nonce}"


def use_nonce(db: Any, client_id: str, nonce: str, expires_at: float) -> bool:
    """Record the nonce as used; False when it was used before (a replay).

    `expires_at` (Unix seconds) is when the message falls out of the time window anyway; a
    Firestore TTL policy on `expiresAt` deletes the record some time after that.
    """
    try:
        db.document(nonce_doc(client_id, nonce)).create(
            {"expiresAt": datetime.fromtimestamp(expires_at, UTC)}
        )
    except AlreadyExists:
        return False
    return True
