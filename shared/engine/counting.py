"""The counting batch: the event marker plus one merge-set of the user document, in one commit.

The marker's `create()` makes a redelivered event fail the whole batch, so a transaction is
counted once (a second marker named by the ledger's `sequence`, when it has one, does the same
for an entry written again under another id). The merge carries one `Increment` per counter a
challenge measures (`challenges.{id}.totals.{counter}`), whose post-increment values come back in
the commit's write result, and the Gigya points of the event: its hour and month buckets, its
variants, the program-wide `_default` challenge (`gigya.default`) and one leaderboard entry per
board it earns points on, in the same commit, so they are counted exactly once too.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from google.cloud import firestore as _firestore

from shared.engine.candidates import Candidate
from shared.engine.run import Run
from shared.engine.transaction import LedgerTransaction
from shared.enums import TransactionType, TriggerKind
from shared.firestore.writes import Batch
from shared.gigya import periods
from shared.progress.state import order_key
from shared.repository import leaderboards_repo, progress_repo
from shared.schema import gigya as g
from shared.schema import paths
from shared.schema import user as schema
from shared.schema.gigya import GigyaPoints, VariantState
from shared.schema.markers import EventMarker
from shared.schema.user import Counter, ProgressState


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


_number = schema.stored_number


@functools.lru_cache(maxsize=4096)
def _totals_field(challenge_id: int, counter: Counter) -> str:
    # Rendered once per challenge and counter: every commit's totals are found by it.
    return schema.totals_path(challenge_id, counter).to_api_repr()


@dataclass(frozen=True)
class Earning:
    """The Gigya side of an event: its points, buckets and variants, when it earns points."""

    points: float
    hour: str
    month: str
    keep_hour: bool
    now: Any
    attributes: Mapping[str, Any] = field(default_factory=dict)
    action_id: str | None = None
    # The program's timezone: months are kept and pruned in it.
    timezone: str = "UTC"

    def variants(self, keys: Sequence[str]) -> list[str]:
        """The variant ids of the event for a challenge tracking these attribute keys."""
        found: list[str] = []
        for key in keys:
            value = self.attributes.get(key)
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, str | int | float) and not isinstance(item, bool):
                    found.append(g.variant_id(key, str(item)))
        return list(dict.fromkeys(found))


def earning_of(tx: LedgerTransaction, points: float, now: Any, timezone: str) -> Earning | None:
    """The Gigya earning of a transaction worth `points`, or None when it earns nothing."""
    if points <= 0 and tx.type is not TransactionType.ACTION:
        return None
    moment = tx.occurred_at
    keep = periods.epoch_hour(moment) >= periods.epoch_hour(now) - periods.KEEP_HOURS
    return Earning(
        points=points,
        hour=periods.hour_key(moment),
        month=periods.month_key(moment, timezone),
        keep_hour=keep,
        now=now,
        attributes=dict(tx.attributes or {}) if tx.type is TransactionType.ACTION else {},
        action_id=tx.actionId if tx.type is TransactionType.ACTION else None,
        timezone=timezone,
    )


def period_fields(
    earning: Earning, stored: GigyaPoints, points: float | None = None
) -> dict[str, Any]:
    """Hour and month buckets of one earning (of `points` when given), pruning stale buckets."""
    points = earning.points if points is None else points
    if points <= 0:
        return {}
    amount = _number(points)
    hours: dict[str, Any] = {
        k: _firestore.DELETE_FIELD for k in periods.stale_hours(stored.hours, earning.now)
    }
    if earning.keep_hour:
        hours[earning.hour] = _firestore.Increment(amount)
    months: dict[str, Any] = {
        k: _firestore.DELETE_FIELD
        for k in periods.stale_months(stored.months, earning.now, earning.timezone)
    }
    months.pop(earning.month, None)
    months[earning.month] = _firestore.Increment(amount)
    fields: dict[str, Any] = {g.MONTHS: months}
    if hours:
        fields[g.HOURS] = hours
    return fields


def variant_fields(
    earning: Earning, keys: Sequence[str], stored: Mapping[str, VariantState], counts: bool
) -> dict[str, Any]:
    """The variants' merge of one earning: points, buckets and (for a challenge) the count."""
    variants: dict[str, Any] = {}
    for vid in earning.variants(keys):
        state = stored.get(vid, VariantState())
        entry = period_fields(earning, state.periods)
        if earning.points > 0:
            entry[g.POINTS] = _firestore.Increment(_number(earning.points))
        if counts and earning.action_id is not None:
            entry[g.ACTIONS] = {earning.action_id: _firestore.Increment(1)}
        if entry:
            variants[vid] = entry
    return variants


def progress_fields(
    candidate: Candidate, state: ProgressState, tx: LedgerTransaction
) -> dict[str, Any]:
    """The merge for one challenge's progress entry."""
    # The user document names the user and the entry's key the challenge: nothing repeated here.
    contribution = candidate.contribution
    increments = {
        counter: _firestore.Increment(_number(amount))
        for counter, amount in contribution.cumulative.items()
    }
    key = order_key(tx.sequence, tx.occurred_at)
    observed = {
        kind: observed_update(state.observed.get(kind, {}), key, value)
        for kind, value in contribution.states.items()
    }
    return schema.counted_fields(increments, observed)


