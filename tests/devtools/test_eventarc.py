"""The local Eventarc stand-in: real emulator listener, real HTTP receiver."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

import pytest
from google.events.cloud.firestore_v1 import DocumentEventData

from devtools.emulators import free_port
from devtools.eventarc import Deliverer, Event, RetryPolicy, cloudevent_headers
from tests.conftest import PROJECT
from tests.devtools.receiver import Receiver

FAST = RetryPolicy(max_attempts=4, initial_backoff=0.1, max_backoff=2.0, jitter=0.0)


def _transaction(user: str = "+201000000001", points: int = 100) -> dict:
    return {
        "userId": user,
        "type": 1,
        "points": points,
        "occurredAt": datetime(2026, 5, 1, tzinfo=UTC),
        "source": "ledger",
    }


def _wait_for(predicate, timeout: float = 10.0) -> None:
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


# against the emulator


@pytest.mark.emulator
def test_new_document_is_delivered_once_and_old_ones_are_not(db) -> None:
    db.collection("transactions").document("before").create(_transaction())
    with Receiver() as receiver, Deliverer(db, receiver.url, policy=FAST) as deliverer:
        db.collection("transactions").document("t1").create(_transaction(points=250))
        _wait_for(lambda: receiver.for_subject("documents/transactions/t1"))
        assert deliverer.wait_idle(10)
        time.sleep(0.3)  # room for a wrong second delivery to show up
        assert receiver.for_subject("documents/transactions/before") == []
    [got] = receiver.for_subject("documents/transactions/t1")
    assert got.headers["Ce-Type"] == "google.cloud.firestore.document.v1.created"
    assert got.headers["Ce-Source"] == (
        f"//firestore.googleapis.com/projects/{PROJECT}/databases/(default)"
    )
    assert got.headers["Content-Type"] == "application/protobuf"
    assert got.headers["Ce-Id"] and got.headers["Ce-Time"].endswith("Z")
    event = DocumentEventData.deserialize(got.body)
    assert event.value.name.endswith("/documents/transactions/t1")
    assert event.value.fields["userId"].string_value == "+201000000001"
    assert event.value.fields["points"].integer_value == 250
    assert deliverer.stats.delivered == 1


@pytest.mark.emulator
def test_failed_deliveries_are_retried_with_growing_backoff(db) -> None:
    # The first three attempts fail; the fourth succeeds.
    with (
        Receiver(status=lambda n: 500 if n <= 3 else 204) as receiver,
        Deliverer(db, receiver.url, policy=FAST) as deliverer,
    ):
        db.collection("transactions").document("flaky").create(_transaction())
        _wait_for(lambda: len(receiver.for_subject("documents/transactions/flaky")) >= 4)
        assert deliverer.wait_idle(10)
    attempts = receiver.for_subject("documents/transactions/flaky")
    assert len(attempts) == 4
    assert len({a.headers["Ce-Id"] for a in attempts}) == 1  # a retry is the same event
    gaps = [b.at - a.at for a, b in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19 and gaps[2] >= 0.39
    assert gaps[0] < gaps[1] < gaps[2]
    assert deliverer.stats.delivered == 1 and deliverer.stats.failed_attempts == 3
    assert list(db.collection("deadLetters").stream()) == []


@pytest.mark.emulator
def test_dead_letter_after_the_last_attempt(db) -> None:
    policy = RetryPolicy(max_attempts=3, initial_backoff=0.05, jitter=0.0)
    with (
        Receiver(status=lambda _n: 503) as receiver,
        Deliverer(db, receiver.url, policy=policy) as deliverer,
    ):
        db.collection("transactions").document("doomed").create(_transaction())
        _wait_for(lambda: deliverer.stats.dead_lettered == 1)
        assert deliverer.wait_idle(10)
    attempts = receiver.for_subject("documents/transactions/doomed")
    assert len(attempts) == 3
    letter = db.collection("deadLetters").document(attempts[0].headers["Ce-Id"]).get()
    assert letter.exists
    record = letter.to_dict()
    assert record["attempts"] == 3
    assert record["transactionId"] == "doomed"
    assert record["source"] == "deliverer"
    assert "503" in record["reason"]


@pytest.mark.emulator
def test_unreachable_function_is_dead_lettered_as_connection_error(db) -> None:
    policy = RetryPolicy(max_attempts=2, initial_backoff=0.05, jitter=0.0, request_timeout=2)
    url = f"http://127.0.0.1:{free_port()}/nothing-listens"
    with Deliverer(db, url, policy=policy) as deliverer:
        db.collection("transactions").document("nowhere").create(_transaction())
        _wait_for(lambda: deliverer.stats.dead_lettered == 1)
    [letter] = [d.to_dict() for d in db.collection("deadLetters").stream()]
    assert letter["transactionId"] == "nowhere"
    assert "connection error" in letter["reason"]


@pytest.mark.emulator
def test_a_burst_flows_at_about_100_events_per_second(db) -> None:
    count = 200
    with Receiver() as receiver, Deliverer(db, receiver.url, policy=FAST) as deliverer:
        started = time.monotonic()
        for chunk in range(0, count, 100):
            batch = db.batch()
            for i in range(chunk, chunk + 100):
                batch.create(
                    db.collection("transactions").document(f"burst-{i:03d}"), _transaction()
                )
            batch.commit()
        _wait_for(lambda: deliverer.stats.delivered == count, timeout=20)
        elapsed = time.monotonic() - started
    subjects = {r.headers["Ce-Subject"] for r in receiver.requests}
    assert subjects == {f"documents/transactions/burst-{i:03d}" for i in range(count)}
    assert len(receiver.requests) == count
    assert elapsed < count / 100 * 2 + 2, f"{count} events took {elapsed:.1f}s"


@pytest.mark.emulator
def test_a_document_created_again_after_deletion_is_a_new_event(db) -> None:
    with Receiver() as receiver, Deliverer(db, receiver.url, policy=FAST) as deliverer:
        ref = db.collection("transactions").document("again")
        ref.create(_transaction())
        _wait_for(lambda: deliverer.stats.delivered == 1)
        ref.delete()
        time.sleep(0.3)  # let the listener see the removal
        ref.create(_transaction(points=7))
        _wait_for(lambda: deliverer.stats.delivered == 2)
    first, second = receiver.for_subject("documents/transactions/again")
    assert first.headers["Ce-Id"] != second.headers["Ce-Id"]
    assert DocumentEventData.deserialize(second.body).value.fields["points"].integer_value == 7
