"""Section G, in process: what gm.* requests read, what events write for ranks, notifyAction.

The functions are loaded as Cloud Functions loads them and called through their Flask test
clients with a real site and application key (userKey + secret, allowed over plain HTTP here),
like bench/read_path.py; round trips are counted with bench/firestore_calls.py and documents
with bench/firestore_documents.py on the process's client.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.context import ROOT
from bench.firestore_calls import counting
from bench.firestore_documents import DocumentCounter, Write, documents
from bench.gigya_data import (
    CAPPED_ACTION,
    RANK_ACTIONS,
    Folded,
    GigyaFixture,
    Seeded,
    action_transaction,
    fold,
    seed_board,
)
from bench.report import Figure, at_most, info

STATUS = "gm.getChallengeStatus"
TOP_USERS = "gm.getTopUsers"
NOTIFY = "gm.notifyAction"
ENTRY_OF = {
    STATUS: "gm_get_challenge_status",
    TOP_USERS: "gm_get_top_users",
    NOTIFY: "gm_notify_action",
}
TOTAL_COUNT = 12
FLAT_GOAL = 0.10  # documents read within 10% across board sizes
WRITE_KS = (1, 5, 10)
# Per ranked challenge an event writes its board's entry, and its variant's with a variant.
WRITES_PER_CHALLENGE_GOAL = 2
# `_default` and its variant: the boards every earning event writes besides its challenges'.
DEFAULT_BOARDS = 2
# docs/GIGYA.md, "Cost per call": capped 1 read + 1 commit + the engine's 2; uncapped 1 + 2.
NOTIFY_ROUND_TRIPS = {"capped": 4, "uncapped": 3}
NOTIFY_USERS = 500  # notifications rotate over this many users (no level ever completes)
SECRET_OVER_HTTP = "GIGYA_ALLOW_SECRET_OVER_HTTP"


# In process only: the emulator answers gm.getTopUsers's query by scanning the board (no
# index), which takes seconds at 100,000 entries; the count must not die of the request deadline.
IN_PROCESS_ENV = {SECRET_OVER_HTTP: "true", "BACKEND_DEADLINE_SECONDS": "60"}


@contextmanager
def in_process_settings() -> Iterator[None]:
    """Accept userKey + secret over plain HTTP in this process (the test client is HTTP).

    The backend deadline is raised too (IN_PROCESS_ENV). The process's settings, clients and
    caches are forgotten on the way in and out, so that the settings are read again (the
    requests that follow warm the caches up again).
    """
    from devtools.process_state import reset_process_state

    saved = {name: os.environ.get(name) for name in IN_PROCESS_ENV}
    os.environ.update(IN_PROCESS_ENV)
    reset_process_state()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_process_state()


class Functions:
    """The gm.* functions as deployed, called in process with the fixture's application key."""

    def __init__(self, fixture: GigyaFixture) -> None:
        import functions_framework

        self.fixture = fixture
        self._clients = {
            method: functions_framework.create_app(
                target=entry, source=str(ROOT / "main.py")
            ).test_client()
            for method, entry in ENTRY_OF.items()
        }

    def call(self, method: str, params: dict[str, str]) -> dict[str, Any]:
        """POST the form as the SDKs do; the body, which must be a success."""
        response = self._clients[method].post(f"/{method}", data={**self.fixture.auth(), **params})
        body = response.get_json(silent=True) or {}
        if response.status_code != 200 or body.get("errorCode") != 0:
            raise RuntimeError(f"{method} answered {response.status_code}: {body}")
        return dict(body)


def status_params(fixture: GigyaFixture) -> dict[str, str]:
    """gm.getChallengeStatus of the measured user in the 20 Gigya challenges, full details."""
    return {
        "UID": fixture.user,
        "includeChallenges": ",".join(fixture.challenge_ids),
        "details": "full",
    }


def top_users_params(fixture: GigyaFixture, period: str) -> dict[str, str]:
    """gm.getTopUsers of the ranked board, 12 users, the measured user included."""
    return {
        "challenge": fixture.ranked_challenge,
        "totalCount": str(TOTAL_COUNT),
        "period": period,
        "UID": fixture.user,
    }


def _check(method: str, body: dict[str, Any], fixture: GigyaFixture) -> None:
    if method == STATUS and len(body.get("achievements") or []) != len(fixture.challenge_ids):
        raise RuntimeError(f"{STATUS} returned {len(body.get('achievements') or [])} challenges")
    if method == TOP_USERS and len(body.get("users") or []) < TOTAL_COUNT:
        raise RuntimeError(f"{TOP_USERS} listed {len(body.get('users') or [])} users")


