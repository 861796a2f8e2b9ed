"""A request's budget bounds each backend call, and a spent budget is a typed, final error."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc

from shared import deadlines
from shared.app import App, use_app
from shared.config import load_settings
from shared.deadlines import BackendUnreachableError, DeadlineSpentError
from shared.errors import BackendTimeoutError, UnavailableError
from shared.http.handler import map_exception

ENV = {"GOOGLE_CLOUD_PROJECT": "p", "IMAGES_BUCKET": "b"}


def test_a_call_gets_the_least_of_its_timeout_an_attempt_and_what_is_left() -> None:
    with deadlines.budget(2.0, 0.5) as budget:
        assert budget.timeout() == 0.5
        assert budget.timeout(0.1) == 0.1
        assert budget.timeout(60.0) == 0.5
        assert deadlines.call_timeout(10.0) == 0.5
    with deadlines.budget(0.3, 1.0) as budget:
        assert 0.2 < budget.timeout(60.0) <= 0.3


def test_outside_a_budget_calls_keep_their_own_timeouts() -> None:
    assert deadlines.current() is None
    assert deadlines.call_timeout(10.0) == 10.0


def test_a_spent_budget_raises_a_final_error() -> None:
    with deadlines.budget(0.0, 1.0) as budget:
        with pytest.raises(DeadlineSpentError):
            budget.timeout()
        with pytest.raises(DeadlineSpentError):
            deadlines.call_timeout(10.0)
        budget.record(unreachable=True)
        with pytest.raises(BackendUnreachableError):
            budget.timeout()
    # Not a google-api-core error: no retry wrapper retries it.
    assert not issubclass(DeadlineSpentError, gexc.GoogleAPIError)
    assert not issubclass(BackendUnreachableError, gexc.GoogleAPIError)


def test_an_inner_budget_never_outlives_the_outer_one() -> None:
    with deadlines.budget(0.2), deadlines.budget(30.0) as inner:
        assert inner.remaining() <= 0.2
    assert deadlines.current() is None


def test_the_one_error_mapping_answers_backend_unavailable() -> None:
    timeout = map_exception(DeadlineSpentError("x"))
    assert isinstance(timeout, BackendTimeoutError)
    assert (timeout.http_status, timeout.status_code, timeout.status_name) == (
        503,
        7,
        "ServiceUnavailable",
    )
    assert (timeout.gigya_code, timeout.gigya_message) == (504001, "Timeout")
    down = map_exception(BackendUnreachableError("x"))
    assert isinstance(down, UnavailableError) and down.http_status == 503
    assert (down.gigya_code, down.gigya_message) == (500028, "Database error")


def test_an_http_function_runs_in_a_request_budget_from_the_settings() -> None:
    seen: list[tuple[float, float]] = []

    def handler(value: int) -> int:
        budget = deadlines.current()
        assert budget is not None
        seen.append((budget.remaining(), budget.attempt_seconds))
        return value + 1

    settings = load_settings(
        {**ENV, "BACKEND_DEADLINE_SECONDS": "2.5", "BACKEND_ATTEMPT_SECONDS": "1"}
    )
    with use_app(App(settings)):
        assert deadlines.bounded(handler)(1) == 2
    ((remaining, attempt),) = seen
    assert 2.0 < remaining <= 2.5 and attempt == 1.0
    assert deadlines.current() is None


def test_an_event_runs_in_the_event_budget() -> None:
    with use_app(App(load_settings({**ENV, "EVENT_DEADLINE_SECONDS": "12"}))):
        with deadlines.event_budget() as budget:
            assert 11.0 < budget.remaining() <= 12.0
            assert budget.attempt_seconds == 3.0
        with deadlines.request_budget() as budget:
            assert 4.5 < budget.remaining() <= 5.0
