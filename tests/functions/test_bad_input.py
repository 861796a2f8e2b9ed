"""Bad input at every door: each surface refuses it in its envelope, naming what is wrong.

Bodies over MAX_BODY_BYTES (announced or chunked), JSON nested 10,000 deep, numbers beyond any
range, bytes that are not UTF-8, control characters, padded user ids: a 4xx naming the
parameter, never a 500 or a hang, and nothing recorded (the whole database is compared).
"""

from __future__ import annotations

import http.client
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.test import TestResponse

from devtools.server import FunctionsServer
from shared.repository import paths
from tests.functions.gigya_client import ENTRY_OF
from tests.functions.gigya_client import gm as gm
from tests.functions.integration_client import (
    ENTRY_POINT_OF,
    ENVELOPE_KEYS,
    function_app,
    load_catalog,
)
from tests.functions.integration_client import api as api
from tests.shared.api.factories import catalog, challenge

pytestmark = pytest.mark.emulator

LIMIT = 64 * 1024  # MAX_BODY_BYTES's default
USER = "+201000000001"
DEEP = "[" * 10_000 + "]" * 10_000
HUGE_INT = "9" * 5000
VERSIONS = ("v1", "v2")


def documents(db: Any) -> dict[str, Any]:
    """Every document of the database, by path: what a refusal must leave unchanged.

    Used V1 message nonces aside: a refusal after authentication (a padded UserId is refused
    by the endpoint's model) has spent its X-Message, as any authenticated request does; the
    refusals before authentication spend none (test_a_refusal_before_authentication_*).
    """
    found: dict[str, Any] = {}
    stack = [c for c in db.collections() if c.id != paths.AUTH_NONCES]
    while stack:
        collection = stack.pop()
        for ref in collection.list_documents():
            snapshot = ref.get()
            if snapshot.exists:
                found[ref.path] = snapshot.to_dict()
            stack.extend(ref.collections())
    return found


@pytest.fixture
def v(api) -> Iterator[Any]:
    """The V1/V2 client with a catalog, and a check that a refusal recorded nothing."""
    load_catalog(api.db, catalog(challenge(1)))
    before = documents(api.db)
    yield api
    assert documents(api.db) == before, "a refused request recorded something"


@pytest.fixture
def g(gm) -> Iterator[Any]:
    """The gm.* client, and a check that a refusal recorded nothing."""
    before = documents(gm.db)
    yield gm
    assert documents(gm.db) == before, "a refused request recorded something"


def refused(response: TestResponse, status: int, parameter: str) -> str:
    """The V1/V2 error envelope's message, checked: status, statusCode, the parameter named."""
    assert response.status_code == status, response.text
    body = response.get_json()
    assert set(body) == ENVELOPE_KEYS and body["result"] is None
    assert (body["statusCode"], body["statusName"]) == {
        400: (2, "ValidationError"),
        413: (9, "PayloadTooLarge"),
    }[status]
    assert parameter in body["message"], body["message"]
    return str(body["message"])


def gm_raw(
    method: str, *, query: str = "", body: bytes | None = None, **kwargs: Any
) -> TestResponse:
    """A gm.* call with the query string and the form body exactly as given."""
    path = f"/{method}"
    client = function_app(ENTRY_OF[path]).test_client()
    target = f"{path}?{query}" if query else path
    if body is None:
        return client.get(target, **kwargs)
    kwargs.setdefault("content_type", "application/x-www-form-urlencoded")
    return client.post(target, data=body, **kwargs)


def credentials(gm: Any) -> str:
    """The application key as form fields (a secret may hold '+', '/' and '=')."""
    sent = {"apiKey": gm.api_key, "userKey": gm.user_key, "secret": gm.secret}
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in sent.items())


def gm_refused(
    response: TestResponse, code: int, parameter: str, http_status: int = 200
) -> dict[str, Any]:
    """The Gigya error body, checked: HTTP status, errorCode, statusCode, the parameter named."""
    assert response.status_code == http_status, response.text
    body: dict[str, Any] = response.get_json()
    assert body["errorCode"] == code, body
    assert body["statusCode"] == code // 1000
    assert parameter in body["errorDetails"], body
    return body


