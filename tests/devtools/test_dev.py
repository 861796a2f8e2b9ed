"""`python -m devtools.dev` as a user runs it: starts, answers, stops on Ctrl-C, starts again."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from devtools.auth_tools import mint_message, parse_key
from devtools.dev import DEMO_ACTIVITY
from devtools.emulators import RELAY_PORT_ENV, free_port
from tests.conftest import ROOT

pytestmark = pytest.mark.emulator  # starts its own emulators, like `make dev`

LIST_PATH = "/api/v1/Integration/GetProgressChallengesInfoForUser"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class DevProcess:
    """`python -m devtools.dev` on free ports, its output collected line by line."""

    def __init__(self, ports: dict[str, int], state_dir: Path) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k
            not in {
                "FIRESTORE_EMULATOR_HOST",
                "STORAGE_EMULATOR_HOST",
                "GOOGLE_CLOUD_PROJECT",
                RELAY_PORT_ENV,
            }
        }
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devtools.dev",
                "--port",
                str(ports["port"]),
                "--firestore-port",
                str(ports["firestore"]),
                "--storage-port",
                str(ports["storage"]),
                "--state-dir",
                str(state_dir),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if line.startswith(prefix):
                    return line
            if self.process.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.2)
        raise AssertionError(f"no {prefix!r} line; output:\n" + "\n".join(self.lines))

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=60)
        self.reader.join(timeout=5)
        return code


def test_dev_starts_serves_stops_and_starts_again(tmp_path: Path) -> None:
    ports = {"port": free_port(), "firestore": free_port(), "storage": free_port()}
    for run in (1, 2):
        dev = DevProcess(ports, tmp_path / ".dev")
        try:
            ready = dev.wait_for("ready: ", timeout=150)
        except BaseException:
            dev.process.kill()
            raise
        base = ready.split()[1]
        assert base == f"http://127.0.0.1:{ports['port']}"
        output = "\n".join(dev.lines)
        assert "X-Message: " in output and "Authorization: Bearer " in output
        # Every demo transaction reached the engine (its reward credits are events too).
        seeded = re.search(r"with (\d+) transactions \((\d+) delivered, (\d+) dead", output)
        assert seeded, output
        assert int(seeded[1]) == len(DEMO_ACTIVITY) <= int(seeded[2]) and seeded[3] == "0"

        # The emulator pushes events to a relay port of the deliverer's, freed on stop too.
        env_sh = (tmp_path / ".dev" / "env.sh").read_text()
        relay = re.search(rf"^export {RELAY_PORT_ENV}=(\d+)$", env_sh, re.MULTILINE)
        assert relay, env_sh
        used = [*ports.values(), int(relay[1])]

        client = json.loads((tmp_path / ".dev" / "demo-client.json").read_text())
        response = requests.get(
            base + LIST_PATH,
            params={"UserId": DEMO_ACTIVITY[0][0]},
            headers={
                "X-ClientId": client["clientId"],
                "X-Message": mint_message(
                    client["clientId"], parse_key(client["key"]), "GET", LIST_PATH
                ),
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text
        data = response.json()["result"]["data"]
        # The seeded user has progress (the demo activity went through the engine).
        assert any(
            t["progress"] > 0
            for c in data
            for g in c["groupProgress"]
            for t in g["triggersProgress"]
        ), run

        assert dev.interrupt() == 0, "\n".join(dev.lines)
        assert dev.lines[-1] == "stopped"
        deadline = time.monotonic() + 10
        while not all(_port_free(p) for p in used) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(_port_free(p) for p in used), used
