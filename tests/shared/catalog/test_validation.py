"""Every catalog rule, each broken on purpose, with the exact `path: rule` line it must produce."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from shared.catalog.validation import (
    CatalogInvalid,
    format_loc,
    localized_texts,
    validate_catalog,
)
from shared.errors import InvalidArgumentError


def _text(en: str) -> dict[str, str]:
    return {"en": en, "ar": f"ع {en}"}


def _trigger(kind: int, kind_type: int, order: int = 0, operator: int = 1) -> dict[str, Any]:
    return {
        "triggerId": kind,
        "triggerType": kind_type,
        "name": _text(f"trigger {kind}"),
        "order": order,
        "operator": operator,
        "triggerFrequency": 100,
    }


def _level(reward_id: int, reward: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "title": _text("level"),
        "groups": [
            {"groupId": 1, "groupOrder": 0, "triggers": [_trigger(1, 2), _trigger(2, 1, 1)]},
            {"groupId": 2, "groupOrder": 1, "operator": 2, "triggers": [_trigger(3, 2)]},
        ],
        "rewards": [
            reward
            or {"rewardId": reward_id, "name": _text("pts"), "rewardType": 1, "rewardValue": "50"}
        ],
    }


def _challenge(cid: int, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": cid,
        "name": _text(f"challenge {cid}"),
        "description": _text("description"),
        "categoryId": 1,
        "startDate": "2026-01-01T00:00:00Z",
        "endDate": "2027-12-31T23:59:59Z",
        "rewardType": 1,
        "levels": [_level(cid * 10)],
    }
    data.update(extra)
    return data


def valid_catalog() -> dict[str, Any]:
    """A small catalog that breaks no rule."""
    voucher = {"rewardId": 20, "name": _text("v"), "rewardType": 2, "rewardValue": "pool-a"}
    return {
        "defaultLanguage": "en",
        "languages": ["en", "ar"],
        "categories": [{"id": 1, "name": _text("Coffee")}, {"id": 2, "name": _text("Food")}],
        "voucherPools": [{"id": "pool-a", "codes": ["A1", "A2"]}, {"id": "pool-b", "codes": ["B"]}],
        "actions": [{"actionId": "check-in", "points": 10}, {"actionId": "review", "points": 5}],
        "challenges": [
            _challenge(1, gigyaChallengeId="g-1", image="img/one.png"),
            _challenge(
                2, categoryId=2, parentChallengeId=1, rewardType=2, levels=[_level(0, voucher)]
            ),
            _challenge(3, gigyaChallengeId="g-3", levels=[_level(30), _level(31)]),
        ],
    }


def errors_of(data: object, image_exists: Callable[[str], bool] | None = None) -> list[str]:
    with pytest.raises(CatalogInvalid) as caught:
        validate_catalog(data, image_exists=image_exists)
    return caught.value.errors


def test_the_valid_catalog_is_valid():
    catalog = validate_catalog(valid_catalog(), image_exists=lambda path: path == "img/one.png")
    assert [c.id for c in catalog.challenges] == [1, 2, 3]


Mutation = Callable[[dict[str, Any]], None]

TRIGGER = "challenges[0].levels[0].groups[1].triggers[0]"

# (what is broken, how, the exact line expected)
CASES: list[tuple[str, Mutation, str]] = [
    (
        "frequency not positive",
        lambda d: d["challenges"][0]["levels"][0]["groups"][1]["triggers"][0].update(
            triggerFrequency=0
        ),
        f"{TRIGGER}.triggerFrequency: must be greater than 0",
    ),
    (
        "unknown field",
        lambda d: d["challenges"][1].update(colour="red"),
        "challenges[1].colour: unknown field",
    ),
    (
        "unknown top-level field",
        lambda d: d.update(version=2),
        "version: unknown field",
    ),
    (
        "missing field",
        lambda d: d["challenges"][0].pop("name"),
        "challenges[0].name: is required",
    ),
    (
        "enum out of range",
        lambda d: d["challenges"][0].update(rewardType=7),
        "challenges[0].rewardType: must be one of 1, 2, 3",
    ),
    (
        "trigger kind out of range",
        lambda d: d["challenges"][0]["levels"][0]["groups"][1]["triggers"][0].update(triggerId=9),
        f"{TRIGGER}.triggerId: must be one of 1, 2, 3, 4, 5, 6, 7",
    ),
    (
        "not an integer",
        lambda d: d["challenges"][0].update(id="one"),
        "challenges[0].id: must be an integer",
    ),
    (
        "not a date",
        lambda d: d["challenges"][0].update(startDate="tomorrow"),
        "challenges[0].startDate: must be a date-time (ISO 8601)",
    ),
    (
        "window backwards",
        lambda d: d["challenges"][0].update(endDate="2025-01-01T00:00:00Z"),
        "challenges[0].endDate: must be after startDate",
    ),
    (
        "points reward not a number",
        lambda d: d["challenges"][0]["levels"][0]["rewards"][0].update(rewardValue="lots"),
        "challenges[0].levels[0].rewards[0].rewardValue: must be a number for a points reward",
    ),
    (
        "no levels",
        lambda d: d["challenges"][0].update(levels=[]),
        "challenges[0].levels: must have at least 1 item",
    ),
    (
        "empty text",
        lambda d: d["categories"][0]["name"].update(en="  "),
        "categories[0].name: text for language 'en' must not be empty",
    ),
    (
        "voucher code with a slash",
        lambda d: d["voucherPools"][0]["codes"].append("A/3"),
        "voucherPools[0].codes: code 2 must be non-empty and contain no '/'",
    ),
    (
        "duplicate challenge id",
        lambda d: d["challenges"][2].update(id=1),
        "challenges[2].id: duplicate id 1 (first at challenges[0].id)",
    ),
    (
        "duplicate category id",
        lambda d: d["categories"][1].update(id=1),
        "categories[1].id: duplicate id 1 (first at categories[0].id)",
    ),
    (
        "duplicate group id in a level",
        lambda d: d["challenges"][0]["levels"][0]["groups"][1].update(groupId=1),
        "challenges[0].levels[0].groups[1].groupId: duplicate groupId 1 "
        "(first at challenges[0].levels[0].groups[0].groupId)",
    ),
    (
        "duplicate group order in a level",
        lambda d: d["challenges"][0]["levels"][0]["groups"][1].update(groupOrder=0),
        "challenges[0].levels[0].groups[1].groupOrder: duplicate groupOrder 0 "
        "(first at challenges[0].levels[0].groups[0].groupOrder)",
    ),
    (
        "duplicate trigger order in a group",
        lambda d: d["challenges"][0]["levels"][0]["groups"][0]["triggers"][1].update(order=0),
        "challenges[0].levels[0].groups[0].triggers[1].order: duplicate order 0 "
        "(first at challenges[0].levels[0].groups[0].triggers[0].order)",
    ),
    (
        "duplicate reward id across challenges",
        lambda d: d["challenges"][2]["levels"][1]["rewards"][0].update(rewardId=10),
        "challenges[2].levels[1].rewards[0].rewardId: duplicate rewardId 10 "
        "(first at challenges[0].levels[0].rewards[0].rewardId)",
    ),
    (
        "duplicate voucher pool id",
        lambda d: d["voucherPools"][1].update(id="pool-a"),
        "voucherPools[1].id: duplicate id 'pool-a' (first at voucherPools[0].id)",
    ),
    (
        "duplicate gigyaChallengeId",
        lambda d: d["challenges"][2].update(gigyaChallengeId="g-1"),
        "challenges[2].gigyaChallengeId: duplicate gigyaChallengeId 'g-1' "
        "(first at challenges[0].gigyaChallengeId)",
    ),
    (
        "duplicate action id",
        lambda d: d["actions"][1].update(actionId="check-in"),
        "actions[1].actionId: duplicate actionId 'check-in' (first at actions[0].actionId)",
    ),
    (
        "unknown parent",
        lambda d: d["challenges"][1].update(parentChallengeId=99),
        "challenges[1].parentChallengeId: challenge 99 does not exist",
    ),
    (
        "own parent",
        lambda d: d["challenges"][2].update(parentChallengeId=3),
        "challenges[2].parentChallengeId: forms a cycle 3 -> 3",
    ),
    (
        "unknown category",
        lambda d: d["challenges"][2].update(categoryId=9),
        "challenges[2].categoryId: category 9 does not exist",
    ),
    (
        "voucher reward naming no pool",
        lambda d: d["challenges"][1]["levels"][0]["rewards"][0].update(rewardValue="pool-z"),
        "challenges[1].levels[0].rewards[0].rewardValue: voucher pool 'pool-z' does not exist",
    ),
    (
        "text without the default language",
        lambda d: d["challenges"][2]["levels"][1].update(title={"ar": "مستوى"}),
        "challenges[2].levels[1].title: missing the default language 'en'",
    ),
    (
        "trigger name without the default language",
        lambda d: d["challenges"][0]["levels"][0]["groups"][1]["triggers"][0].update(
            name={"ar": "اكسب"}
        ),
        f"{TRIGGER}.name: missing the default language 'en'",
    ),
    (
        "text in an undeclared language",
        lambda d: d["categories"][0]["name"].update(fr="Café"),
        "categories[0].name.fr: language is not one of the catalog's (en, ar)",
    ),
    (
        "default language not declared",
        lambda d: d.update(languages=["ar"], defaultLanguage="en"),
        "defaultLanguage: must be one of the catalog's languages (ar)",
    ),
    (
        "trigger type not matching the kind",
        lambda d: d["challenges"][0]["levels"][0]["groups"][1]["triggers"][0].update(triggerType=3),
        f"{TRIGGER}.triggerType: must be 2 (Points) for triggerId 3",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_is_named_by_path(mutate: Mutation, expected: str):
    data = copy.deepcopy(valid_catalog())
    mutate(data)
    assert expected in errors_of(data)


def test_a_parent_cycle_is_reported_on_each_member():
    data = valid_catalog()
    data["challenges"][0]["parentChallengeId"] = 2
    assert errors_of(data) == [
        "challenges[0].parentChallengeId: forms a cycle 1 -> 2 -> 1",
        "challenges[1].parentChallengeId: forms a cycle 2 -> 1 -> 2",
    ]


def test_every_error_is_reported_at_once():
    data = valid_catalog()
    data["challenges"][0]["id"] = 0
    data["challenges"][1]["levels"][0]["groups"][0]["triggers"][0]["triggerFrequency"] = -1
    assert errors_of(data) == [
        "challenges[0].id: must be greater than 0",
        "challenges[1].levels[0].groups[0].triggers[0].triggerFrequency: must be greater than 0",
    ]


def test_a_missing_image_is_an_error():
    data = valid_catalog()
    data["challenges"][2]["levels"][1]["badgeImage"] = "img/badge.png"
    errors = errors_of(data, image_exists=lambda path: path == "img/one.png")
    assert errors == ["challenges[2].levels[1].badgeImage: file img/badge.png does not exist"]


def test_an_image_outside_the_catalog_folder_is_an_error():
    data = valid_catalog()
    data["challenges"][0]["image"] = "../secrets.png"
    assert errors_of(data, image_exists=lambda path: True) == [
        "challenges[0].image: must be a path inside the catalog's folder"
    ]


def test_images_are_not_checked_without_a_way_to_look():
    data = valid_catalog()
    data["challenges"][0]["image"] = "img/nowhere.png"
    assert validate_catalog(data).challenges[0].image == "img/nowhere.png"


def test_a_catalog_that_is_not_an_object():
    assert errors_of([1, 2]) == ["catalog: must be an object"]


def test_the_error_is_an_invalid_argument_with_a_count():
    data = valid_catalog()
    data["challenges"][0]["categoryId"] = 5
    with pytest.raises(InvalidArgumentError, match=r"catalog is invalid \(1 error\)"):
        validate_catalog(data)


def test_a_points_amount_may_be_written_as_a_number():
    data = valid_catalog()
    data["challenges"][0]["levels"][0]["rewards"][0]["rewardValue"] = 50
    catalog = validate_catalog(data)
    assert catalog.challenges[0].levels[0].rewards[0].rewardValue == "50"


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("challenges", 3, "levels", 0, "groups", 1), "challenges[3].levels[0].groups[1]"),
        (
            ("categories", 0, "name", "function-after[_non_empty_texts(), dict[str,str]]"),
            "categories[0].name",
        ),
        ((), "catalog"),
        (("challenges", 0, "name", "fr"), "challenges[0].name.fr"),
    ],
)
def test_locations_read_as_paths(loc: tuple[int | str, ...], path: str):
    assert format_loc(loc) == path


def test_localized_texts_names_every_text_with_its_path():
    catalog = validate_catalog(valid_catalog())
    paths = {path for path, _ in localized_texts(catalog)}
    assert "challenges[2].levels[1].groups[1].triggers[0].name" in paths
    assert "challenges[1].levels[0].rewards[0].name" in paths
    assert "categories[1].name" in paths
