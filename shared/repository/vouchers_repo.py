"""Voucher pools: free codes, and the claim/assignment creates that hand a code to one prize."""

from __future__ import annotations

from typing import TYPE_CHECKING

from google.cloud.firestore_v1.base_query import FieldFilter

from shared.repository import paths

if TYPE_CHECKING:
    from google.cloud import firestore


def _pool(pool_id: str) -> str:
    return f"{paths.VOUCHER_POOLS}/{pool_id}"


def free_codes(db: firestore.Client, pool_id: str, limit: int = 25) -> list[str]:
    """Up to `limit` codes of the pool not taken yet."""
    query = (
        db.collection(f"{_pool(pool_id)}/codes")
        .where(filter=FieldFilter("taken", "==", False))
        .limit(limit)
    )
    return [snap.id for snap in query.stream()]


def assigned_code(db: firestore.Client, pool_id: str, prize_key: str) -> str | None:
    """The code already assigned to a prize, if any."""
    snap = db.document(f"{_pool(pool_id)}/assignments/{prize_key}").get()
    if not snap.exists:
        return None
    code = (snap.to_dict() or {}).get("code")
    return str(code) if code else None


def add_claim(
    db: firestore.Client,
    batch: firestore.WriteBatch,
    pool_id: str,
    code: str,
    prize_key: str,
    user_id: str,
) -> None:
    """Take `code` for a prize: fails with AlreadyExists if the code or the prize is taken."""
    pool = _pool(pool_id)
    batch.create(db.document(f"{pool}/claims/{code}"), {"prizeKey": prize_key, "userId": user_id})
    batch.create(db.document(f"{pool}/assignments/{prize_key}"), {"code": code, "userId": user_id})
    batch.update(db.document(f"{pool}/codes/{code}"), {"taken": True, "takenBy": user_id})
