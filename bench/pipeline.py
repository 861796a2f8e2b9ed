"""Events through the whole local pipeline: transaction written -> delivered -> progress visible.

The stack (functions server and local Eventarc deliverer) runs in other processes; the Firestore
emulator pushes each new transaction to the deliverer, which posts it to the function, as
Eventarc does. This process writes `transactions` documents and listens to the writing users'
documents, where the engine counts each event in the same commit as its marker: a total that
grew is progress readable. Each event's delay runs from just before its write to the listener
seeing the total include it (see TotalsWatch).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.ceiling import Ceiling, Pushed
from bench.data import earn_transaction
from bench.report import Figure, at_least, at_most, info, percentile
from bench.workers import run_all
from shared.enums import TriggerKind
from shared.firestore import documents
from shared.firestore.writes import Batch
from shared.schema import paths
from shared.schema import user as user_schema

if TYPE_CHECKING:
    from bench.listen import DocumentsListener

RATE_GOAL = 100.0
# The pipeline against the emulator's ceiling for the same storage work (bench/ceiling.py).
SHARE_OF_CEILING_GOAL = 1 / 2
# The trigger function's own CPU per event: its process's CPU time over the events it handled.
FUNCTION_CPU_GOAL_MS = 2.5
P99_DELAY_GOAL_S = 1.0
PACED_RATE = 50.0
IN_FLIGHT = 64
DRAIN_SECONDS = 20.0
# Every pipeline event is counted for this challenge, which never completes.
WATCHED_CHALLENGE = 2
# Where that total is in the user document: challenges.{id}.totals.earnedPoints.
WATCHED_TOTAL = (
    user_schema.CHALLENGES,
    str(WATCHED_CHALLENGE),
    user_schema.TOTALS,
    *user_schema.counter_field((TriggerKind.EARNED_POINTS, None)),
)


class TotalsWatch:
    """Watches the writing users' documents and times each event as their counted total grows.

    Every event earns 1 point counted for WATCHED_CHALLENGE (which never completes), so a
    user's total there is the number of that user's events made visible. The k-th event seen
    for a user is timed from the k-th write for that user (first in, first out): an estimator
    that needs no listener on the growing collections of transactions or markers, whose cost
    in the emulator grows with their size and would be measured instead of the pipeline.

    One stream listens to every user's document (bench/listen.py), and each change is read
    from its raw protobuf: the client library's `on_snapshot` costs this process a stream and
    two threads per document and a decoded copy per change, about 1 ms of CPU per event with
    50 users, taken from the pipeline it measures on the same cores.
    """

    def __init__(self, db: Any, users: list[str]) -> None:
        self._db = db
        self._users = users
        self._lock = threading.Lock()
        self._sent: dict[str, deque[float]] = {user: deque() for user in users}
        self._applied: dict[str, int] = dict.fromkeys(users, 0)
        self.seen: list[tuple[float, float]] = []  # (when seen, delay in s)
        self.window = threading.BoundedSemaphore(IN_FLIGHT)
        self._listener: DocumentsListener | None = None

    def start(self, timeout: float = 30.0) -> TotalsWatch:
        """Listen to the users' documents; returns once the listener is current."""
        from bench.listen import DocumentsListener

        users = [paths.user_doc(user) for user in self._users]
        self._listener = DocumentsListener(self._db, users, self._on_change).start(timeout)
        return self

    def _on_change(self, fields: Any) -> None:
        now = time.perf_counter()
        user_value = documents.raw_value(fields, user_schema.USER_ID)
        user = user_value.string_value if user_value is not None else None
        if user not in self._applied:
            return
        total_value = documents.raw_value(fields, *WATCHED_TOTAL)
        total = 0 if total_value is None else int(documents.raw_number(total_value))
        released = 0
        with self._lock:
            queue = self._sent[user]
            while self._applied[user] < total and queue:
                self._applied[user] += 1
                self.seen.append((now, now - queue.popleft()))
                released += 1
        # Paced runs do not use the window: it may be full already.
        for _ in range(released):
            with contextlib.suppress(ValueError):
                self.window.release()

    def stop(self) -> None:
        """Stop listening."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def sent(self, user: str) -> None:
        """Record that an event of `user` is about to be written."""
        with self._lock:
            self._sent[user].append(time.perf_counter())

    def unsent(self, user: str) -> None:
        """Forget the last recorded write of `user` (it failed)."""
        with self._lock:
            if self._sent[user]:
                self._sent[user].pop()

    def pending(self) -> int:
        """Events written and not yet seen."""
        with self._lock:
            return sum(len(queue) for queue in self._sent.values())


@dataclass
class Run:
    """One pipeline run's outcome."""

    name: str
    seconds: float
    users: int = 0
    written: int = 0
    delays: list[float] = field(default_factory=list)
    in_window: int = 0
    unseen: int = 0
    write_errors: list[str] = field(default_factory=list)
    deliverer: dict[str, Any] = field(default_factory=dict)
    # CPU seconds the function's process spent during the run (direct runs only).
    function_cpu_s: float | None = None
    # CPU seconds each process of the pipeline spent during the run (see cpu_seconds).
    cpu_s: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Events made visible per second during the run."""
        return self.in_window / self.seconds


def _write(db: Any, watch: TotalsWatch, user: str, run: Run, lock: threading.Lock) -> None:
    transaction_id = f"bench-{uuid.uuid4().hex}"
    watch.sent(user)
    # The ledger's write, encoded and sent as the ceiling sends it (shared/firestore/writes.py):
    # the benchmark's own CPU is taken from the pipeline it measures, on the same cores.
    try:
        batch = Batch(db)
        batch.create(paths.transaction_doc(transaction_id), earn_transaction(user, 1))
        batch.commit()
    except Exception as exc:  # count it and keep the load going
        watch.unsent(user)
        with lock:
            run.write_errors.append(f"{type(exc).__name__}: {exc}"[:200])
        return
    with lock:
        run.written += 1


def _finish(watch: TotalsWatch, run: Run, started: float, ended: float) -> Run:
    deadline = time.monotonic() + DRAIN_SECONDS
    while watch.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    run.unseen = watch.pending()
    run.delays = [delay for _, delay in watch.seen]
    run.in_window = sum(1 for seen, _ in watch.seen if started <= seen <= ended)
    return run


def _watched(db: Any, users: list[str], body: Callable[[TotalsWatch], Run]) -> Run:
    watch = TotalsWatch(db, users).start()
    try:
        return body(watch)
    finally:
        watch.stop()


def max_rate(db: Any, users: int, seconds: float, writers: int = 4) -> Run:
    """Closed loop: at most IN_FLIGHT events written and not yet visible, as fast as it goes."""
    tag = uuid.uuid4().hex[:6]
    names = [f"+2019{tag}{i:03d}" for i in range(users)]
    threads_count = users if users > 1 else writers
    run = Run(f"max rate, {users} user{'s' * (users > 1)}", seconds, users)
    lock = threading.Lock()

    def body(watch: TotalsWatch) -> Run:
        started = time.perf_counter()
        until = started + seconds

        def writer(index: int) -> None:
            user = names[index % len(names)]
            while time.perf_counter() < until:
                if not watch.window.acquire(timeout=0.5):
                    continue
                _write(db, watch, user, run, lock)

        run_all(writer, threads_count)
        return _finish(watch, run, started, until)

    return _watched(db, names, body)


def paced(db: Any, users: int, seconds: float, rate: float = PACED_RATE) -> Run:
    """Open loop: one event every 1/rate s, users in turn, whatever the pipeline does."""
    tag = uuid.uuid4().hex[:6]
    names = [f"+2018{tag}{i:03d}" for i in range(users)]
    run = Run(f"paced {rate:g}/s, {users} users", seconds, users)
    lock = threading.Lock()

    def body(watch: TotalsWatch) -> Run:
        started = time.perf_counter()
        total = int(rate * seconds)
        with ThreadPoolExecutor(max_workers=8) as pool:
            for i in range(total):
                due = started + i / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                pool.submit(_write, db, watch, names[i % users], run, lock)
        return _finish(watch, run, started, started + seconds)

    return _watched(db, names, body)


def emulator_commit_rate(db: Any, threads: int, seconds: float) -> float:
    """Independent batched commits per second: a marker create plus one Increment each."""
    from google.cloud import firestore

    done = [0] * threads
    until = time.perf_counter() + seconds

    def worker(index: int) -> None:
        counter = db.document(f"benchCommits/t{index}-{uuid.uuid4().hex[:6]}")
        while time.perf_counter() < until:
            batch = db.batch()
            batch.create(counter.collection("markers").document(uuid.uuid4().hex), {"n": 1})
            batch.set(counter, {"n": firestore.Increment(1)}, merge=True)
            batch.commit()
            done[index] += 1

    run_all(worker, threads)
    return sum(done) / seconds


def listened_rate(db: Any, seconds: float, writers: int = 4) -> float:
    """Documents per second the emulator gets to one listener of their (growing) collection.

    No engine and no deliverer: the ceiling the emulator puts on a listener of a growing result
    set, with IN_FLIGHT documents written and not yet seen at most. The deliverer no longer
    listens (the emulator pushes to it); the figure says why the marker listener is kept small.
    """
    from bench.listen import NameListener

    collection = db.collection(f"benchListened-{uuid.uuid4().hex[:6]}")
    window = threading.BoundedSemaphore(IN_FLIGHT)
    seen = [0]

    def added(_document_id: str) -> None:
        seen[0] += 1
        with contextlib.suppress(ValueError):
            window.release()

    listener = NameListener(db, collection, added).start()
    until = time.perf_counter() + seconds

    def writer() -> None:
        while time.perf_counter() < until:
            if window.acquire(timeout=0.5):
                collection.document(uuid.uuid4().hex).create({"n": 1})

    run_all(lambda _index: writer(), writers)
    listener.stop()
    return seen[0] / seconds


def process_cpu_seconds(pid: int) -> float:
    """The CPU time (user and system, every thread) process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime, fields 14 and 15 of stat(5), the 12th and 13th after the command.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Mapping[str, int]) -> dict[str, float]:
    """The CPU time each named process has used so far, its children's not included."""
    # The benchmark's children are the emulators and the stack, each named on its own.

    def used(pid: int) -> float:
        try:
            return process_cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):  # gone: it uses nothing more
            return 0.0

    return {name: used(pid) for name, pid in pids.items()}


