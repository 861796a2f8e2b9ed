"""/gm.getActionsLog: a user's counted actions and redeems in a time frame."""

from __future__ import annotations

from typing import Any

from shared.clients import firestore_client
from shared.gigya.actions_log import actions_log
from shared.gigya.handler import GigyaRequest, gigya_endpoint
from shared.gigya.models import ActionsLogParams


@gigya_endpoint()
def gm_get_actions_log(req: GigyaRequest) -> dict[str, Any]:
    """The user's actions log."""
    query = req.parse(ActionsLogParams)
    return actions_log(firestore_client(), query)
