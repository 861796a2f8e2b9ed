"""Local stand-in for Eventarc: new `transactions` documents become CloudEvents over HTTP.

No Eventarc emulator exists, so a Firestore listener on the emulator delivers the same
binary-mode CloudEvent that Eventarc sends in production (ce-* headers, protobuf
`DocumentEventData` body) to the function's URL. Like Eventarc it retries a failed delivery
(non-2xx or no answer) with exponential backoff, and after a bounded number of attempts it
gives up and records the event in `deadLetters/{ce-id}`.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from shared.repository.paths import DEAD_LETTERS, TRANSACTIONS

if TYPE_CHECKING:
    from google.cloud import firestore

log = logging.getLogger(__name__)

EVENT_TYPE = "google.cloud.firestore.document.v1.created"
DATA_SCHEMA = (
    "https://github.com/googleapis/google-cloudevents/blob/main/"
    "proto/google/events/cloud/firestore/v1/data.proto"
)

# (project, document path such as "transactions/abc", fields) -> protobuf DocumentEventData
Encoder = Callable[[str, str, dict[str, Any]], bytes]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing delivery is retried."""

    max_attempts: int = 5
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    jitter: float = 0.1  # +/- this fraction of each delay, so retries of a burst spread out
    request_timeout: float = 60.0

    def delay(self, failed_attempts: int) -> float:
        """Seconds to wait after the `failed_attempts`-th failure (1, 2, ...)."""
        base = min(self.max_backoff, self.initial_backoff * 2 ** (failed_attempts - 1))
        return base * (1 + random.uniform(-self.jitter, self.jitter))


@dataclass
class Event:
    """One CloudEvent on its way, with its delivery history."""

    id: str
    document_id: str
    data: dict[str, Any]
    time: datetime
    attempts: int = 0
    last_error: str = ""


@dataclass
class Stats:
    """Counters, for `make dev`'s status and for tests."""

    received: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    dead_lettered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str) -> None:
        """Increment counter `name`."""
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


def _default_encoder() -> Encoder:
    from shared.engine.cloudevent import encode_document_event

    return encode_document_event


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cloudevent_headers(
    project: str, event: Event, collection: str = TRANSACTIONS
) -> dict[str, str]:
    """The binary-mode CloudEvent headers Eventarc sends for a created document."""
    document = f"{collection}/{event.document_id}"
    return {
        "ce-specversion": "1.0",
        "ce-type": EVENT_TYPE,
        "ce-source": f"//firestore.googleapis.com/projects/{project}/databases/(default)",
        "ce-subject": f"documents/{document}",
        "ce-id": event.id,
        "ce-time": _rfc3339(event.time),
        "ce-dataschema": DATA_SCHEMA,
        "ce-project": project,
        "ce-database": "(default)",
        "ce-namespace": "(default)",
        "ce-document": document,
        "content-type": "application/protobuf",
    }


