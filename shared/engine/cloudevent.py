"""Firestore `document.v1.created` CloudEvents: the protobuf `DocumentEventData` Eventarc sends.

`decode_document_event` turns the payload into the document's id and a plain dict of its
fields; `encode_document_event` builds the same payload (the local deliverer and tests use it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from google.events.cloud.firestore_v1 import DocumentEventData
from google.protobuf import struct_pb2, timestamp_pb2
from google.protobuf.message import DecodeError

from shared.schema.paths import TRANSACTIONS


class UndecodableEvent(ValueError):
    """The event's payload is not a Firestore document event for `transactions/{id}`."""


@dataclass(frozen=True)
class DocumentEvent:
    """A created document: its path below `documents/`, its id and its fields."""

    path: str
    document_id: str
    data: dict[str, Any]


def _decode_value(value: Any) -> Any:
    kind = value.WhichOneof("value_type")
    if kind is None or kind == "null_value":
        return None
    if kind == "timestamp_value":
        return value.timestamp_value.ToDatetime(tzinfo=UTC)
    if kind == "map_value":
        return {k: _decode_value(v) for k, v in value.map_value.fields.items()}
    if kind == "array_value":
        return [_decode_value(v) for v in value.array_value.values]
    if kind == "geo_point_value":
        point = value.geo_point_value
        return {"latitude": point.latitude, "longitude": point.longitude}
    # boolean, integer, double, string, bytes, reference: the scalar as it is.
    return getattr(value, kind)


def decode_document_event(payload: Any) -> DocumentEvent:
    """Decode an Eventarc Firestore event body; raise UndecodableEvent when it is not one."""
    if not isinstance(payload, bytes | bytearray):
        raise UndecodableEvent(f"payload is {type(payload).__name__}, not protobuf bytes")
    try:
        event = DocumentEventData.pb(DocumentEventData.deserialize(bytes(payload)))
    except (DecodeError, TypeError, ValueError) as error:
        raise UndecodableEvent(f"payload is not a DocumentEventData protobuf: {error}") from None
    if not event.HasField("value") or not event.value.name:
        raise UndecodableEvent("payload has no created document (value.name is empty)")
    name = event.value.name
    marker = "/documents/"
    if marker not in name:
        raise UndecodableEvent(f"document name {name!r} has no /documents/ part")
    path = name.split(marker, 1)[1]
    segments = path.split("/")
    if len(segments) != 2 or segments[0] != TRANSACTIONS or not segments[1]:
        raise UndecodableEvent(f"document {path!r} is not transactions/{{transactionId}}")
    data = {key: _decode_value(v) for key, v in event.value.fields.items()}
    return DocumentEvent(path=path, document_id=segments[1], data=data)


def _encode_value(value: Any, target: Any) -> None:
    # bool before int: bool is an int subclass.
    if value is None:
        target.null_value = struct_pb2.NULL_VALUE
    elif isinstance(value, bool):
        target.boolean_value = value
    elif isinstance(value, int):
        target.integer_value = value
    elif isinstance(value, float):
        target.double_value = value
    elif isinstance(value, str):
        target.string_value = value
    elif isinstance(value, bytes | bytearray):
        target.bytes_value = bytes(value)
    elif isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        stamp = timestamp_pb2.Timestamp()
        stamp.FromDatetime(moment.astimezone(UTC))
        target.timestamp_value.CopyFrom(stamp)
    elif isinstance(value, Mapping):
        target.map_value.SetInParent()
        for key, item in value.items():
            _encode_value(item, target.map_value.fields[str(key)])
    elif isinstance(value, list | tuple):
        target.array_value.SetInParent()
        for item in value:
            _encode_value(item, target.array_value.values.add())
    else:
        raise TypeError(f"cannot encode a {type(value).__name__} as a Firestore value")


def encode_document_event(
    project: str, path: str, data: Mapping[str, Any], *, database: str = "(default)"
) -> bytes:
    """The protobuf body Eventarc sends when the document at `path` is created with `data`."""
    event = DocumentEventData.pb(DocumentEventData())
    document = event.value
    document.name = f"projects/{project}/databases/{database}/documents/{path}"
    for key, value in data.items():
        _encode_value(value, document.fields[key])
    now = datetime.now(UTC)
    document.create_time.FromDatetime(now)
    document.update_time.FromDatetime(now)
    return bytes(event.SerializeToString())
