"""One event's run: the client, the fault hook, commits with bounded retries, round-trip counts."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from google.api_core import exceptions as gexc

from shared.clock import utcnow
from shared.firestore.writes import Batch, Committed

if TYPE_CHECKING:
    from google.cloud import firestore

# Called with a step name after each write step; tests raise there to simulate a crash.
Faults = Callable[[str], None]

# Contention and transient backend errors worth another attempt; anything else is raised.
RETRYABLE: tuple[type[Exception], ...] = (
    gexc.Aborted,
    gexc.DeadlineExceeded,
    gexc.ServiceUnavailable,
    gexc.ResourceExhausted,
    gexc.InternalServerError,
)
COMMIT_ATTEMPTS = 6


@dataclass
class Run:
    """What one event's processing shares: the client, the hook, the clock and counters."""

    db: firestore.Client
    faults: Faults | None = None
    now: datetime = field(default_factory=utcnow)
    reads: int = 0
    commits: int = 0
    # Makes each attempt's batch; tests inject one whose commit fails on demand.
    new_batch: Callable[[firestore.Client], Batch] = Batch

    def step(self, name: str) -> None:
        """Mark the end of a write step (a crash may be injected here)."""
        if self.faults is not None:
            self.faults(name)

    def read(self, round_trips: int = 1) -> None:
        """Count read round trips."""
        self.reads += round_trips

    def commit(self, build: Callable[[Batch], None]) -> list[Committed]:
        """Build and commit one batch, retrying contention with jittered backoff.

        AlreadyExists (a lost `create()`) is raised at once: it is an answer, not a failure.
        """
        delay = 0.02
        for attempt in range(COMMIT_ATTEMPTS):
            batch = self.new_batch(self.db)
            build(batch)
            try:
                self.commits += 1
                return batch.commit()
            except gexc.AlreadyExists:
                raise
            except RETRYABLE:
                if attempt == COMMIT_ATTEMPTS - 1:
                    raise
                time.sleep(delay * (0.5 + random.random()))
                delay *= 2
        raise AssertionError("unreachable")
