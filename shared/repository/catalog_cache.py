"""The catalog held in memory for CATALOG_CACHE_SECONDS: it changes rarely, requests read it."""

from __future__ import annotations

import gc
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shared.app import ProcessCache
from shared.catalog.models import Catalog, Challenge
from shared.config import get_settings
from shared.enums import TriggerKind
from shared.repository.catalog_repo import load_catalog

if TYPE_CHECKING:
    from google.cloud import firestore


@dataclass(frozen=True)
class CatalogView:
    """A loaded catalog with the indexes the engine and the read API use."""

    catalog: Catalog
    by_id: dict[int, Challenge] = field(default_factory=dict)
    by_kind: dict[TriggerKind, list[Challenge]] = field(default_factory=dict)
    children: dict[int, list[Challenge]] = field(default_factory=dict)
    by_action: dict[str, list[Challenge]] = field(default_factory=dict)

    @classmethod
    def build(cls, catalog: Catalog) -> CatalogView:
        """Index `catalog` by id, by trigger kind and by parent."""
        by_kind: dict[TriggerKind, list[Challenge]] = {}
        children: dict[int, list[Challenge]] = {}
        by_action: dict[str, list[Challenge]] = {}
        for challenge in catalog.challenges:
            for action in challenge.actions:
                by_action.setdefault(action, []).append(challenge)
            for kind in challenge.trigger_kinds:
                by_kind.setdefault(kind, []).append(challenge)
            if challenge.parentChallengeId is not None:
                children.setdefault(challenge.parentChallengeId, []).append(challenge)
        return cls(
            catalog=catalog,
            by_id={c.id: c for c in catalog.challenges},
            by_kind=by_kind,
            children=children,
            by_action=by_action,
        )


@dataclass
class _Cached:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Held while one request loads the catalog: the others wait for that load, not their own.
    loading: threading.Lock = field(default_factory=threading.Lock)
    entry: tuple[float, CatalogView] | None = None

    def fresh(self, age: float) -> CatalogView | None:
        """The cached view if it is younger than `age` seconds."""
        with self.lock:
            if self.entry is not None and time.monotonic() - self.entry[0] < age:
                return self.entry[1]
        return None


_CACHE = ProcessCache("catalog", _Cached)


def get_catalog(db: firestore.Client, max_age: float | None = None) -> CatalogView:
    """The catalog, read at most once per `max_age` seconds (CATALOG_CACHE_SECONDS by default)."""
    cached = _CACHE.get()
    age = get_settings().catalog_cache_seconds if max_age is None else max_age
    view = cached.fresh(age)
    if view is not None:
        return view
    # One load at a time: a cold instance under concurrent requests reads the catalog once.
    with cached.loading:
        view = cached.fresh(age)
        if view is not None:
            return view
        view = CatalogView.build(load_catalog(db))
        with cached.lock:
            cached.entry = (time.monotonic(), view)
        _freeze_the_heap()
    return view


# The heap is the interpreter's, not an App's: one process-wide throttle.
FREEZE_INTERVAL_SECONDS = 30.0
_last_freeze = [-FREEZE_INTERVAL_SECONDS]


def _freeze_the_heap(now: float | None = None) -> None:
    """Move the whole heap out of the cyclic collector's reach, after collecting it.

    The catalog is the process's largest object graph (with the modules and clients a first
    request loads): frozen, a full collection no longer walks it on some request's time (tens
    of ms at 200 challenges). `gc.freeze` freezes every tracked object, garbage included: what
    the previous load froze is thawed and collected first, so a cycle that became garbage since
    is freed at the next load at the latest, and nothing is kept for good. One full collection
    per catalog load, on the request that reads the catalog anyway, and at most one per
    FREEZE_INTERVAL_SECONDS (a deployed catalog reloads every CATALOG_CACHE_SECONDS; tests
    reload it for every test).
    """
    moment = time.monotonic() if now is None else now
    if moment - _last_freeze[0] < FREEZE_INTERVAL_SECONDS:
        return
    _last_freeze[0] = moment
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def reset_cache() -> None:
    """Forget the cached catalog."""
    _CACHE.reset()
