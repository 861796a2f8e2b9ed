"""Leaderboards: one entry per user and board, rank tables folded from them (docs/RANKS.md).

The engine adds a user's points to `leaderboards/{boardId}/entries/{userKey}` in the batch that
counts the event (`add_points`). The refresher (`refresh`) folds changed and expiring entries
into `rankTables/{boardId}`, a histogram of scores, with preconditions instead of transactions.
Requests read a bounded number of documents: `rank_tables` (one `get_all` for the tables not
cached), `top_users` (one query of at most `count` entries), `read_entries` (one `get_all`).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from google.api_core import exceptions as gexc
from google.cloud import firestore as _firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from shared.app import ProcessCache
from shared.config import get_settings
from shared.gigya import periods
from shared.gigya.ranks import Move, RankTable, TableTooLarge, apply_moves, encode_table
from shared.logs import get_logger
from shared.schema import gigya as schema
from shared.schema import leaderboards as stored
from shared.schema.leaderboards import BoardEntry, RankTableDoc

if TYPE_CHECKING:
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_document import DocumentSnapshot

    from shared.firestore.writes import Batch

log = get_logger(__name__)

Period = Literal["all", "7days"]
PERIOD_ALL: Period = "all"
PERIOD_7DAYS: Period = "7days"
# Entries folded per batch: with the table, 401 writes of Firestore's 500 per commit.
PAGE_SIZE = 400
# Attempts at one page before its entries are left for the next refresh.
PAGE_ATTEMPTS = 8
# A lost precondition (an event or another refresher got there first) and transient errors.
_REDO: tuple[type[Exception], ...] = (
    gexc.FailedPrecondition,
    gexc.Conflict,  # AlreadyExists (a table created meanwhile) and Aborted
    gexc.NotFound,
    gexc.DeadlineExceeded,
    gexc.ServiceUnavailable,
    gexc.ResourceExhausted,
    gexc.InternalServerError,
)

# Called with the board and the entry paths of a page just before its commit: a test seam.
BeforeCommit = Callable[[str, Sequence[str]], None]


@dataclass(frozen=True)
class TopEntry:
    """One line of a top list: ties share a rank."""

    uid: str
    score: float
    rank: int
    reached_at: datetime | None


@dataclass
class RefreshReport:
    """What one refresh did."""

    boards: int = 0  # boards whose table changed
    entries_folded: int = 0
    pages: int = 0  # batches committed
    retries: int = 0  # pages read again after a lost precondition or a transient error
    skipped: int = 0  # entries left for the next refresh (a page that kept failing, a full table)

    def as_dict(self) -> dict[str, int]:
        """The report as JSON fields."""
        return {
            "boards": self.boards,
            "entriesFolded": self.entries_folded,
            "pages": self.pages,
            "retries": self.retries,
            "skipped": self.skipped,
        }


# --- the engine's write ------------------------------------------------------------------------


def entry_ref(db: firestore.Client, board: str, user_id: str) -> firestore.DocumentReference:
    """The reference of a user's entry on a board."""
    return db.document(schema.entry_doc(board, user_id))


def add_points(
    db: firestore.Client,
    batch: Batch,
    board: str,
    user_id: str,
    points: float,
    moment_hour_key: str,
    now: datetime,
) -> None:
    """Add `points` to the user's entry on `board` in hour bucket `moment_hour_key` (0: no-op)."""
    if points < 0:
        raise ValueError(f"points on a leaderboard only grow, got {points}")
    if points == 0:
        return
    batch.set(
        schema.entry_doc(board, user_id),
        stored.points_added(user_id, points, moment_hour_key, now),
        merge=True,
    )


# --- reads -------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def read_entries(
    db: firestore.Client, board: str, user_ids: Iterable[str]
) -> dict[str, BoardEntry]:
    """The entries of `user_ids` on `board` (users without one omitted), in one round trip."""
    refs = {entry_ref(db, board, uid).path: uid for uid in dict.fromkeys(user_ids)}
    if not refs:
        return {}
    found: dict[str, BoardEntry] = {}
    for snap in db.get_all([db.document(path) for path in refs]):
        if snap.exists:
            uid = refs[snap.reference.path]
            found[uid] = BoardEntry.decode(snap.to_dict() or {}, uid)
    return found


