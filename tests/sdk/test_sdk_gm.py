"""The gm.* surface driven by the real, unmodified npm `gigya` SDK and by raw HTTP.

Everything runs against the real local server (`devtools.server.FunctionsServer`: every function
loaded as Cloud Functions loads it) over the real Firestore emulator. The SDK signs each call for
https://gm.us1.gigya.com/<method> (millisecond timestamp, nonce, sig); the driver's transport
posts the signed form to the local server, which accepts that URL with
`GIGYA_ACCEPT_SDK_HOSTS=true`. Every test uses UIDs of its own: the database is emptied once for
the module.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.conftest import PROJECT
from tests.sdk.gigya_sdk import run_sdk

pytestmark = pytest.mark.emulator

ENV = {"GIGYA_ACCEPT_SDK_HOSTS": "true", "GIGYA_ALLOW_SECRET_OVER_HTTP": "true"}
ENVELOPE_KEYS = {"errorCode", "statusCode", "statusReason", "callId", "time", "apiVersion"}


@dataclass(frozen=True)
class Stack:
    """The running server and the credentials of one site and application key."""

    url: str
    db: Any
    api_key: str
    user_key: str
    secret: str


@pytest.fixture(scope="module")
def stack(emulators) -> Iterator[Stack]:
    """The Gigya catalog, a site and key, and every function served on a free local port."""
    from google.cloud import firestore

    from devtools.emulators import free_port
    from devtools.process_state import reset_process_state
    from devtools.server import FunctionsServer
    from shared.gigya import credentials
    from tests.functions.gigya_client import install_gigya_catalog

    saved = {name: os.environ.get(name) for name in ENV}
    os.environ.update(ENV)
    reset_process_state()
    server: FunctionsServer | None = None
    try:
        emulators.clear_firestore(PROJECT)
        db = firestore.Client(project=PROJECT)
        install_gigya_catalog(db)
        api_key = credentials.create_site(db, "sdk site")
        user_key, secret = credentials.create_application(db, api_key, "sdk app")
        server = FunctionsServer("127.0.0.1", free_port()).start()
        yield Stack(server.url, db, api_key, user_key, secret)
    finally:
        if server is not None:
            server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_process_state()


def new_uid(label: str) -> str:
    """A UID no other test uses; the `+` checks the SDK's form encoding on the way."""
    return f"+sdk-{label}-{uuid.uuid4().hex[:10]}"


def sdk(stack: Stack, *calls: tuple[str, dict[str, Any]], **config: Any) -> list[dict[str, Any]]:
    """Run the calls in order through the SDK (signed mode unless `config` says otherwise)."""
    results = run_sdk(
        {
            "apiKey": stack.api_key,
            "userKey": stack.user_key,
            "secret": stack.secret,
            "baseUrl": stack.url,
            "calls": [{"method": m, "params": p} for m, p in calls],
            **config,
        }
    )
    for result in results:
        # One attempt each: nothing here may trigger the SDK's retries (5 s apart).
        assert len(result["requests"]) == 1, result
    return results


def ok(result: dict[str, Any]) -> dict[str, Any]:
    """The response of a call the SDK reported as successful."""
    assert result["ok"] is True, result
    response: dict[str, Any] = result["response"]
    assert response["errorCode"] == 0 and response["statusCode"] == 200, response
    assert set(response) >= ENVELOPE_KEYS, response
    assert result["requests"][0]["status"] == 200
    return response


def refused(result: dict[str, Any], code: int) -> dict[str, Any]:
    """The response of a call the SDK raised on with `code`."""
    assert result["ok"] is False, result
    assert result["errorCode"] == code, result
    response: dict[str, Any] = result["response"]
    assert response["errorCode"] == code, response
    assert response["statusCode"] == code // 1000, response
    assert f"error code {code}" in result["message"], result
    return response


def by_challenge(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["challengeID"]: a for a in response["achievements"]}


# 1. Read-your-writes through the SDK.


