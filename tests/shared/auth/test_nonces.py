"""One use only for message nonces, against the Firestore emulator."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from shared.auth.nonces import nonce_doc, use_nonce

pytestmark = pytest.mark.emulator


def test_first_use_records_the_nonce_with_its_expiry(db) -> None:
    assert use_nonce(db, "acme", "n" * 16, 1_800_000_000.0)
    stored = db.document(nonce_doc("acme", "n" * 16)).get().to_dict()
    assert stored["expiresAt"] == datetime.fromtimestamp(1_800_000_000, UTC)


def test_second_use_is_a_replay_and_other_clients_are_independent(db) -> None:
    assert use_nonce(db, "acme", "n" * 16, 1.0)
    assert not use_nonce(db, "acme", "n" * 16, 1.0)
    assert use_nonce(db, "globex", "n" * 16, 1.0)


def test_concurrent_uses_of_one_nonce_let_exactly_one_through(db) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        results.append(use_nonce(db, "acme", "raced-nonce-000000", 1.0))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 7 + [True]
