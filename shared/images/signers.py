"""Who signs URLs: a local RSA key (emulator, or a configured PEM) or IAM signBlob (deployed).

Deployed functions hold no key file: the runtime service account signs through the IAM
Credentials API (`signBlob`), which needs `iam.serviceAccountTokenCreator` on itself.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shared import deadlines
from shared.app import ProcessCache
from shared.config import Settings, get_settings
from shared.errors import ConfigError, UnavailableError

IAM_SIGN_BLOB_URL = (
    "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{email}:signBlob"
)
METADATA_EMAIL_URL = (
    "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/email"
)
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


class Signer(Protocol):
    """Signs bytes with RSA-SHA256 on behalf of a service account."""

    @property
    def email(self) -> str:
        """The account named in `X-Goog-Credential`."""
        ...

    def sign(self, data: bytes) -> bytes:
        """The RSA-SHA256 (PKCS#1 v1.5) signature of `data`."""
        ...


class LocalKeySigner:
    """Signs with an RSA private key held in memory."""

    def __init__(self, private_key: rsa.RSAPrivateKey, email: str) -> None:
        self._key = private_key
        self._email = email

    @property
    def email(self) -> str:
        """The account named in `X-Goog-Credential`."""
        return self._email

    def sign(self, data: bytes) -> bytes:
        """The RSA-SHA256 (PKCS#1 v1.5) signature of `data`."""
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def public_key(self) -> rsa.RSAPublicKey:
        """The public half, to verify signatures."""
        return self._key.public_key()

    @classmethod
    def from_pem_file(cls, path: str, email: str | None, fallback_email: str) -> LocalKeySigner:
        """A signer from an unencrypted PEM private key, or from a service-account key file."""
        raw = Path(path).read_bytes()
        if raw.lstrip().startswith(b"{"):
            # A service-account key file: its private_key is the PEM, its client_email the email.
            info = json.loads(raw)
            raw = str(info["private_key"]).encode()
            email = email or str(info.get("client_email") or "")
        key = serialization.load_pem_private_key(raw, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ConfigError(f"SIGNING_KEY_FILE {path} does not hold an RSA private key")
        return cls(key, email or fallback_email)


class IamSigner:
    """Signs through the IAM Credentials API `signBlob` as a service account.

    `session_factory` returns an authorized requests session (google-auth's AuthorizedSession
    with the default credentials unless given); `email_lookup` finds the runtime account when
    none is configured (the metadata server unless given). Both run on first use only.
    """

    def __init__(
        self,
        email: str | None = None,
        session_factory: Callable[[], Any] | None = None,
        email_lookup: Callable[[], str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._email = email
        self._session_factory = session_factory or _default_session
        self._email_lookup = email_lookup or _metadata_email
        self._session: Any = None
        self._timeout = timeout
        self._lock = threading.Lock()

    @property
    def email(self) -> str:
        """The service account that signs: configured, else the runtime's."""
        if self._email is None:
            with self._lock:
                if self._email is None:
                    self._email = self._email_lookup()
        return self._email

    def _authorized(self) -> Any:
        with self._lock:
            if self._session is None:
                self._session = self._session_factory()
            return self._session

    def request_for(self, data: bytes) -> tuple[str, dict[str, str]]:
        """The URL and JSON body of the signBlob call for `data`."""
        url = IAM_SIGN_BLOB_URL.format(email=self.email)
        return url, {"payload": base64.b64encode(data).decode("ascii")}

    def sign(self, data: bytes) -> bytes:
        """The signature IAM computes with the service account's Google-managed key.

        Within a request, the call (and a token refresh before it) ends within its deadline.
        """
        import requests
        from google.auth.exceptions import GoogleAuthError
        from google.auth.transport.requests import AuthorizedSession

        url, body = self.request_for(data)
        session = self._authorized()
        timeout = deadlines.call_timeout(self._timeout)
        limits: dict[str, float] = {"timeout": timeout}
        if isinstance(session, AuthorizedSession):
            limits["max_allowed_time"] = timeout
        try:
            response = session.post(url, json=body, **limits)
        except (requests.RequestException, GoogleAuthError) as exc:
            raise UnavailableError(
                f"IAM signBlob could not be reached: {type(exc).__name__}"
            ) from exc
        if response.status_code != 200:
            raise UnavailableError(f"IAM signBlob answered HTTP {response.status_code}")
        signed = response.json().get("signedBlob")
        if not isinstance(signed, str):
            raise UnavailableError("IAM signBlob answered without signedBlob")
        return base64.b64decode(signed)


def _default_session() -> Any:
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    credentials, _ = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
    return AuthorizedSession(credentials)


def _metadata_email() -> str:
    import requests

    try:
        response = requests.get(
            METADATA_EMAIL_URL,
            headers={"Metadata-Flavor": "Google"},
            timeout=deadlines.call_timeout(5.0),
        )
        response.raise_for_status()
    except requests.RequestException as exc:
        raise UnavailableError(
            "the metadata server did not name the runtime service account; set SIGNER_EMAIL"
        ) from exc
    return response.text.strip()


@lru_cache(maxsize=1)
def _generated_key() -> rsa.RSAPrivateKey:
    # One key per process is enough locally: the emulator checks no signature.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def local_email(settings: Settings) -> str:
    """The configured signer email, else a placeholder naming the project."""
    return settings.signer_email or f"local-signer@{settings.project}.iam.gserviceaccount.com"


def choose_signer(settings: Settings) -> Signer:
    """A local key when one is configured or the emulators are in use; IAM signBlob otherwise."""
    if settings.signing_key_file:
        return LocalKeySigner.from_pem_file(
            settings.signing_key_file, settings.signer_email, local_email(settings)
        )
    if settings.storage_emulator_host or settings.uses_emulators:
        return LocalKeySigner(_generated_key(), local_email(settings))
    return IamSigner(settings.signer_email)


@dataclass
class _Chosen:
    lock: threading.Lock = field(default_factory=threading.Lock)
    signer: Signer | None = None


_CACHE = ProcessCache("signer", _Chosen)


def get_signer() -> Signer:
    """The process's signer, chosen from settings on first use."""
    chosen = _CACHE.get()
    with chosen.lock:
        if chosen.signer is None:
            chosen.signer = choose_signer(get_settings())
        return chosen.signer


def reset_signer() -> None:
    """Forget the chosen signer (the generated local key is kept for the process)."""
    _CACHE.reset()
