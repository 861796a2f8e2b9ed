"""Authentication of a Gigya request: apiKey, then userKey + secret or a signed request.

The order of the checks and every refusal are in docs/GIGYA_AUTH.md. Nothing here logs, and no
error message repeats a secret, a sig or a nonce.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.auth.nonces import use_nonce
from shared.config import Settings
from shared.errors import (
    DuplicateNonceError,
    InvalidApiKeyError,
    InvalidArgumentError,
    InvalidSecretError,
    InvalidSignatureError,
    MissingParameterError,
    RequestExpiredError,
    SecretOverHttpError,
    UnauthorizedUserError,
)
from shared.gigya import credentials
from shared.gigya.signature import normalized_url, verify
from shared.schema import paths

# Nonce records outlive the window a little, so clock jitter cannot reopen it.
NONCE_MARGIN_SECONDS = 60
# A timestamp above this is in milliseconds (the npm SDK sends Date.now()); 10^11 s is year 5138.
MILLISECONDS_ABOVE = 10**11
_NUMBER = re.compile(r"[0-9]{1,20}(\.[0-9]{1,9})?")


@dataclass(frozen=True)
class GigyaCaller:
    """Who called: the site's apiKey and the application's userKey."""

    api_key: str
    user_key: str


def param(params: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """`(key as sent, value)` of a parameter named `name` in any case; empty counts as absent."""
    value = params.get(name)
    if value:
        return name, value
    lowered = name.lower()
    for key, value in params.items():
        if key.lower() == lowered and value:
            return key, value
    return None


def _required(params: Mapping[str, str], name: str) -> str:
    found = param(params, name)
    if found is None:
        raise MissingParameterError(f"{name} is required", parameter=name)
    return found[1]


def timestamp_seconds(raw: str) -> float:
    """A `timestamp` in Unix seconds; values above 10^11 are taken as milliseconds."""
    if _NUMBER.fullmatch(raw) is None:
        raise InvalidArgumentError(
            "timestamp must be the Unix time in seconds (or milliseconds)", parameter="timestamp"
        )
    value = float(raw)
    return value / 1000 if value > MILLISECONDS_ABOVE else value


def expired_details(window: int, now: float, timestamp: float) -> str:
    """Gigya's errorDetails for 403002, with this service's window."""
    return (
        f"The requests timestamp skew more than {window} seconds from the server time. Please "
        "check you server's time and timezone configuration. Server timestamp: "
        f"{int(now)}, Request timestamp: {int(timestamp)}"
    )


def nonce_client_id(user_key: str) -> str:
    """The client id under which an application's nonces are recorded (`authNonces`)."""
    return paths.gigya_nonce_client_id(user_key)


def nonce_key(nonce: str) -> str:
    """A nonce as a document id: its SHA-256 (any text, any length, is a safe, short id)."""
    return hashlib.sha256(nonce.encode("utf-8", "surrogatepass")).hexdigest()


def request_url(request_is_https: bool, host: str | None, path: str) -> str | None:
    """The URL the request reached, normalized; None without a host."""
    if not host:
        return None
    return normalized_url(f"{'https' if request_is_https else 'http'}://{host}", path)


def _application(db: Any, api_key: str, user_key: str) -> credentials.GigyaApplication:
    application = credentials.get_application(db, user_key)
    if application is None or application.api_key != api_key:
        raise UnauthorizedUserError(
            "userKey is not an application key of this site", parameter="userKey"
        )
    return application


def _with_secret(
    db: Any,
    request_is_https: bool,
    api_key: str,
    secret: str,
    params: Mapping[str, str],
    settings: Settings,
) -> GigyaCaller:
    if not request_is_https and not settings.gigya_allow_secret_over_http:
        raise SecretOverHttpError(
            "secret may only be sent over HTTPS; sign the request (timestamp, nonce, sig) instead",
            parameter="secret",
        )
    user_key = _required(params, "userKey")
    application = _application(db, api_key, user_key)
    if not hmac.compare_digest(secret.encode("utf-8"), application.secret.encode("utf-8")):
        raise InvalidSecretError("secret is not this application key's secret", parameter="secret")
    return GigyaCaller(api_key=api_key, user_key=application.user_key)


def _signed(
    db: Any,
    request_is_https: bool,
    method: str,
    path: str,
    api_key: str,
    sig_key: str,
    sig: str,
    params: Mapping[str, str],
    settings: Settings,
    now: float,
    host: str | None,
) -> GigyaCaller:
    user_key = _required(params, "userKey")
    raw_timestamp = _required(params, "timestamp")
    nonce = _required(params, "nonce")
    timestamp = timestamp_seconds(raw_timestamp)
    window = settings.gigya_timestamp_window_seconds
    if abs(now - timestamp) > window:
        raise RequestExpiredError(expired_details(window, now, timestamp), parameter="timestamp")
    application = _application(db, api_key, user_key)
    urls = [normalized_url(base, path) for base in settings.gigya_signed_base_urls]
    own = request_url(request_is_https, host, path)
    if own is not None:
        urls.append(own)
    signed = {k: v for k, v in params.items() if k != sig_key}
    if not verify(application.secret, ("POST", method), urls, signed, sig):
        raise InvalidSignatureError(
            "sig is not the signature of this request by this application key", parameter="sig"
        )
    # Last, so that only a request valid in every other way costs a write.
    expires_at = timestamp + window + NONCE_MARGIN_SECONDS
    if not use_nonce(db, nonce_client_id(application.user_key), nonce_key(nonce), expires_at):
        raise DuplicateNonceError(
            "nonce was already used; use a new nonce for every request", parameter="nonce"
        )
    return GigyaCaller(api_key=api_key, user_key=application.user_key)


def authenticate(
    db: Any,
    request_is_https: bool,
    method: str,
    path: str,
    params: Mapping[str, str],
    settings: Settings,
    now: float,
    *,
    host: str | None = None,
) -> GigyaCaller:
    """The caller of a Gigya request, or the ServiceError that refuses it.

    `host` (the request's Host) adds the request's own URL to the signed base URLs.
    """
    api_key = _required(params, "apiKey")
    if credentials.get_site(db, api_key) is None:
        raise InvalidApiKeyError("apiKey is not the key of a known site", parameter="apiKey")
    secret = param(params, "secret")
    if secret is not None:
        return _with_secret(db, request_is_https, api_key, secret[1], params, settings)
    sig = param(params, "sig")
    if sig is None:
        raise MissingParameterError(
            "sig is required (with userKey, timestamp and nonce), or userKey and secret over HTTPS",
            parameter="sig",
        )
    sig_key, sig_value = sig
    return _signed(
        db,
        request_is_https,
        method,
        path,
        api_key,
        sig_key,
        sig_value,
        params,
        settings,
        now,
        host,
    )
