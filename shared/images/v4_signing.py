"""Cloud Storage V4 signed URLs (GOOG4-RSA-SHA256), built by hand: pure functions, no I/O.

The canonical request is method, path, canonical query, canonical headers (only `host`), signed
header names and `UNSIGNED-PAYLOAD`, joined by newlines; the string to sign is the algorithm,
the timestamp, the credential scope and the hex SHA-256 of the canonical request. The signer
returns an RSA-SHA256 (PKCS#1 v1.5) signature of that string, hex-encoded into the URL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

ALGORITHM = "GOOG4-RSA-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
MAX_EXPIRES_SECONDS = 7 * 24 * 3600


def quote_path(path: str) -> str:
    """Percent-encode a resource path as V4 does: everything but unreserved characters and '/'."""
    return quote(path, safe="/~")


def quote_param(value: str) -> str:
    """Percent-encode a query name or value as V4 does: everything but unreserved characters."""
    return quote(value, safe="~")


def canonical_query(params: Mapping[str, str]) -> str:
    """The canonical query string: encoded name=value pairs sorted by encoded name."""
    pairs = sorted((quote_param(k), quote_param(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


def canonical_request(method: str, path: str, query: Mapping[str, str], host: str) -> str:
    """The canonical request of a signed URL whose only signed header is `host`."""
    return "\n".join(
        [method, path, canonical_query(query), f"host:{host.lower()}\n", "host", UNSIGNED_PAYLOAD]
    )


def credential_scope(moment: datetime) -> str:
    """`YYYYMMDD/auto/storage/goog4_request` for the day of `moment` (UTC)."""
    return f"{moment.astimezone(UTC):%Y%m%d}/auto/storage/goog4_request"


def timestamp(moment: datetime) -> str:
    """`YYYYMMDDTHHMMSSZ` of `moment` (UTC)."""
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def string_to_sign(request_timestamp: str, scope: str, canonical: str) -> str:
    """The string whose RSA-SHA256 signature goes into the URL."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "\n".join([ALGORITHM, request_timestamp, scope, digest])


@dataclass(frozen=True)
class UnsignedUrl:
    """A signed URL before its signature: what to sign, and how to finish the URL."""

    base_url: str
    path: str
    query: dict[str, str]
    to_sign: str

    def with_signature(self, signature: bytes) -> str:
        """The finished URL, carrying `signature` hex-encoded as `X-Goog-Signature`."""
        query = canonical_query(self.query)
        return f"{self.base_url}{self.path}?{query}&X-Goog-Signature={signature.hex()}"


def prepare_get(
    base_url: str,
    bucket: str,
    object_name: str,
    signer_email: str,
    moment: datetime,
    expires_seconds: int,
) -> UnsignedUrl:
    """Everything of a V4 signed GET URL for `bucket/object_name` but its signature.

    `base_url` is the scheme and host the URL points at (https://storage.googleapis.com, or
    the emulator's http://host:port); path-style addressing is used, so the bucket is in the path.
    """
    if not 1 <= expires_seconds <= MAX_EXPIRES_SECONDS:
        raise ValueError(f"a V4 signed URL is valid 1 to {MAX_EXPIRES_SECONDS} seconds")
    base = base_url.rstrip("/")
    host = urlsplit(base).netloc
    if not host:
        raise ValueError(f"base URL {base_url!r} has no host")
    path = quote_path(f"/{bucket}/{object_name}")
    scope = credential_scope(moment)
    stamp = timestamp(moment)
    query = {
        "X-Goog-Algorithm": ALGORITHM,
        "X-Goog-Credential": f"{signer_email}/{scope}",
        "X-Goog-Date": stamp,
        "X-Goog-Expires": str(expires_seconds),
        "X-Goog-SignedHeaders": "host",
    }
    canonical = canonical_request("GET", path, query, host)
    return UnsignedUrl(
        base_url=base, path=path, query=query, to_sign=string_to_sign(stamp, scope, canonical)
    )
