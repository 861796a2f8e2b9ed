"""/gm.getActionConfig: the actions, their points and caps."""

from __future__ import annotations

from typing import Any

from shared.clients import firestore_client
from shared.gigya.configuration import action_config
from shared.gigya.handler import GigyaRequest, gigya_endpoint
from shared.gigya.models import ActionConfigParams


@gigya_endpoint()
def gm_get_action_config(req: GigyaRequest) -> dict[str, Any]:
    """The configuration of the actions asked for."""
    query = req.parse(ActionConfigParams)
    return action_config(firestore_client(), query)
