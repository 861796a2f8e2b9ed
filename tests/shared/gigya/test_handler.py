"""The gm.* endpoint wrapper through a Flask test client: formats, context, statuses, errors."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

import pytest
from flask import Flask, Request
from google.api_core import exceptions as gexc
from pydantic import BaseModel

from shared.errors import InvalidSignatureError
from shared.gigya import credentials
from shared.gigya import handler as handler_module
from shared.gigya.auth import GigyaCaller
from shared.gigya.handler import GigyaRequest, gigya_endpoint, is_https, request_host
from shared.gigya.params import GigyaBool
from shared.gigya.signature import signature

CALLER = GigyaCaller(api_key="3_site", user_key="Auser")


@pytest.fixture(autouse=True)
def _settings(monkeypatch):
    from shared.app import reset_app

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")
    monkeypatch.setenv("IMAGES_BUCKET", "b")
    reset_app()
    yield
    reset_app()


class RecordingLog:
    """Stands in for the handler's logger: keeps every line with its fields."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def info(self, message: str, extra: dict[str, Any]) -> None:
        self.lines.append(("info", message, extra["fields"]))

    def exception(self, message: str, extra: dict[str, Any]) -> None:
        self.lines.append(("exception", message, extra["fields"]))


@pytest.fixture
def logged(monkeypatch) -> RecordingLog:
    recorder = RecordingLog()
    monkeypatch.setattr(handler_module, "log", recorder)
    return recorder


def fake_auth(request: Request, params: Mapping[str, str]) -> GigyaCaller:
    if params.get("apiKey") != "3_site":
        raise InvalidSignatureError("sig is not the signature of this request", parameter="sig")
    return CALLER


class Status(BaseModel):
    UID: str
    includeSelf: GigyaBool = True


def status_body(ctx: GigyaRequest) -> dict[str, Any]:
    parsed = ctx.parse(Status)
    return {
        "UID": parsed.UID,
        "includeSelf": parsed.includeSelf,
        "caller": ctx.caller.user_key,
        "lang": ctx.lang,
    }


def _client(body=status_body, methods=("GET", "POST"), authenticator=fake_auth):
    app = Flask(__name__)
    wrapped = gigya_endpoint(methods, authenticator=authenticator)(body)

    @app.route("/<name>", methods=["GET", "POST", "PUT"])
    def route(name: str):
        from flask import request

        return wrapped(request)

    return app.test_client()


def _json(response) -> dict[str, Any]:
    assert response.mimetype == "application/json", response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True))


def test_post_form_success():
    response = _client().post(
        "/gm.getChallengeStatus",
        data={"apiKey": "3_site", "UID": "u 1", "includeSelf": "False", "lang": "ar"},
    )
    assert response.status_code == 200
    body = _json(response)
    assert (body["UID"], body["includeSelf"], body["caller"], body["lang"]) == (
        "u 1",
        False,
        "Auser",
        "ar",
    )
    assert (body["errorCode"], body["statusCode"], body["statusReason"]) == (0, 200, "OK")
    assert re.fullmatch(r"[0-9a-f]{32}", body["callId"]) and body["apiVersion"] == 2
    assert "context" not in body


def test_get_query_success_and_lang_absent():
    body = _json(_client().get("/gm.getChallengeStatus?apiKey=3_site&uid=u"))
    assert (body["UID"], body["lang"], body["errorCode"]) == ("u", None, 0)


def test_context_is_echoed_on_success_and_error():
    ok = _json(_client().post("/gm.x", data={"apiKey": "3_site", "UID": "u", "context": "R 1"}))
    assert ok["context"] == "R 1"
    bad = _json(_client().post("/gm.x", data={"apiKey": "no", "context": "R{2}"}))
    assert (bad["context"], bad["errorCode"]) == ("R{2}", 403003)


