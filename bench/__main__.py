"""`make bench`: every benchmark figure with its goal, on emulators this command starts and stops.

    python -m bench [--quick] [--only A,B,C,G,S] [--out .bench/results.json]

Sections: A read path (round trips, signatures, latency), B write path (commits per event,
pipeline rate and delay, CPU per challenge), C cold start and peak memory per entry point,
G the Gigya surface (documents read per gm.* request as a board grows, gm.* latency next to the
DSQ list's, gm.notifyAction, the writes an event adds for ranks, cold starts of the gm.*
functions and the rank refresher), S a soak: the DSQ list and gm.getChallengeStatus at 16 clients
for 60 s, errors and the stack's memory before and after.
`--quick` shortens every duration and shrinks the boards for a smoke run; its figures are not
comparable.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import noise
from bench.context import ROOT, BenchContext
from bench.report import Figure, summary_lines, write_json

WORK_DIR = ROOT / ".bench"
READ_CATALOG = 200
PIPELINE_CHALLENGES = 10
COMMIT_THREADS = 16
# The user counts of the max-rate runs, each with its own ceiling.
CEILING_USERS = (1, 50)


@dataclass(frozen=True)
class Durations:
    """Seconds (and counts) each measurement runs."""

    latency: float
    latency_warmup: float
    pipeline: float
    paced: float
    commit_rate: float
    direct: float
    engine_events: int
    evaluation_repeats: int
    # Section G: the sizes the ranked board grows to, and requests counted per size and kind.
    board_users: tuple[int, ...] = (1_000, 10_000, 100_000)
    gigya_repeats: int = 3
    # Section S: the saturation run (after a warm-up of `latency_warmup`).
    soak: float = 60


FULL = Durations(10, 3, 30, 20, 5, 5, 50, 50)
QUICK = Durations(1.5, 1, 3, 3, 1, 1, 3, 5, board_users=(200, 1_000), gigya_repeats=2, soak=5)


def say(message: str) -> None:
    """Progress on the console, flushed (a run takes minutes)."""
    print(message, flush=True)


def read_section(
    ctx: BenchContext, durations: Durations, cold: bool, challenges: int
) -> list[Figure]:
    """A1-A3 on a synthetic catalog, and C (cold starts) on the same data."""
    from bench import data, latency, read_path
    from bench.stack import running_stack

    say(f"A: loading {challenges} challenges and a user with progress in all of them")
    fixture = data.load_read_fixture(ctx, challenges)
    figures = read_path.figures(read_path.count_requests(fixture), challenges)
    if cold:
        say("C: cold start of every entry point on the read path's data")
        figures += _cold_starts(ctx, fixture, _read_entry_points())
    say("A3: latency against the local stack in another process")
    with running_stack(ctx.env, ctx.log_dir / "stack-read.log") as stack:
        loads = latency.measure(stack.url, fixture, durations.latency, durations.latency_warmup)
    return figures + latency.figures(loads)


def _read_entry_points() -> list[str]:
    """Entry points whose first request needs the read path's data (C); the others are G5."""
    from bench.cold_starts import needs_gigya_data
    from devtools.server import entry_points

    return [e for e in entry_points() if not needs_gigya_data(e)]


def _cold_starts(ctx: BenchContext, fixture: Any, entries: list[str]) -> list[Figure]:
    from bench import cold_starts

    results = cold_starts.measure_all(entries, ctx.env, fixture, ctx.project)
    return cold_starts.figures(results, generic=cold_starts.generic_probes(entries))


def cold_section(ctx: BenchContext, challenges: int) -> list[Figure]:
    """C alone (when A is not run)."""
    from bench import data

    fixture = data.load_read_fixture(ctx, challenges)
    say("C: cold start of every entry point on the read path's data")
    return _cold_starts(ctx, fixture, _read_entry_points())


def gigya_cold_starts(ctx: BenchContext, fixture: Any) -> list[Figure]:
    """G5: the gm.* functions and refresh_ranks started cold, each with a real first request."""
    from bench import cold_starts
    from bench.gigya_latency import stack_env
    from devtools.server import entry_points

    entries = [e for e in entry_points() if cold_starts.needs_gigya_data(e)]
    say(f"G5: cold start of {', '.join(entries)}")
    results = cold_starts.measure_all(
        entries, stack_env(ctx.env), fixture.read, ctx.project, gigya=fixture
    )
    generic = cold_starts.generic_probes(entries, gigya=True)
    return cold_starts.figures(results, prefix="G5", generic=generic)