# --- V1/V2: bodies over the limit --------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["ClaimPrize", "GetProgressChallengesInfoForUser"])
def test_a_body_over_the_limit_is_413(v, version, name):
    pad = json.dumps({"MilestoneId": 1, "UserId": USER, "pad": "x" * LIMIT}).encode()
    message = refused(v.call(version, name, data=pad), 413, "body")
    assert str(LIMIT) in message


@pytest.mark.parametrize("version", VERSIONS)
def test_a_body_at_the_limit_is_read(api, version):
    body = json.dumps({"MilestoneId": 1, "UserId": USER, "pad": ""}).encode()
    padded = body[:-1] + b" " * (LIMIT - len(body)) + b"}"
    assert len(padded) == LIMIT
    # Read in full: the milestone does not exist (404), the size was fine.
    assert api.call(version, "ClaimPrize", data=padded).status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
def test_a_chunked_body_over_the_limit_is_413_without_reading_it_all(v, version):
    stream = io.BytesIO(b" " * (4 * LIMIT))
    path = f"/api/{version}/Integration/ClaimPrize"
    headers = v.v1_headers("POST", path) if version == "v1" else v.v2_headers(USER)
    client = function_app(ENTRY_POINT_OF["ClaimPrize"]).test_client()
    response = client.post(
        path,
        input_stream=stream,
        headers={**headers, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        # What gunicorn and werkzeug's server say of a chunked body they terminate.
        environ_overrides={"wsgi.input_terminated": True},
    )
    refused(response, 413, "body")
    assert stream.tell() <= LIMIT + 1


@pytest.mark.parametrize(
    ("data", "headers", "status"),
    [
        (b'{"pad": "' + b"x" * LIMIT + b'"}', {}, 413),
        (DEEP.encode(), {}, 400),
        (b'{"MilestoneId": 1e400}', {}, 400),
        (b'{"MilestoneId": 1}', {"Accept-Language": "en\x01"}, 400),
    ],
)
def test_a_refusal_before_authentication_leaves_the_x_message_unspent(api, data, headers, status):
    path = "/api/v1/Integration/ClaimPrize"
    sent = {**api.v1_headers("POST", path), **headers}
    assert api.call("v1", "ClaimPrize", data=data, headers=sent, auth=False).status_code == status
    assert list(api.db.collection(paths.AUTH_NONCES).stream()) == []
    # The same message still authenticates a request (the milestone does not exist: 404).
    sent.pop("Accept-Language", None)
    again = api.call("v1", "ClaimPrize", json={"MilestoneId": 1, "UserId": USER}, headers=sent)
    assert again.status_code == 404, again.text


def _chunked_post(url: str, path: str, headers: dict[str, str], size: int) -> tuple[int, Any]:
    """POST `size` bytes with Transfer-Encoding: chunked over real HTTP."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    chunks = (b" " * 8192 for _ in range(size // 8192))
    try:
        connection.request("POST", path, body=chunks, headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_chunked_body_over_the_limit_is_413_over_http(api, gm):
    before = documents(api.db)
    with FunctionsServer(port=0) as server:
        path = "/api/v1/Integration/ClaimPrize"
        headers = {**api.v1_headers("POST", path), "Content-Type": "application/json"}
        status, body = _chunked_post(server.url, path, headers, LIMIT + 8192)
        assert (status, body["statusCode"], body["statusName"]) == (413, 9, "PayloadTooLarge")
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, body = _chunked_post(server.url, "/gm.notifyAction", form, LIMIT + 8192)
        assert (status, body["errorCode"], body["statusCode"]) == (200, 413001, 413)
        assert body["errorMessage"] == "Request entity too large"
    assert documents(api.db) == before


# --- V1/V2: JSON nesting, numbers, text ----------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ('{"ChallengeId": ' + DEEP + "}", "ChallengeId"),
        (DEEP, "body"),
        ('{"ChallengeId": 1e400}', "ChallengeId"),
        ('{"ChallengeId": -1e400}', "ChallengeId"),
        ('{"ChallengeId": NaN}', "ChallengeId"),
        ('{"ChallengeId": Infinity}', "ChallengeId"),
        ('{"ChallengeId": ' + HUGE_INT + "}", "ChallengeId"),
        ('{"ChallengeId": 99999999999999999999999}', "ChallengeId"),
        ('{"ChallengeId": 9007199254740992}', "ChallengeId"),
        ('{"ChallengeId": 1, "UserId": "a\\u0000b"}', "UserId"),
        ('{"ChallengeId": 1, "UserId": "a\\u001bb"}', "UserId"),
        ('{"ChallengeId": 1, "UserId": "\\ud800"}', "UserId"),
        ('{"ChallengeId": 1, "UserId": ["+2010", {"a": "\\u0007"}]}', "UserId"),
    ],
)
def test_bad_json_bodies_are_400_naming_the_parameter(v, version, body, parameter):
    refused(v.call(version, "GetDetailsById", data=body.encode()), 400, parameter)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_body_that_is_not_utf8_is_400(v, version):
    body = b'{"ChallengeId": 1, "UserId": "\xff\xfe"}'
    refused(v.call(version, "GetDetailsById", data=body), 400, "body")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("Page=1e400", "Page"),
        (f"Page={HUGE_INT}", "Page"),
        ("Page=9007199254740992", "Page"),
        ("CategoryId=99999999999999999999", "CategoryId"),
        ("ItemsPerPage=%FF", "ItemsPerPage"),
        ("SearchQuery=caf%C3", "SearchQuery"),
        ("SearchQuery=a%00b", "SearchQuery"),
        ("SearchQuery=a%7Fb", "SearchQuery"),
        ("SearchQuery=a%C2%85b", "SearchQuery"),
        ("Search%01Query=x", "Search\\x01Query"),
    ],
)
def test_bad_query_strings_are_400_naming_the_parameter(v, version, query, parameter):
    name = "GetProgressChallengesInfoForUser"
    refused(v.call(version, name, query=f"UserId=%2B201000000001&{query}"), 400, parameter)


@pytest.mark.parametrize(
    ("version", "header"),
    [
        ("v1", "X-ClientId"),
        ("v1", "X-Message"),
        ("v1", "Accept-Language"),
        ("v2", "Authorization"),
        ("v2", "Accept-Language"),
    ],
)
@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\x7f", "caf\xc3", "\xff\xfe"])
def test_bad_headers_are_400_naming_the_header(v, version, header, bad):
    # WSGI hands header bytes over as latin-1: "\xc3" alone and "\xff" are not UTF-8.
    sent = {header: f"Bearer x{bad}" if header == "Authorization" else f"x{bad}"}
    response = v.call(version, "ClaimPrize", json={"MilestoneId": 1}, headers=sent)
    refused(response, 400, header)


@pytest.mark.parametrize("version", VERSIONS)
def test_utf8_headers_are_fine(v, version):
    response = v.call(
        version,
        "GetProgressChallengesInfoForUser",
        query={"UserId": USER},
        headers={"Accept-Language": "ar-EG,\xd8\xb9;q=0.5"},  # UTF-8 bytes, as latin-1
    )
    assert response.status_code == 200, response.text


# --- V1/V2: padded user ids ------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["GetProgressChallengesInfoForUser", "GetPrizesHistory"])
def test_an_unencoded_plus_in_the_query_string_is_400_saying_to_encode_it(v, version, name):
    # "UserId=+201000000001" arrives as " 201000000001": another, empty user.
    message = refused(v.call(version, name, query="UserId=+201000000001"), 400, "UserId")
    assert "%2B" in message


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("GetDetailsById", {"ChallengeId": 1}),
        ("GetBadgeDetailsById", {"ChallengeId": 1}),
        ("ClaimPrize", {"MilestoneId": 1}),
    ],
)
@pytest.mark.parametrize("user", [" 201000000001", "+201000000001 ", "\t+201000000001"])
def test_a_padded_user_id_in_a_body_is_400(v, version, name, body, user):
    message = refused(v.call(version, name, json={**body, "UserId": user}), 400, "UserId")
    assert "%2B" in message


@pytest.mark.parametrize("version", VERSIONS)
def test_an_overlong_user_id_is_400(v, version):
    response = v.call(version, "GetPrizesHistory", query={"UserId": "1" * 257})
    assert "at most 256 characters" in refused(response, 400, "UserId")


# --- gm.*: bodies over the limit ----------------------------------------------------------------


def test_gm_a_body_over_the_limit_is_413001(g):
    body = f"{credentials(g)}&UID=u1&action=share&pad={'x' * LIMIT}".encode()
    answer = gm_refused(gm_raw("gm.notifyAction", body=body), 413001, "body")
    assert answer["errorMessage"] == "Request entity too large"
    assert answer["statusReason"] == "Request Entity Too Large"


def test_gm_httpstatuscodes_in_the_query_string_still_applies_to_413(g):
    body = f"{credentials(g)}&UID=u1&action=share&pad={'x' * LIMIT}".encode()
    response = gm_raw(
        "gm.notifyAction",
        query="httpStatusCodes=true&context=c1&format=jsonp&callback=cb",
        body=body,
    )
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert text.startswith("cb(") and text.endswith(");")
    answer = json.loads(text[3:-2])
    assert (answer["errorCode"], answer["context"]) == (413001, "c1")


def test_gm_a_chunked_body_over_the_limit_is_413001(g):
    stream = io.BytesIO(f"{credentials(g)}&UID=u1&action=share&pad=".encode() + b"x" * LIMIT)
    response = gm_raw(
        "gm.notifyAction",
        query="httpStatusCodes=true",
        body=b"",
        input_stream=stream,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    gm_refused(response, 413001, "body", http_status=413)


# --- gm.*: JSON nesting, numbers, text, padded UIDs -------------------------------------------


@pytest.mark.parametrize(
    ("fields", "parameter"),
    [
        ({"actionAttributes": DEEP}, "actionAttributes"),
        ({"actionAttributes": '{"show": ' + DEEP + "}"}, "actionAttributes"),
        ({"actionAttributes": '{"show": 1e400}'}, "actionAttributes"),
        ({"actionAttributes": '{"show": NaN}'}, "actionAttributes"),
        ({"actionAttributes": '{"show": ' + HUGE_INT + "}"}, "actionAttributes"),
        ({"actionAttributes": '{"show": "a\\u0000"}'}, "actionAttributes"),
        # Attribute values become variant ids, then document ids: bounded.
        ({"actionAttributes": {"show": "x" * 2000}}, "actionAttributes"),
        ({"UID": "+201000000001 "}, "UID"),
        ({"UID": "u\u0000"}, "UID"),
        ({"UID": "u" * 257}, "UID"),
        ({"action": "share\u0001"}, "action"),
        ({"context": "c\u001b"}, "context"),
    ],
)
def test_gm_bad_fields_are_400006_naming_the_parameter(g, fields, parameter):
    sent = {"UID": "u1", "action": "share", **fields}
    response = g.raw("gm.notifyAction", **sent)
    gm_refused(response, 400006, parameter)
    assert g.raw("gm.notifyAction", http="GET", **sent).get_json()["errorCode"] == 400006


def test_gm_an_overlong_variant_is_400006(g):
    response = g.raw("gm.getTopUsers", challenge="points", variantID="show:" + "x" * 3000)
    gm_refused(response, 400006, "variantID")


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("1e400", "points: must be a whole number of points"),
        (HUGE_INT, "points must be a smaller integer"),
        ("99999999999999999999", "points must be at most 1000000000"),
    ],
)
def test_gm_huge_numbers_are_400006(g, points, message):
    response = g.raw("gm.redeemPoints", UID="u1", challenge="points", points=points)
    assert gm_refused(response, 400006, "points")["errorDetails"] == message


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        (b"UID=%FF", "UID"),
        (b"UID=caf%C3", "UID"),
        (b"UID=u\xff", "UID"),
        (b"UID=u%00", "UID"),
        (b"UID=u&act%00ion=share", "act\\x00ion"),
    ],
)
def test_gm_form_bytes_that_are_not_utf8_text_are_400006(g, raw, parameter):
    body = credentials(g).encode() + b"&action=share&" + raw
    gm_refused(gm_raw("gm.notifyAction", body=body), 400006, parameter)
    # A query string carries bytes percent-encoded: the same bytes, the same refusal.
    query = quote(body, safe="=&%")
    gm_refused(gm_raw("gm.notifyAction", query=query), 400006, parameter)


def test_gm_an_unencoded_plus_in_the_query_string_is_400006_saying_to_encode_it(g):
    query = f"{credentials(g)}&UID=+201000000001&action=share"
    answer = gm_refused(gm_raw("gm.notifyAction", query=query), 400006, "UID")
    assert "%2B" in answer["errorDetails"]


def test_gm_a_json_body_is_refused_and_nothing_is_recorded(g):
    response = gm_raw(
        "gm.notifyAction",
        query=credentials(g),
        body=json.dumps({"UID": "u1", "action": "share"}).encode(),
        content_type="application/json",
    )
    gm_refused(response, 400006, "body")
