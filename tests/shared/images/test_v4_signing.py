"""V4 canonical request and string-to-sign, checked against a known vector and a public key."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.cloud.storage._signing import generate_signed_url_v4
from google.oauth2 import service_account

from shared.images import v4_signing
from shared.images.signers import LocalKeySigner
from tests.shared.images.v4_check import verify_signed_url

MOMENT = datetime(2024, 8, 13, 14, 2, 1, tzinfo=UTC)
EMAIL = "upload-service@warm-ring-360408.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_canonical_request_and_string_to_sign_by_hand() -> None:
    unsigned = v4_signing.prepare_get(
        "https://storage.googleapis.com", "dsq", "a b/c+d.jpg", EMAIL, MOMENT, 21600
    )
    assert unsigned.path == "/dsq/a%20b/c%2Bd.jpg"
    expected_canonical = "\n".join(
        [
            "GET",
            "/dsq/a%20b/c%2Bd.jpg",
            "X-Goog-Algorithm=GOOG4-RSA-SHA256"
            "&X-Goog-Credential=upload-service%40warm-ring-360408.iam.gserviceaccount.com"
            "%2F20240813%2Fauto%2Fstorage%2Fgoog4_request"
            "&X-Goog-Date=20240813T140201Z&X-Goog-Expires=21600&X-Goog-SignedHeaders=host",
            "host:storage.googleapis.com",
            "",
            "host",
            "UNSIGNED-PAYLOAD",
        ]
    )
    expected = "\n".join(
        [
            "GOOG4-RSA-SHA256",
            "20240813T140201Z",
            "20240813/auto/storage/goog4_request",
            hashlib.sha256(expected_canonical.encode()).hexdigest(),
        ]
    )
    assert unsigned.to_sign == expected


def test_same_url_as_the_google_client_library(key: rsa.RSAPrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    credentials = service_account.Credentials.from_service_account_info(
        {
            "type": "service_account",
            "client_email": EMAIL,
            "private_key": pem,
            "private_key_id": "k1",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    )
    theirs = generate_signed_url_v4(
        credentials,
        "/dsq/staging/Most%20Loyal_1.jpg",
        expiration=21600,
        api_access_endpoint="https://storage.googleapis.com",
        _request_timestamp="20240813T140201Z",
    )
    unsigned = v4_signing.prepare_get(
        "https://storage.googleapis.com", "dsq", "staging/Most Loyal_1.jpg", EMAIL, MOMENT, 21600
    )
    ours = unsigned.with_signature(LocalKeySigner(key, EMAIL).sign(unsigned.to_sign.encode()))
    assert ours == theirs
    verify_signed_url(ours, key.public_key(), now=MOMENT)


def test_emulator_host_with_port_is_signed_as_the_host_header(key: rsa.RSAPrivateKey) -> None:
    unsigned = v4_signing.prepare_get(
        "http://127.0.0.1:9023/", "bucket", "x.png", EMAIL, MOMENT, 60
    )
    url = unsigned.with_signature(LocalKeySigner(key, EMAIL).sign(unsigned.to_sign.encode()))
    assert url.startswith("http://127.0.0.1:9023/bucket/x.png?X-Goog-Algorithm=GOOG4-RSA-SHA256&")
    verify_signed_url(url, key.public_key(), now=MOMENT)


def test_a_signature_by_another_key_does_not_verify(key: rsa.RSAPrivateKey) -> None:
    from cryptography.exceptions import InvalidSignature

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unsigned = v4_signing.prepare_get("https://storage.googleapis.com", "b", "o", EMAIL, MOMENT, 60)
    url = unsigned.with_signature(LocalKeySigner(other, EMAIL).sign(unsigned.to_sign.encode()))
    with pytest.raises(InvalidSignature):
        verify_signed_url(url, key.public_key(), now=MOMENT)


def test_query_is_sorted_and_fully_encoded() -> None:
    assert v4_signing.canonical_query({"b": "x y", "a": "1/2~", "A": "é"}) == (
        "A=%C3%A9&a=1%2F2~&b=x%20y"
    )


@pytest.mark.parametrize("seconds", [0, 7 * 24 * 3600 + 1])
def test_validity_is_bounded_by_the_v4_limit(seconds: int) -> None:
    with pytest.raises(ValueError, match="valid 1 to"):
        v4_signing.prepare_get("https://storage.googleapis.com", "b", "o", EMAIL, MOMENT, seconds)


def test_non_utc_moments_are_converted() -> None:
    from datetime import timedelta, timezone

    cairo = MOMENT.astimezone(timezone(timedelta(hours=3)))
    assert v4_signing.timestamp(cairo) == "20240813T140201Z"
    assert v4_signing.credential_scope(cairo) == "20240813/auto/storage/goog4_request"
