"""Starting the emulators: the Firestore jar found next to gcloud, pushing events to a relay."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from devtools.emulators import (
    FIRESTORE_MAIN_CLASS,
    JAR_IN_SDK,
    RELAY_PORT_ENV,
    Emulators,
    firestore_command,
    firestore_jar,
)


def _fake_sdk(tmp_path: Path, with_jar: bool) -> Path:
    """<tmp>/sdk/bin/gcloud reached through <tmp>/bin/gcloud, as /usr/bin/gcloud is."""
    sdk_bin = tmp_path / "sdk" / "bin"
    sdk_bin.mkdir(parents=True)
    gcloud = sdk_bin / "gcloud"
    gcloud.write_text("#!/bin/sh\n")
    gcloud.chmod(0o755)
    on_path = tmp_path / "bin"
    on_path.mkdir()
    (on_path / "gcloud").symlink_to(gcloud)
    jar = tmp_path / "sdk" / JAR_IN_SDK
    if with_jar:
        jar.parent.mkdir(parents=True)
        jar.write_bytes(b"PK")
    return on_path


def test_the_jar_is_found_in_the_sdk_behind_the_gcloud_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(_fake_sdk(tmp_path, with_jar=True)))
    assert firestore_jar() == (tmp_path / "sdk" / JAR_IN_SDK).resolve()


def test_no_jar_means_the_gcloud_wrapper_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(_fake_sdk(tmp_path, with_jar=False)))
    assert firestore_jar() is None
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert firestore_jar() is None


def test_the_java_command_pushes_events_to_the_relay_port() -> None:
    command = firestore_command(Path("/sdk/emulator.jar"), 8085, 9400, java="/jdk/bin/java")
    assert command[:4] == ["/jdk/bin/java", "-Duser.language=en", "-cp", "/sdk/emulator.jar"]
    assert command[4:6] == [FIRESTORE_MAIN_CLASS, "start"]
    assert "--host=127.0.0.1" in command and "--port=8085" in command
    assert "--functions_emulator=127.0.0.1:9400" in command


def test_the_relay_port_is_in_the_environment_only_with_push_support() -> None:
    pushing = Emulators("127.0.0.1:1", "127.0.0.1:2", relay_port=3)
    assert pushing.env[RELAY_PORT_ENV] == "3"
    assert RELAY_PORT_ENV not in Emulators("127.0.0.1:1", "127.0.0.1:2").env


@pytest.mark.emulator
def test_the_session_emulator_accepts_eventarc_triggers(emulators: Emulators) -> None:
    assert emulators.relay_port is not None
    assert os.environ[RELAY_PORT_ENV] == str(emulators.relay_port)
    response = requests.post(
        f"http://{emulators.firestore_host}/emulator/v1/projects/demo-emulators-test"
        "/eventarcTrigger?eventarcTriggerId=probe",
        json={
            "eventType": "google.cloud.firestore.document.v1.created",
            "database": "(default)",
            "namespace": "(default)",
            "document": {"value": "__probe__/{id}", "matchType": "PATH_PATTERN"},
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["document"]["value"] == "__probe__/{id}"
