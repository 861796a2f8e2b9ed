"""What an audit found: one line per difference (or note), with the user and the challenge."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# A stored value that disagrees with what the ledger and the catalog make it: exit non-zero.
DIFFERENCE = "difference"
# Behaviour docs/ENGINE.md names as a known limit, or a sign worth a look that is not a fault.
NOTE = "note"

# The checks, by the item of the audit they belong to (docs/OPERATIONS.md).
COUNTED = "counted"  # (a) every ledger transaction counted, dead-lettered or counting for nothing
TOTALS = "totals"  # (b) cumulative counters = the contributions of the transactions counted
STATES = "states"  # (b) state kinds: the latest observation by ledger order
POINTS = "points"  # (c) Gigya points: `_default`, hour and month buckets, variants
LEADERBOARD = "leaderboard"  # (c) each entry's total = the user's points on that board
MILESTONES = "milestones"  # (d) one per level reached, consistent with the entry
LISTING = "listingMirror"  # (d) the user document's `listing` mirror = what its entries hold
PRIZES = "prizes"  # (d) issued once: points credits, voucher codes, badges
VOUCHERS = "vouchers"  # (d) a code to one prize, a prize one code
PEOPLE_FINISHED = "peopleFinished"  # (d) the shards sum to the users who finished
RANKS = "ranks"  # (e) rank tables = the histograms of the entries' folded scores
CAPS = "caps"  # gm.notifyAction caps: the action log agrees with the cap state and the caps


@dataclass(frozen=True)
class Finding:
    """One difference (or note): which check, whose, in which challenge, and what."""

    check: str
    message: str
    user: str | None = None
    challenge: str | None = None
    severity: str = DIFFERENCE

    def line(self) -> str:
        """`difference totals user=+2010… challenge=3: …` on one line."""
        parts = [self.severity, self.check]
        if self.user is not None:
            parts.append(f"user={self.user}")
        if self.challenge is not None:
            parts.append(f"challenge={self.challenge}")
        return " ".join(parts) + ": " + self.message.replace("\n", " ")

    def as_json(self) -> dict[str, Any]:
        """The finding as a JSON object."""
        return {
            "severity": self.severity,
            "check": self.check,
            "user": self.user,
            "challenge": self.challenge,
            "message": self.message,
        }


@dataclass
class Findings:
    """Findings and counts of what was checked, merged from users, pools, boards."""

    items: list[Finding] = field(default_factory=list)
    tally: Counter[str] = field(default_factory=Counter)

    def add(
        self,
        check: str,
        message: str,
        user: str | None = None,
        challenge: str | int | None = None,
        severity: str = DIFFERENCE,
    ) -> None:
        """Record one finding."""
        label = None if challenge is None else str(challenge)
        self.items.append(Finding(check, message, user, label, severity))

    def note(
        self, check: str, message: str, user: str | None = None, challenge: str | int | None = None
    ) -> None:
        """Record one note."""
        self.add(check, message, user, challenge, NOTE)

    def count(self, name: str, n: int = 1) -> None:
        """Count something checked."""
        self.tally[name] += n

    def merge(self, other: Findings) -> None:
        """Add another set of findings and counts to these."""
        self.items.extend(other.items)
        self.tally.update(other.tally)

    @property
    def differences(self) -> list[Finding]:
        """The findings that are differences."""
        return [f for f in self.items if f.severity == DIFFERENCE]

    @property
    def notes(self) -> list[Finding]:
        """The findings that are notes."""
        return [f for f in self.items if f.severity == NOTE]


def number(value: float | None) -> str:
    """A stored amount for a message: whole numbers without `.0`."""
    if value is None:
        return "none"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def signed(value: float) -> str:
    """A difference for a message: `+60`, `-5`."""
    return ("+" if value > 0 else "") + number(value)
