"""Who is calling, once authenticated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from shared.errors import MissingParameterError, PermissionDeniedError


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a partner (V1, acts for any user) or a user (V2)."""

    kind: str  # "partner" or "user"
    id: str  # the partner's ClientId, or the user's id (phone number, else uid)
    # A check still on its way (a V1 nonce's record, shared/http/handler.py): raises when the
    # caller turns out not to be authenticated. None when everything was checked.
    pending: Callable[[], None] | None = field(default=None, compare=False, repr=False)

    def settle(self) -> None:
        """Wait for the pending check, if any; its UnauthenticatedError when it fails."""
        if self.pending is not None:
            self.pending()

    def resolve_user(self, requested: str | None) -> str:
        """The user a request acts for: a partner names one; a user may only name itself."""
        if self.kind == "user":
            if requested and requested != self.id:
                raise PermissionDeniedError(
                    "UserId names another user than the token's", parameter="UserId"
                )
            return self.id
        if not requested:
            raise MissingParameterError("UserId is required", parameter="UserId")
        return requested
