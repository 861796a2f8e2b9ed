"""Write path, in process: RPCs and CPU per event around the engine's `process_transaction`."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace

from bench.context import BenchContext
from bench.data import COMPLETING_POINTS, earn_catalog, earn_transaction, load_catalog
from bench.firestore_calls import counting
from bench.report import Figure, at_most, info

CPU_GOAL_MS = 1.0
COMMIT_METHODS = ("commit", "batch_write")


@dataclass
class EventCount:
    """RPCs and CPU of events processed one at a time."""

    label: str
    challenges: int
    round_trips: list[int] = field(default_factory=list)
    commits: list[int] = field(default_factory=list)
    methods: Counter[str] = field(default_factory=Counter)
    cpu_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    counted: int = 0
    milestones: int = 0


def _process(count: EventCount, user: str, points: int) -> None:
    from shared.clients import firestore_client
    from shared.engine.process import process_transaction

    db = firestore_client()
    with counting(db) as counter:
        cpu, wall = time.process_time(), time.perf_counter()
        outcome = process_transaction(
            db, f"bench-{uuid.uuid4().hex}", earn_transaction(user, points)
        )
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    calls = counter.snapshot()
    count.round_trips.append(sum(calls.values()))
    count.commits.append(sum(calls[m] for m in COMMIT_METHODS))
    count.methods.update(calls)
    count.cpu_ms.append(cpu * 1000)
    count.wall_ms.append(wall * 1000)
    count.counted = len(outcome.counted)
    count.milestones += len(outcome.milestones)


def count_events(ctx: BenchContext, active: int, events: int) -> tuple[EventCount, EventCount]:
    """Events completing nothing, then one completing a level, with `active` challenges."""
    load_catalog(ctx, earn_catalog(active))
    user = f"bench-quiet-{active}-{uuid.uuid4().hex[:6]}"
    quiet = EventCount(f"{active} active, no completion", active)
    warm = EventCount("warm-up", active)
    _process(warm, user, 1)  # loads the catalog cache and opens the channel
    for _ in range(events):
        _process(quiet, user, 1)
    completing = EventCount(f"{active} active, one level completes", active)
    _process(completing, f"bench-winner-{active}-{uuid.uuid4().hex[:6]}", COMPLETING_POINTS)
    if quiet.milestones or not completing.milestones:
        raise RuntimeError("the engine benchmark's events did not complete what they should")
    return quiet, completing


def evaluation_cpu(challenges: int, repeats: int) -> tuple[float, int]:
    """CPU ms per challenge of the pure path: candidates, batch fields, state, level evaluation.

    Uses the synthetic catalog (mixed kinds, multi-group levels) and an earn transaction.
    """
    from devtools.synthetic_catalog import synthetic_catalog
    from shared.engine.candidates import candidates_for
    from shared.engine.counting import progress_fields, state_after
    from shared.engine.settling import could_complete, current_level
    from shared.engine.transaction import parse_transaction
    from shared.progress.evaluation import level_met
    from shared.progress.state import ProgressState
    from shared.repository.catalog_cache import CatalogView

    view = CatalogView.build(synthetic_catalog(challenges))
    tx = parse_transaction(earn_transaction("+201000000200", 5))
    evaluated = 0
    started = time.thread_time()
    for _ in range(repeats):
        for candidate in candidates_for(view.by_kind, tx):
            state = ProgressState()
            progress_fields(candidate, state, tx)
            totals = dict.fromkeys(candidate.contribution.cumulative, 5.0)
            after = state_after(candidate, state, tx, totals)
            _, level = current_level(candidate.challenge, after)
            level_met(level, after)
            could_complete(level, after, candidate.contribution.counters)
            evaluated += 1
    elapsed = time.thread_time() - started
    return elapsed * 1000 / max(1, evaluated), evaluated // max(1, repeats)


def figures(counts: list[tuple[EventCount, EventCount]], pure: tuple[float, int]) -> list[Figure]:
    """B1 per catalog size (goal on quiet events), B3 per challenge (pure and in-process)."""
    out: list[Figure] = []
    for quiet, completing in counts:
        rmw = quiet.methods.get("begin_transaction", 0)
        commits = max(quiet.commits)
        figure = at_most(
            f"B1 commits per event, {quiet.challenges} active, no completion",
            commits,
            "",
            1,
            round_trips_per_event=quiet.round_trips,
            by_method=dict(quiet.methods),
            read_modify_write_transactions=rmw,
            counted_challenges=quiet.counted,
        )
        if rmw:
            figure = replace(figure, met=False)
        out.append(figure)
        out.append(
            info(
                f"B1 round trips per event, {quiet.challenges} active, no completion",
                max(quiet.round_trips),
                "RPC",
                by_method=dict(quiet.methods),
            )
        )
        out.append(
            info(
                f"B1 round trips, {completing.challenges} active, level completes",
                max(completing.round_trips),
                "RPC",
                commits=max(completing.commits),
                by_method=dict(completing.methods),
            )
        )
    per_challenge, evaluated = pure
    out.append(
        at_most(
            "B3 CPU per challenge, pure evaluation",
            per_challenge,
            "ms",
            CPU_GOAL_MS,
            challenges_per_event=evaluated,
            catalog="synthetic, 200 challenges",
        )
    )
    for quiet, _ in counts:
        # The engine's own share of the function's CPU per event (B2), without HTTP or framework.
        out.append(
            info(
                f"B3 CPU per event in process, {quiet.challenges} active, no completion",
                sorted(quiet.cpu_ms)[len(quiet.cpu_ms) // 2],
                "ms",
                events=len(quiet.cpu_ms),
                includes="the engine, the commit's encoding, the gRPC calls, the decoding",
            )
        )
    biggest = max((q for q, _ in counts), key=lambda q: q.challenges)
    cpu = sorted(biggest.cpu_ms)[len(biggest.cpu_ms) // 2]
    out.append(
        at_most(
            f"B3 CPU per challenge, whole event in process ({biggest.challenges} active)",
            cpu / biggest.challenges,
            "ms",
            CPU_GOAL_MS,
            cpu_ms_per_event_median=round(cpu, 2),
            wall_ms_per_event=[round(w, 1) for w in biggest.wall_ms],
            includes="the Firestore client's encoding and decoding",
        )
    )
    return out
