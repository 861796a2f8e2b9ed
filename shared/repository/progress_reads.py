"""Reading a user's progress for the read API: one get of the user document, parsed on demand.

A list request needs, of every challenge, only what its exclusions ask (the `listing` mirror,
shared/schema/user.py), and the full progress of a page's challenges; `UserProgress` answers
the exclusions from the raw protobuf and decodes an entry the first time it is asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from shared.firestore import documents
from shared.repository import progress_repo
from shared.schema import paths
from shared.schema import user as schema
from shared.schema.user import ProgressState, decode_entry

if TYPE_CHECKING:
    from google.cloud import firestore


class UserProgress(Mapping[int, ProgressState]):
    """A user's progress by challenge id, decoded lazily from the user document's protobuf.

    With `listing` (the document's complete mirror), the exclusions are answered from it and
    `entries` may hold only some challenges' entries (a page's); without it, from `entries`.
    """

    def __init__(self, entries: Any, db: firestore.Client, listing: Any | None = None) -> None:
        # `entries` is the raw map of `challenges`: challenge id (a string) -> entry value.
        self._entries = entries
        self._db = db
        self._listing = listing
        self._mirror: tuple[dict[int, int], set[int]] | None = None
        self._parsed: dict[int, ProgressState] = {}

    def _entry_fields(self, challenge_id: int) -> Any | None:
        return documents.raw_map(self._entries, str(challenge_id))

    def _mirrored(self) -> tuple[dict[int, int], set[int]]:
        # The mirror holds only challenges with claims or prizes: read it once, not per lookup.
        listing: Any = self._listing  # not None: only called with the mirror
        if self._mirror is None:
            claimed: dict[int, int] = {}
            unclaimed: set[int] = set()
            for key in listing:
                if not key.isdigit():
                    continue
                fields = listing[key].map_value.fields
                value = schema.claimed_count_field(fields)
                if value is not None:
                    claimed[int(key)] = int(documents.raw_number(value))
                if schema.has_unclaimed_fields(fields):
                    unclaimed.add(int(key))
            self._mirror = (claimed, unclaimed)
        return self._mirror

    def entry(self, challenge_id: int) -> dict[str, Any] | None:
        """One challenge's stored entry, decoded (None when absent)."""
        fields = self._entry_fields(challenge_id)
        return None if fields is None else documents.decode_map(fields, self._db)

    def __getitem__(self, challenge_id: int) -> ProgressState:
        state = self._parsed.get(challenge_id)
        if state is None:
            entry = self.entry(challenge_id)
            if entry is None:
                raise KeyError(challenge_id)
            state = decode_entry(entry)
            self._parsed[challenge_id] = state
        return state

    def __iter__(self) -> Iterator[int]:
        return (int(key) for key in (self._entries or ()) if key.isdigit())

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def claimed_count(self, challenge_id: int) -> int:
        """How many milestones the user claimed in the challenge, without decoding its entry."""
        if self._listing is not None:
            return self._mirrored()[0].get(challenge_id, 0)
        fields = self._entry_fields(challenge_id)
        value = None if fields is None else schema.claimed_count_field(fields)
        return 0 if value is None else int(documents.raw_number(value))

    def has_unclaimed(self, challenge_id: int) -> bool:
        """Whether the user has unclaimed prizes in the challenge, without decoding its entry."""
        if self._listing is not None:
            return challenge_id in self._mirrored()[1]
        fields = self._entry_fields(challenge_id)
        return fields is not None and schema.has_unclaimed_fields(fields)


def user_progress(
    db: firestore.Client, user_id: str, entry_ids: Collection[int] | None = None
) -> UserProgress:
    """The user's progress for the list, in one round trip.

    With `entry_ids`, only those challenges' entries are read, with the `listing` mirror that
    answers the exclusions for every challenge. A document whose mirror is not complete (older
    than it) is read whole instead and its mirror written, two round trips more, once: its
    next list reads a page.
    """
    path = paths.user_doc(user_id)
    if entry_ids is not None:
        mask = [schema.LISTING, schema.LISTING_VERSION]
        mask += [progress_repo.entry_mask(cid) for cid in sorted(entry_ids)]
        fields = documents.get_raw_fields(db, path, mask)
        if fields is None or schema.listing_complete(fields):
            listing = documents.raw_map(fields, schema.LISTING)
            entries = documents.raw_map(fields, schema.CHALLENGES)
            # Complete and absent: no challenge has anything the exclusions look at.
            return UserProgress(entries, db, listing if listing is not None else {})
    # The list reads the progress entries only, not the Gigya state beside them.
    document = documents.get_raw_document(db, path, [schema.CHALLENGES, schema.LISTING_VERSION])
    if document is None:
        return UserProgress(None, db)
    entries = documents.raw_map(document.fields, schema.CHALLENGES)
    if not schema.listing_complete(document.fields):
        stored = schema.entries(documents.decode_map(document.fields, db))
        progress_repo.complete_listing(db, user_id, stored, document.update_time)
    return UserProgress(entries, db)


def progress_of(
    db: firestore.Client, user_id: str, challenge_ids: Iterable[int]
) -> dict[int, ProgressState]:
    """The user's progress in the given challenges (absent ones omitted), in one round trip."""
    stored = progress_repo.read_progress(db, user_id, challenge_ids)
    return {cid: decode_entry(entry) for cid, entry in stored.items() if entry is not None}