def gigya_section(ctx: BenchContext, durations: Durations, challenges: int) -> list[Figure]:
    """G1-G5 on the read path's catalog with a Gigya side, its ranked board grown in steps."""
    from bench import gigya, gigya_data, gigya_latency
    from bench.stack import running_stack

    say(f"G: loading {challenges} challenges (20 of them Gigya challenges), a site and a key")
    fixture = gigya_data.load_gigya_fixture(ctx, challenges)
    # Cold starts first, while every board is small: on the emulator, which scans instead of
    # using indexes, a first gm.getTopUsers or refresh on a big board measures the scan.
    figures = gigya_cold_starts(ctx, fixture)
    sizes = gigya.measure_sizes(
        ctx.firestore, fixture, durations.board_users, durations.gigya_repeats, say
    )
    figures += gigya.seeding_figures(sizes.seeded)
    figures += gigya.read_figures(sizes.reads)
    figures += gigya.write_figures(sizes.writes)
    say("G3: gm.notifyAction round trips, in process")
    figures += gigya.notify_figures(gigya.count_notify(fixture, durations.gigya_repeats + 2))
    say("G2/G3: latency against the local stack in another process")
    env = gigya_latency.stack_env(ctx.env)
    with running_stack(env, ctx.log_dir / "stack-gigya.log") as stack:
        loads = gigya_latency.measure(
            stack.url, fixture, durations.latency, durations.latency_warmup
        )
    return figures + gigya_latency.figures(loads)


def soak_section(ctx: BenchContext, durations: Durations, challenges: int) -> list[Figure]:
    """S: the DSQ list and gm.getChallengeStatus at saturation; errors and the stack's RSS."""
    from bench import gigya_data, soak
    from bench.gigya_latency import stack_env
    from bench.stack import running_stack

    say(f"S: loading {challenges} challenges (20 of them Gigya challenges), a site and a key")
    fixture = gigya_data.load_gigya_fixture(ctx, challenges)
    say(f"S: soak, {soak.CLIENTS} clients for {durations.soak:g} s against the local stack")
    with running_stack(stack_env(ctx.env), ctx.log_dir / "stack-soak.log") as stack:
        run = soak.run(
            stack.url,
            stack.pid,
            fixture,
            durations.soak,
            # Memory is compared from steady state: a quarter of the run fills the caches and
            # the server's threads first (its errors are reported apart).
            warmup=max(durations.latency_warmup, durations.soak / 4),
        )
    return soak.figures(run)


def _phones(prefix: str, users: int) -> list[str]:
    """`users` distinct phone numbers starting with `prefix`, the same for the same arguments."""
    return [f"{prefix}{users:03d}{i:05d}" for i in range(users)]


