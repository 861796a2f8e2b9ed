"""Counting Firestore RPCs (round trips) a client makes, by method."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

RPC_METHODS = (
    "batch_get_documents",
    "batch_write",
    "begin_transaction",
    "commit",
    "create_document",
    "delete_document",
    "get_document",
    "list_documents",
    "rollback",
    "run_aggregation_query",
    "run_query",
    "update_document",
)


class CallCounter:
    """Thread-safe tally of RPCs by method name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()

    def add(self, method: str) -> None:
        with self._lock:
            self.calls[method] += 1

    def total(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.calls)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()


# The calls shared/firestore/rpc.py sends as raw messages, outside the generated client.
RAW_METHODS = ("get_document", "commit")


@contextmanager
def counting(client: Any) -> Iterator[CallCounter]:
    """Count every RPC `client` (a google.cloud.firestore.Client) sends while the block runs.

    The library's calls go through its generated client (`_firestore_api`); the service's hot
    calls go through shared/firestore/rpc.py: both are counted, by method.
    """
    from shared.firestore import rpc

    api = client._firestore_api
    counter = CallCounter()
    originals = {name: getattr(api, name) for name in RPC_METHODS}
    raw_originals = {name: getattr(rpc, name) for name in RAW_METHODS}

    def wrap(name: str, original: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            counter.add(name)
            return original(*args, **kwargs)

        return counted

    def wrap_raw(name: str, original: Any) -> Any:
        def counted(db: Any, request: Any) -> Any:
            if db is client:
                counter.add(name)
            return original(db, request)

        return counted

    for name, original in originals.items():
        setattr(api, name, wrap(name, original))
    for name, original in raw_originals.items():
        setattr(rpc, name, wrap_raw(name, original))
    try:
        yield counter
    finally:
        for name, original in originals.items():
            setattr(api, name, original)
        for name, original in raw_originals.items():
            setattr(rpc, name, original)
