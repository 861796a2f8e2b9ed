"""Views: docs/API.md's worked example, lock state, prizes, rewards, dates, languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.api import views
from shared.enums import RewardType
from shared.progress.state import parse_progress
from shared.schema.milestones import Claim
from tests.shared.api.factories import (
    CATEGORIES,
    NOW,
    challenge,
    progress_doc,
    unclaimed_entry,
)


def ctx(language: str = "en", **kw):
    return views.ViewContext(
        language=language,
        default_language="en",
        now=NOW,
        categories={c.id: c for c in CATEGORIES},
        **kw,
    )


@pytest.mark.parametrize(
    ("earned", "left", "progress"),
    [(0, 1000, 0), (200, 800, 20), (500, 500, 50), (1000, 0, 100), (1300, 0, 100)],
)
def test_seed_000_worked_example(earned, left, progress):
    state = parse_progress(progress_doc(earned))
    groups = views.group_progress(challenge(1), state, ctx())
    trigger = groups[0].triggersProgress[0]
    assert (trigger.actionLeft, trigger.progress) == (left, progress)
    assert trigger.triggerFrequency == 1000


def test_progress_counts_from_the_level_baseline():
    state = parse_progress(progress_doc(1500, baseline=1000, level=1))
    trigger = views.group_progress(challenge(1, levels=2), state, ctx())[0].triggersProgress[0]
    # Level 2 asks 2000 of the points earned since level 1 was reached.
    assert (trigger.triggerFrequency, trigger.actionLeft, trigger.progress) == (2000, 1500, 25)


@pytest.mark.parametrize(
    ("delta", "days"),
    [
        (timedelta(days=2), 2),
        (timedelta(days=1, seconds=1), 2),
        (timedelta(seconds=1), 1),
        (timedelta(0), 0),
        (timedelta(days=-3), 0),
    ],
)
def test_ends_after_rounds_up_and_never_goes_negative(delta, days):
    assert views.ends_after(NOW + delta, NOW) == days


def test_child_is_locked_until_the_parent_is_achieved():
    child = challenge(2, parent=1)
    assert views.is_locked(child, {})
    assert views.is_locked(child, {1: parse_progress(progress_doc(10))})
    assert not views.is_locked(child, {1: parse_progress(progress_doc(achieved_at=NOW))})
    assert not views.is_locked(challenge(1), {})


def test_details_name_the_parent_only_when_locked():
    parent, child = challenge(1), challenge(2, parent=1)
    locked = views.details(child, parent, "u", {}, ctx())
    assert locked.isLocked and locked.lockedEvent is not None
    assert locked.lockedEvent.id == 1 and locked.lockedEvent.name == "Challenge 1"
    states = {1: parse_progress(progress_doc(achieved_at=NOW))}
    unlocked = views.details(child, parent, "u", states, ctx())
    assert not unlocked.isLocked and unlocked.lockedEvent is None


def test_unclaimed_prizes_are_listed_oldest_first_with_localized_descriptions():
    doc = progress_doc(
        unclaimed=[unclaimed_entry(7, NOW), unclaimed_entry(5, NOW - timedelta(days=1), value=50.0)]
    )
    prizes = views.milestone_prizes("0123", parse_progress(doc), ctx("ar"))
    assert [p.milestoneId for p in prizes] == [5, 7]
    assert prizes[0].userId == "0123"
    assert prizes[0].prizes[0].value == "50"
    assert prizes[0].prizes[0].description == "مئة نقطة"
    assert prizes[0].prizes[0].rewardType is RewardType.POINTS


def test_the_last_claimed_milestone_stays_listed_with_no_prizes():
    claimed = {"milestoneId": 3, "level": 0, "cycle": 0, "createdAt": NOW - timedelta(days=2)}
    doc = {**progress_doc(unclaimed=[unclaimed_entry(7, NOW)]), "lastClaimed": claimed}
    prizes = views.milestone_prizes("0123", parse_progress(doc), ctx())
    assert [(p.milestoneId, len(p.prizes)) for p in prizes] == [(3, 0), (7, 1)]
    # A claimed milestone is never listed twice, even if its entry is still there.
    doc["lastClaimed"] = {**claimed, "milestoneId": 7}
    prizes = views.milestone_prizes("0123", parse_progress(doc), ctx())
    assert [(p.milestoneId, len(p.prizes)) for p in prizes] == [(7, 1)]


def test_language_falls_back_to_the_default_then_any():
    item = views.list_item(challenge(1), "u", {}, ctx("fr-CA"))
    assert item.name == "Challenge 1"
    assert views.list_item(challenge(1), "u", {}, ctx("ar-EG")).name == "تحدي 1"
    assert views.list_item(challenge(1), "u", {}, ctx("ar")).category.name == "قهوة"


def test_list_item_reads_people_finished_and_image():
    c = challenge(4, image="art/four.png")
    item = views.list_item(
        c, "u", {}, ctx(people_finished={4: 12}, image_url=lambda ch: f"url:{ch.image_object()}")
    )
    assert item.peopleFinished == 12
    assert item.image == "url:challenges/4/four.png"
    assert item.endsAfter == 578  # 577.5 days, rounded up


def test_rewards_are_the_current_levels():
    c = challenge(1, levels=2, reward_type=RewardType.BADGE)
    first = views.rewards(c, parse_progress(progress_doc()), ctx())
    second = views.rewards(c, parse_progress(progress_doc(level=1)), ctx())
    assert [r.rewardId for r in first] == [3]
    assert [r.rewardId for r in second] == [4]
    assert first[0].challengeId == 1 and first[0].rewardType is RewardType.BADGE


def test_claimed_milestone_counts_levels_from_one():
    record = {
        "milestoneId": 9,
        "userId": "u",
        "challengeId": 1,
        "level": 0,
        "createdAt": NOW,
        "claimedAt": "2026-06-02T00:00:00Z",
        "prizes": [unclaimed_entry(9)["prizes"][0]],
    }
    claimed = views.claimed_milestone(Claim.decode(record), challenge(1), ctx())
    assert claimed.level == 1
    assert claimed.claimedAt.isoformat() == "2026-06-02T00:00:00+00:00"
    assert claimed.challengeName == "Challenge 1"
    assert claimed.prizes[0].value == "100"
