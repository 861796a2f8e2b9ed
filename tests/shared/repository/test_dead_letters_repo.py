"""Dead letters against the emulator."""

from __future__ import annotations

import pytest

from shared.repository.dead_letters_repo import dead_letter_id, get_dead_letter, record_dead_letter

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
