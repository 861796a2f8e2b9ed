"""Completing levels: deciding that one is reached, and the milestone batch that records it.

The milestone's `create()` (its id is derived from user, challenge, cycle and level) is the
compare-and-swap on the user's level: of two settlers of the same level one fails and re-reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as gexc

from shared.catalog.models import Challenge, Level
from shared.engine.prizes import pending_prizes
from shared.engine.run import Run
from shared.engine.transaction import LedgerTransaction
from shared.firestore.writes import Batch
from shared.progress.evaluation import level_met, next_position
from shared.repository import milestones_repo, progress_repo, stats_repo
from shared.repository.keys import milestone_id
from shared.schema import user as schema
from shared.schema.milestones import Milestone, MilestoneEntry, Prize
from shared.schema.user import Counter, ProgressState, decode_entry

# Each lost attempt is a level another event completed meanwhile, so a burst of concurrent
# completions of one user's challenge costs a settler one attempt per level it did not win.
SETTLE_ATTEMPTS = 16
# Stands for "whatever the other counters hold" when asking whether a level could be met.
_UNBOUNDED = 1e300


class SettleDidNotConverge(RuntimeError):
    """Concurrent settlers kept winning; the event is delivered again."""


@dataclass(frozen=True)
class Completion:
    """A level completed by this event: its milestone and the prizes to issue."""

    challenge_id: int
    milestone_id: int
    cycle: int
    level: int
    milestone: Milestone

    @property
    def prizes(self) -> tuple[Prize, ...]:
        """The milestone's prizes as recorded (pending until issued)."""
        return self.milestone.prizes


@dataclass(frozen=True)
class Settled:
    """What settling one challenge gave: a completion or none, and the last state seen."""

    completion: Completion | None
    state: ProgressState


def current_level(challenge: Challenge, state: ProgressState) -> tuple[int, Level]:
    """The index and level the user works on."""
    index = min(state.level, len(challenge.levels) - 1)
    return index, challenge.levels[index]


def level_counters(level: Level) -> set[Counter]:
    """Every counter a level measures."""
    return {t.counter for g in level.groups for t in g.triggers}


def could_complete(level: Level, state: ProgressState, own: set[Counter]) -> bool:
    """Whether the level would be met if every counter other than `own` were met.

    Other counters' values come from the read before the commit and may be stale; when they
    alone stand in the way, a fresh read decides. An event that fed none of the level's counters
    changed nothing the level depends on: whichever event fed them judges it on its own commit's
    values (reading fresh when counters it did not feed stand in the way), so no read here.
    """
    counters = level_counters(level)
    others = counters - own
    if not others or others == counters:
        return False
    for counter in others:
        kind = counter[0]
        if kind.is_cumulative:
            state = state.with_total(counter, state.base(counter) + _UNBOUNDED)
        else:
            state = state.with_state(kind, _UNBOUNDED)
    return level_met(level, state)


def needs_fresh_read(challenge: Challenge, state: ProgressState, own: set[Counter]) -> bool:
    """Whether the level may be met, judged on the commit's values: only a fresh read decides."""
    if state.completed:
        return False
    _, level = current_level(challenge, state)
    return level_met(level, state) or could_complete(level, state, own)


def level_up_fields(
    challenge: Challenge,
    state: ProgressState,
    tx: LedgerTransaction,
    milestone: Milestone,
) -> tuple[dict[str, Any], bool]:
    """The progress merge of a completion, and whether it is the user's first completion."""
    position = next_position(challenge, state)
    # A level without prizes is listed at once; one with prizes once they are issued.
    entry: MilestoneEntry = milestone.entry(None if milestone.prizes else ())
    first = position.finished_cycle and state.cycle == 0 and state.achieved_at is None
    fields = schema.level_up_fields(
        cycle=position.cycle,
        level=position.level,
        levels_reached=position.levels_reached,
        completed=position.completed,
        # Excess does not carry over: the next level counts from the totals as they stand.
        baseline=state.totals,
        action_baseline=state.action_totals,
        milestone=entry,
        achieved_at=tx.occurred_at if first else None,
    )
    return fields, first


def milestone_doc(
    challenge: Challenge, state: ProgressState, tx: LedgerTransaction, now: Any
) -> Milestone:
    """The milestone of the user's current level."""
    index, level = current_level(challenge, state)
    prizes = pending_prizes(level.rewards, now)
    return Milestone(
        milestone_id=milestone_id(tx.userId, challenge.id, state.cycle, index),
        user_id=tx.userId,
        challenge_id=challenge.id,
        cycle=state.cycle,
        level=index,
        created_at=now,
        occurred_at=tx.occurred_at,
        prizes=tuple(prizes),
        issued=not prizes,
    )


def settle(
    run: Run,
    tx: LedgerTransaction,
    challenge: Challenge,
    state: ProgressState,
    own: set[Counter],
    *,
    fresh: bool,
) -> Settled:
    """Complete the user's current level of `challenge` if it is met (at most one level).

    `state` is what the counting commit returned (`fresh=False`: other counters may be stale)
    or a fresh read. A completion is always decided on a fresh read.
    """
    user_id = tx.userId
    reread: Callable[[], ProgressState] = lambda: _reread(run, user_id, challenge.id)  # noqa: E731
    for _ in range(SETTLE_ATTEMPTS):
        if state.completed:
            return Settled(None, state)
        if not fresh:
            if needs_fresh_read(challenge, state, own):
                state, fresh = reread(), True
                continue
            return Settled(None, state)
        _, level = current_level(challenge, state)
        if not level_met(level, state):
            return Settled(None, state)
        milestone = milestone_doc(challenge, state, tx, run.now)
        fields, first = level_up_fields(challenge, state, tx, milestone)
        mid = milestone.milestone_id

        def build(
            batch: Batch,
            milestone: Milestone = milestone,
            fields: dict[str, Any] = fields,
            first: bool = first,
            mid: int = mid,
        ) -> None:
            milestones_repo.add_create(run.db, batch, user_id, mid, milestone)
            progress_repo.add_merge(run.db, batch, user_id, {challenge.id: fields})
            if first:
                stats_repo.add_person_finished(run.db, batch, challenge.id)

        try:
            run.commit(build)
        except gexc.AlreadyExists:
            # Someone settled this level first: look again from where they left it.
            state = reread()
            continue
        run.step("milestone")
        completion = Completion(challenge.id, mid, state.cycle, milestone.level, milestone)
        return Settled(completion, state)
    raise SettleDidNotConverge(f"challenge {challenge.id}: level kept moving under this event")


def _reread(run: Run, user_id: str, challenge_id: int) -> ProgressState:
    run.read()
    return decode_entry(progress_repo.read_one(run.db, user_id, challenge_id))
