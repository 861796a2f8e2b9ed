"""One contract test per google-cloud-firestore internal that shared/firestore/ relies on.

Each test names the assumption a module docstring of shared/firestore/ lists: a library upgrade
that breaks one fails here, by name, instead of corrupting data.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta, timezone
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
from shared.errors import UnavailableError
from shared.firestore import client as firestore_client
from shared.firestore import documents, rpc, writes
from tests.conftest import PROJECT

MOMENT = datetime(2026, 6, 1, 12, 30, 15, 123456, tzinfo=UTC)


# --- shared/firestore/documents.py -------------------------------------------------------------


@pytest.mark.emulator
def test_raw_get_document_raises_not_found_as_the_library_does(db):
    """An absent document: `NotFound` from the generated client and from shared/firestore/rpc."""
    name = documents.document_name(db, "users/nobody")
    with pytest.raises(gexc.NotFound):
        db._firestore_api.get_document(request={"name": name}, metadata=db._rpc_metadata)
    with pytest.raises(gexc.NotFound):
        rpc.get_document(db, rpc.GetDocumentRequest(name=name))


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


def _stored_every_type(db) -> dict:
    """Store every value type at `users/every-type`; the library's decoding of it."""
    ref = db.document("users/every-type")
    ref.set(_every_type(db))
    return ref.get().to_dict()


@pytest.mark.emulator
def test_raw_get_document_decodes_as_the_library_does(db):
    """GetDocument's raw `_pb` fields decode as `DocumentSnapshot.to_dict()`, every value type."""
    expected = _stored_every_type(db)
    got = documents.get_document(db, "users/every-type")
    assert got == expected
    assert got == _every_type(db)
    for key, value in expected.items():
        assert type(got[key]) is type(value) or isinstance(got[key], datetime), key
    assert got["timestamp"].tzinfo is not None and got["timestamp"].utcoffset() == timedelta(0)
    assert isinstance(got["reference"], firestore.DocumentReference)
    assert got["reference"].path == "challenges/7"


@pytest.mark.emulator
def test_a_lazy_map_decodes_each_value_as_the_library_does_when_read(db):
    """`LazyMap` reads as the decoded map, value by value, and a missing key adds nothing."""
    expected = _stored_every_type(db)
    fields = documents.get_raw_fields(db, "users/every-type")
    lazy = documents.LazyMap(fields, db)
    assert len(lazy) == len(expected) and set(lazy) == set(expected)
    with pytest.raises(KeyError):
        lazy["absent"]
    assert lazy.get("absent") is None and "absent" not in fields
    assert lazy["challenges"] is lazy["challenges"]  # decoded once
    assert dict(lazy) == expected


@pytest.mark.emulator
def test_a_lazy_map_may_defer_the_maps_under_some_keys_of_its_values(db):
    """Deferred maps stay raw until read, then equal what the library decodes."""
    expected = _stored_every_type(db)
    fields = documents.get_raw_fields(db, "users/every-type")
    lazy = documents.LazyMap(fields, db, deferred=("10", "emptyMap"))
    challenges = lazy["challenges"]
    # "10" is a map under a deferred key: still raw; "2" is not deferred: decoded.
    assert isinstance(challenges["10"], documents.LazyMap)
    assert isinstance(challenges["2"], dict)
    assert dict(challenges["10"]) == expected["challenges"]["10"]
    assert challenges == expected["challenges"]
    # Values that are not maps, and maps the library turns into other types, decode as before.
    assert lazy["int"] == expected["int"] and lazy["vector"] == expected["vector"]
    assert dict(lazy) == expected


@pytest.mark.emulator
def test_raw_get_document_takes_a_mask_and_raises_not_found_when_absent(db):
    """The request's `mask.field_paths` limit the answer; an absent document is `NotFound`."""
    db.document("users/u").set(_every_type(db))
    masked = documents.get_document(db, "users/u", ["challenges.`2`", "int"])
    assert masked == {"int": 42, "challenges": {"2": _every_type(db)["challenges"]["2"]}}
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


