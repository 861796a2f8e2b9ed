"""Forget every per-process cache, so that a test or a new stack starts from the environment."""

from __future__ import annotations

import importlib


def reset_process_state() -> None:
    """Clear cached settings, clients and in-memory caches of the common package."""
    from shared import clients, config

    config.get_settings.cache_clear()
    clients.firestore_client.cache_clear()
    clients.storage_client.cache_clear()
    # Modules with caches of their own expose `reset_cache()`; they register here by name.
    for name in _CACHED_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        reset = getattr(module, "reset_cache", None)
        if callable(reset):
            reset()


_CACHED_MODULES: tuple[str, ...] = (
    "shared.repository.catalog_cache",
    "shared.images.signed_urls",
    "shared.auth.partners",
    "shared.repository.stats_cache",
    "shared.gigya.credentials",
    "shared.repository.leaderboards_repo",
)
