"""A ledger transaction as the engine accepts it (docs/ENGINE.md), validated field by field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from shared.enums import TransactionType
from shared.errors import TransactionRejected
from shared.user_ids import UserIdText

# Numbers arrive as Firestore integers or doubles; booleans, strings, NaN and infinities are wrong.
Amount = Annotated[StrictFloat, Field(ge=0, allow_inf_nan=False)]
# Ids other than the user's: bounded, as they may become map keys and document ids.
ID_MAX = 256
# The largest `attributes` map, as JSON text (gm.notifyAction accepts 2048 bytes), and the
# longest key or text value in it, in UTF-8 bytes.
MAX_ATTRIBUTES_BYTES = 4096
ATTRIBUTE_TEXT_MAX = 200

_REQUIRED_BY_TYPE: dict[TransactionType, tuple[str, ...]] = {
    TransactionType.EARN_POINTS: ("points",),
    TransactionType.REDEEM_POINTS: ("points",),
    TransactionType.SUBSCRIBE_VOUCHER: ("voucherId",),
    TransactionType.REDEEM_VOUCHER: ("voucherId",),
    TransactionType.TIER_CHANGE: ("tier",),
    TransactionType.ACTION: ("actionId",),
}


class LedgerTransaction(BaseModel):
    """One `transactions/{id}` document; unknown fields are kept out, not refused."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    # The one user id rule (shared/user_ids.py): a padded id would be a user no API can read.
    userId: Annotated[UserIdText, Strict()]
    type: TransactionType
    occurredAt: datetime
    points: Amount | None = None
    voucherId: StrictStr | None = Field(default=None, min_length=1, max_length=ID_MAX)
    tier: StrictInt | None = None
    balanceAfter: Amount | None = None
    sequence: StrictInt | None = Field(default=None, ge=0)
    actionId: StrictStr | None = Field(default=None, min_length=1, max_length=ID_MAX)
    attributes: dict[str, Any] | None = None
    source: Literal["ledger", "reward"] = "ledger"

    # Firestore gives timestamps as datetimes and enums as integers: anything else is a wrong
    # type, which lax pydantic coercion would otherwise accept ("1", True, "2026-01-01").
    @field_validator("type", mode="before")
    @classmethod
    def _type_is_an_integer(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be an integer, one of 1, 2, 3, 4, 5, 6")
        return value

    @field_validator("attributes")
    @classmethod
    def _attributes_are_bounded(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # Keys and values become variant ids: map keys and parts of leaderboard document ids.
        if value is None:
            return None
        if len(json.dumps(value, default=str)) > MAX_ATTRIBUTES_BYTES:
            raise ValueError(f"must be at most {MAX_ATTRIBUTES_BYTES} bytes as JSON")
        for key, item in value.items():
            texts = [key, *(one for one in (item if isinstance(item, list) else [item]))]
            if any(isinstance(t, str) and len(t.encode()) > ATTRIBUTE_TEXT_MAX for t in texts):
                raise ValueError(
                    f"{key[:40]}: keys and values must be at most {ATTRIBUTE_TEXT_MAX} bytes"
                )
        return value

    @field_validator("occurredAt", mode="before")
    @classmethod
    def _occurred_at_is_a_timestamp(cls, value: Any) -> Any:
        if not isinstance(value, datetime):
            raise ValueError("must be a timestamp")
        return value

    @model_validator(mode="after")
    def _fields_of_type(self) -> LedgerTransaction:
        for name in _REQUIRED_BY_TYPE[self.type]:
            if getattr(self, name) is None:
                raise ValueError(f"{name}: is required for transaction type {int(self.type)}")
        return self

    @property
    def occurred_at(self) -> datetime:
        """`occurredAt` in UTC (a naive value is taken as UTC)."""
        moment = self.occurredAt
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    @property
    def is_reward(self) -> bool:
        """True for the credits this service issues itself; they count toward nothing."""
        return self.source == "reward"


def _reason(error: ValidationError) -> str:
    parts: list[str] = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "is required"
        # Model-level checks already name their field in the message.
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)


def parse_transaction(data: Mapping[str, Any]) -> LedgerTransaction:
    """Validate a transaction document; raise TransactionRejected with a reason naming the field."""
    try:
        return LedgerTransaction.model_validate(dict(data))
    except ValidationError as error:
        raise TransactionRejected(_reason(error)) from None
