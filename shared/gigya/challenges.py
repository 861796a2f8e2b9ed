"""The catalog as the Gigya surface names it: challenge ids, `_default`, include/exclude. Pure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


def gigya_challenges(catalog: Catalog) -> list[GigyaChallenge]:
    """Every visible catalog challenge in id order, then `_default`."""
    found = [
        GigyaChallenge(c.gigya_id, c)
        for c in sorted(catalog.challenges, key=lambda c: c.id)
        if c.visible
    ]
    return [*found, GigyaChallenge(DEFAULT_CHALLENGE, None)]


def find(catalog: Catalog, challenge_id: str) -> GigyaChallenge | None:
    """The challenge a Gigya `challengeID` names (its gigyaChallengeId, or its numeric id)."""
    for item in gigya_challenges(catalog):
        if item.challenge_id == challenge_id:
            return item
    return None


def named_ids(catalog: Catalog, include: Sequence[str]) -> list[int] | None:
    """The catalog ids of the challenges `include` names (None for `*`: every challenge).

    Names of no challenge are left out here: `select` refuses them.
    """
    if ALL in include:
        return None
    by_id = {c.challenge_id: c.challenge for c in gigya_challenges(catalog)}
    return [c.id for name in dict.fromkeys(include) if (c := by_id.get(name)) is not None]


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
    every = gigya_challenges(catalog)
    if ALL in include:
        chosen = [c for c in every if shown(c)]
    else:
        by_id = {c.challenge_id: c for c in every}
        chosen = []
        for name in dict.fromkeys(include):
            item = by_id.get(name)
            if item is None or not shown(item):
                raise InvalidArgumentError(f"{INVALID_INCLUDED}: {name}", parameter=parameter)
            chosen.append(item)
    excluded = set(exclude)
    return [c for c in chosen if c.challenge_id not in excluded]
