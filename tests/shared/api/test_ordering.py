"""The list's ordered candidates: kept per catalog and query shape for the catalog's own orders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.api import listing, ordering, views
from shared.api.models import OrderField
from tests.shared.api.factories import NOW, START, challenge


def ctx(language="en"):
    return views.ViewContext(language=language, default_language="en", now=NOW)


def _catalog():
    names = ["delta", "Alpha", "charlie", "bravo", "Echo"]
    return tuple(
        challenge(
            i + 1,
            name={"en": name, "ar": f"{5 - i}"},
            category_id=1 + i % 2,
            start=START + timedelta(days=(7 * i) % 5),
            visible=i != 4,
        )
        for i, name in enumerate(names)
    )


@pytest.fixture(autouse=True)
def _forget():
    ordering._CACHE.reset()
    yield
    ordering._CACHE.reset()


def _uncached(challenges, view, **query):
    found = listing.candidates(challenges, category_id=query["category_id"], search=query["search"])
    return [
        c.id for c in listing.sort_challenges(found, query["order"], query["ascending"], {}, view)
    ]


@pytest.mark.parametrize("order", [o for o in OrderField if o is not OrderField.PROGRESS])
@pytest.mark.parametrize("ascending", [True, False])
@pytest.mark.parametrize(("category_id", "search"), [(None, None), (1, None), (None, "a")])
def test_the_order_is_the_sort_of_the_candidates(order, ascending, category_id, search):
    challenges = _catalog()
    query = {"category_id": category_id, "search": search, "order": order, "ascending": ascending}
    for _ in range(2):  # made, then kept
        found = ordering.ordered_candidates(challenges, ctx(), **query)
        assert [c.id for c in found] == _uncached(challenges, ctx(), **query)


def test_the_catalogs_orders_are_kept_until_the_catalog_changes():
    challenges = _catalog()
    query = {"category_id": None, "search": None, "order": OrderField.NAME, "ascending": True}
    first = ordering.ordered_candidates(challenges, ctx(), **query)
    assert ordering.ordered_candidates(challenges, ctx(), **query) is first
    # By name in another language is another order.
    arabic = ordering.ordered_candidates(challenges, ctx("ar"), **query)
    assert [c.id for c in arabic] == [4, 3, 2, 1] != [c.id for c in first]
    reloaded = tuple(c.model_copy() for c in challenges)
    assert ordering.ordered_candidates(reloaded, ctx(), **query) is not first


def test_orders_that_depend_on_the_day_or_the_stats_are_not_kept():
    challenges = _catalog()
    for order in (OrderField.ENDS_AFTER, OrderField.PEOPLE_FINISHED):
        query = {"category_id": None, "search": None, "order": order, "ascending": True}
        first = ordering.ordered_candidates(challenges, ctx(), **query)
        assert ordering.ordered_candidates(challenges, ctx(), **query) is not first
    with pytest.raises(ValueError, match="progress"):
        ordering.ordered_candidates(
            challenges,
            ctx(),
            category_id=None,
            search=None,
            order=OrderField.PROGRESS,
            ascending=True,
        )


def test_at_most_the_most_recent_query_shapes_are_kept(monkeypatch):
    monkeypatch.setattr(ordering, "MAX_KEPT", 3)
    challenges = _catalog()

    def order(search):
        return ordering.ordered_candidates(
            challenges, ctx(), category_id=None, search=search, order=OrderField.ID, ascending=True
        )

    kept = {s: order(s) for s in ("a", "b", "c")}
    assert order("a") is kept["a"]  # used last now
    order("d")  # "b", the least recently used, goes
    assert order("a") is kept["a"] and order("c") is kept["c"]
    assert order("b") is not kept["b"]
