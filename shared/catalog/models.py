"""Pydantic models of the catalog (docs/CATALOG.md), as written by operators and stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cached_property
from itertools import pairwise
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.enums import DurationType, Operator, RewardType, TriggerKind, TriggerType


def _non_empty_texts(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise ValueError("must have a text in at least one language")
    for lang, text in value.items():
        if not lang or not text.strip():
            raise ValueError(f"text for language {lang!r} must not be empty")
    return value


# A text in several languages, keyed by language code ("en", "ar").
Localized = Annotated[dict[str, str], AfterValidator(_non_empty_texts)]


def localize(texts: Mapping[str, str] | None, language: str, default_language: str) -> str | None:
    """The text in `language`, else the default language, else any; None when there is none."""
    if not texts:
        return None
    for lang in (language, language.split("-")[0], default_language):
        if lang in texts:
            return texts[lang]
    return next(iter(texts.values()))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Trigger(_Model):
    """One measured condition: reach `triggerFrequency` of kind `triggerId`."""

    triggerId: TriggerKind
    triggerType: TriggerType
    name: Localized
    order: int = Field(ge=0)
    operator: Operator = Operator.AND
    triggerFrequency: float = Field(gt=0)
    # The action counted by a PerformedAction (7) trigger; no other kind names one.
    actionId: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _action_of_its_kind(self) -> Trigger:
        if self.triggerId is TriggerKind.PERFORMED_ACTION and self.actionId is None:
            raise ValueError("actionId is required for triggerId 7 (PerformedAction)")
        if self.triggerId is not TriggerKind.PERFORMED_ACTION and self.actionId is not None:
            raise ValueError("actionId is only for triggerId 7 (PerformedAction)")
        return self

    @property
    def counter(self) -> tuple[TriggerKind, str | None]:
        """What the trigger measures: its kind, and the action for PerformedAction."""
        return (self.triggerId, self.actionId)


class Group(_Model):
    """Triggers combined with their operators."""

    groupId: int = Field(gt=0)
    groupOrder: int = Field(ge=0)
    operator: Operator = Operator.AND
    triggers: list[Trigger] = Field(min_length=1)

    @cached_property
    def ordered_triggers(self) -> tuple[Trigger, ...]:
        """Triggers in evaluation order (sorted once: every event evaluates them)."""
        return tuple(sorted(self.triggers, key=lambda t: t.order))


class Reward(_Model):
    """A prize given when a level completes."""

    rewardId: int = Field(gt=0)
    name: Localized
    rewardType: RewardType
    # Points amount, voucher pool id, or badge name.
    rewardValue: str = Field(min_length=1)
    description: Localized | None = None
    duration: int = Field(default=0, ge=0)
    durationType: DurationType = DurationType.DAYS

    @field_validator("rewardValue", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        # Operators naturally write a points amount as a JSON number.
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else str(value)
        return value

    @field_validator("rewardValue")
    @classmethod
    def _points_are_a_number(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("rewardType") is RewardType.POINTS:
            try:
                amount = float(value)
            except ValueError:
                raise ValueError("must be a number for a points reward") from None
            if not amount > 0:
                raise ValueError("must be greater than 0 for a points reward")
        return value


class Level(_Model):
    """One step of a challenge: its groups to satisfy and its rewards."""

    title: Localized
    description: Localized | None = None
    badgeImage: str | None = None
    lockedBadgeImage: str | None = None
    actionUrl: str | None = None
    groups: list[Group] = Field(min_length=1)
    rewards: list[Reward] = Field(default_factory=list)

    @cached_property
    def ordered_groups(self) -> tuple[Group, ...]:
        """Groups in evaluation order (sorted once: every event evaluates them)."""
        return tuple(sorted(self.groups, key=lambda g: g.groupOrder))

    @cached_property
    def trigger_kinds(self) -> frozenset[TriggerKind]:
        """Every trigger kind this level measures (once: every event asks)."""
        return frozenset(t.triggerId for g in self.groups for t in g.triggers)


class _Badged(Protocol):
    badgeImage: str | None
    lockedBadgeImage: str | None


# Where the `_default` levels' badges go in the images bucket.
DEFAULT_IMAGES = "gigya/default"


def _badge_object(
    prefix: str, levels: Sequence[_Badged], level_index: int, locked: bool
) -> str | None:
    level = levels[level_index]
    image = level.lockedBadgeImage if locked else level.badgeImage
    if not image:
        return None
    kind = "locked" if locked else "badge"
    return f"{prefix}/levels/{level_index}/{kind}-{image.rsplit('/', 1)[-1]}"


def _badge_files(prefix: str, levels: Sequence[_Badged]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for index, level in enumerate(levels):
        for image, locked in ((level.badgeImage, False), (level.lockedBadgeImage, True)):
            name = _badge_object(prefix, levels, index, locked)
            if image and name:
                files.append((image, name))
    return files


class Challenge(_Model):
    """A challenge with its window, lock, levels and rewards."""

    id: int = Field(gt=0)
    name: Localized
    description: Localized
    categoryId: int
    startDate: datetime
    endDate: datetime
    visible: bool = True
    # Limited challenges are won once; the others restart a new cycle after the last level.
    limited: bool = True
    parentChallengeId: int | None = None
    # A path relative to the catalog file; stored in the bucket under `challenges/<id>/`.
    image: str | None = None
    # Points and voucher challenges are read with GetDetailsById,
    # badge ones with GetBadgeDetailsById.
    rewardType: RewardType
    # Gigya-compatible fields.
    gigyaChallengeId: str | None = Field(default=None, min_length=1)
    hiddenUntilFirstLevel: bool = False
    # The Gigya actions whose points (and counts) this challenge earns (Gigya's challengeActions).
    actions: list[str] = Field(default_factory=list)
    # Action attribute keys whose values make variants of this challenge ({"show": "glee"}).
    variantAttributes: list[str] = Field(default_factory=list)
    levels: list[Level] = Field(min_length=1)

    @field_validator("startDate", "endDate")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @field_validator("endDate")
    @classmethod
    def _after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("startDate")
        if start is not None and value <= start:
            raise ValueError("must be after startDate")
        return value

    @cached_property
    def trigger_kinds(self) -> frozenset[TriggerKind]:
        """Every trigger kind any level of this challenge measures (once: every event asks)."""
        return frozenset(kind for level in self.levels for kind in level.trigger_kinds)

    @property
    def counted_kinds(self) -> set[TriggerKind]:
        """The kinds counted for this challenge: its triggers', and points if it lists actions."""
        # A challenge's Gigya points are its EarnedPoints total, which its actions feed.
        kinds = set(self.trigger_kinds)
        if self.actions:
            kinds |= {TriggerKind.EARNED_POINTS, TriggerKind.PERFORMED_ACTION}
        return kinds

    @property
    def gigya_id(self) -> str:
        """The challengeID the Gigya surface shows: gigyaChallengeId, else the numeric id."""
        return self.gigyaChallengeId or str(self.id)

    def in_window(self, moment: datetime) -> bool:
        """True when `moment` lies in [startDate, endDate]."""
        return self.startDate <= moment <= self.endDate

    def image_object(self) -> str | None:
        """The bucket object name of the challenge's image."""
        if not self.image:
            return None
        return f"challenges/{self.id}/{self.image.rsplit('/', 1)[-1]}"

    def badge_object(self, level_index: int, locked: bool = False) -> str | None:
        """The bucket object name of a level's badge (or locked badge) image."""
        return _badge_object(f"challenges/{self.id}", self.levels, level_index, locked)

    def image_files(self) -> list[tuple[str, str]]:
        """Every image this challenge references, as (path in the catalog, bucket object name)."""
        files: list[tuple[str, str]] = []
        if self.image:
            files.append((self.image, f"challenges/{self.id}/{self.image.rsplit('/', 1)[-1]}"))
        return files + _badge_files(f"challenges/{self.id}", self.levels)


