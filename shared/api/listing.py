"""The challenge list's rules, pure: exclusions, category filter, name search, sort, pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from shared.api.models import OrderField
from shared.api.views import ViewContext, ends_after
from shared.catalog.models import Challenge
from shared.progress.evaluation import challenge_progress
from shared.progress.state import ProgressState

T = TypeVar("T")


@runtime_checkable
class ListingFacts(Protocol):
    """What the exclusions need to know of a user's state in each challenge."""

    def claimed_count(self, challenge_id: int) -> int:
        """Milestones the user claimed in the challenge."""
        ...

    def has_unclaimed(self, challenge_id: int) -> bool:
        """Whether the user has prizes not yet claimed in the challenge."""
        ...


@dataclass(frozen=True)
class ParsedFacts:
    """ListingFacts over parsed progress states."""

    states: Mapping[int, ProgressState]

    def claimed_count(self, challenge_id: int) -> int:
        """Milestones the user claimed in the challenge."""
        state = self.states.get(challenge_id)
        return state.claimed_count if state is not None else 0

    def has_unclaimed(self, challenge_id: int) -> bool:
        """Whether the user has prizes not yet claimed in the challenge."""
        state = self.states.get(challenge_id)
        return bool(state is not None and state.unclaimed)


def is_listed(challenge: Challenge, facts: ListingFacts, now: datetime) -> bool:
    """docs/API.md's exclusions; upcoming challenges stay listed."""
    if not challenge.visible:
        return False
    if challenge.limited and facts.claimed_count(challenge.id) > 0:
        return False
    ended = challenge.endDate < now
    return not ended or facts.has_unclaimed(challenge.id)


def may_leave(challenge: Challenge, now: datetime) -> bool:
    """Whether the user's state can exclude a visible challenge: it is limited, or it ended."""
    return challenge.limited or challenge.endDate < now


def candidates(
    challenges: Sequence[Challenge], *, category_id: int | None, search: str | None
) -> list[Challenge]:
    """The visible challenges of the category matching the search: the list before exclusions."""
    return [
        c
        for c in challenges
        if c.visible
        and (category_id is None or c.categoryId == category_id)
        and matches_search(c, search)
    ]


def page_window(
    ordered: Sequence[Challenge], now: datetime, page: int, per_page: int
) -> list[Challenge]:
    """The challenges of `ordered` (sorted, not yet excluded) that may land on the page.

    A challenge's place in the list is the number of listed ones before it: at least the
    challenges before it that nothing can exclude, at most all of them (`may_leave`). Whatever
    the user's state, the page holds challenges of the window only.
    """
    first, end = (page - 1) * per_page, page * per_page
    sure = unsure = 0
    window: list[Challenge] = []
    for challenge in ordered:
        if sure >= end:
            break
        if sure + unsure >= first:
            window.append(challenge)
        if may_leave(challenge, now):
            unsure += 1
        else:
            sure += 1
    return window


def entries_for_page(
    ordered: Sequence[Challenge], now: datetime, page: int, per_page: int
) -> set[int]:
    """The ids whose entries render the page: the window's, and their parents' (locks)."""
    window = page_window(ordered, now, page, per_page)
    parents = {c.parentChallengeId for c in window if c.parentChallengeId is not None}
    return {c.id for c in window} | parents


def matches_search(challenge: Challenge, search: str | None) -> bool:
    """True when `search` is a case-insensitive substring of the name in any language."""
    if not search:
        return True
    needle = search.strip().casefold()
    return any(needle in text.casefold() for text in challenge.name.values())


def _sort_key(
    order: OrderField, states: Mapping[int, ProgressState], ctx: ViewContext
) -> Callable[[Challenge], Any]:
    empty = ProgressState()
    keys: dict[OrderField, Callable[[Challenge], Any]] = {
        OrderField.ID: lambda c: c.id,
        OrderField.NAME: lambda c: (ctx.text(c.name) or "").casefold(),
        OrderField.START_DATE: lambda c: c.startDate,
        OrderField.END_DATE: lambda c: c.endDate,
        OrderField.PEOPLE_FINISHED: lambda c: int(ctx.people_finished.get(c.id, 0)),
        OrderField.ENDS_AFTER: lambda c: ends_after(c.endDate, ctx.now),
        OrderField.PROGRESS: lambda c: challenge_progress(c, states.get(c.id) or empty),
    }
    return keys[order]


def sort_challenges(
    challenges: Sequence[Challenge],
    order: OrderField,
    ascending: bool,
    states: Mapping[int, ProgressState],
    ctx: ViewContext,
) -> list[Challenge]:
    """Sorted by `order`; ties always by id ascending (Python's sort is stable, reversed too)."""
    by_id = sorted(challenges, key=lambda c: c.id)
    return sorted(by_id, key=_sort_key(order, states, ctx), reverse=not ascending)


def paginate(items: Sequence[T], page: int, per_page: int) -> list[T]:
    """Items of page `page` (from 1); a page past the end is empty."""
    start = (page - 1) * per_page
    return list(items[start : start + per_page])


def select_challenges(
    challenges: Sequence[Challenge],
    states: Mapping[int, ProgressState],
    ctx: ViewContext,
    *,
    category_id: int | None,
    search: str | None,
    order: OrderField,
    ascending: bool,
) -> list[Challenge]:
    """Every challenge the user's list shows, filtered and sorted (not yet paginated).

    `states` may answer the exclusions itself (ListingFacts), without parsing every entry.
    """
    facts = states if isinstance(states, ListingFacts) else ParsedFacts(states)
    chosen = [
        c
        for c in candidates(challenges, category_id=category_id, search=search)
        if is_listed(c, facts, ctx.now)
    ]
    return sort_challenges(chosen, order, ascending, states, ctx)
