"""The one rule for a user id, wherever one arrives: V1/V2 `UserId`, gm.* `UID`, the ledger's.

A user id is 1 to USER_ID_MAX characters, without leading or trailing whitespace and without
control characters. The whitespace rule catches a `+` sent unencoded in a query string (it
arrives as a space), which would otherwise read another, empty user.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

USER_ID_MAX = 256
PADDING_MESSAGE = (
    "must not start or end with whitespace (a '+' sent unencoded becomes a space: encode it as %2B)"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def check_user_id(value: str) -> str:
    """`value` when it is a well-formed user id; ValueError saying what is wrong otherwise."""
    if value != value.strip():
        raise ValueError(PADDING_MESSAGE)
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


# A user id as a pydantic field type: length bounds, then the rule above.
UserIdText = Annotated[
    str, Field(min_length=1, max_length=USER_ID_MAX), AfterValidator(check_user_id)
]
