"""`peopleFinished` per challenge, held in memory for STATS_CACHE_SECONDS.

The figure is a sum over shards that changes slowly; a list request must not pay a query for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from shared.config import get_settings
from shared.repository.stats_repo import people_finished as read_people_finished

if TYPE_CHECKING:
    from google.cloud import firestore

_lock = threading.Lock()
_cached: tuple[float, Mapping[int, int]] | None = None


def people_finished(db: firestore.Client, max_age: float | None = None) -> Mapping[int, int]:
    """Users who finished each challenge, read at most once per `max_age` seconds."""
    global _cached
    age = get_settings().stats_cache_seconds if max_age is None else max_age
    with _lock:
        if _cached is not None and time.monotonic() - _cached[0] < age:
            return _cached[1]
    figures: Mapping[int, int] = MappingProxyType(dict(read_people_finished(db)))
    with _lock:
        _cached = (time.monotonic(), figures)
    return figures


def reset_cache() -> None:
    """Forget the cached figures."""
    global _cached
    with _lock:
        _cached = None
