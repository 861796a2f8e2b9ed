"""Gigya sites (`gigyaSites/{apiKey}`) and application keys (`gigyaApplications/{userKey}`).

A site is `{name, createdAt}`; an application key is `{apiKey, secret, name, createdAt}`, its
secret the standard base64 of 24 random bytes. Reads are cached in memory for a short time, like
shared/auth/partners.py; `reset_cache()` forgets them.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from shared.app import ProcessCache
from shared.expiring_lookups import ExpiringLookups
from shared.schema import paths
from shared.schema.credentials import GigyaApplicationDoc, GigyaSiteDoc

GIGYA_SITES = paths.GIGYA_SITES
GIGYA_APPLICATIONS = paths.GIGYA_APPLICATIONS
# Like Gigya's: `3_` then URL-safe characters; a userKey is `A` then letters and digits.
API_KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,127}")
USER_KEY_PATTERN = re.compile(r"[A-Za-z0-9]{1,64}")
USER_KEY_LENGTH = 16
SECRET_BYTES = 24
KNOWN_TTL_SECONDS = 60.0
# Unknown keys are remembered briefly too, so a caller cannot make every request read Firestore.
UNKNOWN_TTL_SECONDS = 5.0


@dataclass(frozen=True)
class GigyaSite:
    """A site: its apiKey and name."""

    api_key: str
    name: str


@dataclass(frozen=True)
class GigyaApplication:
    """An application key: its userKey, the site it belongs to, its base64 secret and name."""

    user_key: str
    api_key: str
    secret: str
    name: str

    def __repr__(self) -> str:
        # The secret must never reach a log line through a repr.
        return (
            f"GigyaApplication(user_key={self.user_key!r}, api_key={self.api_key!r}, "
            f"secret=<redacted>, name={self.name!r})"
        )


@dataclass
class _Cached:
    # apiKey / userKey -> the site or application (None when unknown)
    sites: ExpiringLookups[GigyaSite] = field(
        default_factory=lambda: ExpiringLookups(KNOWN_TTL_SECONDS, UNKNOWN_TTL_SECONDS)
    )
    applications: ExpiringLookups[GigyaApplication] = field(
        default_factory=lambda: ExpiringLookups(KNOWN_TTL_SECONDS, UNKNOWN_TTL_SECONDS)
    )


_CACHE = ProcessCache("gigya-credentials", _Cached)


def valid_api_key(api_key: str) -> bool:
    """True when `api_key` is a well-formed apiKey."""
    return API_KEY_PATTERN.fullmatch(api_key) is not None


def valid_user_key(user_key: str) -> bool:
    """True when `user_key` is a well-formed userKey."""
    return USER_KEY_PATTERN.fullmatch(user_key) is not None


def new_api_key() -> str:
    """A fresh apiKey: `3_` and 64 URL-safe characters."""
    return "3_" + secrets.token_urlsafe(48)


def new_user_key() -> str:
    """A fresh userKey: `A` and 15 letters or digits."""
    alphabet = string.ascii_letters + string.digits
    return "A" + "".join(secrets.choice(alphabet) for _ in range(USER_KEY_LENGTH - 1))


def new_secret() -> str:
    """A fresh secret: the standard base64 of 24 random bytes (32 characters)."""
    import base64

    return base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def site_doc(api_key: str) -> str:
    """The document path of a site."""
    return paths.gigya_site_doc(api_key)


def application_doc(user_key: str) -> str:
    """The document path of an application key."""
    return paths.gigya_application_doc(user_key)


def _fetch_site(db: Any, api_key: str) -> GigyaSite | None:
    snapshot = db.document(site_doc(api_key)).get()
    if not snapshot.exists:
        return None
    return GigyaSite(api_key=api_key, name=GigyaSiteDoc.decode(snapshot.to_dict() or {}).name)


def _fetch_application(db: Any, user_key: str) -> GigyaApplication | None:
    snapshot = db.document(application_doc(user_key)).get()
    if not snapshot.exists:
        return None
    stored = GigyaApplicationDoc.decode(snapshot.to_dict() or {})
    if stored is None:
        return None
    return GigyaApplication(
        user_key=user_key, api_key=stored.api_key, secret=stored.secret, name=stored.name
    )


def get_site(db: Any, api_key: str, now: float | None = None) -> GigyaSite | None:
    """The site whose apiKey is `api_key`, or None; reads Firestore at most once a minute."""
    if not valid_api_key(api_key):
        return None
    return _CACHE.get().sites.get(api_key, lambda: _fetch_site(db, api_key), now)


def get_application(db: Any, user_key: str, now: float | None = None) -> GigyaApplication | None:
    """The application key `user_key`, or None; reads Firestore at most once a minute."""
    if not valid_user_key(user_key):
        return None
    return _CACHE.get().applications.get(user_key, lambda: _fetch_application(db, user_key), now)


def create_site(db: Any, name: str, api_key: str | None = None) -> str:
    """Create (or rename) a site; returns its apiKey (a fresh one unless `api_key` is given)."""
    from google.cloud import firestore

    api_key = api_key or new_api_key()
    if not valid_api_key(api_key):
        raise ValueError(
            "an apiKey is 2-128 characters of A-Z, a-z, 0-9, '_' or '-', starting with a letter "
            "or digit"
        )
    db.document(site_doc(api_key)).set(GigyaSiteDoc(name, firestore.SERVER_TIMESTAMP).encode())
    _CACHE.get().sites.forget(api_key)
    return api_key


def create_application(db: Any, api_key: str, name: str) -> tuple[str, str]:
    """Create an application key of the site `api_key`; returns its userKey and secret."""
    from google.cloud import firestore

    if not valid_api_key(api_key) or _fetch_site(db, api_key) is None:
        raise ValueError(f"no site has the apiKey {api_key!r}; create the site first")
    user_key, secret = new_user_key(), new_secret()
    stored = GigyaApplicationDoc(api_key, secret, name, firestore.SERVER_TIMESTAMP)
    db.document(application_doc(user_key)).create(stored.encode())
    _CACHE.get().applications.forget(user_key)
    return user_key, secret


def reset_cache() -> None:
    """Forget every cached site and application key."""
    _CACHE.reset()
