"""The post-transform values a commit returns for a write's field transforms (increments).

A merge-set whose body holds `Increment`s sends them as the write's field transforms; the
commit's `WriteResult` returns the value each transform left, in the order they were sent,
without naming the field. This module maps each value back to its field path.

Library assumptions (each with a contract test in tests/shared/firestore/test_contracts.py):

- the library sends a write's field transforms sorted by `FieldPath` (`FieldPath` ordering,
  nested and quoted paths included), so sorting the same paths maps each result to its field;
- a `WriteResult` from `WriteBatch.commit()` is a proto-plus message whose `transform_results`
  are `Value` messages `_helpers.decode_value` decodes;
- `Increment` is the sentinel class a merge body holds for an increment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.field_path import FieldPath
from google.cloud.firestore_v1.transforms import Increment

if TYPE_CHECKING:
    from google.cloud import firestore


def increment_paths(body: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[FieldPath]:
    """The field path of every `Increment` in a merge body (what the commit returns values of)."""
    found: list[FieldPath] = []
    for key, value in body.items():
        if isinstance(value, Increment):
            found.append(FieldPath(*prefix, key))
        elif isinstance(value, Mapping):
            found += increment_paths(value, (*prefix, key))
    return found


def transform_values(
    db: firestore.Client, write_result: Any, transformed: Sequence[FieldPath]
) -> dict[FieldPath, Any]:
    """The post-transform values of one write, by the field path each transform wrote.

    The client library sends a write's field transforms sorted by FieldPath, and the commit
    returns their results in that order; sorting the same paths maps each result to its field.
    """
    results = list(write_result.transform_results)
    ordered = sorted(transformed)
    if len(results) != len(ordered):
        raise ValueError(f"expected {len(ordered)} transform results, got {len(results)}")
    return {
        path: _helpers.decode_value(result, db)
        for path, result in zip(ordered, results, strict=True)
    }
