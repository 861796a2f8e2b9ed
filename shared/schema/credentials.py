"""Credentials and their one-use records: partner clients, auth nonces, Gigya sites and keys.

- `partnerClients/{clientId}`: a V1 partner's key (standard base64 of 32 bytes) and name;
- `authNonces/{clientId}:{nonce}`: a used message nonce, with `expiresAt` (a TTL policy
  deletes it some time after);
- `gigyaSites/{apiKey}`: a site's name; `gigyaApplications/{userKey}`: an application key's
  site, secret (standard base64 of 24 random bytes) and name (docs/GIGYA_AUTH.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Every credential document.
NAME = "name"
CREATED_AT = "createdAt"  # written as the server's timestamp
# partnerClients/{clientId}
PARTNER_KEY = "key"
# authNonces/{clientId}:{nonce}
NONCE_EXPIRES_AT = "expiresAt"
# gigyaApplications/{userKey}
APPLICATION_API_KEY = "apiKey"
APPLICATION_SECRET = "secret"

NAMES = frozenset(
    {NAME, CREATED_AT, PARTNER_KEY, NONCE_EXPIRES_AT, APPLICATION_API_KEY, APPLICATION_SECRET}
)


@dataclass(frozen=True, repr=False)
class PartnerClientDoc:
    """A stored partner client: its key as stored (base64), its name, when it was made."""

    key: str
    name: str
    created_at: Any = None  # the server's timestamp sentinel when written

    def __repr__(self) -> str:
        # The key must never reach a log line through a repr.
        return f"PartnerClientDoc(key=<redacted>, name={self.name!r})"

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> PartnerClientDoc:
        """A stored client."""
        return cls(str(raw.get(PARTNER_KEY) or ""), str(raw.get(NAME) or ""), raw.get(CREATED_AT))

    def encode(self) -> dict[str, Any]:
        """The stored client."""
        return {PARTNER_KEY: self.key, NAME: self.name, CREATED_AT: self.created_at}


def stored_partner_key(raw: Mapping[str, Any]) -> Any:
    """A stored client's key, unchecked (the caller decodes and checks it)."""
    return raw.get(PARTNER_KEY)


@dataclass(frozen=True)
class AuthNonce:
    """A used nonce: when its message falls out of the time window anyway."""

    expires_at: datetime

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> AuthNonce:
        """A stored record."""
        return cls(raw[NONCE_EXPIRES_AT])

    def encode(self) -> dict[str, Any]:
        """The stored record."""
        return {NONCE_EXPIRES_AT: self.expires_at}


@dataclass(frozen=True)
class GigyaSiteDoc:
    """A stored Gigya site."""

    name: str
    created_at: Any = None

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> GigyaSiteDoc:
        """A stored site."""
        return cls(str(raw.get(NAME, "")), raw.get(CREATED_AT))

    def encode(self) -> dict[str, Any]:
        """The stored site."""
        return {NAME: self.name, CREATED_AT: self.created_at}


@dataclass(frozen=True, repr=False)
class GigyaApplicationDoc:
    """A stored Gigya application key: its site, secret and name."""

    api_key: str
    secret: str
    name: str
    created_at: Any = None

    def __repr__(self) -> str:
        # The secret must never reach a log line through a repr.
        return (
            f"GigyaApplicationDoc(api_key={self.api_key!r}, secret=<redacted>, name={self.name!r})"
        )

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> GigyaApplicationDoc | None:
        """A stored application key; None when it lacks its site or secret."""
        api_key, secret = raw.get(APPLICATION_API_KEY), raw.get(APPLICATION_SECRET)
        if not api_key or not secret:
            return None
        return cls(str(api_key), str(secret), str(raw.get(NAME, "")), raw.get(CREATED_AT))

    def encode(self) -> dict[str, Any]:
        """The stored application key."""
        return {
            APPLICATION_API_KEY: self.api_key,
            APPLICATION_SECRET: self.secret,
            NAME: self.name,
            CREATED_AT: self.created_at,
        }