def test_a_notified_share_is_in_the_next_status(stack: Stack) -> None:
    uid = new_uid("share")
    notified, status = sdk(
        stack,
        ("gm.notifyAction", {"UID": uid, "action": "share"}),
        ("gm.getChallengeStatus", {"UID": uid, "details": "full"}),
    )
    ok(notified)
    # The SDK signed and sent the UID as given, with a millisecond timestamp.
    attempt = notified["requests"][0]
    assert attempt["host"] == "gm.us1.gigya.com" and attempt["endpoint"] == "gm.notifyAction"
    assert "UID=%2Bsdk-share-" in attempt["body"]
    assert len(str(attempt["params"]["timestamp"])) == 13

    body = ok(status)
    assert body["UID"] == uid
    achievements = by_challenge(body)
    assert achievements["points"]["pointsTotal"] == 10
    assert achievements["points"]["points7Days"] == 10
    assert achievements["points"]["level"] == 0
    assert achievements["_default"]["pointsTotal"] == 10
    assert body["achievements"][-1]["challengeID"] == "_default"
    # `comment` was not notified: the talker challenge has no points.
    assert achievements["talker"]["pointsTotal"] == 0


# 2. Caps.


def test_the_daily_cap_refuses_the_fourth_comment(stack: Stack) -> None:
    uid = new_uid("cap")
    notify = ("gm.notifyAction", {"UID": uid, "action": "comment"})
    *accepted, fourth, status = sdk(
        stack, notify, notify, notify, notify, ("gm.getChallengeStatus", {"UID": uid})
    )
    for result in accepted:
        ok(result)
    error = refused(fourth, 400124)
    assert error["errorDetails"] == "DailyCap exceeded"
    assert error["errorMessage"] == "Limit reached"
    # The refused notification counted nothing: 3 comments of 5 points.
    achievements = by_challenge(ok(status))
    assert achievements["talker"]["pointsTotal"] == 15
    assert achievements["_default"]["pointsTotal"] == 15


# 3. Redeems.


def test_a_redeem_beyond_points_current_is_refused_and_one_within_is_taken(stack: Stack) -> None:
    uid = new_uid("redeem")
    share = ("gm.notifyAction", {"UID": uid, "action": "share"})
    results = sdk(
        stack,
        share,
        share,
        ("gm.redeemPoints", {"UID": uid, "challenge": "points", "points": 25}),
        ("gm.redeemPoints", {"UID": uid, "challenge": "points", "points": 15}),
        ("gm.getChallengeStatus", {"UID": uid, "details": "full"}),
    )
    ok(results[0])
    ok(results[1])
    error = refused(results[2], 400127)
    assert error["errorMessage"] == "Insufficient points to redeem"
    assert ok(results[3])["pointsCurrent"] == 5
    achievements = by_challenge(ok(results[4]))
    assert achievements["points"]["pointsCurrent"] == 5
    assert achievements["points"]["pointsTotal"] == 20
    # A redeem in `points` leaves `_default` alone.
    assert achievements["_default"]["pointsCurrent"] == 20


# 4. Level status.


def test_reset_level_status_clears_is_new_level(stack: Stack) -> None:
    uid = new_uid("level")
    comment = ("gm.notifyAction", {"UID": uid, "action": "comment"})
    results = sdk(
        stack,
        comment,
        comment,
        ("gm.getChallengeStatus", {"UID": uid, "includeChallenges": "talker"}),
        ("gm.resetLevelStatus", {"UID": uid, "challenges": "talker"}),
        ("gm.getChallengeStatus", {"UID": uid, "includeChallenges": "talker"}),
    )
    ok(results[0])
    ok(results[1])
    before = by_challenge(ok(results[2]))["talker"]
    assert before["level"] == 1 and before["isNewLevel"] is True
    ok(results[3])
    after = by_challenge(ok(results[4]))["talker"]
    assert after["level"] == 1 and after["isNewLevel"] is False


# 5. Top users.


