"""The chaos run: its plan and catalog, and `make test`'s small run through the real pipeline."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

import pytest

from devtools import chaos_catalog
from devtools.chaos import SMALL, plan_transactions, run_chaos
from shared.catalog.validation import validate_catalog
from shared.engine.transaction import parse_transaction
from shared.enums import RewardType, TriggerKind
from shared.errors import TransactionRejected
from shared.repository import progress_repo

NOW = datetime.now(UTC)


def test_the_catalog_exercises_every_trigger_kind_and_the_hard_parts() -> None:
    catalog = chaos_catalog.chaos_catalog(NOW, voucher_codes=6)
    validate_catalog(catalog.model_dump(mode="json"))
    kinds = {kind for c in catalog.challenges for kind in c.trigger_kinds}
    assert kinds == set(TriggerKind)
    rewards = {r.rewardType for c in catalog.challenges for lvl in c.levels for r in lvl.rewards}
    assert rewards == set(RewardType)
    assert {c.limited for c in catalog.challenges} == {True, False}
    assert any(len(c.levels) > 1 for c in catalog.challenges)
    by_id = {c.id: c for c in catalog.challenges}
    parents = {c.parentChallengeId for c in catalog.challenges if c.parentChallengeId}
    assert {by_id[p].limited for p in parents if p} == {True, False}
    actions = {a.actionId: a for a in catalog.actions}
    assert actions[chaos_catalog.CHECK_IN].dailyCap and actions[chaos_catalog.REVIEW].freqCap
    assert not actions[chaos_catalog.LEGACY].enabled
    past = catalog.challenge(chaos_catalog.PAST_CHALLENGE)
    assert past is not None and past.endDate < NOW


def test_the_plan_is_one_ledger_per_user_with_every_kind() -> None:
    planned = plan_transactions(SMALL, NOW, random.Random(SMALL.seed))
    again = plan_transactions(SMALL, NOW, random.Random(SMALL.seed))
    assert [p[0] for p in planned] == [p[0] for p in again]
    assert len({doc_id for doc_id, _, _ in planned}) == len(planned) == SMALL.transactions + 1
    kinds = Counter(kind for _, _, kind in planned)
    assert {"earn", "action", "old", "malformed", "rewrite"} <= set(kinds)
    users = {data.get(progress_repo.USER_ID_FIELD) for _, data, _ in planned} - {None}
    assert len(users) == SMALL.users
    for _, data, kind in planned:
        if kind != "malformed":
            continue
        with pytest.raises(TransactionRejected):
            parse_transaction(data)
    # Each user's sequence grows with the plan; a rewrite repeats one.
    sequences: dict[str, list[int]] = {}
    for _, data, kind in planned:
        if kind not in ("malformed", "rewrite"):
            tx = parse_transaction(data)
            sequences.setdefault(tx.userId, []).append(tx.sequence or 0)
    assert all(seq == sorted(seq) and len(set(seq)) == len(seq) for seq in sequences.values())


@pytest.mark.emulator
@pytest.mark.timeout(180)
def test_a_small_chaos_run_counts_everything_once(emulators, db, tmp_path) -> None:
    if emulators.relay_port is None:
        pytest.skip("the Firestore emulator runs without push support")
    report = run_chaos(
        SMALL,
        db=db,
        relay_port=emulators.relay_port,
        emulator_pid=emulators.processes[0].pid,
        log_dir=tmp_path,
    )
    summary = report.summary()
    assert report.audit.differences == [], summary
    # What was injected: each kind, a few times.
    assert report.injected["kills"] == SMALL.kills, summary
    assert report.injected["pauses"] == SMALL.pauses, summary
    assert report.fault_share >= 0.10, summary
    assert len(report.faults) >= 2, summary  # crashes after more than one kind of step
    assert report.injected["duplicated"] > 0 and report.injected["reordered"] > 0, summary
    assert report.notify["counted"] > 0 and report.notify["refused by a cap"] > 0, summary
    # What was checked: every transaction accounted for, prizes, codes, ranks.
    tally = report.audit.findings.tally
    assert tally["transactions.counted"] > SMALL.transactions * 0.8, summary
    assert tally["transactions.malformedDeadLettered"] >= 1, summary
    assert tally["transactions.sameLedgerEntry"] >= 1, summary
    assert tally["prizes.vouchers"] == SMALL.voucher_codes, summary
    assert tally["prizes.vouchersOutOfStock"] > 0 and tally["ranks.boards"] > 0, summary
