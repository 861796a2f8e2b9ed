"""The V1/V2 envelope, rendered in one place (Gigya's: tests/shared/gigya/test_envelope.py)."""

from __future__ import annotations

import json

import pytest

from shared.errors import (
    ConflictError,
    InvalidArgumentError,
    MissingParameterError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
    UnavailableError,
)
from shared.http.envelopes import integration_error, integration_success


def test_success_envelope_matches_seed_001():
    response = integration_success({"id": 1})
    assert response.status_code == 200
    assert json.loads(response.get_data()) == {
        "result": {"id": 1},
        "message": "Process completed successfully",
        "statusCode": 1,
        "statusName": "Successfully",
    }


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidArgumentError("Page must be at least 1"), 400),
        (MissingParameterError("UserId is required"), 400),
        (UnauthenticatedError("X-Message expired"), 401),
        (PermissionDeniedError("UserId names another user"), 403),
        (NotFoundError("no challenge 9"), 404),
        (ConflictError("already claimed"), 409),
        (UnavailableError("retry"), 503),
    ],
)
def test_error_envelope_carries_status_and_message(error, status):
    response = integration_error(error)
    body = json.loads(response.get_data())
    assert response.status_code == status
    assert body["result"] is None
    assert body["message"] == error.message
    assert body["statusCode"] not in (1, None)
    assert body["statusName"] == error.status_name


def test_status_codes_are_distinct_per_error_kind():
    kinds = [
        InvalidArgumentError,
        UnauthenticatedError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        UnavailableError,
    ]
    assert len({k.status_code for k in kinds}) == len(kinds)
