"""The Gigya envelope: fields, statuses, context, httpStatusCodes and JSONP. Pure."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from shared.errors import (
    BackendTimeoutError,
    DuplicateNonceError,
    InsufficientPointsError,
    InternalError,
    InvalidActionError,
    InvalidApiKeyError,
    InvalidArgumentError,
    InvalidSecretError,
    InvalidSignatureError,
    LimitReachedError,
    MissingParameterError,
    NotFoundError,
    RequestExpiredError,
    SecretOverHttpError,
    ServiceError,
    UnauthorizedUserError,
    UnavailableError,
    gigya_status,
)
from shared.gigya.envelope import (
    ResponseOptions,
    gigya_body,
    gigya_error,
    gigya_success,
    gigya_time,
    response_options,
)

ERROR_FIELDS = [
    "callId",
    "errorCode",
    "errorDetails",
    "errorMessage",
    "apiVersion",
    "statusCode",
    "statusReason",
    "time",
]


@pytest.mark.parametrize(
    ("error", "code", "message", "status", "reason"),
    [
        (MissingParameterError("x"), 400002, "Missing required parameter", 400, "Bad Request"),
        (InvalidArgumentError("x"), 400006, "Invalid parameter value", 400, "Bad Request"),
        (NotFoundError("x"), 400006, "Invalid parameter value", 400, "Bad Request"),
        (InvalidApiKeyError("x"), 400093, "Invalid ApiKey parameter", 400, "Bad Request"),
        (LimitReachedError("x"), 400124, "Limit reached", 400, "Bad Request"),
        (InvalidActionError("x"), 400126, "Invalid action", 400, "Bad Request"),
        (InsufficientPointsError("x"), 400127, "Insufficient points to redeem", 400, "Bad Request"),
        (RequestExpiredError("x"), 403002, "Request has expired", 403, "Forbidden"),
        (InvalidSignatureError("x"), 403003, "Invalid request signature", 403, "Forbidden"),
        (DuplicateNonceError("x"), 403004, "Duplicate nonce", 403, "Forbidden"),
        (UnauthorizedUserError("x"), 403005, "Unauthorized user", 403, "Forbidden"),
        (SecretOverHttpError("x"), 403006, "Secret Sent Over Http", 403, "Forbidden"),
        (InvalidSecretError("x"), 403010, "Invalid Secret", 403, "Forbidden"),
        (InternalError("x"), 500001, "General Server Error", 500, "Internal Server Error"),
        (UnavailableError("x"), 500028, "Database error", 500, "Internal Server Error"),
        (BackendTimeoutError("x"), 504001, "Timeout", 504, "Gateway Timeout"),
    ],
)
def test_error_codes_and_statuses(error, code, message, status, reason):
    body = gigya_body({}, error)
    assert (body["errorCode"], body["errorMessage"], body["errorDetails"]) == (code, message, "x")
    assert (body["statusCode"], body["statusReason"]) == (status, reason)
    assert list(body) == ERROR_FIELDS


def test_status_is_the_first_three_digits():
    assert gigya_status(0) == (200, "OK")
    assert gigya_status(404000) == (404, "Not Found")
    assert gigya_status(403048) == (403, "Forbidden")


def test_success_body():
    moment = datetime(2015, 3, 22, 11, 42, 25, 943999, tzinfo=UTC)
    body = gigya_body({"UID": "u", "errorCode": 7}, now=moment)
    assert body["UID"] == "u"
    assert (body["errorCode"], body["statusCode"], body["statusReason"]) == (0, 200, "OK")
    assert body["time"] == "2015-03-22T11:42:25.943Z"
    assert body["apiVersion"] == 2
    assert re.fullmatch(r"[0-9a-f]{32}", body["callId"])
    assert "errorMessage" not in body and "errorDetails" not in body and "context" not in body
    assert gigya_body({})["callId"] != body["callId"]


def test_context_is_echoed_unchanged():
    assert gigya_body({}, context=" R1 {x}")["context"] == " R1 {x}"
    error = gigya_body({}, InvalidArgumentError("x"), context="")
    assert list(error)[:2] == ["callId", "context"] and error["context"] == ""


def test_time_format():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", gigya_time())


def _decode(response) -> dict:
    return json.loads(response.get_data(as_text=True))


def test_http_status_is_200_unless_asked():
    error = InvalidSignatureError("bad sig")
    response = gigya_error(error, ResponseOptions())
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert _decode(response)["errorCode"] == 403003
    assert gigya_error(error, ResponseOptions(http_status_codes=True)).status_code == 403
    ok = gigya_success({"a": 1}, ResponseOptions(http_status_codes=True))
    assert ok.status_code == 200 and _decode(ok)["a"] == 1


def test_jsonp_wraps_the_body():
    options = ResponseOptions("jsonp", "gigya.callback", "R39")
    response = gigya_error(InvalidApiKeyError("no such site"), options)
    text = response.get_data(as_text=True)
    assert response.mimetype == "application/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    match = re.fullmatch(r"gigya\.callback\((.*)\);", text, re.DOTALL)
    assert match, text
    body = json.loads(match[1])
    assert (body["errorCode"], body["context"]) == (400093, "R39")


def test_jsonp_escapes_javascript_line_separators():
    text = gigya_success({"t": "a\u2028b"}, ResponseOptions("jsonp", "cb")).get_data(as_text=True)
    assert "\u2028" not in text and "\\u2028" in text


def _options(params: dict[str, str]) -> tuple[ResponseOptions, ServiceError | None]:
    return response_options(params)


def test_options_defaults_and_names_in_any_case():
    assert _options({}) == (ResponseOptions(), None)
    options, error = _options(
        {"FORMAT": "JSONP", "Callback": "$x.y_1", "CONTEXT": "c", "httpstatuscodes": "True"}
    )
    assert error is None
    assert options == ResponseOptions("jsonp", "$x.y_1", "c", True)


@pytest.mark.parametrize(
    ("params", "error_type", "parameter"),
    [
        ({"format": "xml"}, InvalidArgumentError, "format"),
        ({"format": "jsonp"}, MissingParameterError, "callback"),
        ({"format": "jsonp", "callback": ""}, MissingParameterError, "callback"),
        ({"format": "jsonp", "callback": "alert(1)//"}, InvalidArgumentError, "callback"),
        ({"format": "jsonp", "callback": "a..b"}, InvalidArgumentError, "callback"),
        ({"format": "jsonp", "callback": "1cb"}, InvalidArgumentError, "callback"),
        ({"format": "jsonp", "callback": "a" * 200}, InvalidArgumentError, "callback"),
        ({"httpStatusCodes": "yes"}, InvalidArgumentError, "httpStatusCodes"),
    ],
)
def test_bad_options_answer_as_json(params, error_type, parameter):
    options, error = _options({**params, "context": "ctx"})
    assert type(error) is error_type
    assert error.parameter == parameter and parameter in error.message
    assert options.format == "json" and options.context == "ctx"
    assert gigya_error(error, options).mimetype == "application/json"


def test_valid_callbacks():
    for callback in ("gigya.callback", "cb_1", "$x.y", "_"):
        options, error = _options({"format": "jsonp", "callback": callback})
        assert error is None and options.callback == callback
