"""Document ids derived from domain values."""

from __future__ import annotations

import hashlib


def user_key(user_id: str) -> str:
    """A Firestore-safe document id for an opaque user id (`%` and `/` percent-encoded)."""
    key = user_id.replace("%", "%25").replace("/", "%2F")
    # Firestore reserves "." and ".." and ids of the form __.*__.
    if key in {".", ".."} or (key.startswith("__") and key.endswith("__")):
        key = "%" + key.encode().hex()
    return key


def milestone_id(user_id: str, challenge_id: int, cycle: int, level: int) -> int:
    """A stable positive 53-bit id for the milestone of (user, challenge, cycle, level)."""
    digest = hashlib.sha256(f"{user_id}\x00{challenge_id}\x00{cycle}\x00{level}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 11 or 1


def prize_key(milestone: int, reward_id: int) -> str:
    """The id of one prize of a milestone."""
    return f"{milestone}-{reward_id}"
