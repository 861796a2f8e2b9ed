"""Values looked up by key and kept for a while: longer when found, briefly when not."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ExpiringLookups(Generic[T]):
    """A thread-safe map from key to (value or None, expiry).

    Unknown keys are remembered too (`unknown_seconds`), so a caller naming keys that do not
    exist cannot make every request read the backend.
    """

    def __init__(self, known_seconds: float, unknown_seconds: float) -> None:
        self.known_seconds = known_seconds
        self.unknown_seconds = unknown_seconds
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[T | None, float]] = {}

    def get(self, key: str, fetch: Callable[[], T | None], now: float | None = None) -> T | None:
        """The value of `key`: cached while fresh, else `fetch()`ed and remembered."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            cached = self._entries.get(key)
        if cached is not None and cached[1] > moment:
            return cached[0]
        value = fetch()
        ttl = self.known_seconds if value is not None else self.unknown_seconds
        with self._lock:
            self._entries[key] = (value, moment + ttl)
        return value

    def forget(self, key: str) -> None:
        """Drop one key."""
        with self._lock:
            self._entries.pop(key, None)