def cpu_spent(pids: Mapping[str, int], before: Mapping[str, float]) -> dict[str, float]:
    """The CPU time each named process used since `before` (a cpu_seconds result)."""
    return {name: now - before.get(name, 0.0) for name, now in cpu_seconds(pids).items()}


def direct_rate(
    project: str, event_url: str, users: int, threads: int, seconds: float, pid: int
) -> Run:
    """CloudEvents posted straight to the function (process `pid`): its rate and its CPU."""
    import requests

    from devtools.eventarc import Event, cloudevent_headers
    from shared.engine.cloudevent import encode_document_event

    tag = uuid.uuid4().hex[:6]
    run = Run(f"posted directly, {threads} senders", seconds, users)
    lock = threading.Lock()
    cpu_before = process_cpu_seconds(pid)
    until = time.perf_counter() + seconds

    def sender(index: int) -> None:
        session = requests.Session()
        mine: list[float] = []
        while time.perf_counter() < until:
            doc_id = f"bench-{uuid.uuid4().hex}"
            data = earn_transaction(f"+2017{tag}{index % users:03d}", 1)
            event = Event(uuid.uuid4().hex, doc_id, data, datetime.now(UTC))
            body = encode_document_event(project, paths.transaction_doc(doc_id), data)
            started = time.perf_counter()
            response = session.post(
                event_url, data=body, headers=cloudevent_headers(project, event), timeout=30
            )
            if response.status_code == 200:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    run.write_errors.append(f"HTTP {response.status_code}")
        with lock:
            run.delays.extend(mine)

    run_all(sender, threads)
    run.function_cpu_s = process_cpu_seconds(pid) - cpu_before
    run.written = run.in_window = len(run.delays)
    return run


