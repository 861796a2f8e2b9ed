"""ClaimPrize: claims once, repeats the same answer, and the prize leaves the list."""

from __future__ import annotations

import pytest

from shared.repository import paths
from tests.functions.integration_client import api as api
from tests.functions.integration_client import load_catalog
from tests.shared.api.factories import (
    catalog,
    challenge,
    milestone_doc,
    progress_doc,
    store_progress,
    stored_progress,
    unclaimed_entry,
)

pytestmark = pytest.mark.emulator

USER = "+201000000003"
CLAIMED_KEYS = {
    "userId",
    "milestoneId",
    "challengeId",
    "challengeName",
    "level",
    "createdAt",
    "claimedAt",
    "prizes",
}


def _won(api, milestone: int = 41, issued: bool = True) -> None:
    load_catalog(api.db, catalog(challenge(1, limited=False)))
    api.db.document(paths.milestone_doc(USER, milestone)).set(
        milestone_doc(USER, milestone, 1, issued=issued)
    )
    store_progress(
        api.db, USER, {1: progress_doc(1000, baseline=1000, unclaimed=[unclaimed_entry(milestone)])}
    )


def _prizes_listed(api) -> list[tuple[int, int]]:
    """(milestoneId, number of unclaimed prizes) of every milestone the list shows."""
    response = api.call("v2", "GetProgressChallengesInfoForUser", user=USER)
    data = response.get_json()["result"]["data"]
    return [(m["milestoneId"], len(m["prizes"])) for c in data for m in c["prizes"]]


def test_claim_is_idempotent_and_moves_the_prize(api):
    _won(api)
    assert _prizes_listed(api) == [(41, 1)]
    first = api.call("v1", "ClaimPrize", json={"userId": USER, "milestoneId": 41})
    assert first.status_code == 200
    result = first.get_json()["result"]
    assert set(result) == CLAIMED_KEYS
    assert (result["milestoneId"], result["challengeId"], result["level"]) == (41, 1, 1)
    assert set(result["prizes"][0]) == {"value", "expirationDate", "description", "rewardType"}
    again = api.call("v2", "ClaimPrize", user=USER, json={"MilestoneId": 41})
    assert again.status_code == 200
    assert again.get_json()["result"] == result
    # The claimed milestone stays listed with its prizes emptied, as docs/API.md shows it.
    assert _prizes_listed(api) == [(41, 0)]
    history = api.call("v1", "GetPrizesHistory", query={"UserId": USER}).get_json()["result"]
    assert [m["milestoneId"] for m in history["data"]] == [41]
    progress = stored_progress(api.db, USER, 1)
    assert progress["claimedCount"] == 1


def test_unknown_milestone_is_404(api):
    _won(api)
    response = api.call("v1", "ClaimPrize", json={"userId": USER, "milestoneId": 42})
    body = response.get_json()
    assert response.status_code == 404 and body["statusCode"] == 5
    assert "MilestoneId" in body["message"]


def test_another_users_milestone_is_404(api):
    _won(api)
    response = api.call("v1", "ClaimPrize", json={"userId": "+2099", "milestoneId": 41})
    assert response.status_code == 404


def test_prizes_still_being_issued_are_409(api):
    _won(api, issued=False)
    response = api.call("v1", "ClaimPrize", json={"userId": USER, "milestoneId": 41})
    assert response.status_code == 409 and response.get_json()["statusCode"] == 6


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"userId": USER}, "MilestoneId"),
        ({"userId": USER, "milestoneId": "x"}, "MilestoneId"),
        ({"userId": USER, "milestoneId": -1}, "MilestoneId"),
        ({"milestoneId": 1}, "UserId"),
    ],
)
def test_bad_bodies_name_the_parameter(api, payload, named):
    response = api.call("v1", "ClaimPrize", json=payload)
    assert response.status_code == 400 and named in response.get_json()["message"]
