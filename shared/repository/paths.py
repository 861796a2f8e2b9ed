"""Collection and document paths, in one place (see docs/DESIGN.md)."""

from __future__ import annotations

from shared.repository.keys import user_key

CATEGORIES = "categories"
CHALLENGES = "challenges"
VOUCHER_POOLS = "voucherPools"
CHALLENGE_STATS = "challengeStats"
STATS_SHARDS = "shards"
TRANSACTIONS = "transactions"
USERS = "users"
DEAD_LETTERS = "deadLetters"
PARTNER_CLIENTS = "partnerClients"
AUTH_NONCES = "authNonces"
PEOPLE_FINISHED_SHARDS = 16


def user_doc(user_id: str) -> str:
    """The user document: the user's progress in every challenge (shared/progress/state.py)."""
    return f"{USERS}/{user_key(user_id)}"


def event_marker_doc(user_id: str, transaction_id: str) -> str:
    """The marker that a transaction was counted for this user."""
    return f"{user_doc(user_id)}/events/{transaction_id}"


def sequence_marker_doc(user_id: str, sequence: int) -> str:
    """The marker that the ledger entry with this per-user sequence was counted."""
    return f"{user_doc(user_id)}/sequences/{sequence}"


def milestones_collection(user_id: str) -> str:
    """The user's milestones."""
    return f"{user_doc(user_id)}/milestones"


def milestone_doc(user_id: str, milestone: int) -> str:
    """One milestone of the user."""
    return f"{milestones_collection(user_id)}/{milestone}"
