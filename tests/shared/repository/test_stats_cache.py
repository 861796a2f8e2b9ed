"""peopleFinished read once per cache period."""

from __future__ import annotations

import pytest

from shared.repository import paths, stats_cache

pytestmark = pytest.mark.emulator


def _shard(db, challenge_id: int, shard: int, value: int) -> None:
    db.document(f"{paths.CHALLENGE_STATS}/{challenge_id}/{paths.STATS_SHARDS}/{shard}").set(
        {"peopleFinished": value}
    )


def test_figures_are_summed_and_reused_until_reset(db):
    _shard(db, 1, 0, 2)
    _shard(db, 1, 5, 3)
    _shard(db, 2, 1, 1)
    assert dict(stats_cache.people_finished(db, max_age=60)) == {1: 5, 2: 1}
    _shard(db, 2, 2, 4)
    assert stats_cache.people_finished(db, max_age=60)[2] == 1
    stats_cache.reset_cache()
    assert stats_cache.people_finished(db, max_age=60)[2] == 5


def test_zero_age_reads_every_time(db):
    _shard(db, 1, 0, 1)
    assert stats_cache.people_finished(db, max_age=0)[1] == 1
    _shard(db, 1, 1, 1)
    assert stats_cache.people_finished(db, max_age=0)[1] == 2
