"""Wrapping a `gm.*` endpoint: response options, method, authentication, body, Gigya envelope.

Order: the parameters and the response options (`format`, `callback`, `context`,
`httpStatusCodes`) first, so that every later error is answered the way the caller asked; then
the HTTP method, then authentication (shared/gigya/auth.py), then the body. Exceptions are mapped
by shared/http/handler.py's `map_exception`, the same mapping as the V1/V2 surfaces.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Request, Response
from pydantic import BaseModel

from shared import deadlines
from shared.config import get_settings
from shared.errors import InternalError, InvalidArgumentError, ServiceError, UnavailableError
from shared.gigya.auth import GigyaCaller, param
from shared.gigya.envelope import gigya_error, gigya_success, query_options, response_options
from shared.gigya.params import parse, request_params
from shared.http.handler import map_exception
from shared.logs import configure, get_logger, set_trace_from_header

M = TypeVar("M", bound=BaseModel)
log = get_logger(__name__)

# Authenticates a request from its parameters; replaced in tests if needed.
GigyaAuthenticator = Callable[[Request, Mapping[str, str]], GigyaCaller]


@dataclass
class GigyaRequest:
    """What a `gm.*` body sees: the request, its parameters, the caller and `lang`."""

    request: Request
    params: dict[str, str]
    caller: GigyaCaller
    lang: str | None

    def parse(self, model: type[M]) -> M:
        """Validate this request's parameters into `model` (errors name the parameter)."""
        return parse(model, self.params)


def is_https(request: Request) -> bool:
    """Whether the client reached us over HTTPS: `X-Forwarded-Proto` first, else the scheme."""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",", 1)[0].strip().lower()
    if forwarded:
        return forwarded == "https"
    return request.scheme == "https"


def request_host(request: Request) -> str | None:
    """The host the client addressed: `X-Forwarded-Host` first, else `Host`."""
    forwarded = request.headers.get("X-Forwarded-Host", "").split(",", 1)[0].strip()
    return forwarded or request.host or None


def _default_authenticator(request: Request, params: Mapping[str, str]) -> GigyaCaller:
    from shared.clients import firestore_client
    from shared.gigya.auth import authenticate

    return authenticate(
        firestore_client(),
        is_https(request),
        request.method,
        request.path,
        params,
        get_settings(),
        time.time(),
        host=request_host(request),
    )


def _log_refusal(request: Request, mapped: ServiceError, params: Mapping[str, str]) -> None:
    fields: dict[str, Any] = {"path": request.path, "errorCode": mapped.gigya_code}
    # apiKey and userKey name the caller and are not secret; secret, sig and nonce never appear.
    for name in ("apiKey", "userKey"):
        found = param(params, name)
        if found is not None:
            fields[name] = found[1][:128]
    if isinstance(mapped, InternalError | UnavailableError):
        log.exception("gigya request failed", extra={"fields": fields})
    else:
        fields["reason"] = mapped.message
        log.info("gigya request refused", extra={"fields": fields})


def gigya_endpoint(
    methods: tuple[str, ...] = ("GET", "POST"),
    authenticator: GigyaAuthenticator | None = None,
) -> Callable[[Callable[[GigyaRequest], Mapping[str, Any]]], Callable[[Request], Response]]:
    """Make `body(GigyaRequest) -> dict` an HTTP function answering Gigya envelopes."""

    def decorate(
        body: Callable[[GigyaRequest], Mapping[str, Any]],
    ) -> Callable[[Request], Response]:
        @functools.wraps(body)
        def handle(request: Request) -> Response:
            settings = get_settings()
            configure(settings.project, settings.log_json)
            set_trace_from_header(request.headers.get("X-Cloud-Trace-Context"))
            options = query_options(request)
            params: dict[str, str] = {}
            try:
                params = request_params(request, settings.max_body_bytes)
                options, options_error = response_options(params)
                if options_error is not None:
                    raise options_error
                if request.method not in methods:
                    raise InvalidArgumentError(
                        f"HTTP method {request.method} is not allowed here; use "
                        f"{' or '.join(methods)}",
                        parameter="method",
                    )
                caller = (authenticator or _default_authenticator)(request, params)
                lang = param(params, "lang")
                ctx = GigyaRequest(
                    request=request,
                    params=params,
                    caller=caller,
                    lang=lang[1] if lang is not None else None,
                )
                result = body(ctx)
                if not isinstance(result, Mapping):
                    raise TypeError(f"{body.__name__} returned {type(result).__name__}, not a dict")
                return gigya_success(result, options)
            except Exception as exc:
                error = map_exception(exc)
                _log_refusal(request, error, params)
                return gigya_error(error, options)

        return deadlines.bounded(handle)

    return decorate
