"""Leaderboard entries, rank tables and the refresher, against the emulator."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.cloud import firestore

from shared.firestore.writes import Batch
from shared.gigya import periods, ranks
from shared.gigya.ranks import RankTable
from shared.repository import leaderboards_repo as repo
from shared.schema import gigya as schema
from tests.conftest import PROJECT

pytestmark = pytest.mark.emulator

T0 = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
BOARD = schema.board_id("7")
OTHER = schema.board_id("_default")


def _earn(db, board: str, points_by_user: dict[str, float], at: datetime = T0) -> None:
    batch = Batch(db)
    for user, points in points_by_user.items():
        repo.add_points(db, batch, board, user, points, periods.hour_key(at), at)
    batch.commit()


def _entry(db, board: str, user: str) -> dict[str, Any]:
    return db.document(schema.entry_doc(board, user)).get().to_dict()


def _table(db, board: str) -> RankTable:
    return repo.rank_tables(db, [board], max_age=0)[board]


def _expected(db, board: str, now: datetime) -> RankTable:
    """The table a full fold of the board's entries gives, by brute force."""
    totals: Counter[float] = Counter()
    weeks: Counter[float] = Counter()
    for snap in db.collection(schema.entries_collection(board)).stream():
        data = snap.to_dict()
        if data[schema.ENTRY_TOTAL] > 0:
            totals[float(data[schema.ENTRY_TOTAL])] += 1
        week = periods.points_7days(data.get(schema.ENTRY_HOURS), now)
        if week > 0:
            weeks[week] += 1
    return RankTable(dict(totals), dict(weeks))


class _Counting:
    """The client's low-level API, counting calls per method and documents read."""

    def __init__(self, api: Any) -> None:
        self._api = api
        self.calls: Counter[str] = Counter()
        self.documents = 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._api, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            result = target(*args, **kwargs)
            if name == "batch_get_documents":
                return self._count(result, "found")
            if name == "run_query":
                return self._count(result, "document")
            return result

        return call

    def _count(self, responses: Any, document_field: str) -> Iterator[Any]:
        for response in responses:
            if document_field in response:
                self.documents += 1
            yield response


@pytest.fixture
def counting(db) -> _Counting:
    counter = _Counting(db._firestore_api)
    db._firestore_api_internal = counter
    return counter


# --- the engine's write ------------------------------------------------------------------------


def test_add_points_merges_the_total_the_hour_bucket_and_marks_the_entry_dirty(db):
    _earn(db, BOARD, {"+2010/1": 30})
    _earn(db, BOARD, {"+2010/1": 12.5}, T0 + timedelta(hours=2))
    entry = _entry(db, BOARD, "+2010/1")
    assert entry[schema.ENTRY_UID] == "+2010/1"
    assert entry[schema.ENTRY_TOTAL] == 42.5
    assert entry[schema.ENTRY_HOURS] == {
        periods.hour_key(T0): 30,
        periods.hour_key(T0 + timedelta(hours=2)): 12.5,
    }
    assert entry[schema.ENTRY_REACHED_AT] == T0 + timedelta(hours=2)
    assert entry[schema.ENTRY_DIRTY] is True


def test_zero_points_write_nothing_and_negative_points_are_refused(db):
    batch = Batch(db)
    repo.add_points(db, batch, BOARD, "u", 0, periods.hour_key(T0), T0)
    assert len(batch) == 0
    with pytest.raises(ValueError, match="only grow"):
        repo.add_points(db, batch, BOARD, "u", -1, periods.hour_key(T0), T0)


# --- refresh and ranks -------------------------------------------------------------------------


def test_refresh_gives_exact_ranks_with_ties(db):
    _earn(db, BOARD, {"a": 60, "b": 50, "c": 50, "d": 10})
    _earn(db, BOARD, {"a": 40})
    _earn(db, OTHER, {"a": 5, "z": 7})
    report = repo.refresh(db, T0)
    assert report.as_dict() == {
        "boards": 2,
        "entriesFolded": 6,
        "pages": 2,
        "retries": 0,
        "skipped": 0,
    }
    table = _table(db, BOARD)
    assert [table.rank(s) for s in (100, 50, 50, 10, 0)] == [1, 2, 2, 4, 5]
    assert [table.rank_week(s) for s in (100, 50, 10, 0)] == [1, 2, 4, 5]
    assert table == _expected(db, BOARD, T0)
    other = _table(db, OTHER)
    assert (other.rank(7), other.rank(5), other.rank(0)) == (1, 2, 3)
    entry = _entry(db, BOARD, "a")
    assert entry[schema.ENTRY_DIRTY] is False
    assert entry[schema.ENTRY_FOLDED] == 100
    assert entry[schema.ENTRY_FOLDED_WEEK] == 100
    assert entry[schema.ENTRY_EXPIRES_AT] == periods.week_expiry(entry[schema.ENTRY_HOURS], T0)


