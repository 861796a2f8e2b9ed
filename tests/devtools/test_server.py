"""The one-port local server: route table, dispatch to each function, real HTTP."""

from __future__ import annotations

import json
import socket
import textwrap
from pathlib import Path

import pytest
import requests
from werkzeug.test import Client

from devtools.emulators import free_port
from devtools.server import (
    ROOT,
    FunctionsServer,
    LocalFunctions,
    entry_points,
    event_path,
    function_id,
    hosting_rewrites,
    public_routes,
)

INTEGRATION = [
    "GetProgressChallengesInfoForUser",
    "GetDetailsById",
    "GetBadgeDetailsById",
    "ClaimPrize",
    "GetPrizesHistory",
]
POST_ENDPOINTS = ("GetDetailsById", "GetBadgeDetailsById", "ClaimPrize")
GIGYA = [
    "gm.getChallengeStatus",
    "gm.notifyAction",
    "gm.redeemPoints",
    "gm.resetLevelStatus",
    "gm.getTopUsers",
]


def test_firebase_json_rewrites_are_the_route_table() -> None:
    config = json.loads((ROOT / "firebase.json").read_text())
    rewrites = config["hosting"]["rewrites"]
    regions = {r["function"]["region"] for r in rewrites}
    assert len(regions) == 1
    assert rewrites == hosting_rewrites(regions.pop())


def test_every_public_path_of_the_contract_is_routed() -> None:
    paths = [r.path for r in public_routes()]
    expected = [f"/api/{v}/Integration/{n}" for v in ("v1", "v2") for n in INTEGRATION]
    expected += [f"/{m}" for m in GIGYA]
    assert sorted(paths) == sorted(expected)
    assert len(set(paths)) == len(paths)


def test_integration_routes_name_entry_points_of_main() -> None:
    declared = entry_points()
    for route in public_routes():
        if route.path.startswith("/api/"):
            assert route.entry_point in declared, route


def test_function_ids_are_valid_cloud_run_service_names() -> None:
    for entry in entry_points():
        fid = function_id(entry)
        assert fid.replace("-", "").isalnum() and fid.islower() and len(fid) <= 63, fid


FAKE_MAIN = """
from pathlib import Path

ENTRY_POINTS = {"get_details_by_id": "x", "on_transaction_created": "y", "claim_prize": "z"}


def get_details_by_id(request):
    return f"get_details_by_id {request.method} {request.path}"


def on_transaction_created(cloud_event):
    if cloud_event["type"] != "google.cloud.firestore.document.v1.created":
        raise ValueError("wrong type")
    record = cloud_event["id"] + " " + cloud_event["subject"]
    (Path(__file__).parent / "events.txt").write_text(record)


def claim_prize(request):
    return "claim_prize"
"""


@pytest.fixture
def fake_source(tmp_path: Path) -> Path:
    source = tmp_path / "main.py"
    source.write_text(textwrap.dedent(FAKE_MAIN))
    return source


def test_each_path_reaches_its_own_function(fake_source: Path) -> None:
    client = Client(LocalFunctions(fake_source))
    for version in ("v1", "v2"):
        response = client.post(f"/api/{version}/Integration/GetDetailsById")
        assert response.status_code == 200
        assert response.text == f"get_details_by_id POST /api/{version}/Integration/GetDetailsById"
    assert client.get("/api/v1/Integration/ClaimPrize").text == "claim_prize"


def test_missing_functions_and_unknown_paths_say_so(fake_source: Path) -> None:
    functions = LocalFunctions(fake_source)
    client = Client(functions)
    missing = client.get("/gm.getTopUsers")
    assert missing.status_code == 501
    assert "gm_get_top_users" in missing.json["error"]
    unknown = client.get("/api/v1/Integration/Nope")
    assert unknown.status_code == 404
    assert "/api/v1/Integration/ClaimPrize" in unknown.json["paths"]
    health = client.get("/_health").json
    assert set(health["served"]) == {"get_details_by_id", "on_transaction_created", "claim_prize"}
    assert "gm_get_top_users" in health["unavailable"]


def test_cloudevent_function_is_served_at_its_internal_path(fake_source: Path) -> None:
    client = Client(LocalFunctions(fake_source))
    headers = {
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.firestore.document.v1.created",
        "ce-source": "//firestore.googleapis.com/projects/p/databases/(default)",
        "ce-subject": "documents/transactions/t9",
        "ce-id": "ev-1",
        "content-type": "application/protobuf",
    }
    response = client.post(event_path("on_transaction_created"), data=b"\x0a\x00", headers=headers)
    assert response.status_code == 200
    assert (fake_source.parent / "events.txt").read_text() == "ev-1 documents/transactions/t9"
    wrong = client.post(
        event_path("on_transaction_created"),
        data=b"",
        headers={**headers, "ce-type": "something.else"},
    )
    assert wrong.status_code == 500


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_served_over_http_and_port_released_on_stop(fake_source: Path) -> None:
    port = free_port()
    with FunctionsServer(port=port, source=fake_source) as server:
        assert server.url == f"http://127.0.0.1:{port}"
        response = requests.get(f"{server.url}/api/v2/Integration/GetDetailsById", timeout=5)
        assert response.text == "get_details_by_id GET /api/v2/Integration/GetDetailsById"
    assert _port_is_free(port)
    with FunctionsServer(port=port, source=fake_source) as again:  # a second start works
        assert requests.get(f"{again.url}/_health", timeout=5).status_code == 200


@pytest.mark.emulator
def test_real_functions_answer_every_integration_path_with_the_envelope(emulators) -> None:
    with FunctionsServer(port=free_port()) as server:
        health = requests.get(f"{server.url}/_health", timeout=5).json()
        assert set(entry_points()) <= set(health["served"]), health["unavailable"]
        for route in public_routes():
            if not route.path.startswith("/api/"):
                continue
            method = "POST" if route.path.endswith(POST_ENDPOINTS) else "GET"
            response = requests.request(method, f"{server.url}{route.path}", timeout=30)
            body = response.json()
            # No credentials: each function answers itself, with its envelope and 401.
            assert response.status_code == 401, (route, body)
            assert body["result"] is None and body["statusCode"] != 1
