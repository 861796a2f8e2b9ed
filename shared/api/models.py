"""Pydantic models of the V1/V2 surface: the requests it parses and the results it returns.

Response field names are camelCase exactly as the published response sample prints them
(docs/API.md); request parameters are matched case-insensitively (the list's documentation spells
them in PascalCase, the details body sample in camelCase).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.enums import DurationType, Operator, RewardType, TriggerKind, TriggerType
from shared.user_ids import UserIdText

MAX_ITEMS_PER_PAGE = 100
# The largest id or page number accepted: JavaScript's Number.MAX_SAFE_INTEGER (2^53 - 1).
MAX_SAFE_INTEGER = 2**53 - 1


class OrderField(StrEnum):
    """Fields the challenge list sorts by (docs/API.md)."""

    ID = "Id"
    NAME = "Name"
    START_DATE = "StartDate"
    END_DATE = "EndDate"
    PEOPLE_FINISHED = "PeopleFinished"
    ENDS_AFTER = "EndsAfter"
    PROGRESS = "Progress"


_ORDER_BY_LOOKUP = {member.value.lower(): member for member in OrderField}


class _Request(BaseModel):
    # defer_build: a function builds the validators of the models it uses, on first use, and
    # not the other endpoints' at import (a cold start's share).
    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, frozen=True, defer_build=True
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # Lax parsing would read JSON true as the id 1.
        field = cls.model_fields[info.field_name] if info.field_name else None
        if isinstance(value, bool) and field is not None and field.annotation is not bool:
            raise ValueError("must be an integer, not true or false")
        return value


class _Paged(_Request):
    Page: int = Field(default=1, ge=1, le=MAX_SAFE_INTEGER, description="Page number, from 1.")
    ItemsPerPage: int = Field(
        default=10, ge=1, le=MAX_ITEMS_PER_PAGE, description="Items per page, 1 to 100."
    )


class ChallengesQuery(_Paged):
    """Query of GetProgressChallengesInfoForUser (docs/API.md)."""

    UserId: UserIdText | None = Field(
        default=None,
        description="The user (V1: required; V2: the token's user, optional).",
    )
    CategoryId: int | None = Field(
        default=None, le=MAX_SAFE_INTEGER, description="Only challenges of this category."
    )
    SearchQuery: str | None = Field(
        default=None, description="Case-insensitive substring of the name in any language."
    )
    OrderBy: OrderField = Field(default=OrderField.ID, description="Sort field, case-insensitive.")
    IsAscending: bool = Field(default=True, description="Ascending order when true.")

    @field_validator("OrderBy", mode="before")
    @classmethod
    def _order_by_any_case(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _ORDER_BY_LOOKUP.get(value.strip().lower(), value)
        return value

    @field_validator("SearchQuery", mode="before")
    @classmethod
    def _blank_search_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value


class ChallengeRequest(_Request):
    """Body of GetDetailsById and GetBadgeDetailsById (docs/API.md)."""

    challengeId: int = Field(
        alias="ChallengeId", ge=1, le=MAX_SAFE_INTEGER, description="The challenge."
    )
    userId: UserIdText | None = Field(
        default=None, alias="UserId", description="The user (V2: optional)."
    )


class ClaimRequest(_Request):
    """Body of ClaimPrize."""

    milestoneId: int = Field(
        alias="MilestoneId", ge=1, le=MAX_SAFE_INTEGER, description="The milestone to claim."
    )
    userId: UserIdText | None = Field(
        default=None, alias="UserId", description="The user (V2: optional)."
    )


class HistoryQuery(_Paged):
    """Query of GetPrizesHistory."""

    UserId: UserIdText | None = Field(
        default=None, description="The user (V1: required; V2: optional)."
    )


# ---- responses ---------------------------------------------------------------------------


class _Response(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class CategoryInfo(_Response):
    """Category of a challenge."""

    id: int
    name: str | None


class PrizeInfo(_Response):
    """One prize of a milestone."""

    value: str | None = Field(description="Points amount or voucher code (null while not issued).")
    expirationDate: datetime | None
    description: str | None
    rewardType: RewardType


class MilestonePrizes(_Response):
    """A milestone the user won, with its unclaimed prizes."""

    userId: str
    milestoneId: int
    prizes: list[PrizeInfo]


class TriggerProgressInfo(_Response):
    """Progress of one trigger (docs/API.md's worked example)."""

    triggerId: TriggerKind
    triggerType: TriggerType
    triggerName: str | None
    triggerOrder: int
    operator: Operator
    triggerFrequency: float
    actionLeft: float
    progress: float


class GroupProgressInfo(_Response):
    """Progress of one group of triggers."""

    groupId: int
    groupOrder: int
    operator: Operator
    triggersProgress: list[TriggerProgressInfo]


class ChallengeListItem(_Response):
    """One challenge of GetProgressChallengesInfoForUser."""

    id: int
    name: str | None
    description: str | None
    startDate: datetime
    endDate: datetime
    peopleFinished: int
    endsAfter: int = Field(description="Whole days left, rounded up, never negative.")
    isLocked: bool
    visible: bool
    category: CategoryInfo | None
    image: str | None
    prizes: list[MilestonePrizes]
    groupProgress: list[GroupProgressInfo]


class LockedEvent(_Response):
    """The parent challenge that unlocks a locked one."""

    id: int
    name: str | None
    description: str | None
    startDate: datetime
    endDate: datetime
    image: str | None


class RewardInfo(_Response):
    """A reward of the challenge's current level."""

    challengeId: int
    rewardId: int
    rewardName: str | None
    rewardValue: str
    rewardType: RewardType
    duration: int
    durationType: DurationType
    dateCreated: datetime
    id: int


class ChallengeDetails(_Response):
    """Result of GetDetailsById and GetBadgeDetailsById (docs/API.md)."""

    id: int
    name: str | None
    description: str | None
    startDate: datetime
    endDate: datetime
    peopleFinished: int
    endsAfter: int
    isLocked: bool
    lockedEvent: LockedEvent | None = Field(description="The parent when locked, else null.")
    category: CategoryInfo | None
    image: str | None
    prizes: list[MilestonePrizes]
    groupProgress: list[GroupProgressInfo]
    rewards: list[RewardInfo]


class ChallengesPage(_Response):
    """A page of challenges."""

    data: list[ChallengeListItem]
    pagesNum: int = Field(description="The current page number (docs/API.md).")
    count: int = Field(description="How many challenges match in all.")


class ClaimedMilestone(_Response):
    """A claimed milestone with its prizes: ClaimPrize's result and a history entry."""

    userId: str
    milestoneId: int
    challengeId: int
    challengeName: str | None
    level: int
    createdAt: datetime | None
    claimedAt: datetime
    prizes: list[PrizeInfo]


class PrizesHistoryPage(_Response):
    """A page of claimed milestones, newest first."""

    data: list[ClaimedMilestone]
    pagesNum: int
    count: int