@dataclass
class Reads:
    """Round trips and documents of repeated requests of one kind at one board size."""

    label: str  # e.g. "gm.getTopUsers period=all"
    users: int  # ranked users seeded on the board
    cache: str  # "cold": rank tables read; "warm": tables cached by the instance
    round_trips: list[int] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)
    found: list[int] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    by_method: Counter[str] = field(default_factory=Counter)
    documents_by_method: Counter[str] = field(default_factory=Counter)
    wall_ms: list[float] = field(default_factory=list)  # in process, against the emulator


def count_reads(
    fixture: GigyaFixture, users: int, warmups: int = 2, repeats: int = 3
) -> list[Reads]:
    """Per request kind: round trips and documents read, with the rank tables cold and warm."""
    from shared.clients import firestore_client
    from shared.repository import leaderboards_repo

    kinds = [
        (STATUS, STATUS, status_params(fixture)),
        (f"{TOP_USERS} period=all", TOP_USERS, top_users_params(fixture, "all")),
        (f"{TOP_USERS} period=7days", TOP_USERS, top_users_params(fixture, "7days")),
    ]
    results: list[Reads] = []
    with in_process_settings():
        functions = Functions(fixture)
        db = firestore_client()
        for label, method, params in kinds:
            for _ in range(warmups):
                _check(method, functions.call(method, params), fixture)
            for cache in ("cold", "warm"):
                reads = Reads(label, users, cache)
                for _ in range(repeats):
                    if cache == "cold":
                        leaderboards_repo.reset_cache()
                    started = time.perf_counter()
                    with counting(db) as calls, documents(db) as docs:
                        body = functions.call(method, params)
                    reads.wall_ms.append(round((time.perf_counter() - started) * 1000, 1))
                    _check(method, body, fixture)
                    reads.round_trips.append(calls.total())
                    reads.by_method.update(calls.snapshot())
                    reads.documents.append(docs.read)
                    reads.found.append(sum(docs.by_method().values()))
                    reads.bytes.append(docs.bytes)
                    reads.documents_by_method.update(docs.by_method())
                results.append(reads)
    return results


@dataclass
class Sizes:
    """Section G's measurements at each board size: seeding, folding, reads, event writes."""

    seeded: list[tuple[int, Seeded, Folded]] = field(default_factory=list)
    reads: list[Reads] = field(default_factory=list)
    writes: list[EventWrites] = field(default_factory=list)


def measure_sizes(
    db_factory: Any,
    fixture: GigyaFixture,
    sizes: Sequence[int],
    repeats: int = 3,
    say: Any = None,
) -> Sizes:
    """Grow the board to each size in turn (seed, fold), then count reads and event writes."""
    from datetime import UTC, datetime

    db = db_factory()
    fold(db)  # the fixture's own entries (the read user's), so that each size folds its users
    now = datetime.now(UTC)
    result = Sizes()
    previous = 0
    for users in sorted(sizes):
        if say is not None:
            say(f"G1: seeding the board to {users:,} users and folding them")
        seeded = seed_board(db_factory, fixture.board, previous, users, now)
        folded = fold(db)
        result.seeded.append((users, seeded, folded))
        if say is not None:
            say(
                f"    {seeded.rate:,.0f} entries written/s, {folded.rate:,.0f} folded/s "
                f"({folded.seconds:.1f} s)"
            )
        result.reads += count_reads(fixture, users, warmups=min(2, repeats), repeats=repeats)
        result.writes += count_event_writes(users)
        previous = users
    return result


@dataclass(frozen=True)
class EventWrites:
    """The counting commit of one Action transaction: its writes beyond user document and marker."""

    users: int  # ranked users on the board when measured
    k: int  # ranked challenges the action counts for
    variant: bool
    counted: int  # challenges the engine counted it for
    writes: tuple[Write, ...]  # the whole counting commit
    extra: int  # writes beyond the user document and the event marker
    boards: tuple[str, ...]  # the leaderboard entries written (board ids)


def _board_of(path: str) -> str | None:
    from shared.schema import gigya as schema

    parts = path.split("/")
    if len(parts) == 4 and parts[0] == schema.LEADERBOARDS and parts[2] == schema.ENTRIES:
        return parts[1]
    return None


