"""V1 partner messages: AES-256-GCM sealing and opening of `X-Message`, and checking its claims.

Pure functions, no I/O. The wire form is base64url without padding of a 12-byte GCM nonce
followed by the ciphertext and tag of a JSON object; the associated data is the ClientId, so a
message minted for one client cannot be replayed under another's id. The key is never compared:
the GCM tag check (constant-time, inside `cryptography`) is what proves the sender holds it.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.errors import UnauthenticatedError

KEY_BYTES = 32
GCM_NONCE_BYTES = 12
GCM_TAG_BYTES = 16
MIN_CLAIM_NONCE = 16
MAX_CLAIM_NONCE = 128
# The claim nonce becomes part of a Firestore document id, so it is kept to a safe alphabet.
CLAIM_NONCE_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{{MIN_CLAIM_NONCE},{MAX_CLAIM_NONCE}}}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
# Bounds the work an anonymous caller can make us do before the key is even looked at.
MAX_MESSAGE_CHARS = 4096


@dataclass(frozen=True)
class MessageClaims:
    """What a decrypted partner message asserts."""

    time: float
    nonce: str
    method: str
    path: str


def b64url_encode(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url without padding; padding or any other character is refused."""
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not unpadded base64url") from None


def seal(client_id: str, key: bytes, claims: dict[str, Any], iv: bytes | None = None) -> str:
    """Encrypt `claims` for `client_id` under `key` into an `X-Message` value."""
    if len(key) != KEY_BYTES:
        raise ValueError("a partner key is 32 bytes")
    iv = iv if iv is not None else os.urandom(GCM_NONCE_BYTES)
    if len(iv) != GCM_NONCE_BYTES:
        raise ValueError("the GCM nonce is 12 bytes")
    plaintext = json.dumps(claims, separators=(",", ":")).encode("utf-8")
    ciphertext = AESGCM(key).encrypt(iv, plaintext, client_id.encode("utf-8"))
    return b64url_encode(iv + ciphertext)


def open_message(client_id: str, key: bytes, message: str) -> dict[str, Any]:
    """Decrypt an `X-Message`, refusing anything not sealed by this client's key."""
    if len(message) > MAX_MESSAGE_CHARS:
        raise UnauthenticatedError("X-Message is too long")
    try:
        raw = b64url_decode(message)
    except ValueError:
        raise UnauthenticatedError("X-Message is not unpadded base64url") from None
    if len(raw) < GCM_NONCE_BYTES + GCM_TAG_BYTES:
        raise UnauthenticatedError("X-Message is too short to be an AES-GCM message")
    iv, ciphertext = raw[:GCM_NONCE_BYTES], raw[GCM_NONCE_BYTES:]
    try:
        plaintext = AESGCM(key).decrypt(iv, ciphertext, client_id.encode("utf-8"))
    except InvalidTag:
        raise UnauthenticatedError(
            "X-Message could not be decrypted: it was tampered with, or not sealed with this "
            "client's key and ClientId"
        ) from None
    try:
        claims = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: nested too deep for the decoder (only a key holder can send that).
        raise UnauthenticatedError("X-Message does not hold a JSON object") from None
    if not isinstance(claims, dict):
        raise UnauthenticatedError("X-Message does not hold a JSON object")
    return claims


def parse_claims(claims: dict[str, Any]) -> MessageClaims:
    """Check the fields of a decrypted message: time, nonce, method, path."""
    time = claims.get("time")
    if isinstance(time, bool) or not isinstance(time, int | float) or not math.isfinite(time):
        raise UnauthenticatedError("X-Message field time must be a number of Unix seconds")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not CLAIM_NONCE_PATTERN.fullmatch(nonce):
        raise UnauthenticatedError(
            f"X-Message field nonce must be {MIN_CLAIM_NONCE} to {MAX_CLAIM_NONCE} characters "
            "of A-Z, a-z, 0-9, '-' or '_'"
        )
    method = claims.get("method")
    if not isinstance(method, str) or not method:
        raise UnauthenticatedError("X-Message field method must be the HTTP method")
    path = claims.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise UnauthenticatedError("X-Message field path must be the request path")
    return MessageClaims(time=float(time), nonce=nonce, method=method, path=path)


def check_window(claims: MessageClaims, now: float, window_seconds: int) -> None:
    """Refuse a message whose time lies more than `window_seconds` from `now`."""
    age = now - claims.time
    if age > window_seconds:
        raise UnauthenticatedError(
            f"X-Message has expired: its time is more than {window_seconds} seconds ago"
        )
    if age < -window_seconds:
        raise UnauthenticatedError(
            f"X-Message time is more than {window_seconds} seconds in the future; check the clock"
        )


def check_request(claims: MessageClaims, method: str, path: str) -> None:
    """Refuse a message minted for another method or path (the path compared exactly)."""
    if claims.method.upper() != method.upper():
        raise UnauthenticatedError(f"X-Message was minted for method {claims.method}, not {method}")
    if claims.path != path:
        raise UnauthenticatedError(f"X-Message was minted for path {claims.path}, not {path}")
