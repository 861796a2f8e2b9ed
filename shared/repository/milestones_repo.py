"""Milestone documents: created once per (user, challenge, cycle, level), then marked issued."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from shared.repository import paths

if TYPE_CHECKING:
    from google.cloud import firestore


def milestone_ref(
    db: firestore.Client, user_id: str, milestone: int
) -> firestore.DocumentReference:
    """The reference of one milestone of a user."""
    return db.document(paths.milestone_doc(user_id, milestone))


def add_create(
    db: firestore.Client,
    batch: firestore.WriteBatch,
    user_id: str,
    milestone: int,
    doc: Mapping[str, Any],
) -> None:
    """Create the milestone; the batch fails with AlreadyExists when it was created before."""
    batch.create(milestone_ref(db, user_id, milestone), dict(doc))


def get_milestone(db: firestore.Client, user_id: str, milestone: int) -> dict[str, Any] | None:
    """One milestone document, or None."""
    snap = milestone_ref(db, user_id, milestone).get()
    return snap.to_dict() if snap.exists else None


def add_issued(
    db: firestore.Client,
    batch: firestore.WriteBatch,
    user_id: str,
    milestone: int,
    prizes: Sequence[Mapping[str, Any]],
) -> None:
    """Record the milestone's prizes as issued (values and statuses final)."""
    batch.update(
        milestone_ref(db, user_id, milestone),
        {"prizes": [dict(p) for p in prizes], "issued": True},
    )
