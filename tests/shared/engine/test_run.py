"""Commits with bounded retries. The emulator cannot be made to abort on demand, so a fake
batch stands in for it here (the real one is exercised by every emulator test)."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc

from shared.engine import run as run_module
from shared.engine.run import COMMIT_ATTEMPTS, Run


class _Batch:
    def __init__(self, outcomes: list) -> None:
        self.outcomes = outcomes
        self.writes: list[str] = []

    def commit(self) -> list:
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class _Client:
    def __init__(self, outcomes: list) -> None:
        self.outcomes = outcomes
        self.batches: list[_Batch] = []

    def batch(self) -> _Batch:
        self.batches.append(_Batch(self.outcomes))
        return self.batches[-1]


def _run(client: _Client, **kwargs) -> Run:
    return Run(client, new_batch=_Client.batch, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch):
    monkeypatch.setattr(run_module.time, "sleep", lambda _: None)


def test_contention_is_retried_on_a_freshly_built_batch():
    client = _Client([gexc.Aborted("busy"), gexc.ServiceUnavailable("down"), ["ok"]])
    run = _run(client)
    built: list[int] = []
    assert run.commit(lambda batch: built.append(id(batch))) == ["ok"]
    assert len(set(built)) == 3 and run.commits == 3


def test_retries_are_bounded():
    client = _Client([gexc.Aborted("busy")] * COMMIT_ATTEMPTS)
    with pytest.raises(gexc.Aborted):
        _run(client).commit(lambda batch: None)
    assert len(client.batches) == COMMIT_ATTEMPTS


@pytest.mark.parametrize("error", [gexc.AlreadyExists("dup"), gexc.InvalidArgument("bad")])
def test_answers_and_permanent_errors_are_raised_at_once(error):
    client = _Client([error, ["never"]])
    with pytest.raises(type(error)):
        _run(client).commit(lambda batch: None)
    assert len(client.batches) == 1


def test_steps_call_the_fault_hook():
    seen: list[str] = []
    run = _run(_Client([]), faults=seen.append)
    run.step("counted")
    assert seen == ["counted"]
