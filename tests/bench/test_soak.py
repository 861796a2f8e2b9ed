"""Section S at a tiny size: 4 clients for 2 s against the stack, no errors, memory read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import gigya_data, soak
from bench.context import BenchContext
from bench.gigya_latency import stack_env
from bench.stack import running_stack
from devtools.emulators import Emulators
from devtools.process_state import reset_process_state
from tests.conftest import BUCKET, PROJECT

pytestmark = [pytest.mark.emulator, pytest.mark.timeout(60)]


@pytest.fixture
def ctx(
    emulators: Emulators, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BenchContext]:
    """A benchmark context on the test emulators; its settings undone afterwards."""
    context = BenchContext(emulators, tmp_path, project=PROJECT, bucket=BUCKET)
    for name, value in context.env.items():
        monkeypatch.setenv(name, value)
    context.clear()
    yield context
    monkeypatch.undo()
    reset_process_state()


def test_quick_soak_has_no_errors_and_reads_the_stack_memory(ctx: BenchContext) -> None:
    fixture = gigya_data.load_gigya_fixture(ctx, 20)
    with running_stack(stack_env(ctx.env), ctx.log_dir / "stack-soak.log") as stack:
        run = soak.run(stack.url, stack.pid, fixture, 2, clients=4, warmup=0.5, settle=0.2)
    assert run.first_errors == [] and run.error_count == 0
    assert run.requests[soak.DSQ] > 0 and run.requests["gm.getChallengeStatus"] > 0
    assert run.rss_before_kib > 10_000 and run.rss_after_kib > 10_000
    figures = {f.name.split(": ", 1)[1]: f for f in soak.figures(run)[1:]}
    assert list(figures) == [
        "requests done",
        "errors",
        "stack RSS before",
        "stack RSS after",
        "stack RSS growth",
    ]
    assert figures["errors"].met is True and figures["errors"].value == 0
    assert figures["stack RSS before"].value > 0 and figures["stack RSS after"].value > 0
