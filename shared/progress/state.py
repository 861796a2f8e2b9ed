"""A user's progress in one challenge: the decoded entry and the ledger order of states.

The entry's model, its field names and its encoding are shared/schema/user.py's (the Gigya
points state's, shared/schema/gigya.py's); they are named here too, where the progress math
and its callers import them. `order_key` is how state observations are keyed: by ledger order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shared.schema.gigya import GigyaPoints, VariantState, decode_variants
from shared.schema.user import (
    COUNTER_FIELD,
    STATE_FIELD,
    Counter,
    ProgressState,
    counter_field,
    decode_entry,
    latest_state,
    with_gigya,
)

__all__ = [
    "COUNTER_FIELD",
    "STATE_FIELD",
    "Counter",
    "GigyaPoints",
    "ProgressState",
    "VariantState",
    "counter_field",
    "latest_state",
    "order_key",
    "parse_points",
    "parse_progress",
    "parse_variants",
    "with_gigya",
]


def order_key(sequence: int | None, occurred_at: datetime) -> str:
    """A key that sorts like the ledger's order: `sequence` first, then `occurredAt`.

    Keys are field names, so they start with a letter and have a fixed width.
    """
    micros = int(occurred_at.astimezone(UTC).timestamp() * 1_000_000)
    return f"k{(sequence or 0):019d}{max(0, micros):019d}"


def parse_progress(doc: Mapping[str, Any] | None) -> ProgressState:
    """Build a ProgressState from a stored entry (None for a missing one)."""
    return decode_entry(doc)


def parse_points(doc: Mapping[str, Any] | None) -> GigyaPoints:
    """The period buckets and redeemed points of a stored map (None for none)."""
    return GigyaPoints.decode(doc)


def parse_variants(doc: Mapping[str, Any] | None) -> Mapping[str, VariantState]:
    """The variants of a stored map, by variant id."""
    return decode_variants(doc)