def test_top_users_with_include_self_false_and_period_all(stack: Stack) -> None:
    from shared.engine.process import process_transaction
    from shared.repository import leaderboards_repo

    first, second, me = new_uid("top1"), new_uid("top2"), new_uid("me")
    # Far above anything the other tests earn, so these two are the top of `_default`.
    for uid, points in ((first, 90_000), (second, 70_000)):
        tid = f"sdk-{uuid.uuid4().hex}"
        data = {"userId": uid, "type": 1, "points": points, "occurredAt": datetime.now(UTC)}
        stack.db.document(f"transactions/{tid}").set(data)
        process_transaction(stack.db, tid, data)
    ok(sdk(stack, ("gm.notifyAction", {"UID": me, "action": "share"}))[0])
    leaderboards_repo.refresh(stack.db, datetime.now(UTC))
    leaderboards_repo.reset_cache()  # the server runs in this process: it reads fresh tables

    top = {"challenge": "_default", "totalCount": 2, "UID": me}
    without_me, with_me, weekly = sdk(
        stack,
        ("gm.getTopUsers", {**top, "period": "all", "includeSelf": False}),
        ("gm.getTopUsers", {**top, "period": "all"}),
        ("gm.getTopUsers", {**top, "includeSelf": False}),
    )
    # The SDK signed includeSelf as "" but sent "false"; the service accepted it.
    attempt = without_me["requests"][0]
    assert attempt["params"]["includeSelf"] is False
    assert "includeSelf=false" in attempt["body"]

    listed = ok(without_me)["users"]
    assert [(u["UID"], u["rank"]) for u in listed] == [(first, 1), (second, 2)]
    assert listed[0]["achievements"][0]["challengeID"] == "_default"
    assert listed[0]["achievements"][0]["pointsTotal"] == 90_000

    users = ok(with_me)["users"]
    assert [u["UID"] for u in users] == [first, second, me]
    assert users[2]["rank"] > 2
    assert users[2]["achievements"][0]["pointsTotal"] == 10

    assert [(u["UID"], u["rank"]) for u in ok(weekly)["users"]] == [(first, 1), (second, 2)]


# 6. Configuration and the actions log.


def test_challenge_and_action_config_in_every_language(stack: Stack) -> None:
    challenges, actions = sdk(
        stack,
        ("gm.getChallengeConfig", {"lang": "all"}),
        ("gm.getActionConfig", {"lang": "all"}),
    )
    described = ok(challenges)["challenges"]
    # Visible challenges (the hidden-until-first-level one included), `_default` last.
    assert [c["challengeID"] for c in described] == [
        "points",
        "talker",
        "mixed",
        "secret",
        "_default",
    ]
    points = described[0]
    assert points["challengeActions"] == ["share"]
    assert [level["points"] for level in points["levels"]] == [100, 200]
    assert points["levels"][0]["title"] == {"default": "Bronze", "en": "Bronze", "ar": "Bronze ar"}
    talker = described[1]
    assert [level["requiredActions"] for level in talker["levels"]] == [
        [{"actionID": "comment", "count": 2}],
        [{"actionID": "comment", "count": 3}],
    ]
    assert described[3]["hideUntilFirstLevel"] is True
    assert [level["points"] for level in described[4]["levels"]] == [50, 200]

    listed = {a["actionID"]: a for a in ok(actions)["actions"]}
    assert set(listed) == {"share", "comment", "checkin"}  # `old` is disabled
    assert listed["share"]["title"] == {"default": "Share", "en": "Share", "ar": "مشاركة"}
    assert listed["share"]["points"] == 10
    assert listed["comment"]["dailyCap"] == 3
    assert listed["checkin"]["freqCap"] == 3600


