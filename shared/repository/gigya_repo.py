"""The Gigya surface's reads and writes of the user document, its action and redeem logs.

The caps and the redeems need a compare-and-swap without read-modify-write transactions (which
the emulator and Firestore both collapse under contention on one document): each counted
notification of a capped action and each redeem `create()`s the next document of a per-user log,
numbered from a counter the same batch advances in the user document, so of two concurrent
callers that read the same counter exactly one commits (docs/GIGYA.md).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from google.cloud import firestore as _firestore

from shared.enums import TransactionType
from shared.firestore import documents
from shared.firestore.writes import Batch
from shared.repository import progress_repo
from shared.repository.progress_reads import UserProgress
from shared.schema import gigya as g
from shared.schema import ledger, paths
from shared.schema import user as schema
from shared.schema.gigya import ActionCapState, ActionLogEntry, RedeemLogEntry
from shared.schema.user import ProgressState, decode_entry, with_gigya

if TYPE_CHECKING:
    from google.cloud import firestore


@dataclass(frozen=True)
class GigyaUser:
    """A user's state as the Gigya surface reads it: progress, `_default`, action caps."""

    progress: UserProgress
    default: Mapping[str, Any]
    challenges: Mapping[str, Any]
    # Each challenge's state, joined once: a request asks for it to filter, then to render.
    _states: dict[int, ProgressState] = field(default_factory=dict, compare=False, repr=False)

    def state(self, challenge_id: int) -> ProgressState:
        """The progress in one catalog challenge with its Gigya points (zero when absent)."""
        state = self._states.get(challenge_id)
        if state is None:
            # Decoded with its Gigya state in one go: one ProgressState built, not two.
            entry = self.progress.entry(challenge_id)
            state = decode_entry(entry, self.challenges.get(str(challenge_id)))
            self._states[challenge_id] = state
        return state


def read_user(
    db: firestore.Client, user_id: str, challenge_ids: Collection[int] | None = None
) -> GigyaUser:
    """Everything the Gigya reads need of one user, in one round trip.

    With `challenge_ids`, only those challenges' entries and Gigya state are fetched (and
    `_default`'s), not the whole document; each is decoded when first read.
    """
    mask = None
    if challenge_ids is not None:
        mask = [progress_repo.DEFAULT_MASK]
        for challenge_id in challenge_ids:
            mask.append(progress_repo.entry_mask(challenge_id))
            mask.append(progress_repo.gigya_mask(challenge_id))
    fields = documents.get_raw_fields(db, paths.user_doc(user_id), mask)
    default = documents.raw_map(fields, g.GIGYA, g.DEFAULT)
    challenges = documents.raw_map(fields, g.GIGYA, g.CHALLENGES)
    return GigyaUser(
        UserProgress(documents.raw_map(fields, schema.CHALLENGES), db),
        documents.decode_map(default, db) if default is not None else {},
        # A challenge's variants are decoded only if a request names one (most do not).
        documents.LazyMap(challenges, db, deferred=(g.VARIANTS,)) if challenges is not None else {},
    )


def read_users(
    db: firestore.Client, user_ids: Iterable[str], challenge_id: int | None
) -> dict[str, tuple[ProgressState, Mapping[str, Any]]]:
    """Several users' progress in one challenge (or only `_default`), in one round trip."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    mask = [g.default_path().to_api_repr()]
    if challenge_id is not None:
        mask.append(schema.entry_path(challenge_id).to_api_repr())
        mask.append(g.gigya_path(challenge_id).to_api_repr())
    refs = {db.document(paths.user_doc(uid)).path: uid for uid in ids}
    found: dict[str, tuple[ProgressState, Mapping[str, Any]]] = {}
    for snap in db.get_all([db.document(p) for p in refs], field_paths=mask):
        uid = refs[snap.reference.path]
        data = (snap.to_dict() or {}) if snap.exists else {}
        if challenge_id is None:
            state = ProgressState()
        else:
            entry = schema.entries(data).get(challenge_id)
            state = with_gigya(decode_entry(entry), schema.gigya_points_of(data, challenge_id))
        found[uid] = (state, schema.default_of(data))
    return found


def read_action_cap(
    db: firestore.Client, user_id: str, action_id: str
) -> tuple[ActionCapState, bool]:
    """The cap state of one action of one user, and whether the user has no document yet."""
    path = g.action_cap_path(action_id)
    found = documents.get_document(db, paths.user_doc(user_id), [path.to_api_repr()])
    return ActionCapState.decode(schema.action_cap_of(found or {}, action_id)), found is None


def record_capped_action(
    db: firestore.Client,
    user_id: str,
    action_id: str,
    after: ActionCapState,
    transaction_id: str,
    transaction: Mapping[str, Any],
    *,
    new_document: bool = False,
) -> None:
    """Record the `after.count`-th counted notification and its transaction, or AlreadyExists.

    `new_document`: the cap's read found no user document, so this write creates it.
    """
    batch = Batch(db)
    log = g.action_log_doc(paths.user_doc(user_id), action_id, after.count)
    batch.create(db.document(log), ActionLogEntry(transaction_id, after.last_at).encode())
    batch.create(db.document(paths.transaction_doc(transaction_id)), dict(transaction))
    body = schema.merge_body(
        user_id, {}, {g.ACTIONS: {action_id: after.encode()}}, complete=new_document
    )
    progress_repo.add_merge_data(db, batch, user_id, body)
    batch.commit()


def record_transaction(
    db: firestore.Client, transaction_id: str, transaction: Mapping[str, Any]
) -> None:
    """Write an uncapped action's transaction into the ledger collection."""
    db.document(paths.transaction_doc(transaction_id)).create(dict(transaction))