def test_a_second_refresh_folds_nothing(db):
    _earn(db, BOARD, {"a": 10, "b": 20})
    repo.refresh(db, T0)
    before = db.document(schema.rank_table_doc(BOARD)).get().update_time
    report = repo.refresh(db, T0 + timedelta(minutes=5))
    assert report == repo.RefreshReport()
    assert db.document(schema.rank_table_doc(BOARD)).get().update_time == before


def test_later_events_move_users_between_scores(db):
    _earn(db, BOARD, {"a": 10, "b": 20, "c": 20})
    repo.refresh(db, T0)
    later = T0 + timedelta(hours=1)
    _earn(db, BOARD, {"a": 15, "c": 1, "d": 3}, later)
    report = repo.refresh(db, later)
    assert report.entries_folded == 3
    table = _table(db, BOARD)
    assert table == _expected(db, BOARD, later)
    assert table.folded == {25.0: 1, 21.0: 1, 20.0: 1, 3.0: 1}
    assert [table.rank(s) for s in (25, 21, 20, 3)] == [1, 2, 3, 4]


def test_pages_of_many_boards_fold_every_entry_once(db):
    for n in range(4):
        _earn(db, schema.board_id(str(n)), {f"u{i}": i % 5 + n for i in range(23)})
    report = repo.refresh(db, T0, page_size=6)
    # On board 0, the 5 users earning 0 points have no entry.
    assert report.entries_folded == 4 * 23 - 5
    assert report.pages >= 16
    for n in range(4):
        board = schema.board_id(str(n))
        assert _table(db, board) == _expected(db, board, T0)
    assert repo.refresh(db, T0, page_size=6).entries_folded == 0


def test_an_entry_changed_between_read_and_commit_is_folded_again(db):
    _earn(db, BOARD, {"a": 10, "b": 20})
    calls: list[tuple[str, list[str]]] = []

    def before_commit(board: str, entry_paths: list[str]) -> None:
        calls.append((board, list(entry_paths)))
        if len(calls) == 1:
            # An event counted while the refresher holds the page: its commit must fail.
            _earn(db, BOARD, {"a": 15})

    report = repo.refresh(db, T0, before_commit=before_commit)
    assert report.retries == 1
    assert report.entries_folded == 2
    assert len(calls) == 2
    assert calls[0] == (BOARD, [schema.entry_doc(BOARD, "a"), schema.entry_doc(BOARD, "b")])
    assert _table(db, BOARD).folded == {25.0: 1, 20.0: 1}
    entry = _entry(db, BOARD, "a")
    assert (entry[schema.ENTRY_FOLDED], entry[schema.ENTRY_DIRTY]) == (25, False)


def test_a_page_that_keeps_changing_is_left_for_the_next_refresh(db):
    _earn(db, BOARD, {"a": 1})

    def always_changing(board: str, entry_paths: list[str]) -> None:
        _earn(db, BOARD, {"a": 1})

    report = repo.refresh(db, T0, before_commit=always_changing)
    assert (report.skipped, report.entries_folded) == (1, 0)
    assert report.retries == repo.PAGE_ATTEMPTS - 1
    assert _entry(db, BOARD, "a")[schema.ENTRY_DIRTY] is True
    assert repo.refresh(db, T0).entries_folded == 1
    assert _table(db, BOARD).folded == {float(repo.PAGE_ATTEMPTS + 1): 1}


def test_two_refreshers_holding_the_same_page_fold_it_once(db):
    _earn(db, BOARD, {"a": 10, "b": 20, "c": 20})
    barrier = threading.Barrier(2, timeout=20)
    local = threading.local()

    def before_commit(board: str, entry_paths: list[str]) -> None:
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()  # both have read the page; both now commit

    reports: list[repo.RefreshReport] = []

    def run() -> None:
        client = firestore.Client(project=PROJECT)
        reports.append(repo.refresh(client, T0, before_commit=before_commit))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(reports) == 2
    assert sorted(r.entries_folded for r in reports) == [0, 3]
    assert sum(r.retries for r in reports) >= 1
    assert _table(db, BOARD).folded == {20.0: 2, 10.0: 1}


