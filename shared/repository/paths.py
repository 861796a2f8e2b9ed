"""Collection and document paths: shared/schema/paths.py's, named here for the repositories."""

from __future__ import annotations

from shared.schema.paths import (
    AUTH_NONCES,
    CATEGORIES,
    CHALLENGE_STATS,
    CHALLENGES,
    DEAD_LETTERS,
    PARTNER_CLIENTS,
    PEOPLE_FINISHED_SHARDS,
    STATS_SHARDS,
    TRANSACTIONS,
    USERS,
    VOUCHER_POOLS,
    event_marker_doc,
    milestone_doc,
    milestones_collection,
    sequence_marker_doc,
    user_doc,
)

__all__ = [
    "AUTH_NONCES",
    "CATEGORIES",
    "CHALLENGES",
    "CHALLENGE_STATS",
    "DEAD_LETTERS",
    "PARTNER_CLIENTS",
    "PEOPLE_FINISHED_SHARDS",
    "STATS_SHARDS",
    "TRANSACTIONS",
    "USERS",
    "VOUCHER_POOLS",
    "event_marker_doc",
    "milestone_doc",
    "milestones_collection",
    "sequence_marker_doc",
    "user_doc",
]
