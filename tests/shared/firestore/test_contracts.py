"""One contract test per google-cloud-firestore internal that shared/firestore/ relies on.

Each test names the assumption a module docstring of shared/firestore/ lists: a library upgrade
that breaks one fails here, by name, instead of corrupting data.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.api_core import exceptions as gexc
from google.api_core import gapic_v1
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers, base_client
from google.cloud.firestore_v1.field_path import FieldPath
from google.cloud.firestore_v1.services.firestore.transports.grpc import FirestoreGrpcTransport
from google.cloud.firestore_v1.types import document
from google.cloud.firestore_v1.vector import Vector
from google.protobuf import timestamp_pb2

from shared import deadlines
from shared.deadlines import DeadlineSpentError
from shared.firestore import client as firestore_client
from shared.firestore import documents, transforms
from tests.conftest import PROJECT

MOMENT = datetime(2026, 6, 1, 12, 30, 15, 123456, tzinfo=UTC)


# --- shared/firestore/documents.py -------------------------------------------------------------


@pytest.mark.emulator
def test_client_private_members_exist(db):
    """`_firestore_api`, `_database_string` and `_rpc_metadata`, as the raw read uses them."""
    assert callable(db._firestore_api.get_document)
    assert db._database_string == f"projects/{PROJECT}/databases/(default)"
    metadata = list(db._rpc_metadata)
    assert metadata and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata)
    assert ("google-cloud-resource-prefix", db._database_string) in metadata


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
def test_raw_get_document_decodes_as_the_library_does(db):
    """GetDocument's raw `_pb` fields decode as `DocumentSnapshot.to_dict()`, every value type."""
    ref = db.document("users/every-type")
    ref.set(_every_type(db))
    expected = ref.get().to_dict()
    got = documents.get_document(db, "users/every-type")
    assert got == expected
    assert got == _every_type(db)
    for key, value in expected.items():
        assert type(got[key]) is type(value) or isinstance(got[key], datetime), key
    assert got["timestamp"].tzinfo is not None and got["timestamp"].utcoffset() == timedelta(0)
    assert isinstance(got["reference"], firestore.DocumentReference)
    assert got["reference"].path == "challenges/7"


@pytest.mark.emulator
def test_raw_get_document_takes_a_mask_and_raises_not_found_when_absent(db):
    """The request's `mask.field_paths` limit the answer; an absent document is `NotFound`."""
    db.document("users/u").set(_every_type(db))
    masked = documents.get_document(db, "users/u", ["challenges.`2`", "int"])
    assert masked == {"int": 42, "challenges": {"2": _every_type(db)["challenges"]["2"]}}
    with pytest.raises(gexc.NotFound):
        db._firestore_api.get_document(
            request={"name": documents.document_name(db, "users/nobody")},
            metadata=db._rpc_metadata,
        )
    assert documents.get_document(db, "users/nobody") is None


def _value(**kwargs) -> document.Value:
    return document.Value(**kwargs)


@pytest.mark.parametrize(
    ("seconds", "nanos"),
    [(1_780_000_000, 123_456_000), (1_780_000_000, 123_456_789), (-5, 999_999_999), (0, 0)],
)
def test_raw_timestamps_decode_as_the_library_does(seconds, nanos):
    """Timestamps match `_helpers.decode_value` to the nanosecond."""
    value = _value(timestamp_value=timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos))
    mine = documents.decode_value(value._pb, None)
    theirs = _helpers.decode_value(value, None)
    assert mine == theirs and mine.utcoffset() == timedelta(0)
    if nanos % 1000:
        assert isinstance(mine, DatetimeWithNanoseconds) and mine.nanosecond == nanos


def test_special_maps_decode_as_the_library_does():
    """`_helpers.decode_dict` turns BSON-shaped maps into other types, and only those."""
    plain = _value(map_value={"fields": {"__other": _value(integer_value=1)}})
    assert documents.decode_value(plain._pb, None) == {"__other": 1}
    bson = _value(map_value={"fields": {"__int__": _value(integer_value=7)}})
    decoded = documents.decode_value(bson._pb, None)
    assert not isinstance(decoded, dict) and decoded == _helpers.decode_value(bson, None)
    unknown = _value(map_value={"fields": {"__type__": _value(string_value="other")}})
    assert documents.decode_value(unknown._pb, None) == {"__type__": "other"}


# --- shared/firestore/transforms.py ------------------------------------------------------------


def test_increment_is_the_sentinel_a_merge_body_holds():
    """`firestore.Increment` is the class `increment_paths` looks for, at any depth."""
    body = {"a": firestore.Increment(1), "b": {"c d": {"e": firestore.Increment(2)}}, "f": 3}
    assert transforms.increment_paths(body) == [FieldPath("a"), FieldPath("b", "c d", "e")]


def _at(doc: dict[str, Any], path: FieldPath) -> Any:
    for part in path.parts:
        doc = doc[part]
    return doc


