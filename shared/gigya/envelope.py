"""The one place Gigya response bodies are rendered: JSON or JSONP, statuses, callId, time.

Success: the result's fields, then `errorCode: 0, statusCode: 200, statusReason: "OK", callId,
time, apiVersion: 2`; errors: `callId, errorCode, errorDetails, errorMessage, apiVersion,
statusCode, statusReason, time`. Both echo `context` when it was sent. HTTP is 200 unless
`httpStatusCodes=true`; `format=jsonp` wraps the body in `callback(...);`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Request, Response

from shared.errors import InvalidArgumentError, MissingParameterError, ServiceError

API_VERSION = 2
# A plain JavaScript identifier path: `gigya.callback`, `cb_1`, `$x.y`.
CALLBACK_PATTERN = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*")
CALLBACK_MAX_LENGTH = 128
FORMATS = ("json", "jsonp")


@dataclass(frozen=True)
class ResponseOptions:
    """How to answer: `format` (json/jsonp), its `callback`, `context`, `httpStatusCodes`."""

    format: str = "json"
    callback: str | None = None
    context: str | None = None
    http_status_codes: bool = False


def gigya_time(now: datetime | None = None) -> str:
    """ISO 8601 with milliseconds and Z, as Gigya prints `time`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_call_id() -> str:
    """A `callId`: 32 lowercase hex characters."""
    return uuid.uuid4().hex


def gigya_body(
    result: Mapping[str, Any],
    error: ServiceError | None = None,
    context: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A Gigya response body: the result's fields and the status fields, or the error's."""
    if error is None:
        body: dict[str, Any] = dict(result)
        body.update(
            errorCode=0,
            statusCode=200,
            statusReason="OK",
            callId=new_call_id(),
            time=gigya_time(now),
            apiVersion=API_VERSION,
        )
        if context is not None:
            body["context"] = context
        return body
    body = {"callId": new_call_id()}
    if context is not None:
        body["context"] = context
    body.update(
        errorCode=error.gigya_code,
        errorDetails=error.message,
        errorMessage=error.gigya_message,
        apiVersion=API_VERSION,
        statusCode=error.gigya_status_code,
        statusReason=error.gigya_status_reason,
        time=gigya_time(now),
    )
    return body


def _lookup(params: Mapping[str, str], name: str) -> str | None:
    if name in params:
        return params[name]
    lowered = name.lower()
    return next((v for k, v in params.items() if k.lower() == lowered), None)


def response_options(params: Mapping[str, str]) -> tuple[ResponseOptions, ServiceError | None]:
    """The options the request asks for, and the first error in them (answered as JSON)."""
    context = _lookup(params, "context")
    error: ServiceError | None = None
    raw_status = (_lookup(params, "httpStatusCodes") or "false").strip().lower()
    http_status_codes = raw_status in {"true", "1"}
    if raw_status not in {"true", "1", "false", "0", ""}:
        error = InvalidArgumentError(
            "httpStatusCodes must be true or false", parameter="httpStatusCodes"
        )
    kind = (_lookup(params, "format") or "json").strip().lower()
    callback = _lookup(params, "callback")
    fallback = ResponseOptions("json", None, context, http_status_codes)
    if kind not in FORMATS:
        return fallback, error or InvalidArgumentError(
            "format must be one of json, jsonp", parameter="format"
        )
    if kind == "jsonp":
        if not callback:
            return fallback, error or MissingParameterError(
                "callback is required when format is jsonp", parameter="callback"
            )
        if len(callback) > CALLBACK_MAX_LENGTH or not CALLBACK_PATTERN.fullmatch(callback):
            return fallback, error or InvalidArgumentError(
                "callback must be a JavaScript identifier path such as gigya.callback",
                parameter="callback",
            )
        return ResponseOptions("jsonp", callback, context, http_status_codes), error
    return fallback, error


def query_options(request: Request) -> ResponseOptions:
    """The options the query string asks for, before the body is read; never raises.

    What a request is answered with when its parameters cannot be read (a body too large, text
    that is not UTF-8): `httpStatusCodes`, `format` and `context` from the query string, read
    leniently (werkzeug's decoding); JSON when they are invalid too.
    """
    return response_options(dict(request.args.items()))[0]


def _render(body: dict[str, Any], status: int, options: ResponseOptions) -> Response:
    text = json.dumps(body, ensure_ascii=False, default=str)
    http_status = status if options.http_status_codes else 200
    if options.format == "jsonp" and options.callback:
        # U+2028/U+2029 are line ends in older JavaScript engines; escape them in script.
        script = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        response = Response(
            f"{options.callback}({script});",
            status=http_status,
            content_type="application/javascript; charset=utf-8",
        )
    else:
        response = Response(text, status=http_status, content_type="application/json")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def gigya_success(result: Mapping[str, Any], options: ResponseOptions) -> Response:
    """A Gigya success response."""
    return _render(gigya_body(result, context=options.context), 200, options)


def gigya_error(error: ServiceError, options: ResponseOptions) -> Response:
    """A Gigya error response: HTTP 200, or its statusCode with `httpStatusCodes=true`."""
    body = gigya_body({}, error, context=options.context)
    return _render(body, body["statusCode"], options)
