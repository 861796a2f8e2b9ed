"""/gm.redeemPoints: take points from the user's pointsCurrent in a challenge."""

from __future__ import annotations

from typing import Any

from shared.clients import firestore_client
from shared.clock import utcnow
from shared.gigya.handler import GigyaRequest, gigya_endpoint
from shared.gigya.models import RedeemPointsParams
from shared.gigya.redeem import redeem_points


@gigya_endpoint()
def gm_redeem_points(req: GigyaRequest) -> dict[str, Any]:
    """Redeem points; 400127 and nothing changed when the user has fewer."""
    query = req.parse(RedeemPointsParams)
    return redeem_points(firestore_client(), query, utcnow())
