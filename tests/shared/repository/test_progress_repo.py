"""Progress documents and event markers against the emulator."""

from __future__ import annotations

import pytest
from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore

from shared.repository.progress_repo import (
    add_event_marker,
    add_merge,
    read_one,
    read_progress,
    transform_value,
)

pytestmark = pytest.mark.emulator


def test_a_marker_and_an_increment_commit_once_and_return_the_new_total(db):
    totals = []
    for _ in range(2):
        batch = db.batch()
        add_event_marker(db, batch, "a/b", "t1", {"x": 1})
        add_merge(db, batch, "a/b", 4, {"totals": {"earnedPoints": firestore.Increment(5)}})
        try:
            results = batch.commit()
        except AlreadyExists:
            continue
        totals.append(transform_value(db, results[1]))
    assert totals == [5]
    assert read_one(db, "a/b", 4) == {"totals": {"earnedPoints": 5}}


def test_read_progress_gets_several_documents_at_once(db):
    batch = db.batch()
    add_merge(db, batch, "u", 1, {"level": 1})
    batch.commit()
    assert read_progress(db, "u", [2, 1, 1]) == {1: {"level": 1}, 2: None}
    assert read_progress(db, "u", []) == {}
    assert read_one(db, "u", 9) is None
