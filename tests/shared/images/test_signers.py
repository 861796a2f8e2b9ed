"""Signers: a local key from a file or generated, and IAM signBlob request building.

IAM cannot be reached from the test machine: IamSigner is exercised with a stub transport
(a requests adapter answering in place of iamcredentials.googleapis.com), which checks the
request it builds and the decoding of the answer, not the real service.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from requests.adapters import BaseAdapter

from shared.config import load_settings
from shared.errors import ConfigError, UnavailableError
from shared.images.signers import IamSigner, LocalKeySigner, choose_signer

EMAIL = "challenges-runtime@demo.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _settings(**env: str):
    return load_settings({"GOOGLE_CLOUD_PROJECT": "demo", "IMAGES_BUCKET": "img", **env})


def _verify(key: rsa.RSAPrivateKey, signature: bytes, data: bytes) -> None:
    key.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


def test_local_signer_from_pem_file(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(_pem(key))
    signer = choose_signer(_settings(SIGNING_KEY_FILE=str(path), SIGNER_EMAIL=EMAIL))
    assert isinstance(signer, LocalKeySigner)
    assert signer.email == EMAIL
    _verify(key, signer.sign(b"payload"), b"payload")


def test_local_signer_from_service_account_json(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    path = tmp_path / "sa.json"
    path.write_text(json.dumps({"private_key": _pem(key).decode(), "client_email": EMAIL}))
    signer = choose_signer(_settings(SIGNING_KEY_FILE=str(path)))
    assert signer.email == EMAIL
    _verify(key, signer.sign(b"x"), b"x")


def test_a_non_rsa_key_file_is_a_config_error(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "ec.pem"
    path.write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ConfigError, match="RSA"):
        choose_signer(_settings(SIGNING_KEY_FILE=str(path)))


def test_emulators_without_key_file_get_a_generated_local_key() -> None:
    signer = choose_signer(_settings(STORAGE_EMULATOR_HOST="http://127.0.0.1:1"))
    assert isinstance(signer, LocalKeySigner)
    assert signer.email == "local-signer@demo.iam.gserviceaccount.com"
    signer.public_key().verify(signer.sign(b"x"), b"x", padding.PKCS1v15(), hashes.SHA256())


def test_production_settings_choose_iam_without_touching_the_network() -> None:
    signer = choose_signer(_settings(SIGNER_EMAIL=EMAIL))
    assert isinstance(signer, IamSigner)
    assert signer.email == EMAIL


class StubIam(BaseAdapter):
    """Answers signBlob like the IAM Credentials API, signing with a local key."""

    def __init__(self, key: rsa.RSAPrivateKey, status: int = 200) -> None:
        super().__init__()
        self.key = key
        self.status = status
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.requests.append(request)
        payload = base64.b64decode(json.loads(request.body)["payload"])
        signature = self.key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        response = requests.Response()
        response.status_code = self.status
        response._content = json.dumps(
            {"keyId": "k1", "signedBlob": base64.b64encode(signature).decode()}
        ).encode()
        response.request = request
        return response

    def close(self) -> None:
        pass


def _session(adapter: BaseAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("https://", adapter)
    return session


def test_iam_signer_posts_the_payload_to_sign_blob(key: rsa.RSAPrivateKey) -> None:
    stub = StubIam(key)
    signer = IamSigner(EMAIL, session_factory=lambda: _session(stub))
    signature = signer.sign(b"GOOG4-RSA-SHA256\n...")
    _verify(key, signature, b"GOOG4-RSA-SHA256\n...")
    (sent,) = stub.requests
    assert sent.method == "POST"
    assert sent.url == (
        f"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{EMAIL}:signBlob"
    )
    assert json.loads(sent.body) == {"payload": base64.b64encode(b"GOOG4-RSA-SHA256\n...").decode()}


def test_iam_signer_looks_up_the_runtime_account_once_and_lazily(key: rsa.RSAPrivateKey) -> None:
    lookups: list[int] = []

    def lookup() -> str:
        lookups.append(1)
        return EMAIL

    signer = IamSigner(None, session_factory=lambda: _session(StubIam(key)), email_lookup=lookup)
    assert lookups == []
    assert signer.email == EMAIL
    signer.sign(b"a")
    signer.sign(b"b")
    assert lookups == [1]


def test_iam_errors_are_unavailable(key: rsa.RSAPrivateKey) -> None:
    signer = IamSigner(EMAIL, session_factory=lambda: _session(StubIam(key, status=403)))
    with pytest.raises(UnavailableError, match="HTTP 403"):
        signer.sign(b"a")


def test_a_url_signed_through_iam_verifies_with_the_account_key(key: rsa.RSAPrivateKey) -> None:
    from datetime import UTC, datetime

    from shared.images.v4_signing import prepare_get
    from tests.shared.images.v4_check import verify_signed_url

    moment = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    signer = IamSigner(EMAIL, session_factory=lambda: _session(StubIam(key)))
    unsigned = prepare_get(
        "https://storage.googleapis.com", "img", "c/1.png", signer.email, moment, 21600
    )
    url = unsigned.with_signature(signer.sign(unsigned.to_sign.encode()))
    verify_signed_url(url, key.public_key(), now=moment)


def test_iam_transport_failures_are_unavailable() -> None:
    class Down(BaseAdapter):
        def send(self, request, **kwargs):
            raise requests.ConnectionError("no route")

        def close(self) -> None:
            pass

    signer = IamSigner(EMAIL, session_factory=lambda: _session(Down()))
    with pytest.raises(UnavailableError, match="could not be reached"):
        signer.sign(b"a")


def test_iam_calls_end_within_the_request_deadline(key: rsa.RSAPrivateKey) -> None:
    from shared import deadlines
    from shared.deadlines import DeadlineSpentError

    timeouts: list[float] = []

    class Recording(StubIam):
        def send(self, request, **kwargs):
            timeouts.append(kwargs["timeout"])
            return super().send(request, **kwargs)

    signer = IamSigner(EMAIL, session_factory=lambda: _session(Recording(key)))
    signer.sign(b"a")
    with deadlines.budget(5.0, 0.5):
        signer.sign(b"b")
    assert timeouts[0] == 10.0 and timeouts[1] == 0.5
    with deadlines.budget(0.0), pytest.raises(DeadlineSpentError):
        signer.sign(b"c")
    assert len(timeouts) == 2
