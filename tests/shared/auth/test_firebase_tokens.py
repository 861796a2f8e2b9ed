"""V2 ID tokens through firebase-admin in emulator mode, offline (no Auth emulator runs here)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest

from devtools.auth_tools import emulator_id_token
from shared.app import reset_app
from shared.auth import firebase_tokens
from shared.errors import ConfigError, UnauthenticatedError

PROJECT = "demo-tokens"


@pytest.fixture(autouse=True)
def emulator_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    monkeypatch.setenv("IMAGES_BUCKET", "images")
    # Nothing listens on these: verification must not need the emulators to answer.
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:1")
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:1")
    reset_app()
    yield
    reset_app()


def test_phone_token_names_the_phone_number() -> None:
    claims = firebase_tokens.verify(emulator_id_token("+201000000001", "uid-1", PROJECT))
    assert firebase_tokens.user_of(claims) == "+201000000001"
    assert claims["uid"] == "uid-1"


def test_token_without_phone_names_the_uid() -> None:
    claims = firebase_tokens.verify(emulator_id_token(None, "uid-2", PROJECT))
    assert firebase_tokens.user_of(claims) == "uid-2"


def test_expired_token_is_refused_even_though_the_emulator_mode_skips_checks() -> None:
    token = emulator_id_token("+20100", "u", PROJECT, now=time.time() - 7200)
    with pytest.raises(UnauthenticatedError, match="expired"):
        firebase_tokens.verify(token)


def test_token_of_another_project_is_refused() -> None:
    with pytest.raises(UnauthenticatedError, match="not a valid Firebase ID token"):
        firebase_tokens.verify(emulator_id_token("+20100", "u", "someone-else"))


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 40, "eyJhbGciOiJub25lIn0.e30."])
def test_garbled_tokens_are_refused_without_echoing_them(token: str) -> None:
    with pytest.raises(UnauthenticatedError) as caught:
        firebase_tokens.verify(token)
    assert token not in caught.value.message


def _with_payload(token: str, payload: bytes) -> str:
    header = token.split(".")[0]
    return f"{header}.{base64.urlsafe_b64encode(payload).rstrip(b'=').decode()}."


def test_a_token_whose_json_nests_too_deep_is_refused_not_a_crash() -> None:
    token = _with_payload(emulator_id_token("+20100", "u", PROJECT), b"[" * 5000 + b"]" * 5000)
    with pytest.raises(UnauthenticatedError, match="not a valid Firebase ID token"):
        firebase_tokens.verify(token)


@pytest.mark.parametrize("expiry", [b"1e400", b"NaN", b"Infinity"])
def test_a_token_that_expires_never_is_refused(expiry: bytes) -> None:
    token = emulator_id_token("+20100", "u", PROJECT)
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    text = json.dumps({**claims, "exp": "EXP"}).encode().replace(b'"EXP"', expiry)
    with pytest.raises(UnauthenticatedError):
        firebase_tokens.verify(_with_payload(token, text))


def test_token_without_expiry_is_refused() -> None:
    token = emulator_id_token("+20100", "u", PROJECT)
    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    del claims["exp"]
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(UnauthenticatedError, match="no expiry"):
        firebase_tokens.verify(f"{header}.{body}.")


def test_emulator_tokens_are_refused_outside_the_emulators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIRESTORE_EMULATOR_HOST")
    reset_app()
    with pytest.raises(ConfigError, match="FIREBASE_AUTH_EMULATOR_HOST"):
        firebase_tokens.verify(emulator_id_token("+20100", "u", PROJECT))


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("Basic abc", "Bearer"),
        ("Bearer", "Bearer"),
        ("Bearer   ", "Bearer"),
    ],
)
def test_authorization_header_shape(header: str | None, reason: str) -> None:
    with pytest.raises(UnauthenticatedError, match=reason):
        firebase_tokens.bearer_token(header)


def test_bearer_scheme_is_case_insensitive() -> None:
    assert firebase_tokens.bearer_token("bearer tok") == "tok"


def test_unsigned_tokens_are_refused_when_not_in_emulator_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")
    reset_app()
    # Refused on its header (no key id, alg none) before any certificate is fetched.
    with pytest.raises(UnauthenticatedError, match="not a valid Firebase ID token"):
        firebase_tokens.verify(emulator_id_token("+20100", "u", PROJECT))


def test_a_verified_token_is_kept_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second request with the same token is not verified again, until the token expires."""
    from firebase_admin import auth

    issued = time.time()
    token = emulator_id_token("+201000000009", "uid-9", PROJECT, now=issued)
    first = firebase_tokens.verify(token, now=issued)
    calls: list[str] = []
    original = auth.verify_id_token

    def counted(*args, **kwargs):
        calls.append("verify")
        return original(*args, **kwargs)

    monkeypatch.setattr(auth, "verify_id_token", counted)
    assert firebase_tokens.verify(token, now=issued + 60) == first
    assert calls == []
    # A caller changing the answer changes nothing kept.
    firebase_tokens.verify(token, now=issued + 61)["uid"] = "someone else"
    assert firebase_tokens.verify(token, now=issued + 62)["uid"] == "uid-9"
    with pytest.raises(UnauthenticatedError, match="expired"):
        firebase_tokens.verify(token, now=first["exp"] + firebase_tokens.CLOCK_SKEW_SECONDS + 1)
    assert calls == ["verify"]


def test_a_refused_token_is_not_kept() -> None:
    token = emulator_id_token("+20100", "u", "someone-else")
    for _ in range(2):
        with pytest.raises(UnauthenticatedError, match="not a valid Firebase ID token"):
            firebase_tokens.verify(token)


def test_the_kept_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(firebase_tokens, "VERIFIED_TOKENS_KEPT", 2)
    tokens = [emulator_id_token(f"+2010000000{i}", f"u{i}", PROJECT) for i in range(3)]
    for token in tokens:
        firebase_tokens.verify(token)
    assert list(firebase_tokens._CACHE.get().claims) == tokens[1:]
