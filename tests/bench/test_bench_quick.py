"""The pieces of `make bench --quick` at tiny sizes on the test emulators, so they keep working."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench import (
    ceiling,
    cold_starts,
    data,
    gigya,
    gigya_data,
    latency,
    pipeline,
    read_path,
    write_path,
)
from bench.context import BenchContext
from bench.stack import EVENT_THREADS, running_stack
from devtools.emulators import Emulators, running_emulators
from devtools.process_state import reset_process_state
from tests.conftest import BUCKET, PROJECT

pytestmark = [pytest.mark.emulator, pytest.mark.timeout(180)]


@contextmanager
def _bench_context(
    emulators: Emulators, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BenchContext]:
    """A benchmark context on `emulators`; the process's settings follow it, and are undone."""
    context = BenchContext(emulators, tmp_path, project=PROJECT, bucket=BUCKET)
    for name, value in context.env.items():
        monkeypatch.setenv(name, value)
    reset_process_state()
    try:
        yield context
    finally:
        monkeypatch.undo()
        reset_process_state()


@pytest.fixture
def ctx(
    emulators: Emulators, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BenchContext]:
    """A benchmark context on the test emulators, emptied first."""
    with _bench_context(emulators, tmp_path, monkeypatch) as context:
        context.clear()
        yield context


@pytest.fixture
def own_ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BenchContext]:
    """A benchmark context on emulators of its own, for deliverers in other processes.

    Such a deliverer serves the emulator's relay port, which this process keeps for the rest
    of the session once any in-process `Deliverer` has used the session's emulator
    (devtools/relay.py).
    """
    with (
        running_emulators(tmp_path / "emulators") as emulators,
        _bench_context(emulators, tmp_path, monkeypatch) as context,
    ):
        yield context


@pytest.fixture
def fixture(ctx: BenchContext) -> data.ReadFixture:
    return data.load_read_fixture(ctx, 12)


def test_seeded_progress_completes_nothing_and_lists_prizes(
    ctx: BenchContext, fixture: data.ReadFixture
) -> None:
    from shared.clients import firestore_client
    from shared.engine.process import process_transaction

    assert fixture.unclaimed == len([c for c in fixture.catalog.challenges if c.id % 5 == 0])
    # A seeded level already met would make the engine complete it on the next event.
    outcome = process_transaction(
        firestore_client(), "bench-seed-check", data.earn_transaction(fixture.user, 1)
    )
    assert outcome.milestones == []


def test_read_round_trips_and_signatures(fixture: data.ReadFixture) -> None:
    counted = read_path.count_requests(fixture, warmups=1, repeats=2)
    assert [(c.version, c.per_page) for c in counted] == [
        ("v1", 10),
        ("v1", 100),
        ("v2", 10),
        ("v2", 100),
    ]
    figures = {f.name: f for f in read_path.figures(counted, 12)}
    v1 = figures["A1 read round trips V1 ItemsPerPage=10"]
    assert v1.value == 2 and v1.detail["by_method"]["commit"] == 2  # the nonce's create
    assert figures["A1 read round trips V2 ItemsPerPage=100"].value == 1
    assert figures["A2 signatures per warm request"].value == 0


def test_cold_start_answers_a_real_first_request(
    ctx: BenchContext, fixture: data.ReadFixture
) -> None:
    [result] = cold_starts.measure_all(
        ["get_progress_challenges_info_for_user"], ctx.env, fixture, ctx.project
    )
    assert result.status == 200
    assert 0 < result.seconds < 30
    assert result.peak_mib > 10
    assert [f.name for f in cold_starts.figures([result])] == [
        "C cold start get_progress_challenges_info_for_user",
        "C peak memory get_progress_challenges_info_for_user",
    ]


def test_latency_against_the_stack_in_another_process(
    ctx: BenchContext, fixture: data.ReadFixture
) -> None:
    with running_stack(ctx.env, ctx.log_dir / "stack.log") as stack:
        loads = [
            latency.run_load(stack.url, fixture, "v2", 2, 0.5),
            latency.run_load(stack.url, fixture, "v1", 1, 0.5),
        ]
    for load in loads:
        assert load.failures == []
        assert load.latencies and load.p(50) <= load.p(99)
    assert stack.process.returncode == 0


def test_engine_round_trips_and_cpu(ctx: BenchContext) -> None:
    quiet, completing = write_path.count_events(ctx, 3, 2)
    assert quiet.commits == [1, 1]
    assert quiet.methods["begin_transaction"] == 0
    assert completing.milestones == 1
    per_challenge, evaluated = write_path.evaluation_cpu(10, 2)
    assert per_challenge > 0 and evaluated > 0
    names = [f.name for f in write_path.figures([(quiet, completing)], (per_challenge, evaluated))]
    assert "B1 commits per event, 3 active, no completion" in names


