"""GET /api/v{1,2}/Integration/GetPrizesHistory: the user's claimed milestones, paged."""

from __future__ import annotations

from shared.api.models import HistoryQuery, PrizesHistoryPage
from shared.api.reads import prizes_history
from shared.clients import firestore_client
from shared.http.handler import IntegrationRequest, integration_endpoint


@integration_endpoint(methods=("GET",))
def get_prizes_history(req: IntegrationRequest) -> PrizesHistoryPage:
    """The user's claimed milestones, newest first."""
    query = req.parse(HistoryQuery)
    user_id = req.caller.resolve_user(query.UserId)
    return prizes_history(firestore_client(), user_id, query, req.language)
