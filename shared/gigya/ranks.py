"""Ranks from histograms of folded scores: encoding, folding arithmetic, lookups. Pure.

A board's rank table (`rankTables/{boardId}`, docs/RANKS.md) holds two histograms: how many users
have each all-time score, and each 7-day score, as last folded by the refresher. Only scores
above 0 are kept: a user with 0 points ranks after everyone who has any.

A histogram is stored as bytes: a version byte, then (score, count) pairs sorted by score
descending, each a little-endian float64 and uint32 (12 bytes). A table document holds both
histograms within Firestore's 1 MiB, so about 80,000 distinct scores in all; `encode_table`
refuses more (`TableTooLarge`).
"""

from __future__ import annotations

import math
import struct
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# score -> how many users have that folded score (every score > 0, every count > 0)
Histogram = dict[float, int]
# (the score as last folded or None, the score to fold now or None): one user's change
Move = tuple[float | None, float | None]

FORMAT_VERSION = 1
_PAIR = struct.Struct("<dI")
_MAX_COUNT = 2**32 - 1
# Both histograms of a table together; Firestore's limit is 1 MiB per document (1,048,576
# bytes, names and overhead included), which this leaves room for.
MAX_TABLE_BYTES = 1_000_000


class TableTooLarge(ValueError):
    """A rank table whose histograms would not fit in one Firestore document."""


def _score(value: float) -> float:
    score = float(value)
    if math.isnan(score) or math.isinf(score):
        raise ValueError(f"a score must be a finite number, got {value!r}")
    return score


def _positive(histogram: Mapping[float, int]) -> list[tuple[float, int]]:
    """The (score, count) pairs of a histogram that count: scores and counts above 0."""
    pairs = [(_score(score), count) for score, count in histogram.items()]
    return [(score, count) for score, count in pairs if score > 0 and count > 0]


def encode_histogram(histogram: Mapping[float, int]) -> bytes:
    """The stored bytes of a histogram: scores above 0 with their counts, highest first."""
    pairs = sorted(_positive(histogram), reverse=True)
    out = bytearray([FORMAT_VERSION])
    for score, count in pairs:
        if count > _MAX_COUNT:
            raise ValueError(f"a count must fit in 32 bits, got {count} for score {score}")
        out += _PAIR.pack(score, count)
    return bytes(out)


def decode_histogram(data: bytes | None) -> Histogram:
    """The histogram stored as `data` (empty when None or empty)."""
    if not data:
        return {}
    if data[0] != FORMAT_VERSION or (len(data) - 1) % _PAIR.size:
        raise ValueError(f"not a rank histogram (version {data[0]}, {len(data)} bytes)")
    return dict(_PAIR.iter_unpack(memoryview(data)[1:]))


def encode_table(
    folded: Mapping[float, int], folded_week: Mapping[float, int]
) -> tuple[bytes, bytes]:
    """Both histograms of a table, refused when together they exceed MAX_TABLE_BYTES."""
    encoded = encode_histogram(folded), encode_histogram(folded_week)
    size = len(encoded[0]) + len(encoded[1])
    if size > MAX_TABLE_BYTES:
        raise TableTooLarge(
            f"{size} bytes of histograms ({(size - 2) // _PAIR.size} distinct scores) exceed "
            f"{MAX_TABLE_BYTES}"
        )
    return encoded


def apply_moves(histogram: Mapping[float, int], moves: Iterable[Move]) -> Histogram:
    """A new histogram: each move takes one user off its old score and onto its new one.

    None or a score of 0 or less means "not in the histogram". Taking a user off a score that
    has none is ignored (the histogram never goes negative).
    """
    result: Histogram = {score: count for score, count in histogram.items() if count > 0}
    for old, new in moves:
        if old is not None and (old_score := _score(old)) > 0:
            left = result.get(old_score, 0) - 1
            if left > 0:
                result[old_score] = left
            else:
                result.pop(old_score, None)
        if new is not None and (new_score := _score(new)) > 0:
            result[new_score] = result.get(new_score, 0) + 1
    return result


@dataclass(frozen=True)
class _Ranking:
    """One histogram ready for lookups: negated scores ascending, and prefix sums of counts."""

    negated: list[float] = field(default_factory=list)
    prefix: list[int] = field(default_factory=lambda: [0])

    @classmethod
    def of(cls, histogram: Mapping[float, int]) -> _Ranking:
        pairs = sorted(_positive(histogram), reverse=True)
        prefix = [0]
        for _, count in pairs:
            prefix.append(prefix[-1] + count)
        return cls([-score for score, _ in pairs], prefix)

    def above(self, score: float) -> int:
        # Scores strictly greater than `score` are the negated ones strictly less than -score.
        return self.prefix[bisect_left(self.negated, -float(score))]

    def rank(self, score: float, exclude: float | None) -> int:
        higher = self.above(score)
        if exclude is not None and exclude > 0 and exclude > score:
            # The user's own folded score, staler than `score`, is not someone else's.
            higher -= 1
        return 1 + max(higher, 0)


class RankTable:
    """A board's folded scores: rank = 1 + how many users have a strictly greater score."""

    def __init__(
        self,
        folded: Mapping[float, int] | None = None,
        folded_week: Mapping[float, int] | None = None,
    ) -> None:
        self.folded: Histogram = dict(folded or {})
        self.folded_week: Histogram = dict(folded_week or {})
        self._all = _Ranking.of(self.folded)
        self._week = _Ranking.of(self.folded_week)

    @classmethod
    def from_bytes(cls, folded: bytes | None, folded_week: bytes | None) -> RankTable:
        """A table decoded from its stored histograms."""
        return cls(decode_histogram(folded), decode_histogram(folded_week))

    @property
    def users(self) -> int:
        """Users with all-time points above 0, as folded."""
        return self._all.prefix[-1]

    @property
    def users_week(self) -> int:
        """Users with 7-day points above 0, as folded."""
        return self._week.prefix[-1]

    def rank(self, score: float, exclude: float | None = None) -> int:
        """The all-time rank of `score`; `exclude`: the user's own folded score, not counted."""
        return self._all.rank(score, exclude)

    def rank_week(self, score: float, exclude: float | None = None) -> int:
        """The 7-day rank of `score`; `exclude`: the user's own folded 7-day score."""
        return self._week.rank(score, exclude)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RankTable):
            return NotImplemented
        return self.folded == other.folded and self.folded_week == other.folded_week

    def __repr__(self) -> str:
        return f"RankTable(users={self.users}, users_week={self.users_week})"
