"""The V1/V2 envelope, rendered in one place (Gigya's: tests/shared/gigya/test_envelope.py)."""

from __future__ import annotations

import json

import pytest

from shared.api import views
from shared.api.models import ChallengesPage
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
from shared.progress.state import parse_progress
from tests.shared.api.factories import (
    CATEGORIES,
    NOW,
    challenge,
    progress_doc,
    unclaimed_entry,
)


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


def _page() -> ChallengesPage:
    """A list page with every kind of value: Arabic text, dates, floats, nulls, nested lists."""
    context = views.ViewContext(
        language="ar",
        default_language="en",
        now=NOW,
        categories={c.id: c for c in CATEGORIES},
        image_url=lambda c: f"https://images.example/{c.id}.png?X-Goog-Signature=ab%2Fc",
    )
    state = parse_progress(progress_doc(250.5, unclaimed=[unclaimed_entry(7, value=12.5)]))
    items = [views.list_item(challenge(i), "+201000000001", {1: state}, context) for i in (1, 2)]
    return ChallengesPage(data=items, pagesNum=1, count=2)


def test_a_model_result_is_the_json_its_dump_gives():
    """The model's own encoder writes what model_dump(mode="json") through json.dumps wrote."""
    page = _page()
    written = integration_success(page)
    dumped = integration_success(page.model_dump(mode="json"))
    assert written.status_code == dumped.status_code == 200
    assert written.mimetype == dumped.mimetype == "application/json"
    assert json.loads(written.get_data()) == json.loads(dumped.get_data())
    assert list(json.loads(written.get_data())) == ["result", "message", "statusCode", "statusName"]
    # Text is written as UTF-8, unescaped, as json.dumps(ensure_ascii=False) wrote it.
    assert "تحدي 1".encode() in written.get_data()
