"""The user document's progress entries and the event markers against the emulator."""

from __future__ import annotations

import pytest
from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore

from shared.firestore.writes import Batch
from shared.repository import paths
from shared.repository.progress_repo import (
    add_marker,
    add_merge,
    entries,
    entry_path,
    read_one,
    read_progress,
)
from shared.schema.markers import EventMarker
from tests.shared.engine.builders import NOW

pytestmark = pytest.mark.emulator


def test_a_marker_and_an_increment_commit_once_and_return_the_new_total(db):
    totals = []
    path = entry_path(4, "totals", "earnedPoints")
    for _ in range(2):
        batch = Batch(db)
        marker = EventMarker.of("t1", NOW, [4], NOW)
        add_marker(db, batch, paths.event_marker_doc("a/b", "t1"), marker)
        add_merge(db, batch, "a/b", {4: {"totals": {"earnedPoints": firestore.Increment(5)}}})
        try:
            results = batch.commit()
        except AlreadyExists:
            continue
        totals.append(results[1].values[path.to_api_repr()])
    assert totals == [5]
    assert read_one(db, "a/b", 4) == {"totals": {"earnedPoints": 5}}
    stored = db.document(paths.user_doc("a/b")).get().to_dict()
    assert stored == {"userId": "a/b", "challenges": {"4": {"totals": {"earnedPoints": 5}}}}


def test_each_transform_result_is_mapped_to_its_own_challenge(db):
    # String order (10, 100, 2) differs from numeric order; each challenge gets its own amount.
    amounts = {2: 1, 10: 20, 100: 300, 7: 4000}
    paths_by_cid = {cid: entry_path(cid, "totals", "earnedPoints") for cid in amounts}
    for _ in range(2):
        batch = Batch(db)
        add_merge(
            db,
            batch,
            "u",
            {
                cid: {"level": 0, "totals": {"earnedPoints": firestore.Increment(n)}}
                for cid, n in amounts.items()
            },
        )
        [result] = batch.commit()
        values = result.values
    assert {cid: values[path.to_api_repr()] for cid, path in paths_by_cid.items()} == {
        cid: 2 * n for cid, n in amounts.items()
    }


def test_read_progress_gets_the_asked_entries_in_one_document(db):
    batch = Batch(db)
    add_merge(db, batch, "u", {1: {"level": 1}, 3: {"level": 3}})
    batch.commit()
    assert read_progress(db, "u", [2, 1, 1]) == {1: {"level": 1}, 2: None}
    assert read_progress(db, "u", []) == {}
    assert read_one(db, "u", 9) is None
    assert read_one(db, "nobody", 1) is None


def test_entries_skips_keys_that_are_not_challenge_ids():
    doc = {"userId": "u", "challenges": {"5": {"level": 2}, "x": {"level": 1}, "6": 3}}
    assert entries(doc) == {5: {"level": 2}}
    assert entries(None) == {}
