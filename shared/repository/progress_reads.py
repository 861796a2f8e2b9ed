"""Reading a user's progress for the read API: one get of the user document, decoded fast."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from shared.progress.state import ProgressState, parse_progress
from shared.repository import fast_documents, paths, progress_repo

if TYPE_CHECKING:
    from google.cloud import firestore


def user_progress(db: firestore.Client, user_id: str) -> dict[int, ProgressState]:
    """The user's progress in every challenge, by challenge id, in one round trip."""
    doc = fast_documents.get_document(db, paths.user_doc(user_id))
    return {cid: parse_progress(entry) for cid, entry in progress_repo.entries(doc).items()}


def progress_of(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int]
) -> dict[int, ProgressState]:
    """The user's progress in the given challenges (absent ones omitted), in one round trip."""
    stored = progress_repo.read_progress(db, user_id, challenge_ids)
    return {cid: parse_progress(entry) for cid, entry in stored.items() if entry is not None}
