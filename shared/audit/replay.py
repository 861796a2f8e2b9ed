"""What the counted transactions add up to, by replaying the engine's own counting commit.

For every transaction the user's event marker says was counted, `counting.count` itself builds the
commit the engine made (for the challenges the marker lists, at the marker's `countedAt`) into a
batch that records its writes instead of sending them. Adding up the `Increment`s of those writes
gives what the user document and the leaderboard entries must hold, whatever their layout: the
audit cannot drift from the engine. Nothing is pruned here (a zero state is passed in): the checks
compare pruned buckets only where the engine cannot have pruned them. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from google.cloud import firestore as _firestore
from google.cloud.firestore_v1.transforms import Increment

from shared.catalog.models import Action
from shared.engine import counting
from shared.engine.candidates import Candidate, candidates_for, contribution_of
from shared.engine.run import Run
from shared.engine.transaction import LedgerTransaction
from shared.enums import TransactionType
from shared.progress.state import ProgressState
from shared.repository import paths, progress_repo
from shared.repository.catalog_cache import CatalogView
from shared.schema import gigya as g

# A field of a document, as the parts of its path.
Path = tuple[str, ...]


@dataclass(frozen=True)
class TransactionView:
    """One ledger document as the engine sees it: parsed, its action, its candidates."""

    id: str
    data: Mapping[str, Any]
    tx: LedgerTransaction | None = None
    rejected: str | None = None
    # False for an Action transaction whose action is unknown or disabled: it counts for nothing.
    action_known: bool = True
    action: Action | None = None
    candidates: dict[int, Candidate] = field(default_factory=dict)
    earned: float = 0.0


def view_of(view: CatalogView, transaction_id: str, data: Mapping[str, Any]) -> TransactionView:
    """Parse a transaction and find, as `process_transaction` does, what it may count for."""
    from shared.engine.transaction import parse_transaction
    from shared.errors import TransactionRejected

    try:
        tx = parse_transaction(data)
    except TransactionRejected as rejected:
        return TransactionView(transaction_id, data, rejected=rejected.reason)
    if tx.is_reward:
        return TransactionView(transaction_id, data, tx)
    action = None
    if tx.type is TransactionType.ACTION:
        action = view.catalog.action(tx.actionId or "")
        if action is None or not action.enabled:
            return TransactionView(transaction_id, data, tx, action_known=False)
    found = candidates_for(view.by_kind, tx, view.by_action, action)
    return TransactionView(
        transaction_id,
        data,
        tx,
        action=action,
        candidates={c.challenge.id: c for c in found},
        earned=contribution_of(tx, action).points,
    )


# --- the engine's commit, recorded ------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One write of a batch: `create`, `set` (with `merge`), `update` or `delete`."""

    kind: str
    path: str
    data: Mapping[str, Any]
    merge: bool = False


class _Recorded(Exception):
    def __init__(self, writes: list[Write]) -> None:
        super().__init__("recorded")
        self.writes = writes


class _Reference:
    def __init__(self, path: str) -> None:
        self.path = path
        self.id = path.rsplit("/", 1)[-1]


def _path(reference: _Reference | str) -> str:
    return reference if isinstance(reference, str) else reference.path


class _RecordingBatch:
    """Takes a batch's writes down; its commit hands them over instead of sending them."""

    def __init__(self, _db: Any = None) -> None:
        self.writes: list[Write] = []

    def create(self, reference: _Reference | str, data: Mapping[str, Any]) -> None:
        self.writes.append(Write("create", _path(reference), data))

    def set(
        self, reference: _Reference | str, data: Mapping[str, Any], merge: bool = False
    ) -> None:
        self.writes.append(Write("set", _path(reference), data, merge))

    def update(
        self, reference: _Reference | str, data: Mapping[str, Any], option: Any = None
    ) -> None:
        self.writes.append(Write("update", _path(reference), data))

    def delete(self, reference: _Reference | str, option: Any = None) -> None:
        self.writes.append(Write("delete", _path(reference), {}))

    def commit(self) -> list[Any]:
        raise _Recorded(self.writes)


