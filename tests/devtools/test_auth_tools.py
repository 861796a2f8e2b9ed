"""The auth command line and helpers: partner clients, X-Message minting, emulator ID tokens."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time

import pytest

from devtools import auth_tools
from shared.auth import partner_messages, partners
from tests.conftest import ROOT

PATH = "/api/v1/Integration/GetPrizesHistory"


def _claims(client_id: str, key: bytes, message: str) -> dict:
    return partner_messages.open_message(client_id, key, message)


def test_mint_message_holds_the_documented_claims() -> None:
    key = bytes(range(32))
    message = auth_tools.mint_message("acme", key, "get", PATH + "?UserId=1", now=1_800_000_000.5)
    claims = _claims("acme", key, message)
    assert claims["time"] == 1_800_000_000
    assert claims["method"] == "GET"
    assert claims["path"] == PATH
    assert partner_messages.CLAIM_NONCE_PATTERN.fullmatch(claims["nonce"])


def test_each_minted_message_has_a_fresh_nonce() -> None:
    key = bytes(32)
    nonces = {
        _claims("a", key, auth_tools.mint_message("a", key, "GET", PATH))["nonce"]
        for _ in range(20)
    }
    assert len(nonces) == 20


def test_emulator_id_token_shape() -> None:
    token = auth_tools.emulator_id_token("+201000000001", "uid-1", "proj", now=1000)
    header, payload, signature = token.split(".")
    assert signature == ""
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    assert decode(header)["alg"] == "none"
    claims = decode(payload)
    assert claims["aud"] == "proj"
    assert claims["iss"] == "https://securetoken.google.com/proj"
    assert claims["sub"] == "uid-1"
    assert claims["phone_number"] == "+201000000001"
    assert claims["exp"] == 4600
    assert "phone_number" not in decode(
        auth_tools.emulator_id_token(None, "u", "proj").split(".")[1]
    )


def test_parse_key_accepts_base64_forms_and_checks_length() -> None:
    key = bytes(range(200, 232))
    assert auth_tools.parse_key(base64.b64encode(key).decode()) == key
    assert auth_tools.parse_key(base64.urlsafe_b64encode(key).decode().rstrip("=")) == key
    with pytest.raises(ValueError, match="32 bytes"):
        auth_tools.parse_key(base64.b64encode(b"short").decode())
    with pytest.raises(ValueError, match="not base64"):
        auth_tools.parse_key("not base64 !")


def test_mint_command_prints_a_message_the_key_opens() -> None:
    key = bytes(range(32))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "devtools.auth_tools",
            "mint",
            "--client-id",
            "acme",
            "--key",
            base64.b64encode(key).decode(),
            "--method",
            "POST",
            "--path",
            PATH,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    claims = _claims("acme", key, result.stdout.strip())
    assert (claims["method"], claims["path"]) == ("POST", PATH)
    assert abs(claims["time"] - time.time()) < 60


def test_mint_command_with_a_bad_key_fails_cleanly(capsys) -> None:
    assert auth_tools.main(["mint", "--client-id", "a", "--key", "AAAA", "--path", PATH]) == 2
    assert "32 bytes" in capsys.readouterr().err


def test_id_token_command(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-x")
    assert auth_tools.main(["id-token", "--phone", "+201000000001"]) == 0
    payload = capsys.readouterr().out.strip().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (claims["aud"], claims["phone_number"], claims["sub"]) == (
        "demo-x",
        "+201000000001",
        "phone-201000000001",
    )


@pytest.mark.emulator
def test_create_partner_client_stores_a_usable_key(db) -> None:
    client_id, key = auth_tools.create_partner_client(db, name="Acme")
    assert partners.valid_client_id(client_id)
    assert len(key) == 32
    stored = db.document(f"partnerClients/{client_id}").get().to_dict()
    assert base64.b64decode(stored["key"]) == key
    assert stored["name"] == "Acme"
    assert auth_tools.create_partner_client(db)[0] != client_id


@pytest.mark.emulator
def test_create_client_command(db, capsys) -> None:
    assert auth_tools.main(["create-client", "--id", "demo-partner", "--name", "Demo"]) == 0
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    assert lines["CLIENT_ID"] == "demo-partner"
    stored = db.document("partnerClients/demo-partner").get().to_dict()
    assert stored["key"] == lines["CLIENT_KEY"]
    assert stored["name"] == "Demo"
