"""A member's data against the emulator: export lists every kind, erase leaves nothing of it."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from devtools.firestore_json import dumps
from shared.gigya.ranks import RankTable
from shared.repository import (
    leaderboards_repo,
    members_repo,
    paths,
    prizes_repo,
    progress_repo,
    vouchers_repo,
)
from shared.repository.keys import prize_key
from shared.schema import gigya as g
from tests.functions.gigya_client import gm as gm
from tests.shared.repository.member_data import (
    DEFAULT_BOARD,
    OTHER,
    POOL,
    USER,
    VOUCHER_CHALLENGE,
    ledger_count,
    member,
    milestone_of,
    naming,
)

pytestmark = pytest.mark.emulator
__all__ = ["gm", "member"]  # fixtures


def _folded(db, board: str) -> RankTable:
    totals: Counter[float] = Counter()
    weeks: Counter[float] = Counter()
    for snap in db.collection(g.entries_collection(board)).stream():
        data = snap.to_dict()
        if (data.get(g.ENTRY_FOLDED) or 0) > 0:
            totals[float(data[g.ENTRY_FOLDED])] += 1
        if (data.get(g.ENTRY_FOLDED_WEEK) or 0) > 0:
            weeks[float(data[g.ENTRY_FOLDED_WEEK])] += 1
    return RankTable(dict(totals), dict(weeks))


def _top(gm, period: str) -> list[str]:
    body = gm.ok("gm.getTopUsers", challenge=g.DEFAULT_CHALLENGE, period=period, includeSelf=False)
    return [user["UID"] for user in body["users"]]


def test_export_lists_every_kind_of_the_members_data(member):
    db = member.db
    exported = members_repo.export_member(db, USER)
    json.loads(dumps(exported))  # prints as JSON
    assert exported["userId"] == USER
    user = exported["user"]
    assert user["path"] == paths.user_doc(USER)
    assert set(user["data"][progress_repo.CHALLENGES_FIELD]) >= {"1", "2", "6"}
    assert {g.DEFAULT, g.ACTIONS} <= set(user["data"][g.GIGYA])
    claimed = milestone_of(db, USER, 1)
    user_doc = paths.user_doc(USER)
    expected = {
        paths.event_marker_doc(USER, "u-earn"),
        paths.sequence_marker_doc(USER, 7),
        paths.milestone_doc(USER, claimed),
        paths.milestone_doc(USER, milestone_of(db, USER, 2)),
        prizes_repo.claim_doc(USER, claimed),
        g.action_log_doc(user_doc, "comment", 1),
        g.action_log_doc(user_doc, "comment", 2),
        g.redeem_log_doc(user_doc, g.DEFAULT_CHALLENGE, 1),
    }
    under = {
        name: {doc["path"] for doc in docs} for name, docs in exported["subcollections"].items()
    }
    assert set(under) == {path.split("/")[-2] for path in expected}
    assert expected <= set().union(*under.values())
    entries = exported["leaderboardEntries"]
    assert {entry["board"] for entry in entries} >= {
        DEFAULT_BOARD,
        g.board_id("1"),
        g.board_id("2"),
        g.board_id("1", "show:x"),
        g.board_id(g.DEFAULT_CHALLENGE, "show:x"),
    }
    assert all(entry["data"][g.ENTRY_UID] == USER for entry in entries)
    prize = prize_key(milestone_of(db, USER, VOUCHER_CHALLENGE), 1)
    [code] = [
        doc["data"]["code"] for doc in exported["voucherRecords"] if doc["path"].endswith(prize)
    ]
    assert {doc["path"] for doc in exported["voucherRecords"]} == {
        f"{paths.VOUCHER_POOLS}/{POOL}/{vouchers_repo.CLAIMS}/{code}",
        f"{paths.VOUCHER_POOLS}/{POOL}/{vouchers_repo.ASSIGNMENTS}/{prize}",
        f"{paths.VOUCHER_POOLS}/{POOL}/{vouchers_repo.CODES}/{code}",
    }
    [letter] = exported["deadLetters"]
    assert letter["path"] == f"{paths.DEAD_LETTERS}/u-bad"
    assert exported["ledger"]["collection"] == paths.TRANSACTIONS
    assert exported["ledger"]["documents"] == ledger_count(db, USER) == 6
    # Nothing of anyone else.
    assert OTHER not in dumps(exported)


def test_erase_leaves_nothing_of_the_member_and_ranks_move_up(member):
    db = member.db
    assert member.status(OTHER)["_default"]["rank"] == 2
    assert _top(member, "all")[0] == USER and USER in _top(member, "7days")
    prize = prize_key(milestone_of(db, USER, VOUCHER_CHALLENGE), 1)
    boards = {
        entry.reference.parent.parent.id for entry in leaderboards_repo.user_entries(db, USER)
    }
    ledger = ledger_count(db, USER)
    assert naming(db, USER)

    erasure = members_repo.erase_member(db, USER, batch_size=3)

    assert naming(db, USER) == []
    assert erasure.user_document == 1 and set(erasure.boards) == boards
    assert erasure.subcollections[g.ACTION_LOG] == 2 and erasure.dead_letters == 1
    assert erasure.voucher_records == 3
    assert erasure.ledger_transactions == ledger == ledger_count(db, USER) == 6
    # Every rank table equals its remaining entries' folded scores.
    for board in boards:
        assert leaderboards_repo.rank_tables(db, [board], max_age=0)[board] == _folded(db, board)
    member.refresh_ranks()
    assert member.status(OTHER)["_default"]["rank"] == 1
    assert _top(member, "all") == [OTHER] and _top(member, "7days") == [OTHER]
    # The voucher stays handed out: its code is never issued again, its prize keeps its code.
    assert vouchers_repo.assigned_code(db, POOL, prize) is not None
    assert vouchers_repo.free_codes(db, POOL) == [
        c for c in ("C1", "C2") if c != vouchers_repo.assigned_code(db, POOL, prize)
    ]
    # Someone else's data is untouched.
    assert db.document(paths.user_doc(OTHER)).get().exists
    assert db.document(g.entry_doc(DEFAULT_BOARD, OTHER)).get().exists

    again = members_repo.erase_member(db, USER)
    assert again.changed == 0 and again.ledger_transactions == ledger
    assert members_repo.export_member(db, USER)["user"] is None
