"""V1 and V2 authentication through HTTP, with the real handler and the Firestore emulator."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pytest
from flask import Flask, Request

from devtools.auth_tools import create_partner_client, emulator_id_token, mint_message
from shared.app import reset_app
from shared.auth.integration import authenticate
from shared.auth.partner_messages import seal
from shared.config import get_settings
from shared.http.handler import IntegrationRequest, integration_endpoint
from tests.conftest import PROJECT

pytestmark = pytest.mark.emulator

V1_PATH = "/api/v1/Integration/GetProgressChallengesInfoForUser"
V2_PATH = "/api/v2/Integration/GetProgressChallengesInfoForUser"


@integration_endpoint(("GET", "POST"))
def whoami(ctx: IntegrationRequest) -> dict[str, str]:
    return {
        "kind": ctx.caller.kind,
        "id": ctx.caller.id,
        "user": ctx.caller.resolve_user(ctx.params.get("UserId")),
    }


def _app() -> Flask:
    app = Flask(__name__)

    @app.route("/api/<version>/Integration/<name>", methods=["GET", "POST"])
    def route(version: str, name: str):  # the handler reads the path itself
        from flask import request

        return whoami(request)

    return app


@pytest.fixture
def client(db, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    reset_app()
    yield _app().test_client()
    reset_app()


@pytest.fixture
def partner(db) -> tuple[str, bytes]:
    return create_partner_client(db, "acme", name="Acme")


def _v1(
    client,
    partner,
    message: str | None = None,
    *,
    path: str = V1_PATH,
    method: str = "GET",
    query: str = "UserId=%2B201000000001",
    headers: dict[str, str] | None = None,
):
    client_id, key = partner
    if message is None:
        message = mint_message(client_id, key, method, path)
    sent = {"X-ClientId": client_id, "X-Message": message, **(headers or {})}
    return client.open(f"{path}?{query}", method=method, headers=sent)


def _refused(response, fragment: str) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)
    body = response.get_json()
    assert body["result"] is None
    assert body["statusName"] == "Unauthorized"
    assert fragment in body["message"]


def test_v1_valid_message_authenticates_the_partner(client, partner) -> None:
    response = _v1(client, partner)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["result"] == {
        "kind": "partner",
        "id": "acme",
        "user": "+201000000001",
    }


def test_v1_replayed_message_is_refused(client, partner) -> None:
    message = mint_message(*partner, "GET", V1_PATH)
    assert _v1(client, partner, message).status_code == 200
    _refused(_v1(client, partner, message), "already used")


@pytest.mark.parametrize("missing", ["X-ClientId", "X-Message"])
def test_v1_missing_header_is_named(client, partner, missing: str) -> None:
    client_id, key = partner
    headers = {"X-ClientId": client_id, "X-Message": mint_message(client_id, key, "GET", V1_PATH)}
    del headers[missing]
    _refused(client.get(V1_PATH, headers=headers), f"{missing} header is missing")


def test_v1_without_any_auth_header_names_both(client) -> None:
    _refused(client.get(V1_PATH), "X-ClientId and X-Message headers are missing")


@pytest.mark.parametrize("client_id", ["nobody", "bad/id", "a" * 200])
def test_v1_unknown_client_is_refused(client, partner, client_id: str) -> None:
    message = mint_message(client_id, partner[1], "GET", V1_PATH)
    _refused(
        client.get(V1_PATH, headers={"X-ClientId": client_id, "X-Message": message}),
        "names no known client",
    )


def test_v1_message_under_another_key_is_refused(client, partner) -> None:
    message = mint_message(partner[0], bytes(32), "GET", V1_PATH)
    _refused(_v1(client, partner, message), "could not be decrypted")


def test_v1_tampered_message_is_refused(client, partner) -> None:
    message = mint_message(*partner, "GET", V1_PATH)
    flipped = message[:20] + ("A" if message[20] != "A" else "B") + message[21:]
    _refused(_v1(client, partner, flipped), "could not be decrypted")


def test_v1_malformed_json_inside_is_refused(client, partner) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from shared.auth.partner_messages import b64url_encode

    iv = bytes(12)
    message = b64url_encode(iv + AESGCM(partner[1]).encrypt(iv, b"{time:", b"acme"))
    _refused(_v1(client, partner, message), "JSON object")


def test_v1_expired_and_future_messages_are_refused(client, partner) -> None:
    window = get_settings().message_window_seconds
    old = mint_message(*partner, "GET", V1_PATH, now=time.time() - window - 5)
    _refused(_v1(client, partner, old), "expired")
    future = mint_message(*partner, "GET", V1_PATH, now=time.time() + window + 5)
    _refused(_v1(client, partner, future), "future")


def test_v1_message_for_another_path_or_method_is_refused(client, partner) -> None:
    other_path = mint_message(*partner, "GET", "/api/v1/Integration/GetPrizesHistory")
    _refused(_v1(client, partner, other_path), "minted for path")
    other_method = mint_message(*partner, "POST", V1_PATH)
    _refused(_v1(client, partner, other_method), "minted for method")


def test_v1_path_is_compared_without_the_query_string(client, partner) -> None:
    message = mint_message(*partner, "GET", V1_PATH + "?UserId=whatever")
    response = _v1(client, partner, message, query="UserId=%2B20100&Page=2")
    assert response.status_code == 200, response.get_data(as_text=True)


def test_v1_refused_messages_do_not_burn_their_nonce(client, partner, db) -> None:
    nonce = "n" * 20
    wrong = mint_message(*partner, "GET", "/api/v1/Integration/Other", nonce=nonce)
    _refused(_v1(client, partner, wrong), "minted for path")
    assert not list(db.collection("authNonces").stream())
    right = mint_message(*partner, "GET", V1_PATH, nonce=nonce)
    assert _v1(client, partner, right).status_code == 200
    (record,) = list(db.collection("authNonces").stream())
    assert record.id == f"acme:{nonce}"


def test_v1_same_nonce_in_a_fresh_message_is_a_replay(client, partner) -> None:
    nonce = "same-nonce-123456"
    assert (
        _v1(client, partner, mint_message(*partner, "GET", V1_PATH, nonce=nonce)).status_code == 200
    )
    again = mint_message(*partner, "GET", V1_PATH, nonce=nonce, now=time.time() + 1)
    _refused(_v1(client, partner, again), "already used")


def test_v1_message_of_one_client_is_refused_under_another(client, partner, db) -> None:
    other_id, other_key = create_partner_client(db, "globex")
    message = mint_message(other_id, other_key, "GET", V1_PATH)
    # Same key would not help either: the ClientId is the associated data.
    _refused(_v1(client, partner, message), "could not be decrypted")


def test_v1_post_with_body(client, partner) -> None:
    client_id, key = partner
    path = "/api/v1/Integration/ClaimPrize"
    response = client.post(
        path,
        json={"UserId": "+201000000009"},
        headers={"X-ClientId": client_id, "X-Message": mint_message(client_id, key, "POST", path)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["result"]["user"] == "+201000000009"


def _v2(client, token: str | None, query: str = ""):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"{V2_PATH}?{query}", headers=headers)


def test_v2_token_user_is_the_phone_number(client) -> None:
    response = _v2(client, emulator_id_token("+201000000001", "uid-1", PROJECT))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["result"] == {
        "kind": "user",
        "id": "+201000000001",
        "user": "+201000000001",
    }


def test_v2_without_phone_the_uid_is_the_user(client) -> None:
    response = _v2(client, emulator_id_token(None, "uid-7", PROJECT), "UserId=uid-7")
    assert response.get_json()["result"]["user"] == "uid-7"


def test_v2_user_id_of_someone_else_is_forbidden(client) -> None:
    token = emulator_id_token("+201000000001", "uid-1", PROJECT)
    response = _v2(client, token, "UserId=%2B201000000002")
    assert response.status_code == 403
    assert response.get_json()["statusName"] == "Forbidden"


def test_v2_missing_garbled_and_expired_tokens_are_refused(client) -> None:
    _refused(_v2(client, None), "Authorization header is missing")
    _refused(_v2(client, "not-a-token"), "not a valid Firebase ID token")
    expired = emulator_id_token("+201", "u", PROJECT, now=time.time() - 7200)
    _refused(_v2(client, expired), "expired")


def test_v1_headers_do_not_authenticate_v2(client, partner) -> None:
    client_id, key = partner
    headers = {"X-ClientId": client_id, "X-Message": mint_message(client_id, key, "GET", V2_PATH)}
    _refused(client.get(V2_PATH, headers=headers), "Authorization header is missing")


def test_secrets_are_not_logged(client, partner, capsys, caplog) -> None:
    client_id, key = partner
    message = mint_message(client_id, key, "GET", "/elsewhere")
    token = emulator_id_token("+201", "u", PROJECT, now=time.time() - 7200)
    with caplog.at_level("DEBUG"):
        _v1(client, partner, message)
        _v1(client, partner, mint_message(client_id, key, "GET", V1_PATH))
        _v2(client, token)
    out, err = capsys.readouterr()
    logged = out + err + caplog.text
    assert "refused" in logged  # the handler did log the refusals
    for secret in (message, token, base64.b64encode(key).decode(), key.hex()):
        assert secret not in logged


def test_authenticate_rejects_unknown_versions() -> None:
    request = Request.from_values("/api/v3/x")
    with pytest.raises(ValueError, match="v3"):
        authenticate(request, "v3")


def test_seal_and_header_round_trip_with_documented_format(client, partner) -> None:
    client_id, key = partner
    claims = {
        "time": int(time.time()),
        "nonce": "documented-nonce-0001",
        "method": "GET",
        "path": V1_PATH,
    }
    message = seal(client_id, key, claims)
    response = _v1(client, partner, message)
    assert response.status_code == 200, response.get_data(as_text=True)
