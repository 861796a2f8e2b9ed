"""The one place where results and errors become V1/V2 envelopes (Gigya's: shared/gigya)."""

from __future__ import annotations

import json
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
