"""Google Cloud clients of the process: held by the App (shared/app.py), created on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.app import get_app

if TYPE_CHECKING:
    from google.cloud.firestore import Client as FirestoreClient
    from google.cloud.storage import Client as StorageClient


def firestore_client() -> FirestoreClient:
    """The process's Firestore client (the emulator when FIRESTORE_EMULATOR_HOST is set)."""
    return get_app().firestore()


def storage_client() -> StorageClient:
    """The process's Cloud Storage client (the emulator when STORAGE_EMULATOR_HOST is set)."""
    return get_app().storage()
