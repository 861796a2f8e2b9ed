"""A read-only mapping whose values are decoded from their stored form on first use."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class LazyMapping(Mapping[str, V], Generic[V]):
    """`stored` (any mapping of stored values) seen through `decode`, each value decoded once.

    For a stored map of which a request reads a few keys: the Gigya state of the challenges a
    request names, the variants of a challenge when one is asked for.
    """

    def __init__(self, stored: Any, decode: Callable[[Any], V]) -> None:
        self._stored = stored
        self._decode = decode
        self._decoded: dict[str, V] = {}

    def __getitem__(self, key: str) -> V:
        if key in self._decoded:
            return self._decoded[key]
        # Membership first: indexing a protobuf message map would insert the key.
        if key not in self._stored:
            raise KeyError(key)
        value = self._decoded[key] = self._decode(self._stored[key])
        return value

    def __contains__(self, key: object) -> bool:
        # Without decoding (Mapping's own would, through __getitem__).
        return key in self._decoded or key in self._stored

    def __iter__(self) -> Iterator[str]:
        return iter(self._stored)

    def __len__(self) -> int:
        return len(self._stored)

    def __repr__(self) -> str:
        return repr(dict(self))