def test_the_actions_log_lists_notifications_and_redeems(stack: Stack) -> None:
    uid = new_uid("log")
    start = int(time.time()) - 5
    results = sdk(
        stack,
        ("gm.notifyAction", {"UID": uid, "action": "share", "actionAttributes": {"show": "glee"}}),
        ("gm.redeemPoints", {"UID": uid, "challenge": "_default", "points": 4}),
        ("gm.getActionsLog", {"UID": uid, "startTime": start}),
    )
    # The SDK sends an object parameter as JSON text.
    assert json.loads(_form(results[0])["actionAttributes"]) == {"show": "glee"}
    ok(results[0])
    assert ok(results[1])["pointsCurrent"] == 6
    log = ok(results[2])["actions"]
    assert [(e["actionID"], e["points"]) for e in log] == [("share", 10), ("_redeemPoints", -4)]
    assert log[0]["actionAttributes"] == {"show": "glee"}
    assert log[1]["challengeID"] == "_default"
    # ISO 8601 times, oldest first, within the frame.
    times = [datetime.fromisoformat(e["time"].replace("Z", "+00:00")) for e in log]
    assert times == sorted(times)
    assert times[0].timestamp() >= start


def _form(result: dict[str, Any]) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(result["requests"][0]["body"], keep_blank_values=True))


# 7. Refusals through the SDK.


def test_auth_refusals_through_the_sdk(stack: Stack) -> None:
    from shared.gigya import credentials

    uid = new_uid("auth")
    call = ("gm.getChallengeStatus", {"UID": uid})
    other_secret = credentials.new_secret()
    assert other_secret != stack.secret
    [wrong_secret] = sdk(stack, call, secret=other_secret)
    body = refused(wrong_secret, 403003)
    assert body["errorMessage"] == "Invalid request signature"

    [unknown_user_key] = sdk(stack, call, userKey="A" + secrets.token_hex(8)[:15])
    assert refused(unknown_user_key, 403005)["errorMessage"] == "Unauthorized user"

    [unknown_api_key] = sdk(stack, call, apiKey=credentials.new_api_key())
    assert refused(unknown_api_key, 400093)["errorMessage"] == "Invalid ApiKey parameter"

    [secret_mode] = sdk(stack, call, mode="secret")
    sent = _form(secret_mode)
    assert "secret" in sent and "userKey" not in sent and "sig" not in sent
    body = refused(secret_mode, 400002)
    assert "userKey" in body["errorDetails"]


# 8. Raw HTTP.


