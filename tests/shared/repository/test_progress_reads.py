"""Reading a user's progress: every challenge at once, or some by id, from the user document."""

from __future__ import annotations

import pytest

from shared.enums import TriggerKind
from shared.repository import progress_reads
from tests.shared.api.factories import progress_doc, store_legacy_progress, store_progress

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

    store_progress(db, "u", _claimed_unclaimed_and_plain())
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


def _claimed_unclaimed_and_plain():
    from tests.shared.api.factories import unclaimed_entry

    return {
        1: progress_doc(10, claimed_count=2),
        2: progress_doc(20, unclaimed=[unclaimed_entry(9)]),
        3: progress_doc(30),
    }


def _stored(db, user_id):
    from shared.schema import paths

    return db.document(paths.user_doc(user_id)).get()


def test_a_page_read_fetches_the_pages_entries_and_answers_every_exclusion(db):
    store_progress(db, "u", _claimed_unclaimed_and_plain())
    page = progress_reads.user_progress(db, "u", {3, 4})
    whole = progress_reads.user_progress(db, "u")
    assert set(page) == {3} and set(whole) == {1, 2, 3}
    for cid in (1, 2, 3, 4):
        assert page.claimed_count(cid) == whole.claimed_count(cid)
        assert page.has_unclaimed(cid) == whole.has_unclaimed(cid)
    assert page[3] == whole[3]
    nobody = progress_reads.user_progress(db, "nobody", {1})
    assert nobody == {} and nobody.claimed_count(1) == 0 and not nobody.has_unclaimed(1)


def test_a_document_older_than_the_mirror_is_read_whole_and_gets_its_mirror_once(db):
    from shared.schema import user as user_schema

    entries = _claimed_unclaimed_and_plain()
    store_legacy_progress(db, "old", entries)
    first = progress_reads.user_progress(db, "old", {3})
    # Read whole: the exclusions come from the entries themselves.
    assert set(first) == {1, 2, 3}
    facts = [first.claimed_count(1), first.has_unclaimed(2), first.has_unclaimed(3)]
    assert facts == [2, True, False]
    stored = _stored(db, "old").to_dict()
    assert stored[user_schema.LISTING_VERSION] == user_schema.LISTING_COMPLETE
    assert stored[user_schema.LISTING] == {
        "1": {user_schema.CLAIMED_COUNT: 2},
        "2": {user_schema.UNCLAIMED: {"9": True}},
    }
    assert user_schema.entries(stored) == entries  # the entries untouched
    second = progress_reads.user_progress(db, "old", {3})
    assert set(second) == {3}
    assert [second.claimed_count(1), second.has_unclaimed(2), second.has_unclaimed(3)] == [
        2,
        True,
        False,
    ]


def test_a_mirror_is_not_written_over_a_write_made_since_the_read(db):
    from shared.firestore import documents
    from shared.repository import progress_repo
    from shared.schema import paths
    from shared.schema import user as user_schema
    from tests.shared.api.factories import unclaimed_entry

    store_legacy_progress(db, "raced", {1: progress_doc(10)})
    read = documents.get_raw_document(db, paths.user_doc("raced"))
    # A prize is won meanwhile: its mirror is written with it; the stale one must not replace it.
    won = {2: progress_doc(5, unclaimed=[unclaimed_entry(4)])}
    db.document(paths.user_doc("raced")).set(user_schema.merge_body("raced", won), merge=True)
    assert not progress_repo.complete_listing(db, "raced", {1: progress_doc(10)}, read.update_time)
    stored = _stored(db, "raced").to_dict()
    assert user_schema.LISTING_VERSION not in stored
    assert stored[user_schema.LISTING] == {"2": {user_schema.UNCLAIMED: {"4": True}}}
    # The next whole read writes the mirror of both entries.
    states = progress_reads.user_progress(db, "raced")
    assert states.has_unclaimed(2)
    stored = _stored(db, "raced").to_dict()
    assert stored[user_schema.LISTING_VERSION] == user_schema.LISTING_COMPLETE
    assert stored[user_schema.LISTING] == {"2": {user_schema.UNCLAIMED: {"4": True}}}
