"""Claims against the emulator: once, idempotent, race-safe; the history newest first."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shared.errors import ConflictError, NotFoundError
from shared.repository import paths, prizes_repo
from tests.shared.api.factories import (
    NOW,
    milestone_doc,
    progress_doc,
    store_progress,
    stored_progress,
    unclaimed_entry,
)

pytestmark = pytest.mark.emulator

USER = "+20 100/000%1"


def _seed(db, milestone_id: int = 11, challenge_id: int = 1, issued: bool = True) -> None:
    db.document(paths.milestone_doc(USER, milestone_id)).set(
        milestone_doc(USER, milestone_id, challenge_id, issued=issued)
    )
    store_progress(
        db,
        USER,
        {
            challenge_id: progress_doc(
                1000, unclaimed=[unclaimed_entry(milestone_id), unclaimed_entry(99)]
            )
        },
    )


def test_claim_moves_the_prize_once(db):
    _seed(db)
    record = prizes_repo.claim_milestone(db, USER, 11, NOW)
    assert record.claimed_at == NOW and record.challenge_id == 1
    stored = db.document(prizes_repo.claim_doc(USER, 11)).get().to_dict()
    assert stored == record.encode() and stored["claimedAt"] == NOW
    progress = stored_progress(db, USER, 1)
    assert set(progress["unclaimed"]) == {"99"}
    assert progress["claimedCount"] == 1
    milestone = db.document(paths.milestone_doc(USER, 11)).get().to_dict()
    assert milestone["claimed"] is True


def test_claiming_again_returns_the_first_claim_and_counts_once(db):
    _seed(db)
    first = prizes_repo.claim_milestone(db, USER, 11, NOW)
    again = prizes_repo.claim_milestone(db, USER, 11, NOW + timedelta(hours=1))
    assert again.claimed_at == first.claimed_at
    assert stored_progress(db, USER, 1)["claimedCount"] == 1


def test_concurrent_claims_count_once(db):
    _seed(db)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: prizes_repo.claim_milestone(db, USER, 11, NOW), range(8)))
    assert {r.milestone_id for r in results} == {11}
    assert stored_progress(db, USER, 1)["claimedCount"] == 1


def test_unknown_milestone_is_not_found(db):
    _seed(db)
    with pytest.raises(NotFoundError, match="MilestoneId 12"):
        prizes_repo.claim_milestone(db, USER, 12, NOW)
    with pytest.raises(NotFoundError):
        prizes_repo.claim_milestone(db, "someone else", 11, NOW)


def test_milestone_still_being_issued_is_a_conflict(db):
    _seed(db, issued=False)
    with pytest.raises(ConflictError, match="still being issued"):
        prizes_repo.claim_milestone(db, USER, 11, NOW)


def test_history_is_newest_first_and_paginated(db):
    for i, milestone in enumerate([21, 22, 23]):
        _seed(db, milestone, challenge_id=i + 1)
        prizes_repo.claim_milestone(db, USER, milestone, NOW + timedelta(minutes=i))
    page1, total = prizes_repo.prizes_history(db, USER, 1, 2)
    page2, _ = prizes_repo.prizes_history(db, USER, 2, 2)
    page9, _ = prizes_repo.prizes_history(db, USER, 9, 2)
    assert total == 3
    assert [r.milestone_id for r in page1 + page2] == [23, 22, 21]
    assert page9 == []
