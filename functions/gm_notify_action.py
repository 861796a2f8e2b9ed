"""/gm.notifyAction: count one action of a user, within its caps."""

from __future__ import annotations

from typing import Any

from shared.clients import firestore_client
from shared.clock import utcnow
from shared.gigya.handler import GigyaRequest, gigya_endpoint
from shared.gigya.models import NotifyActionParams
from shared.gigya.notify import notify_action


@gigya_endpoint()
def gm_notify_action(req: GigyaRequest) -> dict[str, Any]:
    """Record and count the action; 400124 beyond a cap, 400126 for an unknown action."""
    query = req.parse(NotifyActionParams)
    notify_action(firestore_client(), query, utcnow())
    return {}
