"""An independent check of a V4 signed URL: rebuild what was signed from the URL alone."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def string_to_sign_of(url: str) -> tuple[bytes, bytes, dict[str, str]]:
    """(string to sign, signature, query parameters) rebuilt from a signed GET URL."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    signature = bytes.fromhex(params.pop("X-Goog-Signature"))
    assert params["X-Goog-SignedHeaders"] == "host"
    # The path is re-encoded from its decoded form, so a mis-encoded URL fails the check.
    path = quote(unquote(parts.path), safe="/~")
    canonical_query = "&".join(
        f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(params.items())
    )
    canonical = "\n".join(
        ["GET", path, canonical_query, f"host:{parts.netloc}", "", "host", "UNSIGNED-PAYLOAD"]
    )
    scope = params["X-Goog-Credential"].split("/", 1)[1]
    to_sign = "\n".join(
        [
            "GOOG4-RSA-SHA256",
            params["X-Goog-Date"],
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    return to_sign.encode(), signature, {**params, "path": parts.path}


def verify_signed_url(url: str, public_key: rsa.RSAPublicKey, now: datetime | None = None) -> None:
    """Raise unless `url`'s signature verifies with `public_key` and it is valid at `now`."""
    to_sign, signature, params = string_to_sign_of(url)
    public_key.verify(signature, to_sign, padding.PKCS1v15(), hashes.SHA256())
    signed = datetime.strptime(params["X-Goog-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert params["X-Goog-Credential"].split("/")[1] == f"{signed:%Y%m%d}"
    moment = now or datetime.now(UTC)
    age = (moment - signed).total_seconds()
    assert 0 <= age < int(params["X-Goog-Expires"]), f"URL not valid now: age {age}s"
