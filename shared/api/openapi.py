"""The OpenAPI 3.1 document of the V1/V2 surface, built from the same pydantic models.

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


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for endpoint in ENDPOINTS:
        models: list[tuple[type[BaseModel], str]] = [(endpoint.result, "serialization")]
        if endpoint.body is not None:
            models.append((endpoint.body, "validation"))
        for model, mode in models:
            # Bodies are documented in camelCase like seed 001's body sample.
            schema = model.model_json_schema(by_alias=False, ref_template=REF, mode=mode)  # type: ignore[arg-type]
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        if endpoint.query is not None:
            query = endpoint.query.model_json_schema(ref_template=REF, mode="validation")
            schemas.update(query.pop("$defs", {}))
    schemas["ErrorEnvelope"] = _error_envelope()
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
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Challenges service: integration API",
            "version": "1.0.0",
            "description": (
                "V1 (partners: X-ClientId + X-Message) and V2 (mobile apps: Firebase ID token). "
                "Every response is the envelope {result, message, statusCode, statusName}; "
                "parameter names match case-insensitively. See docs/API.md."
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
