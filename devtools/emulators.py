"""Start and stop the Cloud Firestore emulator and a GCS emulator on free local ports.

The Firestore emulator's jar is started with Java directly, with `--functions_emulator` naming a
relay port chosen up front: the emulator then pushes Eventarc-style CloudEvents for the triggers
registered with it to that port, where the local Eventarc stand-in (`devtools.eventarc`)
listens. The `gcloud emulators firestore start` wrapper cannot pass that flag; it is used only
when the jar is not found, and then nothing pushes events (`Emulators.relay_port` is None).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import requests

HOST = "127.0.0.1"
# The variable that tells the local Eventarc stand-in where the emulator pushes events.
RELAY_PORT_ENV = "EVENTARC_RELAY_PORT"
FIRESTORE_MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
JAR_IN_SDK = Path("platform/cloud-firestore-emulator/cloud-firestore-emulator.jar")
NO_PUSH_WARNING = (
    "warning: cloud-firestore-emulator.jar not found next to gcloud; started the Firestore "
    "emulator through `gcloud emulators firestore start`, which cannot push events: "
    "local Eventarc delivery is unavailable"
)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited early; see {log}:\n{log.read_text()[-2000:]}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"emulator did not answer at {url} within {timeout}s; see {log}")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the gcloud wrapper runs Java in a session of its own)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, sig)


def _stop(process: subprocess.Popen[bytes]) -> None:
    pids = [*descendants(process.pid), process.pid]
    _signal_all(pids, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        process.poll()
        time.sleep(0.1)
    _signal_all(pids, signal.SIGKILL)
    process.wait(timeout=10)


@dataclass
class Emulators:
    """Running emulators and the environment that points clients at them."""

    firestore_host: str
    storage_host: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    # Where the Firestore emulator pushes CloudEvents; None without push support.
    relay_port: int | None = None
    # The Firestore emulator's process (the benchmark reads its CPU time).
    firestore_pid: int | None = None

    @property
    def env(self) -> dict[str, str]:
        """Variables that make the Google clients (and the local Eventarc) use these emulators."""
        env = {
            "FIRESTORE_EMULATOR_HOST": self.firestore_host,
            "STORAGE_EMULATOR_HOST": f"http://{self.storage_host}",
        }
        if self.relay_port is not None:
            env[RELAY_PORT_ENV] = str(self.relay_port)
        return env

    def clear_firestore(self, project: str) -> None:
        """Delete every document of `project` in the Firestore emulator."""
        url = (
            f"http://{self.firestore_host}/emulator/v1/projects/{project}"
            "/databases/(default)/documents"
        )
        requests.delete(url, timeout=10).raise_for_status()

    def stop(self) -> None:
        """Stop every emulator this object started."""
        for process in reversed(self.processes):
            _stop(process)
        self.processes.clear()


def firestore_jar() -> Path | None:
    """The Cloud Firestore emulator's jar in the Google Cloud CLI next to `gcloud`, if any."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    # <sdk_root>/bin/gcloud, usually reached through a symlink such as /usr/bin/gcloud.
    jar = Path(os.path.realpath(gcloud)).parents[1] / JAR_IN_SDK
    return jar if jar.is_file() else None


def firestore_command(jar: Path, port: int, relay_port: int, java: str = "java") -> list[str]:
    """The Java command that starts the emulator pushing events to `HOST:relay_port`."""
    return [
        java,
        "-Duser.language=en",  # as the CLI's own launcher: messages in English
        "-cp",
        str(jar),
        FIRESTORE_MAIN_CLASS,
        "start",
        f"--host={HOST}",
        f"--port={port}",
        "--database-mode=firestore-native",
        f"--functions_emulator={HOST}:{relay_port}",
    ]


def start_firestore(
    log_dir: Path, port: int | None = None, relay_port: int | None = None
) -> tuple[str, subprocess.Popen[bytes], int | None]:
    """Start the Cloud Firestore emulator and wait until it answers.

    Returns its host:port, its process, and the relay port it pushes events to (None when only
    the gcloud wrapper was found, which cannot push).
    """
    port = port or free_port()
    log = log_dir / f"firestore-{port}.log"
    jar, java = firestore_jar(), shutil.which("java")
    if jar is not None and java is not None:
        relay_port = relay_port or free_port()
        command = firestore_command(jar, port, relay_port, java)
    else:
        gcloud = shutil.which("gcloud")
        if gcloud is None:
            raise RuntimeError("gcloud not found: install google-cloud-cli-firestore-emulator")
        print(NO_PUSH_WARNING, file=sys.stderr, flush=True)
        relay_port = None
        command = [gcloud, "emulators", "firestore", "start", f"--host-port={HOST}:{port}"]
        command.append("--quiet")
    process = subprocess.Popen(
        command, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    _wait_http(f"http://{HOST}:{port}/", process, log, timeout=90)
    return f"{HOST}:{port}", process, relay_port


def start_storage(log_dir: Path, port: int | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    """Start gcp-storage-emulator (in memory) and wait until it answers."""
    port = port or free_port()
    log = log_dir / f"storage-{port}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gcp_storage_emulator",
            "start",
            f"--host={HOST}",
            f"--port={port}",
            "--in-memory",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _wait_http(f"http://{HOST}:{port}/storage/v1/b", process, log, timeout=30)
    return f"{HOST}:{port}", process


@contextmanager
def running_emulators(
    log_dir: Path,
    firestore_port: int | None = None,
    storage_port: int | None = None,
    relay_port: int | None = None,
) -> Iterator[Emulators]:
    """Both emulators for the duration of the block, stopped afterwards whatever happens.

    The Firestore emulator pushes events to `relay_port` (a free port when not given).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    emulators = Emulators(firestore_host="", storage_host="")
    try:
        emulators.firestore_host, fs, emulators.relay_port = start_firestore(
            log_dir, firestore_port, relay_port
        )
        emulators.processes.append(fs)
        emulators.firestore_pid = fs.pid
        emulators.storage_host, gcs = start_storage(log_dir, storage_port)
        emulators.processes.append(gcs)
        yield emulators
    finally:
        emulators.stop()
