"""The local rank refresher thread, against the emulator."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

import devtools.rank_refresher as module
from devtools.rank_refresher import RankRefresher
from shared.firestore.writes import Batch
from shared.gigya import periods
from shared.repository import leaderboards_repo
from shared.schema import gigya as schema

BOARD = schema.board_id("_default")


def _wait_for(predicate: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def _earn(db, user: str, points: int) -> None:
    now = datetime.now(UTC)
    batch = Batch(db)
    leaderboards_repo.add_points(db, batch, BOARD, user, points, periods.hour_key(now), now)
    batch.commit()


def _rank(db, points: int) -> int:
    return leaderboards_repo.rank_tables(db, [BOARD], max_age=0)[BOARD].rank(points)


@pytest.mark.emulator
def test_the_refresher_folds_new_points_until_stopped(db):
    refresher = RankRefresher(lambda: db, interval_seconds=0.05).start()
    try:
        _earn(db, "a", 10)
        _wait_for(lambda: _rank(db, 5) == 2)
        _earn(db, "b", 20)
        _wait_for(lambda: _rank(db, 5) == 3)
        assert refresher.running
    finally:
        refresher.stop()
    assert not refresher.running
    assert refresher.runs >= 2
    assert refresher.failures == 0
    runs = refresher.runs
    time.sleep(0.2)
    assert refresher.runs == runs


def test_a_failed_refresh_does_not_stop_the_refresher(monkeypatch):
    calls: list[datetime] = []

    def flaky(db: object, now: datetime) -> leaderboards_repo.RefreshReport:
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("backend down")
        return leaderboards_repo.RefreshReport(entries_folded=1)

    monkeypatch.setattr(module, "refresh", flaky)
    refresher = RankRefresher(lambda: object(), interval_seconds=0.01).start()  # type: ignore[arg-type,return-value]
    try:
        _wait_for(lambda: refresher.runs >= 2)
    finally:
        refresher.stop()
    assert refresher.failures == 1
    assert refresher.last_report == leaderboards_repo.RefreshReport(entries_folded=1)


def test_a_refresher_needs_a_positive_interval_and_starts_once(monkeypatch):
    with pytest.raises(ValueError, match="positive"):
        RankRefresher(lambda: None, interval_seconds=0)  # type: ignore[arg-type,return-value]
    monkeypatch.setattr(module, "refresh", lambda db, now: leaderboards_repo.RefreshReport())
    refresher = RankRefresher(lambda: None, interval_seconds=60)  # type: ignore[arg-type,return-value]
    refresher.start()
    try:
        with pytest.raises(RuntimeError, match="already started"):
            refresher.start()
        _wait_for(lambda: refresher.runs == 1)
    finally:
        refresher.stop()  # does not wait out the interval
    assert not refresher.running