@dataclass
class _Cached:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # board -> (monotonic time read, its table), oldest read first
    tables: dict[str, tuple[float, RankTable]] = field(default_factory=dict)


_CACHE = ProcessCache("rank-tables", _Cached)
# Boards whose tables an instance keeps at most (a table is up to 1 MiB; boards include variants).
CACHE_BOARDS = 256


def cache_seconds() -> float:
    """How long a rank table is reused: half of RANK_STALENESS_SECONDS (docs/RANKS.md)."""
    return get_settings().rank_staleness_seconds / 2


def _table(snap: DocumentSnapshot) -> RankTable:
    if not snap.exists:
        return RankTable()
    doc = RankTableDoc.decode(snap.to_dict())
    return RankTable.from_bytes(doc.folded, doc.folded_week)


def rank_tables(
    db: firestore.Client, boards: Iterable[str], max_age: float | None = None
) -> dict[str, RankTable]:
    """The rank tables of `boards`: cached ones younger than `max_age`, the others in one get_all.

    A board without a table has an empty one (everyone ranks 1).
    """
    age = cache_seconds() if max_age is None else max_age
    wanted = list(dict.fromkeys(boards))
    now = time.monotonic()
    found: dict[str, RankTable] = {}
    state = _CACHE.get()
    with state.lock:
        for board in wanted:
            cached = state.tables.get(board)
            if cached is not None and now - cached[0] < age:
                found[board] = cached[1]
    missing = [board for board in wanted if board not in found]
    if missing:
        refs = {db.document(schema.rank_table_doc(board)).path: board for board in missing}
        read_at = time.monotonic()
        fresh = {
            refs[snap.reference.path]: _table(snap)
            for snap in db.get_all([db.document(path) for path in refs])
        }
        with state.lock:
            for board in missing:
                table = fresh.get(board, RankTable())
                state.tables.pop(board, None)
                state.tables[board] = (read_at, table)
                found[board] = table
            # Oldest reads first (insertion order): forget those beyond the bound.
            for board in list(state.tables)[: max(0, len(state.tables) - CACHE_BOARDS)]:
                del state.tables[board]
    return {board: found[board] for board in wanted}


def reset_cache() -> None:
    """Forget the cached rank tables."""
    _CACHE.reset()


def top_users(db: firestore.Client, board: str, period: Period, count: int) -> list[TopEntry]:
    """The `count` best users of a board, ties by who reached the score first; ties share a rank.

    `all` orders the entries' live `total` (exact and fresh); `7days` their folded 7-day points
    (as fresh as the last refresh). Users with 0 points are not listed.
    """
    if period == PERIOD_ALL:
        score_field = stored.score_field(week=False)
    elif period == PERIOD_7DAYS:
        score_field = stored.score_field(week=True)
    else:
        raise ValueError(f"period must be {PERIOD_ALL!r} or {PERIOD_7DAYS!r}, got {period!r}")
    if count <= 0:
        return []
    query = (
        db.collection(schema.entries_collection(board))
        .where(filter=FieldFilter(score_field, ">", 0))
        .order_by(score_field, direction=_firestore.Query.DESCENDING)
        .order_by(schema.ENTRY_REACHED_AT)
        .select(stored.top_list_fields(score_field))
        .limit(count)
    )
    listed: list[TopEntry] = []
    for snap in query.stream():
        data = snap.to_dict() or {}
        score = _number(data.get(score_field)) or 0
        # Listed in score order: everyone with a greater score is listed before.
        rank = listed[-1].rank if listed and listed[-1].score == score else len(listed) + 1
        entry = BoardEntry.decode(data, snap.id)
        listed.append(TopEntry(entry.uid, score, rank, entry.reached_at))
    return listed


# --- the refresher -----------------------------------------------------------------------------


@dataclass
class _TableState:
    folded: dict[float, int]
    folded_week: dict[float, int]
    update_time: Any | None  # None: the table does not exist


def _board_of(snap: DocumentSnapshot) -> str | None:
    board = snap.reference.parent.parent
    if board is None or board.parent.id != schema.LEADERBOARDS:
        return None
    return str(board.id)


