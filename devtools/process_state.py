"""Forget every per-process cache, so that a test or a new stack starts from the environment."""

from __future__ import annotations

from shared.app import reset_app


def reset_process_state() -> None:
    """Forget the settings, clients and caches the process's App holds (shared/app.py)."""
    reset_app()
