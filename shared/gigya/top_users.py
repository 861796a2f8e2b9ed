"""gm.getTopUsers: a board's best users, each with their achievement in that challenge."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.errors import InvalidArgumentError
from shared.gigya import achievements
from shared.gigya.achievements import Language, RenderContext
from shared.gigya.challenges import find
from shared.gigya.models import TopUsersParams
from shared.gigya.status import badge_url, standing_of
from shared.repository import catalog_cache, gigya_repo, leaderboards_repo
from shared.schema import gigya as g

if TYPE_CHECKING:
    from google.cloud import firestore


def top_users(db: firestore.Client, query: TopUsersParams, now: datetime) -> dict[str, Any]:
    """The `users` of gm.getTopUsers: rank, UID and the challenge's achievement of each."""
    view = catalog_cache.get_catalog(db)
    catalog = view.catalog
    item = find(catalog, query.challenge)
    if item is None:
        raise InvalidArgumentError(
            f"challenge {query.challenge!r} does not exist", parameter="challenge"
        )
    variant = query.variant
    board = g.board_id(item.key, variant)
    listed = leaderboards_repo.top_users(db, board, query.period, query.totalCount)
    uids = [entry.uid for entry in listed]
    self_uid = query.UID if query.includeSelf else None
    if self_uid is not None and self_uid not in uids:
        uids.append(self_uid)
    states = gigya_repo.read_users(db, uids, item.challenge.id if item.challenge else None)
    table = leaderboards_repo.rank_tables(db, [board])[board]
    language = Language(query.lang, catalog.defaultLanguage)
    ctx = RenderContext(
        now=now,
        language=language,
        image_url=badge_url,
        full=query.details == "full",
        timezone=catalog.timezone,
    )
    users: list[dict[str, Any]] = []
    ranks = {entry.uid: entry.rank for entry in listed}
    for uid in uids:
        state, default = states[uid]
        standing = standing_of(item, state, dict(default), catalog, language, variant).standing
        rank = table.rank(standing.points_total)
        week = standing.points_7days(now)
        rank_week = table.rank_week(week)
        own = rank if query.period == "all" else rank_week
        users.append(
            {
                "UID": uid,
                "rank": ranks.get(uid, own),
                "achievements": [achievements.render(standing, rank, rank_week, ctx, week)],
            }
        )
    return {"users": users}
