"""A batch of writes encoded straight into the commit's protobuf, and its commit.

The event path's commit (a marker's create, a merge-set of the user document full of nested
increments and deletes, leaderboard entries) is built here as raw `Write` messages, in place
inside the `CommitRequest`: the client library's `WriteBatch` walks the same data through
`FieldPath` objects, sorted copies and proto-plus wrappers, which cost the event more CPU than
the rest of its processing. `Batch` offers the part of `WriteBatch`'s interface the service
uses (`create`, `set`, `update`, `delete`) and `replace_fields` (a conditional replacement of
whole top-level fields); creates, sets and replacements are encoded here, updates and
deletes (rare, and with field-path keys or preconditions) by the library's own helpers.

Each committed write comes back as a `Committed`: its update time and, by field path, the
value each of its field transforms left (an increment's total after the increment).

Library assumptions (each with a contract test in tests/shared/firestore/test_contracts.py):

- the commit is sent by shared/firestore/rpc.py (which lists its own assumptions) as a raw
  `CommitRequest`, and answers a raw `CommitResponse`;
- for every body this module encodes, the `Write` equals the one `WriteBatch` builds, up to
  the order of the mask's paths and of the field transforms;
- `_helpers.pbs_for_update` and `_helpers.pb_for_delete` build the library's writes for
  `update()` and `delete()`, as proto-plus messages whose `_pb` is the raw `Write`;
- the commit returns a write's transform results in the order its field transforms were sent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1 import transforms as _transforms
from google.cloud.firestore_v1.types import write as _write_types

from shared.firestore import rpc
from shared.firestore.documents import decode_value, document_name

if TYPE_CHECKING:
    from google.cloud import firestore

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SIMPLE_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_REQUEST_TIME = _write_types.DocumentTransform.FieldTransform.ServerValue.REQUEST_TIME
# Sentinels of the library a body may hold, each a field transform rather than a value.
_DELETE = _transforms.DELETE_FIELD
_SERVER_TIMESTAMP = _transforms.SERVER_TIMESTAMP
_TRANSFORM_TYPES = (
    _transforms.Increment,
    _transforms.Maximum,
    _transforms.Minimum,
    _transforms.ArrayUnion,
    _transforms.ArrayRemove,
)


@functools.lru_cache(maxsize=8192)
def quote(name: str) -> str:
    """One field name as it appears in a field path (backquoted unless a simple name)."""
    if not isinstance(name, str) or not name:
        # As the library: Firestore has no empty or non-text field names.
        raise ValueError(f"a field name is a non-empty string, not {name!r}")
    if _SIMPLE_NAME.fullmatch(name):
        return name
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def field_path(*names: str) -> str:
    """The API's field path of nested field names (`FieldPath(*names).to_api_repr()`)."""
    return ".".join(quote(name) for name in names)


def _timestamp_into(target: Any, value: datetime) -> None:
    if isinstance(value, DatetimeWithNanoseconds):
        target.CopyFrom(value.timestamp_pb())
        return
    if value.tzinfo is None:
        # As the library: a naive datetime is UTC.
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    target.seconds = delta.days * 86_400 + delta.seconds
    target.nanos = delta.microseconds * 1000


def encode_into(target: Any, value: Any) -> None:
    """Set the raw `Value` message `target` to `value`, as `_helpers.encode_value` encodes it."""
    kind = type(value)
    # The commonest kinds first, by exact type (bool is an int, and enums subclass both).
    if kind is str:
        target.string_value = value
    elif kind is int:
        target.integer_value = value
    elif kind is float:
        target.double_value = value
    elif kind is dict:
        fields = target.map_value.fields
        if not value:
            target.map_value.SetInParent()
        for key, item in value.items():
            encode_into(fields[key], item)
    elif value is None:
        target.null_value = 0
    elif isinstance(value, bool):
        target.boolean_value = value
    elif isinstance(value, int):
        target.integer_value = value
    elif isinstance(value, float):
        target.double_value = value
    elif isinstance(value, datetime):
        _timestamp_into(target.timestamp_value, value)
    elif isinstance(value, str):
        target.string_value = value
    elif isinstance(value, dict):
        encode_into(target, dict(value))
    elif isinstance(value, list | tuple):
        _array_into(target.array_value, value)
    else:
        # Bytes, references, geo points, vectors, BSON types: the library's own encoding.
        target.CopyFrom(_helpers.encode_value(value)._pb)


def _array_into(target: Any, values: Any) -> None:
    target.SetInParent()
    for item in values:
        encode_into(target.values.add(), item)


def _transform_into(write: Any, path: str, value: Any) -> None:
    transform = write.update_transforms.add()
    transform.field_path = path
    if value is _SERVER_TIMESTAMP:
        transform.set_to_server_value = _REQUEST_TIME
    elif isinstance(value, _transforms.Increment):
        encode_into(transform.increment, value.value)
    elif isinstance(value, _transforms.Maximum):
        encode_into(transform.maximum, value.value)
    elif isinstance(value, _transforms.Minimum):
        encode_into(transform.minimum, value.value)
    elif isinstance(value, _transforms.ArrayUnion):
        _array_into(transform.append_missing_elements, value.values)
    else:
        _array_into(transform.remove_all_from_array, value.values)


