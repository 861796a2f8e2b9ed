"""Voucher pools: `voucherPools/{pool}/codes/{code}`, `claims/{code}`, `assignments/{prizeKey}`.

The catalog loader creates the codes; the engine hands a code to a prize with one batch: the
claim's and the assignment's `create()` (a code goes to one prize, a prize gets one code) and
the code marked taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# codes/{code}
CODE = "code"
TAKEN = "taken"
TAKEN_BY = "takenBy"
# claims/{code}
PRIZE_KEY = "prizeKey"
USER_ID = "userId"  # claims and assignments: who the code went to
# assignments/{prizeKey}: CODE, USER_ID

NAMES = frozenset({CODE, TAKEN, TAKEN_BY, PRIZE_KEY, USER_ID})


@dataclass(frozen=True)
class VoucherCode:
    """One code of a pool: free, or taken (by a user, until they are erased)."""

    code: str
    taken: bool = False
    taken_by: str | None = None

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> VoucherCode:
        """A stored code."""
        taken_by = raw.get(TAKEN_BY)
        return cls(str(raw.get(CODE) or ""), raw.get(TAKEN) is True, taken_by)

    def encode(self) -> dict[str, Any]:
        """The stored code."""
        out: dict[str, Any] = {CODE: self.code, TAKEN: self.taken}
        if self.taken_by is not None:
            out[TAKEN_BY] = self.taken_by
        return out


def taken_update(user_id: str) -> dict[str, Any]:
    """The update of a code handed to a user's prize."""
    return {TAKEN: True, TAKEN_BY: user_id}


@dataclass(frozen=True)
class VoucherClaim:
    """`claims/{code}`: the prize a code went to."""

    prize_key: str
    user_id: str | None

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> VoucherClaim:
        """A stored claim."""
        return cls(str(raw.get(PRIZE_KEY) or ""), raw.get(USER_ID))

    def encode(self) -> dict[str, Any]:
        """The stored claim."""
        return {PRIZE_KEY: self.prize_key, USER_ID: self.user_id}


@dataclass(frozen=True)
class VoucherAssignment:
    """`assignments/{prizeKey}`: the code a prize got."""

    code: str
    user_id: str | None

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> VoucherAssignment:
        """A stored assignment."""
        return cls(str(raw.get(CODE) or ""), raw.get(USER_ID))

    def encode(self) -> dict[str, Any]:
        """The stored assignment."""
        return {CODE: self.code, USER_ID: self.user_id}


def assigned_code(raw: Mapping[str, Any]) -> str | None:
    """The code of a stored assignment (None when it holds none)."""
    code = raw.get(CODE)
    return str(code) if code else None
