"""The current time, in one place so that tests can pass their own."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current UTC time, timezone-aware."""
    return datetime.now(UTC)
