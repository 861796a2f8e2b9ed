"""The list's rules: exclusions, filter, search, every sort field, pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.api import listing, views
from shared.api.models import OrderField
from shared.progress.state import parse_progress
from tests.shared.api.factories import NOW, challenge, progress_doc, unclaimed_entry


def ctx(**kw):
    return views.ViewContext(language="en", default_language="en", now=NOW, **kw)


def select(
    challenges,
    states=None,
    *,
    order=OrderField.ID,
    ascending=True,
    category=None,
    search=None,
    **kw,
):
    chosen = listing.select_challenges(
        challenges,
        states or {},
        ctx(**kw),
        category_id=category,
        search=search,
        order=order,
        ascending=ascending,
    )
    return [c.id for c in chosen]


def test_invisible_challenges_are_excluded():
    assert select([challenge(1), challenge(2, visible=False)]) == [1]


def test_limited_challenges_with_a_claimed_milestone_are_excluded():
    states = {
        1: parse_progress(progress_doc(claimed_count=1)),
        2: parse_progress(progress_doc(claimed_count=1)),
    }
    assert select([challenge(1), challenge(2, limited=False)], states) == [2]


def test_ended_challenges_stay_only_while_prizes_are_unclaimed():
    ended = NOW - timedelta(days=1)
    challenges = [challenge(1, end=ended), challenge(2, end=ended)]
    states = {2: parse_progress(progress_doc(unclaimed=[unclaimed_entry(5)]))}
    assert select(challenges, states) == [2]


def test_upcoming_challenges_are_listed():
    upcoming = challenge(1, start=NOW + timedelta(days=30), end=NOW + timedelta(days=60))
    assert select([upcoming]) == [1]


def test_category_filter():
    assert select([challenge(1), challenge(2, category_id=3)], category=3) == [2]


@pytest.mark.parametrize(
    ("query", "expected"), [("COFFEE", [1]), ("قهو", [1]), ("tea", [2]), ("zzz", [])]
)
def test_search_is_case_insensitive_in_any_language(query, expected):
    challenges = [
        challenge(1, name={"en": "Coffee lover", "ar": "عاشق القهوة"}),
        challenge(2, name={"en": "Green Tea", "ar": "شاي أخضر"}),
    ]
    assert select(challenges, search=query) == expected


def _sortable():
    def days(n: int):
        return NOW + timedelta(days=n)

    return [
        challenge(1, name={"en": "banana"}, start=days(-3), end=days(9)),
        challenge(2, name={"en": "Apple"}, start=days(-1), end=days(2)),
        challenge(3, name={"en": "cherry"}, start=days(-2), end=days(5)),
    ]


@pytest.mark.parametrize(
    ("order", "ascending", "expected"),
    [
        (OrderField.ID, True, [1, 2, 3]),
        (OrderField.ID, False, [3, 2, 1]),
        (OrderField.NAME, True, [2, 1, 3]),
        (OrderField.NAME, False, [3, 1, 2]),
        (OrderField.START_DATE, True, [1, 3, 2]),
        (OrderField.END_DATE, True, [2, 3, 1]),
        (OrderField.ENDS_AFTER, False, [1, 3, 2]),
        (OrderField.PEOPLE_FINISHED, True, [3, 1, 2]),
        (OrderField.PROGRESS, False, [2, 3, 1]),
    ],
)
def test_every_sort_field(order, ascending, expected):
    states = {
        1: parse_progress(progress_doc(100)),
        2: parse_progress(progress_doc(900)),
        3: parse_progress(progress_doc(500)),
    }
    assert (
        select(
            _sortable(),
            states,
            order=order,
            ascending=ascending,
            people_finished={1: 5, 2: 9, 3: 1},
        )
        == expected
    )


@pytest.mark.parametrize("ascending", [True, False])
def test_ties_are_broken_by_id_ascending(ascending):
    challenges = [challenge(3), challenge(1), challenge(2)]
    assert select(challenges, order=OrderField.PEOPLE_FINISHED, ascending=ascending) == [1, 2, 3]


def test_paginate():
    items = list(range(25))
    assert listing.paginate(items, 1, 10) == list(range(10))
    assert listing.paginate(items, 3, 10) == [20, 21, 22, 23, 24]
    assert listing.paginate(items, 4, 10) == []


# --- the page window: which entries a page needs, whatever the user's state --------------------


class _Facts:
    """ListingFacts from explicit sets (what the `listing` mirror says)."""

    def __init__(self, claimed: set[int], unclaimed: set[int]) -> None:
        self.claimed, self.unclaimed = claimed, unclaimed

    def claimed_count(self, challenge_id: int) -> int:
        return 1 if challenge_id in self.claimed else 0

    def has_unclaimed(self, challenge_id: int) -> bool:
        return challenge_id in self.unclaimed


def _random_catalog(rng, size):
    ended = NOW - timedelta(days=1)
    return [
        challenge(
            cid,
            limited=rng.random() < 0.5,
            end=ended if rng.random() < 0.3 else NOW + timedelta(days=cid),
            visible=rng.random() < 0.9,
            category_id=rng.choice((1, 2)),
            parent=rng.choice((None, None, max(1, cid - 3))) if cid > 3 else None,
        )
        for cid in rng.sample(range(1, 3 * size), size)
    ]


@pytest.mark.parametrize("seed", range(300))
def test_the_page_is_made_of_the_window_whatever_the_state(seed):
    import random

    rng = random.Random(seed)
    catalog = _random_catalog(rng, rng.randint(0, 40))
    ids = [c.id for c in catalog]
    facts = _Facts({i for i in ids if rng.random() < 0.4}, {i for i in ids if rng.random() < 0.4})
    order = rng.choice([o for o in OrderField if o is not OrderField.PROGRESS])
    ascending, category = rng.random() < 0.5, rng.choice((None, 1, 2))
    page, per_page = rng.randint(1, 4), rng.randint(1, 12)
    view = ctx()

    # The list as it is without a window: every state known.
    chosen = listing.select_challenges(
        catalog, facts, view, category_id=category, search=None, order=order, ascending=ascending
    )
    expected = listing.paginate(chosen, page, per_page)

    found = listing.candidates(catalog, category_id=category, search=None)
    ordered = listing.sort_challenges(found, order, ascending, {}, view)
    window = listing.page_window(ordered, NOW, page, per_page)
    needed = listing.entries_for_page(ordered, NOW, page, per_page)
    listed = [c for c in ordered if listing.is_listed(c, facts, NOW)]
    assert [c.id for c in listed] == [c.id for c in chosen]
    assert [c.id for c in listing.paginate(listed, page, per_page)] == [c.id for c in expected]
    assert {c.id for c in expected} <= {c.id for c in window}
    assert {c.parentChallengeId for c in expected} - {None} <= needed
    assert {c.id for c in window} <= needed


def test_the_window_of_a_first_page_of_challenges_nothing_can_exclude_is_the_page():
    far = NOW + timedelta(days=30)
    ordered = [challenge(i, limited=False, end=far) for i in range(1, 30)]
    assert [c.id for c in listing.page_window(ordered, NOW, 1, 10)] == list(range(1, 11))
    assert [c.id for c in listing.page_window(ordered, NOW, 3, 10)] == list(range(21, 30))
    assert listing.page_window(ordered, NOW, 4, 10) == []


def test_the_window_widens_by_the_challenges_that_may_leave():
    far, ended = NOW + timedelta(days=30), NOW - timedelta(days=1)
    # 1 and 3 may leave (limited, ended). Page 2 of size 2 holds the 3rd and 4th listed: not 2
    # (at most the 2nd), but any of 3 to 6 (6 is the 4th listed when 1 and 3 both leave).
    ordered = [
        challenge(1, limited=True, end=far),
        challenge(2, limited=False, end=far),
        challenge(3, limited=False, end=ended),
        challenge(4, limited=False, end=far),
        challenge(5, limited=False, end=far),
        challenge(6, limited=False, end=far),
    ]
    assert [c.id for c in listing.page_window(ordered, NOW, 2, 2)] == [3, 4, 5, 6]
    assert listing.may_leave(ordered[0], NOW) and listing.may_leave(ordered[2], NOW)
    assert not listing.may_leave(ordered[1], NOW)
