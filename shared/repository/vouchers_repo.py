"""Voucher pools: free codes, and the claim/assignment creates that hand a code to one prize."""

from __future__ import annotations

from typing import TYPE_CHECKING

from google.cloud.firestore_v1.base_query import FieldFilter

from shared.schema import paths
from shared.schema import vouchers as schema
from shared.schema.vouchers import VoucherAssignment, VoucherClaim

if TYPE_CHECKING:
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_document import DocumentSnapshot

    from shared.firestore.writes import Batch

# A pool's subcollections and the fields naming who took a code (shared/schema/vouchers.py).
CODES = paths.CODES  # codes/{code}: {code, taken, takenBy}
CLAIMS = paths.POOL_CLAIMS  # claims/{code}: {prizeKey, userId}
ASSIGNMENTS = paths.ASSIGNMENTS  # assignments/{prizeKey}: {code, userId}
TAKEN_BY = schema.TAKEN_BY
USER_ID = schema.USER_ID


def free_codes(db: firestore.Client, pool_id: str, limit: int = 25) -> list[str]:
    """Up to `limit` codes of the pool not taken yet."""
    query = (
        db.collection(paths.pool_collection(pool_id, CODES))
        .where(filter=FieldFilter(schema.TAKEN, "==", False))
        .limit(limit)
    )
    return [snap.id for snap in query.stream()]


def assigned_code(db: firestore.Client, pool_id: str, prize_key: str) -> str | None:
    """The code already assigned to a prize, if any."""
    snap = db.document(paths.assignment_doc(pool_id, prize_key)).get()
    if not snap.exists:
        return None
    return schema.assigned_code(snap.to_dict() or {})


def add_claim(
    db: firestore.Client,
    batch: Batch,
    pool_id: str,
    code: str,
    prize_key: str,
    user_id: str,
) -> None:
    """Take `code` for a prize: fails with AlreadyExists if the code or the prize is taken."""
    batch.create(
        db.document(paths.pool_claim_doc(pool_id, code)), VoucherClaim(prize_key, user_id).encode()
    )
    batch.create(
        db.document(paths.assignment_doc(pool_id, prize_key)),
        VoucherAssignment(code, user_id).encode(),
    )
    batch.update(db.document(paths.code_doc(pool_id, code)), schema.taken_update(user_id))


# --- one user's records (docs/OPERATIONS.md) ---------------------------------------------------

# Collection-group queries: the subcollection, and the field naming the user there.
_NAMING_THE_USER = ((CLAIMS, USER_ID), (ASSIGNMENTS, USER_ID), (CODES, TAKEN_BY))


def user_records(db: firestore.Client, user_id: str) -> list[DocumentSnapshot]:
    """Every voucher-pool document naming the user: claims, assignments, codes taken."""
    found: list[DocumentSnapshot] = []
    for collection, field in _NAMING_THE_USER:
        query = db.collection_group(collection).where(filter=FieldFilter(field, "==", user_id))
        for snap in query.stream():
            pool = snap.reference.parent.parent
            # `claims` is also the name of a user's claimed milestones (users/{u}/claims).
            if pool is not None and pool.parent.id == paths.VOUCHER_POOLS:
                found.append(snap)
    return found


def forget_user(db: firestore.Client, user_id: str, batch_size: int = 400) -> int:
    """Remove the user's id from every voucher-pool document; how many documents changed.

    The documents stay: a claim and an assignment are the locks that give a code to one prize
    and a prize one code, and a code taken stays taken (it was handed out, it is never issued
    again). Only the field naming the user goes.
    """
    from google.cloud import firestore as fs

    changed = 0
    records = user_records(db, user_id)
    for start in range(0, len(records), batch_size):
        batch = db.batch()
        for snap in records[start : start + batch_size]:
            field = TAKEN_BY if snap.reference.parent.id == CODES else USER_ID
            batch.update(snap.reference, {field: fs.DELETE_FIELD})
        batch.commit()
        changed += len(records[start : start + batch_size])
    return changed
