"""The catalog as the Gigya surface names it: challenge ids, `_default`, include/exclude.

The list of a catalog's Gigya challenges and its index by id are made once per catalog loaded
(a process cache: a request would otherwise rebuild them for 200 challenges, twice).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shared.app import ProcessCache
from shared.catalog.models import Catalog, Challenge
from shared.errors import InvalidArgumentError
from shared.schema.gigya import DEFAULT_CHALLENGE

INVALID_INCLUDED = "Invalid included challenge IDs specified"
ALL = "*"


@dataclass(frozen=True)
class GigyaChallenge:
    """A challenge of the Gigya surface: a catalog challenge, or `_default` (challenge None)."""

    challenge_id: str
    challenge: Challenge | None

    @property
    def is_default(self) -> bool:
        """True for the program-wide `_default` challenge."""
        return self.challenge is None

    @property
    def key(self) -> str:
        """The key of its leaderboard and redeem log: `_default` or the catalog's numeric id."""
        return DEFAULT_CHALLENGE if self.challenge is None else str(self.challenge.id)


@dataclass
class _Indexed:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The catalog last indexed (compared by identity: a loaded catalog is never changed).
    catalog: Catalog | None = None
    every: tuple[GigyaChallenge, ...] = ()
    by_id: dict[str, GigyaChallenge] = field(default_factory=dict)


_CACHE = ProcessCache("gigya-challenges", _Indexed)


def _indexed(catalog: Catalog) -> tuple[tuple[GigyaChallenge, ...], dict[str, GigyaChallenge]]:
    state = _CACHE.get()
    with state.lock:
        if state.catalog is catalog:
            return state.every, state.by_id
    found = [
        GigyaChallenge(c.gigya_id, c)
        for c in sorted(catalog.challenges, key=lambda c: c.id)
        if c.visible
    ]
    every = (*found, GigyaChallenge(DEFAULT_CHALLENGE, None))
    # Unique: the catalog's validation refuses a gigyaChallengeId another challenge has.
    by_id = {item.challenge_id: item for item in every}
    with state.lock:
        state.catalog, state.every, state.by_id = catalog, every, by_id
    return every, by_id


def gigya_challenges(catalog: Catalog) -> list[GigyaChallenge]:
    """Every visible catalog challenge in id order, then `_default`."""
    return list(_indexed(catalog)[0])


def find(catalog: Catalog, challenge_id: str) -> GigyaChallenge | None:
    """The challenge a Gigya `challengeID` names (its gigyaChallengeId, or its numeric id)."""
    return _indexed(catalog)[1].get(challenge_id)


def named_ids(catalog: Catalog, include: Sequence[str]) -> list[int] | None:
    """The catalog ids of the challenges `include` names (None for `*`: every challenge).

    Names of no challenge are left out here: `select` refuses them.
    """
    if ALL in include:
        return None
    by_id = _indexed(catalog)[1]
    named = (by_id.get(name) for name in dict.fromkeys(include))
    return [item.challenge.id for item in named if item is not None and item.challenge is not None]


def select(
    catalog: Catalog,
    include: Sequence[str],
    exclude: Sequence[str],
    shown: Callable[[GigyaChallenge], bool],
    parameter: str = "includeChallenges",
) -> list[GigyaChallenge]:
    """The challenges `include` (`*`: all) names less `exclude`, each shown to the user.

    Naming a challenge that does not exist, or one hidden from this user, is 400006.
    """
    every, by_id = _indexed(catalog)
    if ALL in include:
        chosen = [c for c in every if shown(c)]
    else:
        chosen = []
        for name in dict.fromkeys(include):
            item = by_id.get(name)
            if item is None or not shown(item):
                raise InvalidArgumentError(f"{INVALID_INCLUDED}: {name}", parameter=parameter)
            chosen.append(item)
    excluded = set(exclude)
    return [c for c in chosen if c.challenge_id not in excluded]
