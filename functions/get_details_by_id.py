"""POST /api/v{1,2}/Integration/GetDetailsById: a points or voucher challenge in detail."""

from __future__ import annotations

from shared.api.models import ChallengeDetails, ChallengeRequest
from shared.api.reads import DETAILS_ENDPOINT, challenge_details
from shared.clients import firestore_client
from shared.http.handler import IntegrationRequest, integration_endpoint


@integration_endpoint(methods=("POST",))
def get_details_by_id(req: IntegrationRequest) -> ChallengeDetails:
    """Details of a points or voucher challenge for the user."""
    body = req.parse(ChallengeRequest)
    user_id = req.caller.resolve_user(body.userId)
    return challenge_details(
        firestore_client(), user_id, body.challengeId, DETAILS_ENDPOINT, req.language
    )
