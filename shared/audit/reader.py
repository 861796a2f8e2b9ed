"""The audit's reads: the ledger page by page ordered by user, one user's documents at a time.

`transactions` is read ordered by `userId` (its single-field index) in pages with a cursor, and
merged with `users` read the same way and every board's `entries` read by `uid` (the
collection-group index infra/firestore.indexes.json declares), so one user's transactions and
entries come together, a user document or entry without transactions is audited too, and only a
few users are held at a time. The rank
pass walks every board's entries in document order (one board at a time); the pools are walked
page by page. Nothing here judges: shared/audit/checks.py and globals.py do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from shared.audit import stored as s
from shared.audit.globals import histogram
from shared.audit.model import Lookups, UserBundle
from shared.gigya.ranks import Histogram, RankTable
from shared.repository import dead_letters_repo, paths, progress_repo
from shared.schema import gigya as g

if TYPE_CHECKING:
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_document import DocumentSnapshot

PAGE_SIZE = 500
# Documents per get_all.
GET_BATCH = 300


def paged(query: Any, page_size: int = PAGE_SIZE) -> Iterator[DocumentSnapshot]:
    """Every document of `query`, read `page_size` at a time after a cursor."""
    cursor = None
    while True:
        page = query.limit(page_size)
        if cursor is not None:
            page = page.start_after(cursor)
        snaps = list(page.stream())
        yield from snaps
        if len(snaps) < page_size:
            return
        cursor = snaps[-1]


@dataclass(frozen=True)
class UserSource:
    """One user as the merged streams found it: the id, its transactions, its entries."""

    user_id: Any
    transactions: dict[str, dict[str, Any]]
    entries: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class BoardScan:
    """One board's entries, as folded: the histograms and how many entries there are."""

    board: str
    folded: Histogram
    folded_week: Histogram
    entries: int


