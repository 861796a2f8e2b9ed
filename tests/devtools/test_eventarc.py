"""The local Eventarc stand-in: events pushed by the real emulator, real HTTP receiver."""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
import requests
from google.events.cloud.firestore_v1 import DocumentEventData

from devtools.emulators import RELAY_PORT_ENV, Emulators, free_port
from devtools.eventarc import (
    Deliverer,
    Event,
    RetryPolicy,
    cloudevent_headers,
    eventarc_headers,
    pushed_body,
    trigger_body,
)
from devtools.relay import relay_on
from shared.engine.cloudevent import decode_document_event, encode_document_event
from tests.conftest import PROJECT
from tests.devtools.receiver import Receiver

if TYPE_CHECKING:
    from google.cloud import firestore

FAST = RetryPolicy(max_attempts=4, initial_backoff=0.1, max_backoff=2.0, jitter=0.0)


def _transaction(user: str = "+201000000001", points: int = 100) -> dict[str, Any]:
    return {
        "userId": user,
        "type": 1,
        "points": points,
        "occurredAt": datetime(2026, 5, 1, tzinfo=UTC),
        "source": "ledger",
    }


def _wait_for(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


# pure


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=3.0, jitter=0.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_backoff_jitter_stays_within_bounds() -> None:
    policy = RetryPolicy(initial_backoff=1.0, jitter=0.2)
    delays = [policy.delay(1) for _ in range(200)]
    assert all(0.8 <= d <= 1.2 for d in delays)
    assert len(set(delays)) > 1


def test_headers_are_eventarc_binary_mode() -> None:
    event = Event("abc", "t1", {}, datetime(2026, 5, 1, 12, 0, 0, 123000, tzinfo=UTC))
    headers = cloudevent_headers("p1", event)
    assert headers["ce-specversion"] == "1.0"
    assert headers["ce-type"] == "google.cloud.firestore.document.v1.created"
    assert headers["ce-source"] == "//firestore.googleapis.com/projects/p1/databases/(default)"
    assert headers["ce-subject"] == "documents/transactions/t1"
    assert headers["ce-id"] == "abc"
    assert headers["ce-time"] == "2026-05-01T12:00:00.123000Z"
    assert headers["content-type"] == "application/protobuf"


def test_pushed_headers_become_eventarc_headers() -> None:
    pushed = {
        "Host": "127.0.0.1:1234",
        "User-Agent": "Google-HTTP-Java-Client",
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.firestore.document.v1.created",
        "ce-source": "//firestore.googleapis.com/projects/projects/p1/databases/(default)",
        "ce-id": "9af88c29",
        "ce-subject": "documents/transactions/d1",
        "ce-document": "transactions/d1",
        "Content-Type": "application/protobuf",
    }
    headers = eventarc_headers(pushed)
    assert headers["ce-source"] == "//firestore.googleapis.com/projects/p1/databases/(default)"
    assert headers["ce-id"] == "9af88c29"
    assert headers["ce-subject"] == "documents/transactions/d1"
    assert headers["content-type"] == "application/protobuf"
    assert "host" not in headers and "user-agent" not in headers


def test_pushed_body_is_base64_decoded_and_raw_protobuf_kept() -> None:
    raw = encode_document_event("p1", "transactions/d1", {"userId": "u1", "points": 3})
    assert pushed_body(base64.b64encode(raw)) == raw
    assert pushed_body(raw) == raw
    assert decode_document_event(pushed_body(base64.b64encode(raw))).data["points"] == 3


def test_trigger_matches_created_documents_by_path_pattern() -> None:
    assert trigger_body("transactions/{documentId}") == {
        "eventType": "google.cloud.firestore.document.v1.created",
        "database": "(default)",
        "namespace": "(default)",
        "document": {"value": "transactions/{documentId}", "matchType": "PATH_PATTERN"},
    }


def test_without_push_support_the_deliverer_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    monkeypatch.delenv(RELAY_PORT_ENV, raising=False)
    db = firestore.Client(project=PROJECT, credentials=AnonymousCredentials())
    with pytest.raises(RuntimeError, match="push support"):
        Deliverer(db, "http://127.0.0.1:9/event", emulator_host="127.0.0.1:9").start()


# against the emulator


@pytest.mark.emulator
def test_new_document_is_delivered_as_eventarc_sends_it_and_old_ones_are_not(
    db: firestore.Client,
) -> None:
    db.collection("transactions").document("before").create(_transaction())
    with Receiver() as receiver, Deliverer(db, receiver.url, policy=FAST) as deliverer:
        db.collection("transactions").document("t1").create(_transaction(points=250))
        assert deliverer.wait_idle(10, received=1)
        time.sleep(0.3)  # room for a wrong second delivery to show up
        assert receiver.for_subject("documents/transactions/before") == []
    [got] = receiver.for_subject("documents/transactions/t1")
    assert got.headers["Ce-Specversion"] == "1.0"
    assert got.headers["Ce-Type"] == "google.cloud.firestore.document.v1.created"
    assert got.headers["Ce-Source"] == (
        f"//firestore.googleapis.com/projects/{PROJECT}/databases/(default)"
    )
    assert got.headers["Ce-Document"] == "transactions/t1"
    assert got.headers["Content-Type"] == "application/protobuf"
    assert got.headers["Ce-Id"] and got.headers["Ce-Time"].endswith("Z")
    # Raw protobuf bytes, as Eventarc sends them (the emulator pushes them base64-encoded).
    event = decode_document_event(got.body)
    assert event.document_id == "t1"
    assert event.data["userId"] == "+201000000001"
    assert event.data["points"] == 250
    assert event.data["occurredAt"] == datetime(2026, 5, 1, tzinfo=UTC)
    assert DocumentEventData.deserialize(got.body).value.name.endswith("/transactions/t1")
    assert deliverer.stats.delivered == 1 and deliverer.stats.received == 1


@pytest.mark.emulator
def test_documents_of_other_collections_are_not_delivered(db: firestore.Client) -> None:
    with Receiver() as receiver, Deliverer(db, receiver.url, policy=FAST) as deliverer:
        db.collection("ledgerDrafts").document("d1").create(_transaction())
        db.collection("transactions").document("t9").collection("notes").document("n1").create(
            {"text": "a subcollection document is not a transaction"}
        )
        db.collection("transactions").document("t2").create(_transaction())
        assert deliverer.wait_idle(10, received=1)
        time.sleep(0.5)  # room for a wrong delivery to show up
    assert [r.headers["Ce-Subject"] for r in receiver.requests] == ["documents/transactions/t2"]
    assert deliverer.stats.received == 1


@pytest.mark.emulator
def test_failed_deliveries_are_retried_with_growing_backoff(db: firestore.Client) -> None:
    # The first three attempts fail; the fourth succeeds.
    with (
        Receiver(status=lambda n: 500 if n <= 3 else 204) as receiver,
        Deliverer(db, receiver.url, policy=FAST) as deliverer,
    ):
        db.collection("transactions").document("flaky").create(_transaction())
        _wait_for(lambda: len(receiver.for_subject("documents/transactions/flaky")) >= 4)
        assert deliverer.wait_idle(10, received=1)
    attempts = receiver.for_subject("documents/transactions/flaky")
    assert len(attempts) == 4
    assert len({a.headers["Ce-Id"] for a in attempts}) == 1  # a retry is the same event
    assert len({a.body for a in attempts}) == 1
    gaps = [b.at - a.at for a, b in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19 and gaps[2] >= 0.39
    assert gaps[0] < gaps[1] < gaps[2]
    assert deliverer.stats.delivered == 1 and deliverer.stats.failed_attempts == 3
    assert list(db.collection("deadLetters").stream()) == []


@pytest.mark.emulator
def test_dead_letter_after_the_last_attempt(db: firestore.Client) -> None:
    policy = RetryPolicy(max_attempts=3, initial_backoff=0.05, jitter=0.0)
    with (
        Receiver(status=lambda _n: 503) as receiver,
        Deliverer(db, receiver.url, policy=policy) as deliverer,
    ):
        db.collection("transactions").document("doomed").create(_transaction())
        _wait_for(lambda: deliverer.stats.dead_lettered == 1)
        assert deliverer.wait_idle(10, received=1)
    attempts = receiver.for_subject("documents/transactions/doomed")
    assert len(attempts) == 3
    letter = db.collection("deadLetters").document(attempts[0].headers["Ce-Id"]).get()
    assert letter.exists
    record = letter.to_dict() or {}
    assert record["attempts"] == 3
    assert record["transactionId"] == "doomed"
    assert record["source"] == "deliverer"
    assert record["target"] == receiver.url
    assert record["receivedAt"] is not None
    assert "503" in record["reason"]


@pytest.mark.emulator
def test_unreachable_function_is_dead_lettered_as_connection_error(db: firestore.Client) -> None:
    policy = RetryPolicy(max_attempts=2, initial_backoff=0.05, jitter=0.0, request_timeout=2)
    url = f"http://127.0.0.1:{free_port()}/nothing-listens"
    with Deliverer(db, url, policy=policy) as deliverer:
        db.collection("transactions").document("nowhere").create(_transaction())
        _wait_for(lambda: deliverer.stats.dead_lettered == 1)
    [letter] = [d.to_dict() or {} for d in db.collection("deadLetters").stream()]
    assert letter["transactionId"] == "nowhere"
    assert letter["attempts"] == 2
    assert "connection error" in letter["reason"]


@pytest.mark.emulator
def test_a_burst_of_hundreds_is_all_delivered(db: firestore.Client) -> None:
    count = 300
    with Receiver() as receiver, Deliverer(db, receiver.url, policy=FAST) as deliverer:
        started = time.monotonic()
        _create_burst(db, "burst", count)
        assert deliverer.wait_idle(30, received=count)
        elapsed = time.monotonic() - started
    subjects = {r.headers["Ce-Subject"] for r in receiver.requests}
    assert subjects == {f"documents/transactions/burst-{i:03d}" for i in range(count)}
    assert len(receiver.requests) == count
    assert deliverer.stats.delivered == count
    assert elapsed < count / 50 + 2, f"{count} events took {elapsed:.1f}s"


@pytest.mark.emulator
def test_a_document_created_again_after_deletion_is_a_new_event(db: firestore.Client) -> None:
    with Receiver() as receiver, Deliverer(db, receiver.url, policy=FAST) as deliverer:
        ref = db.collection("transactions").document("again")
        ref.create(_transaction())
        assert deliverer.wait_idle(10, received=1)
        ref.delete()
        ref.create(_transaction(points=7))
        assert deliverer.wait_idle(10, received=2)
    first, second = receiver.for_subject("documents/transactions/again")
    assert first.headers["Ce-Id"] != second.headers["Ce-Id"]
    assert decode_document_event(second.body).data["points"] == 7


@pytest.mark.emulator
def test_the_relay_leaves_other_triggers_unclaimed_and_refuses_other_paths(
    db: firestore.Client, emulators: Emulators
) -> None:
    assert emulators.relay_port is not None
    base = f"http://127.0.0.1:{emulators.relay_port}/functions/projects/{PROJECT}/triggers/"
    with Receiver() as receiver, Deliverer(db, receiver.url, policy=FAST) as deliverer:
        unclaimed = relay_on(emulators.relay_port).unclaimed
        # A trigger left behind by another deliverer (one that was killed, say).
        stale = requests.post(base + "someone-else", data=b"CgA=", timeout=5)
        wrong = requests.post(
            f"http://127.0.0.1:{emulators.relay_port}/elsewhere", data=b"", timeout=5
        )
        assert deliverer.wait_idle(5)
    assert stale.status_code == 204 and wrong.status_code == 404
    assert relay_on(emulators.relay_port).unclaimed == unclaimed + 1
    assert deliverer.stats.received == 0
    assert receiver.requests == []


@pytest.mark.emulator
def test_a_stopped_deliverer_leaves_no_trigger_behind(
    db: firestore.Client, emulators: Emulators
) -> None:
    assert emulators.relay_port is not None
    relay = relay_on(emulators.relay_port)
    with Receiver() as receiver, Deliverer(db, receiver.url, policy=FAST) as deliverer:
        db.collection("transactions").document("while-running").create(_transaction())
        assert deliverer.wait_idle(10, received=1)
    unclaimed = relay.unclaimed
    db.collection("transactions").document("after-stop").create(_transaction())
    time.sleep(1.0)
    # The emulator pushed nothing more: no trigger of the stopped deliverer is still live.
    assert relay.unclaimed == unclaimed
    assert len(receiver.requests) == 1


@pytest.mark.emulator
def test_the_next_deliverer_gets_every_event_the_emulator_pushes_on_old_connections(
    db: firestore.Client,
) -> None:
    """The emulator pools its kept-alive connections to the relay across deliverers."""
    with Receiver() as first, Deliverer(db, first.url, policy=FAST) as deliverer:
        _create_burst(db, "pooled-a", 40)
        assert deliverer.wait_idle(20, received=40)
    with Receiver() as second, Deliverer(db, second.url, policy=FAST) as deliverer:
        _create_burst(db, "pooled-b", 40)
        assert deliverer.wait_idle(20, received=40)
    assert {r.headers["Ce-Subject"] for r in second.requests} == {
        f"documents/transactions/pooled-b-{i:03d}" for i in range(40)
    }
    assert len(first.requests) == 40


def _create_burst(db: firestore.Client, prefix: str, count: int) -> None:
    """Create transactions `{prefix}-000` onwards, 100 to a batch."""
    for chunk in range(0, count, 100):
        batch = db.batch()
        for i in range(chunk, min(chunk + 100, count)):
            name = f"{prefix}-{i:03d}"
            batch.create(db.collection("transactions").document(name), _transaction())
        batch.commit()


class _KeepAliveReceiver(BaseHTTPRequestHandler):
    """Keeps connections alive (unlike werkzeug's server) and drops them after 0.2 s idle."""

    protocol_version = "HTTP/1.1"
    timeout = 0.2
    posts: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.posts.append(self.headers.get("Ce-Subject", ""))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.emulator
def test_a_kept_alive_connection_the_function_closed_is_replaced_at_once(
    db: firestore.Client,
) -> None:
    """Each worker keeps its connection; one the function's server dropped is not a failure."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAliveReceiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/event"
    _KeepAliveReceiver.posts = []
    try:
        with Deliverer(db, url, policy=FAST, workers=1) as deliverer:
            for round_ in range(2):
                deliverer.submit(Event(f"e{round_}", f"t{round_}", _transaction()))
                assert deliverer.wait_idle(10, received=round_ + 1)
                # The server drops the idle connection: the worker's next post finds it dead.
                time.sleep(0.6)
    finally:
        server.shutdown()
        server.server_close()
    assert len(_KeepAliveReceiver.posts) == 2
    assert deliverer.stats.delivered == 2
    assert deliverer.stats.failed_attempts == 0
