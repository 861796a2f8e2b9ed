"""Everything the service holds about one member: export it, erase it (docs/OPERATIONS.md).

A member's data is the user document `users/{userKey}` (progress in every challenge, the Gigya
state) with every document under it (event and sequence markers, milestones, claims, action and
redeem logs: whatever subcollections there are), their entry on every leaderboard, the
voucher-pool documents naming them, and the engine's dead letters of their transactions. Not
theirs: Gigya nonces, partner and Gigya credentials, the anonymous `challengeStats` counts, and
the ledger's `transactions` (reward credits and notified actions included), left to the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from shared.repository import (
    dead_letters_repo,
    leaderboards_repo,
    progress_repo,
    vouchers_repo,
)
from shared.schema import ledger, paths

if TYPE_CHECKING:
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_document import DocumentSnapshot

# Deletes per commit (Firestore allows 500 writes in one).
BATCH_SIZE = 400
LEDGER_NOTE = (
    f"the ledger's own {paths.TRANSACTIONS} documents naming this user are left to the ledger: "
    "erase them there"
)


def _stored(snap: DocumentSnapshot) -> dict[str, Any]:
    return {"path": snap.reference.path, "data": snap.to_dict() or {}}


def _board(snap: DocumentSnapshot) -> str:
    board = snap.reference.parent.parent
    return board.id if board is not None else ""


def ledger_transactions(db: firestore.Client, user_id: str) -> int:
    """How many ledger transactions name the user (one aggregation query)."""
    query: Any = db.collection(paths.TRANSACTIONS).where(
        filter=FieldFilter(ledger.USER_ID, "==", user_id)
    )
    return int(query.count().get()[0][0].value)


def _descendants(collection: firestore.CollectionReference) -> list[DocumentSnapshot]:
    # Every document in the collection and, at any depth, under its documents.
    return list(collection.recursive().stream())


def export_member(db: firestore.Client, user_id: str) -> dict[str, Any]:
    """Every document the service holds about the user, by kind, with paths and fields."""
    user = progress_repo.user_ref(db, user_id)
    snap = user.get()
    subcollections = {
        collection.id: [_stored(doc) for doc in _descendants(collection)]
        for collection in sorted(user.collections(), key=lambda c: c.id)
    }
    return {
        "userId": user_id,
        "user": _stored(snap) if snap.exists else None,
        "subcollections": subcollections,
        "leaderboardEntries": [
            {"board": _board(entry), **_stored(entry)}
            for entry in leaderboards_repo.user_entries(db, user_id)
        ],
        "voucherRecords": [_stored(doc) for doc in vouchers_repo.user_records(db, user_id)],
        "deadLetters": [
            {"path": f"{paths.DEAD_LETTERS}/{letter.id}", "data": letter.fields}
            for letter in dead_letters_repo.letters_of_user(db, user_id)
        ],
        "ledger": {
            "collection": paths.TRANSACTIONS,
            "documents": ledger_transactions(db, user_id),
            "note": LEDGER_NOTE,
        },
    }


@dataclass
class Erasure:
    """What an erase removed, and what it left to the ledger."""

    user_id: str
    user_document: int = 0  # 1 when the user document was deleted
    subcollections: dict[str, int] = field(default_factory=dict)  # documents deleted, by name
    boards: list[str] = field(default_factory=list)  # entries deleted, off their rank tables
    voucher_records: int = 0  # voucher-pool documents no longer naming the user
    dead_letters: int = 0
    ledger_transactions: int = 0  # left to the ledger

    @property
    def changed(self) -> int:
        """Documents deleted or changed; 0 when there was nothing left to erase."""
        return (
            self.user_document
            + sum(self.subcollections.values())
            + len(self.boards)
            + self.voucher_records
            + self.dead_letters
        )


def _delete_descendants(
    db: firestore.Client, collection: firestore.CollectionReference, batch_size: int
) -> int:
    deleted = 0
    while True:
        page = list(
            collection.recursive().select([FieldPath.document_id()]).limit(batch_size).stream()
        )
        if not page:
            return deleted
        batch = db.batch()
        for snap in page:
            batch.delete(snap.reference)
        batch.commit()
        deleted += len(page)


def erase_member(db: firestore.Client, user_id: str, batch_size: int = BATCH_SIZE) -> Erasure:
    """Delete everything the service holds about the user; idempotent (again: nothing to do).

    Leaderboard entries go first, each with its folded scores taken off its rank table
    (`leaderboards_repo.remove_entry`); then the voucher records lose the user's id, the
    engine's letters of their transactions go, and the user document goes last with everything
    under it, so an erase that stops midway is finished by running it again.
    """
    erasure = Erasure(user_id)
    for entry in leaderboards_repo.user_entries(db, user_id):
        board = _board(entry)
        if leaderboards_repo.remove_entry(db, board, user_id):
            erasure.boards.append(board)
    erasure.voucher_records = vouchers_repo.forget_user(db, user_id, batch_size)
    for letter in dead_letters_repo.letters_of_user(db, user_id):
        dead_letters_repo.delete_dead_letter(db, letter.id)
        erasure.dead_letters += 1
    user = progress_repo.user_ref(db, user_id)
    for collection in user.collections():
        deleted = _delete_descendants(db, collection, batch_size)
        if deleted:
            erasure.subcollections[collection.id] = deleted
    if user.get().exists:
        user.delete()
        erasure.user_document = 1
    erasure.ledger_transactions = ledger_transactions(db, user_id)
    return erasure
