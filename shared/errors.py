"""The service's one error hierarchy; the V1/V2 and Gigya envelopes both render it."""

from __future__ import annotations

# Gigya's statusReason for each statusCode (the first three digits of a non-zero errorCode).
GIGYA_STATUS_REASONS: dict[int, str] = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def gigya_status(error_code: int) -> tuple[int, str]:
    """Gigya's `statusCode` and `statusReason` for an `errorCode` (0 is 200 "OK")."""
    code = 200 if error_code == 0 else error_code // 1000
    return code, GIGYA_STATUS_REASONS.get(code, "Error")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised at start-up, never sent to a client."""


class ServiceError(Exception):
    """Base of every error a client may see.

    `code` is the stable API error code; `http_status` the HTTP status of the V1/V2 surface;
    `status_code`/`status_name` the V1/V2 envelope's; `gigya_code`/`gigya_message` the Gigya
    errorCode and errorMessage (the Gigya statusCode is derived: `gigya_status`).
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

    @property
    def gigya_status_code(self) -> int:
        """The Gigya `statusCode`: the first three digits of the errorCode."""
        return gigya_status(self.gigya_code)[0]

    @property
    def gigya_status_reason(self) -> str:
        """The Gigya `statusReason` of that statusCode."""
        return gigya_status(self.gigya_code)[1]


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


class PayloadTooLargeError(ServiceError):
    """The request body is larger than MAX_BODY_BYTES."""

    code = "PAYLOAD_TOO_LARGE"
    http_status = 413
    status_code = 9
    status_name = "PayloadTooLarge"
    gigya_code = 413001
    gigya_message = "Request entity too large"


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
    gigya_code = 500028
    gigya_message = "Database error"


class BackendTimeoutError(UnavailableError):
    """A backend did not answer within its deadline; the client may retry."""

    code = "TIMEOUT"
    gigya_code = 504001
    gigya_message = "Timeout"


class InternalError(ServiceError):
    """An unexpected failure; details are logged, never sent."""


# Gigya-specific errors (docs/GIGYA_AUTH.md). Authentication failures are 401 on the V1/V2
# surfaces like UnauthenticatedError; their Gigya statusCode comes from the errorCode.


class InvalidApiKeyError(UnauthenticatedError):
    """`apiKey` names no known Gigya site."""

    code = "INVALID_API_KEY"
    gigya_code = 400093
    gigya_message = "Invalid ApiKey parameter"


class RequestExpiredError(UnauthenticatedError):
    """A signed request's `timestamp` is outside the allowed window."""

    code = "REQUEST_EXPIRED"
    gigya_code = 403002
    gigya_message = "Request has expired"


class InvalidSignatureError(UnauthenticatedError):
    """`sig` is not the signature of this request."""

    code = "INVALID_SIGNATURE"
    gigya_code = 403003
    gigya_message = "Invalid request signature"


class DuplicateNonceError(UnauthenticatedError):
    """A signed request's `nonce` was used before."""

    code = "DUPLICATE_NONCE"
    gigya_code = 403004
    gigya_message = "Duplicate nonce"


class UnauthorizedUserError(UnauthenticatedError):
    """`userKey` names no application of this site."""

    code = "UNAUTHORIZED_USER"
    gigya_code = 403005
    gigya_message = "Unauthorized user"


class SecretOverHttpError(UnauthenticatedError):
    """A `secret` was sent over plain HTTP."""

    code = "SECRET_OVER_HTTP"
    gigya_code = 403006
    gigya_message = "Secret Sent Over Http"


class InvalidSecretError(UnauthenticatedError):
    """`secret` is not the secret of the application `userKey` names."""

    code = "INVALID_SECRET"
    gigya_code = 403010
    gigya_message = "Invalid Secret"


class InvalidActionError(InvalidArgumentError):
    """`gm.notifyAction` names an unknown or disabled action."""

    code = "INVALID_ACTION"
    gigya_code = 400126
    gigya_message = "Invalid action"


class LimitReachedError(ConflictError):
    """An action's daily or frequency cap is reached for this user."""

    code = "LIMIT_REACHED"
    gigya_code = 400124
    gigya_message = "Limit reached"


class InsufficientPointsError(ConflictError):
    """`gm.redeemPoints` asks for more points than the user has in the challenge."""

    code = "INSUFFICIENT_POINTS"
    gigya_code = 400127
    gigya_message = "Insufficient points to redeem"


class TransactionRejected(Exception):
    """A ledger transaction is malformed and goes to the dead-letter collection."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
