"""Each function loads and answers as Cloud Functions runs it: functions-framework on main.py."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from devtools.emulators import free_port
from devtools.eventarc import Event, cloudevent_headers
from shared.endpoints import FUNCTIONS, by_entry_point, of_kind
from tests.conftest import PROJECT, ROOT

FRAMEWORK = Path(sys.executable).parent / "functions-framework"
DEPLOYED_PACKAGES = ("shared", "functions")


def _requirements() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(line.split("==")[0].split(">=")[0].split("[")[0].strip().lower())
    return names


def _imported_top_levels() -> set[str]:
    files = [ROOT / "main.py"]
    for package in DEPLOYED_PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    found: set[str] = set()
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(), str(file))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_requirements_cover_every_import_of_the_deployed_source() -> None:
    required = _requirements()
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for name in _imported_top_levels():
        if name in sys.stdlib_module_names or name in DEPLOYED_PACKAGES or name == "__future__":
            continue
        providers = {d.lower() for d in distributions.get(name, [])}
        # Packages that come with a required one (flask with functions-framework, google-api-core
        # with the Cloud clients) are installed by Cloud Functions as dependencies of those.
        if not providers or not _provided(providers, required):
            missing[name] = sorted(providers)
    assert not missing, f"imported but not installed by requirements.txt: {missing}"


def _provided(providers: set[str], required: set[str]) -> bool:
    seen: set[str] = set()
    todo = list(required)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for req in requires:
            if "extra ==" in req:
                continue
            dep = req.split(";")[0].strip()
            for sep in "<>=!~[ (":
                dep = dep.split(sep)[0]
            todo.append(dep.lower().replace("_", "-"))
    return bool({p.replace("_", "-") for p in providers} & seen)


def _start(entry: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    signature = "cloudevent" if by_entry_point(entry).kind == "event" else "http"
    return subprocess.Popen(
        [
            str(FRAMEWORK),
            "--source",
            "main.py",
            "--target",
            entry,
            "--signature-type",
            signature,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture(scope="module")
def deployed(emulators, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Every function of the table in its own functions-framework process: entry -> URL."""
    processes: dict[str, tuple[subprocess.Popen[bytes], str, Path]] = {}
    tmp_path = tmp_path_factory.mktemp("deployed")
    try:
        for entry in (f.entry_point for f in FUNCTIONS):
            port = free_port()
            log = tmp_path / f"{entry}.log"
            processes[entry] = (_start(entry, port, log), f"http://127.0.0.1:{port}", log)
        deadline = time.monotonic() + 90
        for entry, (process, url, log) in processes.items():
            while True:
                if process.poll() is not None:
                    pytest.fail(f"{entry} exited: {log.read_text()[-3000:]}")
                try:
                    requests.get(url + "/robots.txt", timeout=2)
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"{entry} did not start: {log.read_text()[-3000:]}")
                    time.sleep(0.2)
        yield {entry: url for entry, (_, url, _) in processes.items()}
    finally:
        for process, _, _ in processes.values():
            process.terminate()
        for process, _, _ in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.emulator
def test_every_http_function_loads_and_refuses_a_call_without_credentials(
    deployed: dict[str, str], db
) -> None:
    for function in of_kind("http"):
        url = deployed[function.entry_point] + function.paths[0]
        response = requests.request(function.methods[0], url, timeout=30)
        # No credentials: the function itself refuses, in its surface's envelope.
        body = response.json()
        if function.surface == "integration":
            assert response.status_code == 401, (function.entry_point, response.text)
            assert body["result"] is None and body["statusCode"] == 3, (function.entry_point, body)
        else:  # gigya: HTTP 200, the error in the body (missing apiKey)
            assert response.status_code == 200, (function.entry_point, response.text)
            assert body["errorCode"] == 400002, (function.entry_point, body)
            assert body["statusCode"] == 400, (function.entry_point, body)


@pytest.mark.emulator
def test_the_scheduled_functions_load_and_answer(deployed: dict[str, str], db) -> None:
    # Private by deployment (IAM), not by code: locally a POST of {} runs it.
    for function in of_kind("scheduled"):
        response = requests.post(deployed[function.entry_point], json={}, timeout=60)
        assert response.status_code == 200, (function.entry_point, response.text)
        assert response.headers["Content-Type"].startswith("application/json")
        response.json()


@pytest.mark.emulator
def test_the_trigger_function_acknowledges_an_eventarc_event(deployed: dict[str, str], db) -> None:
    from shared.engine.cloudevent import encode_document_event

    data = {
        "userId": "+201000000001",
        "type": 1,
        "points": 10,
        "occurredAt": datetime(2026, 5, 1, tzinfo=UTC),
        "source": "ledger",
    }
    event = Event("deploy-check", "deploy-check", data, datetime.now(UTC))
    for function in of_kind("event"):
        entry = function.entry_point
        response = requests.post(
            deployed[entry],
            data=encode_document_event(PROJECT, "transactions/deploy-check", data),
            headers=cloudevent_headers(PROJECT, event),
            timeout=30,
        )
        assert response.status_code == 200, (entry, response.text)