# Leaf types that are never a sentinel, a transform or a map.
_SCALARS = frozenset({str, int, float, bool, datetime, DatetimeWithNanoseconds, type(None)})


def _is_transform(value: Any) -> bool:
    return value is _SERVER_TIMESTAMP or isinstance(value, _TRANSFORM_TYPES)


class _Encoding:
    """One write's body walked once: values in place, mask paths and transforms in order."""

    def __init__(self, write: Any, *, merge: bool) -> None:
        self.write = write
        self.merge = merge
        self.mask: list[str] = []
        self.transformed: list[str] = []

    def fields(self, target: Any, data: Mapping[str, Any], prefix: str) -> bool:
        """Encode the data leaves of `data` into the map `target`; whether any was written."""
        wrote = False
        mask = self.mask if self.merge else None
        for key, value in data.items():
            path = quote(key) if not prefix else prefix + "." + quote(key)
            kind = type(value)
            if kind in _SCALARS:
                # The commonest leaves, encoded without the checks below.
                encode_into(target[key], value)
                if mask is not None:
                    mask.append(path)
                wrote = True
            elif isinstance(value, dict) and value:
                entry = target[key]
                if self.fields(entry.map_value.fields, value, path):
                    wrote = True
                else:
                    # Only transforms or deletes below: no value for this key at all.
                    del target[key]
            elif value is _DELETE:
                if not self.merge:
                    raise ValueError(f"DELETE_FIELD at {path} is only allowed in a merge-set")
                self.mask.append(path)
            elif _is_transform(value):
                _transform_into(self.write, path, value)
                self.transformed.append(path)
            else:
                encode_into(target[key], value)
                if self.merge:
                    self.mask.append(path)
                wrote = True
        return wrote


class Committed:
    """One committed write: when it was applied, and what its field transforms left.

    Decoded on first use: an event's commit has a dozen writes and reads one's values.
    """

    def __init__(self, db: firestore.Client, result: Any, transformed: list[str]) -> None:
        self._db = db
        self._result = result
        self._transformed = transformed

    @functools.cached_property
    def update_time(self) -> datetime:
        """When the write was applied."""
        return DatetimeWithNanoseconds.from_timestamp_pb(self._result.update_time)

    @functools.cached_property
    def values(self) -> dict[str, Any]:
        """The value each field transform left, by the field path it wrote (API form)."""
        results = self._result.transform_results
        return {
            path: decode_value(value, self._db)
            for path, value in zip(self._transformed, results, strict=True)
        }


class Batch:
    """Writes committed together, atomically, in one round trip; encoded into raw protobufs."""

    def __init__(self, db: firestore.Client) -> None:
        self._db = db
        self._request = rpc.CommitRequest(database=db._database_string)
        self._transformed: list[list[str]] = []

    def __len__(self) -> int:
        return len(self._request.writes)

    def _name(self, reference: Any) -> str:
        path = reference if isinstance(reference, str) else reference.path
        return document_name(self._db, path)

    def _encode(self, reference: Any, data: Mapping[str, Any], *, merge: bool) -> Any:
        write = self._request.writes.add()
        write.update.name = self._name(reference)
        encoding = _Encoding(write, merge=merge)
        encoding.fields(write.update.fields, data, "")
        if merge:
            write.update_mask.SetInParent()
            write.update_mask.field_paths.extend(encoding.mask)
        self._transformed.append(encoding.transformed)
        return write

    def create(self, reference: Any, data: Mapping[str, Any]) -> None:
        """Create the document; the whole commit fails with AlreadyExists when it exists."""
        write = self._encode(reference, data, merge=False)
        write.current_document.exists = False

    def set(self, reference: Any, data: Mapping[str, Any], merge: bool = False) -> None:
        """Replace the document, or (`merge=True`) merge `data` into it."""
        if merge is not True and merge is not False:
            raise ValueError("merge is True or False here: field lists are not supported")
        self._encode(reference, data, merge=merge)

    def replace_fields(
        self, reference: Any, data: Mapping[str, Any], *, unchanged_since: Any
    ) -> None:
        """Replace the top-level fields of `data`, each whole, in a document not written since.

        `unchanged_since` is the protobuf `Timestamp` of the document's update time as read;
        the commit fails with FailedPrecondition when the document was written after it.
        """
        write = self._encode(reference, data, merge=False)
        write.update_mask.field_paths.extend(data)
        write.current_document.update_time.CopyFrom(unchanged_since)

    def update(self, reference: Any, data: Mapping[str, Any], option: Any = None) -> None:
        """Update fields named by field paths of an existing document (the library's encoding)."""
        for built in _helpers.pbs_for_update(self._name(reference), data, option):
            self._add(built._pb)

    def delete(self, reference: Any, option: Any = None) -> None:
        """Delete the document (the library's encoding, preconditions included)."""
        self._add(_helpers.pb_for_delete(self._name(reference), option)._pb)

    def _add(self, write: Any) -> None:
        self._request.writes.add().CopyFrom(write)
        self._transformed.append([t.field_path for t in write.update_transforms])

    def commit(self) -> list[Committed]:
        """Commit every write in one request; each one's result, in the order they were added."""
        db = self._db
        response = rpc.commit(db, self._request)
        return [
            Committed(db, result, transformed)
            for result, transformed in zip(response.write_results, self._transformed, strict=True)
        ]
