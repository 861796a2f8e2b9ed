"""The App's Firestore client: every call within the request's budget, none once it is spent."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import grpc
import pytest

from shared import deadlines
from shared.deadlines import DeadlineSpentError
from shared.firestore.client import DeadlineInterceptor, create_client
from tests.conftest import PROJECT


def _details(timeout: float | None) -> Any:
    return SimpleNamespace(
        method="/google.firestore.v1.Firestore/GetDocument",
        timeout=timeout,
        metadata=None,
        credentials=None,
        wait_for_ready=None,
        compression=None,
    )


class _Done:
    """What a continuation returns: a finished call."""

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.OK

    def add_done_callback(self, callback: Callable[[Any], None]) -> None:
        callback(self)


def _sent(call: Callable[..., Any], timeout: float | None) -> Any:
    """The call details the interceptor passes on."""
    sent: list[Any] = []

    def continuation(details: Any, request: Any) -> _Done:
        sent.append(details)
        return _Done()

    call(continuation, _details(timeout), object())
    return sent[0]


@pytest.mark.parametrize("kind", ["intercept_unary_unary", "intercept_unary_stream"])
def test_the_interceptor_clamps_each_call_to_the_budget(kind: str) -> None:
    call = getattr(DeadlineInterceptor(), kind)
    assert _sent(call, 60.0).timeout == 60.0
    with deadlines.budget(5.0, 1.5):
        sent = _sent(call, 60.0)
        assert sent.timeout == 1.5 and sent.wait_for_ready is True
        assert sent.method == "/google.firestore.v1.Firestore/GetDocument"
        assert _sent(call, 0.2).timeout == 0.2
    with deadlines.budget(0.0), pytest.raises(DeadlineSpentError):
        _sent(call, 60.0)


def _every_kind_of_call(db: Any) -> list[Callable[[], Any]]:
    from shared.firestore.documents import get_document

    return [
        lambda: get_document(db, "things/a"),
        lambda: db.document("things/a").get(),
        lambda: list(db.get_all([db.document("things/a")])),
        lambda: list(db.collection("things").stream()),
        lambda: db.collection("things").count().get(),
        lambda: db.document("things/b").set({"n": 2}),
    ]


@pytest.mark.emulator
def test_calls_run_within_a_budget_and_none_once_it_is_spent(db) -> None:
    from shared.firestore.documents import get_document

    client = create_client(PROJECT, db._emulator_host)
    with deadlines.budget(5.0, 3.0):
        client.document("things/a").set({"n": 1})
        assert get_document(client, "things/a") == {"n": 1}
        assert [s.id for s in client.collection("things").stream()] == ["a"]
    for call in _every_kind_of_call(client):
        started = time.monotonic()
        with deadlines.budget(0.0), pytest.raises(DeadlineSpentError):
            call()
        assert time.monotonic() - started < 0.5
    # The write refused by the spent budget was never sent.
    assert not db.document("things/b").get().exists


def test_the_production_channel_carries_the_interceptor() -> None:
    from google.auth.credentials import AnonymousCredentials

    from shared.firestore.client import _DeadlineTransport

    channel = _DeadlineTransport.create_channel(
        "firestore.googleapis.com", credentials=AnonymousCredentials()
    )
    call = channel.unary_unary("/google.firestore.v1.Firestore/GetDocument")
    with deadlines.budget(0.0), pytest.raises(DeadlineSpentError):
        call(b"", timeout=60.0)
    channel.close()
