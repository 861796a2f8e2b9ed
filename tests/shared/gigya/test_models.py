"""The gm.* methods' parameters: defaults, bounds, errors naming the parameter (pure)."""

from __future__ import annotations

import pytest

from shared.errors import InvalidArgumentError, MissingParameterError
from shared.gigya.models import (
    ActionsLogParams,
    ChallengeStatusParams,
    NotifyActionParams,
    RedeemPointsParams,
    TopUsersParams,
)
from shared.gigya.params import parse


def test_defaults_of_challenge_status_and_case_insensitive_names():
    query = parse(ChallengeStatusParams, {"uid": "u1", "apiKey": "ignored", "DETAILS": "full"})
    assert (query.UID, query.details, query.includeChallenges) == ("u1", "full", ["*"])
    assert query.variant is None


def test_a_variant_by_id_or_by_one_attribute():
    by_id = parse(
        ChallengeStatusParams,
        {"UID": "u", "variantID": "show:glee", "actionAttributes": '{"a":"b"}'},
    )
    assert by_id.variant == "show:glee"
    by_attribute = parse(
        ChallengeStatusParams, {"UID": "u", "actionAttributes": '{"show": "glee"}'}
    )
    assert by_attribute.variant == "show:glee"


def test_top_users_defaults():
    query = parse(TopUsersParams, {})
    assert (query.challenge, query.period, query.totalCount, query.includeSelf) == (
        "_default",
        "7days",
        12,
        True,
    )
    assert parse(TopUsersParams, {"includeSelf": "False"}).includeSelf is False


@pytest.mark.parametrize(
    ("model", "params", "error", "parameter"),
    [
        (NotifyActionParams, {"UID": "u"}, MissingParameterError, "action"),
        (
            NotifyActionParams,
            {"UID": "u", "action": "a", "actionAttributes": '{"k": 5}'},
            InvalidArgumentError,
            "actionAttributes",
        ),
        (
            RedeemPointsParams,
            {"UID": "u", "challenge": "c", "points": "1.5"},
            InvalidArgumentError,
            "points",
        ),
        (
            RedeemPointsParams,
            {"UID": "u", "challenge": "c", "points": "1e3"},
            InvalidArgumentError,
            "points",
        ),
        (
            ActionsLogParams,
            {"UID": "u", "startTime": "9", "endTime": "8"},
            InvalidArgumentError,
            "endTime",
        ),
        (ActionsLogParams, {"UID": "u", "startTime": "soon"}, InvalidArgumentError, "startTime"),
        (ChallengeStatusParams, {"UID": "u1 "}, InvalidArgumentError, "UID"),
        (ChallengeStatusParams, {"UID": "x" * 300}, InvalidArgumentError, "UID"),
    ],
)
def test_errors_name_the_parameter(model, params, error, parameter):
    with pytest.raises(error) as raised:
        parse(model, params)
    assert raised.value.parameter == parameter
    assert parameter in raised.value.message
