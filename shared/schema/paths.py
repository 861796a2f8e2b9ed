"""Collections and document paths: where every stored document lives (docs/DESIGN.md).

The Gigya surface's own collections (action and redeem logs, leaderboards, rank tables) are
in shared/schema/gigya.py; everything else is here.
"""

from __future__ import annotations

from shared.repository.keys import user_key

# --- top-level collections ---------------------------------------------------------------------
CATEGORIES = "categories"  # categories/{categoryId}: the catalog's categories
CHALLENGES = "challenges"  # challenges/{challengeId}: the catalog's challenges
CATALOG_META = "catalogMeta"  # catalogMeta/current: the rest of the catalog
VOUCHER_POOLS = "voucherPools"  # voucherPools/{poolId}/{codes,claims,assignments}/...
CHALLENGE_STATS = "challengeStats"  # challengeStats/{challengeId}/shards/{n}
TRANSACTIONS = "transactions"  # the ledger's transactions (and the engine's reward credits)
USERS = "users"  # users/{userKey}: progress in every challenge and the Gigya state
DEAD_LETTERS = "deadLetters"
PARTNER_CLIENTS = "partnerClients"
AUTH_NONCES = "authNonces"
GIGYA_SITES = "gigyaSites"
GIGYA_APPLICATIONS = "gigyaApplications"

# --- subcollections ----------------------------------------------------------------------------
STATS_SHARDS = "shards"  # challengeStats/{challengeId}/shards/{0..15}
EVENTS = "events"  # users/{u}/events/{transactionId}: counted-event markers
SEQUENCES = "sequences"  # users/{u}/sequences/{sequence}: counted-ledger-entry markers
MILESTONES = "milestones"  # users/{u}/milestones/{milestoneId}
CLAIMS = "claims"  # users/{u}/claims/{milestoneId}: the prize history
CODES = "codes"  # voucherPools/{pool}/codes/{code}
POOL_CLAIMS = "claims"  # voucherPools/{pool}/claims/{code}: a code taken once
ASSIGNMENTS = "assignments"  # voucherPools/{pool}/assignments/{prizeKey}: a prize given once

CATALOG_META_ID = "current"
CATALOG_META_DOC = f"{CATALOG_META}/{CATALOG_META_ID}"
PEOPLE_FINISHED_SHARDS = 16
REWARD_CREDIT_PREFIX = "reward-"

# Every collection name, for the test that no module spells one outside this package.
NAMES = frozenset(
    {
        CATEGORIES,
        CHALLENGES,
        CATALOG_META,
        VOUCHER_POOLS,
        CHALLENGE_STATS,
        TRANSACTIONS,
        USERS,
        DEAD_LETTERS,
        PARTNER_CLIENTS,
        AUTH_NONCES,
        GIGYA_SITES,
        GIGYA_APPLICATIONS,
        STATS_SHARDS,
        EVENTS,
        SEQUENCES,
        MILESTONES,
        CLAIMS,
        CODES,
        POOL_CLAIMS,
        ASSIGNMENTS,
    }
)


def user_doc(user_id: str) -> str:
    """The user document: the user's progress in every challenge (shared/schema/user.py)."""
    return f"{USERS}/{user_key(user_id)}"


def events_collection(user_id: str) -> str:
    """The user's counted-event markers."""
    return f"{user_doc(user_id)}/{EVENTS}"


def event_marker_doc(user_id: str, transaction_id: str) -> str:
    """The marker that a transaction was counted for this user."""
    return f"{events_collection(user_id)}/{transaction_id}"


def sequences_collection(user_id: str) -> str:
    """The user's counted-ledger-entry markers."""
    return f"{user_doc(user_id)}/{SEQUENCES}"


def sequence_marker_doc(user_id: str, sequence: int) -> str:
    """The marker that the ledger entry with this per-user sequence was counted."""
    return f"{sequences_collection(user_id)}/{sequence}"


def milestones_collection(user_id: str) -> str:
    """The user's milestones."""
    return f"{user_doc(user_id)}/{MILESTONES}"


def milestone_doc(user_id: str, milestone: int) -> str:
    """One milestone of the user."""
    return f"{milestones_collection(user_id)}/{milestone}"


def claims_collection(user_id: str) -> str:
    """The user's claims: one document per claimed milestone, the prize history."""
    return f"{user_doc(user_id)}/{CLAIMS}"


def claim_doc(user_id: str, milestone: int) -> str:
    """The claim of one milestone."""
    return f"{claims_collection(user_id)}/{milestone}"


def transaction_doc(transaction_id: str) -> str:
    """One ledger transaction."""
    return f"{TRANSACTIONS}/{transaction_id}"


def reward_credit_id(milestone: int, reward_id: int) -> str:
    """The transaction id of a points prize's credit: one per prize, so created once."""
    return f"{REWARD_CREDIT_PREFIX}{milestone}-{reward_id}"


def pool_collection(pool_id: str, collection: str) -> str:
    """A voucher pool's `codes`, `claims` or `assignments`."""
    return f"{VOUCHER_POOLS}/{pool_id}/{collection}"


def code_doc(pool_id: str, code: str) -> str:
    """One code of a voucher pool."""
    return f"{pool_collection(pool_id, CODES)}/{code}"


def pool_claim_doc(pool_id: str, code: str) -> str:
    """The claim of one code: created once, by the prize it went to."""
    return f"{pool_collection(pool_id, POOL_CLAIMS)}/{code}"


def assignment_doc(pool_id: str, prize_key: str) -> str:
    """The code given to one prize: created once, so a retry reuses the code."""
    return f"{pool_collection(pool_id, ASSIGNMENTS)}/{prize_key}"


def stats_shard_doc(challenge_id: int, shard: int) -> str:
    """One `peopleFinished` shard of a challenge."""
    return f"{CHALLENGE_STATS}/{challenge_id}/{STATS_SHARDS}/{shard}"


def category_doc(category_id: int) -> str:
    """One catalog category."""
    return f"{CATEGORIES}/{category_id}"


def challenge_doc(challenge_id: int) -> str:
    """One catalog challenge."""
    return f"{CHALLENGES}/{challenge_id}"


def partner_client_doc(client_id: str) -> str:
    """A V1 partner client."""
    return f"{PARTNER_CLIENTS}/{client_id}"


def nonce_doc(client_id: str, nonce: str) -> str:
    """The record of a used message nonce of a client."""
    return f"{AUTH_NONCES}/{client_id}:{nonce}"


def gigya_nonce_client_id(user_key: str) -> str:
    """The client id a Gigya application key's nonces are recorded under (apart from V1's)."""
    return f"gigya.{user_key}"


def gigya_site_doc(api_key: str) -> str:
    """A Gigya site."""
    return f"{GIGYA_SITES}/{api_key}"


def gigya_application_doc(user_key: str) -> str:
    """A Gigya application key."""
    return f"{GIGYA_APPLICATIONS}/{user_key}"
