"""A member with data of every kind, for the export and erase tests (shared with the command's)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.catalog.models import VoucherPool
from shared.engine.process import COUNTED, DEAD_LETTERED, process_transaction
from shared.enums import TriggerKind
from shared.repository import prizes_repo
from shared.repository.keys import user_key
from shared.schema import gigya as g
from shared.schema import ledger, paths
from shared.schema.milestones import Milestone
from tests.functions.gigya_client import ACTIONS, DEFAULT, END, START, gigya_challenges
from tests.shared.engine.builders import challenge, install, simple_level, tx, voucher_reward

USER = "+2010/erase%me"  # "/" and "%" make its document id differ from the id
OTHER = "+201000000002"
POOL = "pool"
VOUCHER_CHALLENGE = 6
DEFAULT_BOARD = g.board_id(g.DEFAULT_CHALLENGE)


def install_catalog(db) -> None:
    """The Gigya test catalog plus a challenge whose one level gives a voucher."""
    voucher = challenge(
        VOUCHER_CHALLENGE,
        simple_level(TriggerKind.SUBSCRIBE_VOUCHERS_COUNT, 1, [voucher_reward(1, POOL)]),
        start=START,
        end=END,
    )
    install(
        db,
        [*gigya_challenges(), voucher],
        [VoucherPool(id=POOL, codes=["C1", "C2"])],
        actions=ACTIONS,
        defaultChallenge=DEFAULT,
        languages=["en", "ar"],
    )


def ledger_transaction(db, transaction_id: str, data: dict[str, Any]) -> str:
    """Write a ledger transaction and count it as the trigger would; its outcome status."""
    db.document(paths.transaction_doc(transaction_id)).set(data)
    return process_transaction(db, transaction_id, data).status


def milestone_of(db, user: str, challenge_id: int) -> int:
    stored = [
        Milestone.decode(snap.to_dict() or {})
        for snap in db.collection(paths.milestones_collection(user)).stream()
    ]
    [found] = [m.milestone_id for m in stored if m.challenge_id == challenge_id]
    return found


@pytest.fixture
def member(gm):
    """USER with progress, milestones, a claim, Gigya actions and redeems, entries, a voucher."""
    db = gm.db
    install_catalog(db)
    now = datetime.now(UTC)
    gm.earn(USER, 150, "u-earn")  # challenge 1's first level, `_default`'s first level
    for _ in range(2):  # capped: the action log; challenge 2's first level
        gm.ok("gm.notifyAction", UID=USER, action="comment")
    gm.ok("gm.notifyAction", UID=USER, action="share", actionAttributes={"show": "x"})
    gm.ok("gm.redeemPoints", UID=USER, challenge=g.DEFAULT_CHALLENGE, points=10)
    voucher = tx(USER, 2, now, voucherId="V", sequence=7)
    assert ledger_transaction(db, "u-voucher", voucher) == COUNTED
    prizes_repo.claim_milestone(db, USER, milestone_of(db, USER, 1), now)
    assert ledger_transaction(db, "u-bad", tx(USER, 1, now)) == DEAD_LETTERED
    gm.earn(OTHER, 100, "o-earn")
    gm.refresh_ranks()
    return gm


def all_documents(db) -> Iterator[Any]:
    """Every document in the database, at any depth."""
    for collection in db.collections():
        yield from collection.recursive().stream()


def _values(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item)
    else:
        yield value


def naming(db, user: str) -> list[str]:
    """Paths of the documents outside the ledger that hold the user's id or key."""
    found = []
    for snap in all_documents(db):
        path = snap.reference.path
        if path.split("/")[0] == paths.TRANSACTIONS:
            continue
        segments = path.split("/")
        if user in segments or user_key(user) in segments or user in _values(snap.to_dict()):
            found.append(path)
    return found


def ledger_count(db, user: str) -> int:
    return sum(
        1
        for snap in db.collection(paths.TRANSACTIONS).stream()
        if ledger.user_of(snap.to_dict()) == user
    )
