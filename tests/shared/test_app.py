"""The App owns the settings, the clients and every cache; reset_app() forgets them in one call."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devtools.process_state import reset_process_state
from shared.app import App, ProcessCache, get_app, registered_caches, reset_app, use_app
from shared.clients import firestore_client, storage_client
from shared.config import get_settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
ENV = {"GOOGLE_CLOUD_PROJECT": "p", "IMAGES_BUCKET": "b"}


@dataclass
class _Counter:
    hits: list[int] = field(default_factory=list)


_COUNTER = ProcessCache("test-counter", _Counter)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")
    monkeypatch.setenv("IMAGES_BUCKET", "b")
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:1")
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "http://127.0.0.1:1")


def test_settings_are_read_once_and_again_after_a_reset(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with use_app(App()):
        assert get_settings().project == "p"
        monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "q")
        assert get_settings().project == "p"
        reset_app()
        assert get_settings().project == "q"


def test_given_settings_survive_a_reset(env: None) -> None:
    with use_app(App(load_settings({**ENV, "GOOGLE_CLOUD_PROJECT": "given"}))):
        reset_app()
        assert get_settings().project == "given"


def test_clients_are_made_on_first_use_kept_and_forgotten_by_a_reset(env: None) -> None:
    with use_app(App()) as app:
        first = firestore_client()
        assert first is app.firestore() and firestore_client() is first
        assert first.project == "p"
        storage = storage_client()
        assert storage is storage_client()
        reset_app()
        assert firestore_client() is not first
        assert storage_client() is not storage


def test_use_app_puts_the_previous_app_back(env: None) -> None:
    before = get_app()
    inner = App()
    with use_app(inner):
        assert get_app() is inner
    assert get_app() is before


def test_a_cache_lives_on_the_app_and_a_reset_forgets_it(env: None) -> None:
    with use_app(App()) as app:
        _COUNTER.get().hits.append(1)
        assert _COUNTER.get().hits == [1]
        other = App()
        with use_app(other):
            assert _COUNTER.get().hits == []
        assert app.cache(_COUNTER).hits == [1]
        reset_process_state()
        assert _COUNTER.get().hits == []
        _COUNTER.get().hits.append(2)
        _COUNTER.reset()
        assert _COUNTER.get().hits == []


def test_every_cache_of_the_common_package_is_registered() -> None:
    import shared.api.ordering
    import shared.auth.partners
    import shared.gigya.challenges
    import shared.gigya.credentials
    import shared.images.signed_urls
    import shared.repository.catalog_cache
    import shared.repository.leaderboards_repo
    import shared.repository.stats_cache  # noqa: F401

    assert {
        "catalog",
        "stats",
        "partners",
        "gigya-credentials",
        "gigya-challenges",
        "list-orders",
        "rank-tables",
        "signed-urls",
        "signer",
    } <= set(registered_caches())


def test_nothing_creates_a_client_at_import_time() -> None:
    script = """
import importlib, pkgutil, sys
import functions, shared
for package in (shared, functions):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
from shared import app
assert app._app is None or (app._app._firestore is None and app._app._storage is None)
print("ok")
"""
    env = {"GOOGLE_CLOUD_PROJECT": "p", "IMAGES_BUCKET": "b", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
