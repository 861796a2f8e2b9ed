"""Local stand-in for Eventarc: new `transactions` documents become CloudEvents over HTTP.

No Eventarc emulator exists, but the Cloud Firestore emulator pushes an Eventarc-style
CloudEvent for every created document that matches a trigger registered with it, to the relay
port it was started with (`devtools.emulators`). The deliverer registers that trigger, takes its
events from the relay on that port (`devtools.relay`, which answers the emulator at once), and
forwards each event to the function's URL as Eventarc sends it in production: binary mode,
ce-* headers, the raw protobuf `DocumentEventData` as the body. Like Eventarc it retries a
failed delivery (non-2xx or no answer) with exponential backoff, and after a bounded number of
attempts it gives up and records the event in `deadLetters/{ce-id}`.
"""

from __future__ import annotations

import binascii
import heapq
import http.client
import itertools
import logging
import os
import random
import threading
import time
import uuid
from base64 import b64decode
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from devtools.emulators import HOST, RELAY_PORT_ENV
from devtools.relay import Relay, relay_on
from shared.schema.dead_letters import SOURCE_DELIVERER, Letter
from shared.schema.paths import DEAD_LETTERS, TRANSACTIONS

if TYPE_CHECKING:
    from google.cloud import firestore

log = logging.getLogger(__name__)

EVENT_TYPE = "google.cloud.firestore.document.v1.created"
DATA_SCHEMA = (
    "https://github.com/googleapis/google-cloudevents/blob/main/"
    "proto/google/events/cloud/firestore/v1/data.proto"
)

# The emulator names the project twice in ce-source; Eventarc does not.
EMULATOR_SOURCE_PREFIX = "//firestore.googleapis.com/projects/projects/"
SOURCE_PREFIX = "//firestore.googleapis.com/projects/"
# Firestore reserves ids like __name__, so no document can ever match a trigger on this
# collection: re-registering a trigger with it is how a stopped deliverer switches its trigger
# off (the emulator has no call that deletes a trigger).
NEVER_WRITTEN = "__local_eventarc_stopped__"

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
    """One CloudEvent on its way, with its delivery history.

    An event pushed by the emulator carries its protobuf `body` and its `headers`; one built by
    a tool carries the document's `data`, encoded when it is posted.
    """

    id: str
    document_id: str
    data: dict[str, Any] = field(default_factory=dict)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    body: bytes | None = None
    headers: dict[str, str] | None = None
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


def eventarc_headers(pushed: dict[str, str]) -> dict[str, str]:
    """The headers Eventarc would send for an event the emulator pushed with `pushed`."""
    headers = {name.lower(): value for name, value in pushed.items()}
    forwarded = {name: value for name, value in headers.items() if name.startswith("ce-")}
    source = forwarded.get("ce-source", "")
    if source.startswith(EMULATOR_SOURCE_PREFIX):
        forwarded["ce-source"] = SOURCE_PREFIX + source[len(EMULATOR_SOURCE_PREFIX) :]
    forwarded["content-type"] = headers.get("content-type", "application/protobuf")
    return forwarded


def pushed_body(body: bytes) -> bytes:
    """The protobuf the emulator pushed: it sends it base64-encoded, Eventarc sends raw bytes."""
    try:
        return b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return body  # already raw protobuf (not valid base64)