class Category(_Model):
    """A category of challenges."""

    id: int = Field(gt=0)
    name: Localized


class VoucherPool(_Model):
    """Codes a voucher reward hands out, each to at most one user."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_-]+$")
    codes: list[str] = Field(min_length=1)

    @field_validator("codes")
    @classmethod
    def _distinct(cls, codes: list[str]) -> list[str]:
        seen: set[str] = set()
        for i, code in enumerate(codes):
            if not code or "/" in code:
                raise ValueError(f"code {i} must be non-empty and contain no '/'")
            if code in seen:
                raise ValueError(f"code {code!r} appears twice")
            seen.add(code)
        return codes


class Action(_Model):
    """A Gigya action: points per counted notification, optional caps, on or off."""

    actionId: str = Field(min_length=1, max_length=100)
    title: Localized | None = None
    description: Localized | None = None
    points: float = Field(ge=0)
    # Counted notifications per user per calendar day (the program's timezone).
    dailyCap: int | None = Field(default=None, gt=0)
    # Minimum seconds between two counted notifications of the action by one user.
    freqCap: int | None = Field(default=None, gt=0)
    enabled: bool = True


class DefaultLevel(_Model):
    """A level of the program-wide `_default` challenge: a threshold on all points earned."""

    title: Localized
    description: Localized | None = None
    badgeImage: str | None = None
    lockedBadgeImage: str | None = None
    actionUrl: str | None = None
    points: float = Field(gt=0)


class DefaultChallenge(_Model):
    """The Gigya `_default` challenge: every point the user earned, levels by threshold."""

    title: Localized | None = None
    description: Localized | None = None
    levels: list[DefaultLevel] = Field(default_factory=list)
    variantAttributes: list[str] = Field(default_factory=list)

    @field_validator("levels")
    @classmethod
    def _increasing(cls, levels: list[DefaultLevel]) -> list[DefaultLevel]:
        for before, after in pairwise(levels):
            if after.points <= before.points:
                raise ValueError("points thresholds must increase from one level to the next")
        return levels

    def badge_object(self, level_index: int, locked: bool = False) -> str | None:
        """The bucket object name of a `_default` level's badge (or locked badge) image."""
        return _badge_object(DEFAULT_IMAGES, self.levels, level_index, locked)

    def image_files(self) -> list[tuple[str, str]]:
        """Every badge image of the `_default` levels, as (path in the catalog, object name)."""
        return _badge_files(DEFAULT_IMAGES, self.levels)


class Catalog(_Model):
    """The whole catalog file."""

    defaultLanguage: str = "en"
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    categories: list[Category] = Field(default_factory=list)
    challenges: list[Challenge] = Field(default_factory=list)
    voucherPools: list[VoucherPool] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    # The program's timezone: calendar days of action caps, months of pointsThisMonth.
    timezone: str = "UTC"
    defaultChallenge: DefaultChallenge = Field(default_factory=DefaultChallenge)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known IANA timezone") from None
        return value

    def challenge(self, challenge_id: int) -> Challenge | None:
        """The challenge with this id, if any."""
        return next((c for c in self.challenges if c.id == challenge_id), None)

    def action(self, action_id: str) -> Action | None:
        """The action with this id, if any."""
        return next((a for a in self.actions if a.actionId == action_id), None)
