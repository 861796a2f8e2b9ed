"""V1 partner clients: `partnerClients/{clientId}` documents, cached in memory for a short time."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from shared.app import ProcessCache
from shared.errors import InternalError
from shared.expiring_lookups import ExpiringLookups
from shared.schema import paths
from shared.schema.credentials import PartnerClientDoc, stored_partner_key

# A ClientId becomes part of Firestore document ids (`authNonces/{clientId}:{nonce}`); starting
# with a letter or digit keeps it clear of the ids Firestore reserves (`.`, `..`, `__x__`).
CLIENT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
KNOWN_TTL_SECONDS = 60.0
# Unknown ids are remembered briefly too, so a caller cannot make every request read Firestore.
UNKNOWN_TTL_SECONDS = 5.0


@dataclass
class _Cached:
    # ClientId -> its key (None when unknown)
    keys: ExpiringLookups[bytes] = field(
        default_factory=lambda: ExpiringLookups(KNOWN_TTL_SECONDS, UNKNOWN_TTL_SECONDS)
    )


_CACHE = ProcessCache("partners", _Cached)


@dataclass(frozen=True)
class PartnerClient:
    """A partner's ClientId and its 32-byte key."""

    client_id: str
    key: bytes

    def __repr__(self) -> str:
        # The key must never reach a log line through a repr.
        return f"PartnerClient(client_id={self.client_id!r}, key=<redacted>)"


def valid_client_id(client_id: str) -> bool:
    """True when `client_id` is a well-formed ClientId."""
    return CLIENT_ID_PATTERN.fullmatch(client_id) is not None


def encode_key(key: bytes) -> str:
    """A key as stored in Firestore: standard base64."""
    return base64.b64encode(key).decode("ascii")


def decode_key(client_id: str, stored: Any) -> bytes:
    """The 32-byte key of a stored client document; a damaged one is a server error."""
    try:
        key = base64.b64decode(str(stored), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise InternalError(f"partner client {client_id} has no valid 32-byte key")
    return key


def client_doc(client_id: str) -> str:
    """The document path of a partner client."""
    return paths.partner_client_doc(client_id)


def _fetch(db: Any, client_id: str) -> bytes | None:
    snapshot = db.document(client_doc(client_id)).get()
    if not snapshot.exists:
        return None
    return decode_key(client_id, stored_partner_key(snapshot.to_dict() or {}))


def get_client(db: Any, client_id: str, now: float | None = None) -> PartnerClient | None:
    """The partner client named `client_id`, or None; reads Firestore at most once a minute."""
    if not valid_client_id(client_id):
        return None
    key = _CACHE.get().keys.get(client_id, lambda: _fetch(db, client_id), now)
    return PartnerClient(client_id, key) if key is not None else None


def save_client(db: Any, client_id: str, key: bytes, name: str) -> None:
    """Create or replace a partner client (replacing rotates its key)."""
    from google.cloud import firestore

    if not valid_client_id(client_id):
        raise ValueError(
            "a ClientId is 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    if len(key) != 32:
        raise ValueError("a partner key is 32 bytes")
    stored = PartnerClientDoc(encode_key(key), name, firestore.SERVER_TIMESTAMP)
    db.document(client_doc(client_id)).set(stored.encode())
    forget(client_id)


def forget(client_id: str) -> None:
    """Drop one client from the cache."""
    _CACHE.get().keys.forget(client_id)


def reset_cache() -> None:
    """Forget every cached client."""
    _CACHE.reset()
