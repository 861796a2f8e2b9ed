"""The stored schema, in one place: every Firestore document's path, field names and encoding.

No module outside this package spells a stored field or collection name
(tests/shared/schema/test_one_owner.py checks it). Each module owns some documents: their
`NAMES`, typed models (frozen dataclasses with `decode()`/`encode()`, or the catalog's
pydantic models) and the merge-set fragments writers send (with `Increment`/`DELETE_FIELD`
sentinels and nested field paths, built here, sent as they are):

| module | documents |
|---|---|
| `paths` | every collection and document path |
| `user` | `users/{u}`: `userId`, `updatedAt`, the challenge entries (`ProgressState`), writes |
| `gigya` | `users/{u}`'s `gigya` map, the action and redeem logs, leaderboard names, board ids |
| `leaderboards` | `leaderboards/{board}/entries/{u}` (`BoardEntry`) and `rankTables/{board}` |
| `milestones` | `users/{u}/milestones/{id}` (`Milestone`, `Prize`), their entries in the user |
| | document (`MilestoneEntry`), `users/{u}/claims/{id}` (`Claim`) |
| `markers` | `users/{u}/events/{tx}` and `users/{u}/sequences/{n}` (`EventMarker`) |
| `ledger` | `transactions/{id}` (`LedgerTransaction`, the engine's credits, notified actions) |
| `vouchers` | `voucherPools/{pool}/codes`, `claims`, `assignments` |
| `stats` | `challengeStats/{id}/shards/{n}` |
| `dead_letters` | `deadLetters/{id}` |
| `credentials` | `partnerClients`, `authNonces`, `gigyaSites`, `gigyaApplications` |
| `catalog` | `categories`, `challenges`, `catalogMeta/current` |
"""

from __future__ import annotations

import importlib

MODULES = (
    "paths",
    "user",
    "gigya",
    "leaderboards",
    "milestones",
    "markers",
    "ledger",
    "vouchers",
    "stats",
    "dead_letters",
    "credentials",
    "catalog",
)


def stored_names() -> dict[str, frozenset[str]]:
    """Every stored field and collection name, by the module of this package that owns it."""
    found: dict[str, frozenset[str]] = {}
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        names = getattr(module, "NAMES", None)
        if names is not None:
            found[name] = frozenset(names)
    return found
