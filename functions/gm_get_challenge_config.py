"""/gm.getChallengeConfig: the challenges, their levels and actions."""

from __future__ import annotations

from typing import Any

from shared.clients import firestore_client
from shared.gigya.configuration import challenge_config
from shared.gigya.handler import GigyaRequest, gigya_endpoint
from shared.gigya.models import ChallengeConfigParams


@gigya_endpoint()
def gm_get_challenge_config(req: GigyaRequest) -> dict[str, Any]:
    """The configuration of the challenges asked for."""
    query = req.parse(ChallengeConfigParams)
    return challenge_config(firestore_client(), query)
