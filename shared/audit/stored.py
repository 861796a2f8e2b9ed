"""Where the audit reads stored state, and the stored names it compares.

Every path and name is shared/schema's (paths, markers, milestones, ledger, vouchers, gigya),
through shared/repository's modules where they name it; the audit's names for them are
aliases here, so that its checks read as the documents they compare.
"""

from __future__ import annotations

from shared.repository import paths, prizes_repo, vouchers_repo
from shared.schema import gigya as g
from shared.schema import ledger, markers, vouchers
from shared.schema import milestones as m
from shared.schema import paths as schema_paths

# users/{u}/events/{transactionId} and users/{u}/sequences/{sequence} (counting.count).
MARKER_TRANSACTION_ID = markers.TRANSACTION_ID
MARKER_CHALLENGES = markers.CHALLENGES
MARKER_COUNTED_AT = markers.COUNTED_AT

# users/{u}/milestones/{milestoneId} (settling.milestone_doc, prizes.issue_prizes).
MILESTONE_ID = m.MILESTONE_ID
MILESTONE_USER_ID = m.USER_ID
MILESTONE_CHALLENGE_ID = m.CHALLENGE_ID
MILESTONE_CYCLE = m.CYCLE
MILESTONE_LEVEL = m.LEVEL
MILESTONE_OCCURRED_AT = m.OCCURRED_AT
MILESTONE_CREATED_AT = m.CREATED_AT
MILESTONE_PRIZES = m.PRIZES
MILESTONE_ISSUED = m.ISSUED
MILESTONE_CLAIMED = m.CLAIMED
# One prize of a milestone (prizes.pending_prizes).
PRIZE_REWARD_ID = m.PRIZE_REWARD_ID
PRIZE_REWARD_TYPE = m.PRIZE_REWARD_TYPE
PRIZE_VALUE = m.PRIZE_VALUE
PRIZE_STATUS = m.PRIZE_STATUS

# transactions/reward-{milestoneId}-{rewardId} (prizes._issue_points): the credit's own fields.
CREDIT_MILESTONE_ID = ledger.MILESTONE_ID
CREDIT_REWARD_ID = ledger.REWARD_ID

# voucherPools/{pool}/claims/{code}, assignments/{prizeKey}, codes/{code} (vouchers_repo).
CLAIM_PRIZE_KEY = vouchers.PRIZE_KEY
ASSIGNMENT_CODE = vouchers.CODE
CODE_TAKEN = vouchers.TAKEN

# users/{u}/actionLog/{actionId}~{n} (gigya_repo.record_capped_action).
ACTION_LOG_TRANSACTION_ID = g.ACTION_LOG_TRANSACTION_ID
ACTION_LOG_AT = g.LOG_AT

# The id of a points prize's credit in `transactions` (prizes._issue_points).
reward_credit_id = schema_paths.reward_credit_id


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
