"""The `gm.*` methods' own parameters, as pydantic models (names match case-insensitively)."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.engine.transaction import ATTRIBUTE_TEXT_MAX
from shared.gigya.params import GigyaBool, GigyaCommaList, GigyaJsonObject
from shared.user_ids import UserIdText

# The largest actionAttributes accepted, as JSON text; Gigya allows three values.
MAX_ATTRIBUTES_BYTES = 2048
MAX_ATTRIBUTE_VALUES = 3
# A variant id is `key:value` of one attribute, each bounded as the engine bounds them.
VARIANT_ID_MAX = 2 * ATTRIBUTE_TEXT_MAX + 1


class _Params(BaseModel):
    # Authentication and common parameters travel in the same form: they are not ours to refuse.
    # defer_build: each gm.* function builds only its own method's validator, on first use.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


def _attributes(value: dict[str, object] | None) -> dict[str, object] | None:
    if value is None:
        return None
    if len(json.dumps(value)) > MAX_ATTRIBUTES_BYTES:
        raise ValueError(f"must be at most {MAX_ATTRIBUTES_BYTES} bytes of JSON")
    count = 0
    for key, item in value.items():
        values = item if isinstance(item, list) else [item]
        for one in values:
            if not isinstance(one, str) or not one:
                raise ValueError(f"{key} must be a non-empty string or a list of them")
            if max(len(key.encode()), len(one.encode())) > ATTRIBUTE_TEXT_MAX:
                raise ValueError(f"keys and values must be at most {ATTRIBUTE_TEXT_MAX} bytes")
            count += 1
    if count > MAX_ATTRIBUTE_VALUES:
        raise ValueError(f"must hold at most {MAX_ATTRIBUTE_VALUES} values")
    return value


class _UserParams(_Params):
    UID: UserIdText


class _VariantParams(_Params):
    actionAttributes: GigyaJsonObject | None = None
    variantID: str | None = Field(default=None, min_length=1)

    @field_validator("variantID")
    @classmethod
    def _bounded_variant(cls, value: str | None) -> str | None:
        # A variant is `key:value` of an attribute; it becomes part of a document id.
        if value is not None and len(value.encode()) > VARIANT_ID_MAX:
            raise ValueError(f"must be at most {VARIANT_ID_MAX} bytes")
        return value

    @field_validator("actionAttributes")
    @classmethod
    def _one_value(cls, value: dict[str, object] | None) -> dict[str, object] | None:
        if value is None:
            return None
        if len(value) != 1 or not all(isinstance(v, str) and v for v in value.values()):
            raise ValueError('must name one attribute and one value, e.g. {"show": "glee"}')
        key, item = next(iter(value.items()))
        if max(len(key.encode()), len(str(item).encode())) > ATTRIBUTE_TEXT_MAX:
            raise ValueError(f"keys and values must be at most {ATTRIBUTE_TEXT_MAX} bytes")
        return value

    @property
    def variant(self) -> str | None:
        """The variant asked for: variantID, else the one attribute of actionAttributes."""
        if self.variantID:
            return self.variantID
        if self.actionAttributes:
            key, value = next(iter(self.actionAttributes.items()))
            return f"{key}:{value}"
        return None


class ChallengeStatusParams(_UserParams, _VariantParams):
    """gm.getChallengeStatus."""

    includeChallenges: GigyaCommaList = Field(default_factory=lambda: ["*"])
    excludeChallenges: GigyaCommaList = Field(default_factory=list)
    details: Literal["basic", "full"] = "basic"
    extraFields: GigyaCommaList = Field(default_factory=list)
    lang: str | None = None

    @field_validator("extraFields")
    @classmethod
    def _known_extra(cls, value: list[str]) -> list[str]:
        for item in value:
            if item != "pointsThisMonth":
                raise ValueError("the only extra field is pointsThisMonth")
        return value


class NotifyActionParams(_UserParams):
    """gm.notifyAction."""

    action: str = Field(min_length=1, max_length=100)
    actionAttributes: GigyaJsonObject | None = None

    @field_validator("actionAttributes")
    @classmethod
    def _bounded(cls, value: dict[str, object] | None) -> dict[str, object] | None:
        return _attributes(value)


class RedeemPointsParams(_UserParams):
    """gm.redeemPoints."""

    challenge: str = Field(min_length=1)
    points: int = Field(gt=0, le=1_000_000_000)
    description: str | None = Field(default=None, max_length=500)

    @field_validator("points", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
            raise ValueError("must be a whole number of points")
        return value


class ResetLevelStatusParams(_UserParams):
    """gm.resetLevelStatus."""

    challenges: GigyaCommaList = Field(min_length=1)


class TopUsersParams(_VariantParams):
    """gm.getTopUsers."""

    challenge: str = Field(default="_default", min_length=1)
    period: Literal["all", "7days"] = "7days"
    totalCount: int = Field(default=12, ge=1, le=100)
    friendsCount: int = Field(default=3, ge=0, le=100)
    includeSelf: GigyaBool = True
    UID: UserIdText | None = None
    lang: str | None = None
    details: Literal["basic", "full"] = "basic"


class ChallengeConfigParams(_Params):
    """gm.getChallengeConfig."""

    includeChallenges: GigyaCommaList = Field(default_factory=lambda: ["*"])
    excludeChallenges: GigyaCommaList = Field(default_factory=list)
    includeDisabledChallenges: GigyaBool = False
    lang: str | None = None


class ActionConfigParams(_Params):
    """gm.getActionConfig."""

    includeActions: GigyaCommaList = Field(default_factory=lambda: ["*"])
    excludeActions: GigyaCommaList = Field(default_factory=list)
    includeDisabledActions: GigyaBool = False
    lang: str | None = None


class ActionsLogParams(_UserParams):
    """gm.getActionsLog."""

    startTime: int | None = Field(default=None, ge=0, le=32503680000)
    endTime: int | None = Field(default=None, ge=0, le=32503680000)

    @field_validator("endTime")
    @classmethod
    def _ordered(cls, value: int | None, info: ValidationInfo) -> int | None:
        start = info.data.get("startTime")
        if value is not None and start is not None and value < start:
            raise ValueError("must not be before startTime")
        return value