def test_concurrent_refreshers_and_events_keep_the_histograms_exact(db):
    users = [f"u{i:02d}" for i in range(40)]
    _earn(db, BOARD, {user: i % 7 + 1 for i, user in enumerate(users)})
    stop = threading.Event()
    errors: list[BaseException] = []
    reports: list[repo.RefreshReport] = []

    def refresher() -> None:
        client = firestore.Client(project=PROJECT)
        try:
            while not stop.is_set():
                reports.append(repo.refresh(client, T0, page_size=7))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=refresher) for _ in range(3)]
    for thread in threads:
        thread.start()
    writer = firestore.Client(project=PROJECT)
    for round_ in range(30):
        chosen = users[round_ % 8 * 5 : round_ % 8 * 5 + 9]
        _earn(writer, BOARD, {user: round_ % 3 + 1 for user in chosen})
    stop.set()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(r.entries_folded for r in reports) >= 40
    repo.refresh(db, T0)
    assert _table(db, BOARD) == _expected(db, BOARD, T0)
    for snap in db.collection(schema.entries_collection(BOARD)).stream():
        data = snap.to_dict()
        assert data[schema.ENTRY_DIRTY] is False
        assert data[schema.ENTRY_FOLDED] == data[schema.ENTRY_TOTAL]


def test_an_hour_bucket_leaving_the_window_lowers_the_week_points(db):
    _earn(db, BOARD, {"a": 30})
    three_days = T0 + timedelta(days=3)
    _earn(db, BOARD, {"a": 20, "b": 40}, three_days)
    repo.refresh(db, three_days)
    week = _table(db, BOARD)
    assert (week.rank_week(50), week.rank_week(40)) == (1, 2)

    eight_days = T0 + timedelta(days=8)
    report = repo.refresh(db, eight_days)
    assert report.entries_folded == 1  # only a's oldest bucket left the window
    table = _table(db, BOARD)
    assert table.folded_week == {40.0: 1, 20.0: 1}
    assert table.folded == {50.0: 1, 40.0: 1}  # all-time points stay
    assert (table.rank_week(40), table.rank_week(20)) == (1, 2)
    assert _entry(db, BOARD, "a")[schema.ENTRY_FOLDED_WEEK] == 20
    assert repo.refresh(db, eight_days).entries_folded == 0

    eleven_days = T0 + timedelta(days=11)
    assert repo.refresh(db, eleven_days).entries_folded == 2
    table = _table(db, BOARD)
    assert table.folded_week == {}
    assert table.rank_week(0) == 1
    entry = _entry(db, BOARD, "a")
    assert schema.ENTRY_EXPIRES_AT not in entry
    # The bucket of day 0 is old enough to be deleted; the one of day 3 is kept a while.
    assert entry[schema.ENTRY_HOURS] == {periods.hour_key(three_days): 20}
    assert entry[schema.ENTRY_TOTAL] == 50


def test_a_table_that_would_not_fit_in_a_document_leaves_its_entries_dirty(db, monkeypatch):
    _earn(db, BOARD, {"a": 1, "b": 2, "c": 3})
    _earn(db, OTHER, {"a": 1})
    monkeypatch.setattr(ranks, "MAX_TABLE_BYTES", 40)  # 3 scores: 2 + 2 * 3 * 12 bytes
    report = repo.refresh(db, T0)
    assert (report.skipped, report.entries_folded, report.boards) == (3, 1, 1)
    assert not db.document(schema.rank_table_doc(BOARD)).get().exists
    assert _entry(db, BOARD, "a")[schema.ENTRY_DIRTY] is True


def test_entries_collections_outside_leaderboards_are_not_folded(db):
    db.document("elsewhere/x/entries/u").set({schema.ENTRY_DIRTY: True, schema.ENTRY_TOTAL: 5})
    _earn(db, BOARD, {"a": 1})
    assert repo.refresh(db, T0).entries_folded == 1
    assert not db.document(schema.rank_table_doc("x")).get().exists


# --- reads -------------------------------------------------------------------------------------


def test_a_board_without_a_table_ranks_everyone_first(db):
    assert repo.rank_tables(db, ["nothing"]) == {"nothing": RankTable()}


def test_rank_tables_are_cached_for_their_max_age(db, counting):
    _earn(db, BOARD, {"a": 10})
    repo.refresh(db, T0)
    repo.reset_cache()
    counting.calls.clear()
    first = repo.rank_tables(db, [BOARD, OTHER], max_age=60)
    assert counting.calls["batch_get_documents"] == 1
    _earn(db, BOARD, {"b": 20})
    repo.refresh(db, T0)
    counting.calls.clear()
    assert repo.rank_tables(db, [OTHER, BOARD], max_age=60) == first
    assert counting.calls["batch_get_documents"] == 0
    # A stale table is read again; the others stay cached.
    fresh = repo.rank_tables(db, [BOARD], max_age=0)
    assert fresh[BOARD].folded == {20.0: 1, 10.0: 1}
    repo.reset_cache()
    assert repo.rank_tables(db, [BOARD], max_age=60)[BOARD] == fresh[BOARD]


