"""The raw-protobuf document reader gives exactly what the client library gives."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.types import document
from google.cloud.firestore_v1.vector import Vector
from google.protobuf import timestamp_pb2

from shared.repository import fast_documents

MOMENT = datetime(2026, 6, 1, 12, 30, 15, 123456, tzinfo=UTC)


def _every_type(db) -> dict:
    return {
        "null": None,
        "true": True,
        "false": False,
        "int": 42,
        "bigNegative": -(2**63),
        "double": 2.5,
        "wholeDouble": 3.0,
        "infinity": math.inf,
        "string": "نقاط ✓",
        "empty": "",
        "bytes": b"\x00\xffraw",
        "timestamp": MOMENT,
        "beforeEpoch": datetime(1969, 7, 20, 20, 17, 40, 5, tzinfo=UTC),
        "reference": db.document("challenges/7"),
        "geo": firestore.GeoPoint(30.04, 31.23),
        "vector": Vector([1.0, 2.0]),
        "array": [1, "two", 3.5, None, {"nested": [MOMENT]}],
        "emptyArray": [],
        "emptyMap": {},
        "challenges": {
            "10": {"totals": {"earnedPoints": 150}, "balance": {"k0001": 900.5}},
            "2": {"unclaimed": {"77": {"createdAt": MOMENT, "prizes": [{"value": None}]}}},
        },
    }


@pytest.mark.emulator
def test_every_value_type_decodes_as_the_client_library_decodes_it(db):
    ref = db.document("users/every-type")
    ref.set(_every_type(db))
    expected = ref.get().to_dict()
    got = fast_documents.get_document(db, "users/every-type")
    assert got == expected
    assert got == _every_type(db)
    for key, value in expected.items():
        assert type(got[key]) is type(value) or isinstance(got[key], datetime), key
    assert got["timestamp"].tzinfo is not None and got["timestamp"].utcoffset() == timedelta(0)
    assert isinstance(got["reference"], firestore.DocumentReference)
    assert got["reference"].path == "challenges/7"


@pytest.mark.emulator
def test_a_mask_returns_only_the_asked_fields_and_an_absent_document_is_none(db):
    db.document("users/u").set(_every_type(db))
    masked = fast_documents.get_document(db, "users/u", ["challenges.`2`", "int"])
    assert masked == {"int": 42, "challenges": {"2": _every_type(db)["challenges"]["2"]}}
    assert fast_documents.get_document(db, "users/nobody") is None


def _value(**kwargs) -> document.Value:
    return document.Value(**kwargs)


@pytest.mark.parametrize(
    ("seconds", "nanos"),
    [(1_780_000_000, 123_456_000), (1_780_000_000, 123_456_789), (-5, 999_999_999), (0, 0)],
)
def test_timestamps_match_the_library_to_the_nanosecond(seconds, nanos):
    value = _value(timestamp_value=timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos))
    mine = fast_documents.decode_value(value._pb, None)
    theirs = _helpers.decode_value(value, None)
    assert mine == theirs and mine.utcoffset() == timedelta(0)
    if nanos % 1000:
        assert isinstance(mine, DatetimeWithNanoseconds) and mine.nanosecond == nanos


def test_maps_the_library_turns_into_other_types_decode_the_same():
    # A one-key map whose key is not special stays a map; a BSON-shaped one does not.
    plain = _value(map_value={"fields": {"__other": _value(integer_value=1)}})
    assert fast_documents.decode_value(plain._pb, None) == {"__other": 1}
    bson = _value(map_value={"fields": {"__int__": _value(integer_value=7)}})
    decoded = fast_documents.decode_value(bson._pb, None)
    assert not isinstance(decoded, dict) and decoded == _helpers.decode_value(bson, None)
    unknown = _value(map_value={"fields": {"__type__": _value(string_value="other")}})
    assert fast_documents.decode_value(unknown._pb, None) == {"__type__": "other"}
