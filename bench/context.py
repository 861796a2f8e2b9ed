"""The benchmark's environment: emulators, project, bucket, and the process settings they imply."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from devtools.emulators import HOST, Emulators

if TYPE_CHECKING:
    from google.cloud import firestore
    from google.cloud.storage import Client as StorageClient

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "demo-challenges-bench"
BUCKET = "challenge-images-bench"
# Nothing listens there: naming it makes firebase-admin accept unsigned emulator ID tokens.
AUTH_EMULATOR_HOST = f"{HOST}:9099"


@dataclass
class BenchContext:
    """Where the benchmark runs: the emulators and the names it uses on them."""

    emulators: Emulators
    work_dir: Path
    project: str = PROJECT
    bucket: str = BUCKET

    @property
    def env(self) -> dict[str, str]:
        """The environment the functions see, in this process and in the stacks it starts."""
        return {
            **self.emulators.env,
            "GOOGLE_CLOUD_PROJECT": self.project,
            "IMAGES_BUCKET": self.bucket,
            "FIREBASE_AUTH_EMULATOR_HOST": AUTH_EMULATOR_HOST,
            "LOG_JSON": "true",
        }

    @property
    def log_dir(self) -> Path:
        """Where the functions' logs go (the console keeps the figures only)."""
        path = self.work_dir / "logs"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def activate(self) -> None:
        """Point this process's settings and clients at the emulators, logs to a file."""
        from devtools.process_state import reset_process_state
        from shared.logs import configure

        os.environ.update(self.env)
        reset_process_state()
        configure(self.project, json_logs=True)
        handler = logging.FileHandler(self.log_dir / "in-process.log")
        logging.getLogger().handlers[:] = [handler]

    def clear(self) -> None:
        """Empty the Firestore emulator and forget every in-process cache."""
        from devtools.process_state import reset_process_state

        self.emulators.clear_firestore(self.project)
        reset_process_state()

    def firestore(self) -> firestore.Client:
        """A new Firestore client on the emulator."""
        from google.cloud import firestore

        return firestore.Client(project=self.project)

    def storage(self) -> StorageClient:
        """A new Cloud Storage client on the emulator."""
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        return storage.Client(project=self.project, credentials=AnonymousCredentials())
