"""Dead letters against the emulator."""

from __future__ import annotations

import pytest

from shared.repository.dead_letters_repo import (
    FROM_TRANSACTION,
    dead_letter_id,
    delete_dead_letter,
    get_dead_letter,
    letters_of_user,
    list_dead_letters,
    mark_redriven,
    pending_dead_letters,
    read_dead_letter,
    read_transaction,
    record_dead_letter,
)
from tests.shared.engine.builders import NOW

pytestmark = pytest.mark.emulator


def test_ids_are_safe_document_ids():
    assert dead_letter_id("abc") == "abc"
    assert dead_letter_id("a/b%c") == "a%2Fb%25c"
    assert dead_letter_id("..").startswith("%") and dead_letter_id("__x__").startswith("%")


def test_a_dead_letter_is_recorded_and_a_redelivery_overwrites_it(db):
    record_dead_letter(db, "ev/1", reason="first", transaction_id=None, data={"a": 1})
    record_dead_letter(db, "ev/1", reason="points: bad", transaction_id="t", data={"b": 2})
    letter = get_dead_letter(db, "ev/1")
    assert letter is not None
    assert (letter["reason"], letter["transactionId"], letter["data"]) == (
        "points: bad",
        "t",
        {"b": 2},
    )
    assert letter["source"] == "engine" and letter["receivedAt"] is not None
    assert len(list(db.collection("deadLetters").stream())) == 1


def test_letters_are_listed_newest_first_and_limited(db):
    for n in range(3):
        record_dead_letter(db, f"t{n}", reason=f"r{n}", transaction_id=f"t{n}", data=None)
    assert [letter.id for letter in list_dead_letters(db)] == ["t2", "t1", "t0"]
    [newest] = list_dead_letters(db, limit=1)
    assert (newest.id, newest.reason, newest.transaction_id, newest.source) == (
        "t2",
        "r2",
        "t2",
        "engine",
    )
    assert newest.received_at is not None and newest.redriven_at is None


def test_a_letter_is_read_by_its_id_or_by_the_raw_key(db):
    record_dead_letter(db, "ev/1", reason="bad", transaction_id=None, data=None)
    assert read_dead_letter(db, "ev%2F1").id == "ev%2F1"
    assert read_dead_letter(db, "ev/1").id == "ev%2F1"
    assert read_dead_letter(db, "nope") is None


def test_pending_letters_skip_redriven_ones_across_pages(db):
    for n in range(7):
        record_dead_letter(db, f"t{n}", reason="r", transaction_id=f"t{n}", data=None)
    assert mark_redriven(db, "t3", "counted", FROM_TRANSACTION, NOW)
    assert not mark_redriven(db, "gone", "counted", FROM_TRANSACTION, NOW)
    pending = [letter.id for letter in pending_dead_letters(db, page_size=2)]
    assert pending == ["t0", "t1", "t2", "t4", "t5", "t6"]
    marked = read_dead_letter(db, "t3")
    assert (marked.redriven_at, marked.redrive_status) == (NOW, "counted")
    # A new failure of the same transaction overwrites the letter whole: pending again.
    record_dead_letter(db, "t3", reason="again", transaction_id="t3", data=None)
    assert read_dead_letter(db, "t3").redriven_at is None


def test_the_transaction_and_the_users_letters_are_read(db):
    db.document("transactions/t1").set({"userId": "u", "type": 1})
    assert read_transaction(db, "t1") == {"userId": "u", "type": 1}
    assert read_transaction(db, "t2") is None
    record_dead_letter(db, "t1", reason="r", transaction_id="t1", data={"userId": "u"})
    record_dead_letter(db, "t2", reason="r", transaction_id="t2", data={"userId": "v"})
    record_dead_letter(db, "ev", reason="r", transaction_id=None, data=None)
    assert [letter.id for letter in letters_of_user(db, "u")] == ["t1"]
    delete_dead_letter(db, "t1")
    delete_dead_letter(db, "t1")
    assert letters_of_user(db, "u") == []
