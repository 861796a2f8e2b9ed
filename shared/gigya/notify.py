"""gm.notifyAction: caps checked exactly, the action recorded in the ledger and counted at once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from google.api_core import exceptions as gexc

from shared.engine.process import process_transaction
from shared.enums import TransactionType
from shared.errors import InvalidActionError, LimitReachedError
from shared.gigya import caps
from shared.gigya.models import NotifyActionParams
from shared.logs import get_logger
from shared.repository import catalog_cache, gigya_repo
from shared.schema import ledger

if TYPE_CHECKING:
    from google.cloud import firestore

log = get_logger(__name__)

# Each lost attempt is a notification of the same user and action that counted meanwhile.
RECORD_ATTEMPTS = 25
TRANSACTION_PREFIX = "gm-"


def action_transaction(query: NotifyActionParams, points: float, now: datetime) -> dict[str, Any]:
    """The Action transaction (type 6) a counted notification adds to the ledger collection."""
    return ledger.transaction(
        query.UID,
        TransactionType.ACTION,
        now,
        action_id=query.action,
        attributes=dict(query.actionAttributes or {}),
        points=points,
        origin=ledger.ORIGIN_NOTIFY_ACTION,
    )


def notify_action(db: firestore.Client, query: NotifyActionParams, now: datetime) -> str:
    """Count one notification of an action, or refuse it (unknown, disabled, capped).

    The transaction is counted here, before answering, so a read that follows sees it; the
    Firestore trigger then sees the same transaction and finds it counted (docs/GIGYA.md).
    """
    catalog = catalog_cache.get_catalog(db).catalog
    action = catalog.action(query.action)
    if action is None or not action.enabled:
        raise InvalidActionError(
            f"action {query.action!r} is unknown or disabled", parameter="action"
        )
    transaction_id = f"{TRANSACTION_PREFIX}{uuid.uuid4().hex}"
    data = action_transaction(query, action.points, now)
    if caps.is_capped(action):
        for _ in range(RECORD_ATTEMPTS):
            state, absent = gigya_repo.read_action_cap(db, query.UID, action.actionId)
            reason = caps.refusal(action, state, now, catalog.timezone)
            if reason is not None:
                raise LimitReachedError(reason, parameter="action")
            after = caps.after_one_more(state, now, catalog.timezone)
            try:
                gigya_repo.record_capped_action(
                    db, query.UID, action.actionId, after, transaction_id, data, new_document=absent
                )
                break
            except gexc.AlreadyExists:
                continue
        else:
            raise gexc.ServiceUnavailable("too many concurrent notifications of this action")
    else:
        gigya_repo.record_transaction(db, transaction_id, data)
    try:
        process_transaction(db, transaction_id, data)
    except Exception:
        # Recorded in the ledger: the trigger counts it. Refusing now would invite a retry that
        # counts it twice.
        log.exception("counting a notified action failed; the trigger will count it")
    return transaction_id
