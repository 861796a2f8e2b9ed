"""The one-port local server: routes from the table, dispatch to each function, real HTTP."""

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
    EVENT_ENTRY_POINTS,
    ROOT,
    SCHEDULED_ENTRY_POINTS,
    FunctionsServer,
    LocalFunctions,
    entry_points,
    event_path,
    hosting_rewrites,
    main,
    private_routes,
    public_routes,
    render_firebase_json,
    scheduled_path,
)
from shared.endpoints import FUNCTIONS, by_entry_point, of_kind


def test_firebase_json_rewrites_are_the_route_table() -> None:
    config = json.loads((ROOT / "firebase.json").read_text())
    rewrites = config["hosting"]["rewrites"]
    regions = {r["function"]["region"] for r in rewrites}
    assert len(regions) == 1
    assert rewrites == hosting_rewrites(regions.pop())


def test_every_public_path_of_the_table_is_routed_to_its_function() -> None:
    routes = [(r.path, r.entry_point) for r in public_routes()]
    expected = [(p, f.entry_point) for f in of_kind("http") for p in f.paths]
    assert sorted(routes) == sorted(expected)
    assert len({p for p, _ in routes}) == len(routes)


def test_event_and_scheduled_functions_are_private_paths_only() -> None:
    assert tuple(f.entry_point for f in of_kind("event")) == EVENT_ENTRY_POINTS
    assert tuple(f.entry_point for f in of_kind("scheduled")) == SCHEDULED_ENTRY_POINTS
    private = {(r.path, r.entry_point) for r in private_routes()}
    assert private == {(event_path(e), e) for e in EVENT_ENTRY_POINTS} | {
        (scheduled_path(e), e) for e in SCHEDULED_ENTRY_POINTS
    }
    public = {r.entry_point for r in public_routes()}
    assert not public & {*EVENT_ENTRY_POINTS, *SCHEDULED_ENTRY_POINTS}
    assert scheduled_path("refresh_ranks") == "/_scheduled/refresh_ranks"


def test_every_routed_entry_point_is_an_entry_point_of_main() -> None:
    declared = entry_points()
    for route in public_routes() + private_routes():
        assert route.entry_point in declared, route


def test_the_firebase_json_writer_writes_the_table(tmp_path: Path, monkeypatch) -> None:
    import devtools.server as server

    stale = json.loads((ROOT / "firebase.json").read_text())
    stale["hosting"]["rewrites"] = stale["hosting"]["rewrites"][:2]
    target = tmp_path / "firebase.json"
    target.write_text(json.dumps(stale))
    monkeypatch.setattr(server, "FIREBASE_JSON", target)
    assert main(["--firebase-json"]) == 0
    assert target.read_text() == (ROOT / "firebase.json").read_text()
    assert render_firebase_json(target, "us-central1").count('"us-central1"') == sum(
        len(f.paths) for f in FUNCTIONS
    )


FAKE_MAIN = """
from pathlib import Path

ENTRY_POINTS = {
    "get_details_by_id": "x",
    "on_transaction_created": "y",
    "claim_prize": "z",
    "refresh_ranks": "w",
}


def get_details_by_id(request):
    return f"get_details_by_id {request.method} {request.path}"


def on_transaction_created(cloud_event):
    if cloud_event["type"] != "google.cloud.firestore.document.v1.created":
        raise ValueError("wrong type")
    record = cloud_event["id"] + " " + cloud_event["subject"]
    (Path(__file__).parent / "events.txt").write_text(record)


def claim_prize(request):
    return "claim_prize"


def refresh_ranks(request):
    return {"refreshed": request.get_json(silent=True) == {}}
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
    assert set(health["served"]) == {
        "get_details_by_id",
        "on_transaction_created",
        "claim_prize",
        "refresh_ranks",
    }
    assert health["unavailable"]["gm_get_top_users"] == "not an entry point of main.py yet"


def test_the_scheduled_function_is_served_at_its_private_path_only(fake_source: Path) -> None:
    client = Client(LocalFunctions(fake_source))
    response = client.post(scheduled_path("refresh_ranks"), json={})
    assert response.status_code == 200 and response.json == {"refreshed": True}
    for path in ("/refresh_ranks", "/api/v1/Integration/RefreshRanks", "/gm.refreshRanks"):
        assert client.post(path, json={}).status_code == 404


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
def test_real_functions_answer_every_public_path_with_their_envelope(emulators) -> None:
    with FunctionsServer(port=free_port()) as server:
        health = requests.get(f"{server.url}/_health", timeout=5).json()
        assert set(entry_points()) <= set(health["served"]), health["unavailable"]
        for route in public_routes():
            function = by_entry_point(route.entry_point)
            method = function.methods[0]
            response = requests.request(method, f"{server.url}{route.path}", timeout=30)
            body = response.json()
            # No credentials: each function answers itself, in its surface's envelope.
            if function.surface == "integration":
                assert response.status_code == 401, (route, body)
                assert body["result"] is None and body["statusCode"] != 1
            else:
                assert response.status_code == 200, (route, body)
                assert body["errorCode"] == 400002 and body["statusCode"] == 400, (route, body)
