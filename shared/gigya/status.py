"""gm.getChallengeStatus: the user's standing in each challenge, one read of the user document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.catalog.models import Catalog
from shared.gigya import achievements
from shared.gigya.achievements import Language, RenderContext, Standing
from shared.gigya.challenges import GigyaChallenge, named_ids, select
from shared.gigya.models import ChallengeStatusParams
from shared.repository import catalog_cache, gigya_repo, leaderboards_repo
from shared.repository.gigya_repo import GigyaUser
from shared.schema import gigya as g
from shared.schema.gigya import DefaultState, VariantState
from shared.schema.user import ProgressState

if TYPE_CHECKING:
    from google.cloud import firestore


def badge_url(object_name: str | None) -> str | None:
    """A badge's signed URL (cached per object), or None without a badge."""
    if object_name is None:
        return None
    from shared.images.signed_urls import signed_url

    return signed_url(object_name)


@dataclass(frozen=True)
class UserStanding:
    """One user's standing in one Gigya challenge, with the board its ranks come from."""

    standing: Standing
    board: str


def standing_of(
    item: GigyaChallenge,
    state: ProgressState,
    default: dict[str, Any],
    catalog: Catalog,
    language: Language,
    variant: str | None,
) -> UserStanding:
    """The standing in `item`, through `variant` when one is asked for."""
    challenge = item.challenge
    if challenge is None:
        stored = DefaultState.decode(default)
        if variant is None:
            standing = achievements.default_standing(
                catalog.defaultChallenge, stored.points, stored.periods, stored.ack_level or 0
            )
        else:
            found = stored.variants.get(variant, VariantState())
            standing = achievements.default_standing(
                catalog.defaultChallenge, found.points, found.periods, None
            )
        return UserStanding(standing, g.board_id(item.key, variant))
    if variant is None:
        standing = achievements.challenge_standing(challenge, state, catalog, language)
    else:
        found = state.variants.get(variant, VariantState())
        standing = achievements.variant_standing(challenge, found, catalog)
    return UserStanding(standing, g.board_id(item.key, variant))


def shown_to(user: GigyaUser) -> Any:
    """Whether a Gigya challenge is shown to this user."""

    def shown(item: GigyaChallenge) -> bool:
        if item.challenge is None:
            return True
        return achievements.is_shown(item.challenge, user.state(item.challenge.id))

    return shown


def challenge_status(
    db: firestore.Client, query: ChallengeStatusParams, now: datetime
) -> dict[str, Any]:
    """The `UID` and `achievements` of gm.getChallengeStatus."""
    view = catalog_cache.get_catalog(db)
    catalog = view.catalog
    language = Language(query.lang, catalog.defaultLanguage)
    # Only the challenges asked for are fetched, unless every one is.
    user = gigya_repo.read_user(db, query.UID, named_ids(catalog, query.includeChallenges))
    chosen = select(catalog, query.includeChallenges, query.excludeChallenges, shown_to(user))
    variant = query.variant
    default = dict(user.default)
    standings = [
        standing_of(
            item,
            user.state(item.challenge.id) if item.challenge else ProgressState(),
            default,
            catalog,
            language,
            variant,
        )
        for item in chosen
    ]
    tables = leaderboards_repo.rank_tables(db, [s.board for s in standings])
    ctx = RenderContext(
        now=now,
        language=language,
        image_url=badge_url,
        full=query.details == "full",
        points_this_month="pointsThisMonth" in query.extraFields,
        timezone=catalog.timezone,
    )
    rendered = []
    for item in standings:
        table = tables[item.board]
        standing = item.standing
        rank = table.rank(standing.points_total)
        week = standing.points_7days(now)
        rendered.append(achievements.render(standing, rank, table.rank_week(week), ctx, week))
    return {"UID": query.UID, "achievements": rendered}