def function_cpu_figure(direct: Run, challenges: int) -> Figure:
    """B2: the trigger function's own CPU per event, from the run that posts to it directly."""
    handled = len(direct.delays) + len(direct.write_errors)
    cpu_ms = (direct.function_cpu_s or 0.0) * 1000 / max(1, handled)
    return at_most(
        "B2 function CPU per event, events posted directly",
        cpu_ms,
        "ms",
        FUNCTION_CPU_GOAL_MS,
        events=handled,
        process_cpu_s=round(direct.function_cpu_s or 0.0, 3),
        active_challenges=challenges,
        measured="the functions' process: HTTP, CloudEvent decoding, engine, logs",
    )


def cpu_per_event_ms(spent: Mapping[str, float], events: int) -> float:
    """All the processes' CPU per event, in ms."""
    return sum(spent.values()) * 1000 / max(1, events)


def _cpu_figure(name: str, spent: Mapping[str, float], events: int) -> Figure:
    each = {f"{process}_ms": round(s * 1000 / max(1, events), 3) for process, s in spent.items()}
    return info(name, cpu_per_event_ms(spent, events), "ms", events=events, **each)


def figures(
    runs: list[Run],
    ceilings: dict[int, Ceiling],
    commit_rate: float,
    threads: int,
    challenges: int,
    direct: Run | None,
    listened: float | None = None,
    pushed: Pushed | None = None,
    ceiling_cpu: dict[int, dict[str, float]] | None = None,
) -> list[Figure]:
    """B2: rates (goals on the max-rate runs), delays (goal on the paced run), CPU, context."""
    out = [info("B2 emulator commit rate", commit_rate, "commits/s", threads=threads)]
    ceiling_cpu = ceiling_cpu or {}
    for users, ceiling in sorted(ceilings.items()):
        users_name = f"{users} user{'s' * (users > 1)}"
        out.append(
            info(
                f"B2 emulator event ceiling, {users_name}",
                ceiling.rate,
                "events/s",
                replays_failed=ceiling.errors,
                threads=threads,
                requests_per_event="transaction create, user document get, counting commit",
            )
        )
        if users in ceiling_cpu:
            name = f"B2 CPU per event at the emulator event ceiling, {users_name}"
            out.append(_cpu_figure(name, ceiling_cpu[users], ceiling.events))
    if listened is not None:
        out.append(info("B2 emulator rate seen by one listener", listened, "docs/s"))
    if pushed is not None:
        out.append(
            info(
                f"B2 emulator event ceiling with the push, {pushed.users} users",
                pushed.rate,
                "events/s",
                window=pushed.window,
                replays_failed=pushed.ceiling.errors,
                created=pushed.ceiling.created,
                pushed=pushed.pushed,
                all_pushed=pushed.drained,
                threads=threads,
            )
        )
    if direct is not None:
        out.append(
            info(
                f"B2 function rate, events {direct.name}",
                direct.rate,
                "events/s",
                p50_s=percentile(direct.delays, 50),
                p99_s=percentile(direct.delays, 99),
                errors=len(direct.write_errors),
                active_challenges=challenges,
            )
        )
        out.append(function_cpu_figure(direct, challenges))
    for run in runs:
        detail = {
            "written": run.written,
            "visible_in_window": run.in_window,
            "unseen_after_drain": run.unseen,
            "write_errors": len(run.write_errors),
            "seconds": run.seconds,
            "active_challenges": challenges,
            "p50_delay_s": round(percentile(run.delays, 50), 4),
            "p99_delay_s": round(percentile(run.delays, 99), 4),
            "deliverer": run.deliverer,
        }
        if run.name.startswith("paced"):
            out.append(info(f"B2 rate, {run.name}", run.rate, "events/s", **detail))
            out.append(info(f"B2 p50 delay, {run.name}", percentile(run.delays, 50), "s"))
            figure = at_most(
                f"B2 p99 delay, {run.name}", percentile(run.delays, 99), "s", P99_DELAY_GOAL_S
            )
            if run.unseen:
                figure = replace(figure, met=False, detail=detail)
            out.append(figure)
            continue
        out.append(at_least(f"B2 rate, {run.name}", run.rate, "events/s", RATE_GOAL, **detail))
        event_ceiling = ceilings.get(run.users)
        if run.cpu_s:
            name = f"B2 CPU per event, every process, {run.name}"
            out.append(_cpu_figure(name, run.cpu_s, run.written))
            if event_ceiling and run.users in ceiling_cpu:
                # A rate is the cores kept busy over the CPU per event: while the ceiling keeps
                # every core busy, the pipeline's share of it cannot exceed this ratio.
                out.append(
                    info(
                        f"B2 ceiling's CPU per event / the pipeline's, {run.name}",
                        cpu_per_event_ms(ceiling_cpu[run.users], event_ceiling.events)
                        / cpu_per_event_ms(run.cpu_s, run.written),
                        "",
                    )
                )
        if event_ceiling and event_ceiling.rate:
            share = at_least(
                f"B2 rate / emulator event ceiling, {run.name}",
                run.rate / event_ceiling.rate,
                "",
                round(SHARE_OF_CEILING_GOAL, 3),
                ceiling_events_per_s=round(event_ceiling.rate, 1),
                ceiling_replays_failed=event_ceiling.errors,
            )
            # A ceiling measured with failed replays is too low: no goal is met against it.
            out.append(replace(share, met=False) if event_ceiling.errors else share)
        if pushed is not None and pushed.rate and run.users == pushed.users:
            out.append(
                info(
                    f"B2 rate / emulator ceiling with the push, {run.name}",
                    run.rate / pushed.rate,
                    "",
                )
            )
        out.append(info(f"B2 p50 delay, {run.name}", percentile(run.delays, 50), "s"))
        out.append(info(f"B2 p99 delay, {run.name}", percentile(run.delays, 99), "s"))
    return out
