"""The emulator's ceiling for the pipeline's storage work, with no function in between.

One event asks three things of Firestore: the ledger's create of the transaction, the engine's
read of the user document and its counting commit (the event marker, the merge of the user
document, the leaderboard entries). The ceiling is the rate at which 16 threads get exactly
those three requests through the emulator: the requests are recorded from one real event per
user, processed in this process by the engine, and replayed as raw protobufs (the engine's own
calls, shared/firestore/rpc.py) with fresh transaction and marker ids, so the client does as
little as possible and the emulator is what is measured.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.data import earn_transaction
from bench.workers import run_all
from shared.schema import paths


@dataclass(frozen=True)
class EventRequests:
    """The raw requests one event of one user sends: ledger create, engine read, engine commit."""

    create: Any  # a CommitRequest with the transaction's create
    read: Any  # the GetDocument request of the user document, masked as the engine masks it
    commit: Any  # the counting CommitRequest


@contextmanager
def _recording() -> Iterator[dict[str, list[Any]]]:
    """Record the raw requests sent through shared/firestore/rpc.py's two calls."""
    from shared.firestore import rpc

    seen: dict[str, list[Any]] = {"get_document": [], "commit": []}
    originals = {name: getattr(rpc, name) for name in seen}

    def wrap(name: str, original: Any) -> Any:
        def recorded(db: Any, request: Any) -> Any:
            copy = type(request)()
            copy.CopyFrom(request)
            seen[name].append(copy)
            return original(db, request)

        return recorded

    for name, original in originals.items():
        setattr(rpc, name, wrap(name, original))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(rpc, name, original)


def record(db: Any, users: list[str]) -> list[EventRequests]:
    """One real event per user through the engine, its requests recorded."""
    from shared.engine.process import process_transaction
    from shared.firestore import rpc
    from shared.firestore.documents import document_name
    from shared.firestore.writes import Batch

    recorded: list[EventRequests] = []
    for user in users:
        data = earn_transaction(user, 1)
        create = Batch(db)
        create.create(paths.transaction_doc(f"ceiling-{uuid.uuid4().hex}"), data)
        with _recording() as seen:
            outcome = process_transaction(db, f"ceiling-{uuid.uuid4().hex}", data)
        if outcome.commits != 1 or len(seen["get_document"]) != 1:
            raise RuntimeError(f"the recorded event is not a quiet one: {outcome.log_fields()}")
        create_request = rpc.CommitRequest(database=db._database_string)
        create_request.writes.add().CopyFrom(create._request.writes[0])
        assert create_request.writes[0].update.name.startswith(document_name(db, ""))
        recorded.append(EventRequests(create_request, seen["get_document"][0], seen["commit"][0]))
    return recorded


def _fresh(template: Any) -> Any:
    """A copy of a commit request whose creates name new documents (fresh ids)."""
    request = type(template)()
    request.CopyFrom(template)
    for write in request.writes:
        if write.HasField("current_document") and not write.current_document.exists:
            parent = write.update.name.rsplit("/", 1)[0]
            write.update.name = f"{parent}/ceiling-{uuid.uuid4().hex}"
    return request


@dataclass(frozen=True)
class Ceiling:
    """Events per second the emulator took, and the replays that failed meanwhile."""

    rate: float
    errors: int
    # Transactions the replay created (each one an event, if a trigger is registered).
    created: int = 0
    events: int = 0  # replays done: rate times seconds


def event_rate(
    db: Any,
    events: list[EventRequests],
    threads: int,
    seconds: float,
    gate: threading.Semaphore | None = None,
) -> Ceiling:
    """The rate at which `threads` threads replay `events` (round robin), with no function.

    A failed replay is counted and the thread goes on (a dead thread would lower the ceiling,
    and so flatter the pipeline's share of it); contention is retried as the engine retries it.
    With a `gate`, each replay takes one of its slots first, and whoever sees the event's push
    gives it back (a create that fails gives it back at once).
    """
    from shared.engine.run import RETRYABLE
    from shared.firestore import rpc

    done = [0] * threads
    failed = [0] * threads
    created = [0] * threads
    until = time.perf_counter() + seconds

    def replay(event: EventRequests, index: int) -> None:
        try:
            rpc.commit(db, _fresh(event.create))
        except Exception:
            if gate is not None:
                gate.release()
            raise
        created[index] += 1
        rpc.get_document(db, event.read)
        for attempt in range(3):
            try:
                rpc.commit(db, _fresh(event.commit))
                return
            except RETRYABLE:
                if attempt == 2:
                    raise

    def worker(index: int) -> None:
        turn = index
        while time.perf_counter() < until:
            if gate is not None and not gate.acquire(timeout=0.5):
                continue
            event = events[turn % len(events)]
            turn += threads
            try:
                replay(event, index)
                done[index] += 1
            except Exception:  # counted; the figure says how many
                failed[index] += 1

    run_all(worker, threads)
    return Ceiling(sum(done) / seconds, sum(failed), sum(created), sum(done))


def measure(db: Any, users: list[str], threads: int, seconds: float) -> Ceiling:
    """The ceiling for events of `users`: record one event each, then replay them."""
    return event_rate(db, record(db, users), threads, seconds)


@dataclass(frozen=True)
class Pushed:
    """The ceiling's replay, each event also pushed by the emulator before it counts as room."""

    users: int
    ceiling: Ceiling  # the replay's own figures
    # Events the emulator stored and pushed per second (to a relay in another process that
    # only counts them), with at most `window` replayed and not yet pushed.
    rate: float
    window: int
    pushed: int  # pushes counted in all, to compare with ceiling.created
    drained: bool  # every created transaction was pushed before the counter stopped


DRAIN_SECONDS = 30.0


def push_rate(
    db: Any,
    users: list[str],
    threads: int,
    seconds: float,
    window: int,
    env: dict[str, str],
    log: Path,
) -> Pushed:
    """The ceiling with each event's push: its replay, gated on the emulator's pushes.

    One event asks the emulator for a push too (a trigger on `transactions` is registered),
    which it sends one at a time, waiting for each answer (docs/BENCHMARKS.md, "The
    emulator's push"). As in the pipeline, at most `window` events are replayed and not yet
    pushed; the relay, in another process, answers at once and only counts.
    """
    from bench.stack import counting_pushes

    events = record(db, users)
    gate = threading.Semaphore(window)
    with counting_pushes(env, log, on_push=gate.release) as pushed:
        started = time.time()
        replayed = event_rate(db, events, threads, seconds, gate)
        ended = time.time()
        deadline = time.monotonic() + DRAIN_SECONDS
        while len(pushed) < replayed.created and time.monotonic() < deadline:
            time.sleep(0.05)
    moments = list(pushed)
    in_window = sum(1 for moment in moments if started <= moment <= ended)
    return Pushed(
        users=len(users),
        ceiling=replayed,
        rate=in_window / (ended - started),
        window=window,
        pushed=len(moments),
        drained=len(moments) >= replayed.created,
    )
