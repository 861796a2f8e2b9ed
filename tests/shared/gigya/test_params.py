"""Gigya parameters: booleans and JSON objects as the SDKs send them; errors name the parameter."""

from __future__ import annotations

import pytest
from flask import Flask
from pydantic import BaseModel, Field

from shared.errors import InvalidArgumentError, MissingParameterError
from shared.gigya.params import (
    GigyaBool,
    GigyaCommaList,
    GigyaJsonObject,
    comma_list,
    parse,
    request_params,
)


class Model(BaseModel):
    UID: str
    includeSelf: GigyaBool = True
    actionAttributes: GigyaJsonObject | None = None
    challenges: GigyaCommaList = Field(default_factory=list)
    totalCount: int = Field(default=12, ge=1, le=100)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("true", True),
        ("True", True),
        ("1", True),
        ("false", False),
        ("False", False),
        ("0", False),
        (True, True),
        (False, False),
    ],
)
def test_booleans_in_every_sdk_spelling(sent, expected):
    assert parse(Model, {"UID": "u", "includeSelf": sent}).includeSelf is expected


@pytest.mark.parametrize("sent", ["yes", "on", "2", "", "t", "null"])
def test_other_booleans_are_refused_naming_the_parameter(sent):
    with pytest.raises(InvalidArgumentError) as info:
        parse(Model, {"UID": "u", "includeSelf": sent})
    assert info.value.message == "includeSelf must be true or false"
    assert info.value.parameter == "includeSelf"
    assert info.value.gigya_code == 400006


def test_json_objects_arrive_as_json_text():
    parsed = parse(Model, {"UID": "u", "actionAttributes": '{"color": ["red"]}'})
    assert parsed.actionAttributes == {"color": ["red"]}


@pytest.mark.parametrize("sent", ["[1]", "not json", '"text"', "null", "{", "3"])
def test_other_json_is_refused(sent):
    with pytest.raises(InvalidArgumentError, match=r"^actionAttributes must be a JSON object$"):
        parse(Model, {"UID": "u", "actionAttributes": sent})


def test_names_are_case_insensitive_and_missing_is_400002():
    parsed = parse(Model, {"uid": "u", "INCLUDESELF": "False", "apiKey": "ignored"})
    assert (parsed.UID, parsed.includeSelf) == ("u", False)
    with pytest.raises(MissingParameterError) as info:
        parse(Model, {"includeSelf": "true"})
    assert (info.value.gigya_code, info.value.parameter) == (400002, "UID")
    assert info.value.message == "UID is required"


def test_constraint_errors_name_the_parameter():
    with pytest.raises(InvalidArgumentError, match=r"^totalCount must be at most 100$"):
        parse(Model, {"UID": "u", "totalCount": "101"})


def test_comma_lists():
    assert comma_list(" a, b,,c ,") == ["a", "b", "c"]
    assert comma_list("") == []
    assert parse(Model, {"UID": "u", "challenges": "x,y"}).challenges == ["x", "y"]


app = Flask(__name__)


def _params(path: str, **kwargs):
    with app.test_request_context(path, **kwargs):
        from flask import request

        return request_params(request, 1024)


def test_query_then_form_with_the_form_winning():
    params = _params("/gm.x?a=query&b=query", method="POST", data={"b": "form", "c": "3"})
    assert params == {"a": "query", "b": "form", "c": "3"}
    assert all(isinstance(v, str) for v in params.values())


def test_get_query_only():
    assert _params("/gm.x?UID=u%201&details=full") == {"UID": "u 1", "details": "full"}


def test_a_json_body_is_refused():
    with pytest.raises(InvalidArgumentError, match="form fields") as info:
        _params("/gm.x", method="POST", json={"UID": "u"})
    assert info.value.parameter == "body"


def test_an_empty_post_is_fine():
    assert _params("/gm.x?a=1", method="POST") == {"a": "1"}
