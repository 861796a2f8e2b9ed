"""Gigya request parameters: all strings, from the query string and the form body.

Booleans arrive as `true`/`false`, `True`/`False` or `1`/`0` and objects as JSON text
(`GigyaBool`, `GigyaJsonObject`); models are validated by shared/http/params.py, so names match
case-insensitively and errors name the parameter (400002 missing, 400006 invalid).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from flask import Request
from pydantic import BaseModel, BeforeValidator
from pydantic_core import PydanticCustomError

from shared.errors import InvalidArgumentError
from shared.http.limits import (
    FORM_MIMETYPES,
    JsonRefused,
    form_params,
    parse_json,
    query_params,
    read_body,
)
from shared.http.params import parse_params

M = TypeVar("M", bound=BaseModel)

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise PydanticCustomError("gigya_bool", "must be true or false")


def _to_json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str | bytes):
        try:
            decoded = parse_json(value)
        except JsonRefused as refused:
            if not refused.malformed:
                raise PydanticCustomError("gigya_json_object", refused.reason) from None
            decoded = None
        if isinstance(decoded, dict):
            return decoded
    raise PydanticCustomError("gigya_json_object", "must be a JSON object")


def comma_list(text: str) -> list[str]:
    """`a, b,,c` as `["a", "b", "c"]`: items stripped, empty ones dropped."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _to_comma_list(value: Any) -> Any:
    return comma_list(value) if isinstance(value, str) else value


# A boolean as any SDK sends it: true/false, True/False, 1/0 (or a real bool).
GigyaBool = Annotated[bool, BeforeValidator(_to_bool)]
# A JSON object sent as JSON text, e.g. actionAttributes={"color":"red"}.
GigyaJsonObject = Annotated[dict[str, Any], BeforeValidator(_to_json_object)]
# A comma-separated list, e.g. challenges=a,b (a real list passes as it is).
GigyaCommaList = Annotated[list[str], BeforeValidator(_to_comma_list)]


def parse(model: type[M], params: Mapping[str, str]) -> M:
    """Validate `params` into `model`: names case-insensitive, errors naming the parameter."""
    return parse_params(model, params)


def request_params(request: Request, max_body_bytes: int) -> dict[str, str]:
    """The query string's parameters, then the form body's (a form field wins); all strings.

    A body that is not a form (JSON, say) is refused: Gigya clients send forms. Both are read
    within bounds (shared/http/limits.py): 413 past `max_body_bytes`, strict UTF-8, no control
    characters.
    """
    params = query_params(request)
    raw = read_body(request, max_body_bytes)
    if request.mimetype in FORM_MIMETYPES:
        params.update(form_params(request, raw))
    elif raw:
        raise InvalidArgumentError(
            "the request body must be form fields (application/x-www-form-urlencoded), not "
            f"{request.mimetype or 'untyped data'}",
            parameter="body",
        )
    return params
