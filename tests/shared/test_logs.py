"""Structured logs as Cloud Logging reads them: severity, message, trace, extra fields."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from shared.logs import REDACTED, JsonFormatter, TextFormatter, redact, set_trace_from_header


def _record(message: str, level: int = logging.INFO, **extra) -> logging.LogRecord:
    record = logging.LogRecord("svc", level, __file__, 1, message, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_one_json_object_with_severity_and_message():
    set_trace_from_header(None)
    entry = json.loads(JsonFormatter("proj").format(_record("hello", logging.WARNING)))
    assert entry["severity"] == "WARNING"
    assert entry["message"] == "hello"
    assert "logging.googleapis.com/trace" not in entry


def test_trace_from_the_cloud_trace_header():
    set_trace_from_header("105445aa7843bc8bf206b12000100000/1;o=1")
    try:
        entry = json.loads(JsonFormatter("proj").format(_record("x")))
    finally:
        set_trace_from_header(None)
    assert entry["logging.googleapis.com/trace"] == (
        "projects/proj/traces/105445aa7843bc8bf206b12000100000"
    )


def test_structured_fields_and_exceptions_are_kept():
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record("failed", logging.ERROR, fields={"transactionId": "t1"})
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter("proj").format(record))
    assert entry["transactionId"] == "t1"
    assert "ValueError: boom" in entry["stack_trace"]


JWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('"GET /gm.x?apiKey=k&secret=ab%2Bc%3D&UID=u HTTP/1.1" 200', "ab%2Bc%3D"),
        ("/gm.x?timestamp=1&nonce=n0nce-123&sig=S1g%2F%3D", "n0nce-123"),
        ("/gm.x?timestamp=1&nonce=n0nce-123&sig=S1g%2F%3D", "S1g%2F%3D"),
        ("headers: {'X-Message': 'AbC_dEf-123', 'X-ClientId': 'acme'}", "AbC_dEf-123"),
        ("{'HTTP_X_MESSAGE': 'AbC_dEf-123'}", "AbC_dEf-123"),
        ("Authorization: Bearer opaque.token.value", "opaque.token.value"),
        ('{\\"secret\\": \\"s3cr3t+/=\\"}', "s3cr3t+/="),
        ("SIG=abc&Secret=def", "abc"),
        (f"could not verify {JWT}: expired", JWT),
    ],
)
def test_secret_values_are_redacted_wherever_they_appear(text, secret):
    redacted = redact(text)
    assert secret not in redacted and REDACTED in redacted


@pytest.mark.parametrize(
    "text",
    [
        "nonce was already used; use a new nonce for every request",
        "sig is not the signature of this request by this application key",
        "apiKey=3_abc&userKey=AZ1&UID=u1",
        "the design: signature-based, keyed by apiKey: 3_abc",
    ],
)
def test_what_is_not_a_secret_stays(text):
    assert redact(text) == text


def test_structured_fields_are_redacted_and_stay_json():
    fields = {"secret": 42, "sig": None, "apiKey": "3_k", "query": "a=1&nonce=n0nce-1", "jwt": JWT}
    entry = json.loads(JsonFormatter("proj").format(_record("m", fields=fields)))
    assert (entry["secret"], entry["sig"], entry["apiKey"]) == (REDACTED, REDACTED, "3_k")
    assert entry["query"] == f"a=1&nonce={REDACTED}" and entry["jwt"] == REDACTED


def test_messages_and_stack_traces_are_redacted_in_both_formats():
    try:
        raise ValueError(f"token {JWT} refused for secret=hunter2")
    except ValueError:
        record = _record("failed at /gm.x?sig=S1g", logging.ERROR)
        record.exc_info = sys.exc_info()
    for line in (JsonFormatter("proj").format(record), TextFormatter().format(record)):
        assert "hunter2" not in line and JWT not in line and "S1g" not in line
        assert "ValueError" in line
