"""Milestone documents: created once per (user, challenge, cycle, level), then marked issued."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from shared.schema import milestones as schema
from shared.schema import paths
from shared.schema.milestones import Milestone, Prize

if TYPE_CHECKING:
    from google.cloud import firestore

    from shared.firestore.writes import Batch


def milestone_ref(
    db: firestore.Client, user_id: str, milestone: int
) -> firestore.DocumentReference:
    """The reference of one milestone of a user."""
    return db.document(paths.milestone_doc(user_id, milestone))


def add_create(
    db: firestore.Client,
    batch: Batch,
    user_id: str,
    milestone: int,
    doc: Milestone,
) -> None:
    """Create the milestone; the batch fails with AlreadyExists when it was created before."""
    batch.create(milestone_ref(db, user_id, milestone), doc.encode())


def get_milestone(db: firestore.Client, user_id: str, milestone: int) -> Milestone | None:
    """One milestone document, or None."""
    snap = milestone_ref(db, user_id, milestone).get()
    return Milestone.decode(snap.to_dict() or {}) if snap.exists else None


def add_issued(
    db: firestore.Client,
    batch: Batch,
    user_id: str,
    milestone: int,
    prizes: Sequence[Prize],
) -> None:
    """Record the milestone's prizes as issued (values and statuses final)."""
    batch.update(milestone_ref(db, user_id, milestone), schema.issued_update(prizes))
