"""The deployed source's entry points. Each function imports only its own module, on first use.

Cloud Functions and functions-framework look the entry point up by name on this module, which
triggers `__getattr__` below: a function instance pays for importing its own endpoint only.
The functions and their modules are the table's (shared/endpoints.py, pure data).
"""

from __future__ import annotations

import importlib
from typing import Any

from shared import endpoints as _endpoints

# entry point -> module that defines a callable of the same name
ENTRY_POINTS: dict[str, str] = _endpoints.entry_points()


def __getattr__(name: str) -> Any:
    module = ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(module), name)
