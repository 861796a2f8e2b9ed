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
