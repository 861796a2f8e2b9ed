"""Authentication of the V1 (partner message) and V2 (Firebase ID token) surfaces."""

from __future__ import annotations

import time

from flask import Request

from shared.auth import firebase_tokens, partner_messages, partners
from shared.auth.caller import Caller
from shared.auth.nonces import use_nonce
from shared.clients import firestore_client
from shared.config import get_settings
from shared.errors import UnauthenticatedError

# Nonce records outlive the window a little, so clock jitter cannot reopen it.
NONCE_MARGIN_SECONDS = 60


def _required_headers(request: Request, *names: str) -> list[str]:
    values = [request.headers.get(name, "").strip() for name in names]
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if len(missing) == 1:
        raise UnauthenticatedError(f"{missing[0]} header is missing", parameter=missing[0])
    if missing:
        raise UnauthenticatedError(
            f"{' and '.join(missing)} headers are missing", parameter=missing[0]
        )
    return values


def authenticate_partner(request: Request, now: float | None = None) -> Caller:
    """A V1 caller from `X-ClientId` and `X-Message` (docs/AUTH.md)."""
    client_id, message = _required_headers(request, "X-ClientId", "X-Message")
    db = firestore_client()
    client = partners.get_client(db, client_id)
    if client is None:
        raise UnauthenticatedError("X-ClientId names no known client", parameter="X-ClientId")
    claims = partner_messages.parse_claims(
        partner_messages.open_message(client.client_id, client.key, message)
    )
    window = get_settings().message_window_seconds
    partner_messages.check_window(claims, time.time() if now is None else now, window)
    partner_messages.check_request(claims, request.method, request.path)
    # Last, so that only a message valid in every other way costs a write.
    expires_at = claims.time + window + NONCE_MARGIN_SECONDS
    if not use_nonce(db, client.client_id, claims.nonce, expires_at):
        raise UnauthenticatedError(
            "X-Message was already used; mint a new message for every request",
            parameter="X-Message",
        )
    return Caller(kind="partner", id=client.client_id)


def authenticate_user(request: Request) -> Caller:
    """A V2 caller from `Authorization: Bearer <Firebase ID token>`."""
    token = firebase_tokens.bearer_token(request.headers.get("Authorization"))
    claims = firebase_tokens.verify(token)
    return Caller(kind="user", id=firebase_tokens.user_of(claims))


def authenticate(request: Request, version: str) -> Caller:
    """The caller of a V1 or V2 request; UnauthenticatedError (401) with the reason otherwise."""
    if version == "v1":
        return authenticate_partner(request)
    if version == "v2":
        return authenticate_user(request)
    raise ValueError(f"unknown surface version {version!r}")
