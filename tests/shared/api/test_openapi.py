"""The OpenAPI document built from the models: fields, parameters, envelopes, security."""

from __future__ import annotations

from shared.api.openapi import build_openapi

DOC = build_openapi()
SCHEMAS = DOC["components"]["schemas"]


def test_details_document_every_field_of_seed_001():
    assert set(SCHEMAS["ChallengeDetails"]["properties"]) == {
        "id",
        "name",
        "description",
        "startDate",
        "endDate",
        "peopleFinished",
        "endsAfter",
        "isLocked",
        "lockedEvent",
        "category",
        "image",
        "prizes",
        "groupProgress",
        "rewards",
    }
    assert set(SCHEMAS["RewardInfo"]["properties"]) == {
        "challengeId",
        "rewardId",
        "rewardName",
        "rewardValue",
        "rewardType",
        "duration",
        "durationType",
        "dateCreated",
        "id",
    }


def test_list_query_parameters_are_seed_000s():
    operation = DOC["paths"]["/api/v1/Integration/GetProgressChallengesInfoForUser"]["get"]
    names = [p["name"] for p in operation["parameters"] if p["in"] == "query"]
    assert set(names) == {
        "UserId",
        "CategoryId",
        "Page",
        "ItemsPerPage",
        "SearchQuery",
        "OrderBy",
        "IsAscending",
    }
    page = next(p for p in operation["parameters"] if p["name"] == "ItemsPerPage")
    assert (page["schema"]["minimum"], page["schema"]["maximum"]) == (1, 100)
    assert SCHEMAS["OrderField"]["enum"] == [
        "Id",
        "Name",
        "StartDate",
        "EndDate",
        "PeopleFinished",
        "EndsAfter",
        "Progress",
    ]


def test_bodies_are_camel_case_like_seed_001s_sample():
    assert set(SCHEMAS["ChallengeRequest"]["properties"]) == {"challengeId", "userId"}
    assert SCHEMAS["ChallengeRequest"]["required"] == ["challengeId"]
    assert set(SCHEMAS["ClaimRequest"]["properties"]) == {"milestoneId", "userId"}


def test_security_differs_by_version_and_errors_use_the_envelope():
    v1 = DOC["paths"]["/api/v1/Integration/ClaimPrize"]["post"]
    v2 = DOC["paths"]["/api/v2/Integration/ClaimPrize"]["post"]
    assert v1["security"] == [{"clientId": [], "message": []}]
    assert v2["security"] == [{"firebase": []}]
    assert {"200", "400", "401", "403", "404", "409", "503"} <= set(v1["responses"])
    error = v1["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/ErrorEnvelope")
    assert SCHEMAS["ErrorEnvelope"]["properties"]["statusCode"]["enum"] == [2, 3, 4, 5, 6, 7, 8]
