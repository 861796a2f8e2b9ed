"""Request models: defaults, case-insensitive OrderBy, and errors naming the parameter."""

from __future__ import annotations

import pytest

from shared.api.models import ChallengeRequest, ChallengesQuery, ClaimRequest, OrderField
from shared.errors import InvalidArgumentError, MissingParameterError
from shared.http.params import parse_params


def test_defaults_follow_seed_000():
    query = parse_params(ChallengesQuery, {})
    assert (query.Page, query.ItemsPerPage, query.OrderBy, query.IsAscending) == (
        1,
        10,
        OrderField.ID,
        True,
    )


@pytest.mark.parametrize("raw", ["peoplefinished", "PEOPLEFINISHED", " PeopleFinished "])
def test_order_by_matches_any_case(raw):
    assert parse_params(ChallengesQuery, {"orderby": raw}).OrderBy is OrderField.PEOPLE_FINISHED


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"OrderBy": "Colour"}, "OrderBy must be one of .*'Id'.*'Progress'"),
        ({"Page": "0"}, "Page must be at least 1"),
        ({"ItemsPerPage": "101"}, "ItemsPerPage must be at most 100"),
        ({"ItemsPerPage": "0"}, "ItemsPerPage must be at least 1"),
        ({"CategoryId": "sports"}, "CategoryId must be an integer"),
        ({"IsAscending": "maybe"}, "IsAscending must be true or false"),
    ],
)
def test_bad_query_values_name_the_parameter(params, message):
    with pytest.raises(InvalidArgumentError, match=message):
        parse_params(ChallengesQuery, params)


def test_body_accepts_the_seed_sample_and_pascal_case():
    sample = parse_params(ChallengeRequest, {"challengeId": 1, "userId": "0123456789"})
    pascal = parse_params(ChallengeRequest, {"ChallengeId": 1, "UserId": "0123456789"})
    assert sample == pascal and sample.challengeId == 1


def test_missing_ids_are_named():
    with pytest.raises(MissingParameterError, match="ChallengeId is required"):
        parse_params(ChallengeRequest, {"userId": "u"})
    with pytest.raises(MissingParameterError, match="MilestoneId is required"):
        parse_params(ClaimRequest, {"userId": "u"})


def test_wrong_type_of_id_is_named():
    with pytest.raises(InvalidArgumentError, match="MilestoneId must be an integer"):
        parse_params(ClaimRequest, {"milestoneId": "abc"})


def test_json_booleans_are_not_ids():
    with pytest.raises(InvalidArgumentError, match="ChallengeId: must be an integer"):
        parse_params(ChallengeRequest, {"challengeId": True})
    assert parse_params(ChallengesQuery, {"IsAscending": False}).IsAscending is False