def count_event_writes(users: int) -> list[EventWrites]:
    """For k = 1, 5, 10 ranked challenges, with and without a variant: the counting commit."""
    from shared.clients import firestore_client
    from shared.engine.process import process_transaction
    from shared.repository import paths

    db = firestore_client()
    results: list[EventWrites] = []
    for k in WRITE_KS:
        for variant in (False, True):
            user = f"bench-writes-{uuid.uuid4().hex[:10]}"
            transaction_id = f"bench-w-{uuid.uuid4().hex}"
            tx = action_transaction(user, RANK_ACTIONS[k], variant)
            with documents(db) as docs:
                outcome = process_transaction(db, transaction_id, tx)
            marker = paths.event_marker_doc(user, transaction_id)
            writes = _counting_commit(docs, marker)
            own = {marker, paths.user_doc(user)}
            boards = tuple(b for w in writes if (b := _board_of(w.path)) is not None)
            results.append(
                EventWrites(
                    users=users,
                    k=k,
                    variant=variant,
                    counted=len(outcome.counted),
                    writes=tuple(writes),
                    extra=sum(1 for w in writes if w.path not in own),
                    boards=boards,
                )
            )
    return results


def _counting_commit(docs: DocumentCounter, marker: str) -> list[Write]:
    writes = docs.commit_writing(marker)
    if writes is None:
        raise RuntimeError(f"no commit wrote the event marker {marker}")
    return writes


@dataclass
class NotifyTrips:
    """Round trips of gm.notifyAction calls for one action."""

    kind: str  # "capped" or "uncapped"
    action: str
    round_trips: list[int] = field(default_factory=list)
    by_method: Counter[str] = field(default_factory=Counter)


def notify_params(action: str, index: int) -> dict[str, str]:
    """A notification of `action` by one of NOTIFY_USERS users, in turn."""
    return {"UID": f"bench-notify-{index % NOTIFY_USERS:04d}", "action": action}


# Latency: a capped and an uncapped action, both counted in the first 5 challenges.
NOTIFY_ACTIONS = {"capped": CAPPED_ACTION, "uncapped": RANK_ACTIONS[5]}
# Round trips: those two, and an uncapped action that every level measuring actions counts
# (`rank-20`). `rank-5` feeds the points of challenges whose levels count `rank-20`: none of their
# level's counters, so the engine reads nothing more for them (shared/engine/settling.py,
# `could_complete`).
NOTIFY_TRIPS = [*NOTIFY_ACTIONS.items(), ("uncapped", RANK_ACTIONS[20])]


def count_notify(fixture: GigyaFixture, repeats: int = 5) -> list[NotifyTrips]:
    """Round trips per gm.notifyAction, capped and uncapped."""
    from shared.clients import firestore_client

    results: list[NotifyTrips] = []
    with in_process_settings():
        functions = Functions(fixture)
        db = firestore_client()
        index = 0
        for kind, action in NOTIFY_TRIPS:
            functions.call(NOTIFY, notify_params(action, index))  # warm-up
            index += 1
            trips = NotifyTrips(kind, action)
            for _ in range(repeats):
                with counting(db) as calls:
                    functions.call(NOTIFY, notify_params(action, index))
                index += 1
                trips.round_trips.append(calls.total())
                trips.by_method.update(calls.snapshot())
            results.append(trips)
    return results


# --- figures -------------------------------------------------------------------------------------


def _flat(name: str, values: dict[int, int], unit: str, **detail: Any) -> Figure:
    """The largest relative difference from the smallest board's value, with the 10% goal."""
    smallest = min(values)
    base = values[smallest]
    spread = max(abs(v - base) for v in values.values()) / base if base else float("nan")
    return Figure(
        name,
        round(spread * 100, 1),
        "%",
        f"<= {FLAT_GOAL * 100:g} % (vs {smallest:,} users)",
        spread <= FLAT_GOAL,
        {"by_users": {str(n): v for n, v in sorted(values.items())}, "unit": unit, **detail},
    )


