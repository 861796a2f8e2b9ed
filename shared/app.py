"""The one owner of the process's state: settings, Google clients and in-memory caches.

As firebase-admin's `App` owns its services, an `App` holds the settings (read from the
environment once, on first use), the Firestore and Storage clients (created on first use), and
the state of every in-memory cache. A module's cache is a `ProcessCache` declared at module
level; its state lives on the App, so no cache can outlive `reset_app()`. `get_app()` is the
process's App; `reset_app()` forgets everything it read or created, in one call; `use_app(App(
settings=...))` puts another in place for a block (tests). Nothing is created at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from shared.config import Settings, load_settings

if TYPE_CHECKING:
    from google.cloud.firestore import Client as FirestoreClient
    from google.cloud.storage import Client as StorageClient

T = TypeVar("T")

_registry: dict[str, ProcessCache[Any]] = {}


class ProcessCache(Generic[T]):
    """A module's in-memory cache, whose state (made by `factory`) lives on the current App.

    Declared at module level, `_CACHE = ProcessCache("catalog", _State)`, it registers itself;
    `_CACHE.get()` is the current App's state, `_CACHE.reset()` forgets it.
    """

    def __init__(self, name: str, factory: Callable[[], T]) -> None:
        self.name = name
        self.factory = factory
        _registry[name] = self

    def get(self) -> T:
        """This cache's state on the current App (made on first use)."""
        return get_app().cache(self)

    def reset(self) -> None:
        """Forget this cache's state on the current App."""
        get_app().forget(self)

    def __repr__(self) -> str:
        return f"ProcessCache({self.name!r})"


def registered_caches() -> dict[str, ProcessCache[Any]]:
    """Every ProcessCache declared by the modules imported so far, by name."""
    return dict(_registry)


class App:
    """Settings, clients and cache states of one process (or of one test).

    `settings`, `firestore` and `storage` given here are kept by `reset()`; otherwise they are
    read or created on first use and forgotten by `reset()`.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        firestore: FirestoreClient | None = None,
        storage: StorageClient | None = None,
    ) -> None:
        self._given = (settings, firestore, storage)
        self._lock = threading.RLock()
        self._settings = settings
        self._firestore = firestore
        self._storage = storage
        self._caches: dict[ProcessCache[Any], Any] = {}

    @property
    def settings(self) -> Settings:
        """The settings: given, or read from the environment once."""
        settings = self._settings
        if settings is None:
            with self._lock:
                if self._settings is None:
                    self._settings = load_settings()
                settings = self._settings
        return settings

    def firestore(self) -> FirestoreClient:
        """The Firestore client (the emulator when the settings name one), made on first use.

        Its channel carries the request deadlines (shared/firestore/client.py).
        """
        client = self._firestore
        if client is None:
            with self._lock:
                if self._firestore is None:
                    from shared.firestore.client import create_client

                    settings = self.settings
                    self._firestore = create_client(
                        settings.project, settings.firestore_emulator_host
                    )
                client = self._firestore
        return client

    def storage(self) -> StorageClient:
        """The Cloud Storage client (the emulator when STORAGE_EMULATOR_HOST is set)."""
        client = self._storage
        if client is None:
            with self._lock:
                if self._storage is None:
                    from google.auth.credentials import AnonymousCredentials
                    from google.cloud import storage

                    settings = self.settings
                    if settings.storage_emulator_host:
                        self._storage = storage.Client(
                            project=settings.project, credentials=AnonymousCredentials()
                        )
                    else:
                        self._storage = storage.Client(project=settings.project)
                client = self._storage
        return client

    def cache(self, cache: ProcessCache[T]) -> T:
        """The state of `cache` on this App, made by its factory on first use."""
        try:
            state: T = self._caches[cache]
        except KeyError:
            with self._lock:
                if cache not in self._caches:
                    self._caches[cache] = cache.factory()
                state = self._caches[cache]
        return state

    def forget(self, cache: ProcessCache[Any]) -> None:
        """Forget the state of one cache."""
        with self._lock:
            self._caches.pop(cache, None)

    def reset(self) -> None:
        """Forget every cache, and the settings and clients this App read or created itself."""
        with self._lock:
            self._settings, self._firestore, self._storage = self._given
            self._caches.clear()


_lock = threading.Lock()
_app: App | None = None


def get_app() -> App:
    """The process's App, made on first use."""
    global _app
    app = _app
    if app is None:
        with _lock:
            if _app is None:
                _app = App()
            app = _app
    return app


def reset_app() -> None:
    """Forget the process's settings, clients and caches (what `use_app` gave is kept)."""
    get_app().reset()


@contextmanager
def use_app(app: App) -> Iterator[App]:
    """Make `app` the process's App for the block, then put the previous one back."""
    global _app
    with _lock:
        previous, _app = _app, app
    try:
        yield app
    finally:
        with _lock:
            _app = previous