@pytest.mark.emulator
def test_transform_results_come_in_field_path_order(db):
    """A write's transforms are sent sorted by FieldPath; the results come back in that order."""
    # String, numeric and FieldPath orders differ on these: each result must find its own field.
    amounts = iter(10**n for n in range(20))
    body: dict[str, Any] = {
        "challenges": {
            cid: {"level": 1, "totals": {"earnedPoints": firestore.Increment(next(amounts))}}
            for cid in ("2", "10", "100", "7")
        },
        "a b": {
            "x.y": firestore.Increment(next(amounts)),
            "`q`": firestore.Increment(next(amounts)),
        },
        "plain": firestore.Increment(next(amounts)),
        "Upper": firestore.Increment(next(amounts)),
        "_under": firestore.Increment(next(amounts)),
        "ü": {"z": firestore.Increment(next(amounts)), "a": firestore.Increment(next(amounts))},
    }
    paths = transforms.increment_paths(body)
    assert len(paths) == 11
    assert sorted(paths) != paths  # the body's order is not the one the results come in
    for _ in range(2):
        batch = db.batch()
        batch.set(db.document("users/transforms"), body, merge=True)
        [result] = batch.commit()
        values = transforms.transform_values(db, result, list(reversed(paths)))
    stored = db.document("users/transforms").get().to_dict()
    sent = {path: _at(body, path).value for path in paths}
    assert values == {path: 2 * n for path, n in sent.items()}
    assert values == {path: _at(stored, path) for path in paths}
    assert all(type(v) is int for v in values.values())


# --- shared/firestore/client.py ----------------------------------------------------------------


class _Recorded:
    """`grpc.insecure_channel` recording the options it was given."""

    def __init__(self) -> None:
        self.options: list[Any] = []
        self._insecure_channel = grpc.insecure_channel

    def __call__(self, target: str, options: Any = None) -> grpc.Channel:
        self.options.append(list(options or ()))
        return self._insecure_channel(target)


def test_emulator_channel_has_the_librarys_options(monkeypatch):
    """The library's `_emulator_channel(transport)`: the "owner" token, no message size limit.

    Ours gives the same options plus the reconnect ones, and the library makes the emulator's
    channel through `_emulator_channel` (so ours, with the interceptor, is the one used).
    """
    recorded = _Recorded()
    monkeypatch.setattr(grpc, "insecure_channel", recorded)
    library = firestore.Client(project=PROJECT, credentials=AnonymousCredentials())
    library._emulator_host = "localhost:1"
    library._emulator_channel(FirestoreGrpcTransport).close()
    assert recorded.options[-1] == [
        ("Authorization", "Bearer owner"),
        *base_client._GRPC_MSG_SIZE_OPTIONS,
    ]
    ours = firestore_client.DeadlineClient(PROJECT, "localhost:1")
    made: list[Any] = []
    own = ours._emulator_channel

    def spy(transport: Any) -> grpc.Channel:
        made.append(transport)
        return own(transport)

    monkeypatch.setattr(ours, "_emulator_channel", spy)
    api = ours._firestore_api
    assert made == [firestore_client._DeadlineTransport]
    assert recorded.options[-1] == [*recorded.options[0], *firestore_client.RECONNECT_OPTIONS]
    assert api._transport.grpc_channel is not None


def test_production_channel_comes_from_the_transport_class(monkeypatch):
    """`_firestore_api_helper` gets `FirestoreGrpcTransport` and calls its `create_channel`."""
    client = firestore_client.DeadlineClient(PROJECT, "localhost:1")
    # As in production: no emulator, and credentials that need no lookup.
    client._emulator_host = None
    client._credentials = AnonymousCredentials()
    transport = client._firestore_api._transport
    assert isinstance(transport, firestore_client._DeadlineTransport)
    call = transport.grpc_channel.unary_unary("/google.firestore.v1.Firestore/GetDocument")
    with deadlines.budget(0.0), pytest.raises(DeadlineSpentError):
        call(b"", timeout=60.0)
    transport.grpc_channel.close()


def test_run_query_retry_policy_is_reachable(emulators):
    """`Query.stream` reads `transport.run_query._retry` on a failed stream.

    The bare stub has none: `_wrapped_methods[stub]._retry` must hold RunQuery's policy.
    """
    library = firestore.Client(project=PROJECT, credentials=AnonymousCredentials())
    transport = library._firestore_api._transport
    assert transport._wrapped_methods[transport.run_query]._retry is not None

    client = firestore_client.create_client(
        "demo-contract", emulators.env["FIRESTORE_EMULATOR_HOST"]
    )
    query = client.collection("anything")._query()
    # What Query.stream does when its stream raises, its retry left at the default.
    default = gapic_v1.method.DEFAULT
    assert query._retry_query_after_exception(gexc.ServiceUnavailable("x"), default, None)
    assert not query._retry_query_after_exception(gexc.InvalidArgument("x"), default, None)
