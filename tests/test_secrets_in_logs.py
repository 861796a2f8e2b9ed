"""Secrets stay secret: no key, secret, sig, nonce, ID token or X-Message in any log line.

The stack's functions run behind the local server (real HTTP, so its access log is part of what
is logged) with the logging every function configures (shared/logs.py), captured at DEBUG from
every logger. Every surface is exercised, refusals included; then each secret is searched for
in the captured lines as it is, URL-encoded and JSON-escaped.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import requests

from devtools.auth_tools import emulator_id_token, mint_message
from devtools.gigya_tools import signed_params
from devtools.server import FunctionsServer
from shared.config import get_settings
from shared.logs import JsonFormatter, configure
from tests.functions.gigya_client import gm as gm
from tests.functions.integration_client import api as api
from tests.functions.integration_client import load_catalog
from tests.shared.api.factories import catalog, challenge

pytestmark = pytest.mark.emulator

USER = "+201000000001"
LIST = "/api/{version}/Integration/GetProgressChallengesInfoForUser"


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """The functions' JSON log lines, every logger at DEBUG, into a buffer."""
    settings = get_settings()
    configure(settings.project, settings.log_json)
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]
    assert ours, "configure() installs the JSON formatter"
    # The formatter the functions use (redaction included), on a handler of our own: the
    # process's handler may write to a stream an earlier test captured and closed.
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(ours[0].formatter)
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.setLevel(level)
        root.removeHandler(handler)


def _forms(value: str) -> set[str]:
    """A secret as it may appear in a line: as it is, URL-encoded, JSON-escaped."""
    return {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}


def _key_forms(key: bytes) -> set[str]:
    """A raw key as text may show it: base64 (both alphabets), hex, its repr."""
    return {
        base64.b64encode(key).decode(),
        base64.urlsafe_b64encode(key).decode().rstrip("="),
        key.hex(),
        repr(key)[2:-1],
        json.dumps(repr(key)[2:-1])[1:-1],
    }


def test_no_secret_reaches_a_log_line(api, gm, logged):
    load_catalog(api.db, catalog(challenge(1)))
    secrets_seen: dict[str, set[str]] = {}

    def keep(name: str, value: str) -> str:
        secrets_seen.setdefault(name, set()).update(_forms(value))
        return value

    secrets_seen["partner key"] = _key_forms(api.key)
    keep("gigya secret", gm.secret)
    with FunctionsServer(port=0) as server:
        http = requests.Session()

        def v1(message: str, path: str = LIST.format(version="v1")) -> int:
            headers = {"X-ClientId": api.client_id, "X-Message": keep("X-Message", message)}
            return http.get(server.url + path, params={"UserId": USER}, headers=headers).status_code

        def v2(token: str) -> int:
            headers = {"Authorization": f"Bearer {keep('ID token', token)}"}
            path = LIST.format(version="v2")
            return http.get(server.url + path, headers=headers).status_code

        def gm_call(method: str, sent: dict[str, str], via: str = "GET") -> dict[str, Any]:
            url = f"{server.url}/{method}"
            answer = http.get(url, params=sent) if via == "GET" else http.post(url, data=sent)
            body: dict[str, Any] = answer.json()
            return body

        # V1: a valid message, the same one replayed, a forged one, one for another path.
        path = LIST.format(version="v1")
        message = mint_message(api.client_id, api.key, "GET", path)
        assert v1(message) == 200
        assert v1(message) == 401
        forged = base64.urlsafe_b64encode(secrets.token_bytes(96)).decode().rstrip("=")
        assert v1(forged) == 401
        assert v1(mint_message(api.client_id, api.key, "GET", "/elsewhere")) == 401
        # V2: a valid token, an expired one.
        assert v2(emulator_id_token(USER, "uid-1")) == 200
        assert v2(emulator_id_token(USER, "uid-1", now=time.time() - 7200)) == 401

        # gm.*: userKey + secret (query string and form), a wrong secret.
        plain = {"apiKey": gm.api_key, "userKey": gm.user_key, "secret": gm.secret, "UID": "u1"}
        assert gm_call("gm.getChallengeStatus", plain)["errorCode"] == 0
        assert gm_call("gm.getChallengeStatus", plain, via="POST")["errorCode"] == 0
        wrong = {**plain, "secret": keep("wrong secret", base64.b64encode(b"w" * 20).decode())}
        assert gm_call("gm.getChallengeStatus", wrong)["errorCode"] == 403010
        # Signed: accepted, the nonce replayed, a wrong sig.
        url = f"{server.url}/gm.getChallengeStatus"
        signed = signed_params(gm.api_key, gm.user_key, gm.secret, url, {"UID": "u1"})
        keep("nonce", signed["nonce"])
        keep("sig", signed["sig"])
        assert gm_call("gm.getChallengeStatus", signed)["errorCode"] == 0
        assert gm_call("gm.getChallengeStatus", signed, via="POST")["errorCode"] == 403004
        bad = signed_params(gm.api_key, gm.user_key, gm.secret, url, {"UID": "u2"})
        keep("nonce", bad["nonce"])
        bad["sig"] = keep("sig", base64.b64encode(secrets.token_bytes(20)).decode())
        assert gm_call("gm.getChallengeStatus", bad)["errorCode"] == 403003
        # Parameters the service refuses before authentication are logged too.
        refused = {**plain, "UID": " u1"}
        assert gm_call("gm.notifyAction", refused)["errorCode"] == 400006

    lines = logged.getvalue().splitlines()
    assert any("refused" in line for line in lines), "the refusals were logged"
    assert any("GET /gm.getChallengeStatus" in line for line in lines), "the access log too"
    for line in lines:
        json.loads(line)  # one JSON object per line
    text = logged.getvalue()
    leaks = {name for name, forms in secrets_seen.items() for form in forms if form in text}
    assert not leaks, f"logged: {sorted(leaks)}"
