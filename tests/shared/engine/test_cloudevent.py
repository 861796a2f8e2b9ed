"""Encoding and decoding Firestore DocumentEventData payloads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.events.cloud.firestore_v1 import DocumentEventData

from shared.engine.cloudevent import UndecodableEvent, decode_document_event, encode_document_event

DATA = {
    "userId": "+201000000001",
    "type": 1,
    "points": 12.5,
    "occurredAt": datetime(2026, 6, 15, 12, 30, 1, 250000, tzinfo=UTC),
    "attributes": {"channel": "app", "tags": ["a", 2, None, True]},
    "empty": {},
    "nothing": None,
    "flag": False,
    "raw": b"\x00\x01",
}


def test_a_document_round_trips_with_every_value_type():
    body = encode_document_event("proj", "transactions/t-1", DATA)
    event = decode_document_event(body)
    assert (event.path, event.document_id) == ("transactions/t-1", "t-1")
    assert event.data == DATA
    assert isinstance(event.data["type"], int) and isinstance(event.data["points"], float)


def test_the_payload_is_the_protobuf_eventarc_sends():
    body = encode_document_event("proj", "transactions/t-1", {"type": 5})
    message = DocumentEventData.deserialize(body)
    assert message.value.name == "projects/proj/databases/(default)/documents/transactions/t-1"
    assert message.value.fields["type"].integer_value == 5


@pytest.mark.parametrize(
    "payload",
    [
        b"\xff\xfe garbage",
        b"",
        "a string",
        {"json": "object"},
        None,
        encode_document_event("proj", "users/u1", DATA),
        encode_document_event("proj", "transactions/t1/sub/x", DATA),
    ],
)
def test_anything_else_is_undecodable(payload):
    with pytest.raises(UndecodableEvent):
        decode_document_event(payload)


def test_unsupported_python_values_are_refused_when_encoding():
    with pytest.raises(TypeError):
        encode_document_event("proj", "transactions/t", {"x": object()})