def test_pipeline_makes_written_events_visible(own_ctx: BenchContext) -> None:
    ctx = own_ctx
    data.load_catalog(ctx, data.earn_catalog(3))
    db = ctx.firestore()
    assert pipeline.emulator_commit_rate(db, 2, 0.3) > 0
    assert pipeline.listened_rate(db, 0.5) > 0
    # The ceiling replays one real event's requests per user: the engine counted it once.
    measured = ceiling.measure(db, ["+201600000001", "+201600000002"], 2, 0.3)
    assert measured.rate > 0 and measured.errors == 0
    # The same replay, gated on the emulator pushing each created transaction to a counter.
    pushed = ceiling.push_rate(
        db, ["+201500000001", "+201500000002"], 2, 0.5, 4, ctx.env, ctx.log_dir / "push.log"
    )
    assert pushed.ceiling.created > 0 and pushed.ceiling.errors == 0
    assert pushed.drained and pushed.pushed == pushed.ceiling.created
    assert pushed.rate > 0
    # Two stacks in turn: each deliverer takes over the relay port from the process before it
    # (the counter's, then the first deliverer's), and gets every event.
    data.load_catalog(ctx, data.earn_catalog(3))
    db = ctx.firestore()
    finals = []
    # The first stack as `make bench` runs the pipeline's, the second as the read stacks.
    log = ctx.log_dir / "stack.log"
    with running_stack(ctx.env, log, deliver=True, threads=EVENT_THREADS) as stack:
        direct = pipeline.direct_rate(
            ctx.project,
            stack.url + "/_eventarc/on_transaction_created",
            2,
            2,
            0.5,
            stack.pid,
        )
        closed = pipeline.max_rate(db, 2, 1.0)
    finals.append((stack.final, closed))
    with running_stack(ctx.env, ctx.log_dir / "stack-2.log", deliver=True) as stack:
        paced = pipeline.paced(db, 2, 1.0, rate=5)
    finals.append((stack.final, paced))
    assert direct.written > 0 and direct.write_errors == []
    assert direct.function_cpu_s is not None and direct.function_cpu_s > 0
    for final, run in finals:
        assert run.written > 0 and run.unseen == 0 and run.write_errors == []
        assert len(run.delays) == run.written
        assert final["delivered"] >= run.written
        assert final["deadLettered"] == 0


def test_gigya_documents_read_and_rank_writes_stay_flat_as_the_board_grows(
    ctx: BenchContext,
) -> None:
    from bench.__main__ import QUICK

    fixture = gigya_data.load_gigya_fixture(ctx, 20)
    sizes = gigya.measure_sizes(ctx.firestore, fixture, QUICK.board_users, repeats=1)
    users = [n for n, _, _ in sizes.seeded]
    assert users == sorted(QUICK.board_users) and len(users) > 1
    for (n, seeded, folded), previous in zip(sizes.seeded, [0, *users], strict=False):
        assert seeded.entries == n - previous and folded.entries >= seeded.entries
        assert folded.skipped == 0
    reads = {f.name: f for f in gigya.read_figures(sizes.reads)}
    spreads = [f for name, f in reads.items() if "spread over sizes" in name]
    assert len(spreads) == 6  # 3 kinds of request, rank tables read or cached
    assert all(f.met and f.value == 0 for f in spreads), [(f.name, f.detail) for f in spreads]
    status = reads[f"G1 gm.getChallengeStatus: documents read, {users[-1]:,} users"]
    # The user document, and each asked challenge's rank table unless cached: nothing per user.
    assert status.value == 1 + len(fixture.challenge_ids) and status.detail["warm_documents"] == 1
    writes = gigya.write_figures(sizes.writes)
    assert all(f.met for f in writes), [(f.name, f.value, f.detail) for f in writes]
    per_challenge = {f.name: f.value for f in writes if "per ranked challenge" in f.name}
    assert per_challenge == {
        "G4 writes per ranked challenge": 1,  # the challenge's entry
        "G4 writes per ranked challenge, variant": 2,  # and its variant's
    }


def test_gigya_cold_start_answers_an_authenticated_first_request(ctx: BenchContext) -> None:
    from bench.gigya_latency import stack_env

    fixture = gigya_data.load_gigya_fixture(ctx, 20)
    [result] = cold_starts.measure_all(
        ["gm_get_challenge_status"], stack_env(ctx.env), fixture.read, ctx.project, fixture
    )
    assert result.status == 200  # httpStatusCodes=true: a refused call would not be 200


def test_notify_action_round_trips(ctx: BenchContext) -> None:
    """Capped: a read and a commit, then the engine's read and commit; uncapped: one fewer.

    `rank-5` is listed by challenges whose levels count `rank-20`: it feeds none of their
    level's counters, so the engine reads nothing more for them (docs/ENGINE.md, settling).
    """
    fixture = gigya_data.load_gigya_fixture(ctx, 20)
    trips = {(t.kind, t.action): t.round_trips for t in gigya.count_notify(fixture, repeats=2)}
    assert trips == {
        ("capped", "checkin"): [4, 4],
        ("uncapped", "rank-5"): [3, 3],
        ("uncapped", "rank-20"): [3, 3],
    }