def _due(data: Mapping[str, Any], now: datetime) -> bool:
    return stored.entry_due(data, now)


def _fold(data: Mapping[str, Any], now: datetime) -> tuple[Move, Move, dict[str, Any]]:
    """One entry's moves in both histograms and the update recording them on the entry."""
    hours = stored.entry_hours(data)
    total = stored.entry_total(data)
    week = periods.points_7days(hours, now)
    expiry = periods.week_expiry(hours, now)
    update = stored.folded_update(total, week, expiry, periods.stale_hours(hours, now))
    folded, folded_week = stored.entry_folded(data)
    return (folded, total), (folded_week, week), update


def _read_table(snap: DocumentSnapshot) -> _TableState:
    table = _table(snap)
    return _TableState(table.folded, table.folded_week, snap.update_time if snap.exists else None)


@dataclass
class _Refresh:
    db: firestore.Client
    now: datetime
    before_commit: BeforeCommit | None
    report: RefreshReport
    tables: dict[str, _TableState]
    boards: set[str]

    def page(self, board: str, snaps: list[DocumentSnapshot]) -> None:
        """Fold one page of a board's entries in one batch, redone until its preconditions hold."""
        db = self.db
        table_ref = db.document(schema.rank_table_doc(board))
        state = self.tables.pop(board, None)
        delay = 0.01
        for attempt in range(PAGE_ATTEMPTS):
            if attempt:
                # Read the table and the page again, in one round trip.
                self.report.retries += 1
                time.sleep(delay * (0.5 + random.random()))
                delay *= 2
                refs = [table_ref, *(snap.reference for snap in snaps)]
                fresh = {snap.reference.path: snap for snap in db.get_all(refs)}
                state = _read_table(fresh[table_ref.path])
                snaps = [
                    fresh[snap.reference.path]
                    for snap in snaps
                    if fresh[snap.reference.path].exists
                ]
            elif state is None:
                state = _read_table(table_ref.get())
            due = [(snap, snap.to_dict() or {}) for snap in snaps]
            due = [(snap, data) for snap, data in due if _due(data, self.now)]
            if not due:
                self.tables[board] = state
                return
            folded_moves: list[Move] = []
            week_moves: list[Move] = []
            batch = db.batch()
            for snap, data in due:
                folded_move, week_move, update = _fold(data, self.now)
                folded_moves.append(folded_move)
                week_moves.append(week_move)
                batch.update(
                    snap.reference,
                    update,
                    option=db.write_option(last_update_time=snap.update_time),
                )
            folded = apply_moves(state.folded, folded_moves)
            folded_week = apply_moves(state.folded_week, week_moves)
            try:
                encoded = encode_table(folded, folded_week)
            except TableTooLarge as error:
                log.error(
                    "rank table full; its entries are not folded",
                    extra={"fields": {"board": board, "reason": str(error)}},
                )
                self.report.skipped += len(due)
                return
            table_data = RankTableDoc(encoded[0], encoded[1]).encode()
            if state.update_time is None:
                batch.create(table_ref, table_data)
            else:
                batch.update(
                    table_ref,
                    table_data,
                    option=db.write_option(last_update_time=state.update_time),
                )
            if self.before_commit is not None:
                self.before_commit(board, [snap.reference.path for snap, _ in due])
            try:
                results = list(batch.commit())
            except _REDO:
                continue
            self.tables[board] = _TableState(folded, folded_week, results[-1].update_time)
            self.boards.add(board)
            self.report.pages += 1
            self.report.entries_folded += len(due)
            return
        log.warning(
            "rank page not folded; left for the next refresh",
            extra={"fields": {"board": board, "entries": len(snaps)}},
        )
        self.report.skipped += len(snaps)

    def run(self, query: firestore.Query, page_size: int) -> None:
        """Fold every entry `query` finds, page by page, in one pass of its order."""
        cursor: DocumentSnapshot | None = None
        while True:
            page_query = query.limit(page_size)
            if cursor is not None:
                page_query = page_query.start_after(cursor)
            snaps = list(page_query.stream())
            if not snaps:
                return
            cursor = snaps[-1]
            by_board: dict[str, list[DocumentSnapshot]] = {}
            for snap in snaps:
                board = _board_of(snap)
                if board is not None:
                    by_board.setdefault(board, []).append(snap)
            for board, group in by_board.items():
                self.page(board, group)
            if len(snaps) < page_size:
                return


