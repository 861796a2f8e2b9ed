"""Re-driving dead letters after a fix: their transaction through the engine again.

A re-drive reads the CURRENT `transactions/{id}` document (the letter's copy of the transaction
only when that document is gone) and runs `process_transaction` on it. The engine's event marker
makes the transaction count once however often it is re-driven: one counted before comes back
`duplicate` (and still finishes whatever level or prize an interrupted run left). A letter the
engine accepted is marked re-driven and kept as a record; one whose transaction is still
malformed stays, with the engine's new reason (docs/OPERATIONS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from shared.clock import utcnow
from shared.engine.process import (
    COUNTED,
    DEAD_LETTERED,
    DUPLICATE,
    IGNORED,
    NOTHING_TO_COUNT,
    Outcome,
    process_transaction,
)
from shared.repository import dead_letters_repo
from shared.repository.dead_letters_repo import DeadLetter

if TYPE_CHECKING:
    from google.cloud import firestore

# Outcomes after which the event is settled, as an acknowledged delivery would be.
ACCEPTED = frozenset({COUNTED, DUPLICATE, IGNORED, NOTHING_TO_COUNT})
# A letter that names no transaction, or whose transaction is gone with no copy in the letter.
NOT_REDRIVABLE = "notRedrivable"
# The engine raised (a backend failure, a bug): the letter is left as it was.
FAILED = "failed"


class DeadLetterNotFound(LookupError):
    """No dead letter has this id."""


@dataclass(frozen=True)
class Redriven:
    """What one re-drive did."""

    letter_id: str  # the letter re-driven
    transaction_id: str | None
    status: str  # the engine's outcome status, NOT_REDRIVABLE or FAILED
    redriven_from: str | None  # dead_letters_repo.FROM_TRANSACTION or FROM_LETTER
    letter: str | None  # the letter's id afterwards (another when the engine re-keyed it)
    reason: str | None = None  # why the transaction is still a dead letter
    outcome: Outcome | None = None

    @property
    def accepted(self) -> bool:
        """True when the engine processed the transaction (the letter is marked re-driven)."""
        return self.status in ACCEPTED


def redrive_letter(
    db: firestore.Client, letter: DeadLetter, now: datetime | None = None
) -> Redriven:
    """Run a letter's transaction through the engine and record the result on the letter."""
    transaction_id = letter.transaction_id
    if transaction_id is None:
        reason = "the letter names no transaction (an undecodable event)"
        return Redriven(letter.id, None, NOT_REDRIVABLE, None, letter.id, reason)
    data = dead_letters_repo.read_transaction(db, transaction_id)
    redriven_from = dead_letters_repo.FROM_TRANSACTION
    if data is None:
        data = letter.data
        redriven_from = dead_letters_repo.FROM_LETTER
    if data is None:
        reason = f"transaction {transaction_id} is gone and the letter holds no copy of it"
        return Redriven(letter.id, transaction_id, NOT_REDRIVABLE, None, letter.id, reason)
    try:
        outcome = process_transaction(db, transaction_id, data)
    except Exception as error:  # a backend failure or a bug: the letter stays as it was
        reason = f"{type(error).__name__}: {error}"
        return Redriven(letter.id, transaction_id, FAILED, redriven_from, letter.id, reason)
    if outcome.status == DEAD_LETTERED:
        # The engine has rewritten the transaction's own letter with the new reason; a letter
        # under another id (the deliverer's, keyed by the CloudEvent id) is superseded by it.
        own = dead_letters_repo.dead_letter_id(transaction_id)
        if own != letter.id:
            dead_letters_repo.delete_dead_letter(db, letter.id)
        return Redriven(
            letter.id, transaction_id, DEAD_LETTERED, redriven_from, own, outcome.reason, outcome
        )
    dead_letters_repo.mark_redriven(db, letter.id, outcome.status, redriven_from, now or utcnow())
    return Redriven(
        letter.id, transaction_id, outcome.status, redriven_from, letter.id, None, outcome
    )


def redrive(db: firestore.Client, letter_id: str, now: datetime | None = None) -> Redriven:
    """Re-drive one letter by id (re-driven before or not); DeadLetterNotFound when none."""
    letter = dead_letters_repo.read_dead_letter(db, letter_id)
    if letter is None:
        raise DeadLetterNotFound(f"no dead letter {letter_id!r}")
    return redrive_letter(db, letter, now)


def redrive_all(db: firestore.Client, now: datetime | None = None) -> list[Redriven]:
    """Re-drive every letter not re-driven yet, each transaction once per call."""
    done: list[Redriven] = []
    seen: set[str] = set()
    for letter in dead_letters_repo.pending_dead_letters(db):
        # A letter the engine re-keyed to its transaction id may come up again in this walk.
        if letter.transaction_id is not None and letter.transaction_id in seen:
            continue
        if letter.transaction_id is not None:
            seen.add(letter.transaction_id)
        done.append(redrive_letter(db, letter, now))
    return done
