"""/gm.getTopUsers: a challenge's leaderboard, all-time or the last 7 days."""

from __future__ import annotations

from typing import Any

from shared.clients import firestore_client
from shared.clock import utcnow
from shared.gigya.handler import GigyaRequest, gigya_endpoint
from shared.gigya.models import TopUsersParams
from shared.gigya.top_users import top_users


@gigya_endpoint()
def gm_get_top_users(req: GigyaRequest) -> dict[str, Any]:
    """The best users of the challenge (and the caller, with includeSelf)."""
    query = req.parse(TopUsersParams)
    return top_users(firestore_client(), query, utcnow())