def gigya_fields(candidate: Candidate, state: ProgressState, earning: Earning) -> dict[str, Any]:
    """The merge of one challenge's Gigya points state (`gigya.challenges.{id}`)."""
    contribution = candidate.contribution
    fields = period_fields(earning, state.points, contribution.points)
    if not candidate.challenge.variantAttributes:
        return fields
    challenge_earning = replace(earning, points=contribution.points)
    variants = variant_fields(
        challenge_earning,
        candidate.challenge.variantAttributes,
        state.variants,
        counts=(TriggerKind.PERFORMED_ACTION, earning.action_id) in contribution.cumulative,
    )
    if variants:
        fields[g.VARIANTS] = variants
    return fields


def default_fields(
    earning: Earning, stored: Mapping[str, Any] | None, keys: Sequence[str]
) -> dict[str, Any]:
    """The merge of `gigya.default`: the program-wide challenge's points of one earning."""
    if earning.points <= 0:
        return {}
    fields = period_fields(earning, GigyaPoints.decode(stored))
    fields[g.POINTS] = _firestore.Increment(_number(earning.points))
    variants = variant_fields(earning, keys, g.decode_variants(stored), counts=False)
    if variants:
        fields[g.VARIANTS] = variants
    return fields


def boards_of(
    candidates: Sequence[Candidate], earning: Earning | None, default_keys: Sequence[str]
) -> dict[str, float]:
    """The leaderboards an event earns points on, with the points on each."""
    if earning is None:
        return {}
    boards: dict[str, float] = {}
    if earning.points > 0:
        boards[g.board_id(g.DEFAULT_CHALLENGE)] = earning.points
        for vid in earning.variants(default_keys):
            boards[g.board_id(g.DEFAULT_CHALLENGE, vid)] = earning.points
    for candidate in candidates:
        points = candidate.contribution.points
        if points <= 0:
            continue
        key = str(candidate.challenge.id)
        boards[g.board_id(key)] = points
        for vid in earning.variants(candidate.challenge.variantAttributes):
            boards[g.board_id(key, vid)] = points
    return boards


def state_after(
    candidate: Candidate,
    state: ProgressState,
    tx: LedgerTransaction,
    totals: Mapping[Counter, float],
) -> ProgressState:
    """The progress as this commit left it: the returned totals and the latest observed states."""
    contribution = candidate.contribution
    kinds = dict(state.totals)
    actions = dict(state.action_totals)
    for counter in contribution.cumulative:
        if counter in totals:
            kind, action = counter
            if kind is TriggerKind.PERFORMED_ACTION:
                actions[action or ""] = float(totals[counter])
            else:
                kinds[kind] = float(totals[counter])
    if not contribution.states:
        return state.evolve(totals=kinds, action_totals=actions)
    key = order_key(tx.sequence, tx.occurred_at)
    observed = {k: dict(v) for k, v in state.observed.items()}
    states = dict(state.states)
    for kind, value in contribution.states.items():
        values = observed.setdefault(kind, {})
        values[key] = value
        states[kind] = float(values[max(values)])
    return state.evolve(totals=kinds, action_totals=actions, observed=observed, states=states)


def count(
    run: Run,
    tx: LedgerTransaction,
    transaction_id: str,
    candidates: Sequence[Candidate],
    states: Mapping[int, ProgressState],
    earning: Earning | None = None,
    stored_default: Mapping[str, Any] | None = None,
    default_keys: Sequence[str] = (),
    *,
    new_document: bool = False,
) -> dict[int, ProgressState]:
    """Commit the counting batch; the progress after it per challenge.

    `new_document`: the event's read found no user document, so this write creates it.

    Raises google.api_core.exceptions.AlreadyExists when the event was counted before.
    """
    user_id = tx.userId
    marker = EventMarker.of(
        transaction_id, tx.occurred_at, [c.challenge.id for c in candidates], run.now
    )
    fields = {c.challenge.id: progress_fields(c, states[c.challenge.id], tx) for c in candidates}
    gigya: dict[str, Any] = {}
    if earning is not None:
        default = default_fields(earning, stored_default, default_keys)
        if default:
            gigya[g.DEFAULT] = default
        by_challenge = {
            str(c.challenge.id): points
            for c in candidates
            if (points := gigya_fields(c, states[c.challenge.id], earning))
        }
        if by_challenge:
            gigya[g.CHALLENGES] = by_challenge
    boards = boards_of(candidates, earning, default_keys)
    body = schema.merge_body(
        user_id, fields, gigya or None, counted_at=run.now, complete=new_document
    )

    def build(batch: Batch) -> None:
        event_marker = paths.event_marker_doc(user_id, transaction_id)
        progress_repo.add_marker(run.db, batch, event_marker, marker)
        progress_repo.add_merge_data(run.db, batch, user_id, body)
        if tx.sequence is not None:
            # The ledger's per-user sequence names the entry too: the same entry written again
            # under another document id is the same transaction.
            sequence_marker = paths.sequence_marker_doc(user_id, tx.sequence)
            progress_repo.add_marker(run.db, batch, sequence_marker, marker)
        if earning is not None:
            for board, points in boards.items():
                leaderboards_repo.add_points(
                    run.db, batch, board, user_id, points, earning.hour, run.now
                )

    results = run.commit(build)
    # The merge is the batch's second write; its increments' totals come back by field path.
    values = results[1].values
    after: dict[int, ProgressState] = {}
    for candidate in candidates:
        cid = candidate.challenge.id
        totals: dict[Counter, float] = {}
        for counter in candidate.contribution.cumulative:
            path = _totals_field(cid, counter)
            if path in values:
                totals[counter] = float(values[path])
        after[cid] = state_after(candidate, states[cid], tx, totals)
    return after
