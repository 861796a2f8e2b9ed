"""The trigger function loaded as Cloud Functions loads it, fed binary-mode CloudEvents."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest
from flask import Flask

from shared.engine.cloudevent import encode_document_event
from shared.enums import TriggerKind
from shared.repository import paths
from shared.repository.dead_letters_repo import get_dead_letter
from tests.conftest import PROJECT
from tests.shared.api.factories import stored_progress
from tests.shared.engine.builders import challenge, earn, install, points_reward, simple_level

pytestmark = pytest.mark.emulator

ROOT = Path(__file__).resolve().parents[2]
SOURCE = f"//firestore.googleapis.com/projects/{PROJECT}/databases/(default)"


@cache
def _app() -> Flask:
    import functions_framework

    cwd = os.getcwd()
    saved = {k: os.environ.get(k) for k in ("FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE")}
    os.chdir(ROOT)
    try:
        return functions_framework.create_app(
            target="on_transaction_created", source=str(ROOT / "main.py")
        )
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def deliver(event_id: str, transaction_id: str, body: bytes) -> int:
    """POST one binary-mode CloudEvent, as Eventarc does; the HTTP status."""
    headers = {
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.firestore.document.v1.created",
        "ce-source": SOURCE,
        "ce-subject": f"documents/transactions/{transaction_id}",
        "ce-id": event_id,
        "ce-time": "2026-06-15T12:00:00Z",
        "Content-Type": "application/protobuf",
    }
    response = _app().test_client().post("/", data=body, headers=headers)
    return response.status_code


def _body(transaction_id: str, data: dict) -> bytes:
    return encode_document_event(PROJECT, f"transactions/{transaction_id}", data)


def _total(db, user: str) -> float:
    doc = stored_progress(db, user, 1)
    return (doc.get("totals") or {}).get("earnedPoints", 0)


def test_an_event_is_counted_once_however_often_it_is_delivered(db):
    install(db, [challenge(1, simple_level(TriggerKind.EARNED_POINTS, 100, [points_reward(1, 5)]))])
    body = _body("t1", earn("+201000000001", 100))
    assert [deliver(f"e{n}", "t1", body) for n in range(3)] == [200, 200, 200]
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert list(pool.map(lambda n: deliver(f"x{n}", "t1", body), range(3))) == [200] * 3
    assert _total(db, "+201000000001") == 100
    milestones = db.collection(paths.milestones_collection("+201000000001")).get()
    assert len(milestones) == 1 and milestones[0].to_dict()["issued"] is True


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": 1, "occurredAt": earn("u", 1)["occurredAt"], "points": 5}, "userId"),
        ({**earn("u", 5), "type": 42}, "type"),
        (earn("u", -1), "points"),
        ({**earn("u", 5), "userId": 12345}, "userId"),
        ({**earn("u", 5), "userId": "+201000000001 "}, "userId"),
        (earn("u", float("nan")), "points"),
        ({**earn("u", 5), "source": "elsewhere"}, "source"),
        # Nearly 1 MiB: too large to keep whole in its letter, acknowledged all the same.
        ({**earn("u", 5), "userId": "u" * (1_048_576 - 200)}, "userId"),
    ],
)
def test_a_malformed_transaction_is_dead_lettered_and_acknowledged(db, data, field):
    install(db, [challenge(1, simple_level(TriggerKind.EARNED_POINTS, 100))])
    body = _body("bad", data)
    assert deliver("e1", "bad", body) == 200
    assert deliver("e2", "bad", body) == 200
    letter = get_dead_letter(db, "bad")
    assert letter is not None and field in letter["reason"] and letter["source"] == "engine"
    assert list(db.collection(paths.USERS).stream()) == []


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\x00 not a protobuf",
        b"",
        b'{"json": "instead"}',
        encode_document_event(PROJECT, "other/t1", earn("u", 5)),
    ],
)
def test_an_undecodable_payload_is_dead_lettered_by_event_id(db, body):
    assert deliver("event/42", "t1", body) == 200
    letter = get_dead_letter(db, "event/42")
    assert letter is not None and letter["reason"] and letter["source"] == "engine"
    assert letter["transactionId"] is None