# --- shared/firestore/rpc.py ------------------------------------------------------------------


@pytest.mark.emulator
def test_client_private_members_exist(db):
    """The members shared/firestore/rpc.py builds its calls from."""
    assert isinstance(db._firestore_api._transport.grpc_channel, grpc.Channel)
    assert db._database_string == f"projects/{PROJECT}/databases/(default)"
    metadata = list(db._rpc_metadata)
    assert metadata and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata)
    assert ("google-cloud-resource-prefix", db._database_string) in metadata
    key, value = db._client_info.to_grpc_metadata()
    assert key == "x-goog-api-client" and "grpc/" in value


def test_deadline_client_channel_is_the_transports():
    """The transport's channel is the intercepted one, its bare channel under `raw_channel`."""
    client = firestore_client.create_client(PROJECT, "127.0.0.1:1")
    channel = client._firestore_api._transport.grpc_channel
    assert isinstance(channel, grpc.Channel)
    assert isinstance(firestore_client.raw_channel(channel), grpc.Channel)
    assert firestore_client.raw_channel(channel) is not channel


def test_raw_calls_keep_to_the_budget():
    """GetDocument and Commit on the bare channel end with the spent error within the budget."""
    client = firestore_client.create_client(PROJECT, "127.0.0.1:1")
    name = documents.document_name(client, "users/u")
    calls = [
        lambda: rpc.get_document(client, rpc.GetDocumentRequest(name=name)),
        lambda: rpc.commit(client, rpc.CommitRequest(database=client._database_string)),
    ]
    for call in calls:
        started = time.monotonic()
        with deadlines.budget(0.5), pytest.raises(UnavailableError):
            call()
        assert time.monotonic() - started < 2.0


@pytest.mark.emulator
def test_raw_calls_send_the_generated_clients_metadata(emulators, monkeypatch):
    """GetDocument and Commit carry the generated client's metadata and routing headers."""
    client = firestore_client.create_client(PROJECT, emulators.env["FIRESTORE_EMULATOR_HOST"])
    theirs: dict[str, dict[str, str]] = {}
    ours: dict[str, dict[str, str]] = {}
    intercept = firestore_client.DeadlineInterceptor.intercept_unary_unary
    within = firestore_client.call_within_budget

    def seen_by_interceptor(self, continuation, details, request):
        theirs[details.method.rsplit("/", 1)[1]] = dict(details.metadata)
        return intercept(self, continuation, details, request)

    def seen_by_raw_call(stub, request, timeout, metadata):
        ours[type(request).__name__.removesuffix("Request")] = dict(metadata)
        return within(stub, request, timeout, metadata)

    monkeypatch.setattr(
        firestore_client.DeadlineInterceptor, "intercept_unary_unary", seen_by_interceptor
    )
    monkeypatch.setattr(firestore_client, "call_within_budget", seen_by_raw_call)
    name = documents.document_name(client, "users/metadata")
    with deadlines.budget(5):
        library_batch = client.batch()
        library_batch.create(client.document("users/metadata"), {"n": 1})
        library_batch.commit()
        client._firestore_api.get_document(request={"name": name}, metadata=client._rpc_metadata)
        batch = writes.Batch(client)
        batch.set("users/metadata", {"n": 2}, merge=True)
        batch.commit()
        rpc.get_document(client, rpc.GetDocumentRequest(name=name))
    for method in ("GetDocument", "Commit"):
        assert set(ours[method]) == set(theirs[method]), method
        for key in ("x-goog-request-params", "google-cloud-resource-prefix", "authorization"):
            assert ours[method][key] == theirs[method][key], (method, key)
    assert ours["GetDocument"]["x-goog-request-params"].startswith("name=")
    assert ours["Commit"]["x-goog-request-params"].startswith("database=")


