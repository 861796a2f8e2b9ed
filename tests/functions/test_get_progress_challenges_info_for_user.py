"""GetProgressChallengesInfoForUser through functions-framework with real V1/V2 auth."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.clock import utcnow
from tests.functions.integration_client import ENVELOPE_KEYS, load_catalog
from tests.functions.integration_client import api as api
from tests.shared.api.factories import (
    catalog,
    challenge,
    progress_doc,
    store_legacy_progress,
    store_progress,
    unclaimed_entry,
)

pytestmark = pytest.mark.emulator

NAME = "GetProgressChallengesInfoForUser"
USER = "+201000000001"
# The list's response fields (docs/API.md) of one challenge, in the sample's camelCase.
SEED_000_ITEM_KEYS = {
    "id",
    "name",
    "description",
    "startDate",
    "endDate",
    "peopleFinished",
    "endsAfter",
    "isLocked",
    "visible",
    "category",
    "image",
    "prizes",
    "groupProgress",
}
SEED_000_TRIGGER_KEYS = {
    "triggerId",
    "triggerType",
    "triggerName",
    "triggerOrder",
    "operator",
    "triggerFrequency",
    "actionLeft",
    "progress",
}


def _result(response, status: int = 200):
    body = response.get_json()
    assert set(body) == ENVELOPE_KEYS, body
    assert response.status_code == status, body
    return body


def test_seed_000_worked_example_over_v1(api):
    load_catalog(api.db, catalog(challenge(1, frequency=1000)))
    store_progress(api.db, USER, {1: progress_doc(200)})
    body = _result(api.call("v1", NAME, query={"UserId": USER}))
    assert (body["statusCode"], body["statusName"]) == (1, "Successfully")
    assert body["message"] == "Process completed successfully"
    result = body["result"]
    assert set(result) == {"data", "pagesNum", "count"}
    assert (result["pagesNum"], result["count"]) == (1, 1)
    item = result["data"][0]
    assert set(item) == SEED_000_ITEM_KEYS
    group = item["groupProgress"][0]
    assert set(group) == {"groupId", "groupOrder", "operator", "triggersProgress"}
    trigger = group["triggersProgress"][0]
    assert set(trigger) == SEED_000_TRIGGER_KEYS
    assert (trigger["triggerFrequency"], trigger["actionLeft"], trigger["progress"]) == (
        1000,
        800,
        20,
    )
    assert item["category"] == {"id": 1, "name": "Coffee"}
    assert item["isLocked"] is False and item["prizes"] == []


def test_v2_reads_the_token_user_and_shows_unclaimed_prizes_in_arabic(api):
    load_catalog(api.db, catalog(challenge(1), challenge(2, parent=1)))
    store_progress(
        api.db,
        USER,
        {
            1: progress_doc(
                1000, unclaimed=[unclaimed_entry(77)], achieved_at=utcnow(), completed=True
            )
        },
    )
    response = api.call("v2", NAME, user=USER, headers={"Accept-Language": "ar-EG,ar;q=0.9"})
    data = _result(response)["result"]["data"]
    first, second = data
    assert first["name"] == "تحدي 1"
    assert first["prizes"] == [
        {
            "userId": USER,
            "milestoneId": 77,
            "prizes": [
                {
                    "value": "100",
                    "expirationDate": first["prizes"][0]["prizes"][0]["expirationDate"],
                    "description": "مئة نقطة",
                    "rewardType": 1,
                }
            ],
        }
    ]
    assert first["groupProgress"][0]["triggersProgress"][0]["progress"] == 100
    assert second["isLocked"] is False


def test_v2_user_may_not_name_another_user(api):
    load_catalog(api.db, catalog(challenge(1)))
    response = api.call("v2", NAME, user=USER, query={"UserId": "+209999"})
    body = _result(response, 403)
    assert body["statusCode"] == 4 and "UserId" in body["message"]


def test_filter_search_sort_and_pages(api):
    now = utcnow()
    load_catalog(
        api.db,
        catalog(
            *(challenge(i, category_id=1 if i % 2 else 3) for i in range(1, 8)),
            challenge(8, visible=False),
            challenge(9, start=now - timedelta(days=60), end=now - timedelta(days=1)),
        ),
    )
    query = {
        "userid": USER,
        "categoryId": 1,
        "orderBy": "id",
        "isAscending": "false",
        "page": 2,
        "itemsPerPage": 3,
    }
    result = _result(api.call("v1", NAME, query=query))["result"]
    assert (result["pagesNum"], result["count"]) == (2, 4)
    assert [c["id"] for c in result["data"]] == [1]
    found = _result(api.call("v1", NAME, query={"UserId": USER, "SearchQuery": "تحدي 7"}))
    assert [c["id"] for c in found["result"]["data"]] == [7]
    past_end = _result(api.call("v1", NAME, query={"UserId": USER, "Page": 50}))["result"]
    assert (past_end["data"], past_end["pagesNum"], past_end["count"]) == ([], 50, 7)


@pytest.mark.parametrize(
    ("query", "status", "parameter"),
    [
        ({"UserId": USER, "Page": "0"}, 400, "Page"),
        ({"UserId": USER, "Page": "two"}, 400, "Page"),
        ({"UserId": USER, "ItemsPerPage": "101"}, 400, "ItemsPerPage"),
        ({"UserId": USER, "OrderBy": "Colour"}, 400, "OrderBy"),
        ({"UserId": USER, "IsAscending": "sometimes"}, 400, "IsAscending"),
        ({"UserId": USER, "CategoryId": "x"}, 400, "CategoryId"),
        ({}, 400, "UserId"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(api, query, status, parameter):
    load_catalog(api.db, catalog(challenge(1)))
    body = _result(api.call("v1", NAME, query=query), status)
    assert body["result"] is None and body["statusCode"] == 2
    assert parameter in body["message"]


def test_unknown_order_by_lists_the_allowed_fields(api):
    load_catalog(api.db, catalog(challenge(1)))
    body = _result(api.call("v1", NAME, query={"UserId": USER, "OrderBy": "x"}), 400)
    allowed = ("Id", "Name", "StartDate", "EndDate", "PeopleFinished", "EndsAfter", "Progress")
    for name in allowed:
        assert name in body["message"]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_missing_credentials_are_401(api, version):
    body = _result(api.call(version, NAME, query={"UserId": USER}, auth=False), 401)
    assert body["statusCode"] == 3


def test_wrong_method_is_refused(api):
    body = _result(api.call("v1", NAME, method="DELETE", query={"UserId": USER}), 400)
    assert "GET" in body["message"]


@pytest.fixture
def firestore_calls(api):
    """Counts the RPCs the process's Firestore client sends (instrumentation, not a fake)."""
    from bench.firestore_calls import counting
    from shared.clients import firestore_client

    with counting(firestore_client()) as counter:
        yield counter


