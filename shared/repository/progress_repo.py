"""The engine's writes and reads of progress documents and per-user event markers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from google.cloud.firestore_v1 import _helpers

from shared.repository import paths

if TYPE_CHECKING:
    from google.cloud import firestore


def progress_ref(
    db: firestore.Client, user_id: str, challenge_id: int
) -> firestore.DocumentReference:
    """The reference of a user's progress document in one challenge."""
    return db.document(paths.progress_doc(user_id, challenge_id))


def read_progress(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int]
) -> dict[int, dict[str, Any] | None]:
    """The user's progress documents for `challenge_ids` in one round trip (None when absent)."""
    ids = sorted(set(challenge_ids))
    found: dict[int, dict[str, Any] | None] = dict.fromkeys(ids)
    if not ids:
        return found
    refs = [progress_ref(db, user_id, cid) for cid in ids]
    for snap in db.get_all(refs):
        if snap.exists:
            found[int(snap.id)] = snap.to_dict()
    return found


def read_one(db: firestore.Client, user_id: str, challenge_id: int) -> dict[str, Any] | None:
    """One progress document, or None."""
    snap = progress_ref(db, user_id, challenge_id).get()
    return snap.to_dict() if snap.exists else None


def add_event_marker(
    db: firestore.Client,
    batch: firestore.WriteBatch,
    user_id: str,
    transaction_id: str,
    data: Mapping[str, Any],
) -> None:
    """Create the marker that a transaction was counted for the user (fails when it exists)."""
    batch.create(db.document(paths.event_marker_doc(user_id, transaction_id)), dict(data))


def add_sequence_marker(
    db: firestore.Client,
    batch: firestore.WriteBatch,
    user_id: str,
    sequence: int,
    data: Mapping[str, Any],
) -> None:
    """Create the marker that the ledger entry `sequence` was counted (fails when it exists)."""
    batch.create(db.document(paths.sequence_marker_doc(user_id, sequence)), dict(data))


def add_merge(
    db: firestore.Client,
    batch: firestore.WriteBatch,
    user_id: str,
    challenge_id: int,
    fields: Mapping[str, Any],
) -> None:
    """Merge nested `fields` into the progress document (transforms and deletes allowed)."""
    batch.set(progress_ref(db, user_id, challenge_id), dict(fields), merge=True)


def transform_value(db: firestore.Client, write_result: Any) -> Any:
    """The post-transform value of a write's single field transform (an `Increment`)."""
    results = list(write_result.transform_results)
    if len(results) != 1:
        raise ValueError(f"expected one transform result, got {len(results)}")
    return _helpers.decode_value(results[0], db)
