"""Where the audit reads stored state, and the stored names it compares.

Paths and names with a home are taken from it (shared/repository/paths.py, keys.py,
vouchers_repo.py, prizes_repo.py, dead_letters_repo.py, shared/schema/gigya.py,
shared/progress/state.py). The engine writes a few documents with literal field names and no
constant (the event marker in shared/engine/counting.py, the milestone document in
shared/engine/settling.py and prizes.py, the voucher claim and assignment in
shared/repository/vouchers_repo.py, the action log in shared/repository/gigya_repo.py): they
are named here once, as those modules write them, for the audit's reads.
"""

from __future__ import annotations

from shared.repository import paths, prizes_repo, vouchers_repo
from shared.schema import gigya as g

# users/{u}/events/{transactionId} and users/{u}/sequences/{sequence} (counting.count).
MARKER_TRANSACTION_ID = "transactionId"
MARKER_CHALLENGES = "challenges"
MARKER_COUNTED_AT = "countedAt"

# users/{u}/milestones/{milestoneId} (settling.milestone_doc, prizes.issue_prizes).
MILESTONE_ID = "milestoneId"
MILESTONE_USER_ID = "userId"
MILESTONE_CHALLENGE_ID = "challengeId"
MILESTONE_CYCLE = "cycle"
MILESTONE_LEVEL = "level"
MILESTONE_OCCURRED_AT = "occurredAt"
MILESTONE_CREATED_AT = "createdAt"
MILESTONE_PRIZES = "prizes"
MILESTONE_ISSUED = "issued"
MILESTONE_CLAIMED = "claimed"
# One prize of a milestone (prizes.pending_prizes).
PRIZE_REWARD_ID = "rewardId"
PRIZE_REWARD_TYPE = "rewardType"
PRIZE_VALUE = "value"
PRIZE_STATUS = "status"

# transactions/reward-{milestoneId}-{rewardId} (prizes._issue_points): the credit's own fields.
CREDIT_MILESTONE_ID = "milestoneId"
CREDIT_REWARD_ID = "rewardId"

# voucherPools/{pool}/claims/{code}, assignments/{prizeKey}, codes/{code} (vouchers_repo).
CLAIM_PRIZE_KEY = "prizeKey"
ASSIGNMENT_CODE = "code"
CODE_TAKEN = "taken"

# users/{u}/actionLog/{actionId}~{n} (gigya_repo.record_capped_action).
ACTION_LOG_TRANSACTION_ID = "transactionId"
ACTION_LOG_AT = "at"


def reward_credit_id(milestone: int, reward_id: int) -> str:
    """The id of a points prize's credit in `transactions` (prizes._issue_points)."""
    return f"reward-{milestone}-{reward_id}"


def _collection_of(document: str) -> str:
    return document.rsplit("/", 1)[0]


def events_collection(user_id: str) -> str:
    """The user's event markers."""
    return _collection_of(paths.event_marker_doc(user_id, "_"))


def sequences_collection(user_id: str) -> str:
    """The user's sequence markers."""
    return _collection_of(paths.sequence_marker_doc(user_id, 0))


def claims_collection(user_id: str) -> str:
    """The user's claimed milestones."""
    return prizes_repo.claims_collection(user_id)


def action_log_collection(user_id: str) -> str:
    """The user's counted notifications of capped actions."""
    return _collection_of(g.action_log_doc(paths.user_doc(user_id), "_", 1))


def pool_doc(pool: str, collection: str, doc_id: str) -> str:
    """One document of a voucher pool's `codes`, `claims` or `assignments`."""
    return f"{paths.VOUCHER_POOLS}/{pool}/{collection}/{doc_id}"


def pool_collection(pool: str, collection: str) -> str:
    """A voucher pool's `codes`, `claims` or `assignments`."""
    return f"{paths.VOUCHER_POOLS}/{pool}/{collection}"


CODES = vouchers_repo.CODES
CLAIMS = vouchers_repo.CLAIMS
ASSIGNMENTS = vouchers_repo.ASSIGNMENTS
TAKEN_BY = vouchers_repo.TAKEN_BY
POOL_USER_ID = vouchers_repo.USER_ID
