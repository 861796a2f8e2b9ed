"""The engine's writes and reads of the user document's progress and per-user event markers.

A user's progress in every challenge lives in one document, `users/{userKey}`, under
`challenges.{challengeId}` (see shared/progress/state.py): one read fetches it all, one merge-set
writes any number of challenges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.field_path import FieldPath

from shared.repository import fast_documents, paths
from shared.schema import gigya as g

if TYPE_CHECKING:
    from google.cloud import firestore

CHALLENGES_FIELD = "challenges"
USER_ID_FIELD = "userId"


def user_ref(db: firestore.Client, user_id: str) -> firestore.DocumentReference:
    """The reference of the user document (progress in every challenge)."""
    return db.document(paths.user_doc(user_id))


def entry_path(challenge_id: int, *fields: str) -> FieldPath:
    """The field path of one challenge's entry (or a field in it) in the user document."""
    return FieldPath(CHALLENGES_FIELD, str(challenge_id), *fields)


def entries(doc: Mapping[str, Any] | None) -> dict[int, dict[str, Any]]:
    """The per-challenge progress entries of a user document, by challenge id."""
    found: dict[int, dict[str, Any]] = {}
    for key, entry in ((doc or {}).get(CHALLENGES_FIELD) or {}).items():
        if key.isdigit() and isinstance(entry, dict):
            found[int(key)] = entry
    return found


def read_progress(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int]
) -> dict[int, dict[str, Any] | None]:
    """The user's progress entries for `challenge_ids` in one round trip (None when absent)."""
    ids = sorted(set(challenge_ids))
    found: dict[int, dict[str, Any] | None] = dict.fromkeys(ids)
    if not ids:
        return found
    # A mask keeps the answer to the challenges asked for, whatever else the user is in.
    mask = [entry_path(cid).to_api_repr() for cid in ids]
    stored = entries(fast_documents.get_document(db, paths.user_doc(user_id), mask))
    for cid in ids:
        found[cid] = stored.get(cid)
    return found


def gigya_path(challenge_id: int) -> FieldPath:
    """The field path of a challenge's Gigya points state in the user document."""
    return FieldPath(g.GIGYA, g.CHALLENGES, str(challenge_id))


@dataclass(frozen=True)
class EventRead:
    """What an event reads of the user document: entries, their Gigya state, `_default`."""

    entries: dict[int, dict[str, Any] | None]
    gigya: dict[int, dict[str, Any]]
    default: dict[str, Any] | None


def read_for_event(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int], gigya_ids: Iterable[int]
) -> EventRead:
    """Entries of `challenge_ids`, Gigya state of `gigya_ids` and `_default`, in one read."""
    ids = sorted(set(challenge_ids))
    points_ids = sorted(set(gigya_ids))
    mask = [entry_path(cid).to_api_repr() for cid in ids]
    mask += [gigya_path(cid).to_api_repr() for cid in points_ids]
    mask.append(FieldPath(g.GIGYA, g.DEFAULT).to_api_repr())
    doc = fast_documents.get_document(db, paths.user_doc(user_id), mask) or {}
    stored = entries(doc)
    gigya = doc.get(g.GIGYA) or {}
    by_challenge = gigya.get(g.CHALLENGES) or {}
    return EventRead(
        entries={cid: stored.get(cid) for cid in ids},
        gigya={cid: dict(by_challenge.get(str(cid)) or {}) for cid in points_ids},
        default=gigya.get(g.DEFAULT),
    )


def read_one(db: firestore.Client, user_id: str, challenge_id: int) -> dict[str, Any] | None:
    """One challenge's progress entry, or None."""
    return read_progress(db, user_id, [challenge_id])[challenge_id]


def add_marker(
    db: firestore.Client, batch: firestore.WriteBatch, path: str, data: Mapping[str, Any]
) -> None:
    """Create a marker that something was counted: the batch fails when it exists already."""
    batch.create(db.document(path), dict(data))


def merge_data(
    user_id: str,
    fields_by_challenge: Mapping[int, Mapping[str, Any]],
    gigya: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The merge-set body writing nested `fields` into each challenge's entry (and `gigya`)."""
    body: dict[str, Any] = {USER_ID_FIELD: user_id}
    # An empty map in a merge-set would replace the stored one: only write what there is.
    challenges = {str(cid): dict(fields) for cid, fields in fields_by_challenge.items() if fields}
    if challenges:
        body[CHALLENGES_FIELD] = challenges
    if gigya:
        body[g.GIGYA] = dict(gigya)
    return body


def add_merge_data(
    db: firestore.Client, batch: firestore.WriteBatch, user_id: str, body: Mapping[str, Any]
) -> None:
    """One merge-set of the user document with a body built by `merge_data`."""
    batch.set(user_ref(db, user_id), dict(body), merge=True)


def increment_paths(body: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[FieldPath]:
    """The field path of every `Increment` in a merge body (what the commit returns values of)."""
    from google.cloud.firestore_v1.transforms import Increment

    found: list[FieldPath] = []
    for key, value in body.items():
        if isinstance(value, Increment):
            found.append(FieldPath(*prefix, key))
        elif isinstance(value, Mapping):
            found += increment_paths(value, (*prefix, key))
    return found


def add_merge(
    db: firestore.Client,
    batch: firestore.WriteBatch,
    user_id: str,
    fields_by_challenge: Mapping[int, Mapping[str, Any]],
) -> None:
    """One merge-set of the user document: nested fields per challenge (transforms, deletes)."""
    batch.set(user_ref(db, user_id), merge_data(user_id, fields_by_challenge), merge=True)


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
