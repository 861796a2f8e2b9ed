"""The OpenAPI 3.1 document of the V1/V2 surface and the Gigya-compatible gm.* methods.

V1/V2 operations are built from the same pydantic models the functions parse and render with;
the gm.* methods from their parameter lists below (`GIGYA_METHODS`). Which paths exist is the
table of functions' (shared/endpoints.py): a test checks that the document has every http path
of the table with the table's methods, and nothing else.

`python -m shared.api.openapi` prints it; docs/openapi.json is its checked-in output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from shared.api.models import (
    ChallengeDetails,
    ChallengeRequest,
    ChallengesPage,
    ChallengesQuery,
    ClaimedMilestone,
    ClaimRequest,
    HistoryQuery,
    PrizesHistoryPage,
)
from shared.errors import (
    ConflictError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ServiceError,
    UnauthenticatedError,
    UnavailableError,
)

REF = "#/components/schemas/{model}"
VERSIONS = ("v1", "v2")


@dataclass(frozen=True)
class Endpoint:
    """One operation of the surface, served under both versions."""

    name: str
    method: str
    summary: str
    result: type[BaseModel]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    errors: tuple[type[ServiceError], ...] = ()


_COMMON_ERRORS: tuple[type[ServiceError], ...] = (
    InvalidArgumentError,
    UnauthenticatedError,
    PermissionDeniedError,
    PayloadTooLargeError,
    UnavailableError,
    InternalError,
)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GetProgressChallengesInfoForUser",
        "get",
        "The user's challenges with progress: filtered, searched, sorted, paginated.",
        ChallengesPage,
        query=ChallengesQuery,
    ),
    Endpoint(
        "GetDetailsById",
        "post",
        "A points or voucher challenge in detail (badge challenges: GetBadgeDetailsById).",
        ChallengeDetails,
        body=ChallengeRequest,
        errors=(NotFoundError,),
    ),
    Endpoint(
        "GetBadgeDetailsById",
        "post",
        "A badge challenge in detail (points and voucher challenges: GetDetailsById).",
        ChallengeDetails,
        body=ChallengeRequest,
        errors=(NotFoundError,),
    ),
    Endpoint(
        "ClaimPrize",
        "post",
        "Claim a milestone's prizes; claiming again returns the same result.",
        ClaimedMilestone,
        body=ClaimRequest,
        errors=(NotFoundError, ConflictError),
    ),
    Endpoint(
        "GetPrizesHistory",
        "get",
        "The user's claimed milestones, newest first.",
        PrizesHistoryPage,
        query=HistoryQuery,
    ),
)


def path_of(version: str, name: str) -> str:
    """The public path of an endpoint."""
    return f"/api/{version}/Integration/{name}"


# --- the Gigya-compatible gm.* methods ----------------------------------------------------------


@dataclass(frozen=True)
class GigyaParameter:
    """One parameter of a gm.* method: a query parameter (GET) or a form field (POST)."""

    name: str
    description: str
    schema: dict[str, Any]
    required: bool = False


def _text(name: str, description: str, required: bool = False) -> GigyaParameter:
    return GigyaParameter(name, description, {"type": "string"}, required)


_JSON_OBJECT_TEXT = {"type": "string", "contentMediaType": "application/json"}

GIGYA_COMMON: tuple[GigyaParameter, ...] = (
    _text("apiKey", "The site's API key.", required=True),
    _text("userKey", "An application key (server-to-server calls, with `secret` or `sig`)."),
    _text("secret", "The application key's secret (over HTTPS, instead of a signature)."),
    GigyaParameter(
        "timestamp", "Unix seconds when the request was signed (with `sig`).", {"type": "integer"}
    ),
    _text("nonce", "A value used once, part of the signed request (with `sig`)."),
    _text("sig", "HMAC-SHA1 signature of the request, base64 (with `timestamp` and `nonce`)."),
    GigyaParameter(
        "format",
        "Response format: JSON, or JSONP wrapped in `callback`.",
        {"enum": ["json", "jsonp"], "default": "json"},
    ),
    _text("callback", "The JSONP function name (with format=jsonp)."),
    _text("context", "Any text, returned unchanged in the response's `context`."),
    GigyaParameter(
        "httpStatusCodes",
        "true: the HTTP status is the response's statusCode; false: errors answer HTTP 200.",
        {"type": "boolean", "default": False},
    ),
)

_UID = _text("UID", "The user.")
_UID_REQUIRED = _text("UID", "The user.", required=True)
_LANG = _text("lang", "Language of text fields; falls back to the catalog's default.")
_ACTION_ATTRIBUTES = GigyaParameter(
    "actionAttributes",
    'A JSON object of action attributes, e.g. {"store": "cairo-1"}: selects variants.',
    _JSON_OBJECT_TEXT,
)
_VARIANT = _text("variantID", "A variant of the challenge (`key:value` of an action attribute).")
_INCLUDE_CHALLENGES = _text("includeChallenges", "Comma-separated challenges to include only.")
_EXCLUDE_CHALLENGES = _text("excludeChallenges", "Comma-separated challenges to leave out.")


@dataclass(frozen=True)
class GigyaMethod:
    """A gm.* method: answered at /<name> over GET (query) and POST (form body)."""

    name: str
    summary: str
    parameters: tuple[GigyaParameter, ...]


GIGYA_METHODS: tuple[GigyaMethod, ...] = (
    GigyaMethod(
        "gm.getChallengeStatus",
        "The user's status in each challenge: points, level, badges.",
        (
            _UID_REQUIRED,
            _INCLUDE_CHALLENGES,
            _EXCLUDE_CHALLENGES,
            GigyaParameter(
                "details",
                "basic: points and level; full: with each level's details.",
                {"enum": ["basic", "full"]},
            ),
            GigyaParameter(
                "extraFields",
                "Additional fields to return (comma-separated).",
                {"enum": ["pointsThisMonth"]},
            ),
            _ACTION_ATTRIBUTES,
            _VARIANT,
            _LANG,
        ),
    ),
    GigyaMethod(
        "gm.notifyAction",
        "Report an action the user performed; counts it toward the challenges it earns in.",
        (
            _UID_REQUIRED,
            _text("action", "The action's id.", required=True),
            _ACTION_ATTRIBUTES,
        ),
    ),
    GigyaMethod(
        "gm.redeemPoints",
        "Take points from the user's balance in a challenge.",
        (
            _UID_REQUIRED,
            _text("challenge", "The challenge whose points are redeemed.", required=True),
            GigyaParameter(
                "points", "How many points to take.", {"type": "integer", "minimum": 1}, True
            ),
        ),
    ),
    GigyaMethod(
        "gm.resetLevelStatus",
        "Acknowledge the user's new levels: isNewLevel becomes false.",
        (
            _UID_REQUIRED,
            _text("challenges", "Comma-separated challenges to reset.", required=True),
        ),
    ),
    GigyaMethod(
        "gm.getTopUsers",
        "A challenge's leaderboard, all time or the last 7 days.",
        (
            GigyaParameter(
                "challenge", "The challenge.", {"type": "string", "default": "_default"}
            ),
            GigyaParameter(
                "period",
                "all: all time; 7days: the last 7 days.",
                {"enum": ["all", "7days"], "default": "7days"},
            ),
            GigyaParameter(
                "totalCount",
                "How many users to return, 1 to 100.",
                {"type": "integer", "minimum": 1, "maximum": 100, "default": 12},
            ),
            GigyaParameter(
                "includeSelf",
                "Also return the user given by UID, with their rank.",
                {"type": "boolean", "default": True},
            ),
            GigyaParameter(
                "friendsCount",
                "How many of the user's friends to return.",
                {"type": "integer", "minimum": 0},
            ),
            _UID,
            _ACTION_ATTRIBUTES,
            _VARIANT,
            _LANG,
        ),
    ),
    GigyaMethod(
        "gm.getChallengeConfig",
        "The challenges' configuration: levels, badges, texts.",
        (_INCLUDE_CHALLENGES, _EXCLUDE_CHALLENGES, _LANG),
    ),
    GigyaMethod(
        "gm.getActionConfig",
        "The actions' configuration: points and caps per challenge.",
        (
            _text("includeActions", "Comma-separated actions to include only."),
            _text("excludeActions", "Comma-separated actions to leave out."),
            _LANG,
        ),
    ),
    GigyaMethod(
        "gm.getActionsLog",
        "The actions the user was counted for, newest first.",
        (
            _UID_REQUIRED,
            GigyaParameter("startTime", "From this time, Unix seconds.", {"type": "integer"}),
            GigyaParameter("endTime", "Until this time, Unix seconds.", {"type": "integer"}),
        ),
    ),
)


def gigya_path(method: GigyaMethod) -> str:
    """The public path of a gm.* method."""
    return f"/{method.name}"


def _gigya_response() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "GigyaResponse",
        "description": (
            "Gigya's envelope; the method's own fields sit beside these. errorCode 0 is success."
        ),
        "required": ["errorCode", "statusCode", "statusReason", "callId", "time"],
        "properties": {
            "errorCode": {"type": "integer", "description": "0, or a Gigya error code."},
            "statusCode": {"type": "integer", "description": "The HTTP status of the outcome."},
            "statusReason": {"type": "string"},
            "callId": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "apiVersion": {"type": "integer"},
            "errorMessage": {"type": "string"},
            "errorDetails": {"type": "string"},
            "context": {"type": "string", "description": "The request's `context`, unchanged."},
        },
        "additionalProperties": True,
    }


def _gigya_operation_id(name: str, http_method: str) -> str:
    # gm.getChallengeStatus, get -> gmGetChallengeStatusGet
    prefix, rest = name.split(".", 1)
    return prefix + rest[:1].upper() + rest[1:] + http_method.capitalize()


def _gigya_operation(method: GigyaMethod, http_method: str) -> dict[str, Any]:
    parameters = (*GIGYA_COMMON, *method.parameters)
    operation: dict[str, Any] = {
        "operationId": _gigya_operation_id(method.name, http_method),
        "summary": method.summary,
        "tags": ["gigya"],
    }
    if http_method == "get":
        operation["parameters"] = [
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "description": p.description,
                "schema": p.schema,
            }
            for p in parameters
        ]
    else:
        form: dict[str, Any] = {
            "type": "object",
            "properties": {p.name: {**p.schema, "description": p.description} for p in parameters},
            "required": [p.name for p in parameters if p.required],
        }
        operation["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": form}},
        }
    operation["responses"] = {
        "200": {
            "description": "The result, or an error in the body (HTTP 200 unless httpStatusCodes)",
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model="GigyaResponse")}}
            },
        }
    }
    return operation


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for endpoint in ENDPOINTS:
        models: list[tuple[type[BaseModel], str]] = [(endpoint.result, "serialization")]
        if endpoint.body is not None:
            models.append((endpoint.body, "validation"))
        for model, mode in models:
            # Bodies are documented in camelCase like the published details body sample.
            schema = model.model_json_schema(by_alias=False, ref_template=REF, mode=mode)  # type: ignore[arg-type]
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        if endpoint.query is not None:
            query = endpoint.query.model_json_schema(ref_template=REF, mode="validation")
            schemas.update(query.pop("$defs", {}))
    schemas["ErrorEnvelope"] = _error_envelope()
    schemas["GigyaResponse"] = _gigya_response()
    for endpoint in ENDPOINTS:
        schemas[f"{endpoint.result.__name__}Envelope"] = _success_envelope(endpoint.result)
    return dict(sorted(schemas.items()))


def _success_envelope(result: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "object",
        "title": f"{result.__name__}Envelope",
        "required": ["result", "message", "statusCode", "statusName"],
        "properties": {
            "result": {"$ref": REF.format(model=result.__name__)},
            "message": {"type": "string"},
            "statusCode": {"const": 1},
            "statusName": {"const": "Successfully"},
        },
    }


def _error_classes() -> list[type[ServiceError]]:
    return [
        InvalidArgumentError,
        UnauthenticatedError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        PayloadTooLargeError,
        UnavailableError,
        InternalError,
    ]


def _error_envelope() -> dict[str, Any]:
    classes = _error_classes()
    return {
        "type": "object",
        "title": "ErrorEnvelope",
        "required": ["result", "message", "statusCode", "statusName"],
        "properties": {
            "result": {"type": "null"},
            "message": {"type": "string", "description": "What was wrong, naming the parameter."},
            "statusCode": {"enum": sorted({c.status_code for c in classes})},
            "statusName": {"enum": sorted({c.status_name for c in classes})},
        },
    }


def _query_schema(prop: dict[str, Any]) -> dict[str, Any]:
    """A property's schema as a query string can carry it: no `null` branch, no null default."""
    schema = {k: v for k, v in prop.items() if k not in {"title", "description"}}
    branches = schema.pop("anyOf", None)
    if branches is not None:
        kept = [b for b in branches if b.get("type") != "null"]
        if len(kept) == 1:
            schema.update(kept[0])
        else:
            schema["anyOf"] = kept
    if schema.get("default", 0) is None:
        del schema["default"]
    return schema


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF, mode="validation")
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "description": prop.get("description", ""),
            "schema": _query_schema(prop),
        }
        for name, prop in properties.items()
    ]


