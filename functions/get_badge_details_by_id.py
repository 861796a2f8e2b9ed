"""POST /api/v{1,2}/Integration/GetBadgeDetailsById: a badge challenge in detail (docs/API.md)."""

from __future__ import annotations

from shared.api.models import ChallengeDetails, ChallengeRequest
from shared.api.reads import BADGE_DETAILS_ENDPOINT, challenge_details
from shared.clients import firestore_client
from shared.http.handler import IntegrationRequest, integration_endpoint


@integration_endpoint(methods=("POST",))
def get_badge_details_by_id(req: IntegrationRequest) -> ChallengeDetails:
    """Details of a badge challenge for the user."""
    body = req.parse(ChallengeRequest)
    user_id = req.caller.resolve_user(body.userId)
    return challenge_details(
        firestore_client(), user_id, body.challengeId, BADGE_DETAILS_ENDPOINT, req.language
    )
