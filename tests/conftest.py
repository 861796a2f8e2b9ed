"""Test session: real Firestore and GCS emulators on free ports, started once, then stopped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.emulators import Emulators, running_emulators
from devtools.process_state import reset_process_state

PROJECT = "demo-challenges-test"
BUCKET = "challenge-images-test"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulators]:
    """Both emulators, with the process environment pointing the clients at them."""
    saved = dict(os.environ)
    with running_emulators(tmp_path_factory.mktemp("emulators")) as emu:
        os.environ.update(emu.env)
        os.environ.update(
            GOOGLE_CLOUD_PROJECT=PROJECT,
            IMAGES_BUCKET=BUCKET,
            LOG_JSON="true",
        )
        reset_process_state()
        try:
            yield emu
        finally:
            os.environ.clear()
            os.environ.update(saved)
            reset_process_state()


@pytest.fixture
def db(emulators: Emulators):
    """A Firestore client on an emptied emulator database."""
    from google.cloud import firestore

    emulators.clear_firestore(PROJECT)
    reset_process_state()
    return firestore.Client(project=PROJECT)
