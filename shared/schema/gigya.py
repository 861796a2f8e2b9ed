"""The stored Gigya state: document paths and field names, spelled here and nowhere else.

Three places hold it (docs/GIGYA.md has the layout and the reasons):

- the user document `users/{userKey}`: a top-level `gigya` map, apart from the progress
  entries (`challenges.{id}`) the DSQ list reads, with per catalog challenge the points by hour
  and month, the points redeemed and the variants (`gigya.challenges.{id}`), the program-wide
  `_default` challenge (`gigya.default`) and the action caps (`gigya.actions`); the challenge's
  points total and action counts are the engine's counters in its progress entry;
- `leaderboards/{boardId}/entries/{userKey}`: one entry per user and board (a challenge, or a
  variant of one), written by the engine in the same commit that counts the points, and folded
  into `rankTables/{boardId}` by the rank refresher;
- `gigyaSites/{apiKey}` and `gigyaApplications/{userKey}`: the credentials
  (shared/gigya/credentials.py).
"""

from __future__ import annotations

from shared.repository.keys import user_key

DEFAULT_CHALLENGE = "_default"

# --- the user document -------------------------------------------------------------------------
GIGYA = "gigya"  # top-level map of the user document
DEFAULT = "default"  # gigya.default: the `_default` challenge's state
CHALLENGES = "challenges"  # gigya.challenges.{id}: a catalog challenge's Gigya points state
ACTIONS = "actions"  # gigya.actions.{actionId}: cap state; totals.actions.{actionId}: counts

# Points state, the same fields in a challenge entry, in gigya.default and in a variant.
POINTS = "points"  # gigya.default.points and variants' points (a catalog challenge: totals)
HOURS = "hours"  # {h<epochHour>: points}
MONTHS = "months"  # {m<YYYYMM>: points}
REDEEMED = "redeemed"  # points taken by gm.redeemPoints (Increment)
REDEEM_SEQ = "redeemSeq"  # redeems so far: names the next redeem document (its create is the lock)
VARIANTS = "variants"  # {variantId: {points, actions: {actionId: n}, hours, months}}
ACK_LEVEL = "ackLevel"  # gigya.default: the level gm.resetLevelStatus acknowledged
IS_NEW_LEVEL = "isNewLevel"  # a catalog challenge's entry: set by a level-up, reset by the API

# gigya.actions.{actionId}: counted notifications of the action, for the caps.
ACTION_COUNT = "count"  # counted notifications ever: names the next log document
ACTION_LAST_AT = "lastAt"  # when the last counted notification happened
ACTION_DAY = "day"  # the calendar day (program timezone) of `dayCount`
ACTION_DAY_COUNT = "dayCount"  # counted notifications on `day`

# --- per-user logs (their creates are the compare-and-swap of caps and redeems) -----------------
ACTION_LOG = "actionLog"  # users/{u}/actionLog/{actionId}~{n}
REDEEM_LOG = "redeemLog"  # users/{u}/redeemLog/{challengeKey}~{n}

# --- leaderboards --------------------------------------------------------------------------------
LEADERBOARDS = "leaderboards"
ENTRIES = "entries"
RANK_TABLES = "rankTables"

# Entry fields the engine writes.
ENTRY_UID = "uid"
ENTRY_TOTAL = "total"  # all-time points on this board (Increment)
ENTRY_HOURS = "hours"  # {h<epochHour>: points} (Increment)
ENTRY_REACHED_AT = "reachedAt"  # when `total` last grew: ties go to who reached a score first
ENTRY_DIRTY = "dirty"  # true after a change the refresher has not folded yet
# Entry fields the refresher writes.
ENTRY_FOLDED = "folded"  # `total` as last folded into the rank table
ENTRY_FOLDED_WEEK = "foldedWeek"  # the 7-day points as last folded
ENTRY_EXPIRES_AT = "expiresAt"  # when the 7-day points next drop (a bucket leaves the window)

VARIANT_SEPARATOR = "~"


def _safe(text: str) -> str:
    # Document ids may not hold "/"; "~" separates a board's challenge and variant.
    return text.replace("%", "%25").replace("/", "%2F").replace("~", "%7E")


def board_id(challenge_key: str, variant_id: str | None = None) -> str:
    """The leaderboard of a challenge (`_default` or a catalog id), or of one of its variants."""
    base = _safe(challenge_key)
    return base if variant_id is None else f"{base}{VARIANT_SEPARATOR}{_safe(variant_id)}"


def entries_collection(board: str) -> str:
    """The collection of a board's entries."""
    return f"{LEADERBOARDS}/{board}/{ENTRIES}"


def entry_doc(board: str, user_id: str) -> str:
    """One user's entry on a board."""
    return f"{entries_collection(board)}/{user_key(user_id)}"


def rank_table_doc(board: str) -> str:
    """A board's materialized rank table."""
    return f"{RANK_TABLES}/{board}"


def action_log_doc(user_doc: str, action_id: str, n: int) -> str:
    """The n-th counted notification of an action by a user (n from 1)."""
    return f"{user_doc}/{ACTION_LOG}/{_safe(action_id)}{VARIANT_SEPARATOR}{n}"


def redeem_log_doc(user_doc: str, challenge_key: str, n: int) -> str:
    """The n-th redeem of a user in a challenge (n from 1)."""
    return f"{user_doc}/{REDEEM_LOG}/{_safe(challenge_key)}{VARIANT_SEPARATOR}{n}"


def variant_id(key: str, value: str) -> str:
    """The variant of an action attribute value: `key:value`."""
    return f"{key}:{value}"
