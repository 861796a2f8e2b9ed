"""Deadlines: one time budget per request or event, which bounds every backend call it makes.

The HTTP handlers and the trigger open a budget (`budget(seconds, attempt_seconds)`); every
Firestore call is clamped to `min(attempt, remaining)` by the gRPC interceptor on the Firestore
client's channel (shared/firestore/client.py), and every HTTP call to a Google API on a request path
asks `call_timeout()`. Once the budget is spent, the next call raises at once a ServiceError (not a
google-api-core error), so no retry wrapper keeps sleeping on it: `DeadlineSpentError` (V1/V2 503,
Gigya 504001) or, when the last failed call found the backend unreachable, `BackendUnreachableError`
(V1/V2 503, Gigya 500028). Outside any budget, calls keep the client library's own timeouts
(command-line tools, benchmarks).
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from shared.config import get_settings
from shared.errors import BackendTimeoutError, UnavailableError

P = ParamSpec("P")
R = TypeVar("R")


class DeadlineSpentError(BackendTimeoutError):
    """The request's time budget is spent: the backend did not answer in time."""


class BackendUnreachableError(UnavailableError):
    """The request's time budget is spent and the backend could not be reached meanwhile."""


@dataclass
class Budget:
    """The time one request or event may still spend on backend calls."""

    expires_at: float  # time.monotonic()
    attempt_seconds: float
    # Whether the last backend call that failed found the backend unreachable (not just slow).
    unreachable: bool = False

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.expires_at - time.monotonic())

    def timeout(self, requested: float | None = None) -> float:
        """The timeout of the next call: the least of `requested`, one attempt and what is left.

        Raises the spent error when nothing is left.
        """
        left = self.remaining()
        if left <= 0.0:
            raise self.spent()
        seconds = min(self.attempt_seconds, left)
        return seconds if requested is None else min(seconds, requested)

    def spent(self) -> UnavailableError:
        """The error that ends a request whose budget is spent."""
        if self.unreachable:
            return BackendUnreachableError("the database could not be reached in time; retry later")
        return DeadlineSpentError("the database did not answer in time; retry later")

    def record(self, *, unreachable: bool) -> None:
        """Note how the last backend call ended (unreachable, or answered / timed out)."""
        self.unreachable = unreachable


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("budget", default=None)


def current() -> Budget | None:
    """The budget of the request or event being served, if any."""
    return _current.get()


@contextmanager
def budget(seconds: float, attempt_seconds: float | None = None) -> Iterator[Budget]:
    """Bound every backend call of the block by `seconds` in all (`attempt_seconds` each).

    A budget opened inside another never outlives it.
    """
    expires_at = time.monotonic() + seconds
    outer = _current.get()
    if outer is not None:
        expires_at = min(expires_at, outer.expires_at)
    opened = Budget(expires_at=expires_at, attempt_seconds=attempt_seconds or seconds)
    token = _current.set(opened)
    try:
        yield opened
    finally:
        _current.reset(token)


def call_timeout(default: float) -> float:
    """The timeout of one HTTP call to a backend: `default`, clamped by the current budget."""
    active = _current.get()
    return default if active is None else active.timeout(default)


def request_budget() -> AbstractContextManager[Budget]:
    """The budget of one HTTP request: BACKEND_DEADLINE_SECONDS, BACKEND_ATTEMPT_SECONDS a call."""
    settings = get_settings()
    return budget(settings.backend_deadline_seconds, settings.backend_attempt_seconds)


def event_budget() -> AbstractContextManager[Budget]:
    """The budget of one event: EVENT_DEADLINE_SECONDS, BACKEND_ATTEMPT_SECONDS a call."""
    settings = get_settings()
    return budget(settings.event_deadline_seconds, settings.backend_attempt_seconds)


def bounded(handler: Callable[P, R]) -> Callable[P, R]:
    """`handler` (an HTTP function) with every backend call of a request in one request budget."""

    @functools.wraps(handler)
    def within(*args: P.args, **kwargs: P.kwargs) -> R:
        with request_budget():
            return handler(*args, **kwargs)

    return within
