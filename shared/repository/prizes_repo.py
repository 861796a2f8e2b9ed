"""Claiming milestones and reading the user's prize history.

A claim is one batch: `create()` of `users/{u}/claims/{milestoneId}` (the lock: a second claim,
concurrent or later, fails it), the milestone marked claimed, and in the user document the
challenge's `unclaimed.{milestoneId}` removed with `claimedCount` incremented, so the count moves
once, and `lastClaimed` set, so that the milestone stays listed with its prizes emptied.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from google.api_core import exceptions as gexc

from shared.errors import ConflictError, NotFoundError
from shared.firestore.writes import Batch
from shared.repository import progress_repo
from shared.schema import milestones as schema
from shared.schema import paths
from shared.schema import user as user_schema
from shared.schema.milestones import Claim

if TYPE_CHECKING:
    from google.cloud import firestore

claims_collection = paths.claims_collection
claim_doc = paths.claim_doc


def claim_milestone(db: firestore.Client, user_id: str, milestone: int, now: datetime) -> Claim:
    """Claim a milestone once; claiming again returns the first claim unchanged."""
    milestone_ref = db.document(paths.milestone_doc(user_id, milestone))
    claim_ref = db.document(claim_doc(user_id, milestone))
    snaps = {snap.reference.path: snap for snap in db.get_all([milestone_ref, claim_ref])}
    claim_snap = snaps.get(claim_ref.path)
    if claim_snap is not None and claim_snap.exists:
        return Claim.decode(claim_snap.to_dict() or {})
    milestone_snap = snaps.get(milestone_ref.path)
    if milestone_snap is None or not milestone_snap.exists:
        raise NotFoundError(
            f"MilestoneId {milestone} does not exist for this user", parameter="MilestoneId"
        )
    data = milestone_snap.to_dict() or {}
    if schema.is_issuing(data):
        raise ConflictError(
            f"MilestoneId {milestone}: its prizes are still being issued; retry shortly",
            parameter="MilestoneId",
        )
    record = Claim.of(data, milestone, user_id, now)
    batch = Batch(db)
    batch.create(claim_ref, record.encode())
    batch.update(milestone_ref, schema.claimed_update(now))
    progress_repo.add_merge(
        db,
        batch,
        user_id,
        {record.challenge_id: user_schema.claimed_fields(record.last_claimed())},
    )
    try:
        batch.commit()
    except gexc.AlreadyExists:
        # A concurrent claim won the create; its record is the answer.
        return Claim.decode(claim_ref.get().to_dict() or {})
    return record


def prizes_history(
    db: firestore.Client, user_id: str, page: int, per_page: int
) -> tuple[list[Claim], int]:
    """One page of the user's claims, newest first, and how many there are."""
    from google.cloud import firestore as fs

    collection = db.collection(claims_collection(user_id))
    count_result = collection.count().get()
    total = int(count_result[0][0].value)
    offset = (page - 1) * per_page
    if offset >= total:
        return [], total
    query = (
        collection.order_by(schema.CLAIMS_ORDER, direction=fs.Query.DESCENDING)
        .offset(offset)
        .limit(per_page)
    )
    return [Claim.decode(snap.to_dict() or {}) for snap in query.stream()], total