_API_ERRORS = [
    gexc.Aborted,
    gexc.AlreadyExists,
    gexc.DeadlineExceeded,
    gexc.FailedPrecondition,
    gexc.InternalServerError,
    gexc.InvalidArgument,
    gexc.NotFound,
    gexc.PermissionDenied,
    gexc.ResourceExhausted,
    gexc.ServiceUnavailable,
    gexc.Unauthenticated,
    gexc.Unknown,
]


@pytest.mark.parametrize(
    ("method", "retried"), [("get_document", rpc.READ_RETRIED), ("commit", rpc.COMMIT_RETRIED)]
)
def test_retry_policies_are_the_generated_clients(method, retried):
    """The same errors are retried, with the same backoff, as the generated client's defaults."""
    db = firestore.Client(project=PROJECT, credentials=AnonymousCredentials())
    transport = db._firestore_api._transport
    policy = transport._wrapped_methods[getattr(transport, method)]._retry
    assert [e for e in _API_ERRORS if policy._predicate(e("x"))] == list(retried)
    assert policy._initial == rpc.INITIAL_BACKOFF
    assert policy._multiplier == rpc.BACKOFF_MULTIPLIER
    assert policy._maximum == rpc.MAX_BACKOFF
    assert policy._timeout == rpc.CALL_TIMEOUT


# --- shared/firestore/writes.py ----------------------------------------------------------------


def _offline_client() -> firestore.Client:
    return firestore.Client(project=PROJECT, credentials=AnonymousCredentials())


def _canonical(write: Any) -> Any:
    """A raw `Write` with its mask paths and field transforms sorted: their order means nothing."""
    copy = type(write).FromString(write.SerializeToString())
    mask = sorted(copy.update_mask.field_paths)
    del copy.update_mask.field_paths[:]
    copy.update_mask.field_paths.extend(mask)
    moved = sorted(
        (type(t).FromString(t.SerializeToString()) for t in copy.update_transforms),
        key=lambda t: t.field_path,
    )
    del copy.update_transforms[:]
    copy.update_transforms.extend(moved)
    return copy


# Bodies covering every kind the encoder handles itself and the ones it hands to the library.
BODIES: list[dict[str, Any]] = [
    {
        "userId": "+201000000001",
        "updatedAt": MOMENT,
        "challenges": {
            "12": {"totals": {"earnedPoints": firestore.Increment(2)}},
            "7": {"observed": {"old": firestore.DELETE_FIELD, "new": 3.5}},
        },
        "gigya": {"default": {"months": {"2026-06": firestore.Increment(1.5)}}},
    },
    {"a": {"only": firestore.Increment(1)}, "b": {"gone": firestore.DELETE_FIELD}, "c": {}},
    {"n": None, "t": True, "i": -(2**63), "f": math.inf, "l": [1, "a", {"z": [None]}], "e": []},
    {"we`ird.k": {"a\\b": 1, "ü": "x", "1st": 2}},
    {"ok": 1, "": "an empty name"},
    {"ok": {7: "a name that is not text"}},
    {
        "aware": datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=3))),
        "naive": datetime(1960, 5, 5, 1, 2, 3, 4567),
        "nanos": DatetimeWithNanoseconds(2026, 1, 2, 3, 4, 5, nanosecond=123456789, tzinfo=UTC),
    },
    {
        "union": firestore.ArrayUnion([1, 2]),
        "remove": firestore.ArrayRemove(["q"]),
        "max": firestore.Maximum(3),
        "min": firestore.Minimum(2.5),
        "stamp": firestore.SERVER_TIMESTAMP,
        "bytes": b"x\x00",
        "point": _helpers.GeoPoint(1.5, -2.5),
        "vector": Vector([1.0, 2.0]),
        "tuple": (1, 2),
        "set": {3},
    },
    {},
]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
@pytest.mark.parametrize("kind", ["create", "set", "merge"])
def test_batch_encodes_writes_as_the_library_does(kind, body):
    """Each write `Batch` encodes equals `WriteBatch`'s (mask and transform order aside)."""
    db = _offline_client()
    ref = db.document("users/writes")
    theirs, ours = db.batch(), writes.Batch(db)
    outcomes = []
    for batch in (theirs, ours):
        try:
            if kind == "create":
                batch.create(ref, body)
            else:
                batch.set(ref, body, merge=kind == "merge")
            outcomes.append(None)
        except ValueError as error:  # DELETE_FIELD outside a merge: both refuse
            outcomes.append(type(error))
    assert outcomes[0] == outcomes[1]
    if outcomes[0] is None:
        assert _canonical(ours._request.writes[0]) == _canonical(theirs._write_pbs[0]._pb)


