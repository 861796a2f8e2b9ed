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
