"""Structured JSON logs that Cloud Logging parses: severity, message, trace."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from typing import Any

_trace: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace", default=None)
_configured = False


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the fields Cloud Logging understands."""

    def __init__(self, project: str | None = None) -> None:
        super().__init__()
        self.project = project

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as a Cloud Logging structured entry."""
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        trace = _trace.get()
        if trace and self.project:
            entry["logging.googleapis.com/trace"] = f"projects/{self.project}/traces/{trace}"
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def set_trace_from_header(header: str | None) -> None:
    """Remember the trace id of `X-Cloud-Trace-Context` (`TRACE_ID/SPAN;o=1`) for this request."""
    _trace.set(header.split("/", 1)[0] if header else None)


def configure(project: str | None, json_logs: bool = True) -> None:
    """Send the root logger's records to stdout as JSON (once per process)."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stdout)
    if json_logs:
        handler.setFormatter(JsonFormatter(project))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    _configured = True


def get_logger(name: str) -> logging.Logger:
    """A module logger."""
    return logging.getLogger(name)
