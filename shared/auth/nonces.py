"""One use only for V1 message nonces: `authNonces/{clientId}:{nonce}`, created once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.api_core.exceptions import AlreadyExists

from shared.firestore.writes import Batch
from shared.schema.credentials import AuthNonce
from shared.schema.paths import nonce_doc

__all__ = ["NonceUse", "nonce_doc", "use_nonce"]


def use_nonce(db: Any, client_id: str, nonce: str, expires_at: float) -> bool:
    """Record the nonce as used; False when it was used before (a replay).

    `expires_at` (Unix seconds) is when the message falls out of the time window anyway; a
    Firestore TTL policy on `expiresAt` deletes the record some time after that.
    """
    return NonceUse(db, client_id, nonce, expires_at).recorded()


class NonceUse:
    """A nonce's record on its way (`use_nonce` without waiting): `recorded()` waits for it."""

    def __init__(self, db: Any, client_id: str, nonce: str, expires_at: float) -> None:
        record = AuthNonce(datetime.fromtimestamp(expires_at, UTC))
        # Encoded straight into the commit (shared/firestore/writes.py): every V1 request pays it.
        batch = Batch(db)
        batch.create(nonce_doc(client_id, nonce), record.encode())
        self._sent = batch.send()

    def recorded(self) -> bool:
        """True once the record is written; False when the nonce was recorded before."""
        try:
            self._sent.wait()
        except AlreadyExists:
            return False
        return True
