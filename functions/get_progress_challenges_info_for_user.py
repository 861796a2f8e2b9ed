"""GET /api/v{1,2}/Integration/GetProgressChallengesInfoForUser: the user's challenges, paged."""

from __future__ import annotations

from shared.api.models import ChallengesPage, ChallengesQuery
from shared.api.reads import list_challenges
from shared.clients import firestore_client
from shared.http.handler import IntegrationRequest, integration_endpoint


@integration_endpoint(methods=("GET",))
def get_progress_challenges_info_for_user(req: IntegrationRequest) -> ChallengesPage:
    """List the user's challenges with progress: filtered, searched, sorted and paginated."""
    query = req.parse(ChallengesQuery)
    user_id = req.caller.resolve_user(query.UserId)
    return list_challenges(firestore_client(), user_id, query, req.language)
