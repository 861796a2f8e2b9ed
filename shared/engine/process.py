"""One transaction event, end to end: validate, count, settle levels, issue prizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from google.api_core import exceptions as gexc

from shared.engine import counting, prizes, settling
from shared.engine.candidates import Candidate, candidates_for, contribution_of, is_unlocked
from shared.engine.run import Faults, Run
from shared.engine.transaction import LedgerTransaction, parse_transaction
from shared.enums import TransactionType
from shared.errors import TransactionRejected
from shared.repository import catalog_cache, dead_letters_repo, progress_repo
from shared.repository.catalog_cache import CatalogView
from shared.schema.milestones import Prize
from shared.schema.user import decode_entry

if TYPE_CHECKING:
    from collections.abc import Mapping

    from google.cloud import firestore

COUNTED = "counted"
DUPLICATE = "duplicate"
IGNORED = "ignored"
NOTHING_TO_COUNT = "nothingToCount"
DEAD_LETTERED = "deadLettered"
# How much of data too large for its dead letter the letter's reason keeps.
DATA_SAMPLE_CHARS = 1024


@dataclass
class Outcome:
    """What processing one event did, with its Firestore round trips."""

    transaction_id: str
    status: str
    user_id: str | None = None
    reason: str | None = None
    counted: list[int] = field(default_factory=list)
    milestones: list[int] = field(default_factory=list)
    prizes: list[Prize] = field(default_factory=list)
    reads: int = 0
    commits: int = 0

    @property
    def round_trips(self) -> int:
        """Reads plus commits."""
        return self.reads + self.commits

    def log_fields(self) -> dict[str, Any]:
        """A compact summary for the structured log."""
        return {
            "transactionId": self.transaction_id,
            "status": self.status,
            "userId": self.user_id,
            "reason": self.reason,
            "counted": self.counted,
            "milestones": self.milestones,
            "prizeStatuses": [p.status for p in self.prizes],
            "reads": self.reads,
            "commits": self.commits,
        }


def dead_letter(
    db: firestore.Client, key: str, reason: str, transaction_id: str | None, data: Any
) -> Outcome:
    """Record a malformed event and acknowledge it.

    Data Firestore will not store inside the letter (over 1 MiB with the rest, nested one map
    too deep) is left out, a sample of it kept in the reason: a letter that cannot be written
    would make the event fail, and be delivered again, forever.
    """
    try:
        dead_letters_repo.record_dead_letter(
            db, key, reason=reason, transaction_id=transaction_id, data=data
        )
    except gexc.InvalidArgument as error:
        sample = repr(data)[:DATA_SAMPLE_CHARS]
        reason = f"{reason} (data left out of the letter: {error.message}; it began {sample})"
        dead_letters_repo.record_dead_letter(
            db, key, reason=reason, transaction_id=transaction_id, data=None
        )
    return Outcome(transaction_id or key, DEAD_LETTERED, reason=reason, commits=1)


def process_transaction(
    db: firestore.Client,
    transaction_id: str,
    data: Mapping[str, Any],
    *,
    faults: Faults | None = None,
) -> Outcome:
    """Turn `transactions/{transaction_id}` into progress and rewards; safe to repeat."""
    try:
        tx = parse_transaction(data)
    except TransactionRejected as rejected:
        return dead_letter(db, transaction_id, rejected.reason, transaction_id, dict(data))
    run = Run(db, faults)
    outcome = Outcome(transaction_id, IGNORED, user_id=tx.userId)
    if tx.is_reward:
        outcome.reason = "a reward credit counts toward nothing"
        return outcome
    view = catalog_cache.get_catalog(db)
    action = None
    if tx.type is TransactionType.ACTION:
        action = view.catalog.action(tx.actionId or "")
        if action is None or not action.enabled:
            # The action may have been removed or switched off since it was notified.
            outcome.status = NOTHING_TO_COUNT
            outcome.reason = f"action {tx.actionId!r} is unknown or disabled"
            return outcome
    candidates = candidates_for(view.by_kind, tx, view.by_action, action)
    earning = counting.earning_of(
        tx, contribution_of(tx, action).points, run.now, view.catalog.timezone
    )
    if candidates or earning is not None:
        _count_and_settle(run, tx, transaction_id, candidates, earning, view, outcome)
    else:
        outcome.status = NOTHING_TO_COUNT
    outcome.reads, outcome.commits = run.reads, run.commits
    return outcome


def _count_and_settle(
    run: Run,
    tx: LedgerTransaction,
    transaction_id: str,
    candidates: list[Candidate],
    earning: counting.Earning | None,
    view: CatalogView,
    outcome: Outcome,
) -> None:
    parents = {c.challenge.parentChallengeId for c in candidates} - {None}
    run.read()
    read = progress_repo.read_for_event(
        run.db,
        tx.userId,
        [c.challenge.id for c in candidates] + [p for p in parents if p],
        [c.challenge.id for c in candidates] if earning is not None else [],
    )
    stored_default = read.default
    states = {cid: decode_entry(doc, read.gigya.get(cid)) for cid, doc in read.entries.items()}
    active = [
        c
        for c in candidates
        if not states[c.challenge.id].completed
        and is_unlocked(c.challenge, states.get(c.challenge.parentChallengeId or 0), tx.occurred_at)
    ]
    # A won challenge counts nothing more, but may still owe prizes from an interrupted run.
    counting_ids = {c.challenge.id for c in active}
    for candidate in candidates:
        cid = candidate.challenge.id
        if cid not in counting_ids and states[cid].pending:
            _issue(run, tx.userId, settling.Settled(None, states[cid]), outcome)
    if not active and (earning is None or earning.points <= 0):
        outcome.status = NOTHING_TO_COUNT
        return
    try:
        states.update(
            counting.count(
                run,
                tx,
                transaction_id,
                active,
                states,
                earning,
                stored_default,
                view.catalog.defaultChallenge.variantAttributes,
                new_document=read.absent,
            )
        )
        outcome.status = COUNTED
        outcome.counted = [c.challenge.id for c in active]
        # A completion is decided on a fresh read: one read for every challenge that needs it.
        stale = [
            c.challenge.id
            for c in active
            if settling.needs_fresh_read(
                c.challenge, states[c.challenge.id], c.contribution.counters
            )
        ]
    except gexc.AlreadyExists:
        # Counted by an earlier delivery, which may have died before settling: settle from now.
        outcome.status = DUPLICATE
        stale = [c.challenge.id for c in active]
    fresh = set(stale)
    if stale:
        run.read()
        fresh_docs = progress_repo.read_progress(run.db, tx.userId, stale)
        states.update({cid: decode_entry(doc) for cid, doc in fresh_docs.items()})
    run.step("counted")
    for candidate in active:
        cid = candidate.challenge.id
        if cid not in fresh:
            # The commit's values cannot meet the level (needs_fresh_read said so): nothing to
            # settle, though prizes an interrupted run left pending are still issued.
            if states[cid].pending:
                _issue(run, tx.userId, settling.Settled(None, states[cid]), outcome)
            continue
        settled = settling.settle(
            run, tx, candidate.challenge, states[cid], candidate.contribution.counters, fresh=True
        )
        _issue(run, tx.userId, settled, outcome)


def _issue(run: Run, user_id: str, settled: settling.Settled, outcome: Outcome) -> None:
    done: set[int] = set()
    completion = settled.completion
    if completion is not None:
        outcome.milestones.append(completion.milestone_id)
        done.add(completion.milestone_id)
        if completion.prizes:
            outcome.prizes.extend(prizes.issue_prizes(run, user_id, completion.milestone))
    # Milestones an interrupted run left pending: finish them now.
    pending = {int(k) for k in settled.state.pending}
    for milestone in sorted(pending - done):
        outcome.prizes.extend(prizes.issue_stored(run, user_id, milestone))