def test_the_cache_keeps_the_most_recently_read_boards(db, counting, monkeypatch):
    monkeypatch.setattr(repo, "CACHE_BOARDS", 2)
    repo.rank_tables(db, ["b1"], max_age=60)
    repo.rank_tables(db, ["b2", "b3"], max_age=60)
    counting.calls.clear()
    repo.rank_tables(db, ["b2", "b3"], max_age=60)
    assert counting.calls["batch_get_documents"] == 0
    repo.rank_tables(db, ["b1"], max_age=60)
    assert counting.calls["batch_get_documents"] == 1


def test_the_default_cache_age_is_half_the_staleness_bound(db, monkeypatch):
    monkeypatch.setenv("RANK_STALENESS_SECONDS", "20")
    from shared.app import reset_app

    reset_app()
    assert repo.cache_seconds() == 10
    reset_app()


def test_top_users_order_ties_by_who_reached_the_score_first_and_share_ranks(db):
    _earn(db, BOARD, {"a": 50}, T0)
    _earn(db, BOARD, {"b": 80}, T0 + timedelta(minutes=1))
    _earn(db, BOARD, {"c": 50}, T0 - timedelta(minutes=1))
    _earn(db, BOARD, {"d": 20}, T0)
    top = repo.top_users(db, BOARD, "all", 3)
    assert [(e.uid, e.score, e.rank) for e in top] == [("b", 80, 1), ("c", 50, 2), ("a", 50, 2)]
    assert top[1].reached_at == T0 - timedelta(minutes=1)
    # The all-time list reads live totals: no refresh needed. The 7-day one needs a refresh.
    assert repo.top_users(db, BOARD, "7days", 10) == []
    now = T0 + timedelta(minutes=2)
    repo.refresh(db, now)
    week = repo.top_users(db, BOARD, "7days", 10)
    assert [(e.uid, e.score, e.rank) for e in week] == [
        ("b", 80, 1),
        ("c", 50, 2),
        ("a", 50, 2),
        ("d", 20, 4),
    ]
    # Ranks in a top list agree with the table's.
    table = _table(db, BOARD)
    assert [table.rank_week(e.score) for e in week] == [e.rank for e in week]
    assert repo.top_users(db, BOARD, "all", 0) == []
    with pytest.raises(ValueError, match="period"):
        repo.top_users(db, BOARD, "month", 3)  # type: ignore[arg-type]


def test_users_without_points_this_week_are_not_in_the_weekly_list(db):
    _earn(db, BOARD, {"old": 90}, T0)
    _earn(db, BOARD, {"new": 5}, T0 + timedelta(days=6))
    repo.refresh(db, T0 + timedelta(days=9))
    assert [e.uid for e in repo.top_users(db, BOARD, "7days", 5)] == ["new"]
    assert [e.uid for e in repo.top_users(db, BOARD, "all", 5)] == ["old", "new"]


def test_read_entries_reads_the_users_asked_for_in_one_round_trip(db, counting):
    _earn(db, BOARD, {"a/1": 10, "b": 4})
    _earn(db, BOARD, {"b": 3}, T0 - timedelta(days=8))
    counting.calls.clear()
    found = repo.read_entries(db, BOARD, ["a/1", "b", "missing", "b"])
    assert counting.calls["batch_get_documents"] == 1
    assert sorted(found) == ["a/1", "b"]
    b = found["b"]
    assert (b.uid, b.total, b.folded, b.folded_week) == ("b", 7, None, None)
    assert b.points_7days(T0) == 4
    assert b.reached_at == T0 - timedelta(days=8)  # the time of the last event processed
    assert repo.read_entries(db, BOARD, []) == {}


@pytest.mark.parametrize("users", [5, 60])
def test_what_a_request_reads_does_not_depend_on_the_number_of_users(db, counting, users):
    _earn(db, BOARD, {f"u{i:03d}": i + 1 for i in range(users)})
    _earn(db, OTHER, {f"u{i:03d}": 1 for i in range(users)})
    repo.refresh(db, T0)
    repo.reset_cache()
    counting.calls.clear()
    counting.documents = 0
    tables = repo.rank_tables(db, [BOARD, OTHER])
    assert tables[BOARD].users == users
    assert (counting.calls["batch_get_documents"], counting.documents) == (1, 2)

    counting.calls.clear()
    counting.documents = 0
    for period in ("all", "7days"):
        assert len(repo.top_users(db, BOARD, period, 3)) == 3  # type: ignore[arg-type]
    assert (counting.calls["run_query"], counting.documents) == (2, 6)
    assert sum(counting.calls.values()) == 2
