"""GetBadgeDetailsById: the published sample's shape, locks, wrong reward type, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.models import Category
from shared.enums import RewardType
from shared.repository import paths
from tests.functions.integration_client import ENVELOPE_KEYS, load_catalog
from tests.functions.integration_client import api as api
from tests.shared.api.factories import (
    catalog,
    challenge,
    milestone_doc,
    progress_doc,
    store_progress,
    unclaimed_entry,
)

pytestmark = pytest.mark.emulator

NAME = "GetBadgeDetailsById"

# The published response sample (docs/API.md), transcribed (the signed URL shortened).
SEED_001_SAMPLE: dict[str, Any] = {
    "result": {
        "name": "Most Loyal",
        "description": "Most Loyal badge",
        "peopleFinished": 1,
        "isLocked": False,
        "category": {"name": "Sports", "id": 3},
        "endsAfter": 1,
        "image": "https://storage.googleapis.com/dsq-staging/Most%20Loyal_1.jpg?X-Goog-Signature=a",
        "prizes": [{"userId": "01010123422", "milestoneId": 565, "prizes": []}],
        "groupProgress": [
            {
                "groupId": 314,
                "operator": 1,
                "groupOrder": 1,
                "triggersProgress": [
                    {
                        "triggerName": "Earned Points",
                        "triggerId": 1,
                        "triggerFrequency": 1000.0000,
                        "triggerOrder": 1,
                        "progress": 0.0,
                        "operator": 1,
                        "actionLeft": 1000.0000,
                        "triggerType": 2,
                    }
                ],
            }
        ],
        "rewards": [
            {
                "challengeId": 0,
                "rewardId": 3,
                "rewardName": "Food lovers Badge",
                "rewardValue": "Badges",
                "rewardType": 3,
                "duration": 0,
                "durationType": 1,
                "dateCreated": "2024-12-31T00:00:00",
                "id": 0,
            }
        ],
        "id": 317,
    },
    "message": "Process completed successfully",
    "statusCode": 1,
    "statusName": "Successfully",
}
# Fields the published table lists (docs/API.md) that its sample leaves out.
TABLE_ONLY = {"startDate", "endDate", "lockedEvent"}


def same_shape(sample: Any, actual: Any, where: str = "") -> list[str]:
    """Differences of key sets and JSON types between the sample and a response."""
    if isinstance(sample, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object"]
        problems = []
        if set(sample) != set(actual):
            problems.append(f"{where}: keys {sorted(set(sample) ^ set(actual))} differ")
        for key in set(sample) & set(actual):
            problems += same_shape(sample[key], actual[key], f"{where}.{key}")
        return problems
    if isinstance(sample, list):
        if not isinstance(actual, list) or (sample and not actual):
            return [f"{where}: expected a non-empty list"]
        return same_shape(sample[0], actual[0], f"{where}[0]") if sample else []
    if type(sample) is not type(actual):
        return [f"{where}: {type(actual).__name__} instead of {type(sample).__name__}"]
    return []


def _sample_situation(api) -> None:
    sample = challenge(
        317,
        name={"en": "Most Loyal", "ar": "الأكثر ولاء"},
        reward_type=RewardType.BADGE,
        category_id=3,
        image="images/Most Loyal_1.jpg",
    )
    sports = [Category(id=3, name={"en": "Sports"})]
    load_catalog(api.db, catalog(sample).model_copy(update={"categories": sports}))
    # The sample's user won milestone 565 and claimed its prize, which moved to the history.
    user = "01010123422"
    api.db.document(paths.milestone_doc(user, 565)).set(milestone_doc(user, 565, 317))
    store_progress(api.db, user, {317: progress_doc(0, unclaimed=[unclaimed_entry(565)])})
    api.db.document(f"{paths.CHALLENGE_STATS}/317/{paths.STATS_SHARDS}/0").set(
        {"peopleFinished": 1}
    )
    claim = api.call("v1", "ClaimPrize", json={"userId": user, "milestoneId": 565})
    assert claim.status_code == 200


def test_response_has_the_shape_of_seed_001s_sample(api):
    _sample_situation(api)
    response = api.call("v1", NAME, json={"challengeId": 317, "userId": "01010123422"})
    assert response.status_code == 200
    body = response.get_json()
    result = body["result"]
    assert set(result) >= TABLE_ONLY
    trimmed = {**body, "result": {k: v for k, v in result.items() if k not in TABLE_ONLY}}
    assert same_shape(SEED_001_SAMPLE, trimmed) == []
    assert result["lockedEvent"] is None
    assert result["peopleFinished"] == 1
    assert result["category"] == {"id": 3, "name": "Sports"}
    assert result["image"].startswith("http") and "X-Goog-Signature=" in result["image"]
    assert result["rewards"][0]["rewardName"] == "Food lovers Badge"
    assert result["prizes"] == [{"userId": "01010123422", "milestoneId": 565, "prizes": []}]


def test_shape_check_can_fail():
    assert same_shape({"a": [{"b": 1.0}]}, {"a": [{"b": 1}]}) == [".a[0].b: int instead of float"]
    assert same_shape({"a": 1}, {"a": 1, "c": 2}) != []


def test_locked_challenge_names_its_parent(api):
    load_catalog(
        api.db,
        catalog(
            challenge(1, name={"en": "Starter"}),
            challenge(2, parent=1, reward_type=RewardType.BADGE),
        ),
    )
    result = api.call("v1", NAME, json={"ChallengeId": 2, "UserId": "u1"}).get_json()["result"]
    assert result["isLocked"] is True
    parent_keys = {"id", "name", "description", "startDate", "endDate", "image"}
    assert set(result["lockedEvent"]) == parent_keys
    assert (result["lockedEvent"]["id"], result["lockedEvent"]["name"]) == (1, "Starter")


def test_points_challenge_is_refused_naming_get_details_by_id(api):
    load_catalog(api.db, catalog(challenge(5, reward_type=RewardType.POINTS)))
    response = api.call("v2", NAME, json={"challengeId": 5})
    body = response.get_json()
    assert response.status_code == 400 and body["statusCode"] == 2
    assert "GetDetailsById" in body["message"] and "ChallengeId" in body["message"]


@pytest.mark.parametrize(
    ("payload", "status", "named"),
    [
        ({"challengeId": 999, "userId": "u"}, 404, "ChallengeId"),
        ({"challengeId": "abc", "userId": "u"}, 400, "ChallengeId"),
        ({"challengeId": 0, "userId": "u"}, 400, "ChallengeId"),
        ({"userId": "u"}, 400, "ChallengeId"),
        ({"challengeId": 1}, 400, "UserId"),
    ],
)
def test_bad_bodies(api, payload, status, named):
    load_catalog(api.db, catalog(challenge(1, reward_type=RewardType.BADGE)))
    response = api.call("v1", NAME, json=payload)
    body = response.get_json()
    assert set(body) == ENVELOPE_KEYS
    assert response.status_code == status and body["result"] is None
    assert named in body["message"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1]", b"\xff"])
def test_malformed_json_is_400_naming_the_body(api, raw):
    response = api.call("v1", NAME, data=raw)
    assert response.status_code == 400
    assert "body" in response.get_json()["message"]
