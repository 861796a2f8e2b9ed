"""Run the real npm `gigya` SDK (tests/sdk/driver.js) from Python tests.

`run_sdk` sends calls through the unmodified SDK to a local server (the SDK signs them for
https://gm.<dataCenter>.gigya.com/<method>, the driver's transport posts them to `baseUrl`);
`sdk_signatures` asks the SDK's own signer for signatures. Both install the SDK first when it is
missing (`ensure_sdk_installed`); without Node.js and npm they fail with a message saying so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

SDK_DIR = Path(__file__).resolve().parent
DRIVER = SDK_DIR / "driver.js"
SDK_VERSION = "3.0.1"
TIMEOUT_S = 120.0
INSTALL_TIMEOUT_S = 600.0

_install_lock = threading.Lock()
_installed = False


class SdkError(RuntimeError):
    """Node.js or npm is missing, the install failed, or the driver itself failed."""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SdkError(
            f"`{name}` is not on PATH: the tests in tests/sdk drive the npm `gigya` SDK and need "
            "Node.js 18+ with npm (Debian: apt-get install nodejs npm)"
        )
    return found


def _installed_version() -> str | None:
    manifest = SDK_DIR / "node_modules" / "gigya" / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def ensure_sdk_installed() -> None:
    """`npm ci` in tests/sdk unless node_modules already holds gigya at the pinned version."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _tool("node")
        if _installed_version() != SDK_VERSION:
            npm = _tool("npm")
            cmd = [npm, "ci", "--prefix", str(SDK_DIR), "--no-audit", "--no-fund"]
            try:
                done = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
                )
            except subprocess.TimeoutExpired as exc:
                limit = f"{INSTALL_TIMEOUT_S:.0f} s"
                raise SdkError(f"{' '.join(cmd)} timed out after {limit}") from exc
            if done.returncode != 0:
                raise SdkError(
                    f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
                )
            if _installed_version() != SDK_VERSION:
                raise SdkError(f"npm ci did not install gigya {SDK_VERSION} in {SDK_DIR}")
        _installed = True


def _drive(config: dict[str, Any]) -> list[dict[str, Any]]:
    ensure_sdk_installed()
    cmd = [_tool("node"), str(DRIVER)]
    try:
        done = subprocess.run(
            cmd,
            input=json.dumps(config),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SdkError(f"node {DRIVER.name} timed out after {TIMEOUT_S:.0f} s") from exc
    if done.returncode != 0:
        raise SdkError(f"node {DRIVER.name} failed ({done.returncode}):\n{done.stderr}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def run_sdk(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Run `config["calls"]` in order through the SDK; one result per call.

    `config`: `mode` ("signed", the default: `new Gigya(apiKey, dataCenter, userKey, secret)`;
    or "secret": `new Gigya(apiKey, dataCenter, secret)`), `apiKey`, `userKey`, `secret`,
    `dataCenter` (default "us1"), `baseUrl` (e.g. `FunctionsServer.url`), optional `headers`
    added to every request, and `calls`: `[{"method": "gm.getChallengeStatus", "params": {...}}]`.

    Each result is `{"ok": True, "response": ...}` or `{"ok": False, "errorCode", "message",
    "response"}` (the SDK throws on any errorCode other than 0; `response` is then the body it
    parsed, or None when the transport failed), plus `requests`: every attempt the SDK made
    (`endpoint`, `host`, `params` as signed, `headers`, the form `body` sent, HTTP `status`).
    The SDK retries 500001, 504001 and 409030 up to 5 times, 5 s apart.
    """
    calls = config.get("calls", [])
    results = _drive({"mode": "signed", "dataCenter": "us1", **config})
    if len(results) != len(calls):
        raise SdkError(f"{len(calls)} calls but {len(results)} results: {results}")
    return results


def sdk_signatures(vectors: list[dict[str, Any]]) -> list[str]:
    """The SDK's signature for each `{"secret", "method", "url", "params"}`.

    Computed by the SDK's own `CredentialsSigner.prototype.createRequestSignature(secret, url,
    params)` (HTTP method POST); `method` is informational.
    """
    results = _drive({"mode": "vectors", "vectors": vectors})
    if len(results) != len(vectors):
        raise SdkError(f"{len(vectors)} vectors but {len(results)} signatures: {results}")
    return [str(r["sig"]) for r in results]