def test_field_paths_render_as_the_library_renders_them():
    """`field_path` quotes names exactly as `FieldPath.to_api_repr()` does."""
    for names in [("a", "b_1"), ("12", "x y"), ("`q`", "a\\b", "ü"), ("_u", "A1", "1a")]:
        assert writes.field_path(*names) == FieldPath(*names).to_api_repr()
    for bad in ("", 7):
        with pytest.raises(ValueError):
            FieldPath(bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            writes.field_path(bad)  # type: ignore[arg-type]


def test_updates_and_deletes_are_the_librarys_writes():
    """`update()` and `delete()` add exactly the writes `WriteBatch` builds for them."""
    db = _offline_client()
    ref = db.document("users/writes")
    option = db.write_option(last_update_time=timestamp_pb2.Timestamp(seconds=5))
    theirs, ours = db.batch(), writes.Batch(db)
    for batch in (theirs, ours):
        batch.update(ref, {"a.b": 1, "c": firestore.Increment(2), "d": firestore.DELETE_FIELD})
        batch.delete(ref, option=option)
        batch.delete(ref)
    assert list(ours._request.writes) == [w._pb for w in theirs._write_pbs]


@pytest.mark.emulator
def test_commit_returns_each_transforms_value_by_its_field_path(db):
    """A commit's transform results come back in the order sent; each finds its own field."""
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
    for _ in range(2):
        batch = writes.Batch(db)
        batch.create("markers/one" if _ == 0 else "markers/two", {"n": 1})
        batch.set("users/transforms", body, merge=True)
        marker, merged = batch.commit()
    stored = db.document("users/transforms").get()
    doc = stored.to_dict()
    sent = {
        ("challenges", cid, "totals", "earnedPoints"): body["challenges"][cid]["totals"][
            "earnedPoints"
        ].value
        for cid in body["challenges"]
    }
    sent |= {("a b", k): v.value for k, v in body["a b"].items()}
    sent |= {(k,): body[k].value for k in ("plain", "Upper", "_under")}
    sent |= {("ü", k): v.value for k, v in body["ü"].items()}
    expected = {writes.field_path(*names): 2 * n for names, n in sent.items()}
    assert merged.values == expected
    for names, n in sent.items():
        value = doc
        for name in names:
            value = value[name]
        assert value == 2 * n and type(merged.values[writes.field_path(*names)]) is int
    assert marker.values == {}
    assert merged.update_time == stored.update_time


@pytest.mark.emulator
def test_commit_is_atomic_and_reports_a_lost_create(db):
    """A batch whose create finds its document fails whole, with AlreadyExists."""
    writes_ = writes.Batch(db)
    writes_.create("markers/taken", {"n": 1})
    writes_.commit()
    again = writes.Batch(db)
    again.set("users/untouched", {"n": firestore.Increment(1)}, merge=True)
    again.create("markers/taken", {"n": 2})
    with pytest.raises(gexc.AlreadyExists):
        again.commit()
    assert not db.document("users/untouched").get().exists
    assert db.document("markers/taken").get().to_dict() == {"n": 1}


def test_commit_request_is_wrapped_without_a_copy():
    """`CommitRequest.wrap` shares the raw message the batch encodes into (no copy per commit)."""
    from google.cloud.firestore_v1.types import firestore as types

    raw = types.CommitRequest.pb()(database="d")
    wrapped = types.CommitRequest.wrap(raw)
    assert wrapped._pb is raw and wrapped.database == "d"


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
