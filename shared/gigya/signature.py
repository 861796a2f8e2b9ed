"""Gigya request signatures (OAuth1-style HMAC-SHA1), as every Gigya SDK computes them. Pure.

`base_string` = `METHOD&enc(normalized URL)&enc(k1=enc(v1)&k2=enc(v2)...)`, parameters sorted
by key in ordinal order, keys not encoded, `sig` itself left out; the signature is the standard
base64 of HMAC-SHA1 keyed with the base64-decoded secret (docs/GIGYA_AUTH.md).

The npm `gigya` SDK signs falsy values (`0`, `false`) as the empty string but sends them as `0`
and `false`. `verify` therefore also accepts, for each parameter sent as exactly `0` or `false`,
a signature made over the empty string for that parameter; every other value stays bound as
sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from itertools import combinations
from urllib.parse import quote, urlsplit

SIG_PARAM = "sig"
# The values the npm SDK signs as "" while sending them as they print.
NPM_FALSY_VALUES = frozenset({"0", "false"})
# Parameters sent as 0/false whose every combination of blanking is tried; beyond, all or none.
MAX_FALSY_COMBINATIONS_OF = 4
_DEFAULT_PORTS = {"http": 80, "https": 443}


def enc(value: str) -> str:
    """RFC 3986 percent-encoding of the UTF-8 bytes: only A-Z a-z 0-9 - . _ ~ stay as they are."""
    return quote(value, safe="", encoding="utf-8", errors="strict")


def normalized_url(base_url: str, path: str) -> str:
    """`scheme://host[:port]path` with scheme and host lowercased, the port only if not default."""
    parts = urlsplit(base_url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    prefix = parts.path.rstrip("/")
    if not path.startswith("/"):
        path = "/" + path
    return f"{scheme}://{netloc}{prefix}{path}"


def param_string(params: Mapping[str, str]) -> str:
    """`key=enc(value)` joined with `&`, keys sorted in ordinal order and not encoded, no `sig`."""
    return "&".join(f"{key}={enc(params[key])}" for key in sorted(params) if key != SIG_PARAM)


def base_string(method: str, url: str, params: Mapping[str, str]) -> str:
    """The signed text: `METHOD&enc(url)&enc(parameter string)`."""
    return f"{method.upper()}&{enc(url)}&{enc(param_string(params))}"


def decode_secret(secret_b64: str) -> bytes:
    """The HMAC key: the base64-decoded secret (standard or URL-safe, padding optional)."""
    cleaned = secret_b64.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the secret is not base64") from None


def _sign(key: bytes, text: str) -> str:
    digest = hmac.new(key, text.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature(secret_b64: str, method: str, url: str, params: Mapping[str, str]) -> str:
    """The `sig` of a request: base64(HMAC-SHA1(base64decode(secret), base string))."""
    return _sign(decode_secret(secret_b64), base_string(method, url, params))


def _variants(params: Mapping[str, str]) -> Iterable[dict[str, str]]:
    """The parameters as sent, then as the npm SDK may have signed them (some 0/false as "")."""
    signed = {k: v for k, v in params.items() if k != SIG_PARAM}
    yield signed
    falsy = sorted(k for k, v in signed.items() if v in NPM_FALSY_VALUES)
    if not falsy:
        return
    if len(falsy) > MAX_FALSY_COMBINATIONS_OF:
        subsets: Iterable[tuple[str, ...]] = [tuple(falsy)]
    else:
        subsets = (
            subset for size in range(1, len(falsy) + 1) for subset in combinations(falsy, size)
        )
    for subset in subsets:
        yield {**signed, **dict.fromkeys(subset, "")}


def verify(
    secret_b64: str,
    methods: Iterable[str],
    urls: Iterable[str],
    params: Mapping[str, str],
    sig: str,
) -> bool:
    """True when `sig` signs `params` for one of the methods and URLs (constant-time compare)."""
    key = decode_secret(secret_b64)
    given = sig.encode("utf-8")
    method_list = list(dict.fromkeys(m.upper() for m in methods))
    url_list = list(dict.fromkeys(urls))
    try:
        strings = [param_string(variant) for variant in _variants(params)]
    except UnicodeEncodeError:
        return False
    matched = False
    for text in strings:
        encoded = enc(text)
        for url in url_list:
            prefix = f"&{enc(url)}&{encoded}"
            for method in method_list:
                expected = _sign(key, method + prefix).encode("ascii")
                # Every candidate is compared; `|=` keeps the loop free of early exits.
                matched |= hmac.compare_digest(expected, given)
    return matched
