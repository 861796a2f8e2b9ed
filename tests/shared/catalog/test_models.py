"""Catalog models: bucket object names of images, and the validators on single fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.catalog.models import Challenge, Group, Level, Reward, Trigger
from shared.enums import RewardType, TriggerKind, TriggerType


def _level(badge: str | None = None, locked: str | None = None) -> Level:
    trigger = Trigger(
        triggerId=TriggerKind.EARNED_POINTS,
        triggerType=TriggerType.POINTS,
        name={"en": "Earn"},
        order=0,
        triggerFrequency=10,
    )
    return Level(
        title={"en": "L"},
        badgeImage=badge,
        lockedBadgeImage=locked,
        groups=[Group(groupId=1, groupOrder=0, triggers=[trigger])],
    )


def _challenge(**extra: object) -> Challenge:
    data: dict[str, object] = {
        "id": 7,
        "name": {"en": "C"},
        "description": {"en": "D"},
        "categoryId": 1,
        "startDate": "2026-01-01T00:00:00",
        "endDate": "2026-02-01T00:00:00Z",
        "rewardType": RewardType.BADGE,
        "levels": [_level(), _level("art/b.png", "art/b-locked.png")],
    }
    data.update(extra)
    return Challenge.model_validate(data)


def test_image_objects_are_named_by_challenge_and_level():
    challenge = _challenge(image="images/cup.png")
    assert challenge.image_object() == "challenges/7/cup.png"
    assert challenge.badge_object(0) is None
    assert challenge.badge_object(1) == "challenges/7/levels/1/badge-b.png"
    assert challenge.badge_object(1, locked=True) == "challenges/7/levels/1/locked-b-locked.png"


def test_image_files_lists_every_referenced_image_once():
    challenge = _challenge(image="images/cup.png")
    assert challenge.image_files() == [
        ("images/cup.png", "challenges/7/cup.png"),
        ("art/b.png", "challenges/7/levels/1/badge-b.png"),
        ("art/b-locked.png", "challenges/7/levels/1/locked-b-locked.png"),
    ]


def test_a_challenge_without_images_has_no_image_files():
    challenge = _challenge(levels=[_level()])
    assert challenge.image_object() is None
    assert challenge.image_files() == []


def test_naive_dates_are_utc():
    assert _challenge().startDate == datetime(2026, 1, 1, tzinfo=UTC)


def test_end_must_follow_start():
    with pytest.raises(ValidationError, match="must be after startDate"):
        _challenge(endDate="2026-01-01T00:00:00Z")


@pytest.mark.parametrize(("value", "stored"), [(100, "100"), (12.5, "12.5"), (3.0, "3")])
def test_a_numeric_reward_value_is_stored_as_text(value: float, stored: str):
    reward = Reward(rewardId=1, name={"en": "P"}, rewardType=RewardType.POINTS, rewardValue=value)  # type: ignore[arg-type]
    assert reward.rewardValue == stored


@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_a_points_reward_needs_a_positive_amount(value: str):
    with pytest.raises(ValidationError, match="points reward"):
        Reward(rewardId=1, name={"en": "P"}, rewardType=RewardType.POINTS, rewardValue=value)


def test_a_badge_reward_value_is_a_name():
    reward = Reward(rewardId=1, name={"en": "B"}, rewardType=RewardType.BADGE, rewardValue="gold")
    assert reward.rewardValue == "gold"
