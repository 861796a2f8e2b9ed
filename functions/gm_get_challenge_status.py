"""/gm.getChallengeStatus: the user's level, points and ranks in each challenge."""

from __future__ import annotations

from typing import Any

from shared.clients import firestore_client
from shared.clock import utcnow
from shared.gigya.handler import GigyaRequest, gigya_endpoint
from shared.gigya.models import ChallengeStatusParams
from shared.gigya.status import challenge_status


@gigya_endpoint()
def gm_get_challenge_status(req: GigyaRequest) -> dict[str, Any]:
    """The user's achievements in the challenges asked for."""
    query = req.parse(ChallengeStatusParams)
    return challenge_status(firestore_client(), query, utcnow())
