"""Counting the documents a Firestore client reads and writes, by wrapping its RPCs.

The same instrument as bench/firestore_calls.py (which counts round trips), one level deeper:
the answers of the read RPCs are counted document by document, and each commit's writes are
recorded by document path. Use both together to have round trips and documents:

    with counting(db) as calls, documents(db) as docs:
        ...

Documents read are counted as Firestore bills them: each document asked for by key, found or
not, and each document a query returns (a query that returns nothing costs one read).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as gexc

_DOCUMENTS = "/documents/"


@dataclass(frozen=True)
class Write:
    """One write of a commit: the document's path and the kind of write."""

    path: str
    kind: str  # "create", "update" (a set, merge or update), "delete", "transform"


def _path(name: str) -> str:
    return name.split(_DOCUMENTS, 1)[1] if _DOCUMENTS in name else name


def _write(pb: Any) -> Write:
    raw = getattr(pb, "_pb", pb)
    operation = raw.WhichOneof("operation")
    if operation == "update":
        precondition = raw.current_document
        created = raw.HasField("current_document") and (
            precondition.WhichOneof("condition_type") == "exists" and not precondition.exists
        )
        return Write(_path(raw.update.name), "create" if created else "update")
    if operation == "delete":
        return Write(_path(raw.delete), "delete")
    return Write(_path(raw.transform.document), "transform")


class DocumentCounter:
    """Thread-safe tally of documents read (by RPC method) and of each commit's writes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.found: Counter[str] = Counter()  # documents returned, by method
        self.missing = 0  # documents asked for by key that do not exist
        self.empty_queries = 0  # queries that returned nothing (billed one read each)
        self.bytes = 0  # size of the documents returned (their protobuf encoding)
        self.commits: list[list[Write]] = []

    def _found(self, method: str, size: int) -> None:
        with self._lock:
            self.found[method] += 1
            self.bytes += size

    def _missing(self) -> None:
        with self._lock:
            self.missing += 1

    def _empty_query(self) -> None:
        with self._lock:
            self.empty_queries += 1

    def _commit(self, writes: list[Write]) -> None:
        with self._lock:
            self.commits.append(writes)

    @property
    def read(self) -> int:
        """Documents read, as billed: found, missing, and one per query that returned nothing."""
        with self._lock:
            return sum(self.found.values()) + self.missing + self.empty_queries

    @property
    def written(self) -> int:
        """Writes over every commit."""
        with self._lock:
            return sum(len(c) for c in self.commits)

    def by_method(self) -> dict[str, int]:
        """Documents returned, by RPC method."""
        with self._lock:
            return dict(self.found)

    def commit_writing(self, path: str) -> list[Write] | None:
        """The writes of the (first) commit that wrote the document at `path`."""
        with self._lock:
            for writes in self.commits:
                if any(w.path == path for w in writes):
                    return list(writes)
        return None


def _has(message: Any, name: str) -> bool:
    return bool(getattr(message, "_pb", message).HasField(name))


def _size(message: Any) -> int:
    return int(getattr(message, "_pb", message).ByteSize())


@contextmanager
def documents(client: Any) -> Iterator[DocumentCounter]:
    """Count the documents `client` (a google.cloud.firestore.Client) reads and writes.

    Both through the library's generated client (`_firestore_api`) and through the raw calls of
    shared/firestore/rpc.py, which the service's hot paths use.
    """
    from shared.firestore import rpc

    api = client._firestore_api
    counter = DocumentCounter()
    names = ("get_document", "batch_get_documents", "run_query", "commit")
    originals = {name: getattr(api, name) for name in names}

    def get_document(*args: Any, **kwargs: Any) -> Any:
        try:
            answer = originals["get_document"](*args, **kwargs)
        except gexc.NotFound:
            counter._missing()
            raise
        counter._found("get_document", _size(answer))
        return answer

    def batch_get_documents(*args: Any, **kwargs: Any) -> Iterable[Any]:
        answers = originals["batch_get_documents"](*args, **kwargs)

        def counted() -> Iterator[Any]:
            for answer in answers:
                if _has(answer, "found"):
                    counter._found("batch_get_documents", _size(answer.found))
                elif answer.missing:
                    counter._missing()
                yield answer

        return counted()

    def run_query(*args: Any, **kwargs: Any) -> Iterable[Any]:
        answers = originals["run_query"](*args, **kwargs)

        def counted() -> Iterator[Any]:
            returned = 0
            for answer in answers:
                if _has(answer, "document"):
                    returned += 1
                    counter._found("run_query", _size(answer.document))
                yield answer
            if not returned:
                counter._empty_query()

        return counted()

    def commit(*args: Any, **kwargs: Any) -> Any:
        request = kwargs.get("request", args[0] if args else None) or {}
        writes = request.get("writes", []) if isinstance(request, dict) else request.writes
        answer = originals["commit"](*args, **kwargs)
        counter._commit([_write(pb) for pb in writes])  # only commits that succeeded
        return answer

    wrappers = {
        "get_document": get_document,
        "batch_get_documents": batch_get_documents,
        "run_query": run_query,
        "commit": commit,
    }
    raw_originals = {"get_document": rpc.get_document, "commit": rpc.commit}

    def raw_get_document(db: Any, request: Any) -> Any:
        if db is not client:
            return raw_originals["get_document"](db, request)
        try:
            answer = raw_originals["get_document"](db, request)
        except gexc.NotFound:
            counter._missing()
            raise
        counter._found("get_document", _size(answer))
        return answer

    def raw_commit(db: Any, request: Any) -> Any:
        answer = raw_originals["commit"](db, request)
        if db is client:
            counter._commit([_write(pb) for pb in request.writes])
        return answer

    for name, wrapper in wrappers.items():
        setattr(api, name, wrapper)
    rpc.get_document, rpc.commit = raw_get_document, raw_commit
    try:
        yield counter
    finally:
        for name, original in originals.items():
            setattr(api, name, original)
        rpc.get_document = raw_originals["get_document"]
        rpc.commit = raw_originals["commit"]
