"""The deployed source's entry points. Each function imports only its own module, on first use.

Cloud Functions and functions-framework look the entry point up by name on this module, which
triggers `__getattr__` below: a function instance pays for importing its own endpoint only.
"""

from __future__ import annotations

import importlib
from typing import Any

# entry point -> module that defines a callable of the same name
ENTRY_POINTS: dict[str, str] = {
    "get_progress_challenges_info_for_user": "functions.get_progress_challenges_info_for_user",
    "get_details_by_id": "functions.get_details_by_id",
    "get_badge_details_by_id": "functions.get_badge_details_by_id",
    "claim_prize": "functions.claim_prize",
    "get_prizes_history": "functions.get_prizes_history",
    "on_transaction_created": "functions.on_transaction_created",
}


def __getattr__(name: str) -> Any:
    module = ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(module), name)
