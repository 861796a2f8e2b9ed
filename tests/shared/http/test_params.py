"""Case-insensitive parameters, and errors that name the parameter."""

from __future__ import annotations

import pytest
from flask import Flask
from pydantic import BaseModel, Field

from shared.errors import InvalidArgumentError, MissingParameterError
from shared.http.params import parse_params, request_params


class Query(BaseModel):
    UserId: str
    Page: int = Field(default=1, ge=1)
    ItemsPerPage: int = Field(default=10, ge=1, le=100)
    IsAscending: bool = True


def test_names_match_case_insensitively():
    parsed = parse_params(Query, {"userid": "u", "PAGE": "2", "itemsperpage": "5"})
    assert (parsed.UserId, parsed.Page, parsed.ItemsPerPage) == ("u", 2, 5)


def test_unknown_parameters_are_ignored():
    assert parse_params(Query, {"UserId": "u", "Other": "x"}).UserId == "u"


def test_missing_parameter_is_named():
    with pytest.raises(MissingParameterError, match="UserId is required") as info:
        parse_params(Query, {})
    assert info.value.parameter == "UserId"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"UserId": "u", "Page": "abc"}, "Page must be an integer"),
        ({"UserId": "u", "Page": "0"}, "Page must be at least 1"),
        ({"UserId": "u", "ItemsPerPage": "101"}, "ItemsPerPage must be at most 100"),
        ({"UserId": "u", "IsAscending": "perhaps"}, "IsAscending must be true or false"),
    ],
)
def test_bad_values_are_named(params, message):
    with pytest.raises(InvalidArgumentError, match=message):
        parse_params(Query, params)


app = Flask(__name__)


def test_query_and_json_body_merge():
    with app.test_request_context("/x?UserId=q", method="POST", json={"Page": 3}):
        from flask import request

        assert request_params(request, 1024) == {"UserId": "q", "Page": 3}


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_malformed_or_non_object_body_is_refused(body):
    with app.test_request_context("/x", method="POST", data=body, content_type="application/json"):
        from flask import request

        with pytest.raises(InvalidArgumentError, match="body") as info:
            request_params(request, 1024)
        assert info.value.parameter == "body"
