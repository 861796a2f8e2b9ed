"""`peopleFinished` per challenge, held in memory for STATS_CACHE_SECONDS.

The figure is a sum over shards that changes slowly; a list request must not pay a query for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from shared.app import ProcessCache
from shared.config import get_settings
from shared.repository.stats_repo import people_finished as read_people_finished

if TYPE_CHECKING:
    from google.cloud import firestore


@dataclass
class _Cached:
    lock: threading.Lock = field(default_factory=threading.Lock)
    entry: tuple[float, Mapping[int, int]] | None = None


_CACHE = ProcessCache("stats", _Cached)


def people_finished(db: firestore.Client, max_age: float | None = None) -> Mapping[int, int]:
    """Users who finished each challenge, read at most once per `max_age` seconds."""
    cached = _CACHE.get()
    age = get_settings().stats_cache_seconds if max_age is None else max_age
    with cached.lock:
        if cached.entry is not None and time.monotonic() - cached.entry[0] < age:
            return cached.entry[1]
    figures: Mapping[int, int] = MappingProxyType(dict(read_people_finished(db)))
    with cached.lock:
        cached.entry = (time.monotonic(), figures)
    return figures


def reset_cache() -> None:
    """Forget the cached figures."""
    _CACHE.reset()
