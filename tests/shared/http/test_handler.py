"""The endpoint wrapper: every outcome leaves as a V1/V2 envelope with the right status."""

from __future__ import annotations

import json

import pytest
from flask import Flask, Request
from google.api_core import exceptions as gexc
from pydantic import BaseModel

from shared.auth.caller import Caller
from shared.errors import NotFoundError, UnauthenticatedError
from shared.http.handler import IntegrationRequest, integration_endpoint, surface_version


@pytest.fixture(autouse=True)
def _settings(monkeypatch):
    from shared.app import reset_app

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")
    monkeypatch.setenv("IMAGES_BUCKET", "b")
    reset_app()
    yield
    reset_app()


def partner(request: Request, version: str) -> Caller:
    if request.headers.get("X-ClientId") != "ok":
        raise UnauthenticatedError("X-ClientId is unknown", parameter="X-ClientId")
    return Caller("partner", "ok")


class Body(BaseModel):
    ChallengeId: int


def call(body, path="/api/v1/Integration/X", method="POST", headers=None, **kwargs):
    app = Flask(__name__)
    handler = integration_endpoint(("POST",), authenticator=partner)(body)
    with app.test_request_context(
        path, method=method, headers=headers or {"X-ClientId": "ok"}, **kwargs
    ):
        from flask import request

        response = handler(request)
    return response.status_code, json.loads(response.get_data())


def test_success_passes_the_result_through():
    def body(ctx: IntegrationRequest):
        return {"id": ctx.parse(Body).ChallengeId, "lang": ctx.language, "v": ctx.version}

    status, payload = call(
        body,
        json={"challengeId": 5},
        headers={"X-ClientId": "ok", "Accept-Language": "ar-EG,en;q=0.8"},
    )
    assert status == 200
    assert payload["result"] == {"id": 5, "lang": "ar-eg", "v": "v1"}


def test_service_errors_keep_their_status():
    def body(ctx):
        raise NotFoundError("challenge 9 does not exist", parameter="ChallengeId")

    status, payload = call(body)
    assert (status, payload["statusName"], payload["result"]) == (404, "NotFound", None)
    assert "challenge 9" in payload["message"]


def test_authentication_failure_is_401():
    status, payload = call(lambda ctx: {}, headers={"X-ClientId": "nope"})
    assert status == 401 and "X-ClientId" in payload["message"]


def test_backend_outage_is_503_and_bugs_are_500_without_details():
    def outage(ctx):
        raise gexc.ServiceUnavailable("firestore down")

    def bug(ctx):
        raise KeyError("secret internal detail")

    assert call(outage)[0] == 503
    status, payload = call(bug)
    assert status == 500
    assert "secret" not in payload["message"]


def test_wrong_method_is_a_400_naming_the_method():
    status, payload = call(lambda ctx: {}, method="GET")
    assert status == 400 and "POST" in payload["message"]


def test_validation_error_names_the_parameter():
    status, payload = call(lambda ctx: ctx.parse(Body), json={"challengeId": "x"})
    assert status == 400 and "ChallengeId" in payload["message"]


def test_surface_version():
    assert surface_version("/api/v2/Integration/ClaimPrize") == "v2"
    assert surface_version("/API/V1/Integration/ClaimPrize") == "v1"
    with pytest.raises(NotFoundError):
        surface_version("/other")