def refresh(
    db: firestore.Client,
    now: datetime,
    *,
    page_size: int = PAGE_SIZE,
    before_commit: BeforeCommit | None = None,
) -> RefreshReport:
    """Fold every changed entry (`dirty`) and every entry whose 7-day points dropped (`expiresAt`).

    Costs reads and writes proportional to those entries, never to the number of users. Safe to
    run concurrently with the engine and with other refreshers: a page commits only if neither
    its table nor any of its entries changed since they were read, else it is read and folded
    again.
    """
    if not 0 < page_size <= PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {PAGE_SIZE}, got {page_size}")
    run = _Refresh(db, now, before_commit, RefreshReport(), {}, set())
    entries = db.collection_group(schema.ENTRIES)
    run.run(
        entries.where(filter=FieldFilter(schema.ENTRY_DIRTY, "==", True)).order_by(
            FieldPath.document_id()
        ),
        page_size,
    )
    run.run(
        entries.where(filter=FieldFilter(schema.ENTRY_EXPIRES_AT, "<=", now))
        .order_by(schema.ENTRY_EXPIRES_AT)
        .order_by(FieldPath.document_id()),
        page_size,
    )
    run.report.boards = len(run.boards)
    return run.report


# --- one user's entries (docs/OPERATIONS.md) ---------------------------------------------------


class EntryNotRemoved(RuntimeError):
    """An entry kept changing while it was being removed; removing it again may succeed."""


def user_entries(db: firestore.Client, user_id: str) -> list[DocumentSnapshot]:
    """The user's entry on every board: one collection-group query on `uid`."""
    query = db.collection_group(schema.ENTRIES).where(
        filter=FieldFilter(schema.ENTRY_UID, "==", user_id)
    )
    return [snap for snap in query.stream() if _board_of(snap) is not None]


def remove_entry(
    db: firestore.Client,
    board: str,
    user_id: str,
    *,
    before_commit: Callable[[], None] | None = None,
) -> bool:
    """Delete the user's entry on `board` and take its folded scores off the rank table.

    One batch, as the refresher folds: the entry's delete and the table's new histograms, each
    with a precondition on its `update_time` as read, so the table keeps equalling the histogram
    of the entries' folded scores whatever events or refreshers run meanwhile (a lost
    precondition reads both again). False when there was no entry.
    """
    entry = entry_ref(db, board, user_id)
    table_ref = db.document(schema.rank_table_doc(board))
    delay = 0.01
    for attempt in range(PAGE_ATTEMPTS):
        if attempt:
            time.sleep(delay * (0.5 + random.random()))
            delay *= 2
        snaps = {snap.reference.path: snap for snap in db.get_all([table_ref, entry])}
        entry_snap = snaps[entry.path]
        if not entry_snap.exists:
            return False
        folded, folded_week = stored.entry_folded(entry_snap.to_dict() or {})
        folded_move: Move = (folded, None)
        week_move: Move = (folded_week, None)
        batch = db.batch()
        batch.delete(entry, option=db.write_option(last_update_time=entry_snap.update_time))
        state = _read_table(snaps[table_ref.path])
        if state.update_time is not None and any(
            (old or 0) > 0 for old, _ in (folded_move, week_move)
        ):
            table = RankTableDoc(
                *encode_table(
                    apply_moves(state.folded, [folded_move]),
                    apply_moves(state.folded_week, [week_move]),
                )
            )
            batch.update(
                table_ref,
                table.encode(),
                option=db.write_option(last_update_time=state.update_time),
            )
        if before_commit is not None:
            before_commit()
        try:
            batch.commit()
        except _REDO:
            continue
        # Instances see the table change as they see a refresh: within `cache_seconds()`.
        return True
    raise EntryNotRemoved(f"the entry of {user_id!r} on board {board!r} kept changing")
