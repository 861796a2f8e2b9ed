"""infra/firestore.indexes.json: fields nothing queries are exempt from single-field indexing."""

from __future__ import annotations

import json

from tests.conftest import ROOT


def _overrides() -> dict[tuple[str, str], dict]:
    data = json.loads((ROOT / "infra" / "firestore.indexes.json").read_text())
    return {(o["collectionGroup"], o["fieldPath"]): o for o in data["fieldOverrides"]}


def test_the_user_documents_progress_map_is_not_indexed() -> None:
    # Hundreds of nested values per user: indexing them costs writes and nears the
    # per-document index-entry limit, and no query reads them.
    override = _overrides()[("users", "challenges")]
    assert override["indexes"] == []
    assert not override.get("ttl")


def test_nonces_expire_by_ttl() -> None:
    assert _overrides()[("authNonces", "expiresAt")]["ttl"] is True
