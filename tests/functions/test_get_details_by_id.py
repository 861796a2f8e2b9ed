"""GetDetailsById: points and voucher challenges; badge ones are sent to GetBadgeDetailsById."""

from __future__ import annotations

import pytest

from shared.clock import utcnow
from shared.enums import RewardType
from tests.functions.integration_client import api as api
from tests.functions.integration_client import load_catalog
from tests.shared.api.factories import (
    catalog,
    challenge,
    progress_doc,
    store_progress,
    unclaimed_entry,
)

pytestmark = pytest.mark.emulator

NAME = "GetDetailsById"
USER = "+201000000002"


@pytest.mark.parametrize("reward_type", [RewardType.POINTS, RewardType.VOUCHER])
def test_points_and_voucher_challenges_in_detail(api, reward_type):
    load_catalog(api.db, catalog(challenge(1), challenge(2, parent=1, reward_type=reward_type)))
    store_progress(api.db, USER, {1: progress_doc(1000, achieved_at=utcnow())})
    store_progress(api.db, USER, {2: progress_doc(250, unclaimed=[unclaimed_entry(4)])})
    response = api.call("v2", NAME, user=USER, json={"challengeId": 2})
    assert response.status_code == 200
    result = response.get_json()["result"]
    assert result["id"] == 2 and result["isLocked"] is False and result["lockedEvent"] is None
    trigger = result["groupProgress"][0]["triggersProgress"][0]
    assert (trigger["actionLeft"], trigger["progress"]) == (750, 25)
    assert [m["milestoneId"] for m in result["prizes"]] == [4]
    assert result["rewards"][0]["rewardType"] == int(reward_type)
    assert result["rewards"][0]["challengeId"] == 2


def test_badge_challenge_is_refused_naming_get_badge_details_by_id(api):
    load_catalog(api.db, catalog(challenge(3, reward_type=RewardType.BADGE)))
    response = api.call("v1", NAME, json={"challengeId": 3, "userId": USER})
    body = response.get_json()
    assert response.status_code == 400
    assert "GetBadgeDetailsById" in body["message"]


def test_invisible_challenge_is_not_found(api):
    load_catalog(api.db, catalog(challenge(3, visible=False)))
    response = api.call("v1", NAME, json={"challengeId": 3, "userId": USER})
    assert response.status_code == 404
    assert response.get_json()["statusName"] == "NotFound"


def test_v2_user_may_not_name_another(api):
    load_catalog(api.db, catalog(challenge(1)))
    response = api.call("v2", NAME, user=USER, json={"challengeId": 1, "userId": "+2000"})
    assert response.status_code == 403


def test_get_is_refused(api):
    response = api.call("v1", NAME, method="GET", query={"challengeId": 1, "userId": USER})
    assert response.status_code == 400 and "POST" in response.get_json()["message"]
