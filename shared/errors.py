"""The service's one error hierarchy; `shared.http.envelopes` maps it to both wire envelopes."""

from __future__ import annotations


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised at start-up, never sent to a client."""


class ServiceError(Exception):
    """Base of every error a client may see.

    `code` is the stable API error code; `http_status` the HTTP status of the V1/V2 surface;
    `status_code`/`status_name` the V1/V2 envelope's; `gigya_code` the Gigya errorCode.
    """

    code = "INTERNAL"
    http_status = 500
    status_code = 8
    status_name = "InternalError"
    gigya_code = 500001
    gigya_message = "General Server Error"

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class InvalidArgumentError(ServiceError):
    """A parameter is missing or has a value the API does not accept."""

    code = "INVALID_ARGUMENT"
    http_status = 400
    status_code = 2
    status_name = "ValidationError"
    gigya_code = 400006
    gigya_message = "Invalid parameter value"


class MissingParameterError(InvalidArgumentError):
    """A required parameter is absent."""

    code = "MISSING_PARAMETER"
    gigya_code = 400002
    gigya_message = "Missing required parameter"


class UnauthenticatedError(ServiceError):
    """The caller could not be authenticated."""

    code = "UNAUTHENTICATED"
    http_status = 401
    status_code = 3
    status_name = "Unauthorized"
    gigya_code = 403003
    gigya_message = "Invalid request signature"


class PermissionDeniedError(ServiceError):
    """The caller is authenticated but may not do this."""

    code = "PERMISSION_DENIED"
    http_status = 403
    status_code = 4
    status_name = "Forbidden"
    gigya_code = 403005
    gigya_message = "Unauthorized user"


class NotFoundError(ServiceError):
    """An unknown challenge, milestone or other resource."""

    code = "NOT_FOUND"
    http_status = 404
    status_code = 5
    status_name = "NotFound"
    gigya_code = 400006
    gigya_message = "Invalid parameter value"


class ConflictError(ServiceError):
    """The request conflicts with the resource's state (a prize already claimed)."""

    code = "CONFLICT"
    http_status = 409
    status_code = 6
    status_name = "Conflict"
    gigya_code = 400006
    gigya_message = "Invalid parameter value"


class UnavailableError(ServiceError):
    """A backend (Firestore, Storage) did not answer; the client may retry."""

    code = "UNAVAILABLE"
    http_status = 503
    status_code = 7
    status_name = "ServiceUnavailable"
    gigya_code = 500001
    gigya_message = "General Server Error"


class InternalError(ServiceError):
    """An unexpected failure; details are logged, never sent."""


class TransactionRejected(Exception):
    """A ledger transaction is malformed and goes to the dead-letter collection."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
