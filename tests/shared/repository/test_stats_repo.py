"""peopleFinished shards against the emulator."""

from __future__ import annotations

import pytest

from shared.repository.stats_repo import add_person_finished, people_finished

pytestmark = pytest.mark.emulator


def test_people_finished_sums_every_shard_of_each_challenge(db):
    batch = db.batch()
    for shard in (0, 3, 3, 15):
        add_person_finished(db, batch, 7, shard)
        batch.commit()
        batch = db.batch()
    for _ in range(5):
        add_person_finished(db, batch, 8)  # random shards
    batch.commit()
    # A `shards` collection elsewhere is not a challenge's.
    db.document("other/7/shards/1").set({"peopleFinished": 100})
    assert people_finished(db) == {7: 4, 8: 5}


def test_no_shards_no_figures(db):
    assert people_finished(db) == {}
