"""Google Cloud clients, created lazily on first use and reused by the process."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from shared.config import get_settings

if TYPE_CHECKING:
    from google.cloud.firestore import Client as FirestoreClient
    from google.cloud.storage import Client as StorageClient


@lru_cache(maxsize=1)
def firestore_client() -> FirestoreClient:
    """The process's Firestore client (the emulator when FIRESTORE_EMULATOR_HOST is set)."""
    from google.cloud import firestore

    return firestore.Client(project=get_settings().project)


@lru_cache(maxsize=1)
def storage_client() -> StorageClient:
    """The process's Cloud Storage client (the emulator when STORAGE_EMULATOR_HOST is set)."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    settings = get_settings()
    if settings.storage_emulator_host:
        return storage.Client(project=settings.project, credentials=AnonymousCredentials())
    return storage.Client(project=settings.project)
