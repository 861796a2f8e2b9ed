"""infra/firestore.indexes.json: fields nothing queries are exempt from single-field indexing."""

from __future__ import annotations

import json

from shared.schema import gigya as schema
from tests.conftest import ROOT


def _overrides() -> dict[tuple[str, str], dict]:
    data = json.loads((ROOT / "infra" / "firestore.indexes.json").read_text())
    return {(o["collectionGroup"], o["fieldPath"]): o for o in data["fieldOverrides"]}


def test_the_user_documents_maps_are_not_indexed() -> None:
    # Hundreds of nested values per user (entries, their listing mirror, Gigya points by hour):
    # indexing them costs writes and nears the per-document index-entry limit, and no query
    # reads them.
    from shared.schema import paths
    from shared.schema import user as user_schema

    for field in (user_schema.CHALLENGES, user_schema.LISTING, user_schema.GIGYA):
        override = _overrides()[(paths.USERS, field)]
        assert override["indexes"] == []
        assert not override.get("ttl")


def test_nonces_expire_by_ttl() -> None:
    assert _overrides()[("authNonces", "expiresAt")]["ttl"] is True


def _composites() -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    data = json.loads((ROOT / "infra" / "firestore.indexes.json").read_text())
    return [
        (
            index["collectionGroup"],
            index["queryScope"],
            tuple((f["fieldPath"], f["order"]) for f in index["fields"]),
        )
        for index in data["indexes"]
    ]


def test_top_lists_have_their_composite_indexes() -> None:
    # shared/repository/leaderboards_repo.top_users: score descending, then who reached it first.
    for score in (schema.ENTRY_TOTAL, schema.ENTRY_FOLDED_WEEK):
        fields = ((score, "DESCENDING"), (schema.ENTRY_REACHED_AT, "ASCENDING"))
        assert (schema.ENTRIES, "COLLECTION", fields) in _composites()


def test_the_rank_refresher_finds_its_work_across_boards() -> None:
    # Collection-group queries on every board's entries: `dirty == true` and `expiresAt <= now`.
    for field in (schema.ENTRY_DIRTY, schema.ENTRY_EXPIRES_AT):
        indexes = _overrides()[(schema.ENTRIES, field)]["indexes"]
        assert {"order": "ASCENDING", "queryScope": "COLLECTION_GROUP"} in indexes


def test_leaderboard_hour_buckets_and_event_times_are_not_indexed() -> None:
    # Up to 192 hour buckets per entry; `reachedAt` grows with every event, a sequential value
    # that would make one hot index range of a busy board.
    for field in (schema.ENTRY_HOURS, schema.ENTRY_REACHED_AT):
        assert _overrides()[(schema.ENTRIES, field)]["indexes"] == []


def test_a_members_documents_are_found_across_boards_and_pools() -> None:
    # shared/repository/members_repo: collection-group queries for one user's entries and
    # voucher records (docs/OPERATIONS.md).
    from shared.repository import vouchers_repo

    wanted = [
        (schema.ENTRIES, schema.ENTRY_UID),
        (vouchers_repo.CLAIMS, vouchers_repo.USER_ID),
        (vouchers_repo.ASSIGNMENTS, vouchers_repo.USER_ID),
        (vouchers_repo.CODES, vouchers_repo.TAKEN_BY),
    ]
    for group, field in wanted:
        indexes = _overrides()[(group, field)]["indexes"]
        assert {"order": "ASCENDING", "queryScope": "COLLECTION_GROUP"} in indexes