def redeem_state(
    db: firestore.Client, user_id: str, challenge_id: int | None
) -> tuple[float, float, int]:
    """(pointsTotal, redeemed, redeems so far) of a challenge, `_default` when None."""
    if challenge_id is None:
        path = g.default_path()
        doc = documents.get_document(db, paths.user_doc(user_id), [path.to_api_repr()]) or {}
        default = g.DefaultState.decode(schema.default_of(doc))
        total, points = default.points, default.periods
    else:
        mask = [
            schema.entry_path(challenge_id, schema.TOTALS).to_api_repr(),
            g.gigya_path(challenge_id).to_api_repr(),
        ]
        doc = documents.get_document(db, paths.user_doc(user_id), mask) or {}
        total = decode_entry(schema.entries(doc).get(challenge_id)).points_total
        points = g.GigyaPoints.decode(schema.gigya_points_of(doc, challenge_id))
    return total, points.redeemed, points.redeem_seq


def record_redeem(
    db: firestore.Client,
    user_id: str,
    challenge_key: str,
    challenge_id: int | None,
    points: float,
    sequence: int,
    now: datetime,
    label: str,
) -> None:
    """Take `points` as the `sequence`-th redeem of the challenge, or AlreadyExists."""
    batch = Batch(db)
    log = g.redeem_log_doc(paths.user_doc(user_id), challenge_key, sequence)
    batch.create(db.document(log), RedeemLogEntry(label, points, now).encode())
    fields = {g.REDEEMED: _firestore.Increment(points), g.REDEEM_SEQ: _firestore.Increment(1)}
    if challenge_id is None:
        body = schema.merge_body(user_id, {}, {g.DEFAULT: fields})
    else:
        body = schema.merge_body(user_id, {}, {g.CHALLENGES: {str(challenge_id): fields}})
    progress_repo.add_merge_data(db, batch, user_id, body)
    batch.commit()


def reset_levels(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int], default_level: int | None
) -> None:
    """Clear isNewLevel of catalog challenges and acknowledge `_default`'s level; one write."""
    fields = {cid: schema.reset_level_fields() for cid in challenge_ids}
    gigya = {g.DEFAULT: {g.ACK_LEVEL: default_level}} if default_level is not None else None
    db.document(paths.user_doc(user_id)).set(schema.merge_body(user_id, fields, gigya), merge=True)


def redeem_log(
    db: firestore.Client, user_id: str, start: datetime | None, end: datetime | None, limit: int
) -> list[RedeemLogEntry]:
    """The user's redeems between `start` and `end`, oldest first."""
    query: Any = db.collection(f"{paths.user_doc(user_id)}/{g.REDEEM_LOG}")
    if start is not None:
        query = query.where(filter=_firestore.FieldFilter(g.LOG_AT, ">=", start))
    if end is not None:
        query = query.where(filter=_firestore.FieldFilter(g.LOG_AT, "<=", end))
    snaps = query.order_by(g.LOG_AT).limit(limit).stream()
    return [RedeemLogEntry.decode(s.to_dict() or {}) for s in snaps]


def action_transactions(
    db: firestore.Client, user_id: str, start: datetime | None, end: datetime | None, limit: int
) -> list[dict[str, Any]]:
    """The user's Action transactions between `start` and `end`, oldest first (as stored)."""
    query: Any = (
        db.collection(paths.TRANSACTIONS)
        .where(filter=_firestore.FieldFilter(ledger.USER_ID, "==", user_id))
        .where(filter=_firestore.FieldFilter(ledger.TYPE, "==", int(TransactionType.ACTION)))
    )
    if start is not None:
        query = query.where(filter=_firestore.FieldFilter(ledger.OCCURRED_AT, ">=", start))
    if end is not None:
        query = query.where(filter=_firestore.FieldFilter(ledger.OCCURRED_AT, "<=", end))
    return [s.to_dict() or {} for s in query.order_by(ledger.OCCURRED_AT).limit(limit).stream()]