class _Scheduler:
    """Runs callables after a delay on one thread, so backoff waits hold no worker."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="eventarc-retries", daemon=True)
        self._thread.start()

    def call_later(self, delay: float, fn: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._order), fn))
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                if self._stopped:
                    return
                _, _, fn = heapq.heappop(self._heap)
            fn()

    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify()
        self._thread.join(timeout=5)


class Deliverer:
    """Listens to a collection of the emulator and delivers each new document as a CloudEvent."""

    def __init__(
        self,
        db: firestore.Client,
        target_url: str,
        *,
        project: str | None = None,
        policy: RetryPolicy | None = None,
        workers: int = 16,
        collection: str = TRANSACTIONS,
        encoder: Encoder | None = None,
    ) -> None:
        self.db = db
        self.target_url = target_url
        self.project = project or db.project
        self.policy = policy or RetryPolicy()
        self.collection = collection
        self.stats = Stats()
        self._encoder = encoder
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="eventarc")
        self._scheduler = _Scheduler()
        self._local = threading.local()
        self._seen: set[str] = set()
        self._ready = threading.Event()
        self._in_flight = 0
        self._idle = threading.Condition()
        self._watch: Any = None
        self._stopped = False

    # lifecycle

    def start(self, timeout: float = 30.0) -> Deliverer:
        """Start listening; returns once documents that already exist have been set aside."""
        if self._encoder is None:
            self._encoder = _default_encoder()
        self._watch = self.db.collection(self.collection).on_snapshot(self._on_snapshot)
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError(f"the {self.collection} listener did not start within {timeout}s")
        return self

    def stop(self) -> None:
        """Stop listening and delivering; retries not yet due are dropped."""
        self._stopped = True
        if self._watch is not None:
            self._watch.unsubscribe()
            self._watch = None
        self._scheduler.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Deliverer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every event received so far is delivered or dead-lettered."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    # listening

    def _on_snapshot(self, docs: list[Any], changes: list[Any], _read_time: Any) -> None:
        if not self._ready.is_set():
            # The first snapshot is what existed before the listener: not new, not delivered.
            self._seen.update(doc.id for doc in docs)
            self._ready.set()
            return
        for change in changes:
            doc = change.document
            if change.type.name == "REMOVED":
                # A document created again under the same id is a new event, as in Eventarc.
                self._seen.discard(doc.id)
                continue
            if change.type.name != "ADDED" or doc.id in self._seen:
                continue
            self._seen.add(doc.id)
            created = doc.create_time or datetime.now(UTC)
            self.submit(Event(uuid.uuid4().hex, doc.id, doc.to_dict() or {}, created))

    def submit(self, event: Event) -> None:
        """Deliver `event` (also used directly by tests and tools)."""
        if self._stopped:
            return
        self.stats.add("received")
        with self._idle:
            self._in_flight += 1
        self._pool.submit(self._attempt, event)

    # delivering

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _attempt(self, event: Event) -> None:
        if self._stopped:
            self._finish()
            return
        event.attempts += 1
        try:
            ok, error = self._post(event)
        except Exception as exc:  # an encoding bug must not kill the worker
            ok, error = False, f"{type(exc).__name__}: {exc}"
        if ok:
            self.stats.add("delivered")
            self._finish()
            return
        event.last_error = error
        self.stats.add("failed_attempts")
        if event.attempts >= self.policy.max_attempts:
            self._dead_letter(event)
            self._finish()
            return
        delay = self.policy.delay(event.attempts)
        log.info(
            "delivery of %s failed (attempt %d: %s); retrying in %.2fs",
            event.document_id,
            event.attempts,
            error,
            delay,
        )
        self._scheduler.call_later(delay, lambda: self._resubmit(event))

    def _resubmit(self, event: Event) -> None:
        try:
            self._pool.submit(self._attempt, event)
        except RuntimeError:  # the pool is shut down: the deliverer is stopping
            self._finish()

    def _post(self, event: Event) -> tuple[bool, str]:
        assert self._encoder is not None
        body = self._encoder(self.project, f"{self.collection}/{event.document_id}", event.data)
        headers = cloudevent_headers(self.project, event, self.collection)
        try:
            response = self._session().post(
                self.target_url, data=body, headers=headers, timeout=self.policy.request_timeout
            )
        except requests.RequestException as exc:
            return False, f"connection error: {type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return True, ""
        return False, f"HTTP {response.status_code}: {response.text[:200]}"

    def _dead_letter(self, event: Event) -> None:
        self.stats.add("dead_lettered")
        reason = f"not delivered after {event.attempts} attempts; last error: {event.last_error}"
        log.warning("dead-lettering %s: %s", event.document_id, reason)
        try:
            self.db.collection(DEAD_LETTERS).document(event.id).set(
                {
                    "reason": reason,
                    "attempts": event.attempts,
                    "transactionId": event.document_id,
                    "source": "deliverer",
                    "target": self.target_url,
                    "receivedAt": datetime.now(UTC),
                }
            )
        except Exception:  # the emulator may be going away
            log.exception("could not record dead letter %s", event.id)

    def _finish(self) -> None:
        with self._idle:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.notify_all()
