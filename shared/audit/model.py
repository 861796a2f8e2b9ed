"""The audit's inputs: the catalog and the time, one user's stored documents, the extra reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.gigya import periods
from shared.repository.catalog_cache import CatalogView


@dataclass(frozen=True)
class AuditContext:
    """The catalog the transactions are judged by, and the audit's time."""

    view: CatalogView
    now: datetime

    @property
    def timezone(self) -> str:
        """The program's timezone."""
        return self.view.catalog.timezone

    @property
    def default_keys(self) -> list[str]:
        """The attribute keys whose values are variants of `_default`."""
        return list(self.view.catalog.defaultChallenge.variantAttributes)

    def exact_hour(self, key: str) -> bool:
        """Whether no write can have pruned (or skipped) this hour bucket (an hour of margin)."""
        return not periods.stale_hours({key: 1.0}, self.now + timedelta(hours=1))

    def exact_month(self, key: str) -> bool:
        """Whether this month bucket is one the engine keeps (this month and the last)."""
        return not periods.stale_months({key: 1.0}, self.now, self.timezone)


@dataclass
class UserBundle:
    """One user's ledger transactions and stored state, as the reader found them.

    Maps are keyed by document id. `claims` is None when it was not read (nothing claimed);
    `dead_letters` and `pool_docs` hold the reads `lookups_for` asked for (None: absent).
    """

    user_id: str
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    doc: dict[str, Any] | None = None
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    sequences: dict[str, dict[str, Any]] = field(default_factory=dict)
    milestones: dict[str, dict[str, Any]] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    action_log: dict[str, dict[str, Any]] = field(default_factory=dict)
    claims: dict[str, dict[str, Any]] | None = None
    dead_letters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    pool_docs: dict[str, dict[str, Any] | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Lookups:
    """What the checks need read besides a user's own documents."""

    dead_letters: tuple[str, ...] = ()  # transaction ids not counted: their letters
    pool_docs: tuple[str, ...] = ()  # voucher pool documents (assignments, claims, codes)
    claims: bool = False  # the user's claimed milestones