@pytest.mark.parametrize("items", [1, 100])
def test_warm_list_costs_at_most_two_round_trips(api, firestore_calls, items):
    load_catalog(api.db, catalog(*(challenge(i) for i in range(1, 121))))
    store_progress(api.db, USER, {cid: progress_doc(cid * 10) for cid in range(1, 40)})
    query = {"UserId": USER, "ItemsPerPage": items, "OrderBy": "Progress"}
    assert api.call("v1", NAME, query=query).status_code == 200  # warms the caches
    firestore_calls.reset()
    response = api.call("v1", NAME, query=query)
    assert response.status_code == 200
    assert len(response.get_json()["result"]["data"]) == items
    # One nonce create for V1 authentication, one get of the user document.
    assert sorted(firestore_calls.snapshot().elements()) == ["commit", "get_document"]


def test_a_page_lists_what_a_whole_read_lists_and_reads_its_entries_only(
    api, firestore_calls, monkeypatch
):
    from shared.api import reads
    from shared.schema import paths
    from shared.schema import user as user_schema

    now = utcnow()
    ended = {"start": now - timedelta(days=60), "end": now - timedelta(days=1)}
    load_catalog(
        api.db,
        catalog(
            *(
                challenge(
                    i,
                    limited=i % 3 == 0,
                    parent=i - 1 if i % 5 == 0 else None,
                    **(ended if i % 4 == 0 else {}),
                )
                for i in range(1, 41)
            )
        ),
    )
    entries = {
        i: progress_doc(
            i * 7,
            claimed_count=1 if i % 2 else 0,
            unclaimed=[unclaimed_entry(1000 + i)] if i % 8 == 0 else None,
            achieved_at=now if i % 10 == 4 else None,
        )
        for i in range(1, 41)
    }
    queries = [
        {"UserId": USER, "OrderBy": order, "IsAscending": up, "Page": page, "ItemsPerPage": 6}
        for order in ("Id", "Name", "EndDate", "Progress")
        for up in ("true", "false")
        for page in (1, 2, 4)
    ]

    def listed(query):
        return _result(api.call("v1", NAME, query=query))["result"]

    store_progress(api.db, USER, entries)
    pages = [listed(q) for q in queries]
    assert any(p["data"] for p in pages) and any(p["count"] != 40 for p in pages)
    # A warm page reads the user document once, not whole: one nonce create, one masked get.
    firestore_calls.reset()
    assert listed(queries[0]) == pages[0]
    assert sorted(firestore_calls.snapshot().elements()) == ["commit", "get_document"]
    for query, page in zip(queries, pages, strict=True):
        # The same document from before the mirror: read whole, then mirrored, then by page.
        store_legacy_progress(api.db, USER, entries)
        assert listed(query) == page
        assert user_schema.LISTING_VERSION in api.db.document(paths.user_doc(USER)).get().to_dict()
        assert listed(query) == page
    monkeypatch.setattr(reads, "MASKED_ENTRIES_LIMIT", -1)
    assert [listed(q) for q in queries] == pages
