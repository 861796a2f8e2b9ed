"""POST /api/v{1,2}/Integration/ClaimPrize: move a milestone's prizes to the history, once."""

from __future__ import annotations

from shared.api.models import ClaimedMilestone, ClaimRequest
from shared.api.reads import claim_prize as claim
from shared.clients import firestore_client
from shared.http.handler import IntegrationRequest, integration_endpoint


@integration_endpoint(methods=("POST",))
def claim_prize(req: IntegrationRequest) -> ClaimedMilestone:
    """Claim a milestone's prizes; claiming again returns the same result."""
    body = req.parse(ClaimRequest)
    user_id = req.caller.resolve_user(body.userId)
    return claim(firestore_client(), user_id, body.milestoneId, req.language)
