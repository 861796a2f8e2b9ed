"""Re-driving dead letters against the emulator: counted once however often, malformed ones stay."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from google.api_core import exceptions as gexc
from google.cloud.firestore_v1.base_query import FieldFilter

from devtools.emulators import free_port
from devtools.eventarc import Deliverer, Event, RetryPolicy
from shared.engine import redrive
from shared.engine.process import (
    COUNTED,
    DEAD_LETTERED,
    DUPLICATE,
    IGNORED,
    process_transaction,
)
from shared.enums import TriggerKind
from shared.repository import dead_letters_repo, paths
from shared.repository.dead_letters_repo import (
    FROM_LETTER,
    FROM_TRANSACTION,
    list_dead_letters,
    read_dead_letter,
    record_dead_letter,
)
from tests.shared.engine.builders import (
    NOW,
    challenge,
    earn,
    install,
    milestones,
    points_reward,
    progress,
    simple_level,
)

pytestmark = pytest.mark.emulator

EARNED = TriggerKind.EARNED_POINTS


@pytest.fixture
def catalog(db):
    """A repeatable challenge of 100 points whose level credits 5 reward points."""
    install(db, [challenge(1, simple_level(EARNED, 100, [points_reward(1, 5)]), limited=False)])
    return db


def _write(db, transaction_id: str, data: dict) -> None:
    db.document(f"{paths.TRANSACTIONS}/{transaction_id}").set(data)


def _reward_credits(db, user: str) -> int:
    query = db.collection(paths.TRANSACTIONS).where(filter=FieldFilter("userId", "==", user))
    return sum(1 for snap in query.stream() if snap.to_dict().get("source") == "reward")


def _assert_counted_once(db, user: str, points: float = 100) -> None:
    entry = progress(db, user, 1)
    assert entry["totals"]["earnedPoints"] == points
    assert len(milestones(db, user)) == 1 and _reward_credits(db, user) == 1


def _deliverer_letter(db, transaction_id: str, data: dict) -> str:
    """A letter written by the local deliverer: the function never answered."""
    url = f"http://127.0.0.1:{free_port()}/nothing-listens"
    deliverer = Deliverer(db, url, policy=RetryPolicy(max_attempts=1, request_timeout=2))
    event_id = f"ce-{transaction_id}"
    try:
        deliverer.submit(Event(id=event_id, document_id=transaction_id, data=data))
        assert deliverer.wait_idle(20, received=1)
    finally:
        deliverer.stop()
    assert deliverer.stats.dead_lettered == 1
    return event_id


def test_a_fixed_transaction_is_counted_once_however_often_it_is_redriven(catalog):
    db = catalog
    _write(db, "t1", earn("u", -100))
    assert process_transaction(db, "t1", earn("u", -100)).status == DEAD_LETTERED
    _write(db, "t1", earn("u", 100))  # the ledger fixes it
    first = redrive.redrive(db, "t1", now=NOW)
    assert (first.status, first.redriven_from, first.letter) == (COUNTED, FROM_TRANSACTION, "t1")
    assert first.accepted and first.outcome is not None and first.outcome.milestones
    letter = read_dead_letter(db, "t1")
    assert letter is not None and letter.redriven_at == NOW and letter.redrive_status == COUNTED
    assert letter.fields[dead_letters_repo.REDRIVEN_FROM] == FROM_TRANSACTION
    again = redrive.redrive(db, "t1")
    assert again.status == DUPLICATE and again.accepted
    _assert_counted_once(db, "u")
    assert read_dead_letter(db, "t1").redrive_status == DUPLICATE
    # Marked letters are not pending: --all has nothing to do.
    assert redrive.redrive_all(db) == []
    _assert_counted_once(db, "u")


def test_concurrent_redrives_of_one_letter_count_once(catalog):
    db = catalog
    record_dead_letter(db, "t1", reason="internal error", transaction_id="t1", data=None)
    _write(db, "t1", earn("u", 100))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: redrive.redrive(db, "t1"), range(4)))
    assert sorted(r.status for r in results) == [COUNTED, DUPLICATE, DUPLICATE, DUPLICATE]
    _assert_counted_once(db, "u")


def test_a_letter_whose_transaction_had_been_counted_comes_back_duplicate(catalog):
    db = catalog
    data = earn("u", 100)
    _write(db, "t2", data)
    assert process_transaction(db, "t2", data).status == COUNTED
    # The function counted it, but its answer never reached the deliverer.
    letter_id = _deliverer_letter(db, "t2", data)
    assert read_dead_letter(db, letter_id).source == "deliverer"
    result = redrive.redrive(db, letter_id)
    assert (result.status, result.redriven_from) == (DUPLICATE, FROM_TRANSACTION)
    assert read_dead_letter(db, letter_id).redrive_status == DUPLICATE
    _assert_counted_once(db, "u")


def test_an_undelivered_transaction_is_counted_by_its_redrive(catalog):
    db = catalog
    data = earn("u", 100)
    _write(db, "t3", data)
    letter_id = _deliverer_letter(db, "t3", data)
    assert progress(db, "u", 1) == {}
    assert redrive.redrive(db, letter_id).status == COUNTED
    assert redrive.redrive(db, letter_id).status == DUPLICATE
    _assert_counted_once(db, "u")


def test_the_letters_copy_is_used_when_the_transaction_document_is_gone(catalog):
    db = catalog
    record_dead_letter(
        db, "t4", reason="internal error: a bug", transaction_id="t4", data=earn("u", 100)
    )
    result = redrive.redrive(db, "t4")
    assert (result.status, result.redriven_from) == (COUNTED, FROM_LETTER)
    assert read_dead_letter(db, "t4").fields[dead_letters_repo.REDRIVEN_FROM] == FROM_LETTER
    assert redrive.redrive(db, "t4").status == DUPLICATE
    _assert_counted_once(db, "u")


def test_a_still_malformed_transaction_stays_with_the_new_reason(catalog):
    db = catalog
    _write(db, "t5", earn("u", -1))
    process_transaction(db, "t5", earn("u", -1))
    assert "greater than or equal to 0" in read_dead_letter(db, "t5").reason
    _write(db, "t5", {"userId": "u", "type": 2, "occurredAt": NOW})  # "fixed" wrongly
    result = redrive.redrive(db, "t5")
    assert (result.status, result.letter) == (DEAD_LETTERED, "t5") and not result.accepted
    assert result.reason == "voucherId: is required for transaction type 2"
    letter = read_dead_letter(db, "t5")
    assert letter.reason == result.reason and letter.redriven_at is None
    assert letter.data == {"userId": "u", "type": 2, "occurredAt": NOW}
    assert progress(db, "u", 1) == {}


def test_a_deliverer_letter_of_a_malformed_transaction_becomes_the_transactions_own(catalog):
    db = catalog
    bad = {"userId": "u", "type": 1, "occurredAt": NOW}
    _write(db, "t6", bad)
    letter_id = _deliverer_letter(db, "t6", bad)
    result = redrive.redrive(db, letter_id)
    assert (result.status, result.letter) == (DEAD_LETTERED, "t6")
    assert read_dead_letter(db, letter_id) is None
    assert read_dead_letter(db, "t6").reason == "points: is required for transaction type 1"
    assert [letter.id for letter in list_dead_letters(db)] == ["t6"]


def test_letters_without_a_transaction_to_read_are_not_redrivable(catalog):
    db = catalog
    record_dead_letter(db, "ev-1", reason="not protobuf", transaction_id=None, data={"x": 1})
    gone = _deliverer_letter(db, "t7", earn("u", 100))  # the transaction was never written
    for letter_id in ("ev-1", gone):
        result = redrive.redrive(db, letter_id)
        assert result.status == redrive.NOT_REDRIVABLE and result.letter == letter_id
        assert read_dead_letter(db, letter_id).redriven_at is None
    assert progress(db, "u", 1) == {}


def test_a_failing_engine_leaves_the_letter_as_it_was(catalog, monkeypatch):
    db = catalog
    record_dead_letter(db, "t8", reason="internal error", transaction_id="t8", data=earn("u", 5))

    def unavailable(*_args, **_kwargs):
        raise gexc.ServiceUnavailable("backend down")

    monkeypatch.setattr(redrive, "process_transaction", unavailable)
    result = redrive.redrive(db, "t8")
    assert result.status == redrive.FAILED and "backend down" in (result.reason or "")
    letter = read_dead_letter(db, "t8")
    assert letter.reason == "internal error" and letter.redriven_at is None


def test_redrive_all_takes_every_pending_letter_once(catalog):
    db = catalog
    for n in range(3):
        record_dead_letter(
            db, f"ok{n}", reason="internal error", transaction_id=f"ok{n}", data=earn("u", 40)
        )
    reward = {**earn("u", 5), "source": "reward"}
    record_dead_letter(db, "rw", reason="internal error", transaction_id="rw", data=reward)
    record_dead_letter(db, "bad", reason="old reason", transaction_id="bad", data=earn("u", -1))
    results = {r.letter_id: r.status for r in redrive.redrive_all(db)}
    assert results == {
        "ok0": COUNTED,
        "ok1": COUNTED,
        "ok2": COUNTED,
        "rw": IGNORED,
        "bad": DEAD_LETTERED,
    }
    assert progress(db, "u", 1)["totals"]["earnedPoints"] == 120
    # Only the malformed one is still pending.
    assert [r.letter_id for r in redrive.redrive_all(db)] == ["bad"]
    assert progress(db, "u", 1)["totals"]["earnedPoints"] == 120


def test_an_unknown_letter_is_refused(db):
    with pytest.raises(redrive.DeadLetterNotFound):
        redrive.redrive(db, "nope")
