"""Cold start and peak memory of each function, served as deployed (functions-framework, gunicorn).

Each function is started the way Cloud Run starts it (`functions-framework --target ...`, which
serves with gunicorn) and timed from process start to the first answered request. The caller
chooses that request (`bench/cold_starts.py` sends real ones, so the time includes what a first
request costs: clients, the catalog read, a signing key); the default is one any instance
answers without data.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from devtools.emulators import HOST, descendants, free_port
from shared.schema import paths

ROOT = Path(__file__).resolve().parents[1]
COLD_START_GOAL_SECONDS = 1.2
PEAK_MEMORY_GOAL_MIB = 200.0

# base URL -> the first request's answer
Probe = Callable[[str], requests.Response]


@dataclass(frozen=True)
class ColdStart:
    """Process start to first answered request, and the process tree's peak resident memory."""

    entry_point: str
    seconds: float
    peak_mib: float
    status: int


def _peak_rss_kib(pid: int) -> int:
    # The sum over gunicorn's arbiter and worker: pages they share after the fork count twice,
    # so this is an upper bound of what the instance holds.
    total = 0
    for proc in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _empty_event(base_url: str) -> requests.Response:
    # An undecodable binary-mode CloudEvent: the function answers (and dead-letters it).
    headers = {
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.firestore.document.v1.created",
        "ce-source": "//firestore.googleapis.com/projects/bench/databases/(default)",
        "ce-subject": f"documents/{paths.transaction_doc('cold-start-probe')}",
        "ce-id": f"cold-{time.time_ns()}",
        "Content-Type": "application/protobuf",
    }
    return requests.post(base_url + "/", data=b"\x00", headers=headers, timeout=10)


def default_probe(entry_point: str) -> Probe:
    """A request any instance answers without data: an unauthenticated call, or an empty event."""
    if entry_point == "on_transaction_created":
        return _empty_event
    return lambda base: requests.get(base + "/api/v1/Integration/probe", timeout=10)


def event_probe(project: str, data: dict[str, object]) -> Probe:
    """The CloudEvent Eventarc sends for a new `transactions` document holding `data`."""

    def probe(base_url: str) -> requests.Response:
        from devtools.eventarc import Event, cloudevent_headers
        from shared.engine.cloudevent import encode_document_event

        doc_id = f"cold-{uuid.uuid4().hex}"
        event = Event(uuid.uuid4().hex, doc_id, dict(data), datetime.now(UTC))
        body = encode_document_event(project, paths.transaction_doc(doc_id), data)
        headers = cloudevent_headers(project, event)
        return requests.post(base_url + "/", data=body, headers=headers, timeout=10)

    return probe


def measure(
    entry_point: str, env: dict[str, str], timeout: float = 30.0, probe: Probe | None = None
) -> ColdStart:
    """Start one function as deployed and time its first answer to `probe`."""
    probe = probe or default_probe(entry_point)
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "functions_framework",
            "--source",
            str(ROOT / "main.py"),
            "--target",
            entry_point,
            *(
                ["--signature-type", "cloudevent"]
                if entry_point == "on_transaction_created"
                else []
            ),
            "--host",
            HOST,
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"{entry_point} did not answer within {timeout}s")
            if process.poll() is not None:
                raise RuntimeError(f"{entry_point} exited with {process.returncode}")
            try:
                response = probe(base_url)
                break
            except requests.ConnectionError:
                time.sleep(0.01)
        elapsed = time.monotonic() - started
        return ColdStart(
            entry_point, elapsed, _peak_rss_kib(process.pid) / 1024, response.status_code
        )
    finally:
        for pid in [*descendants(process.pid), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
        process.wait(timeout=10)
