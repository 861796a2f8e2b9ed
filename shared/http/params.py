"""Case-insensitive request parameters parsed into pydantic models, errors naming the parameter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask import Request
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from shared.errors import InvalidArgumentError, MissingParameterError
from shared.http.limits import (
    FORM_MIMETYPES,
    check_headers,
    form_params,
    json_body,
    query_params,
    read_body,
)
from shared.validation_messages import format_rule

M = TypeVar("M", bound=BaseModel)


# The headers the V1/V2 surface reads: checked as parameters are (UTF-8, no control characters).
CLIENT_HEADERS = ("X-ClientId", "X-Message", "Authorization", "Accept-Language")


def request_params(request: Request, max_body_bytes: int) -> dict[str, Any]:
    """Query parameters, then form fields, then a JSON object body; later sources win.

    The headers the surface reads are checked too, so that everything a client sends is refused
    the same way (shared/http/limits.py) before anything else is done with the request.
    """
    check_headers(request, CLIENT_HEADERS)
    params: dict[str, Any] = dict(query_params(request))
    raw = read_body(request, max_body_bytes)
    if not raw:
        return params
    if request.mimetype in FORM_MIMETYPES:
        params.update(form_params(request, raw))
    else:
        params.update(json_body(raw))
    return params


def _field_lookup(model: type[BaseModel]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, info in model.model_fields.items():
        lookup[name.lower()] = name
        if info.alias:
            lookup[info.alias.lower()] = name
    return lookup


def _describe(error: ErrorDetails, names: Mapping[str, str]) -> tuple[str, str, bool]:
    loc = error.get("loc") or ("body",)
    field = str(loc[0])
    param = names.get(field, field)
    kind = error.get("type")
    if kind == "missing":
        return param, f"{param} is required", True
    if kind == "extra_forbidden":
        return param, f"{param} is not a known parameter", False
    ctx = error.get("ctx") or {}
    # The API quotes the allowed values and keeps a validator's own sentence after a colon.
    if kind in {"enum", "literal_error"}:
        return param, f"{param} must be one of {ctx.get('expected', '')}", False
    if kind.startswith("value_error"):
        return param, f"{param}: {ctx.get('error', error.get('msg'))}", False
    return param, f"{param} {format_rule(error)}", False


def parse_params(model: type[M], params: Mapping[str, Any]) -> M:
    """Validate `params` (names matched case-insensitively) into `model`."""
    lookup = _field_lookup(model)
    canonical: dict[str, Any] = {}
    for key, value in params.items():
        name = lookup.get(str(key).lower())
        if name is not None:
            canonical[name] = value
    try:
        return model.model_validate(canonical)
    except ValidationError as exc:
        names = {name: info.alias or name for name, info in model.model_fields.items()}
        first = exc.errors()[0]
        param, message, missing = _describe(first, names)
        error_type = MissingParameterError if missing else InvalidArgumentError
        raise error_type(message, parameter=param) from None
