"""The raw calls' retry policy and budget rules, with a stub standing in for the channel.

The real channel is exercised by the contract tests and every emulator test; a stub is the
only way to make a call fail with a chosen code on demand.
"""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.api_core import exceptions as gexc

from shared import deadlines
from shared.errors import UnavailableError
from shared.firestore import rpc


class _Failure(grpc.RpcError, grpc.Call):  # type: ignore[misc]
    """An RpcError as a failed unary call raises it."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__()
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return f"failed with {self._code.name}"

    def trailing_metadata(self) -> tuple[()]:
        return ()

    def initial_metadata(self) -> tuple[()]:
        return ()

    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> None:
        return None

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback: Any) -> bool:
        return False


class _Stub:
    """Fails with each code of `failures` in turn, then answers `answer`."""

    def __init__(self, failures: list[grpc.StatusCode], answer: Any = "answer") -> None:
        self.failures = list(failures)
        self.answer = answer
        self.timeouts: list[float] = []

    def __call__(self, request: Any, *, timeout: float, metadata: Any) -> Any:
        self.timeouts.append(timeout)
        if self.failures:
            raise _Failure(self.failures.pop(0))
        return self.answer


STUBS = rpc._Stubs(
    get_document=lambda *a, **k: None,
    commit=lambda *a, **k: None,
    metadata=(),
    commit_metadata=(),
    budgeted=False,
)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(rpc.time, "sleep", slept.append)
    return slept


def test_a_retried_code_is_retried_with_growing_backoff(sleeps: list[float]) -> None:
    unavailable = grpc.StatusCode.UNAVAILABLE
    stub = _Stub([unavailable, unavailable, grpc.StatusCode.RESOURCE_EXHAUSTED])
    assert rpc._call(STUBS, stub, "request", (), rpc.READ_RETRIED) == "answer"
    assert len(stub.timeouts) == 4 and len(sleeps) == 3
    limits = [rpc.INITIAL_BACKOFF * rpc.BACKOFF_MULTIPLIER**n for n in range(3)]
    assert all(0.0 <= slept <= limit for slept, limit in zip(sleeps, limits, strict=True))
    assert all(timeout <= rpc.CALL_TIMEOUT for timeout in stub.timeouts)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (grpc.StatusCode.NOT_FOUND, gexc.NotFound),
        (grpc.StatusCode.ALREADY_EXISTS, gexc.AlreadyExists),
        (grpc.StatusCode.INVALID_ARGUMENT, gexc.InvalidArgument),
    ],
)
def test_other_codes_raise_their_api_error_at_once(
    sleeps: list[float], code: grpc.StatusCode, error: type[Exception]
) -> None:
    stub = _Stub([code])
    with pytest.raises(error):
        rpc._call(STUBS, stub, "request", (), rpc.READ_RETRIED)
    assert len(stub.timeouts) == 1 and sleeps == []


def test_commit_does_not_retry_what_the_generated_client_does_not(sleeps: list[float]) -> None:
    stub = _Stub([grpc.StatusCode.DEADLINE_EXCEEDED])
    with pytest.raises(gexc.DeadlineExceeded):
        rpc._call(STUBS, stub, "request", (), rpc.COMMIT_RETRIED)
    assert sleeps == []


def test_a_spent_budget_ends_the_retries_with_its_own_error(sleeps: list[float]) -> None:
    stub = _Stub([grpc.StatusCode.RESOURCE_EXHAUSTED] * 5)
    with deadlines.budget(0.0), pytest.raises(UnavailableError):
        rpc._call(STUBS, stub, "request", (), rpc.READ_RETRIED)
    assert len(stub.timeouts) == 1 and sleeps == []


def test_backoff_never_sleeps_past_the_budget(sleeps: list[float]) -> None:
    stub = _Stub([grpc.StatusCode.UNAVAILABLE] * 3)
    with deadlines.budget(30.0) as budget:
        assert rpc._call(STUBS, stub, "request", (), rpc.READ_RETRIED) == "answer"
        assert all(slept <= budget.remaining() + 0.01 for slept in sleeps)
