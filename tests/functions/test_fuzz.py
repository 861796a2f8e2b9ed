"""Generated good and bad input against every documented operation: no 5xx, always the envelope.

Schemathesis reads docs/openapi.json and drives the functions as deployed (functions-framework
apps) with real V1 messages, V2 tokens and Gigya application keys, so requests get past
authentication to the parsing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from devtools.server import public_routes
from shared.app import reset_app
from shared.enums import RewardType
from shared.repository import paths
from tests.conftest import PROJECT
from tests.functions.integration_client import (
    ENVELOPE_KEYS,
    ROOT,
    IntegrationClient,
    function_app,
    load_catalog,
)
from tests.shared.api.factories import (
    catalog,
    challenge,
    milestone_doc,
    progress_doc,
    store_progress,
)

pytestmark = pytest.mark.emulator

USER = "+201000000009"
EXAMPLES_PER_OPERATION = 20


ROUTES = {route.path: route.entry_point for route in public_routes()}
GIGYA_ENVELOPE_KEYS = {"errorCode", "statusCode", "statusReason", "callId", "time", "apiVersion"}


def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
    """One WSGI app for every public function, routed by path as Hosting does."""
    entry = ROUTES.get(environ.get("PATH_INFO", "").rstrip("/"))
    if entry is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such function"]
    return function_app(entry).wsgi_app(environ, start_response)


schema = schemathesis.openapi.from_dict(json.loads((ROOT / "docs" / "openapi.json").read_text()))
schema.app = dispatch
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
)


@pytest.fixture(scope="module")
def fuzz_client(emulators) -> Iterator[IntegrationClient]:
    """A partner, a catalog with both details kinds, and a user with progress and a milestone."""
    from google.cloud import firestore

    from devtools.auth_tools import create_partner_client
    from devtools.process_state import reset_process_state
    from shared.gigya import credentials

    saved = {
        name: os.environ.get(name)
        for name in ("FIREBASE_AUTH_EMULATOR_HOST", "GIGYA_ALLOW_SECRET_OVER_HTTP")
    }
    os.environ["FIREBASE_AUTH_EMULATOR_HOST"] = "127.0.0.1:9"
    os.environ["GIGYA_ALLOW_SECRET_OVER_HTTP"] = "true"
    emulators.clear_firestore(PROJECT)
    reset_process_state()
    db = firestore.Client(project=PROJECT)
    load_catalog(db, catalog(challenge(1), challenge(2, reward_type=RewardType.BADGE, parent=1)))
    store_progress(db, USER, {1: progress_doc(300)})
    db.document(paths.milestone_doc(USER, 1)).set(milestone_doc(USER, 1, 1))
    client_id, key = create_partner_client(db)
    api_key = credentials.create_site(db, "fuzz")
    user_key, secret = credentials.create_application(db, api_key, "fuzz")
    client = IntegrationClient(db=db, client_id=client_id, key=key)
    client.gigya = {"apiKey": api_key, "userKey": user_key, "secret": secret}  # type: ignore[attr-defined]
    yield client
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    reset_app()


def _gigya_credentials(case: Any, credentials: dict[str, str]) -> None:
    # Generated values keep their say, except the credentials: requests reach the method.
    if case.method.upper() == "GET":
        case.query = {**(case.query or {}), **credentials}
    elif isinstance(case.body, dict):
        case.body = {**case.body, **credentials}
    else:
        case.body = dict(credentials)


@schema.parametrize()
def test_no_server_error_and_always_the_envelope(case, fuzz_client):
    if case.path.startswith("/gm."):
        _gigya_credentials(case, fuzz_client.gigya)
        response = case.call(headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code < 500, response.text
        text = response.text
        if text.rstrip().endswith(");"):
            # JSONP: callback({...});
            text = text[text.index("(") + 1 : text.rstrip().rindex(")")]
        body = json.loads(text)
        assert set(body) >= GIGYA_ENVELOPE_KEYS, body
        assert body["errorCode"] == 0 or body["errorCode"] < 500000, body
        return
    version = case.path.split("/")[2]
    headers = (
        fuzz_client.v1_headers(case.method.upper(), case.path)
        if version == "v1"
        else fuzz_client.v2_headers(USER)
    )
    response = case.call_and_validate(
        headers=headers,
        checks=[
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
            content_type_conformance,
        ],
    )
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert (body["statusCode"] == 1) == (response.status_code == 200)
