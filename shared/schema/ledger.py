"""`transactions/{id}`: the ledger's transaction document, validated field by field.

The document is the ledger's contract (docs/ENGINE.md): `LedgerTransaction` accepts exactly
what Firestore hands over, its field names are the constants below, and `parse_transaction`
gives a reason naming each bad field. The service writes transactions too: the engine's
points credits (`reward_credit`, `source: "reward"`, counted toward nothing) and gm.notifyAction's
Action transactions (`transaction` with `origin`); both go through `transaction` so that what
the service writes is what it reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

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

# The document's fields: the ledger's contract, and `LedgerTransaction`'s field names.
USER_ID = "userId"
TYPE = "type"
OCCURRED_AT = "occurredAt"
POINTS = "points"
VOUCHER_ID = "voucherId"
TIER = "tier"
BALANCE_AFTER = "balanceAfter"
SEQUENCE = "sequence"
ACTION_ID = "actionId"
ATTRIBUTES = "attributes"
SOURCE = "source"
# Fields this service adds to the transactions it writes itself (the engine ignores them).
MILESTONE_ID = "milestoneId"  # a reward credit: the milestone whose prize it is
CHALLENGE_ID = "challengeId"  # a reward credit: the challenge of that milestone
REWARD_ID = "rewardId"  # a reward credit: the reward of that prize
ORIGIN = "origin"  # a notified action: the gm.* method that recorded it

SOURCE_LEDGER: Final = "ledger"
SOURCE_REWARD: Final = "reward"  # the engine's credits: they count toward nothing
ORIGIN_NOTIFY_ACTION = "gm.notifyAction"

MODEL_FIELDS = (
    USER_ID,
    TYPE,
    OCCURRED_AT,
    POINTS,
    VOUCHER_ID,
    TIER,
    BALANCE_AFTER,
    SEQUENCE,
    ACTION_ID,
    ATTRIBUTES,
    SOURCE,
)
NAMES = frozenset({*MODEL_FIELDS, MILESTONE_ID, CHALLENGE_ID, REWARD_ID, ORIGIN})

_REQUIRED_BY_TYPE: dict[TransactionType, tuple[str, ...]] = {
    TransactionType.EARN_POINTS: (POINTS,),
    TransactionType.REDEEM_POINTS: (POINTS,),
    TransactionType.SUBSCRIBE_VOUCHER: (VOUCHER_ID,),
    TransactionType.REDEEM_VOUCHER: (VOUCHER_ID,),
    TransactionType.TIER_CHANGE: (TIER,),
    TransactionType.ACTION: (ACTION_ID,),
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
    source: Literal["ledger", "reward"] = SOURCE_LEDGER

    # Firestore gives timestamps as datetimes and enums as integers: anything else is a wrong
    # type, which lax pydantic coercion would otherwise accept ("1", True, "2026-01-01").
    @field_validator(TYPE, mode="before")
    @classmethod
    def _type_is_an_integer(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be an integer, one of 1, 2, 3, 4, 5, 6")
        return value

    @field_validator(ATTRIBUTES)
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

    @field_validator(OCCURRED_AT, mode="before")
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
        return self.source == SOURCE_REWARD


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


def transaction(
    user_id: str,
    kind: TransactionType,
    occurred_at: datetime,
    *,
    points: float | None = None,
    voucher_id: str | None = None,
    tier: int | None = None,
    action_id: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    balance_after: float | None = None,
    sequence: int | None = None,
    source: str = SOURCE_LEDGER,
    origin: str | None = None,
) -> dict[str, Any]:
    """A transaction document with the fields given (the others left out)."""
    data: dict[str, Any] = {
        USER_ID: user_id,
        TYPE: int(kind),
        OCCURRED_AT: occurred_at,
        SOURCE: source,
    }
    optional = {
        POINTS: points,
        VOUCHER_ID: voucher_id,
        TIER: tier,
        ACTION_ID: action_id,
        ATTRIBUTES: None if attributes is None else dict(attributes),
        BALANCE_AFTER: balance_after,
        SEQUENCE: sequence,
        ORIGIN: origin,
    }
    data.update({name: value for name, value in optional.items() if value is not None})
    return data


def reward_credit(
    user_id: str,
    points: float,
    occurred_at: datetime,
    milestone_id: int,
    challenge_id: int,
    reward_id: int,
) -> dict[str, Any]:
    """The engine's credit of a points prize: an EarnPoints transaction that counts for nothing."""
    data = transaction(
        user_id, TransactionType.EARN_POINTS, occurred_at, points=points, source=SOURCE_REWARD
    )
    data.update({MILESTONE_ID: milestone_id, CHALLENGE_ID: challenge_id, REWARD_ID: reward_id})
    return data


def user_of(data: Mapping[str, Any]) -> Any:
    """The user a stored transaction names (unvalidated)."""
    return data.get(USER_ID)


@dataclass(frozen=True)
class ActionRecord:
    """What gm.getActionsLog reads of a stored Action transaction (unvalidated, never raises)."""

    occurred_at: datetime | None
    action_id: Any
    points: float
    attributes: Mapping[str, Any]

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> ActionRecord:
        """A stored transaction."""
        moment = raw.get(OCCURRED_AT)
        return cls(
            occurred_at=moment if isinstance(moment, datetime) else None,
            action_id=raw.get(ACTION_ID),
            points=float(raw.get(POINTS) or 0),
            attributes=raw.get(ATTRIBUTES) or {},
        )
