"""A user's standing as Gigya shows it: levels, next level, requirements, rendering (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.catalog.models import Action, Catalog, DefaultChallenge, DefaultLevel
from shared.enums import TriggerKind
from shared.gigya import achievements
from shared.gigya.achievements import Language, RenderContext
from shared.progress.state import GigyaPoints, ProgressState, VariantState
from tests.shared.engine.builders import challenge, group, level, trigger

K = TriggerKind
NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
EN = Language(None, "en")


def _catalog(*actions: Action) -> Catalog:
    return Catalog(actions=list(actions))


def _render(standing, full: bool = True) -> dict:
    ctx = RenderContext(now=NOW, language=EN, image_url=lambda name: name, full=full)
    return achievements.render(standing, 3, 4, ctx)


POINTS = challenge(
    1, level(group(trigger(K.EARNED_POINTS, 100))), level(group(trigger(K.EARNED_POINTS, 50)))
)


def test_level_zero_has_no_current_level_and_the_first_as_next():
    standing = achievements.challenge_standing(POINTS, ProgressState(), _catalog(), EN)
    rendered = _render(standing)
    assert (rendered["level"], rendered["badgeURL"], rendered["levelTitle"]) == (0, None, None)
    assert rendered["nextLevelTitle"] == "level" and rendered["pointsStatus"] == 100
    assert (rendered["requiredAchievement"], rendered["achievementsToNextLevel"]) == ("points", 100)
    assert (rendered["rank"], rendered["rank7Days"]) == (3, 4)


def test_the_level_reached_counts_levels_of_the_current_cycle():
    state = ProgressState(
        totals={K.EARNED_POINTS: 130}, baseline={K.EARNED_POINTS: 100}, level=1, levels_reached=1
    )
    rendered = _render(achievements.challenge_standing(POINTS, state, _catalog(), EN))
    assert rendered["level"] == 1 and rendered["pointsTotal"] == 130
    # The second level counts from the first: 30 of 50.
    assert rendered["pointsStatus"] == 20


def test_a_won_limited_challenge_has_no_next_level():
    state = ProgressState(level=1, levels_reached=2, completed=True)
    rendered = _render(achievements.challenge_standing(POINTS, state, _catalog(), EN))
    assert rendered["level"] == 2
    for absent in ("nextLevelTitle", "pointsStatus", "requiredAchievement", "actionStatus"):
        assert absent not in rendered


def test_one_listed_action_is_the_required_achievement():
    talk = challenge(2, level(group(trigger(K.PERFORMED_ACTION, 3, action="c"))), actions=["c"])
    state = ProgressState(action_totals={"c": 1.0})
    rendered = _render(
        achievements.challenge_standing(talk, state, _catalog(Action(actionId="c", points=5)), EN)
    )
    assert rendered["actionStatus"] == [{"actionID": "c", "completed": 1, "required": 3}]
    assert (rendered["requiredAchievement"], rendered["achievementsToNextLevel"]) == ("c", 2)
    assert "pointsStatus" not in rendered


def test_points_left_become_actions_left_when_the_challenge_lists_one_action():
    points = challenge(3, level(group(trigger(K.EARNED_POINTS, 95))), actions=["r"])
    state = ProgressState(totals={K.EARNED_POINTS: 20})
    rendered = _render(
        achievements.challenge_standing(
            points, state, _catalog(Action(actionId="r", points=25)), EN
        )
    )
    # 75 points left at 25 a review: 3 reviews.
    assert (rendered["requiredAchievement"], rendered["achievementsToNextLevel"]) == ("r", 3)


def test_dsq_triggers_that_are_not_points_go_to_action_status_by_name():
    mixed = challenge(
        4, level(group(trigger(K.EARNED_POINTS, 10), trigger(K.HIT_TIER, 3, order=1)))
    )
    state = ProgressState(totals={K.EARNED_POINTS: 40}, states={K.HIT_TIER: 1})
    rendered = _render(achievements.challenge_standing(mixed, state, _catalog(), EN))
    # Points are earned (pointsStatus absent), the tier is not.
    assert "pointsStatus" not in rendered
    assert rendered["actionStatus"] == [{"actionID": "HIT_TIER 3", "completed": 1, "required": 3}]
    assert (rendered["requiredAchievement"], rendered["achievementsToNextLevel"]) == ("points", 0)


def test_hidden_until_first_level_and_invisible():
    hidden = challenge(5, level(group(trigger(K.EARNED_POINTS, 10))), hidden=True)
    assert not achievements.is_shown(hidden, ProgressState())
    assert achievements.is_shown(hidden, ProgressState(levels_reached=1))
    assert achievements.is_shown(hidden, ProgressState(cycle=1))
    invisible = challenge(6, level(group(trigger(K.EARNED_POINTS, 10))), visible=False)
    assert not achievements.is_shown(invisible, ProgressState(levels_reached=1))


DEFAULT = DefaultChallenge(
    levels=[DefaultLevel(title={"en": "A"}, points=10), DefaultLevel(title={"en": "B"}, points=50)]
)


@pytest.mark.parametrize(
    ("points", "ack", "level", "new", "left"),
    [(0, 0, 0, False, 10), (10, 0, 1, True, 40), (49, 1, 1, False, 1), (80, 1, 2, True, None)],
)
def test_default_levels_are_thresholds(points, ack, level, new, left):
    standing = achievements.default_standing(DEFAULT, points, GigyaPoints(), ack)
    rendered = _render(standing)
    assert (rendered["level"], rendered["isNewLevel"]) == (level, new)
    assert rendered.get("pointsStatus") == left


def test_a_default_without_levels_stays_at_zero():
    rendered = _render(achievements.default_standing(DefaultChallenge(), 500, GigyaPoints(), 0))
    assert rendered["level"] == 0 and rendered["challengeTitle"] == "Default challenge"


def test_a_variant_reaches_levels_with_its_own_counters():
    levels = [
        level(group(trigger(K.PERFORMED_ACTION, 2, action="c"))),
        level(
            group(trigger(K.EARNED_POINTS, 30), trigger(K.PERFORMED_ACTION, 1, order=1, action="c"))
        ),
    ]
    assert achievements.variant_level(levels, VariantState(points=10, actions={"c": 1}))[0] == 0
    reached, requirement = achievements.variant_level(
        levels, VariantState(points=20, actions={"c": 3})
    )
    assert reached == 1 and requirement is not None and requirement.points_left == 10
    assert achievements.variant_level(levels, VariantState(points=40, actions={"c": 3}))[0] == 2
    # A level asking a DSQ kind ends a variant's climb.
    tier = [level(group(trigger(K.HIT_TIER, 2)))]
    assert achievements.variant_level(tier, VariantState(points=1000)) == (0, None)


def test_lang_all_expands_every_text_with_default():
    language = Language("all", "en")
    assert language.text({"en": "Hi", "ar": "مرحبا"}) == {
        "default": "Hi",
        "en": "Hi",
        "ar": "مرحبا",
    }
    assert Language("fr", "en").text({"en": "Hi", "ar": "مرحبا"}) == "Hi"
    assert Language("ar", "en").text({"en": "Hi", "ar": "مرحبا"}) == "مرحبا"
    assert language.text(None) is None


def test_basic_details_leave_out_the_full_fields():
    rendered = _render(
        achievements.challenge_standing(POINTS, ProgressState(), _catalog(), EN), full=False
    )
    assert set(rendered) == {
        "challengeID",
        "level",
        "isNewLevel",
        "pointsTotal",
        "points7Days",
        "rank",
        "rank7Days",
        "badgeURL",
        "pointsStatus",
    }