def signed(
    stack: Stack,
    method: str,
    params: dict[str, str],
    *,
    http: str = "POST",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """`params` with apiKey, userKey, timestamp, nonce and sig for the local URL."""
    from shared.gigya.signature import signature

    full = {
        **params,
        "apiKey": stack.api_key,
        "userKey": stack.user_key,
        "timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "nonce": nonce or uuid.uuid4().hex,
    }
    full["sig"] = signature(stack.secret, http, f"{stack.url}/{method}", full)
    return full


def post(stack: Stack, method: str, form: dict[str, str]) -> requests.Response:
    return requests.post(f"{stack.url}/{method}", data=form, timeout=30)


def test_raw_signed_post_and_duplicate_nonce(stack: Stack) -> None:
    uid = new_uid("raw")
    form = signed(stack, "gm.notifyAction", {"UID": uid, "action": "share"})
    first = post(stack, "gm.notifyAction", form)
    assert first.status_code == 200
    assert first.headers["Content-Type"].startswith("application/json")
    assert first.json()["errorCode"] == 0, first.text

    again = post(stack, "gm.notifyAction", form)
    assert again.status_code == 200
    body = again.json()
    assert body["errorCode"] == 403004 and body["errorMessage"] == "Duplicate nonce", body

    # The replay was refused and counted nothing.
    status = post(
        stack, "gm.getChallengeStatus", signed(stack, "gm.getChallengeStatus", {"UID": uid})
    )
    assert by_challenge(status.json())["_default"]["pointsTotal"] == 10


def test_raw_expired_timestamp(stack: Stack) -> None:
    old = int(time.time()) - 600
    form = signed(stack, "gm.getChallengeStatus", {"UID": new_uid("old")}, timestamp=old)
    body = post(stack, "gm.getChallengeStatus", form).json()
    assert body["errorCode"] == 403002 and body["errorMessage"] == "Request has expired", body
    assert f"Request timestamp: {old}" in body["errorDetails"]


def test_raw_jsonp_with_callback_and_context(stack: Stack) -> None:
    uid = new_uid("jsonp")
    params = {"UID": uid, "format": "jsonp", "callback": "gigya.cb_1", "context": "ctx <&> 42"}
    response = post(stack, "gm.getChallengeStatus", signed(stack, "gm.getChallengeStatus", params))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    text = response.text
    assert text.startswith("gigya.cb_1(") and text.endswith(");"), text
    body = json.loads(text[len("gigya.cb_1(") : -2])
    assert body["errorCode"] == 0 and body["context"] == "ctx <&> 42", body
    assert body["UID"] == uid

    # An error is answered as JSONP too, with the context.
    missing = {k: v for k, v in params.items() if k != "UID"}
    error = post(stack, "gm.getChallengeStatus", signed(stack, "gm.getChallengeStatus", missing))
    assert error.status_code == 200 and error.text.startswith("gigya.cb_1(")
    body = json.loads(error.text[len("gigya.cb_1(") : -2])
    assert body["errorCode"] == 400002 and "UID" in body["errorDetails"], body
    assert body["context"] == "ctx <&> 42"


def test_raw_http_status_codes_on_errors(stack: Stack) -> None:
    method = "gm.getChallengeStatus"
    missing = post(stack, method, signed(stack, method, {"httpStatusCodes": "true"}))
    assert missing.status_code == 400
    assert missing.json()["errorCode"] == 400002 and "UID" in missing.json()["errorDetails"]

    forged = signed(stack, method, {"UID": new_uid("forged"), "httpStatusCodes": "true"})
    forged["UID"] = new_uid("other")  # no longer what was signed
    forged_response = post(stack, method, forged)
    assert forged_response.status_code == 403
    assert forged_response.json()["errorCode"] == 403003

    # Without httpStatusCodes the same kind of error is HTTP 200.
    plain = post(stack, method, signed(stack, method, {}))
    assert plain.status_code == 200 and plain.json()["errorCode"] == 400002


def test_raw_signed_get_with_a_query_string(stack: Stack) -> None:
    uid = new_uid("get")
    notify = signed(stack, "gm.notifyAction", {"UID": uid, "action": "share"})
    assert post(stack, "gm.notifyAction", notify).json()["errorCode"] == 0

    method = "gm.getChallengeStatus"
    query = signed(stack, method, {"UID": uid, "details": "full"}, http="GET")
    response = requests.get(f"{stack.url}/{method}", params=query, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["errorCode"] == 0, body
    assert body["UID"] == uid
    assert by_challenge(body)["points"]["pointsTotal"] == 10


def test_a_request_through_the_server_as_a_proxy_signed_for_gigyas_host(stack: Stack) -> None:
    """SAP's Python SDK route: a plain-HTTP proxy, the request line in absolute form.

    It signs `http://gm.us1.gigya.com/<method>` (its default scheme is http) and sends its body
    sorted, with `httpStatusCodes=false` and `sdk=python_3.6.0` among the signed parameters.
    """
    from shared.gigya.signature import signature

    uid = new_uid("proxy")
    params = {
        "UID": uid,
        "apiKey": stack.api_key,
        "details": "full",
        "format": "json",
        "httpStatusCodes": "False",
        "nonce": uuid.uuid4().hex,
        "sdk": "python_3.6.0",
        "timestamp": str(int(time.time())),
        "userKey": stack.user_key,
    }
    url = "http://gm.us1.gigya.com/gm.getChallengeStatus"
    params["sig"] = signature(stack.secret, "POST", url, params)
    response = requests.post(
        url, data=dict(sorted(params.items())), proxies={"http": stack.url}, timeout=30
    )
    body = response.json()
    assert body["errorCode"] == 0, body
    assert {a["challengeID"] for a in body["achievements"]} >= {"points", "_default"}
