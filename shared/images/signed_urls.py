"""Signed GET URLs for objects of the images bucket, reused per object for most of their life.

A URL is reused while more than half of its validity remains, so a page of challenges costs no
signature once warm and every URL handed out stays valid for at least half the TTL. Signing
times are rounded down to a quarter of the TTL, so that instances signing the same object in
the same quarter hand out the same URL, which browsers and CDNs can cache.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared.app import ProcessCache
from shared.config import get_settings
from shared.images import signers, v4_signing

MAX_CACHED_URLS = 10_000


@dataclass(frozen=True)
class _Entry:
    url: str
    reuse_until: float


@dataclass
class _Cached:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (public base URL, bucket, object) -> its URL
    urls: dict[tuple[str, str, str], _Entry] = field(default_factory=dict)
    signatures: int = 0


_CACHE = ProcessCache("signed-urls", _Cached)


def signed_url(object_name: str, *, now: float | None = None) -> str:
    """A V4 signed GET URL of `object_name` in the images bucket, valid SIGNED_URL_TTL_SECONDS."""
    settings = get_settings()
    moment = time.time() if now is None else now
    key = (settings.storage_public_base_url, settings.images_bucket, object_name)
    state = _CACHE.get()
    with state.lock:
        entry = state.urls.get(key)
    if entry is not None and moment < entry.reuse_until:
        return entry.url
    ttl = settings.signed_url_ttl_seconds
    step = max(1, ttl // 4)
    signed_at = moment - moment % step
    signer = signers.get_signer()
    unsigned = v4_signing.prepare_get(
        settings.storage_public_base_url,
        settings.images_bucket,
        object_name,
        signer.email,
        datetime.fromtimestamp(int(signed_at), UTC),
        ttl,
    )
    url = unsigned.with_signature(signer.sign(unsigned.to_sign.encode("utf-8")))
    with state.lock:
        state.signatures += 1
        if len(state.urls) >= MAX_CACHED_URLS:
            state.urls.clear()
        state.urls[key] = _Entry(url=url, reuse_until=int(signed_at) + ttl / 2)
    return url


def signature_count() -> int:
    """How many signatures this process has computed since the last reset."""
    state = _CACHE.get()
    with state.lock:
        return state.signatures


def reset_cache() -> None:
    """Forget cached URLs, the signature count and the chosen signer."""
    _CACHE.reset()
    signers.reset_signer()
