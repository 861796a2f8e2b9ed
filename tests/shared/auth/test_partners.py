"""The partner client store and its in-memory cache, against the Firestore emulator."""

from __future__ import annotations

import pytest

from shared.auth import partners
from shared.errors import InternalError

pytestmark = pytest.mark.emulator

KEY = bytes(range(32))


def test_saved_client_is_read_back(db) -> None:
    partners.save_client(db, "acme", KEY, "Acme")
    stored = db.document("partnerClients/acme").get().to_dict()
    assert stored["key"] == partners.encode_key(KEY)
    assert stored["name"] == "Acme"
    assert stored["createdAt"] is not None
    client = partners.get_client(db, "acme")
    assert client is not None and client.key == KEY
    assert "redacted" in repr(client) and KEY.hex() not in repr(client)


def test_known_client_is_cached_for_a_minute(db) -> None:
    partners.save_client(db, "acme", KEY, "Acme")
    assert partners.get_client(db, "acme", now=1000.0) is not None
    db.document("partnerClients/acme").delete()
    assert partners.get_client(db, "acme", now=1059.0) is not None
    assert partners.get_client(db, "acme", now=1061.0) is None


def test_unknown_client_is_remembered_briefly(db) -> None:
    assert partners.get_client(db, "late", now=1000.0) is None
    db.document("partnerClients/late").set({"key": partners.encode_key(KEY), "name": "x"})
    assert partners.get_client(db, "late", now=1004.0) is None
    assert partners.get_client(db, "late", now=1006.0) is not None


def test_reset_cache_forgets(db) -> None:
    partners.save_client(db, "acme", KEY, "Acme")
    assert partners.get_client(db, "acme", now=1000.0) is not None
    db.document("partnerClients/acme").delete()
    partners.reset_cache()
    assert partners.get_client(db, "acme", now=1000.0) is None


def test_saving_rotates_the_key_and_forgets_the_old_one(db) -> None:
    partners.save_client(db, "acme", KEY, "Acme")
    assert partners.get_client(db, "acme").key == KEY  # type: ignore[union-attr]
    partners.save_client(db, "acme", bytes(32), "Acme")
    assert partners.get_client(db, "acme").key == bytes(32)  # type: ignore[union-attr]


def test_a_damaged_key_is_a_server_error(db) -> None:
    db.document("partnerClients/broken").set({"key": "c2hvcnQ=", "name": "x"})
    with pytest.raises(InternalError, match="no valid 32-byte key"):
        partners.get_client(db, "broken")


@pytest.mark.parametrize("client_id", ["", "a/b", "a:b", "x" * 65, "..", ".", "__x__", "a b"])
def test_malformed_ids_are_unknown_without_a_read(client_id: str) -> None:
    # No client passed: a lookup would fail on None, so none may happen.
    assert partners.get_client(None, client_id) is None
    with pytest.raises(ValueError, match="ClientId"):
        partners.save_client(None, client_id, KEY, "x")
