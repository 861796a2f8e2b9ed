"""Removing one user's leaderboard entries (leaderboards_repo.user_entries, remove_entry)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from shared.firestore.writes import Batch
from shared.gigya import periods
from shared.gigya.ranks import RankTable
from shared.repository import leaderboards_repo as repo
from shared.schema import gigya as schema

pytestmark = pytest.mark.emulator

T0 = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
NOW = T0 + timedelta(minutes=5)
BOARD = schema.board_id("7")
OTHER = schema.board_id("_default")


def _earn(db, board: str, points_by_user: dict[str, float], at: datetime = T0) -> None:
    batch = Batch(db)
    for user, points in points_by_user.items():
        repo.add_points(db, batch, board, user, points, periods.hour_key(at), at)
    batch.commit()


def _table(db, board: str) -> RankTable:
    return repo.rank_tables(db, [board], max_age=0)[board]


def _folded(db, board: str) -> RankTable:
    """The table the entries' folded scores make: what the stored table must equal."""
    totals: Counter[float] = Counter()
    weeks: Counter[float] = Counter()
    for snap in db.collection(schema.entries_collection(board)).stream():
        data = snap.to_dict()
        if (data.get(schema.ENTRY_FOLDED) or 0) > 0:
            totals[float(data[schema.ENTRY_FOLDED])] += 1
        if (data.get(schema.ENTRY_FOLDED_WEEK) or 0) > 0:
            weeks[float(data[schema.ENTRY_FOLDED_WEEK])] += 1
    return RankTable(dict(totals), dict(weeks))


def test_user_entries_finds_the_users_entry_on_every_board(db):
    _earn(db, BOARD, {"u/1": 10, "u2": 20})
    _earn(db, OTHER, {"u/1": 30})
    found = repo.user_entries(db, "u/1")
    assert sorted(snap.reference.path for snap in found) == sorted(
        [schema.entry_doc(BOARD, "u/1"), schema.entry_doc(OTHER, "u/1")]
    )
    assert repo.user_entries(db, "nobody") == []


def test_removing_a_folded_entry_takes_its_scores_off_the_table(db):
    _earn(db, BOARD, {"a": 50, "b": 30, "c": 30, "d": 10})
    repo.refresh(db, NOW)
    assert _table(db, BOARD).rank(30) == 2 and _table(db, BOARD).rank_week(10) == 4
    assert repo.remove_entry(db, BOARD, "a") is True
    assert not db.document(schema.entry_doc(BOARD, "a")).get().exists
    table = _table(db, BOARD)
    assert table == _folded(db, BOARD) == RankTable({30: 2, 10: 1}, {30: 2, 10: 1})
    assert table.rank(30) == 1 and table.rank_week(10) == 3
    assert repo.remove_entry(db, BOARD, "a") is False  # a second removal: nothing to do
    assert repo.refresh(db, NOW).entries_folded == 0
    assert _table(db, BOARD) == _folded(db, BOARD)


def test_removing_an_entry_never_folded_leaves_the_table_alone(db):
    _earn(db, BOARD, {"a": 50})
    repo.refresh(db, NOW)
    _earn(db, BOARD, {"b": 70})  # dirty, not folded yet
    before = db.document(schema.rank_table_doc(BOARD)).get().update_time
    assert repo.remove_entry(db, BOARD, "b") is True
    assert db.document(schema.rank_table_doc(BOARD)).get().update_time == before
    assert repo.remove_entry(db, OTHER, "b") is False  # no table, no entry
    repo.refresh(db, NOW)
    assert _table(db, BOARD) == RankTable({50: 1}, {50: 1})


def test_an_entry_changed_between_read_and_commit_is_read_again(db):
    _earn(db, BOARD, {"a": 50, "b": 20})
    repo.refresh(db, NOW)
    calls: list[int] = []

    def meanwhile() -> None:
        calls.append(1)
        if len(calls) == 1:
            _earn(db, BOARD, {"a": 5}, NOW)  # an event lands between the read and the commit
            repo.refresh(db, NOW)  # and is folded: the table and the entry both moved

    assert repo.remove_entry(db, BOARD, "a", before_commit=meanwhile) is True
    assert len(calls) == 2
    assert _table(db, BOARD) == _folded(db, BOARD) == RankTable({20: 1}, {20: 1})


def test_removals_running_with_refreshers_keep_the_table_exact(db):
    users = {f"u{n}": float(10 + n % 7) for n in range(40)}
    _earn(db, BOARD, users)
    repo.refresh(db, NOW, page_size=7)
    _earn(db, BOARD, {user: 3 for user in list(users)[::2]}, NOW)  # half of them dirty again

    def meanwhile() -> None:
        repo.refresh(db, NOW, page_size=5)

    for user in list(users)[:10]:
        assert repo.remove_entry(db, BOARD, user, before_commit=meanwhile) is True
    repo.refresh(db, NOW)
    assert _table(db, BOARD) == _folded(db, BOARD)
    assert _table(db, BOARD).users == 30
