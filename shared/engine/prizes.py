"""Issuing a milestone's prizes, each idempotently: points credits, voucher codes, badges."""

from __future__ import annotations

import calendar
import contextlib
import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore as _firestore

from shared.catalog.models import Reward
from shared.engine.run import Run
from shared.enums import DurationType, RewardType, TransactionType
from shared.logs import get_logger
from shared.repository import milestones_repo, paths, progress_repo, vouchers_repo
from shared.repository.keys import prize_key

log = get_logger(__name__)

PENDING = "pending"
ISSUED = "issued"
OUT_OF_STOCK = "outOfStock"
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


def pending_prizes(rewards: Sequence[Reward], created_at: datetime) -> list[dict[str, Any]]:
    """A level's prizes as first recorded; a voucher's `value` names its pool until issued."""
    return [
        {
            "rewardId": reward.rewardId,
            "rewardType": int(reward.rewardType),
            "value": reward.rewardValue,
            "description": dict(reward.description or reward.name),
            "expirationDate": expiration(created_at, reward.duration, reward.durationType),
            "status": PENDING,
        }
        for reward in rewards
    ]


def _points(value: str) -> int | float:
    amount = float(value)
    return int(amount) if amount.is_integer() else amount


def _issue_points(
    run: Run,
    user_id: str,
    challenge_id: int,
    milestone: int,
    prize: Mapping[str, Any],
    created_at: datetime,
) -> dict[str, Any]:
    reward_id = int(prize["rewardId"])
    credit = {
        "userId": user_id,
        "type": int(TransactionType.EARN_POINTS),
        "points": _points(str(prize["value"])),
        "occurredAt": created_at,
        "source": "reward",
        "milestoneId": milestone,
        "challengeId": challenge_id,
        "rewardId": reward_id,
    }
    ref = run.db.document(f"{paths.TRANSACTIONS}/reward-{milestone}-{reward_id}")
    # AlreadyExists: an earlier attempt credited it.
    with contextlib.suppress(gexc.AlreadyExists):
        run.commit(lambda batch: batch.create(ref, credit))
    return {**prize, "status": ISSUED}


def _issue_voucher(
    run: Run, user_id: str, milestone: int, prize: Mapping[str, Any]
) -> dict[str, Any]:
    pool = str(prize["value"])
    key = prize_key(milestone, int(prize["rewardId"]))
    for _ in range(VOUCHER_ATTEMPTS):
        run.read()
        codes = vouchers_repo.free_codes(run.db, pool, CANDIDATE_CODES)
        if not codes:
            # The pool may look empty because this prize already took its code.
            run.read()
            code = vouchers_repo.assigned_code(run.db, pool, key)
            if code is not None:
                return {**prize, "value": code, "status": ISSUED}
            log.warning(
                "voucher pool is out of stock",
                extra={"fields": {"pool": pool, "prizeKey": key, "userId": user_id}},
            )
            return {**prize, "value": None, "status": OUT_OF_STOCK, "expirationDate": None}
        # Candidates in random order spread concurrent claimers over different codes.
        code = random.choice(codes)

        def claim(batch: _firestore.WriteBatch, code: str = code) -> None:
            vouchers_repo.add_claim(run.db, batch, pool, code, key, user_id)

        try:
            run.commit(claim)
            return {**prize, "value": code, "status": ISSUED}
        except (gexc.AlreadyExists, gexc.NotFound):
            run.read()
            assigned = vouchers_repo.assigned_code(run.db, pool, key)
            if assigned is not None:
                return {**prize, "value": assigned, "status": ISSUED}
    raise PrizeNotIssued(f"no voucher code of pool {pool} could be claimed for prize {key}")


def issue_prizes(
    run: Run,
    user_id: str,
    challenge_id: int,
    milestone: int,
    prizes: Sequence[Mapping[str, Any]],
    entry: Mapping[str, Any],
    created_at: datetime,
) -> list[dict[str, Any]]:
    """Issue every pending prize, then mark the milestone issued and list it as unclaimed."""
    issued: list[dict[str, Any]] = []
    for prize in prizes:
        if prize.get("status") != PENDING:
            issued.append(dict(prize))
            continue
        kind = RewardType(int(prize["rewardType"]))
        if kind is RewardType.POINTS:
            result = _issue_points(run, user_id, challenge_id, milestone, prize, created_at)
        elif kind is RewardType.VOUCHER:
            result = _issue_voucher(run, user_id, milestone, prize)
        else:
            result = {**prize, "status": ISSUED}
        issued.append(result)
        run.step(f"prize:{prize['rewardId']}")
    unclaimed = {**entry, "prizes": issued}

    def build(batch: _firestore.WriteBatch) -> None:
        milestones_repo.add_issued(run.db, batch, user_id, milestone, issued)
        progress_repo.add_merge(
            run.db,
            batch,
            user_id,
            {
                challenge_id: {
                    "pending": {str(milestone): _firestore.DELETE_FIELD},
                    "unclaimed": {str(milestone): unclaimed},
                }
            },
        )

    run.commit(build)
    run.step("issued")
    return issued


def issue_stored(run: Run, user_id: str, challenge_id: int, milestone: int) -> list[dict[str, Any]]:
    """Finish a milestone left pending by an earlier, interrupted run."""
    run.read()
    doc = milestones_repo.get_milestone(run.db, user_id, milestone)
    if doc is None:
        # A pending entry always comes with its milestone (same batch); nothing to finish.
        return []
    prizes = list(doc.get("prizes") or [])
    if doc.get("issued"):
        return prizes
    return issue_prizes(
        run, user_id, challenge_id, milestone, prizes, unclaimed_entry(doc), doc["createdAt"]
    )


def unclaimed_entry(milestone_doc: Mapping[str, Any]) -> dict[str, Any]:
    """The `unclaimed.{milestoneId}` entry of a milestone, without its prizes."""
    return {
        "milestoneId": milestone_doc["milestoneId"],
        "level": milestone_doc["level"],
        "cycle": milestone_doc["cycle"],
        "createdAt": milestone_doc["createdAt"],
    }
