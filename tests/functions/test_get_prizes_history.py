"""GetPrizesHistory: claimed milestones newest first, paginated."""

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
    unclaimed_entry,
)

pytestmark = pytest.mark.emulator

USER = "+201000000004"
NAME = "GetPrizesHistory"


def _claimed(api, milestones: list[int]) -> None:
    load_catalog(api.db, catalog(*(challenge(m) for m in milestones)))
    for m in milestones:
        api.db.document(paths.milestone_doc(USER, m)).set(milestone_doc(USER, m, m))
        store_progress(api.db, USER, {m: progress_doc(1000, unclaimed=[unclaimed_entry(m)])})
        claim = api.call("v1", "ClaimPrize", json={"userId": USER, "milestoneId": m})
        assert claim.status_code == 200


def test_history_pages_newest_first(api):
    _claimed(api, [1, 2, 3])
    first = api.call("v1", NAME, query={"UserId": USER, "ItemsPerPage": 2}).get_json()["result"]
    second = api.call("v2", NAME, user=USER, query={"page": 2, "itemsperpage": 2})
    second_result = second.get_json()["result"]
    assert (first["pagesNum"], first["count"]) == (1, 3)
    assert (second_result["pagesNum"], second_result["count"]) == (2, 3)
    assert [m["milestoneId"] for m in first["data"] + second_result["data"]] == [3, 2, 1]
    assert first["data"][0]["challengeName"] == "Challenge 3"


def test_empty_history(api):
    result = api.call("v1", NAME, query={"UserId": "+20nobody"}).get_json()["result"]
    assert result == {"data": [], "pagesNum": 1, "count": 0}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"UserId": USER, "Page": "-1"}, "Page"),
        ({"UserId": USER, "ItemsPerPage": "500"}, "ItemsPerPage"),
        ({}, "UserId"),
    ],
)
def test_bad_queries(api, query, named):
    response = api.call("v1", NAME, query=query)
    assert response.status_code == 400 and named in response.get_json()["message"]
