"""The counting batch: the event marker plus one merge-set of the user document, in one commit.

The marker's `create()` makes a redelivered event fail the whole batch, so a transaction is
counted once (a second marker named by the ledger's `sequence`, when it has one, does the same
for an entry written again under another id). The merge carries at most one `Increment` per
challenge (`challenges.{id}.totals.{counter}`), whose post-increment values come back in the
commit's write result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from google.cloud import firestore as _firestore

from shared.engine.candidates import Candidate
from shared.engine.run import Run
from shared.engine.transaction import LedgerTransaction
from shared.progress.state import COUNTER_FIELD, STATE_FIELD, ProgressState, order_key
from shared.repository import paths, progress_repo


def observed_update(observed: Mapping[str, Any], key: str, value: float) -> dict[str, Any]:
    """The state-map changes for one observed value: write it if it is the latest, prune older.

    Only keys older than the latest one are deleted, so concurrent writers never delete the
    latest value whatever order their writes land in.
    """
    top = max([*observed, key])
    changes: dict[str, Any] = {k: _firestore.DELETE_FIELD for k in observed if k < top}
    if key == top:
        changes[key] = value
    return changes


def progress_fields(
    candidate: Candidate, state: ProgressState, tx: LedgerTransaction, now: Any
) -> dict[str, Any]:
    """The merge for one challenge's progress entry."""
    # The user document names the user and the entry's key the challenge: nothing repeated here.
    fields: dict[str, Any] = {"updatedAt": now}
    contribution = candidate.contribution
    if contribution.cumulative is not None:
        kind, amount = contribution.cumulative
        increment = int(amount) if float(amount).is_integer() else amount
        fields["totals"] = {COUNTER_FIELD[kind]: _firestore.Increment(increment)}
    key = order_key(tx.sequence, tx.occurred_at)
    for kind, value in contribution.states.items():
        changes = observed_update(state.observed.get(kind, {}), key, value)
        if changes:
            fields[STATE_FIELD[kind]] = changes
    return fields


def state_after(
    candidate: Candidate, state: ProgressState, tx: LedgerTransaction, total: float | None
) -> ProgressState:
    """The progress as this commit left it: the returned total and the latest observed states."""
    contribution = candidate.contribution
    if contribution.cumulative is not None and total is not None:
        state = state.with_total(contribution.cumulative[0], float(total))
    key = order_key(tx.sequence, tx.occurred_at)
    observed = {k: dict(v) for k, v in state.observed.items()}
    for kind, value in contribution.states.items():
        values = observed.setdefault(kind, {})
        values[key] = value
        latest = values[max(values)]
        state = state.with_state(kind, float(latest))
    return replace(state, observed=observed)


def count(
    run: Run,
    tx: LedgerTransaction,
    transaction_id: str,
    candidates: Sequence[Candidate],
    states: Mapping[int, ProgressState],
) -> dict[int, ProgressState]:
    """Commit the counting batch; the progress after it per challenge.

    Raises google.api_core.exceptions.AlreadyExists when the event was counted before.
    """
    user_id = tx.userId
    marker = {
        "transactionId": transaction_id,
        "occurredAt": tx.occurred_at,
        "challenges": [c.challenge.id for c in candidates],
        "countedAt": run.now,
    }

    fields = {
        c.challenge.id: progress_fields(c, states[c.challenge.id], tx, run.now) for c in candidates
    }
    increments = {
        c.challenge.id: progress_repo.entry_path(
            c.challenge.id, "totals", COUNTER_FIELD[c.contribution.cumulative[0]]
        )
        for c in candidates
        if c.contribution.cumulative is not None
    }

    def build(batch: _firestore.WriteBatch) -> None:
        event_marker = paths.event_marker_doc(user_id, transaction_id)
        progress_repo.add_marker(run.db, batch, event_marker, marker)
        progress_repo.add_merge(run.db, batch, user_id, fields)
        if tx.sequence is not None:
            # The ledger's per-user sequence names the entry too: the same entry written again
            # under another document id is the same transaction.
            sequence_marker = paths.sequence_marker_doc(user_id, tx.sequence)
            progress_repo.add_marker(run.db, batch, sequence_marker, marker)

    results = run.commit(build)
    totals = progress_repo.transform_values(run.db, results[1], list(increments.values()))
    after: dict[int, ProgressState] = {}
    for candidate in candidates:
        cid = candidate.challenge.id
        path = increments.get(cid)
        total = float(totals[path]) if path is not None else None
        after[cid] = state_after(candidate, states[cid], tx, total)
    return after
