"""Issuing a milestone's prizes, each idempotently: points credits, voucher codes, badges."""

from __future__ import annotations

import calendar
import contextlib
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from google.api_core import exceptions as gexc

from shared.catalog.models import Reward
from shared.engine.run import Run
from shared.enums import DurationType, RewardType
from shared.firestore.writes import Batch
from shared.logs import get_logger
from shared.repository import milestones_repo, progress_repo, vouchers_repo
from shared.repository.keys import prize_key
from shared.schema import ledger, paths
from shared.schema import user as schema
from shared.schema.milestones import (
    STATUS_ISSUED,
    STATUS_OUT_OF_STOCK,
    STATUS_PENDING,
    Milestone,
    Prize,
)

log = get_logger(__name__)

# A prize's status (shared/schema/milestones.py).
PENDING = STATUS_PENDING
ISSUED = STATUS_ISSUED
OUT_OF_STOCK = STATUS_OUT_OF_STOCK
CANDIDATE_CODES = 25
VOUCHER_ATTEMPTS = 40


class PrizeNotIssued(RuntimeError):
    """A prize could not be issued this time (contention); the event is delivered again."""


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    # The 31st of a shorter month is its last day.
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def expiration(created_at: datetime, duration: int, duration_type: DurationType) -> datetime | None:
    """`created_at` plus the reward's duration in calendar units; None when it never expires."""
    if duration <= 0:
        return None
    if duration_type is DurationType.DAYS:
        return created_at + timedelta(days=duration)
    if duration_type is DurationType.MONTHS:
        return _add_months(created_at, duration)
    return _add_months(created_at, 12 * duration)


def pending_prizes(rewards: Sequence[Reward], created_at: datetime) -> list[Prize]:
    """A level's prizes as first recorded; a voucher's `value` names its pool until issued."""
    return [
        Prize(
            reward_id=reward.rewardId,
            reward_type=int(reward.rewardType),
            value=reward.rewardValue,
            description=dict(reward.description or reward.name),
            expiration_date=expiration(created_at, reward.duration, reward.durationType),
            status=PENDING,
        )
        for reward in rewards
    ]


def _points(value: str) -> int | float:
    amount = float(value)
    return int(amount) if amount.is_integer() else amount


def _issue_points(run: Run, user_id: str, milestone: Milestone, prize: Prize) -> Prize:
    credit = ledger.reward_credit(
        user_id,
        _points(str(prize.value)),
        milestone.created_at,
        milestone.milestone_id,
        milestone.challenge_id,
        prize.reward_id,
    )
    ref = run.db.document(
        paths.transaction_doc(paths.reward_credit_id(milestone.milestone_id, prize.reward_id))
    )
    # AlreadyExists: an earlier attempt credited it.
    with contextlib.suppress(gexc.AlreadyExists):
        run.commit(lambda batch: batch.create(ref, credit))
    return prize.issued()


def _issue_voucher(run: Run, user_id: str, milestone: int, prize: Prize) -> Prize:
    pool = str(prize.value)
    key = prize_key(milestone, prize.reward_id)
    for _ in range(VOUCHER_ATTEMPTS):
        run.read()
        codes = vouchers_repo.free_codes(run.db, pool, CANDIDATE_CODES)
        if not codes:
            # The pool may look empty because this prize already took its code.
            run.read()
            code = vouchers_repo.assigned_code(run.db, pool, key)
            if code is not None:
                return prize.issued(code)
            log.warning(
                "voucher pool is out of stock",
                extra={"fields": {"pool": pool, "prizeKey": key, "userId": user_id}},
            )
            return prize.out_of_stock()
        # Candidates in random order spread concurrent claimers over different codes.
        code = random.choice(codes)

        def claim(batch: Batch, code: str = code) -> None:
            vouchers_repo.add_claim(run.db, batch, pool, code, key, user_id)

        try:
            run.commit(claim)
            return prize.issued(code)
        except (gexc.AlreadyExists, gexc.NotFound):
            run.read()
            assigned = vouchers_repo.assigned_code(run.db, pool, key)
            if assigned is not None:
                return prize.issued(assigned)
    raise PrizeNotIssued(f"no voucher code of pool {pool} could be claimed for prize {key}")


def issue_prizes(run: Run, user_id: str, milestone: Milestone) -> list[Prize]:
    """Issue every pending prize, then mark the milestone issued and list it as unclaimed."""
    issued: list[Prize] = []
    for prize in milestone.prizes:
        if not prize.pending:
            issued.append(prize)
            continue
        kind = RewardType(prize.reward_type)
        if kind is RewardType.POINTS:
            result = _issue_points(run, user_id, milestone, prize)
        elif kind is RewardType.VOUCHER:
            result = _issue_voucher(run, user_id, milestone.milestone_id, prize)
        else:
            result = prize.issued()
        issued.append(result)
        run.step(f"prize:{prize.reward_id}")
    fields = schema.issued_fields(milestone.entry(issued))

    def build(batch: Batch) -> None:
        milestones_repo.add_issued(run.db, batch, user_id, milestone.milestone_id, issued)
        progress_repo.add_merge(run.db, batch, user_id, {milestone.challenge_id: fields})

    run.commit(build)
    run.step("issued")
    return issued


def issue_stored(run: Run, user_id: str, milestone: int) -> list[Prize]:
    """Finish a milestone left pending by an earlier, interrupted run."""
    run.read()
    stored = milestones_repo.get_milestone(run.db, user_id, milestone)
    if stored is None:
        # A pending entry always comes with its milestone (same batch); nothing to finish.
        return []
    if stored.issued:
        return list(stored.prizes)
    return issue_prizes(run, user_id, stored)
