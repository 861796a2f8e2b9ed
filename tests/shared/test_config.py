"""Settings are read once, validated, and fail with the variable's name."""

from __future__ import annotations

import pytest

from shared.config import load_settings
from shared.errors import ConfigError

BASE = {"GOOGLE_CLOUD_PROJECT": "p", "IMAGES_BUCKET": "b"}


def test_defaults():
    settings = load_settings(BASE)
    assert settings.signed_url_ttl_seconds == 6 * 3600
    assert settings.message_window_seconds == 300
    assert settings.default_language == "en"
    assert settings.storage_public_base_url == "https://storage.googleapis.com"
    assert not settings.uses_emulators
    assert settings.gigya_signed_base_urls == ()
    assert settings.gigya_accept_sdk_hosts is False
    assert settings.gigya_allow_secret_over_http is False
    assert settings.gigya_timestamp_window_seconds == 120
    assert settings.rank_staleness_seconds == 300
    assert settings.max_body_bytes == 64 * 1024


@pytest.mark.parametrize("missing", ["GOOGLE_CLOUD_PROJECT", "IMAGES_BUCKET"])
def test_missing_required_variable_is_named(missing):
    env = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_settings(env)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SIGNED_URL_TTL_SECONDS", "six hours"),
        ("SIGNED_URL_TTL_SECONDS", "10"),
        ("SIGNED_URL_TTL_SECONDS", "999999"),
        ("CATALOG_CACHE_SECONDS", "-1"),
        ("LOG_JSON", "maybe"),
        ("GIGYA_SIGNED_BASE_URLS", "challenges.example.com"),
        ("GIGYA_SIGNED_BASE_URLS", "ftp://challenges.example.com"),
        ("GIGYA_SIGNED_BASE_URLS", "https://challenges.example.com/api"),
        ("GIGYA_SIGNED_BASE_URLS", "https://challenges.example.com?x=1"),
        ("GIGYA_SIGNED_BASE_URLS", "https://h:99999"),
        ("GIGYA_ACCEPT_SDK_HOSTS", "sometimes"),
        ("GIGYA_ALLOW_SECRET_OVER_HTTP", "2"),
        ("GIGYA_TIMESTAMP_WINDOW_SECONDS", "0"),
        ("GIGYA_TIMESTAMP_WINDOW_SECONDS", "two minutes"),
        ("RANK_STALENESS_SECONDS", "0"),
        ("RANK_STALENESS_SECONDS", "901"),
        ("RANK_STALENESS_SECONDS", "5m"),
        ("MAX_BODY_BYTES", "64k"),
        ("MAX_BODY_BYTES", "100"),
        ("MAX_BODY_BYTES", str(64 * 1024**2)),
    ],
)
def test_bad_values_are_named(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({**BASE, name: value})


def test_emulator_hosts_switch_the_public_storage_url():
    settings = load_settings(
        {**BASE, "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1", "STORAGE_EMULATOR_HOST": "http://h:2/"}
    )
    assert settings.uses_emulators
    assert settings.storage_public_base_url == "http://h:2"


def test_gigya_signed_base_urls():
    settings = load_settings(
        {
            **BASE,
            "GIGYA_SIGNED_BASE_URLS": " HTTPS://Challenges.Example.com/ ,http://127.0.0.1:8080,,",
        }
    )
    assert settings.gigya_signed_base_urls == (
        "https://challenges.example.com",
        "http://127.0.0.1:8080",
    )
    with_sdk = load_settings(
        {
            **BASE,
            "GIGYA_SIGNED_BASE_URLS": "https://gm.us1.gigya.com",
            "GIGYA_ACCEPT_SDK_HOSTS": "true",
        }
    )
    assert with_sdk.gigya_accept_sdk_hosts is True
    assert with_sdk.gigya_signed_base_urls == (
        "https://gm.us1.gigya.com",
        "http://gm.us1.gigya.com",
    )


def test_gigya_and_rank_settings():
    settings = load_settings(
        {
            **BASE,
            "GIGYA_ALLOW_SECRET_OVER_HTTP": "true",
            "GIGYA_TIMESTAMP_WINDOW_SECONDS": "30",
            "RANK_STALENESS_SECONDS": "900",
        }
    )
    assert settings.gigya_allow_secret_over_http is True
    assert settings.gigya_timestamp_window_seconds == 30
    assert settings.rank_staleness_seconds == 900


def test_deadline_settings():
    settings = load_settings(BASE)
    assert (settings.backend_deadline_seconds, settings.backend_attempt_seconds) == (5.0, 3.0)
    assert settings.event_deadline_seconds == 20.0
    settings = load_settings(
        {
            **BASE,
            "BACKEND_DEADLINE_SECONDS": "2.5",
            "BACKEND_ATTEMPT_SECONDS": "1",
            "EVENT_DEADLINE_SECONDS": "60",
        }
    )
    assert settings.backend_deadline_seconds == 2.5
    assert settings.backend_attempt_seconds == 1.0
    assert settings.event_deadline_seconds == 60.0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BACKEND_DEADLINE_SECONDS", "0"),
        ("BACKEND_DEADLINE_SECONDS", "61"),
        ("BACKEND_DEADLINE_SECONDS", "five"),
        ("BACKEND_ATTEMPT_SECONDS", "nan"),
        ("EVENT_DEADLINE_SECONDS", "541"),
    ],
)
def test_bad_deadlines_are_named(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({**BASE, name: value})
