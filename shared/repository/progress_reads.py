"""Reading a user's progress for the read API: one get of the user document, parsed on demand.

A list request needs every challenge's entry for its filters but the full progress of a page's
challenges only; `UserProgress` answers the filters from the raw protobuf and decodes an entry
the first time it is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from shared.firestore import documents
from shared.repository import progress_repo
from shared.schema import paths
from shared.schema import user as schema
from shared.schema.user import ProgressState, decode_entry

if TYPE_CHECKING:
    from google.cloud import firestore


class UserProgress(Mapping[int, ProgressState]):
    """A user's progress by challenge id, decoded lazily from the user document's protobuf."""

    def __init__(self, entries: Any, db: firestore.Client) -> None:
        # `entries` is the raw map of `challenges`: challenge id (a string) -> entry value.
        self._entries = entries
        self._db = db
        self._parsed: dict[int, ProgressState] = {}

    def _entry_fields(self, challenge_id: int) -> Any | None:
        return documents.raw_map(self._entries, str(challenge_id))

    def __getitem__(self, challenge_id: int) -> ProgressState:
        state = self._parsed.get(challenge_id)
        if state is None:
            fields = self._entry_fields(challenge_id)
            if fields is None:
                raise KeyError(challenge_id)
            state = decode_entry(documents.decode_map(fields, self._db))
            self._parsed[challenge_id] = state
        return state

    def __iter__(self) -> Iterator[int]:
        return (int(key) for key in (self._entries or ()) if key.isdigit())

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def claimed_count(self, challenge_id: int) -> int:
        """How many milestones the user claimed in the challenge, without decoding its entry."""
        fields = self._entry_fields(challenge_id)
        value = None if fields is None else schema.claimed_count_field(fields)
        return 0 if value is None else int(documents.raw_number(value))

    def has_unclaimed(self, challenge_id: int) -> bool:
        """Whether the user has unclaimed prizes in the challenge, without decoding its entry."""
        fields = self._entry_fields(challenge_id)
        return fields is not None and schema.has_unclaimed_fields(fields)


def user_progress(db: firestore.Client, user_id: str) -> UserProgress:
    """The user's progress in every challenge, by challenge id, in one round trip."""
    challenges = schema.CHALLENGES
    # The list reads the progress entries only, not the Gigya state beside them.
    fields = documents.get_raw_fields(db, paths.user_doc(user_id), [challenges])
    return UserProgress(documents.raw_map(fields, challenges), db)


def progress_of(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int]
) -> dict[int, ProgressState]:
    """The user's progress in the given challenges (absent ones omitted), in one round trip."""
    stored = progress_repo.read_progress(db, user_id, challenge_ids)
    return {cid: decode_entry(entry) for cid, entry in stored.items() if entry is not None}
