"""The Gigya names of the catalog's challenges, include/exclude (pure)."""

from __future__ import annotations

import pytest

from shared.catalog.models import Catalog
from shared.enums import TriggerKind
from shared.errors import InvalidArgumentError
from shared.gigya.challenges import find, gigya_challenges, named_ids, select
from tests.shared.engine.builders import challenge, simple_level

LEVEL = simple_level(TriggerKind.EARNED_POINTS, 10)
CATALOG = Catalog(
    challenges=[
        challenge(2, LEVEL, gigya_id="two"),
        challenge(1, LEVEL),
        challenge(3, LEVEL, visible=False, gigya_id="ghost"),
    ]
)


def test_ids_are_gigya_ids_or_numbers_and_default_comes_last():
    assert [c.challenge_id for c in gigya_challenges(CATALOG)] == ["1", "two", "_default"]
    found = find(CATALOG, "two")
    assert found is not None and found.key == "2" and not found.is_default
    default = find(CATALOG, "_default")
    assert default is not None and default.is_default and default.key == "_default"
    assert find(CATALOG, "ghost") is None and find(CATALOG, "2") is None


def test_include_all_less_excluded_and_what_is_not_shown():
    shown = select(CATALOG, ["*"], ["1"], lambda c: c.challenge_id != "two")
    assert [c.challenge_id for c in shown] == ["_default"]


@pytest.mark.parametrize("name", ["ghost", "nope", "two"])
def test_naming_a_challenge_not_shown_is_invalid(name):
    with pytest.raises(InvalidArgumentError) as raised:
        select(CATALOG, [name], [], lambda c: c.challenge_id != "two")
    assert raised.value.parameter == "includeChallenges"
    assert "Invalid included challenge IDs specified" in raised.value.message


def test_named_ids_are_the_catalog_ids_of_the_names_and_none_for_all():
    assert named_ids(CATALOG, ["two", "1", "two", "_default", "nope"]) == [2, 1]
    assert named_ids(CATALOG, ["1", "*"]) is None


def test_a_catalog_is_indexed_once_and_another_catalog_anew():
    first = find(CATALOG, "two")
    assert find(CATALOG, "two") is first  # the same index
    changed = Catalog(challenges=[challenge(2, LEVEL, gigya_id="deux")])
    assert find(changed, "two") is None and find(changed, "deux") is not None
    assert find(CATALOG, "deux") is None and find(CATALOG, "two") is not None