class _RecordingClient:
    """What `counting.count` uses of a client: document references."""

    project = "audit"

    def document(self, *parts: str) -> _Reference:
        return _Reference("/".join(parts))


def counting_writes(
    tx: LedgerTransaction,
    transaction_id: str,
    listed: Sequence[Candidate],
    earning: counting.Earning | None,
    counted_at: datetime,
    default_keys: Sequence[str],
) -> list[Write]:
    """The writes of the engine's counting commit of `tx` for `listed`, from a zero state."""
    run = Run(cast(Any, _RecordingClient()), now=counted_at, new_batch=cast(Any, _RecordingBatch))
    states = {c.challenge.id: ProgressState() for c in listed}
    try:
        counting.count(run, tx, transaction_id, listed, states, earning, None, default_keys)
    except _Recorded as recorded:
        return recorded.writes
    raise AssertionError("counting.count did not commit")


# --- adding up --------------------------------------------------------------------------------


@dataclass
class Expected:
    """The sums of a user's counted transactions: the user document and each board's entry.

    `increments` holds each field an `Increment` wrote, with its sum, by document path.
    """

    doc: dict[str, Any] = field(default_factory=dict)
    boards: dict[str, dict[str, Any]] = field(default_factory=dict)
    increments: dict[str, dict[Path, float]] = field(default_factory=dict)
    touches: dict[str, dict[Path, int]] = field(default_factory=dict)

    def entries(self) -> dict[int, dict[str, Any]]:
        """The expected progress entries, by challenge id."""
        return progress_repo.entries(self.doc)


def accumulate(
    target: dict[str, Any],
    body: Mapping[str, Any],
    increments: dict[Path, float],
    touches: dict[Path, int],
    prefix: Path = (),
) -> None:
    """Add a merge body into `target`: increments add up, deletes are skipped, values are set."""
    for key, value in body.items():
        path = (*prefix, key)
        if isinstance(value, Increment):
            target[key] = target.get(key, 0) + value.value
            increments[path] = increments.get(path, 0.0) + float(value.value)
            touches[path] = touches.get(path, 0) + 1
        elif value is _firestore.DELETE_FIELD:
            continue
        elif isinstance(value, Mapping):
            inner = target.get(key)
            if not isinstance(inner, dict):
                inner = target[key] = {}
            accumulate(inner, value, increments, touches, path)
        else:
            target[key] = value


def board_of(path: str) -> str | None:
    """The board of a leaderboard entry's document path."""
    parts = path.split("/")
    if len(parts) == 4 and parts[0] == g.LEADERBOARDS and parts[2] == g.ENTRIES:
        return parts[1]
    return None


def earning_at(
    view: TransactionView, counted_at: datetime, timezone: str
) -> counting.Earning | None:
    """The Gigya earning of a counted transaction, as the engine computed it at `counted_at`."""
    assert view.tx is not None
    return counting.earning_of(view.tx, view.earned, counted_at, timezone)


def add_counted(
    expected: Expected,
    user_id: str,
    view: TransactionView,
    listed: Sequence[Candidate],
    counted_at: datetime,
    timezone: str,
    default_keys: Sequence[str],
) -> None:
    """Add one counted transaction, for the challenges its marker lists, as the engine did."""
    assert view.tx is not None
    gain = earning_at(view, counted_at, timezone)
    user_doc = paths.user_doc(user_id)
    for write in counting_writes(view.tx, view.id, listed, gain, counted_at, default_keys):
        if write.kind != "set":
            continue  # the markers: their existence is what says the transaction was counted
        increments = expected.increments.setdefault(write.path, {})
        touches = expected.touches.setdefault(write.path, {})
        if write.path == user_doc:
            accumulate(expected.doc, write.data, increments, touches)
            continue
        board = board_of(write.path)
        if board is not None:
            accumulate(expected.boards.setdefault(board, {}), write.data, increments, touches)
