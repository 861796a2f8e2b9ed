"""Signed image URLs against the GCS emulator: verified cryptographically, then downloaded."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from cryptography.exceptions import InvalidSignature

from shared.app import reset_app
from shared.clients import storage_client
from shared.config import get_settings
from shared.images import signed_urls, signers
from tests.conftest import BUCKET
from tests.shared.images.v4_check import verify_signed_url

pytestmark = pytest.mark.emulator

PNG = b"\x89PNG\r\n\x1a\n" + b"challenge art" * 50


@pytest.fixture
def image(db) -> str:
    client = storage_client()
    bucket = client.bucket(BUCKET)
    if not bucket.exists():
        client.create_bucket(BUCKET)
    name = "challenges/7/Most Loyal_1.png"
    bucket.blob(name).upload_from_string(PNG, content_type="image/png")
    return name


def _public_key():
    signer = signers.get_signer()
    assert isinstance(signer, signers.LocalKeySigner)
    return signer.public_key()


def test_signed_url_verifies_and_downloads_from_the_emulator(image: str) -> None:
    url = signed_urls.signed_url(image)
    settings = get_settings()
    assert url.startswith(
        f"{settings.storage_public_base_url}/{BUCKET}/challenges/7/Most%20Loyal_1.png?"
    )
    verify_signed_url(url, _public_key())
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["X-Goog-Expires"] == str(6 * 3600)
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == PNG


def test_tampered_url_fails_verification(image: str) -> None:
    url = signed_urls.signed_url(image)
    with pytest.raises(InvalidSignature):
        verify_signed_url(url.replace("Most%20Loyal_1", "Most%20Loyal_2"), _public_key())
    with pytest.raises(InvalidSignature):
        verify_signed_url(
            url.replace("X-Goog-Expires=21600", "X-Goog-Expires=604800"), _public_key()
        )


def test_url_is_reused_while_more_than_half_its_life_remains(image: str) -> None:
    now = time.time()
    first = signed_urls.signed_url(image, now=now)
    assert signed_urls.signature_count() == 1
    for _ in range(50):
        assert signed_urls.signed_url(image, now=now + 60) == first
    assert signed_urls.signature_count() == 1
    later = now + 6 * 3600  # past half the life of any URL signed at `now`
    second = signed_urls.signed_url(image, now=later)
    assert second != first
    assert signed_urls.signature_count() == 2
    verify_signed_url(second, _public_key(), now=datetime.fromtimestamp(later, UTC))


def test_every_url_handed_out_has_at_least_half_its_life_left(image: str) -> None:
    start = time.time()
    ttl = get_settings().signed_url_ttl_seconds
    for minutes in range(0, 24 * 60, 17):
        moment = start + minutes * 60
        url = signed_urls.signed_url(image, now=moment)
        params = dict(parse_qsl(urlsplit(url).query))
        signed = datetime.strptime(params["X-Goog-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        left = signed.timestamp() + ttl - moment
        assert ttl / 2 <= left <= ttl


def test_ttl_comes_from_settings(image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNED_URL_TTL_SECONDS", "900")
    reset_app()
    signed_urls.reset_cache()
    try:
        url = signed_urls.signed_url(image)
        assert dict(parse_qsl(urlsplit(url).query))["X-Goog-Expires"] == "900"
        verify_signed_url(url, _public_key())
    finally:
        reset_app()
        signed_urls.reset_cache()


def test_instances_signing_in_the_same_quarter_hand_out_the_same_url(image: str) -> None:
    ttl = get_settings().signed_url_ttl_seconds
    start = (time.time() // (ttl / 4)) * (ttl / 4) + 1
    first = signed_urls.signed_url(image, now=start)
    # A new process state (another instance with the same key) signs the same URL again.
    signed_urls.reset_cache()
    assert signed_urls.signed_url(image, now=start + ttl / 4 - 2) == first
    assert signed_urls.signature_count() == 1


def test_a_missing_object_still_gets_a_url_that_the_emulator_answers_404(db) -> None:
    client = storage_client()
    if not client.bucket(BUCKET).exists():
        client.create_bucket(BUCKET)
    url = signed_urls.signed_url("challenges/none/missing.png")
    verify_signed_url(url, _public_key())
    assert requests.get(url, timeout=10).status_code == 404
