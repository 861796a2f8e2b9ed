"""The event path's two calls (GetDocument, Commit) sent as raw protobufs on the client's channel.

The generated API client wraps every call in proto-plus conversions, a retry decorator, a
timeout decorator, an error remapper and a logging interceptor: about 0.3 ms of CPU per call,
as much as the call itself. Here each method is one gRPC multicallable on the client's own
channel, under the deadline rules (shared/firestore/client.py), with raw messages in and out,
the same metadata and routing header (`name=` the document for GetDocument, `database=` for
Commit), the same retry policy and the same exceptions (google.api_core's, from
`exceptions.from_grpc_error`; once the request's budget is spent, its spent error).

Library assumptions (each with a contract test in tests/shared/firestore/test_contracts.py):

- a client's `_firestore_api._transport.grpc_channel` is its channel (for the service's client,
  the deadline interceptor's, whose bare channel the calls use under the same rules:
  shared/firestore/client.py), `_rpc_metadata` the metadata every call sends,
  `_database_string` the database's name and `_client_info` the library's client info;
- the generated client sends `_rpc_metadata`, its client info and the routing header named
  above with each call;
- the generated client retries GetDocument on DeadlineExceeded, InternalServerError,
  ResourceExhausted and ServiceUnavailable, and Commit on ResourceExhausted and
  ServiceUnavailable, backing off from 0.1 s by 1.3 up to 60 s, for at most 60 s: the same
  policies are applied here.
"""

from __future__ import annotations

import random
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import grpc
from google.api_core import exceptions as gexc
from google.api_core.gapic_v1 import routing_header
from google.cloud.firestore_v1.types import document as _document_types
from google.cloud.firestore_v1.types import firestore as _firestore_types

from shared import deadlines
from shared.firestore import client as firestore_client

if TYPE_CHECKING:
    from google.cloud import firestore

_SERVICE = "/google.firestore.v1.Firestore/"
GetDocumentRequest = _firestore_types.GetDocumentRequest.pb()
CommitRequest = _firestore_types.CommitRequest.pb()
_Document = _document_types.Document.pb()
_CommitResponse = _firestore_types.CommitResponse.pb()

# The generated client's policies (transports/base.py): what it retries, how long it waits.
READ_RETRIED: tuple[type[Exception], ...] = (
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.ResourceExhausted,
    gexc.ServiceUnavailable,
)
COMMIT_RETRIED: tuple[type[Exception], ...] = (gexc.ResourceExhausted, gexc.ServiceUnavailable)
INITIAL_BACKOFF = 0.1
BACKOFF_MULTIPLIER = 1.3
MAX_BACKOFF = 60.0
# Each attempt's own timeout and the whole call's, when no request budget is set.
CALL_TIMEOUT = 60.0


@dataclass(frozen=True)
class _Stubs:
    get_document: Callable[..., Any]
    commit: Callable[..., Any]
    # What every call sends; each method adds its routing header.
    metadata: tuple[tuple[str, str], ...]
    commit_metadata: tuple[tuple[str, str], ...]
    # Whether the stubs are on the bare channel under the deadline interceptor, so that each
    # call applies the interceptor's rules itself.
    budgeted: bool


_stubs: weakref.WeakKeyDictionary[Any, _Stubs] = weakref.WeakKeyDictionary()


def _stubs_of(db: firestore.Client) -> _Stubs:
    stubs = _stubs.get(db)
    if stubs is None:
        channel = db._firestore_api._transport.grpc_channel
        bare = firestore_client.raw_channel(channel)
        if bare is not None:
            channel = bare
        metadata = tuple(
            (str(k), str(v)) for k, v in (*db._rpc_metadata, db._client_info.to_grpc_metadata())
        )
        routing = routing_header.to_grpc_metadata((("database", db._database_string),))
        stubs = _Stubs(
            get_document=channel.unary_unary(
                _SERVICE + "GetDocument",
                request_serializer=GetDocumentRequest.SerializeToString,
                response_deserializer=_Document.FromString,
            ),
            commit=channel.unary_unary(
                _SERVICE + "Commit",
                request_serializer=CommitRequest.SerializeToString,
                response_deserializer=_CommitResponse.FromString,
            ),
            metadata=metadata,
            commit_metadata=(*metadata, routing),
            budgeted=bare is not None,
        )
        _stubs[db] = stubs
    return stubs


def _call(
    stubs: _Stubs,
    stub: Callable[..., Any],
    request: Any,
    metadata: tuple[tuple[str, str], ...],
    retried: tuple[type[Exception], ...],
) -> Any:
    """One call with the generated client's retry policy, within the request's budget."""
    budget = deadlines.current()
    send = firestore_client.call_within_budget if stubs.budgeted else _plain
    give_up = time.monotonic() + CALL_TIMEOUT
    delay = INITIAL_BACKOFF
    while True:
        try:
            # Each attempt within what the call has left (and, budgeted, one attempt's share
            # of what the request's budget has left).
            timeout = max(0.001, give_up - time.monotonic())
            return send(stub, request, timeout, metadata)
        except grpc.RpcError as rpc_error:
            error = gexc.from_grpc_error(rpc_error)
            if not isinstance(error, retried):
                raise error from rpc_error
            if budget is not None and budget.remaining() <= 0:
                # No retry could succeed: the request's spent error, not the backend's.
                raise budget.spent() from rpc_error
            left = give_up - time.monotonic()
            if budget is not None:
                left = min(left, budget.remaining())
            if left <= 0:
                raise error from rpc_error
            # Full jitter, as google.api_core's exponential sleep generator.
            time.sleep(min(left, random.uniform(0.0, delay)))
            delay = min(delay * BACKOFF_MULTIPLIER, MAX_BACKOFF)


def _plain(stub: Callable[..., Any], request: Any, timeout: float, metadata: Any) -> Any:
    return stub(request, timeout=timeout, metadata=metadata)


def get_document(db: firestore.Client, request: Any) -> Any:
    """The raw `Document` a raw `GetDocumentRequest` asks for; raises NotFound when absent."""
    stubs = _stubs_of(db)
    # The generated client routes GetDocument by the document's name.
    routing = routing_header.to_grpc_metadata((("name", request.name),))
    return _call(stubs, stubs.get_document, request, (*stubs.metadata, routing), READ_RETRIED)


def commit(db: firestore.Client, request: Any) -> Any:
    """Send a raw `CommitRequest`; the raw `CommitResponse`."""
    stubs = _stubs_of(db)
    return _call(stubs, stubs.commit, request, stubs.commit_metadata, COMMIT_RETRIED)
