"""Reading a user's progress documents for the read API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from shared.progress.state import ProgressState, parse_progress
from shared.repository import paths

if TYPE_CHECKING:
    from google.cloud import firestore


def _challenge_id(doc_id: str) -> int | None:
    return int(doc_id) if doc_id.isdigit() else None


def user_progress(db: firestore.Client, user_id: str) -> dict[int, ProgressState]:
    """Every progress document of the user, by challenge id, in one query."""
    states: dict[int, ProgressState] = {}
    for snap in db.collection(paths.progress_collection(user_id)).stream():
        challenge_id = _challenge_id(snap.id)
        if challenge_id is not None:
            states[challenge_id] = parse_progress(snap.to_dict())
    return states


def progress_of(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int]
) -> dict[int, ProgressState]:
    """The user's progress in the given challenges (absent ones omitted), in one round trip."""
    refs = [db.document(paths.progress_doc(user_id, cid)) for cid in dict.fromkeys(challenge_ids)]
    states: dict[int, ProgressState] = {}
    for snap in db.get_all(refs):
        challenge_id = _challenge_id(snap.id)
        if snap.exists and challenge_id is not None:
            states[challenge_id] = parse_progress(snap.to_dict())
    return states
