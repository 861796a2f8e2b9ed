"""Milestone documents against the emulator: created once, then marked issued."""

from __future__ import annotations

import pytest
from google.api_core.exceptions import AlreadyExists

from shared.repository.milestones_repo import add_create, add_issued, get_milestone

pytestmark = pytest.mark.emulator


def test_a_milestone_is_created_once_and_marked_issued(db):
    batch = db.batch()
    add_create(db, batch, "u", 42, {"milestoneId": 42, "issued": False, "prizes": []})
    batch.commit()
    again = db.batch()
    add_create(db, again, "u", 42, {"milestoneId": 42, "issued": False, "prizes": []})
    with pytest.raises(AlreadyExists):
        again.commit()
    batch = db.batch()
    add_issued(db, batch, "u", 42, [{"rewardId": 1, "status": "issued"}])
    batch.commit()
    doc = get_milestone(db, "u", 42)
    assert doc == {
        "milestoneId": 42,
        "issued": True,
        "prizes": [{"rewardId": 1, "status": "issued"}],
    }
    assert get_milestone(db, "u", 43) is None
