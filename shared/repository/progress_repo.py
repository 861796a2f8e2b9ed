"""The engine's writes and reads of the user document's progress and per-user event markers.

A user's progress in every challenge lives in one document, `users/{userKey}`, under
`challenges.{challengeId}` (shared/schema/user.py): one read fetches it all, one merge-set
writes any number of challenges.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.firestore import documents
from shared.schema import gigya as g
from shared.schema import paths
from shared.schema import user as schema
from shared.schema.markers import EventMarker

if TYPE_CHECKING:
    from google.cloud import firestore

    from shared.firestore.writes import Batch

# The user document's names, as this module's callers know them.
CHALLENGES_FIELD = schema.CHALLENGES
USER_ID_FIELD = schema.USER_ID
entry_path = schema.entry_path
entries = schema.entries
gigya_path = g.gigya_path
merge_data = schema.merge_body


@functools.lru_cache(maxsize=4096)
def entry_mask(challenge_id: int) -> str:
    """The read mask path of one challenge's entry (rendered once per challenge)."""
    # Every event masks its read to its challenges, and every list to a page's.
    return entry_path(challenge_id).to_api_repr()


@functools.lru_cache(maxsize=4096)
def gigya_mask(challenge_id: int) -> str:
    """The read mask path of one challenge's Gigya points state (rendered once)."""
    return gigya_path(challenge_id).to_api_repr()


DEFAULT_MASK = g.default_path().to_api_repr()


def user_ref(db: firestore.Client, user_id: str) -> firestore.DocumentReference:
    """The reference of the user document (progress in every challenge)."""
    return db.document(paths.user_doc(user_id))


def read_progress(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int]
) -> dict[int, dict[str, Any] | None]:
    """The user's progress entries for `challenge_ids` in one round trip (None when absent)."""
    ids = sorted(set(challenge_ids))
    found: dict[int, dict[str, Any] | None] = dict.fromkeys(ids)
    if not ids:
        return found
    # A mask keeps the answer to the challenges asked for, whatever else the user is in.
    mask = [entry_mask(cid) for cid in ids]
    stored = entries(documents.get_document(db, paths.user_doc(user_id), mask))
    for cid in ids:
        found[cid] = stored.get(cid)
    return found


@dataclass(frozen=True)
class EventRead:
    """What an event reads of the user document: entries, their Gigya state, `_default`."""

    entries: dict[int, dict[str, Any] | None]
    gigya: dict[int, dict[str, Any]]
    default: dict[str, Any] | None
    # No user document yet: the counting write creates it, its `listing` mirror complete.
    absent: bool = False


def read_for_event(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int], gigya_ids: Iterable[int]
) -> EventRead:
    """Entries of `challenge_ids`, Gigya state of `gigya_ids` and `_default`, in one read."""
    ids = sorted(set(challenge_ids))
    points_ids = sorted(set(gigya_ids))
    mask = [entry_mask(cid) for cid in ids]
    mask += [gigya_mask(cid) for cid in points_ids]
    mask.append(DEFAULT_MASK)
    found = documents.get_document(db, paths.user_doc(user_id), mask)
    doc = found or {}
    stored = entries(doc)
    default = schema.gigya_map(doc).get(g.DEFAULT)
    return EventRead(
        entries={cid: stored.get(cid) for cid in ids},
        gigya={cid: dict(schema.gigya_points_of(doc, cid)) for cid in points_ids},
        default=dict(default) if isinstance(default, Mapping) else None,
        absent=found is None,
    )


def read_one(db: firestore.Client, user_id: str, challenge_id: int) -> dict[str, Any] | None:
    """One challenge's progress entry, or None."""
    return read_progress(db, user_id, [challenge_id])[challenge_id]


def complete_listing(
    db: firestore.Client,
    user_id: str,
    stored: Mapping[int, Mapping[str, Any]],
    unchanged_since: Any,
) -> bool:
    """Write the whole `listing` mirror of a legacy user document read at `unchanged_since`.

    False, with nothing written, when the document was written since: the next read tries again.
    """
    from google.api_core import exceptions as gexc

    from shared.firestore.writes import Batch

    batch = Batch(db)
    batch.replace_fields(
        paths.user_doc(user_id), schema.listing_document(stored), unchanged_since=unchanged_since
    )
    try:
        batch.commit()
    except (gexc.FailedPrecondition, gexc.Aborted):
        return False
    return True


def add_marker(db: firestore.Client, batch: Batch, path: str, marker: EventMarker) -> None:
    """Create a marker that something was counted: the batch fails when it exists already."""
    batch.create(path, marker.encode())


def add_merge_data(
    db: firestore.Client, batch: Batch, user_id: str, body: Mapping[str, Any]
) -> None:
    """One merge-set of the user document with a body built by `merge_data`."""
    batch.set(paths.user_doc(user_id), dict(body), merge=True)


def add_merge(
    db: firestore.Client,
    batch: Batch,
    user_id: str,
    fields_by_challenge: Mapping[int, Mapping[str, Any]],
) -> None:
    """One merge-set of the user document: nested fields per challenge (transforms, deletes)."""
    add_merge_data(db, batch, user_id, merge_data(user_id, fields_by_challenge))
