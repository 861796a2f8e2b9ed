"""Wrapping a V1/V2 endpoint: logging context, authentication, error mapping to the envelope."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Request, Response
from google.api_core import exceptions as gexc
from pydantic import BaseModel

from shared import deadlines
from shared.auth.caller import Caller
from shared.config import get_settings
from shared.errors import (
    BackendTimeoutError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    ServiceError,
    UnavailableError,
)
from shared.http.envelopes import integration_error, integration_success
from shared.http.params import parse_params, request_params
from shared.logs import configure, get_logger, set_trace_from_header

M = TypeVar("M", bound=BaseModel)
log = get_logger(__name__)

# Authenticates a request for a surface version ("v1" or "v2"); replaced in tests if needed.
Authenticator = Callable[[Request, str], Caller]


@dataclass
class IntegrationRequest:
    """What an endpoint body sees: the caller, the version, the language and the parameters."""

    request: Request
    version: str
    caller: Caller
    language: str
    params: dict[str, Any]

    def parse(self, model: type[M]) -> M:
        """Validate this request's parameters into `model`."""
        return parse_params(model, self.params)


def surface_version(path: str) -> str:
    """`v1` or `v2` from a path such as `/api/v2/Integration/ClaimPrize`."""
    lowered = path.lower()
    if lowered.startswith("/api/v2/"):
        return "v2"
    if lowered.startswith("/api/v1/"):
        return "v1"
    raise NotFoundError(f"unknown path {path}; expected /api/v1/... or /api/v2/...")


def request_language(request: Request, default: str) -> str:
    """The first language of `Accept-Language`, else `default`."""
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return first or default


def map_exception(exc: BaseException) -> ServiceError:
    """Any exception as a ServiceError: backend timeouts and outages are 503, the rest 500.

    Shared by every surface: a timeout is a BackendTimeoutError (Gigya 504001), an outage an
    UnavailableError (Gigya 500028).
    """
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, gexc.DeadlineExceeded) or (
        isinstance(exc, gexc.GoogleAPICallError) and getattr(exc, "code", None) == 504
    ):
        return BackendTimeoutError("a backend service did not answer in time; retry later")
    if isinstance(exc, gexc.ServiceUnavailable | gexc.RetryError) or (
        isinstance(exc, gexc.GoogleAPICallError) and getattr(exc, "code", None) == 503
    ):
        return UnavailableError("a backend service is unavailable; retry later")
    return InternalError("an internal error occurred")


def _default_authenticator(request: Request, version: str) -> Caller:
    from shared.auth.integration import authenticate

    return authenticate(request, version)


def integration_endpoint(
    methods: tuple[str, ...],
    authenticator: Authenticator | None = None,
) -> Callable[[Callable[[IntegrationRequest], Any]], Callable[[Request], Response]]:
    """Make `body(IntegrationRequest) -> result` an HTTP function answering V1/V2 envelopes."""

    def decorate(body: Callable[[IntegrationRequest], Any]) -> Callable[[Request], Response]:
        @functools.wraps(body)
        def handle(request: Request) -> Response:
            settings = get_settings()
            configure(settings.project, settings.log_json)
            set_trace_from_header(request.headers.get("X-Cloud-Trace-Context"))
            try:
                if request.method not in methods:
                    raise InvalidArgumentError(
                        f"method {request.method} is not allowed here; use {', '.join(methods)}",
                        parameter="method",
                    )
                version = surface_version(request.path)
                # Read (and bounded: shared/http/limits.py) before authentication costs a write.
                params = request_params(request, settings.max_body_bytes)
                caller = (authenticator or _default_authenticator)(request, version)
                ctx = IntegrationRequest(
                    request=request,
                    version=version,
                    caller=caller,
                    language=request_language(request, settings.default_language),
                    params=params,
                )
                return integration_success(body(ctx))
            except Exception as exc:
                error = map_exception(exc)
                if isinstance(error, InternalError | UnavailableError):
                    log.exception("request failed", extra={"fields": {"path": request.path}})
                else:
                    log.info(
                        "request refused",
                        extra={"fields": {"path": request.path, "reason": error.message}},
                    )
                return integration_error(error)

        return deadlines.bounded(handle)

    return decorate