def _responses(endpoint: Endpoint) -> dict[str, Any]:
    ok = {
        "description": "Success",
        "content": {
            "application/json": {
                "schema": {"$ref": REF.format(model=f"{endpoint.result.__name__}Envelope")}
            }
        },
    }
    responses: dict[str, Any] = {"200": ok}
    errors = sorted({*_COMMON_ERRORS, *endpoint.errors}, key=lambda c: c.http_status)
    envelope = {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}}
    for error in errors:
        responses[str(error.http_status)] = {
            "description": f"{error.status_name} (statusCode {error.status_code})",
            "content": envelope,
        }
    return responses


def _operation(version: str, endpoint: Endpoint) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "description": "Language of text fields; falls back to the catalog's default.",
            "schema": {"type": "string"},
        }
    ]
    if endpoint.query is not None:
        parameters.extend(_query_parameters(endpoint.query))
    operation: dict[str, Any] = {
        "operationId": f"{endpoint.name}{version.upper()}",
        "summary": endpoint.summary,
        "tags": [version.upper()],
        "parameters": parameters,
        "security": [{"clientId": [], "message": []}] if version == "v1" else [{"firebase": []}],
        "responses": _responses(endpoint),
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=endpoint.body.__name__)}}
            },
        }
    return operation


def build_openapi() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    paths: dict[str, Any] = {}
    for version in VERSIONS:
        for endpoint in ENDPOINTS:
            paths[path_of(version, endpoint.name)] = {
                endpoint.method: _operation(version, endpoint)
            }
    for method in GIGYA_METHODS:
        paths[gigya_path(method)] = {m: _gigya_operation(method, m) for m in ("get", "post")}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Challenges service: integration API",
            "version": "1.0.0",
            "description": (
                "V1 (partners: X-ClientId + X-Message) and V2 (mobile apps: Firebase ID token). "
                "Every response is the envelope {result, message, statusCode, statusName}; "
                "parameter names match case-insensitively. See docs/API.md. "
                "The Gigya-compatible gm.* methods (tag gigya) take Gigya's parameters over GET "
                "or a form POST and answer in Gigya's envelope {errorCode, statusCode, ...}."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "clientId": {"type": "apiKey", "in": "header", "name": "X-ClientId"},
                "message": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Message",
                    "description": "AES-256-GCM sealed {time, nonce, method, path}; see AUTH.md.",
                },
                "firebase": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
    }


def render() -> str:
    """The document as checked in: sorted keys, two-space indent, final newline."""
    return json.dumps(build_openapi(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
