"""Cold start and peak memory of each function, served as deployed (functions-framework, gunicorn)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from devtools.emulators import HOST, descendants, free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class ColdStart:
    """Process start to first answered request, and the process tree's peak resident memory."""

    entry_point: str
    seconds: float
    peak_mib: float
    status: int


def _peak_rss_kib(pid: int) -> int:
    total = 0
    for proc in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _probe(entry_point: str, port: int) -> requests.Response:
    url = f"http://{HOST}:{port}/"
    if entry_point == "on_transaction_created":
        # An empty binary-mode CloudEvent: the function answers (and dead-letters it).
        headers = {
            "ce-specversion": "1.0",
            "ce-type": "google.cloud.firestore.document.v1.created",
            "ce-source": "//firestore.googleapis.com/projects/bench/databases/(default)",
            "ce-subject": "documents/transactions/cold-start-probe",
            "ce-id": f"cold-{time.time_ns()}",
            "Content-Type": "application/protobuf",
        }
        return requests.post(url, data=b"\x00", headers=headers, timeout=5)
    return requests.get(url + "api/v1/Integration/probe", timeout=5)


def measure(entry_point: str, env: dict[str, str], timeout: float = 30.0) -> ColdStart:
    """Start one function as deployed and time its first answer."""
    port = free_port()
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
                response = _probe(entry_point, port)
                break
            except requests.ConnectionError:
                time.sleep(0.01)
        elapsed = time.monotonic() - started
        return ColdStart(entry_point, elapsed, _peak_rss_kib(process.pid) / 1024, response.status_code)
    finally:
        for pid in [*descendants(process.pid), process.pid]:
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)
