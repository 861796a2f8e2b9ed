"""Structured JSON logs that Cloud Logging parses: severity, message, trace; secrets redacted.

Redaction happens here and nowhere else: every line either formatter writes (JSON, or plain
text with LOG_JSON=false) goes through `redact`, whichever logger wrote it (ours, werkzeug's
access log, a library's). It removes the value of every parameter or header that carries a
secret (Gigya's `secret`, `sig` and `nonce`, `X-Message`, `Authorization`, tokens, keys) in the
forms a line can hold them (`name=value` of a URL or form, `name: value` of a header, JSON or
repr `"name": "value"`), and anything shaped like a JWT (ID tokens).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from typing import Any

_trace: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace", default=None)
_configured = False

REDACTED = "[REDACTED]"
# Parameters and headers whose values are secrets (matched in any case, also as HTTP_X_MESSAGE).
SECRET_NAMES: tuple[str, ...] = (
    "secret",
    "sig",
    "nonce",
    "X-Message",
    "Authorization",
    "token",
    "id_token",
    "idToken",
    "access_token",
    "refresh_token",
    "password",
    "key",
)
_NAMES = "|".join(re.escape(n).replace(r"\-", "[-_]") for n in SECRET_NAMES)
_NAMED_SECRET = re.compile(
    rf"(?i)(?<![A-Za-z0-9_-])((?:HTTP_)?(?:{_NAMES}))"  # the name, not inside a longer one
    r"(\\?[\"']?\s*[=:]\s*\\?[\"']?)"  # = or :, with the quotes and escapes around it
    r"(?:(?:Bearer|Basic)\s+)?[^\s\"'&,;<>(){}\[\]\\]+"  # the value
)
_SECRET_NAME = re.compile(rf"(?i)(?:HTTP_)?(?:{_NAMES})")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


def redact(text: str) -> str:
    """`text` with the values of secret parameters and headers, and JWTs, replaced."""
    text = _NAMED_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _JWT.sub(REDACTED, text)


def _scrub(value: Any) -> Any:
    # A structured entry, redacted field by field so that it stays valid JSON.
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            k: REDACTED if _SECRET_NAME.fullmatch(str(k)) else _scrub(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


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
        return json.dumps(_scrub(entry), default=lambda other: redact(str(other)))


class TextFormatter(logging.Formatter):
    """Plain lines (LOG_JSON=false), redacted as the JSON ones are."""

    def format(self, record: logging.LogRecord) -> str:
        """The standard rendering of `record`, redacted."""
        return redact(super().format(record))


def set_trace_from_header(header: str | None) -> None:
    """Remember the trace id of `X-Cloud-Trace-Context` (`TRACE_ID/SPAN;o=1`) for this request."""
    _trace.set(header.split("/", 1)[0] if header else None)


def configure(project: str | None, json_logs: bool = True) -> None:
    """Send the root logger's records to stdout as JSON (once per process)."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(project) if json_logs else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    _configured = True


def get_logger(name: str) -> logging.Logger:
    """A module logger."""
    return logging.getLogger(name)
