"""The real npm `gigya` SDK: its signatures, and the requests it sends (no Firestore needed)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.sdk.gigya_sdk import run_sdk, sdk_signatures

SECRET = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM="  # base64 of ASCII "0123456789abcdef0123"
COMMON = {"apiKey": "3_APIKEY", "format": "json", "timestamp": "1700000000", "userKey": "USERKEY"}

# The reference's four signature vectors: (method, url, params, expected sig).
VECTORS = [
    (
        "gm.getTopUsers",
        "https://gm.us1.gigya.com/gm.getTopUsers",
        {**COMMON, "challenge": "_default", "nonce": "1700000000000123", "totalCount": "5"},
        "8bwkskknR0Iy3jEjhQTdkaH6U48=",
    ),
    (
        "gm.notifyAction",
        "https://gm.us1.gigya.com/gm.notifyAction",
        {
            **COMMON,
            "UID": "u 1+2",
            "action": "read*article",
            "actionAttributes": '{"tags":["a b","\\u00e9"]}',
            "nonce": "n~1",
        },
        "qOdcGTSCb/qXUZGD74acRDxDZBk=",
    ),
    (
        "gm.redeemPoints",
        "http://gm.us1.gigya.com/gm.redeemPoints",
        {**COMMON, "UID": "u1", "challenge": "_default", "nonce": "42", "points": "10"},
        "ZveLAtjE+wH+8/iwNuv8IP4pg+Y=",
    ),
    (
        "gm.redeemPoints",
        "https://gm.eu1.gigya.com/gm.redeemPoints",
        {
            **COMMON,
            "UID": "é/?=&x",
            "description": "Free coffee ☕",
            "nonce": "7",
            "points": "25",
        },
        "WZt7C7xwxTRqWqRbu9713lqXGZs=",
    ),
]


def _vector(method: str, url: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"secret": SECRET, "method": method, "url": url, "params": params}


def test_the_sdk_signs_the_reference_vectors() -> None:
    sigs = sdk_signatures([_vector(m, u, p) for m, u, p, _ in VECTORS])
    assert sigs == [expected for *_, expected in VECTORS]


def test_the_scheme_is_part_of_the_signed_url() -> None:
    method, url, params, expected = VECTORS[2]
    [https_sig] = sdk_signatures([_vector(method, url.replace("http:", "https:"), params)])
    assert https_sig != expected


@dataclass
class Recorder:
    """A local HTTP server recording each POST and answering the queued JSON replies."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    replies: list[tuple[int, bytes]] = field(default_factory=list)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            rec.requests.append({"path": self.path, "headers": headers, "body": body})
            status, payload = (
                rec.replies.pop(0) if rec.replies else (200, b'{"errorCode":0,"statusCode":200}')
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _config(rec: Recorder, calls: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "apiKey": "3_APIKEY",
        "userKey": "USERKEY",
        "secret": SECRET,
        "dataCenter": "us1",
        "baseUrl": rec.url,
        "calls": calls,
        **extra,
    }


def test_a_signed_request_as_it_reaches_the_server(recorder: Recorder) -> None:
    params = {"challenge": "a b*", "totalCount": 5, "includeSelf": False}
    before_ms = time.time() * 1000
    [result] = run_sdk(_config(recorder, [{"method": "gm.getTopUsers", "params": params}]))
    after_ms = time.time() * 1000

    assert result["ok"] is True, result
    assert result["response"] == {"errorCode": 0, "statusCode": 200}
    [request] = recorder.requests
    assert request["path"] == "/gm.getTopUsers"
    assert request["headers"]["content-type"] == "application/x-www-form-urlencoded"

    body = request["body"]
    assert "challenge=a%20b%2A" in body  # RFC 3986: %20 for space, * encoded
    fields = parse_qsl(body, keep_blank_values=True, strict_parsing=True)
    assert [k for k, _ in fields] == [
        "challenge",
        "totalCount",
        "includeSelf",
        "apiKey",
        "format",
        "userKey",
        "timestamp",
        "nonce",
        "sig",
    ]
    sent = dict(fields)
    assert sent["includeSelf"] == "false"
    assert sent["totalCount"] == "5"
    assert (sent["apiKey"], sent["userKey"], sent["format"]) == ("3_APIKEY", "USERKEY", "json")
    assert "secret" not in sent
    assert re.fullmatch(r"\d{13}", sent["timestamp"])  # milliseconds
    assert before_ms - 1 <= int(sent["timestamp"]) <= after_ms + 1
    assert re.fullmatch(r"\d+", sent["nonce"])
    assert re.fullmatch(r"[A-Za-z0-9+/]{27}=", sent["sig"])

    # The SDK signed for its own host, whatever address the request reached, and signed the
    # falsy includeSelf as "" although it sent "false".
    [attempt] = result["requests"]
    assert (attempt["endpoint"], attempt["host"], attempt["body"]) == (
        "gm.getTopUsers",
        "gm.us1.gigya.com",
        body,
    )
    signed = {k: v for k, v in sent.items() if k != "sig"}
    url = "https://gm.us1.gigya.com/gm.getTopUsers"
    as_signed, as_sent = sdk_signatures(
        [
            _vector("gm.getTopUsers", url, {**signed, "includeSelf": ""}),
            _vector("gm.getTopUsers", url, signed),
        ]
    )
    assert as_signed == sent["sig"]
    assert as_sent != sent["sig"]


def test_partner_secret_mode_sends_the_secret(recorder: Recorder) -> None:
    calls = [{"method": "gm.getChallengeStatus", "params": {"UID": "u1"}}]
    [result] = run_sdk(_config(recorder, calls, mode="secret"))
    assert result["ok"] is True, result
    sent = dict(parse_qsl(recorder.requests[0]["body"], keep_blank_values=True))
    assert sent == {"UID": "u1", "apiKey": "3_APIKEY", "format": "json", "secret": SECRET}


def test_errors_are_reported_per_call_in_order(recorder: Recorder) -> None:
    error = {"errorCode": 400006, "errorDetails": "bad UID", "statusCode": 400}
    recorder.replies = [(400, json.dumps(error).encode()), (200, b"not json")]
    calls = [
        {"method": "gm.getChallengeStatus", "params": {"UID": ""}},
        {"method": "gm.notifyAction", "params": {"UID": "u1", "action": "a"}},
        {"method": "gm.getChallengeStatus", "params": {"UID": "u1"}},
    ]
    first, second, third = run_sdk(_config(recorder, calls))

    assert first["ok"] is False
    assert first["errorCode"] == 400006
    assert first["response"] == error
    assert (
        "gm.getChallengeStatus failed with error code 400006 and message bad UID"
        in (first["message"])
    )
    assert second["ok"] is False
    assert second["errorCode"] is None
    assert second["response"] is None
    assert "non-JSON" in second["message"]
    assert third["ok"] is True
    assert [r["path"] for r in recorder.requests] == [
        "/gm.getChallengeStatus",
        "/gm.notifyAction",
        "/gm.getChallengeStatus",
    ]