def read_figures(reads: Sequence[Reads]) -> list[Figure]:
    """G1: documents and round trips per request at each size, and their spread across sizes."""
    out: list[Figure] = []
    labels = list(dict.fromkeys(r.label for r in reads))
    for label in labels:
        cold = sorted((r for r in reads if r.label == label and r.cache == "cold"), key=_users)
        warm = {r.users: r for r in reads if r.label == label and r.cache == "warm"}
        for r in cold:
            w = warm[r.users]
            out.append(
                info(
                    f"G1 {label}: documents read, {r.users:,} users",
                    max(r.documents),
                    "docs",
                    rank_tables="read (cold instance cache)",
                    warm_documents=max(w.documents),
                    found=max(r.found),
                    bytes_cold=max(r.bytes),
                    bytes_warm=max(w.bytes),
                    documents_by_method=dict(r.documents_by_method),
                    wall_ms_in_process=r.wall_ms + w.wall_ms,
                )
            )
            out.append(
                info(
                    f"G1 {label}: round trips, {r.users:,} users",
                    max(r.round_trips),
                    "RPC",
                    warm_round_trips=max(w.round_trips),
                    by_method=dict(r.by_method),
                    warm_by_method=dict(w.by_method),
                )
            )
        if len(cold) > 1:
            out.append(
                _flat(
                    f"G1 {label}: documents read, spread over sizes (cold)",
                    {r.users: max(r.documents) for r in cold},
                    "docs",
                )
            )
            out.append(
                _flat(
                    f"G1 {label}: documents read, spread over sizes (warm)",
                    {n: max(w.documents) for n, w in warm.items()},
                    "docs",
                )
            )
    return out


def _users(r: Reads) -> int:
    return r.users


def seeding_figures(seeded: Sequence[tuple[int, Seeded, Folded]]) -> list[Figure]:
    """G1 context: entries written per second while seeding, entries folded per second."""
    out: list[Figure] = []
    for users, seed, folded in seeded:
        out.append(
            info(
                f"G1 seeding to {users:,} users: entries written per second",
                round(seed.rate),
                "entries/s",
                entries=seed.entries,
                commits=seed.commits,
                seconds=round(seed.seconds, 2),
            )
        )
        out.append(
            info(
                f"G1 refresh to {users:,} users: entries folded per second",
                round(folded.rate),
                "entries/s",
                entries=folded.entries,
                pages=folded.pages,
                retries=folded.retries,
                skipped=folded.skipped,
                seconds=round(folded.seconds, 2),
            )
        )
    return out


def write_figures(events: Sequence[EventWrites]) -> list[Figure]:
    """G4: writes beyond the user document and marker, per (k, variant), the same at every size."""
    out: list[Figure] = []
    biggest = max(e.users for e in events)
    at_biggest: dict[tuple[int, bool], int] = {}
    for k in WRITE_KS:
        for variant in (False, True):
            same = [e for e in events if e.k == k and e.variant == variant]
            by_users = {e.users: e.extra for e in same}
            top = next(e for e in same if e.users == biggest)
            at_biggest[(k, variant)] = top.extra
            limit = WRITES_PER_CHALLENGE_GOAL * k + DEFAULT_BOARDS
            flat = len(set(by_users.values())) == 1
            out.append(
                Figure(
                    f"G4 counting commit beyond user doc + marker, k={k}"
                    f"{', variant' if variant else ''}",
                    top.extra,
                    "writes",
                    f"<= {limit} writes, same at every size",
                    top.extra <= limit and flat,
                    {
                        "by_users": {str(n): v for n, v in sorted(by_users.items())},
                        "counted_challenges": top.counted,
                        "boards": list(top.boards),
                        "commit_writes": len(top.writes),
                        "other_writes": [w.path for w in top.writes if _board_of(w.path) is None],
                    },
                )
            )
    spread = WRITE_KS[-1] - WRITE_KS[0]
    for variant in (False, True):
        per = (at_biggest[(WRITE_KS[-1], variant)] - at_biggest[(WRITE_KS[0], variant)]) / spread
        out.append(
            at_most(
                f"G4 writes per ranked challenge{', variant' if variant else ''}",
                per,
                "writes",
                WRITES_PER_CHALLENGE_GOAL,
                measured_between=f"k={WRITE_KS[0]} and k={WRITE_KS[-1]}",
                users=biggest,
            )
        )
    return out


def notify_figures(trips: Sequence[NotifyTrips]) -> list[Figure]:
    """G3: round trips per gm.notifyAction, capped and uncapped, against docs/GIGYA.md's cost."""
    return [
        at_most(
            f"G3 {NOTIFY} round trips, {t.kind} ({t.action})",
            max(t.round_trips),
            "RPC",
            NOTIFY_ROUND_TRIPS[t.kind],
            per_call=t.round_trips,
            median=statistics.median(t.round_trips),
            by_method=dict(t.by_method),
        )
        for t in trips
    ]
