"""/gm.resetLevelStatus: isNewLevel back to false in the challenges named."""

from __future__ import annotations

from typing import Any

from shared.clients import firestore_client
from shared.gigya.handler import GigyaRequest, gigya_endpoint
from shared.gigya.models import ResetLevelStatusParams
from shared.gigya.reset import reset_level_status


@gigya_endpoint()
def gm_reset_level_status(req: GigyaRequest) -> dict[str, Any]:
    """Acknowledge the user's new levels."""
    query = req.parse(ResetLevelStatusParams)
    reset_level_status(firestore_client(), query)
    return {}