def write_section(ctx: BenchContext, durations: Durations) -> list[Figure]:
    """B1 and B3 in process, then B2 through the local pipeline."""
    from bench import ceiling, data, pipeline, write_path
    from bench.stack import EVENT_THREADS, running_stack

    say("B1/B3: the engine in process, 10 and 200 active challenges")
    counts = [write_path.count_events(ctx, n, durations.engine_events) for n in (10, 200)]
    pure = write_path.evaluation_cpu(200, durations.evaluation_repeats)
    figures = write_path.figures(counts, pure)

    catalog = data.earn_catalog(PIPELINE_CHALLENGES)
    runs: list[pipeline.Run] = []
    ceilings: dict[int, ceiling.Ceiling] = {}
    ceiling_cpu: dict[int, dict[str, float]] = {}
    # The processes whose CPU an event costs besides the stack's: the emulator and this one.
    replaying = {"benchmark": os.getpid()}
    if ctx.emulators.firestore_pid is not None:
        replaying["emulator"] = ctx.emulators.firestore_pid
    commit_rate = 0.0
    direct = None
    listened = None
    pushed = None
    plans: list[tuple[str, Any]] = [
        ("max rate, 1 user", lambda db: pipeline.max_rate(db, 1, durations.pipeline)),
        ("max rate, 50 users", lambda db: pipeline.max_rate(db, 50, durations.pipeline)),
        ("paced", lambda db: pipeline.paced(db, 50, durations.paced)),
    ]
    for index, (name, plan) in enumerate(plans):
        # Each run starts from an empty database: the emulator's listeners slow down as the
        # collections they watch grow, which production Firestore does not.
        data.load_catalog(ctx, catalog)
        db = ctx.firestore()
        if index == 0:
            say("B2: the emulator's own commit rate")
            commit_rate = pipeline.emulator_commit_rate(db, COMMIT_THREADS, durations.commit_rate)
            say("B2: the emulator's ceiling for the events' storage work, no function")
            for users in CEILING_USERS:
                events = ceiling.record(db, _phones("+2016", users))
                before = pipeline.cpu_seconds(replaying)
                ceilings[users] = ceiling.event_rate(
                    db, events, COMMIT_THREADS, durations.commit_rate
                )
                ceiling_cpu[users] = pipeline.cpu_spent(replaying, before)
            say("B2: the emulator's ceiling with each event's push, no function")
            pushed = ceiling.push_rate(
                db,
                _phones("+2015", max(CEILING_USERS)),
                COMMIT_THREADS,
                durations.commit_rate,
                pipeline.IN_FLIGHT,
                ctx.env,
                ctx.log_dir / "push-counter.log",
            )
            listened = pipeline.listened_rate(db, durations.pipeline / 2)
            # The pipeline starts from an empty database again (see above).
            data.load_catalog(ctx, catalog)
            db = ctx.firestore()
        say(f"B2: pipeline, {name}")
        pipeline_log = ctx.log_dir / "stack-pipeline.log"
        with running_stack(ctx.env, pipeline_log, deliver=True, threads=EVENT_THREADS) as stack:
            if index == 0:
                direct = pipeline.direct_rate(
                    ctx.project,
                    stack.url + "/_eventarc/on_transaction_created",
                    50,
                    COMMIT_THREADS,
                    durations.direct,
                    stack.pid,
                )
            pids = {**replaying, "functions": stack.pid}
            if stack.deliverer_pid is not None:
                pids["deliverer"] = stack.deliverer_pid
            before = pipeline.cpu_seconds(pids)
            run = plan(db)
            run.cpu_s = pipeline.cpu_spent(pids, before)
        run.deliverer = stack.final
        runs.append(run)
    figures += pipeline.figures(
        runs,
        ceilings,
        commit_rate,
        COMMIT_THREADS,
        PIPELINE_CHALLENGES,
        direct,
        listened,
        pushed,
        ceiling_cpu,
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections, print the summary, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short durations, a smoke run")
    parser.add_argument("--only", default="A,B,C,G,S", help="sections to run, e.g. A,C")
    parser.add_argument("--out", type=Path, default=WORK_DIR / "results.json")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a goal is missed"
    )
    args = parser.parse_args(argv)
    sections = {s.strip().upper() for s in args.only.split(",") if s.strip()}
    durations = QUICK if args.quick else FULL
    from devtools.emulators import running_emulators

    started = time.monotonic()
    before = noise.measure()
    say(before.describe())
    figures: list[Figure] = []
    with running_emulators(WORK_DIR / "emulators") as emulators:
        ctx = BenchContext(emulators, WORK_DIR)
        ctx.activate()
        if "A" in sections:
            figures += read_section(ctx, durations, "C" in sections, READ_CATALOG)
        elif "C" in sections:
            figures += cold_section(ctx, READ_CATALOG)
        if "B" in sections:
            figures += write_section(ctx, durations)
        if "G" in sections:
            figures += gigya_section(ctx, durations, READ_CATALOG)
        elif "C" in sections:
            # C covers every entry point: the gm.* functions and the refresher on G's data.
            from bench import gigya_data

            figures += gigya_cold_starts(ctx, gigya_data.load_gigya_fixture(ctx, READ_CATALOG))
        if "S" in sections:
            figures += soak_section(ctx, durations, READ_CATALOG)
    after = noise.measure()
    elapsed = time.monotonic() - started
    say(after.describe())
    say(f"\nsummary ({'quick' if args.quick else 'full'} run, {elapsed:.0f} s):")
    for line in summary_lines(figures):
        say("  " + line)
    context = {
        "mode": "quick" if args.quick else "full",
        "sections": sorted(sections),
        "seconds": round(elapsed, 1),
        "noise_before": asdict(before),
        "noise_after": asdict(after),
        "durations": asdict(durations),
    }
    write_json(args.out, figures, context)
    say(f"written to {args.out}")
    missed = [f.name for f in figures if f.met is False]
    if missed:
        say(f"goals missed: {len(missed)} ({'; '.join(missed)})")
    # The figures are the product; a missed goal fails the run only when asked to.
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