class AuditReader:
    """Reads for the audit, through one Firestore client."""

    def __init__(self, db: firestore.Client, page_size: int = PAGE_SIZE) -> None:
        self.db = db
        self.page_size = page_size
        self.transactions_seen = 0

    # --- users ---------------------------------------------------------------------------------

    def _transaction_groups(self) -> Iterator[tuple[Any, dict[str, dict[str, Any]]]]:
        query = self.db.collection(paths.TRANSACTIONS).order_by(progress_repo.USER_ID_FIELD)
        key: Any = None
        group: dict[str, dict[str, Any]] = {}
        started = False
        for snap in paged(query, self.page_size):
            data = snap.to_dict() or {}
            uid = data.get(progress_repo.USER_ID_FIELD)
            self.transactions_seen += 1
            if started and (type(uid) is not type(key) or uid != key):
                yield key, group
                group = {}
            key, started = uid, True
            group[snap.id] = data
        if started:
            yield key, group

    def _user_ids(self) -> Iterator[str]:
        query = (
            self.db.collection(paths.USERS)
            .order_by(progress_repo.USER_ID_FIELD)
            .select([progress_repo.USER_ID_FIELD])
        )
        last = None
        for snap in paged(query, self.page_size):
            uid = (snap.to_dict() or {}).get(progress_repo.USER_ID_FIELD)
            if isinstance(uid, str) and uid != last:
                last = uid
                yield uid

    def _entry_groups(self) -> Iterator[tuple[Any, dict[str, dict[str, Any]]]]:
        query = self.db.collection_group(g.ENTRIES).order_by(g.ENTRY_UID)
        key: Any = None
        group: dict[str, dict[str, Any]] = {}
        started = False
        for snap in paged(query, self.page_size):
            board = snap.reference.parent.parent
            if board is None or board.parent.id != g.LEADERBOARDS:
                continue
            data = snap.to_dict() or {}
            uid = data.get(g.ENTRY_UID)
            if started and (type(uid) is not type(key) or uid != key):
                yield key, group
                group = {}
            key, started = uid, True
            group[board.id] = data
        if started:
            yield key, group

    def users(self) -> Iterator[UserSource]:
        """Each user with its transactions (by id) and its leaderboard entries (by board).

        Three streams in Firestore's order of the user id, merged: `transactions` by `userId`,
        `users` by `userId` and every board's `entries` by `uid` (strings order by UTF-8 bytes,
        as Python compares them). A user with only a document, or only entries, comes too; a
        `userId` that is not a string comes as a group of its own.
        """
        groups = self._transaction_groups()
        users = self._user_ids()
        entries = self._entry_groups()
        group, user, entry = next(groups, None), next(users, None), next(entries, None)
        while group is not None or user is not None or entry is not None:
            if group is not None and not isinstance(group[0], str):
                yield UserSource(group[0], group[1], {})
                group = next(groups, None)
                continue
            if entry is not None and not isinstance(entry[0], str):
                yield UserSource(entry[0], {}, entry[1])
                entry = next(entries, None)
                continue
            heads = [head[0] for head in (group, entry) if head is not None]
            key = min([*heads, *([user] if user is not None else [])])
            transactions: dict[str, dict[str, Any]] = {}
            boards: dict[str, dict[str, Any]] = {}
            if group is not None and group[0] == key:
                transactions = group[1]
                group = next(groups, None)
            if entry is not None and entry[0] == key:
                boards = entry[1]
                entry = next(entries, None)
            if user == key:
                user = next(users, None)
            yield UserSource(key, transactions, boards)

    def _stream(self, collection: str) -> dict[str, dict[str, Any]]:
        return {snap.id: snap.to_dict() or {} for snap in self.db.collection(collection).stream()}

    def read_user(self, source: UserSource) -> UserBundle:
        """The user's document, markers, milestones and action log, with what `users` found."""
        user_id = str(source.user_id)
        snap = self.db.document(paths.user_doc(user_id)).get()
        doc = (snap.to_dict() or {}) if snap.exists else None
        has_actions = bool(((doc or {}).get(g.GIGYA) or {}).get(g.ACTIONS))
        return UserBundle(
            user_id=user_id,
            transactions=source.transactions,
            doc=doc,
            events=self._stream(s.events_collection(user_id)),
            sequences=self._stream(s.sequences_collection(user_id)),
            milestones=self._stream(paths.milestones_collection(user_id)),
            entries=source.entries,
            action_log=self._stream(s.action_log_collection(user_id)) if has_actions else {},
        )

    def complete(self, bundle: UserBundle, lookups: Lookups) -> None:
        """Read what `lookups` asks for into the bundle."""
        for tid in lookups.dead_letters:
            bundle.dead_letters[tid] = self.dead_letters(tid)
        bundle.pool_docs.update(self.get_docs(lookups.pool_docs))
        if lookups.claims:
            bundle.claims = self._stream(s.claims_collection(bundle.user_id))

    def dead_letters(self, transaction_id: str) -> list[dict[str, Any]]:
        """The letters of a transaction: the engine's (by its id) and the deliverer's (by field)."""
        found: dict[str, dict[str, Any]] = {}
        letter = dead_letters_repo.read_dead_letter(self.db, transaction_id)
        if letter is not None:
            found[letter.id] = letter.fields
        query = self.db.collection(paths.DEAD_LETTERS).where(
            filter=FieldFilter(dead_letters_repo.TRANSACTION_ID, "==", transaction_id)
        )
        for snap in query.stream():
            found[snap.id] = snap.to_dict() or {}
        return list(found.values())

    def get_docs(self, doc_paths: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """Documents by path (None for an absent one), GET_BATCH per round trip."""
        found: dict[str, dict[str, Any] | None] = {}
        wanted = list(dict.fromkeys(doc_paths))
        for start in range(0, len(wanted), GET_BATCH):
            refs = [self.db.document(path) for path in wanted[start : start + GET_BATCH]]
            for snap in self.db.get_all(refs):
                found[snap.reference.path] = (snap.to_dict() or {}) if snap.exists else None
        return found

    def transaction_count(self) -> int:
        """How many transactions there are (one aggregation query)."""
        result = self.db.collection(paths.TRANSACTIONS).count().get()
        return int(result[0][0].value)

    def without_user(self) -> Iterator[str]:
        """Ids of transactions with no `userId` at all (the ordered pass cannot see them)."""
        query = (
            self.db.collection(paths.TRANSACTIONS)
            .order_by(FieldPath.document_id())
            .select([progress_repo.USER_ID_FIELD])
        )
        for snap in paged(query, self.page_size):
            if progress_repo.USER_ID_FIELD not in (snap.to_dict() or {}):
                yield snap.id

    # --- boards --------------------------------------------------------------------------------

    def boards(self) -> Iterator[BoardScan]:
        """Every board's folded scores, board after board (entries in document path order)."""
        query = (
            self.db.collection_group(g.ENTRIES)
            .order_by(FieldPath.document_id())
            .select([g.ENTRY_FOLDED, g.ENTRY_FOLDED_WEEK])
        )
        board: str | None = None
        folded: list[Any] = []
        week: list[Any] = []
        for snap in paged(query, self.page_size):
            parent = snap.reference.parent.parent
            if parent is None or parent.parent.id != g.LEADERBOARDS:
                continue
            if board is not None and parent.id != board:
                yield BoardScan(board, histogram(folded), histogram(week), len(folded))
                folded, week = [], []
            board = parent.id
            data = snap.to_dict() or {}
            folded.append(data.get(g.ENTRY_FOLDED))
            week.append(data.get(g.ENTRY_FOLDED_WEEK))
        if board is not None:
            yield BoardScan(board, histogram(folded), histogram(week), len(folded))

    def rank_table(self, board: str) -> RankTable | None:
        """A board's rank table, None when it has none."""
        snap = self.db.document(g.rank_table_doc(board)).get()
        if not snap.exists:
            return None
        data = snap.to_dict() or {}
        return RankTable.from_bytes(data.get(g.ENTRY_FOLDED), data.get(g.ENTRY_FOLDED_WEEK))

    def table_boards(self) -> Iterator[str]:
        """The boards that have a rank table."""
        query = self.db.collection(g.RANK_TABLES).order_by(FieldPath.document_id()).select([])
        for snap in paged(query, self.page_size):
            yield snap.id

    # --- voucher pools -------------------------------------------------------------------------

    def pool_pages(
        self, pool: str, collection: str, taken_only: bool = False
    ) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """A pool's claims, assignments or (taken) codes, a page at a time."""
        query: Any = self.db.collection(s.pool_collection(pool, collection))
        if taken_only:
            query = query.where(filter=FieldFilter(s.CODE_TAKEN, "==", True))
        page: list[tuple[str, dict[str, Any]]] = []
        for snap in paged(query.order_by(FieldPath.document_id()), self.page_size):
            page.append((snap.id, snap.to_dict() or {}))
            if len(page) == self.page_size:
                yield page
                page = []
        if page:
            yield page

    def free_codes(self, pool: str) -> int:
        """How many codes of the pool are not taken (one aggregation query)."""
        query: Any = self.db.collection(s.pool_collection(pool, s.CODES)).where(
            filter=FieldFilter(s.CODE_TAKEN, "==", False)
        )
        return int(query.count().get()[0][0].value)
