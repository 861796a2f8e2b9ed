"""Lookups kept for a while: found ones longer, unknown ones briefly (pure)."""

from __future__ import annotations

from shared.expiring_lookups import ExpiringLookups


def test_found_and_unknown_values_expire_after_their_own_time():
    lookups: ExpiringLookups[str] = ExpiringLookups(known_seconds=60, unknown_seconds=5)
    fetched: list[str] = []

    def fetch(value: str | None):
        def run() -> str | None:
            fetched.append(str(value))
            return value

        return run

    assert lookups.get("a", fetch("A"), now=0) == "A"
    assert lookups.get("a", fetch("changed"), now=59) == "A"
    assert lookups.get("a", fetch("B"), now=60) == "B"
    assert lookups.get("x", fetch(None), now=0) is None
    assert lookups.get("x", fetch("X"), now=4) is None
    assert lookups.get("x", fetch("X"), now=5) == "X"
    lookups.forget("x")
    assert lookups.get("x", fetch("Y"), now=6) == "Y"
    assert fetched == ["A", "B", "None", "X", "Y"]
