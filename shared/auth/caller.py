"""Who is calling, once authenticated."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import MissingParameterError, PermissionDeniedError


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a partner (V1, acts for any user) or a user (V2)."""

    kind: str  # "partner" or "user"
    id: str  # the partner's ClientId, or the user's id (phone number, else uid)

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
