"""Reading a user's progress documents: all in one query, or some by id."""

from __future__ import annotations

import pytest

from shared.enums import TriggerKind
from shared.repository import paths, progress_reads
from tests.shared.api.factories import progress_doc

pytestmark = pytest.mark.emulator


def test_user_progress_reads_every_challenge_of_that_user_only(db):
    db.document(paths.progress_doc("a/b", 1)).set(progress_doc(200))
    db.document(paths.progress_doc("a/b", 7)).set(progress_doc(50, claimed_count=2))
    db.document(paths.progress_doc("other", 1)).set(progress_doc(999))
    states = progress_reads.user_progress(db, "a/b")
    assert set(states) == {1, 7}
    assert states[1].achieved(TriggerKind.EARNED_POINTS) == 200
    assert states[7].claimed_count == 2


def test_progress_of_omits_absent_documents(db):
    db.document(paths.progress_doc("u", 3)).set(progress_doc(10))
    states = progress_reads.progress_of(db, "u", [3, 4, 3])
    assert set(states) == {3}
