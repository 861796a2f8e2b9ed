"""The read API's use cases: each reads what it needs (cached where it can) and builds a view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from shared.api import views
from shared.api.listing import entries_for_page, is_listed, paginate, select_challenges
from shared.api.models import (
    ChallengeDetails,
    ChallengesPage,
    ChallengesQuery,
    ClaimedMilestone,
    HistoryQuery,
    OrderField,
    PrizesHistoryPage,
)
from shared.api.ordering import ordered_candidates
from shared.catalog.models import Challenge
from shared.clock import utcnow
from shared.enums import RewardType
from shared.errors import InvalidArgumentError, NotFoundError
from shared.progress.state import ProgressState
from shared.repository import catalog_cache, prizes_repo, progress_reads, stats_cache
from shared.repository.catalog_cache import CatalogView

if TYPE_CHECKING:
    from google.cloud import firestore

DETAILS_ENDPOINT = "GetDetailsById"
BADGE_DETAILS_ENDPOINT = "GetBadgeDetailsById"
# A page needing more entries than this reads them all: a long read mask costs Firestore (the
# emulator measurably) more than the entries it leaves out.
MASKED_ENTRIES_LIMIT = 50


def endpoint_for(reward_type: RewardType) -> str:
    """The details endpoint that serves challenges of this reward type."""
    return BADGE_DETAILS_ENDPOINT if reward_type is RewardType.BADGE else DETAILS_ENDPOINT


def image_url(challenge: Challenge) -> str | None:
    """The challenge image's signed URL (cached per object), or None without an image."""
    object_name = challenge.image_object()
    if object_name is None:
        return None
    from shared.images.signed_urls import signed_url

    return signed_url(object_name)


def _context(
    db: firestore.Client, catalog: CatalogView, language: str, now: datetime
) -> views.ViewContext:
    return views.ViewContext(
        language=language,
        default_language=catalog.catalog.defaultLanguage,
        now=now,
        categories={c.id: c for c in catalog.catalog.categories},
        people_finished=stats_cache.people_finished(db),
        image_url=image_url,
    )


def list_challenges(
    db: firestore.Client,
    user_id: str,
    query: ChallengesQuery,
    language: str,
    now: datetime | None = None,
) -> ChallengesPage:
    """GetProgressChallengesInfoForUser: one Firestore read (the user document) when warm.

    Unless the order is by progress, the read is of the page's entries and the `listing`
    mirror only (docs/DESIGN.md, "The list's read"); by progress, of every entry.
    """
    catalog = catalog_cache.get_catalog(db)
    ctx = _context(db, catalog, language, now or utcnow())
    if query.OrderBy is not OrderField.PROGRESS:
        # No order but progress depends on the user: sorted before the read.
        ordered = ordered_candidates(
            catalog.catalog.challenges,
            ctx,
            category_id=query.CategoryId,
            search=query.SearchQuery,
            order=query.OrderBy,
            ascending=query.IsAscending,
        )
        needed = entries_for_page(ordered, ctx.now, query.Page, query.ItemsPerPage)
        if len(needed) <= MASKED_ENTRIES_LIMIT:
            facts = progress_reads.user_progress(db, user_id, needed)
            chosen = [c for c in ordered if is_listed(c, facts, ctx.now)]
            return _page(chosen, user_id, query, facts, ctx)
    states = progress_reads.user_progress(db, user_id)
    chosen = select_challenges(
        catalog.catalog.challenges,
        states,
        ctx,
        category_id=query.CategoryId,
        search=query.SearchQuery,
        order=query.OrderBy,
        ascending=query.IsAscending,
    )
    return _page(chosen, user_id, query, states, ctx)


def _page(
    chosen: list[Challenge],
    user_id: str,
    query: ChallengesQuery,
    states: Mapping[int, ProgressState],
    ctx: views.ViewContext,
) -> ChallengesPage:
    page = paginate(chosen, query.Page, query.ItemsPerPage)
    return ChallengesPage(
        data=[views.list_item(c, user_id, states, ctx) for c in page],
        pagesNum=query.Page,
        count=len(chosen),
    )


def challenge_details(
    db: firestore.Client,
    user_id: str,
    challenge_id: int,
    endpoint: str,
    language: str,
    now: datetime | None = None,
) -> ChallengeDetails:
    """GetDetailsById / GetBadgeDetailsById for one challenge; the endpoint must match its type."""
    catalog = catalog_cache.get_catalog(db)
    challenge = catalog.by_id.get(challenge_id)
    if challenge is None or not challenge.visible:
        raise NotFoundError(f"ChallengeId {challenge_id} does not exist", parameter="ChallengeId")
    right = endpoint_for(challenge.rewardType)
    if right != endpoint:
        raise InvalidArgumentError(
            f"ChallengeId {challenge_id} is a {challenge.rewardType.name.lower()} challenge; "
            f"read it with {right}",
            parameter="ChallengeId",
        )
    parent = (
        catalog.by_id.get(challenge.parentChallengeId)
        if challenge.parentChallengeId is not None
        else None
    )
    ids = [challenge.id] + ([parent.id] if parent is not None else [])
    states = progress_reads.progress_of(db, user_id, ids)
    ctx = _context(db, catalog, language, now or utcnow())
    return views.details(challenge, parent, user_id, states, ctx)


def claim_prize(
    db: firestore.Client,
    user_id: str,
    milestone_id: int,
    language: str,
    now: datetime | None = None,
) -> ClaimedMilestone:
    """ClaimPrize: claim once; a repeated claim returns the same result."""
    moment = now or utcnow()
    record = prizes_repo.claim_milestone(db, user_id, milestone_id, moment)
    catalog = catalog_cache.get_catalog(db)
    ctx = views.ViewContext(
        language=language, default_language=catalog.catalog.defaultLanguage, now=moment
    )
    return views.claimed_milestone(record, catalog.by_id.get(record.challenge_id), ctx)


def prizes_history(
    db: firestore.Client,
    user_id: str,
    query: HistoryQuery,
    language: str,
    now: datetime | None = None,
) -> PrizesHistoryPage:
    """GetPrizesHistory: claimed milestones, newest first."""
    records, total = prizes_repo.prizes_history(db, user_id, query.Page, query.ItemsPerPage)
    catalog = catalog_cache.get_catalog(db)
    ctx = views.ViewContext(
        language=language, default_language=catalog.catalog.defaultLanguage, now=now or utcnow()
    )
    return PrizesHistoryPage(
        data=[views.claimed_milestone(r, catalog.by_id.get(r.challenge_id), ctx) for r in records],
        pagesNum=query.Page,
        count=total,
    )