def test_errors_are_http_200_unless_http_status_codes():
    client = _client()
    response = client.post("/gm.x", data={"apiKey": "no"})
    assert response.status_code == 200
    body = _json(response)
    assert (body["errorCode"], body["statusCode"], body["statusReason"]) == (
        403003,
        403,
        "Forbidden",
    )
    assert body["errorMessage"] == "Invalid request signature"
    response = client.post("/gm.x", data={"apiKey": "no", "httpStatusCodes": "true"})
    assert response.status_code == 403
    ok = client.post("/gm.x", data={"apiKey": "3_site", "UID": "u", "httpStatusCodes": "true"})
    assert ok.status_code == 200


def test_jsonp_success_and_error():
    client = _client()
    response = client.get(
        "/gm.x?apiKey=3_site&UID=u&format=jsonp&callback=gigya.callback&context=R39"
    )
    assert response.mimetype == "application/javascript"
    match = re.fullmatch(r"gigya\.callback\((.*)\);", response.get_data(as_text=True), re.DOTALL)
    assert match
    body = json.loads(match[1])
    assert (body["UID"], body["context"], body["errorCode"]) == ("u", "R39", 0)
    error = client.post("/gm.x", data={"format": "jsonp", "callback": "cb", "apiKey": "no"})
    text = error.get_data(as_text=True)
    assert text.startswith("cb(") and text.endswith(");")
    assert json.loads(text[3:-2])["errorCode"] == 403003


@pytest.mark.parametrize(
    ("params", "code", "parameter"),
    [
        ({"format": "jsonp"}, 400002, "callback"),
        ({"format": "jsonp", "callback": "x);alert(1"}, 400006, "callback"),
        ({"format": "xml"}, 400006, "format"),
        ({"httpStatusCodes": "maybe"}, 400006, "httpStatusCodes"),
    ],
)
def test_bad_format_parameters_answer_as_json(params, code, parameter):
    response = _client().post("/gm.x", data={"apiKey": "3_site", "UID": "u", **params})
    body = _json(response)
    assert body["errorCode"] == code and parameter in body["errorDetails"]
    assert response.status_code == 200


def test_format_errors_come_before_authentication():
    body = _json(_client().post("/gm.x", data={"apiKey": "no", "format": "xml"}))
    assert body["errorCode"] == 400006 and "format" in body["errorDetails"]


def test_wrong_http_method_is_400006_in_the_asked_format():
    client = _client(methods=("POST",))
    body = _json(client.get("/gm.x?apiKey=3_site&UID=u"))
    assert body["errorCode"] == 400006 and "GET" in body["errorDetails"]
    assert "POST" in body["errorDetails"]
    jsonp = client.put("/gm.x?format=jsonp&callback=cb&apiKey=no")
    assert jsonp.get_data(as_text=True).startswith("cb(")
    # The method is checked before authentication.
    assert '"errorCode": 400006' in jsonp.get_data(as_text=True)


def test_parameter_errors_name_the_parameter():
    client = _client()
    missing = _json(client.post("/gm.x", data={"apiKey": "3_site"}))
    assert (missing["errorCode"], missing["errorMessage"]) == (
        400002,
        "Missing required parameter",
    )
    assert missing["errorDetails"] == "UID is required"
    bad = _json(client.post("/gm.x", data={"apiKey": "3_site", "UID": "u", "includeSelf": "y"}))
    assert (bad["errorCode"], bad["errorDetails"]) == (400006, "includeSelf must be true or false")


def test_a_json_body_is_refused_as_json():
    body = _json(_client().post("/gm.x", json={"apiKey": "3_site", "UID": "u"}))
    assert body["errorCode"] == 400006 and "form" in body["errorDetails"]


