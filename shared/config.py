"""Settings, read once from the environment and validated; a bad value fails with its name."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.errors import ConfigError


def _require(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is required but not set")
    return value


def _int(
    env: dict[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None
) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


def _seconds(env: dict[str, str], name: str, default: float, maximum: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0.1 <= value <= maximum:
        raise ConfigError(f"{name} must be between 0.1 and {maximum:g} seconds, got {raw}")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


# The hosts the Gigya SDKs sign for (the npm SDK https, SAP's Python SDK http by default).
GIGYA_SDK_BASE_URLS: tuple[str, ...] = ("https://gm.us1.gigya.com", "http://gm.us1.gigya.com")


def _base_url(name: str, raw: str) -> str:
    """A base URL as `http(s)://host[:port]` (no path, query or fragment), lowercased."""
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a URL") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{name}: {raw!r} must be http://host or https://host")
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        raise ConfigError(f"{name}: {raw!r} must be a base URL (scheme, host, optional port)")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def _gigya_base_urls(env: dict[str, str], accept_sdk_hosts: bool) -> tuple[str, ...]:
    name = "GIGYA_SIGNED_BASE_URLS"
    urls = [_base_url(name, item.strip()) for item in env.get(name, "").split(",") if item.strip()]
    if accept_sdk_hosts:
        urls += GIGYA_SDK_BASE_URLS
    return tuple(dict.fromkeys(urls))


@dataclass(frozen=True)
class Settings:
    """Everything the functions read from their environment."""

    project: str
    images_bucket: str
    default_language: str
    # Signed URLs: validity, and which key signs them (a local PEM key, or IAM signBlob).
    signed_url_ttl_seconds: int
    signing_key_file: str | None
    signer_email: str | None
    storage_public_base_url: str
    # How long catalog and statistics reads are reused in memory.
    catalog_cache_seconds: int
    stats_cache_seconds: int
    # V1 partner messages are accepted within this many seconds of their time.
    message_window_seconds: int
    # Gigya signed requests verify against these base URLs (GIGYA_SIGNED_BASE_URLS, plus the
    # SDKs' gm.us1.gigya.com when GIGYA_ACCEPT_SDK_HOSTS) and against the request's own URL.
    gigya_signed_base_urls: tuple[str, ...]
    # Whether the Gigya SDKs' hosts are in that list (an SDK's transport redirected here).
    gigya_accept_sdk_hosts: bool
    # Whether `secret` may come over plain HTTP (the local stack); otherwise 403006.
    gigya_allow_secret_over_http: bool
    # Gigya signed requests are accepted within this many seconds of their `timestamp`.
    gigya_timestamp_window_seconds: int
    # How stale a materialized rank may be, in seconds (at most 15 minutes).
    rank_staleness_seconds: int
    # The largest request body accepted, in bytes; a larger one is refused with 413.
    max_body_bytes: int
    # Deadlines (docs/DESIGN.md): what a request, and an event, may spend on backend calls in all,
    # and what one call may take.
    backend_deadline_seconds: float
    backend_attempt_seconds: float
    event_deadline_seconds: float
    firestore_emulator_host: str | None
    storage_emulator_host: str | None
    auth_emulator_host: str | None
    log_json: bool

    @property
    def uses_emulators(self) -> bool:
        """True when Firestore is the local emulator."""
        return self.firestore_emulator_host is not None


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read and validate settings from `env` (the process environment by default)."""
    env = dict(os.environ if env is None else env)
    project = env.get("GOOGLE_CLOUD_PROJECT", "").strip() or env.get("GCLOUD_PROJECT", "").strip()
    if not project:
        raise ConfigError("GOOGLE_CLOUD_PROJECT is required but not set")
    storage_emulator = env.get("STORAGE_EMULATOR_HOST", "").strip() or None
    default_public = storage_emulator or "https://storage.googleapis.com"
    ttl = _int(env, "SIGNED_URL_TTL_SECONDS", 6 * 3600, minimum=60)
    if ttl > 7 * 24 * 3600:
        raise ConfigError("SIGNED_URL_TTL_SECONDS must be at most 604800 (7 days, the V4 limit)")
    accept_sdk_hosts = _bool(env, "GIGYA_ACCEPT_SDK_HOSTS", False)
    return Settings(
        project=project,
        images_bucket=_require(env, "IMAGES_BUCKET"),
        default_language=env.get("DEFAULT_LANGUAGE", "en").strip() or "en",
        signed_url_ttl_seconds=ttl,
        signing_key_file=env.get("SIGNING_KEY_FILE", "").strip() or None,
        signer_email=env.get("SIGNER_EMAIL", "").strip() or None,
        storage_public_base_url=(
            env.get("STORAGE_PUBLIC_BASE_URL", "").strip() or default_public
        ).rstrip("/"),
        catalog_cache_seconds=_int(env, "CATALOG_CACHE_SECONDS", 60),
        stats_cache_seconds=_int(env, "STATS_CACHE_SECONDS", 30),
        message_window_seconds=_int(env, "MESSAGE_WINDOW_SECONDS", 300, minimum=1),
        gigya_signed_base_urls=_gigya_base_urls(env, accept_sdk_hosts),
        gigya_accept_sdk_hosts=accept_sdk_hosts,
        gigya_allow_secret_over_http=_bool(env, "GIGYA_ALLOW_SECRET_OVER_HTTP", False),
        gigya_timestamp_window_seconds=_int(
            env, "GIGYA_TIMESTAMP_WINDOW_SECONDS", 120, minimum=1, maximum=3600
        ),
        rank_staleness_seconds=_int(env, "RANK_STALENESS_SECONDS", 300, minimum=1, maximum=900),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 64 * 1024, minimum=1024, maximum=32 * 1024**2),
        backend_deadline_seconds=_seconds(env, "BACKEND_DEADLINE_SECONDS", 5.0, 60.0),
        backend_attempt_seconds=_seconds(env, "BACKEND_ATTEMPT_SECONDS", 3.0, 60.0),
        event_deadline_seconds=_seconds(env, "EVENT_DEADLINE_SECONDS", 20.0, 540.0),
        firestore_emulator_host=env.get("FIRESTORE_EMULATOR_HOST", "").strip() or None,
        storage_emulator_host=storage_emulator,
        auth_emulator_host=env.get("FIREBASE_AUTH_EMULATOR_HOST", "").strip() or None,
        log_json=_bool(env, "LOG_JSON", True),
    )


def get_settings() -> Settings:
    """The process's settings, read once (held by the App: shared/app.py)."""
    from shared.app import get_app

    return get_app().settings
