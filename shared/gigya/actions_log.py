"""gm.getActionsLog: the user's counted actions and redeems in a time frame."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.gigya.achievements import number
from shared.gigya.envelope import gigya_time
from shared.gigya.models import ActionsLogParams
from shared.repository import gigya_repo
from shared.schema.gigya import DEFAULT_CHALLENGE
from shared.schema.ledger import ActionRecord

if TYPE_CHECKING:
    from google.cloud import firestore

# The most entries one call returns, of each kind (actions, redeems).
LOG_LIMIT = 1000
REDEEM_ACTION = "_redeemPoints"


def _moment(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def actions_log(db: firestore.Client, query: ActionsLogParams) -> dict[str, Any]:
    """The `actions` of gm.getActionsLog, oldest first; redeems carry negative points."""
    start, end = _moment(query.startTime), _moment(query.endTime)
    entries: list[tuple[datetime, dict[str, Any]]] = []
    for stored in gigya_repo.action_transactions(db, query.UID, start, end, LOG_LIMIT):
        tx = ActionRecord.decode(stored)
        if tx.occurred_at is None:
            continue
        entries.append(
            (
                tx.occurred_at,
                {
                    "time": gigya_time(tx.occurred_at),
                    "actionID": tx.action_id,
                    "points": number(tx.points),
                    "challengeID": DEFAULT_CHALLENGE,
                    "actionAttributes": tx.attributes,
                },
            )
        )
    for redeem in gigya_repo.redeem_log(db, query.UID, start, end, LOG_LIMIT):
        moment = redeem.at
        if not isinstance(moment, datetime):
            continue
        entries.append(
            (
                moment,
                {
                    "time": gigya_time(moment),
                    "actionID": REDEEM_ACTION,
                    "points": -number(redeem.points),
                    "challengeID": redeem.challenge_id,
                },
            )
        )
    entries.sort(key=lambda item: item[0])
    return {"UID": query.UID, "actions": [entry for _, entry in entries]}
