"""Reading one document through the low-level API and decoding its raw protobuf directly.

The read path's hot document (a user's progress in every challenge) holds hundreds of nested
values; the client library's snapshot machinery and per-value decoding cost more than the round
trip itself. `GetDocument` is one unary call, and decoding the raw `Value` messages here gives
the same Python values the library's `DocumentSnapshot.to_dict()` gives.

Library assumptions (each with a contract test in tests/shared/firestore/test_contracts.py):

- GetDocument (sent by shared/firestore/rpc.py, which lists its own assumptions) answers a raw
  `Document`, and raises `NotFound` for an absent document;
- `_helpers.decode_value`, `_helpers.decode_dict` and `_helpers.reference_value_to_document`
  decode what this module does not decode itself (BSON-shaped maps, references, newer kinds),
  and every value kind decodes here as `DocumentSnapshot.to_dict()` decodes it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from google.api_core import exceptions as gexc
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1._helpers import GeoPoint
from google.cloud.firestore_v1.vector import Vector

from shared.firestore import rpc
from shared.lazy_mapping import LazyMapping

if TYPE_CHECKING:
    from google.cloud import firestore

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _timestamp(stamp: Any) -> datetime:
    nanos = stamp.nanos
    if nanos % 1000:
        # Sub-microsecond precision only a DatetimeWithNanoseconds keeps.
        return DatetimeWithNanoseconds.from_timestamp_pb(stamp)
    return _EPOCH + timedelta(seconds=stamp.seconds, microseconds=nanos // 1000)


def _may_be_special(keys: Any) -> bool:
    """Whether a map with these keys may be one the library turns into another type."""
    return "__type__" in keys or (len(keys) == 1 and next(iter(keys)).startswith("__"))


def _special_map(decoded: dict[str, Any], fields: Any, db: firestore.Client) -> Any:
    """A map the library turns into another type (vector, BSON value), or None."""
    if decoded.get("__type__") == "__vector__":
        return Vector(decoded["value"])
    if len(decoded) == 1 and next(iter(decoded)).startswith("__"):
        special = _helpers.decode_dict(fields, db)
        if not isinstance(special, dict):
            return special
    return None


def decode_map(fields: Any, db: firestore.Client) -> Any:
    """A raw protobuf map of `Value`s as the client library decodes it (usually a dict)."""
    decoded: dict[str, Any] = {}
    # Keys then lookups (the map's own iteration, not the generic `items()` view), and the
    # commonest kinds inline: this loop runs for every value of the document.
    for key in fields:
        value = fields[key]
        kind = value.WhichOneof("value_type")
        if kind == "map_value":
            decoded[key] = decode_map(value.map_value.fields, db)
        elif kind == "string_value":
            decoded[key] = value.string_value
        elif kind == "integer_value":
            decoded[key] = value.integer_value
        elif kind == "double_value":
            decoded[key] = value.double_value
        else:
            decoded[key] = decode_value(value, db)
    if _may_be_special(decoded):
        special = _special_map(decoded, fields, db)
        if special is not None:
            return special
    return decoded


def decode_value(value: Any, db: firestore.Client) -> Any:
    """One raw protobuf `Value` as the client library decodes it."""
    kind = value.WhichOneof("value_type")
    if kind == "map_value":
        return decode_map(value.map_value.fields, db)
    if kind == "string_value":
        return value.string_value
    if kind == "integer_value":
        return value.integer_value
    if kind == "double_value":
        return value.double_value
    if kind == "timestamp_value":
        return _timestamp(value.timestamp_value)
    if kind == "boolean_value":
        return value.boolean_value
    if kind == "null_value":
        return None
    if kind == "array_value":
        return [decode_value(item, db) for item in value.array_value.values]
    if kind == "bytes_value":
        return value.bytes_value
    if kind == "reference_value":
        return _helpers.reference_value_to_document(value.reference_value, db)
    if kind == "geo_point_value":
        point = value.geo_point_value
        return GeoPoint(point.latitude, point.longitude)
    # Anything newer than this module: the library knows it.
    return _helpers.decode_value(value, db)


def raw_value(fields: Any, *names: str) -> Any | None:
    """The raw `Value` at the nested field `names` of raw `fields`, or None when one is absent."""
    value = None
    for name in names:
        # Membership first: indexing a protobuf message map would insert the key.
        if fields is None or name not in fields:
            return None
        value = fields[name]
        fields = value.map_value.fields
    return value


def raw_map(fields: Any, *names: str) -> Any | None:
    """The raw map of `Value`s at the nested field `names` of raw `fields`, or None."""
    value = raw_value(fields, *names)
    return None if value is None else value.map_value.fields


def raw_number(value: Any) -> float:
    """A raw numeric `Value` (integer or double) as a number; 0 for any other kind."""
    kind = value.WhichOneof("value_type")
    if kind == "integer_value":
        return value.integer_value
    return value.double_value if kind == "double_value" else 0


class LazyMap(LazyMapping[Any]):
    """A raw protobuf map of `Value`s, each value decoded (as `decode_value`) on first use.

    Within each value that is a map, the maps under the keys `deferred` stay raw in turn (a
    `LazyMap` of their own): a part of the value that a request seldom reads is not decoded.
    """

    def __init__(self, fields: Any, db: firestore.Client, deferred: Collection[str] = ()) -> None:
        if deferred:
            super().__init__(fields, lambda value: _decode_deferring(value, db, deferred))
        else:
            super().__init__(fields, lambda value: decode_value(value, db))


def _decode_deferring(value: Any, db: firestore.Client, deferred: Collection[str]) -> Any:
    """`decode_value`, with the maps under `deferred` keys of a map value left raw and lazy."""
    if value.WhichOneof("value_type") != "map_value":
        return decode_value(value, db)
    fields = value.map_value.fields
    if _may_be_special(fields):
        return decode_value(value, db)
    decoded: dict[str, Any] = {}
    for key in fields:
        item = fields[key]
        if key in deferred and item.WhichOneof("value_type") == "map_value":
            decoded[key] = LazyMap(item.map_value.fields, db)
        else:
            decoded[key] = decode_value(item, db)
    return decoded


def document_name(db: firestore.Client, path: str) -> str:
    """The full resource name of the document at `path`."""
    return f"{db._database_string}/documents/{path}"


def get_raw_document(
    db: firestore.Client, path: str, field_paths: Sequence[str] | None = None
) -> Any | None:
    """The raw protobuf `Document` at `path` (fields, update time), or None when absent.

    `field_paths` (the API's dotted form, `FieldPath.to_api_repr()`) limit what is fetched.
    """
    request = rpc.GetDocumentRequest(name=document_name(db, path))
    if field_paths is not None:
        request.mask.field_paths.extend(field_paths)
    try:
        return rpc.get_document(db, request)
    except gexc.NotFound:
        return None


def get_raw_fields(
    db: firestore.Client, path: str, field_paths: Sequence[str] | None = None
) -> Any | None:
    """The raw protobuf field map of the document at `path`, or None when absent."""
    document = get_raw_document(db, path, field_paths)
    return None if document is None else document.fields


def get_document(
    db: firestore.Client, path: str, field_paths: Sequence[str] | None = None
) -> dict[str, Any] | None:
    """The document at `path` as a dict (only `field_paths` when given), or None when absent."""
    fields = get_raw_fields(db, path, field_paths)
    return None if fields is None else decode_map(fields, db)
