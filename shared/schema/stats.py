"""`challengeStats/{challengeId}/shards/{n}`: how many people finished a challenge, sharded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.cloud import firestore as _firestore

PEOPLE_FINISHED = "peopleFinished"

NAMES = frozenset({PEOPLE_FINISHED})


@dataclass(frozen=True)
class StatsShard:
    """One shard's count; the challenge's figure is the sum of its shards."""

    people_finished: int = 0

    @classmethod
    def decode(cls, raw: Mapping[str, Any] | None) -> StatsShard:
        """A stored shard (None for none)."""
        return cls(int((raw or {}).get(PEOPLE_FINISHED, 0)))

    def encode(self) -> dict[str, Any]:
        """The stored shard."""
        return {PEOPLE_FINISHED: self.people_finished}


def person_finished() -> dict[str, Any]:
    """The merge-set counting one more person in a shard."""
    return {PEOPLE_FINISHED: _firestore.Increment(1)}
