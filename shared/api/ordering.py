"""The list's candidates in their order, kept per catalog for the orders the catalog alone decides.

Every list request that is not ordered by progress filters and sorts the catalog's challenges
before it reads (shared/api/listing.py): 200 challenges sorted twice per request. By id, name
(in a language), start or end date, the result depends on the catalog and the query only, so it
is kept (a process cache, the most recent 256 query shapes) until the catalog is reloaded.
`EndsAfter` depends on the day and `PeopleFinished` on the stats: those are sorted each time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.api.listing import candidates, sort_challenges
from shared.api.models import OrderField
from shared.api.views import ViewContext
from shared.app import ProcessCache
from shared.catalog.models import Challenge

# Orders a catalog decides alone (NAME with the request's language in the key).
CATALOG_ORDERS = frozenset(
    {OrderField.ID, OrderField.NAME, OrderField.START_DATE, OrderField.END_DATE}
)
MAX_KEPT = 256

_Key = tuple[int | None, str | None, OrderField, bool, str | None]


@dataclass
class _Kept:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The catalog these orders are of (by identity: a loaded catalog is never changed).
    challenges: Sequence[Challenge] | None = None
    orders: OrderedDict[_Key, tuple[Challenge, ...]] = field(default_factory=OrderedDict)


_CACHE = ProcessCache("list-orders", _Kept)


def ordered_candidates(
    challenges: Sequence[Challenge],
    ctx: ViewContext,
    *,
    category_id: int | None,
    search: str | None,
    order: OrderField,
    ascending: bool,
) -> Sequence[Challenge]:
    """The visible challenges of the category matching the search, sorted (not by progress)."""
    if order is OrderField.PROGRESS:
        raise ValueError("the progress order depends on the user: sort after the read")
    if order not in CATALOG_ORDERS:
        found = candidates(challenges, category_id=category_id, search=search)
        return sort_challenges(found, order, ascending, {}, ctx)
    language = ctx.language if order is OrderField.NAME else None
    key: _Key = (category_id, search, order, ascending, language)
    kept = _CACHE.get()
    with kept.lock:
        if kept.challenges is challenges and key in kept.orders:
            kept.orders.move_to_end(key)
            return kept.orders[key]
    found = candidates(challenges, category_id=category_id, search=search)
    result = tuple(sort_challenges(found, order, ascending, {}, ctx))
    with kept.lock:
        if kept.challenges is not challenges:
            kept.challenges, kept.orders = challenges, OrderedDict()
        kept.orders[key] = result
        if len(kept.orders) > MAX_KEPT:
            kept.orders.popitem(last=False)
    return result
