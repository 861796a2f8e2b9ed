"""`peopleFinished` per challenge, counted in sharded documents so no one document runs hot."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from shared.schema import paths
from shared.schema.stats import StatsShard, person_finished

if TYPE_CHECKING:
    from google.cloud import firestore

    from shared.firestore.writes import Batch


def shard_path(challenge_id: int, shard: int) -> str:
    """The path of one `peopleFinished` shard of a challenge."""
    return paths.stats_shard_doc(challenge_id, shard)


def add_person_finished(
    db: firestore.Client, batch: Batch, challenge_id: int, shard: int | None = None
) -> None:
    """Count one more person who finished the challenge, in a random shard."""
    if shard is None:
        shard = random.randrange(paths.PEOPLE_FINISHED_SHARDS)
    batch.set(db.document(shard_path(challenge_id, shard)), person_finished(), merge=True)


def people_finished(db: firestore.Client) -> dict[int, int]:
    """Every challenge's `peopleFinished`: one collection-group query over the shards, summed."""
    totals: dict[int, int] = {}
    for snap in db.collection_group(paths.STATS_SHARDS).stream():
        parent = snap.reference.parent.parent
        if parent is None or parent.parent.id != paths.CHALLENGE_STATS:
            continue
        try:
            challenge_id = int(parent.id)
        except ValueError:
            continue
        value = StatsShard.decode(snap.to_dict()).people_finished
        totals[challenge_id] = totals.get(challenge_id, 0) + value
    return totals
