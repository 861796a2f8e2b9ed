"""gm.resetLevelStatus: isNewLevel back to false for the challenges named."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.errors import InvalidArgumentError
from shared.gigya import achievements
from shared.gigya.challenges import find
from shared.gigya.models import ResetLevelStatusParams
from shared.repository import catalog_cache, gigya_repo
from shared.schema.gigya import DefaultState

if TYPE_CHECKING:
    from google.cloud import firestore


def reset_level_status(db: firestore.Client, query: ResetLevelStatusParams) -> None:
    """Acknowledge the levels of each challenge named (one read for `_default`, one write)."""
    catalog = catalog_cache.get_catalog(db).catalog
    challenge_ids: list[int] = []
    default_level: int | None = None
    for name in dict.fromkeys(query.challenges):
        item = find(catalog, name)
        if item is None:
            raise InvalidArgumentError(f"challenge {name!r} does not exist", parameter="challenges")
        if item.challenge is not None:
            challenge_ids.append(item.challenge.id)
            continue
        stored = DefaultState.decode(gigya_repo.read_user(db, query.UID, ()).default)
        default_level = achievements.default_standing(
            catalog.defaultChallenge, stored.points, stored.periods, None
        ).level
    gigya_repo.reset_levels(db, query.UID, challenge_ids, default_level)
