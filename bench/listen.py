"""Lean Firestore listeners: the Listen stream read directly, without client-side snapshots.

The client library's `on_snapshot` keeps every matching document in a tree that it copies on
each change and sorts on each snapshot, which costs O(documents) CPU per change, and a listener
per document costs a stream and two threads each. The benchmark's listeners run on the cores
of the pipeline they measure, so they read the stream themselves: `NameListener` reports the
names of documents as they enter a query's results, `DocumentsListener` hands over the raw
fields of each listed document as it changes, any number of documents on one stream.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, Self

from google.cloud.firestore_v1.types import ListenRequest, ListenResponse, Target, TargetChange

from shared.firestore.documents import document_name

TARGET_ID = 0x6265
_CURRENT = TargetChange.TargetChangeType.CURRENT
_REMOVE = TargetChange.TargetChangeType.REMOVE


class _Listener:
    """One Listen stream with its targets, read on a thread of its own until stopped."""

    def __init__(self, db: Any, name: str) -> None:
        self._db = db
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._targets_sent: list[Target] = []
        self._pending: set[int] = set()  # targets not yet current
        self._refused = ""  # why the server removed a target, when it did
        self._stream: Any = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self, timeout: float = 30.0) -> Self:
        """Listen; returns once every target's current state has been received."""
        # Set before the stream starts: its responses are read on the listener's thread.
        self._targets_sent = self._targets()
        self._pending = {target.target_id for target in self._targets_sent}
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            reason = self._refused or f"it did not become current within {timeout}s"
            raise RuntimeError(f"the listener failed: {reason}")
        return self

    def stop(self) -> None:
        """Close the stream."""
        self._stop.set()
        if self._stream is not None:
            self._stream.cancel()
        self._thread.join(timeout=10)

    def _targets(self) -> list[Target]:
        raise NotImplementedError

    def _changed(self, name: str, document: Any) -> None:
        """One document of the target, as it is now (a raw `Document` protobuf)."""
        raise NotImplementedError

    def _requests(self) -> Iterator[ListenRequest]:
        for target in self._targets_sent:
            yield ListenRequest(database=self._db._database_string, add_target=target)
        self._stop.wait()

    def _run(self) -> None:
        api = self._db._firestore_api
        self._stream = api.listen(requests=self._requests(), metadata=self._db._rpc_metadata)
        try:
            for response in self._stream:
                # The raw message under the proto-plus wrapper: no conversion per field read.
                raw = ListenResponse.pb(response)
                kind = raw.WhichOneof("response_type")
                if kind == "document_change":
                    change = raw.document_change
                    if change.target_ids and change.document.name:
                        self._changed(change.document.name, change.document)
                elif kind == "target_change":
                    change = raw.target_change
                    if change.target_change_type == _CURRENT:
                        # No target ids: every target of the stream.
                        self._pending.difference_update(change.target_ids or self._pending)
                        if not self._pending:
                            self._ready.set()
                    elif change.target_change_type == _REMOVE and change.cause.code:
                        self._refused = f"target removed: {change.cause.message}"
                        break
        except Exception:  # cancelled on stop; anything else ends the listener
            if not self._stop.is_set():
                raise


class NameListener(_Listener):
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
        super().__init__(db, "name-listener")
        # A collection reference listens as the query of all its documents.
        self._query = query._query() if hasattr(query, "_query") else query
        self._on_added = on_added
        self._report_existing = report_existing
        self._known: set[str] = set()

    def _targets(self) -> list[Target]:
        parent, _ = self._query._parent._parent_info()
        query = Target.QueryTarget(parent=parent, structured_query=self._query._to_protobuf())
        return [Target(query=query, target_id=TARGET_ID)]

    def _changed(self, name: str, document: Any) -> None:
        if name in self._known:
            return
        self._known.add(name)
        if self._report_existing or self._ready.is_set():
            self._on_added(name.rsplit("/", 1)[1])


class DocumentsListener(_Listener):
    """Calls `on_change(fields)` with the raw fields of each listed document as it changes.

    Documents that exist when the listener starts are handed over once, before it is current.
    One stream carries them all.
    """

    def __init__(self, db: Any, paths: list[str], on_change: Callable[[Any], None]) -> None:
        super().__init__(db, "documents-listener")
        self._names: list[str] = [document_name(db, path) for path in paths]
        self._on_change = on_change

    def _targets(self) -> list[Target]:
        # A target per document: the emulator sends every document of a target when one of
        # them changes.
        return [
            Target(documents=Target.DocumentsTarget(documents=[name]), target_id=TARGET_ID + i)
            for i, name in enumerate(self._names)
        ]

    def _changed(self, name: str, document: Any) -> None:
        self._on_change(document.fields)
