"""The one place where results and errors become wire envelopes (DOMAIN.md section 3)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Response

from shared.errors import ServiceError

SUCCESS_MESSAGE = "Process completed successfully"


def _json(body: Any, status: int) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        mimetype="application/json",
    )


def integration_success(result: Any) -> Response:
    """A V1/V2 success envelope."""
    return _json(
        {
            "result": result,
            "message": SUCCESS_MESSAGE,
            "statusCode": 1,
            "statusName": "Successfully",
        },
        200,
    )


def integration_error(error: ServiceError) -> Response:
    """A V1/V2 error envelope with the error's HTTP status."""
    return _json(
        {
            "result": None,
            "message": error.message,
            "statusCode": error.status_code,
            "statusName": error.status_name,
        },
        error.http_status,
    )


def gigya_time(now: datetime | None = None) -> str:
    """ISO 8601 with milliseconds and Z, as Gigya prints `time`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def gigya_body(result: dict[str, Any], error: ServiceError | None = None) -> dict[str, Any]:
    """A Gigya response body: the result's fields plus the status fields."""
    body: dict[str, Any] = dict(result)
    if error is None:
        body.update(errorCode=0, statusCode=200, statusReason="OK")
    else:
        body.update(
            errorCode=error.gigya_code,
            errorMessage=error.gigya_message,
            errorDetails=error.message,
            statusCode=error.http_status if error.http_status != 401 else 403,
            statusReason=error.status_name,
        )
    body["callId"] = uuid.uuid4().hex
    body["time"] = gigya_time()
    return body
