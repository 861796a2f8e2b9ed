"""Reading a user's progress: every challenge at once, or some by id, from the user document."""

from __future__ import annotations

import pytest

from shared.enums import TriggerKind
from shared.repository import progress_reads
from tests.shared.api.factories import progress_doc, store_progress

pytestmark = pytest.mark.emulator


def test_user_progress_reads_every_challenge_of_that_user_only(db):
    store_progress(db, "a/b", {1: progress_doc(200), 7: progress_doc(50, claimed_count=2)})
    store_progress(db, "other", {1: progress_doc(999)})
    states = progress_reads.user_progress(db, "a/b")
    assert set(states) == {1, 7}
    assert states[1].achieved(TriggerKind.EARNED_POINTS) == 200
    assert states[7].claimed_count == 2
    assert progress_reads.user_progress(db, "nobody") == {}


def test_progress_of_reads_only_the_asked_challenges(db):
    store_progress(db, "u", {3: progress_doc(10), 5: progress_doc(20)})
    states = progress_reads.progress_of(db, "u", [3, 4, 3])
    assert set(states) == {3}
    assert states[3].achieved(TriggerKind.EARNED_POINTS) == 10
    assert progress_reads.progress_of(db, "u", []) == {}


def test_the_list_filters_are_answered_without_parsing_entries(db):
    from shared.api.listing import ParsedFacts
    from tests.shared.api.factories import unclaimed_entry

    store_progress(
        db,
        "u",
        {
            1: progress_doc(10, claimed_count=2),
            2: progress_doc(20, unclaimed=[unclaimed_entry(9)]),
            3: progress_doc(30),
        },
    )
    lazy = progress_reads.user_progress(db, "u")
    parsed = ParsedFacts(dict(progress_reads.user_progress(db, "u").items()))
    for cid in (1, 2, 3, 4):
        assert lazy.claimed_count(cid) == parsed.claimed_count(cid)
        assert lazy.has_unclaimed(cid) == parsed.has_unclaimed(cid)
    assert [lazy.claimed_count(1), lazy.has_unclaimed(2), lazy.has_unclaimed(3)] == [2, True, False]
    assert lazy._parsed == {}  # nothing decoded to answer the filters
    assert lazy[3].achieved(TriggerKind.EARNED_POINTS) == 30
    assert set(lazy._parsed) == {3}
    assert 4 not in lazy and len(lazy) == 3
