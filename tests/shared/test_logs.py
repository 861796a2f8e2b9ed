"""Structured logs as Cloud Logging reads them: severity, message, trace, extra fields."""

from __future__ import annotations

import json
import logging

from shared.logs import JsonFormatter, set_trace_from_header


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
        import sys

        record = _record("failed", logging.ERROR, fields={"transactionId": "t1"})
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter("proj").format(record))
    assert entry["transactionId"] == "t1"
    assert "ValueError: boom" in entry["stack_trace"]
