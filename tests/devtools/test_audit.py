"""`python -m devtools.audit` against the emulator: clean state, then each kind of corruption."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.cloud import firestore

from devtools import audit
from shared.audit.run import run_audit
from shared.catalog.models import Action, VoucherPool
from shared.clock import utcnow
from shared.engine.process import process_transaction
from shared.enums import TriggerKind
from shared.gigya.ranks import encode_table
from shared.progress.state import COUNTER_FIELD
from shared.repository import leaderboards_repo, paths, progress_repo
from shared.repository.keys import milestone_id
from shared.schema import gigya as g
from tests.shared.engine.builders import (
    badge_reward,
    challenge,
    earn,
    install,
    points_reward,
    simple_level,
    tx,
    voucher_reward,
)

pytestmark = pytest.mark.emulator

K = TriggerKind
NOW = datetime.now(UTC)
START, END = NOW - timedelta(days=30), NOW + timedelta(days=30)
ALICE, BOB, STRANGER = "+201000000071", "+201000000072", "+201000000079"


def _write(db: Any, tid: str, data: dict[str, Any]) -> None:
    """As the ledger and the trigger do: the document, then the engine on it."""
    db.collection(paths.TRANSACTIONS).document(tid).create(data)
    process_transaction(db, tid, data)


@pytest.fixture
def ledger(db):
    """Two users through the engine: cycles with points and voucher prizes, a child, an action."""
    install(
        db,
        [
            challenge(
                1,
                simple_level(
                    K.EARNED_POINTS, 100, [points_reward(1, 5), voucher_reward(2, "pool")]
                ),
                limited=False,
                start=START,
                end=END,
                actions=["share"],
                variants=["branch"],
            ),
            challenge(
                2,
                simple_level(K.EARNED_POINTS, 50, [badge_reward(3, "star")]),
                parent=1,
                start=START,
                end=END,
            ),
            challenge(3, simple_level(K.TOTAL_POINTS_BALANCE, 10_000), start=START, end=END),
        ],
        [VoucherPool(id="pool", codes=[f"C{n}" for n in range(10)])],
        actions=[Action(actionId="share", points=10)],
        defaultChallenge={"variantAttributes": ["branch"]},
    )
    for n in range(4):
        for user in (ALICE, BOB):
            at = NOW - timedelta(minutes=30 - n)
            _write(db, f"e{n}-{user}", earn(user, 60, at=at, sequence=n + 1, balanceAfter=60 * n))
    _write(db, "share-1", tx(ALICE, 6, at=NOW, actionId="share", attributes={"branch": "x"}))
    _write(db, "old-1", earn(BOB, 7, at=NOW - timedelta(days=12)))
    _write(db, "bad-1", tx(ALICE, 1, at=NOW))  # no points: dead-lettered
    leaderboards_repo.refresh(db, utcnow())
    return db


def _differences(db: Any) -> list[Any]:
    return run_audit(db).differences


def test_a_clean_state_has_no_difference_and_exits_0(ledger, capsys) -> None:
    report = run_audit(ledger)
    assert report.differences == [], [f.line() for f in report.differences]
    tally = report.findings.tally
    assert tally["transactions.counted"] == 10
    assert tally["transactions.malformedDeadLettered"] == 1
    assert tally["prizes.vouchers"] >= 4 and tally["ranks.boards"] >= 3
    assert audit.main([]) == 0
    assert "0 differences" in capsys.readouterr().out


def _add_twice(db: Any) -> None:
    # One of Alice's 60-point earnings, counted a second time.
    path = progress_repo.entry_path(1, "totals", COUNTER_FIELD[K.EARNED_POINTS])
    db.document(paths.user_doc(ALICE)).update({path.to_api_repr(): firestore.Increment(60)})


def _drop_marker(db: Any) -> None:
    db.document(paths.event_marker_doc(BOB, "old-1")).delete()


def _duplicate_code(db: Any) -> None:
    first, second = (
        db.document(paths.milestone_doc(ALICE, milestone_id(ALICE, 1, c, 0))) for c in (0, 1)
    )
    code = next(p for p in first.get().to_dict()["prizes"] if p["rewardId"] == 2)["value"]
    prizes = second.get().to_dict()["prizes"]
    second.update({"prizes": [{**p, "value": code} if p["rewardId"] == 2 else p for p in prizes]})


def _wrong_total(db: Any) -> None:
    db.document(g.entry_doc(g.board_id("1"), BOB)).update({g.ENTRY_TOTAL: firestore.Increment(5)})


def _stale_table(db: Any) -> None:
    folded, week = encode_table({1.0: 1}, {1.0: 1})
    db.document(g.rank_table_doc(g.board_id("1"))).set(
        {g.ENTRY_FOLDED: folded, g.ENTRY_FOLDED_WEEK: week}
    )


def _stray_entry(db: Any) -> None:
    db.document(g.entry_doc(g.board_id("1"), STRANGER)).set(
        {g.ENTRY_UID: STRANGER, g.ENTRY_TOTAL: 5, g.ENTRY_DIRTY: True}
    )


CORRUPTIONS: dict[str, tuple[Callable[[Any], None], str, str | None, str]] = {
    # name: (corrupt, check, user, challenge)
    "an increment added twice": (_add_twice, "totals", ALICE, "1"),
    "a missing marker": (_drop_marker, "counted", BOB, None),
    "a duplicate voucher code": (_duplicate_code, "vouchers", ALICE, "1"),
    "a wrong leaderboard total": (_wrong_total, "leaderboard", BOB, "1"),
    "a stale rank table": (_stale_table, "ranks", None, "1"),
    "an entry of a user without transactions": (_stray_entry, "leaderboard", STRANGER, "1"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_each_corruption_is_reported_with_user_and_challenge_and_exits_1(
    ledger, capsys, name: str
) -> None:
    corrupt, check, user, challenge_id = CORRUPTIONS[name]
    corrupt(ledger)
    found = _differences(ledger)
    assert any(
        f.check == check
        and f.user == user
        and (challenge_id is None or f.challenge == challenge_id)
        for f in found
    ), [f.line() for f in found]
    assert audit.main(["--workers", "2"]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("difference")]
    assert any(f"difference {check}" in line for line in lines), lines
    if user is not None:
        assert any(f"user={user}" in line for line in lines)


def test_the_json_report_lists_the_differences(ledger, capsys) -> None:
    import json

    _wrong_total(ledger)
    assert audit.main(["--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    [difference] = [d for d in report["differences"] if d["check"] == "leaderboard"]
    assert (difference["user"], difference["challenge"]) == (BOB, "1")
    assert report["checked"]["transactions.counted"] == 10
