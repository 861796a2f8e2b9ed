"""A lean Firestore listener: document names as they are added, without a client-side snapshot.

The client library's `on_snapshot` keeps every matching document in a tree that it copies on
each change and sorts on each snapshot, which costs O(documents) CPU per change. Timing
thousands of new documents needs only their names, so this listener reads the Listen stream
itself and calls back with each document name the first time it appears.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from google.cloud.firestore_v1.types import ListenRequest, Target, TargetChange

TARGET_ID = 0x6265


class NameListener:
    """Calls `on_added(document_id)` once per document that enters the query's results.

    Documents already there when the listener starts are reported too when `report_existing`.
    """

    def __init__(
        self,
        db: Any,
        query: Any,
        on_added: Callable[[str], None],
        *,
        report_existing: bool = False,
    ) -> None:
        self._db = db
        # A collection reference listens as the query of all its documents.
        self._query = query._query() if hasattr(query, "_query") else query
        self._on_added = on_added
        self._report_existing = report_existing
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._known: set[str] = set()
        self._stream: Any = None
        self._thread = threading.Thread(target=self._run, name="name-listener", daemon=True)

    def start(self, timeout: float = 30.0) -> NameListener:
        """Listen; returns once the query's current results have been received (not reported)."""
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError(f"the listener did not become current within {timeout}s")
        return self

    def stop(self) -> None:
        """Close the stream."""
        self._stop.set()
        if self._stream is not None:
            self._stream.cancel()
        self._thread.join(timeout=10)

    def _requests(self) -> Iterator[ListenRequest]:
        parent, _ = self._query._parent._parent_info()
        target = Target(
            query=Target.QueryTarget(parent=parent, structured_query=self._query._to_protobuf()),
            target_id=TARGET_ID,
        )
        yield ListenRequest(database=self._db._database_string, add_target=target)
        self._stop.wait()

    def _run(self) -> None:
        api = self._db._firestore_api
        self._stream = api.listen(requests=self._requests(), metadata=self._db._rpc_metadata)
        try:
            for response in self._stream:
                change = response.document_change
                if change and change.document.name:
                    name = change.document.name
                    if TARGET_ID in change.target_ids and name not in self._known:
                        self._known.add(name)
                        if self._report_existing or self._ready.is_set():
                            self._on_added(name.rsplit("/", 1)[1])
                elif (
                    response.target_change.target_change_type
                    == TargetChange.TargetChangeType.CURRENT
                ):
                    self._ready.set()
        except Exception:  # cancelled on stop; anything else ends the listener
            if not self._stop.is_set():
                raise
