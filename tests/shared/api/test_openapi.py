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
    assert {"200", "400", "401", "403", "404", "409", "413", "503"} <= set(v1["responses"])
    error = v1["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/ErrorEnvelope")
    assert SCHEMAS["ErrorEnvelope"]["properties"]["statusCode"]["enum"] == [2, 3, 4, 5, 6, 7, 8, 9]


def test_the_document_has_every_http_path_of_the_table_with_its_methods_and_nothing_else():
    from shared.endpoints import of_kind

    expected = {
        path: sorted(m.lower() for m in f.methods) for f in of_kind("http") for path in f.paths
    }
    documented = {path: sorted(item) for path, item in DOC["paths"].items()}
    assert documented == expected


GIGYA_COMMON = {
    "apiKey",
    "userKey",
    "secret",
    "timestamp",
    "nonce",
    "sig",
    "format",
    "callback",
    "context",
    "httpStatusCodes",
}


def _query(path: str) -> dict[str, dict]:
    return {p["name"]: p for p in DOC["paths"][path]["get"]["parameters"]}


def _form(path: str) -> dict:
    body = DOC["paths"][path]["post"]["requestBody"]
    return body["content"]["application/x-www-form-urlencoded"]["schema"]


def test_gigya_methods_take_their_parameters_by_query_and_by_form():
    own = {
        "/gm.getChallengeStatus": {
            "UID",
            "includeChallenges",
            "excludeChallenges",
            "details",
            "extraFields",
            "actionAttributes",
            "variantID",
            "lang",
        },
        "/gm.notifyAction": {"UID", "action", "actionAttributes"},
        "/gm.redeemPoints": {"UID", "challenge", "points"},
        "/gm.resetLevelStatus": {"UID", "challenges"},
        "/gm.getTopUsers": {
            "challenge",
            "period",
            "totalCount",
            "includeSelf",
            "friendsCount",
            "UID",
            "actionAttributes",
            "variantID",
            "lang",
        },
        "/gm.getChallengeConfig": {"includeChallenges", "excludeChallenges", "lang"},
        "/gm.getActionConfig": {"includeActions", "excludeActions", "lang"},
        "/gm.getActionsLog": {"UID", "startTime", "endTime"},
    }
    required = {
        "/gm.getChallengeStatus": {"UID"},
        "/gm.notifyAction": {"UID", "action"},
        "/gm.redeemPoints": {"UID", "challenge", "points"},
        "/gm.resetLevelStatus": {"UID", "challenges"},
        "/gm.getTopUsers": set(),
        "/gm.getChallengeConfig": set(),
        "/gm.getActionConfig": set(),
        "/gm.getActionsLog": {"UID"},
    }
    for path, names in own.items():
        query = _query(path)
        assert set(query) == GIGYA_COMMON | names, path
        assert {n for n, p in query.items() if p["required"]} == {"apiKey"} | required[path]
        form = _form(path)
        assert set(form["properties"]) == set(query), path
        assert set(form["required"]) == {"apiKey"} | required[path], path
        for method in ("get", "post"):
            operation = DOC["paths"][path][method]
            assert operation["tags"] == ["gigya"]
            ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/GigyaResponse")


def test_gigya_parameter_values_and_defaults():
    status = _query("/gm.getChallengeStatus")
    assert status["details"]["schema"]["enum"] == ["basic", "full"]
    assert status["extraFields"]["schema"]["enum"] == ["pointsThisMonth"]
    top = _query("/gm.getTopUsers")
    assert top["challenge"]["schema"]["default"] == "_default"
    assert top["period"]["schema"] == {"enum": ["all", "7days"], "default": "7days"}
    total = top["totalCount"]["schema"]
    assert (total["minimum"], total["maximum"], total["default"]) == (1, 100, 12)
    assert top["includeSelf"]["schema"] == {"type": "boolean", "default": True}
    common = _query("/gm.getActionsLog")
    assert common["format"]["schema"]["enum"] == ["json", "jsonp"]
    assert common["startTime"]["schema"]["type"] == "integer"


def test_the_gigya_envelope_has_the_status_fields_and_is_open():
    envelope = SCHEMAS["GigyaResponse"]
    assert {
        "errorCode",
        "statusCode",
        "statusReason",
        "callId",
        "time",
        "apiVersion",
        "errorMessage",
        "errorDetails",
        "context",
    } == set(envelope["properties"])
    assert envelope["additionalProperties"] is True
