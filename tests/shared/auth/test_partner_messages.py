"""Sealing, opening and checking V1 partner messages (pure, no I/O)."""

from __future__ import annotations

import base64
import json
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from shared.auth import partner_messages as pm
from shared.errors import UnauthenticatedError

KEY = bytes(range(32))
CLAIMS = {"time": 1_795_000_000, "nonce": "n" * 16, "method": "GET", "path": "/api/v1/x"}


def test_message_is_unpadded_base64url_of_iv_and_gcm_ciphertext() -> None:
    iv = b"\x01" * 12
    message = pm.seal("acme", KEY, CLAIMS, iv=iv)
    assert "=" not in message and "+" not in message and "/" not in message
    raw = base64.urlsafe_b64decode(message + "=" * (-len(message) % 4))
    assert raw[:12] == iv
    # Decrypting independently with the documented parameters gives back the JSON claims.
    plaintext = AESGCM(KEY).decrypt(iv, raw[12:], b"acme")
    assert json.loads(plaintext) == CLAIMS


def test_open_returns_the_claims() -> None:
    assert pm.open_message("acme", KEY, pm.seal("acme", KEY, CLAIMS)) == CLAIMS


def test_wrong_key_or_client_cannot_open() -> None:
    message = pm.seal("acme", KEY, CLAIMS)
    with pytest.raises(UnauthenticatedError, match="could not be decrypted"):
        pm.open_message("acme", os.urandom(32), message)
    with pytest.raises(UnauthenticatedError, match="could not be decrypted"):
        pm.open_message("other", KEY, message)


@given(st.integers(min_value=0, max_value=200), st.integers(min_value=1, max_value=255))
def test_any_flipped_byte_is_refused(position: int, flip: int) -> None:
    raw = bytearray(pm.b64url_decode(pm.seal("acme", KEY, CLAIMS)))
    raw[position % len(raw)] ^= flip
    with pytest.raises(UnauthenticatedError):
        pm.open_message("acme", KEY, pm.b64url_encode(bytes(raw)))


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("abc=", "base64url"),
        ("ab+/", "base64url"),
        ("a", "base64url"),
        ("AAAA", "too short"),
        ("A" * 5000, "too long"),
    ],
)
def test_malformed_messages_are_refused_with_a_reason(message: str, reason: str) -> None:
    with pytest.raises(UnauthenticatedError, match=reason):
        pm.open_message("acme", KEY, message)


def test_padded_form_of_a_valid_message_is_refused() -> None:
    message = pm.seal("acme", KEY, CLAIMS)
    padded = message + "=" * (-len(message) % 4)
    if padded == message:
        padded = message + "=="
    with pytest.raises(UnauthenticatedError, match="base64url"):
        pm.open_message("acme", KEY, padded)


@pytest.mark.parametrize(
    "plaintext", [b"not json", b"[1, 2]", b"\xff\xfe", b"[" * 1400 + b"]" * 1400]
)
def test_non_object_plaintext_is_refused(plaintext: bytes) -> None:
    iv = os.urandom(12)
    message = pm.b64url_encode(iv + AESGCM(KEY).encrypt(iv, plaintext, b"acme"))
    with pytest.raises(UnauthenticatedError, match="JSON object"):
        pm.open_message("acme", KEY, message)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time": "now"}, "time"),
        ({"time": True}, "time"),
        ({"time": None}, "time"),
        ({"time": float("nan")}, "time"),
        ({"time": float("inf")}, "time"),
        ({"nonce": "short"}, "nonce"),
        ({"nonce": "has/slash-and-more-chars"}, "nonce"),
        ({"nonce": 12345678901234567}, "nonce"),
        ({"method": ""}, "method"),
        ({"path": "api/v1/x"}, "path"),
        ({"path": None}, "path"),
    ],
)
def test_claims_are_checked_field_by_field(change: dict, field: str) -> None:
    with pytest.raises(UnauthenticatedError, match=f"field {field}"):
        pm.parse_claims({**CLAIMS, **change})


def test_window_refuses_old_and_future_messages_with_distinct_reasons() -> None:
    claims = pm.parse_claims(CLAIMS)
    pm.check_window(claims, CLAIMS["time"] + 300, 300)
    pm.check_window(claims, CLAIMS["time"] - 300, 300)
    with pytest.raises(UnauthenticatedError, match="expired"):
        pm.check_window(claims, CLAIMS["time"] + 301, 300)
    with pytest.raises(UnauthenticatedError, match="future"):
        pm.check_window(claims, CLAIMS["time"] - 301, 300)


def test_method_and_path_must_match_exactly() -> None:
    claims = pm.parse_claims(CLAIMS)
    pm.check_request(claims, "GET", "/api/v1/x")
    with pytest.raises(UnauthenticatedError, match="method"):
        pm.check_request(claims, "POST", "/api/v1/x")
    with pytest.raises(UnauthenticatedError, match="path"):
        pm.check_request(claims, "GET", "/api/v1/X")
    with pytest.raises(UnauthenticatedError, match="path"):
        pm.check_request(claims, "GET", "/api/v2/x")


def test_seal_rejects_a_short_key() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        pm.seal("acme", b"k" * 16, CLAIMS)
