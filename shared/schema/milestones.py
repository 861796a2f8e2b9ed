"""Milestones, their prizes, the user document's milestone entries and claims, as stored.

- `users/{u}/milestones/{milestoneId}`: `Milestone`, created once per (user, challenge, cycle,
  level) with its prizes pending, then updated by `issued_update` and `claimed_update`;
- a challenge entry's `pending.{milestoneId}`, `unclaimed.{milestoneId}` and `lastClaimed`:
  `MilestoneEntry` (docs/ENGINE.md);
- `users/{u}/claims/{milestoneId}`: `Claim`, the claimed milestone (GetPrizesHistory reads it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from shared.enums import RewardType

# A milestone's fields (a claim holds the same, with `claimedAt`).
MILESTONE_ID = "milestoneId"
USER_ID = "userId"
CHALLENGE_ID = "challengeId"
CYCLE = "cycle"
LEVEL = "level"  # the index of the level won (0 = first)
CREATED_AT = "createdAt"
OCCURRED_AT = "occurredAt"  # when the completing transaction happened
PRIZES = "prizes"
ISSUED = "issued"  # every prize issued (or out of stock)
CLAIMED = "claimed"
CLAIMED_AT = "claimedAt"

# One prize of a milestone.
PRIZE_REWARD_ID = "rewardId"
PRIZE_REWARD_TYPE = "rewardType"
PRIZE_VALUE = "value"  # points amount, voucher code (the pool while pending), or badge name
PRIZE_DESCRIPTION = "description"  # the reward's localized description
PRIZE_EXPIRATION_DATE = "expirationDate"
PRIZE_STATUS = "status"
# A prize's status.
STATUS_PENDING = "pending"
STATUS_ISSUED = "issued"
STATUS_OUT_OF_STOCK = "outOfStock"

NAMES = frozenset(
    {
        MILESTONE_ID,
        USER_ID,
        CHALLENGE_ID,
        CYCLE,
        LEVEL,
        CREATED_AT,
        OCCURRED_AT,
        PRIZES,
        ISSUED,
        CLAIMED,
        CLAIMED_AT,
        PRIZE_REWARD_ID,
        PRIZE_REWARD_TYPE,
        PRIZE_VALUE,
        PRIZE_DESCRIPTION,
        PRIZE_EXPIRATION_DATE,
        PRIZE_STATUS,
    }
)


@dataclass(frozen=True)
class Prize:
    """One prize of a milestone: what the reward gave, and whether it is issued yet."""

    reward_id: int
    reward_type: int
    value: Any  # a string as written; older or hand-made documents may hold a number
    description: Any  # {language: text} as written (a plain text is read too)
    expiration_date: datetime | None
    status: str

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> Prize:
        """A stored prize."""
        return cls(
            reward_id=int(raw.get(PRIZE_REWARD_ID) or 0),
            reward_type=int(raw.get(PRIZE_REWARD_TYPE, RewardType.POINTS)),
            value=raw.get(PRIZE_VALUE),
            description=raw.get(PRIZE_DESCRIPTION),
            expiration_date=raw.get(PRIZE_EXPIRATION_DATE),
            status=str(raw.get(PRIZE_STATUS) or ""),
        )

    def encode(self) -> dict[str, Any]:
        """The stored prize."""
        return {
            PRIZE_REWARD_ID: self.reward_id,
            PRIZE_REWARD_TYPE: self.reward_type,
            PRIZE_VALUE: self.value,
            PRIZE_DESCRIPTION: self.description,
            PRIZE_EXPIRATION_DATE: self.expiration_date,
            PRIZE_STATUS: self.status,
        }

    @property
    def pending(self) -> bool:
        """Not issued yet."""
        return self.status == STATUS_PENDING

    def issued(self, value: Any | None = None) -> Prize:
        """The prize issued (with its final value when given: a voucher's code)."""
        return replace(self, status=STATUS_ISSUED, value=self.value if value is None else value)

    def out_of_stock(self) -> Prize:
        """The prize whose voucher pool had no code left: no value, no expiry."""
        return replace(self, status=STATUS_OUT_OF_STOCK, value=None, expiration_date=None)


def decode_prizes(raw: Iterable[Mapping[str, Any]] | None) -> tuple[Prize, ...]:
    """Stored prizes."""
    return tuple(Prize.decode(p) for p in raw or () if isinstance(p, Mapping))


def encode_prizes(prizes: Iterable[Prize]) -> list[dict[str, Any]]:
    """Prizes as stored."""
    return [p.encode() for p in prizes]


@dataclass(frozen=True)
class MilestoneEntry:
    """A milestone in a challenge entry: `pending.{id}`, `unclaimed.{id}` or `lastClaimed`.

    `prizes` only in `unclaimed` (the issued prizes the list shows), `claimed_at` only in
    `lastClaimed`.
    """

    milestone_id: int
    level: int
    cycle: int
    created_at: datetime | None
    prizes: tuple[Prize, ...] | None = None
    claimed_at: datetime | None = None

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> MilestoneEntry:
        """A stored entry."""
        prizes = raw.get(PRIZES)
        return cls(
            milestone_id=int(raw.get(MILESTONE_ID) or 0),
            level=int(raw.get(LEVEL) or 0),
            cycle=int(raw.get(CYCLE) or 0),
            created_at=raw.get(CREATED_AT),
            prizes=None if prizes is None else decode_prizes(prizes),
            claimed_at=raw.get(CLAIMED_AT),
        )

    def encode(self) -> dict[str, Any]:
        """The stored entry."""
        out: dict[str, Any] = {
            MILESTONE_ID: self.milestone_id,
            LEVEL: self.level,
            CYCLE: self.cycle,
            CREATED_AT: self.created_at,
        }
        if self.prizes is not None:
            out[PRIZES] = encode_prizes(self.prizes)
        if self.claimed_at is not None:
            out[CLAIMED_AT] = self.claimed_at
        return out


def entry_id(raw: Mapping[str, Any]) -> int:
    """The milestone id of a stored entry, without decoding the rest of it."""
    return int(raw[MILESTONE_ID])


@dataclass(frozen=True)
class Milestone:
    """`users/{u}/milestones/{milestoneId}`: a level won, its prizes, claimed or not."""

    milestone_id: int
    user_id: str
    challenge_id: int
    cycle: int
    level: int
    created_at: datetime
    occurred_at: datetime | None
    prizes: tuple[Prize, ...]
    issued: bool
    claimed: bool = False
    claimed_at: datetime | None = None

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> Milestone:
        """A stored milestone."""
        return cls(
            milestone_id=int(raw[MILESTONE_ID]),
            user_id=str(raw.get(USER_ID) or ""),
            challenge_id=int(raw[CHALLENGE_ID]),
            cycle=int(raw.get(CYCLE) or 0),
            level=int(raw.get(LEVEL) or 0),
            created_at=raw[CREATED_AT],
            occurred_at=raw.get(OCCURRED_AT),
            prizes=decode_prizes(raw.get(PRIZES)),
            issued=bool(raw.get(ISSUED)),
            claimed=bool(raw.get(CLAIMED)),
            claimed_at=raw.get(CLAIMED_AT),
        )

    def encode(self) -> dict[str, Any]:
        """The stored milestone."""
        return {
            MILESTONE_ID: self.milestone_id,
            USER_ID: self.user_id,
            CHALLENGE_ID: self.challenge_id,
            CYCLE: self.cycle,
            LEVEL: self.level,
            CREATED_AT: self.created_at,
            OCCURRED_AT: self.occurred_at,
            PRIZES: encode_prizes(self.prizes),
            ISSUED: self.issued,
            CLAIMED: self.claimed,
            CLAIMED_AT: self.claimed_at,
        }

    def entry(self, prizes: Iterable[Prize] | None = None) -> MilestoneEntry:
        """The milestone's entry in the user document (with `prizes` for `unclaimed`)."""
        listed = None if prizes is None else tuple(prizes)
        return MilestoneEntry(self.milestone_id, self.level, self.cycle, self.created_at, listed)


def is_issuing(raw: Mapping[str, Any]) -> bool:
    """Whether a stored milestone's prizes are still being issued."""
    return raw.get(ISSUED) is False


def issued_update(prizes: Iterable[Prize]) -> dict[str, Any]:
    """The update of a milestone whose prizes are all issued (values and statuses final)."""
    return {PRIZES: encode_prizes(prizes), ISSUED: True}


def claimed_update(now: datetime) -> dict[str, Any]:
    """The update of a milestone when it is claimed."""
    return {CLAIMED: True, CLAIMED_AT: now}


@dataclass(frozen=True)
class Claim:
    """`users/{u}/claims/{milestoneId}`: a claimed milestone (ClaimPrize, GetPrizesHistory)."""

    milestone_id: int
    user_id: str
    challenge_id: int
    cycle: int | None
    level: int | None
    created_at: datetime | None
    prizes: tuple[Prize, ...]
    claimed_at: datetime | None

    @classmethod
    def of(
        cls, milestone: Mapping[str, Any], milestone_id: int, user_id: str, now: datetime
    ) -> Claim:
        """The claim of a stored milestone, claimed at `now`."""
        named = {**milestone, MILESTONE_ID: milestone_id, USER_ID: user_id, CLAIMED_AT: now}
        return cls.decode(named)

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> Claim:
        """A stored claim."""
        cycle, level = raw.get(CYCLE), raw.get(LEVEL)
        return cls(
            milestone_id=int(raw[MILESTONE_ID]),
            user_id=str(raw[USER_ID]),
            challenge_id=int(raw[CHALLENGE_ID]),
            cycle=None if cycle is None else int(cycle),
            level=None if level is None else int(level),
            created_at=raw.get(CREATED_AT),
            prizes=decode_prizes(raw.get(PRIZES)),
            claimed_at=raw.get(CLAIMED_AT),
        )

    def encode(self) -> dict[str, Any]:
        """The stored claim."""
        return {
            MILESTONE_ID: self.milestone_id,
            USER_ID: self.user_id,
            CHALLENGE_ID: self.challenge_id,
            CYCLE: self.cycle,
            LEVEL: self.level,
            CREATED_AT: self.created_at,
            PRIZES: encode_prizes(self.prizes),
            CLAIMED_AT: self.claimed_at,
        }

    def last_claimed(self) -> MilestoneEntry:
        """The challenge entry's `lastClaimed` for this claim."""
        return MilestoneEntry(
            self.milestone_id,
            self.level or 0,
            self.cycle or 0,
            self.created_at,
            None,
            self.claimed_at,
        )


CLAIMS_ORDER = CLAIMED_AT  # the history lists claims newest first by this field
