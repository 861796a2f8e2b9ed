"""gm.redeemPoints: take points from pointsCurrent, never below 0, exactly under concurrency."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from google.api_core import exceptions as gexc

from shared.errors import InsufficientPointsError, InvalidArgumentError
from shared.gigya.achievements import number
from shared.gigya.challenges import find
from shared.gigya.models import RedeemPointsParams
from shared.repository import catalog_cache, gigya_repo

if TYPE_CHECKING:
    from google.cloud import firestore

# Each lost attempt is a redeem of the same user and challenge that committed meanwhile.
REDEEM_ATTEMPTS = 25


def redeem_points(db: firestore.Client, query: RedeemPointsParams, now: datetime) -> dict[str, Any]:
    """Redeem `points` in a challenge; 400127 (and nothing changed) when pointsCurrent is less."""
    catalog = catalog_cache.get_catalog(db).catalog
    item = find(catalog, query.challenge)
    if item is None:
        raise InvalidArgumentError(
            f"challenge {query.challenge!r} does not exist", parameter="challenge"
        )
    challenge_id = item.challenge.id if item.challenge else None
    for _ in range(REDEEM_ATTEMPTS):
        total, redeemed, sequence = gigya_repo.redeem_state(db, query.UID, challenge_id)
        current = max(0.0, total - redeemed)
        if query.points > current:
            raise InsufficientPointsError(
                f"{query.points} points asked, {number(current)} available in {item.challenge_id}",
                parameter="points",
            )
        try:
            gigya_repo.record_redeem(
                db,
                query.UID,
                item.key,
                challenge_id,
                query.points,
                sequence + 1,
                now,
                item.challenge_id,
            )
        except gexc.AlreadyExists:
            continue
        return {"pointsCurrent": number(current - query.points)}
    raise gexc.ServiceUnavailable("too many concurrent redeems in this challenge")