def trigger_body(document_pattern: str) -> dict[str, Any]:
    """The emulator's eventarcTrigger for documents created at `document_pattern`."""
    return {
        "eventType": EVENT_TYPE,
        "database": "(default)",
        "namespace": "(default)",
        "document": {"value": document_pattern, "matchType": "PATH_PATTERN"},
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
    """Receives the emulator's pushed events for a collection and delivers them as Eventarc does."""

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
        relay_port: int | None = None,
        emulator_host: str | None = None,
    ) -> None:
        self.db = db
        self.target_url = target_url
        self.project = project or db.project
        self.policy = policy or RetryPolicy()
        self.collection = collection
        self.stats = Stats()
        self.relay_port = relay_port
        self.emulator_host = emulator_host
        # A name of its own: events still pushed for an earlier deliverer's trigger stay unclaimed.
        self.trigger_id = f"local-eventarc-{collection}-{uuid.uuid4().hex[:8]}"
        self._encoder = encoder
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="eventarc")
        self._scheduler = _Scheduler()
        self._local = threading.local()
        self._in_flight = 0
        self._idle = threading.Condition()
        self._relay: Relay | None = None
        self._registered = False
        self._stopped = False

    # lifecycle

    def start(self, timeout: float = 30.0) -> Deliverer:
        """Attach to the relay port, then register the trigger; events flow from then on."""
        self.relay_port = self.relay_port or _env_int(RELAY_PORT_ENV)
        self.emulator_host = self.emulator_host or os.environ.get("FIRESTORE_EMULATOR_HOST")
        if not self.relay_port or not self.emulator_host:
            self._shutdown_workers()
            raise RuntimeError(
                "local Eventarc needs the Firestore emulator started with push support "
                f"(devtools.emulators sets FIRESTORE_EMULATOR_HOST and {RELAY_PORT_ENV}); "
                "the gcloud wrapper fallback, used when cloud-firestore-emulator.jar is not "
                "found, cannot push events"
            )
        if self._encoder is None:
            self._encoder = _default_encoder()
        try:
            self._relay = relay_on(self.relay_port)
        except OSError as error:
            self._shutdown_workers()
            raise RuntimeError(f"relay port {self.relay_port} is not free: {error}") from None
        self._relay.attach(self.project, self.trigger_id, self.receive)
        try:
            self._register(f"{self.collection}/{{documentId}}", timeout)
        except Exception:
            self.stop()
            raise
        self._registered = True
        return self

    def stop(self) -> None:
        """Switch the trigger off, detach, stop delivering; retries not yet due are dropped."""
        if self._registered:
            self._registered = False
            try:
                self._register(f"{NEVER_WRITTEN}/{{documentId}}", 10.0)
            except Exception:  # the emulator may be gone already, and its triggers with it
                log.warning("could not switch off trigger %s", self.trigger_id, exc_info=True)
        if self._relay is not None:
            self._relay.detach(self.project, self.trigger_id)
            self._relay = None
        self._shutdown_workers()

    def _shutdown_workers(self) -> None:
        self._stopped = True
        self._scheduler.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Deliverer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_idle(self, timeout: float, received: int = 0) -> bool:
        """Wait until `received` events have arrived and every one is delivered or dead-lettered.

        Events are pushed after their commit, so right after a write the deliverer may not have
        it yet: pass the number of events expected so far.
        """
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight or self.stats.received < received:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(min(remaining, 0.05))
        return True

    def _register(self, document_pattern: str, timeout: float) -> None:
        url = (
            f"http://{self.emulator_host}/emulator/v1/projects/{self.project}/eventarcTrigger"
            f"?eventarcTriggerId={self.trigger_id}"
        )
        response = requests.post(url, json=trigger_body(document_pattern), timeout=timeout)
        if response.status_code != 200:
            raise RuntimeError(
                f"the emulator refused trigger {self.trigger_id}: "
                f"HTTP {response.status_code} {response.text[:200]}"
            )

    # receiving

    def receive(self, headers: dict[str, str], body: bytes) -> None:
        """Queue one event the emulator pushed for this deliverer's trigger (the relay calls)."""
        forwarded = eventarc_headers(headers)
        document = forwarded.get("ce-document") or forwarded.get("ce-subject", "")
        self.submit(
            Event(
                id=forwarded.get("ce-id") or uuid.uuid4().hex,
                document_id=document.rsplit("/", 1)[-1],
                body=pushed_body(body),
                headers=forwarded,
            )
        )

    def submit(self, event: Event) -> None:
        """Deliver `event` (also used directly by tests and tools)."""
        if self._stopped:
            return
        self.stats.add("received")
        with self._idle:
            self._in_flight += 1
        try:
            self._pool.submit(self._attempt, event)
        except RuntimeError:  # the pool is shut down: the deliverer is stopping
            self._finish()

    # delivering

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """This worker's kept-alive connection to the target, and whether it was used before."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            return connection, True
        target = urlsplit(self.target_url)
        connection = http.client.HTTPConnection(
            target.hostname or HOST, target.port or 80, timeout=self.policy.request_timeout
        )
        self._local.connection = connection
        return connection, False

    def _send(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST one event on this worker's connection (http.client: a fraction of requests' CPU).

        A kept-alive connection the server closed meanwhile fails at once, before any answer:
        sent again, once, on a new one. A timeout is not retried here: the function may have
        the event already, and the retry policy's backoff decides.
        """
        target = urlsplit(self.target_url)
        path = target.path + (f"?{target.query}" if target.query else "")
        while True:
            connection, reused = self._connection()
            try:
                connection.request("POST", path or "/", body=body, headers=headers)
                response = connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                self._local.connection = None
                if not reused or not isinstance(error, DROPPED_CONNECTION):
                    raise

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
        if event.body is not None and event.headers is not None:
            body, headers = event.body, event.headers
        else:
            encoder = self._encoder or _default_encoder()
            body = encoder(self.project, f"{self.collection}/{event.document_id}", event.data)
            headers = cloudevent_headers(self.project, event, self.collection)
        try:
            status, answer = self._send(body, headers)
        except (OSError, http.client.HTTPException) as exc:
            return False, f"connection error: {type(exc).__name__}"
        if 200 <= status < 300:
            return True, ""
        return False, f"HTTP {status}: {answer[:200].decode('utf-8', 'replace')}"

    def _dead_letter(self, event: Event) -> None:
        self.stats.add("dead_lettered")
        reason = f"not delivered after {event.attempts} attempts; last error: {event.last_error}"
        log.warning("dead-lettering %s: %s", event.document_id, reason)
        try:
            letter = Letter(
                reason,
                event.document_id,
                datetime.now(UTC),
                SOURCE_DELIVERER,
                attempts=event.attempts,
                target=self.target_url,
            )
            self.db.collection(DEAD_LETTERS).document(event.id).set(letter.encode())
        except Exception:  # the emulator may be going away
            log.exception("could not record dead letter %s", event.id)

    def _finish(self) -> None:
        with self._idle:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.notify_all()


# What a kept-alive connection the server closed while idle fails with, before any answer.
DROPPED_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else None