@pytest.mark.parametrize(
    ("exc", "code", "status"),
    [
        (gexc.DeadlineExceeded("slow"), 504001, 504),
        (gexc.ServiceUnavailable("down"), 500028, 500),
        (gexc.RetryError("gave up", cause=None), 500028, 500),
        (KeyError("internal detail"), 500001, 500),
    ],
)
def test_backend_failures(exc, code, status, logged):
    def body(ctx):
        raise exc

    response = _client(body).post("/gm.x", data={"apiKey": "3_site", "httpStatusCodes": "1"})
    payload = _json(response)
    assert (payload["errorCode"], payload["statusCode"], response.status_code) == (
        code,
        status,
        status,
    )
    assert "detail" not in payload["errorDetails"]
    assert [kind for kind, _, _ in logged.lines] == ["exception"]


def test_a_body_that_returns_no_dict_is_500001():
    body = _json(_client(lambda ctx: ["x"]).post("/gm.x", data={"apiKey": "3_site"}))
    assert body["errorCode"] == 500001


def test_refusals_are_logged_once_without_secrets(logged):
    secret, sig, nonce = "S3CRET+value=", "SIGVALUE123=", "NONCE-987"
    _client().post(
        "/gm.x",
        data={"apiKey": "no", "userKey": "Auser", "secret": secret, "sig": sig, "nonce": nonce},
    )
    assert len(logged.lines) == 1
    kind, message, fields = logged.lines[0]
    assert kind == "info" and message == "gigya request refused"
    assert fields["errorCode"] == 403003 and fields["userKey"] == "Auser"
    text = json.dumps(logged.lines)
    assert secret not in text and sig not in text and nonce not in text


def test_https_detection_and_host():
    app = Flask(__name__)
    cases = [
        ({"X-Forwarded-Proto": "https"}, "http://h/", True),
        ({"X-Forwarded-Proto": "http"}, "https://h/", False),
        ({"X-Forwarded-Proto": "https, http"}, "http://h/", True),
        ({}, "https://h/", True),
        ({}, "http://h/", False),
    ]
    for headers, url, expected in cases:
        with app.test_request_context("/gm.x", base_url=url, headers=headers):
            from flask import request

            assert is_https(request) is expected, (headers, url)
    with app.test_request_context("/gm.x", base_url="http://h:8080/"):
        from flask import request

        assert request_host(request) == "h:8080"
    with app.test_request_context(
        "/gm.x", base_url="http://h/", headers={"X-Forwarded-Host": "pub.example.com"}
    ):
        from flask import request

        assert request_host(request) == "pub.example.com"


@pytest.mark.emulator
def test_real_authentication_of_a_signed_post(db, monkeypatch):
    from devtools.process_state import reset_process_state
    from tests.conftest import PROJECT

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    monkeypatch.setenv("GIGYA_SIGNED_BASE_URLS", "https://challenges.example.com")
    reset_process_state()
    credentials.reset_cache()
    api_key = credentials.create_site(db, "Acme")
    user_key, secret = credentials.create_application(db, api_key, "backend")
    client = _client(authenticator=None)
    params = {
        "apiKey": api_key,
        "userKey": user_key,
        "UID": "u 1",
        "timestamp": str(int(time.time() * 1000)),
        "nonce": secrets.token_hex(6),
    }
    # Signed for the request's own URL (the test client's Host is localhost).
    params["sig"] = signature(secret, "POST", "http://localhost/gm.getChallengeStatus", params)
    body = _json(client.post("/gm.getChallengeStatus", data=params))
    assert (body["errorCode"], body["caller"]) == (0, user_key)
    assert _json(client.post("/gm.getChallengeStatus", data=params))["errorCode"] == 403004
    # Behind the front end: https from X-Forwarded-Proto, so a secret may be sent.
    over_https = {"apiKey": api_key, "userKey": user_key, "secret": secret, "UID": "u"}
    forwarded = client.post(
        "/gm.getChallengeStatus", data=over_https, headers={"X-Forwarded-Proto": "https"}
    )
    assert _json(forwarded)["errorCode"] == 0
    plain = _json(client.post("/gm.getChallengeStatus", data=over_https))
    assert plain["errorCode"] == 403006
    credentials.reset_cache()
    reset_process_state()
