"""Eventarc trigger: a ledger transaction was created (`transactions/{transactionId}`)."""

from __future__ import annotations

import base64
from typing import Any

import functions_framework
from cloudevents.http.event import CloudEvent
from google.api_core import exceptions as gexc

from shared.clients import firestore_client
from shared.config import get_settings
from shared.deadlines import event_budget
from shared.engine.chaos import fault_hook
from shared.engine.cloudevent import UndecodableEvent, decode_document_event
from shared.engine.prizes import PrizeNotIssued
from shared.engine.process import dead_letter, process_transaction
from shared.engine.run import RETRYABLE
from shared.engine.settling import SettleDidNotConverge
from shared.errors import UnavailableError
from shared.logs import configure, get_logger

log = get_logger(__name__)
# Worth another delivery: backends down, slow (the event's deadline spent) or contended,
# credentials being fixed. Anything else (InvalidArgument, a bug) would fail the same way
# forever, so it is dead-lettered instead.
_TRANSIENT: tuple[type[BaseException], ...] = (
    *RETRYABLE,
    UnavailableError,
    gexc.ServerError,
    gexc.PermissionDenied,
    gexc.Unauthenticated,
    gexc.RetryError,
    ConnectionError,
    TimeoutError,
    PrizeNotIssued,
    SettleDidNotConverge,
)
# How much of an undecodable payload the dead letter keeps, for diagnosis.
_PAYLOAD_SAMPLE = 2048


def _payload_sample(payload: Any) -> dict[str, Any]:
    if isinstance(payload, bytes | bytearray):
        return {"payloadBase64": base64.b64encode(bytes(payload[:_PAYLOAD_SAMPLE])).decode()}
    return {"payloadRepr": repr(payload)[:_PAYLOAD_SAMPLE]}


@functions_framework.cloud_event
def on_transaction_created(cloud_event: CloudEvent) -> None:
    """Count a new ledger transaction; malformed ones are dead-lettered and acknowledged.

    Backend failures raise, so that Eventarc delivers the event again; so does a backend that
    does not answer within EVENT_DEADLINE_SECONDS in all.
    """
    with event_budget():
        _count(cloud_event)


def _count(cloud_event: CloudEvent) -> None:
    settings = get_settings()
    configure(settings.project, settings.log_json)
    db = firestore_client()
    event_id = str(cloud_event["id"])
    try:
        event = decode_document_event(cloud_event.data)
    except UndecodableEvent as error:
        outcome = dead_letter(db, event_id, str(error), None, _payload_sample(cloud_event.data))
        log.warning("undecodable event dead-lettered", extra={"fields": outcome.log_fields()})
        return
    try:
        outcome = process_transaction(db, event.document_id, event.data, faults=fault_hook())
    except _TRANSIENT:
        log.exception("transaction not processed; the event will be delivered again")
        raise
    except Exception as error:
        # A bug must not become a crash loop: record it with the data and acknowledge.
        log.exception("transaction processing failed; dead-lettered")
        reason = f"internal error: {type(error).__name__}: {error}"
        dead_letter(db, event.document_id, reason, event.document_id, event.data)
        return
    log.info("transaction processed", extra={"fields": outcome.log_fields()})
