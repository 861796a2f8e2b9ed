"""Milestone documents against the emulator: created once, then marked issued."""

from __future__ import annotations

import pytest
from google.api_core.exceptions import AlreadyExists

from shared.repository.milestones_repo import add_create, add_issued, get_milestone
from shared.schema.milestones import Milestone, Prize
from tests.shared.engine.builders import NOW

pytestmark = pytest.mark.emulator


def test_a_milestone_is_created_once_and_marked_issued(db):
    pending = Prize(1, 1, "10", {"en": "10 points"}, None, "pending")
    milestone = Milestone(42, "u", 7, 0, 0, NOW, NOW, (pending,), issued=False)
    batch = db.batch()
    add_create(db, batch, "u", 42, milestone)
    batch.commit()
    again = db.batch()
    add_create(db, again, "u", 42, milestone)
    with pytest.raises(AlreadyExists):
        again.commit()
    batch = db.batch()
    add_issued(db, batch, "u", 42, [pending.issued()])
    batch.commit()
    assert get_milestone(db, "u", 42) == Milestone(
        42, "u", 7, 0, 0, NOW, NOW, (pending.issued(),), issued=True
    )
    stored = db.document("users/u/milestones/42").get().to_dict()
    assert stored["issued"] is True and stored["prizes"][0]["status"] == "issued"
    assert get_milestone(db, "u", 43) is None
