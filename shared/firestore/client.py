"""The process's Firestore client: its gRPC channel carries the request deadlines.

Every call the client makes goes through `DeadlineInterceptor`, one gRPC client interceptor on
the channel: unary calls (GetDocument, Commit, BeginTransaction) and server-streaming ones
(BatchGetDocuments behind `get_all`, RunQuery behind `.stream()`, RunAggregationQuery behind
`count()`). Within a budget (shared/deadlines.py) each gets `timeout = min(its own, one attempt,
what is left)` and waits for a reconnecting channel rather than failing at once, and none
starts once the budget is spent. The channel reconnects at most 1 s apart after the backend
went away, so the first request after it came back finds it. Imported lazily by
shared/app.py: it loads the Firestore library.

Library assumptions (each with a contract test in tests/shared/firestore/test_contracts.py):

- `Client._firestore_api_helper(transport, client_class, client_module)` builds the generated
  API client from a transport class, and production passes `FirestoreGrpcTransport`, whose
  classmethod `create_channel` makes the channel;
- `Client._emulator_channel(transport)` makes the emulator's channel, with the emulator's
  "owner" token and `base_client._GRPC_MSG_SIZE_OPTIONS`;
- the transport's `run_query` is the bare gRPC stub and `transport._wrapped_methods[stub]`
  carries RunQuery's retry policy as `_retry`, which `Query.stream` looks for on the stub.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import grpc
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import base_client
from google.cloud.firestore_v1.services.firestore.transports.grpc import FirestoreGrpcTransport

from shared import deadlines

# Reconnect at most 1 s apart (gRPC's default backoff grows to 120 s): the first request after
# the backend is back must not find the channel still waiting.
RECONNECT_OPTIONS: list[tuple[str, int]] = [
    ("grpc.initial_reconnect_backoff_ms", 250),
    ("grpc.min_reconnect_backoff_ms", 250),
    ("grpc.max_reconnect_backoff_ms", 1000),
]


# What google-api-core's retry wrappers retry: once the budget is spent, no retry may follow.
_RETRIED_CODES = frozenset({grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE})


class _Details(NamedTuple):
    method: str
    timeout: float | None
    metadata: Any
    credentials: Any
    wait_for_ready: bool | None
    compression: Any


class _CallDetails(_Details, grpc.ClientCallDetails):
    """A call's details with another timeout."""


def _within(details: Any, budget: deadlines.Budget) -> _CallDetails:
    # wait_for_ready: while the channel reconnects, a call waits for it (within its timeout)
    # instead of failing at once into a retry wrapper's sleep, which could outlast the budget.
    return _CallDetails(
        details.method,
        budget.timeout(details.timeout),
        details.metadata,
        details.credentials,
        True,
        getattr(details, "compression", None),
    )


def _watch(call: Any, budget: deadlines.Budget) -> None:
    """Record on the budget whether the call found the backend unreachable, once it ends."""

    def done(finished: Any) -> None:
        code = finished.code()
        if code is not None and code != grpc.StatusCode.OK:
            budget.record(unreachable=code == grpc.StatusCode.UNAVAILABLE)

    call.add_done_callback(done)


class DeadlineInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Clamps each call's timeout to the current budget; refuses calls once it is spent."""

    def intercept_unary_unary(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        """A unary call within the budget; a failure that spent it raises the spent error."""
        budget = deadlines.current()
        if budget is None:
            return continuation(client_call_details, request)
        outcome = continuation(_within(client_call_details, budget), request)
        _watch(outcome, budget)
        if (
            isinstance(outcome, grpc.RpcError)
            and outcome.code() in _RETRIED_CODES
            and budget.remaining() <= 0.0
        ):
            # No retry could succeed: say so now rather than after a retry wrapper's sleep.
            raise budget.spent() from outcome
        return outcome

    def intercept_unary_stream(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        """A server-streaming call whose whole stream ends within the budget."""
        budget = deadlines.current()
        if budget is None:
            return continuation(client_call_details, request)
        call = continuation(_within(client_call_details, budget), request)
        _watch(call, budget)
        return call


def intercepted(channel: grpc.Channel) -> grpc.Channel:
    """`channel` with the deadline interceptor; the bare channel stays reachable as `raw_channel`.

    shared/firestore/rpc.py calls the bare channel with `call_within_budget`, which applies the
    interceptor's rules itself: an intercepted call builds a new multicallable every time.
    """
    wrapped = grpc.intercept_channel(channel, DeadlineInterceptor())
    wrapped.raw_channel = channel
    return wrapped


def raw_channel(channel: grpc.Channel) -> grpc.Channel | None:
    """The bare channel under an `intercepted` one (None for any other channel)."""
    return getattr(channel, "raw_channel", None)


def call_within_budget(
    stub: Callable[..., Any], request: Any, timeout: float, metadata: Any
) -> Any:
    """One unary call on a bare channel under the interceptor's rules (see DeadlineInterceptor)."""
    budget = deadlines.current()
    if budget is None:
        return stub(request, timeout=timeout, metadata=metadata)
    try:
        return stub(
            request, timeout=budget.timeout(timeout), metadata=metadata, wait_for_ready=True
        )
    except grpc.RpcError as error:
        code = error.code()
        budget.record(unreachable=code == grpc.StatusCode.UNAVAILABLE)
        if code in _RETRIED_CODES and budget.remaining() <= 0.0:
            raise budget.spent() from error
        raise


class _DeadlineTransport(FirestoreGrpcTransport):
    """The gRPC transport whose channel (production) carries the interceptor."""

    @classmethod
    def create_channel(cls, *args: Any, **kwargs: Any) -> grpc.Channel:
        """The library's channel, reconnecting quickly, with the interceptor."""
        kwargs["options"] = [*kwargs.get("options", ()), *RECONNECT_OPTIONS]
        return intercepted(super().create_channel(*args, **kwargs))


class DeadlineClient(firestore.Client):
    """A Firestore client whose channel carries the deadline interceptor.

    `emulator_host` (from the settings, not the environment) selects the emulator.
    """

    def __init__(self, project: str, emulator_host: str | None = None) -> None:
        credentials = AnonymousCredentials() if emulator_host else None
        super().__init__(project=project, credentials=credentials)
        self._emulator_host = emulator_host

    def _firestore_api_helper(self, transport: Any, client_class: Any, client_module: Any) -> Any:
        if transport is FirestoreGrpcTransport:
            transport = _DeadlineTransport
        api = super()._firestore_api_helper(transport, client_class, client_module)
        give_run_query_its_retry(api._transport)
        return api

    def _emulator_channel(self, transport: Any) -> grpc.Channel:
        # As the library's (the emulator's "owner" token, no message size limit), plus ours.
        options: list[tuple[str, Any]] = [
            ("Authorization", "Bearer owner"),
            *base_client._GRPC_MSG_SIZE_OPTIONS,
            *RECONNECT_OPTIONS,
        ]
        return intercepted(grpc.insecure_channel(self._emulator_host, options=options))


def give_run_query_its_retry(transport: Any) -> None:
    """Attach RunQuery's retry policy where the library's query looks for it.

    When a query's stream fails midway, `Query.stream` asks `transport.run_query._retry` whether
    to resume, but the transport's `run_query` is the bare gRPC stub, which has no `_retry`: the
    library then raises AttributeError instead of the backend's error. The policy is the one the
    transport wraps RunQuery with (a contract test checks this assumption).
    """
    stub = transport.run_query
    if not hasattr(stub, "_retry"):
        stub._retry = transport._wrapped_methods[stub]._retry


def create_client(project: str, emulator_host: str | None) -> firestore.Client:
    """A Firestore client for `project` (on the emulator at `emulator_host` when given)."""
    return DeadlineClient(project, emulator_host)
