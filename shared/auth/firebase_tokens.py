"""V2 callers: Firebase ID tokens verified by firebase-admin; the user is `phone_number`, else uid.

With FIREBASE_AUTH_EMULATOR_HOST set, firebase-admin accepts the Auth emulator's unsigned tokens
without contacting the emulator (it decodes them locally), but it then checks neither signature
nor expiry; this module checks expiry itself, and refuses emulator mode unless the Firestore
emulator is in use too, so that a stray variable in production cannot open the door.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from math import isfinite
from typing import Any

from shared.app import ProcessCache
from shared.config import get_settings
from shared.errors import ConfigError, UnauthenticatedError, UnavailableError

# Tolerates a phone whose clock runs a little ahead when the token's iat is checked.
CLOCK_SKEW_SECONDS = 10

_lock = threading.Lock()
# Verified tokens kept, by token, until they expire: a mobile app sends the same ID token for an
# hour, and verifying it again (JWT decoding, signature) is a tenth of a list request's CPU.
VERIFIED_TOKENS_KEPT = 4096


class _Verified:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.claims: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get(self, token: str, moment: float) -> dict[str, Any] | None:
        with self.lock:
            claims = self.claims.get(token)
            if claims is None:
                return None
            if claims["exp"] + CLOCK_SKEW_SECONDS <= moment:
                del self.claims[token]
                return None
            self.claims.move_to_end(token)
            return claims

    def put(self, token: str, claims: dict[str, Any]) -> None:
        with self.lock:
            self.claims[token] = claims
            while len(self.claims) > VERIFIED_TOKENS_KEPT:
                self.claims.popitem(last=False)


_CACHE = ProcessCache("verified-id-tokens", _Verified)


def _app(project: str) -> Any:
    import firebase_admin

    # Named per project so that a changed setting (tests) gets an app of its own. Fetching the
    # keys that verify tokens takes at most one backend attempt (BACKEND_ATTEMPT_SECONDS).
    name = f"challenges-{project}"
    options = {"projectId": project, "httpTimeout": get_settings().backend_attempt_seconds}
    with _lock:
        try:
            return firebase_admin.get_app(name)
        except ValueError:
            return firebase_admin.initialize_app(options=options, name=name)


def bearer_token(header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header."""
    if not header or not header.strip():
        raise UnauthenticatedError(
            "Authorization header is missing; send Authorization: Bearer <Firebase ID token>",
            parameter="Authorization",
        )
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthenticatedError(
            "Authorization header must be 'Bearer <Firebase ID token>'", parameter="Authorization"
        )
    return token.strip()


def user_of(claims: dict[str, Any]) -> str:
    """The user a verified token speaks for: its phone number, else its uid."""
    phone = claims.get("phone_number")
    if isinstance(phone, str) and phone:
        return phone
    uid = claims.get("uid") or claims.get("sub")
    if not isinstance(uid, str) or not uid:
        raise UnauthenticatedError("the ID token names no user", parameter="Authorization")
    return uid


def verify(token: str, now: float | None = None) -> dict[str, Any]:
    """The verified claims of a Firebase ID token; 401 when it is garbled, expired or foreign.

    A token verified before is answered from the process's cache until it expires.
    """
    moment = time.time() if now is None else now
    cached = _CACHE.get().get(token, moment)
    if cached is not None:
        return dict(cached)
    claims = _verify(token, moment)
    _CACHE.get().put(token, claims)
    return dict(claims)


def _verify(token: str, moment: float) -> dict[str, Any]:
    from firebase_admin import auth

    settings = get_settings()
    emulated = settings.auth_emulator_host is not None
    if emulated and not settings.uses_emulators:
        raise ConfigError(
            "FIREBASE_AUTH_EMULATOR_HOST is set but FIRESTORE_EMULATOR_HOST is not: emulator ID "
            "tokens are unsigned and are accepted only with the local emulators"
        )
    try:
        claims: dict[str, Any] = auth.verify_id_token(
            token, app=_app(settings.project), clock_skew_seconds=CLOCK_SKEW_SECONDS
        )
    except auth.ExpiredIdTokenError:
        raise UnauthenticatedError("the ID token has expired", parameter="Authorization") from None
    except auth.RevokedIdTokenError:
        raise UnauthenticatedError("the ID token was revoked", parameter="Authorization") from None
    except auth.CertificateFetchError:
        raise UnavailableError("could not fetch the keys that verify ID tokens") from None
    except (auth.InvalidIdTokenError, ValueError, RecursionError):
        # firebase-admin's messages can quote the token; they are not passed on. RecursionError:
        # a forged token whose JSON nests too deep for the decoder, read before any signature.
        raise UnauthenticatedError(
            "the ID token is not a valid Firebase ID token for this project",
            parameter="Authorization",
        ) from None
    # Checked whatever the mode: in emulator mode firebase-admin checks no expiry at all.
    expires = claims.get("exp")
    if isinstance(expires, bool) or not isinstance(expires, int | float) or not isfinite(expires):
        raise UnauthenticatedError("the ID token has no expiry", parameter="Authorization")
    if expires + CLOCK_SKEW_SECONDS <= moment:
        raise UnauthenticatedError("the ID token has expired", parameter="Authorization")
    return claims
