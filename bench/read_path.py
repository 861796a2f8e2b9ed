"""Read path, in process: Firestore round trips and signatures per GetProgressChallengesInfoForUser.

The function is loaded exactly as Cloud Functions loads it and called through its Flask test
client, so the count covers everything a request does, authentication included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.context import ROOT
from bench.data import ReadFixture
from bench.firestore_calls import counting
from bench.report import Figure, at_most

ENTRY_POINT = "get_progress_challenges_info_for_user"
ROUND_TRIP_GOAL = 2
SIGNATURE_GOAL = 0


def list_path(version: str) -> str:
    """The public path of the list endpoint under `version`."""
    return f"/api/{version}/Integration/GetProgressChallengesInfoForUser"


def v2_headers(user: str) -> dict[str, str]:
    """An emulator Firebase ID token for `user` (its phone number)."""
    from devtools.auth_tools import emulator_id_token

    return {"Authorization": f"Bearer {emulator_id_token(user, uid='bench-' + user.strip('+'))}"}


def v1_headers(fixture: ReadFixture, method: str, path: str) -> dict[str, str]:
    """A fresh one-use partner message for one request."""
    from devtools.auth_tools import mint_message

    return {
        "X-ClientId": fixture.client_id,
        "X-Message": mint_message(fixture.client_id, fixture.key, method, path),
    }


@dataclass(frozen=True)
class Counted:
    """Round trips of each measured request, by method, and signatures over all of them."""

    version: str
    per_page: int
    round_trips: list[int]
    methods: dict[str, int]
    signatures: int


def _request(client: Any, fixture: ReadFixture, version: str, per_page: int) -> None:
    path = list_path(version)
    headers = v1_headers(fixture, "GET", path) if version == "v1" else v2_headers(fixture.user)
    query = {"ItemsPerPage": per_page, "Page": 1}
    if version == "v1":
        query["UserId"] = fixture.user  # type: ignore[assignment]
    response = client.get(path, query_string=query, headers=headers)
    body = response.get_json(silent=True) or {}
    if response.status_code != 200:
        raise RuntimeError(f"{version} list answered {response.status_code}: {body}")
    result = body.get("result") or {}
    rows, expected = len(result.get("data") or []), min(per_page, int(result.get("count", 0)))
    if rows != expected or not rows:
        raise RuntimeError(f"{version} list returned {rows} rows, expected {expected}")


def count_requests(fixture: ReadFixture, warmups: int = 3, repeats: int = 5) -> list[Counted]:
    """Round trips per warm request for V1 and V2 at ItemsPerPage 10 and 100."""
    import functions_framework

    from shared.clients import firestore_client
    from shared.images.signed_urls import signature_count

    app = functions_framework.create_app(target=ENTRY_POINT, source=str(ROOT / "main.py"))
    client = app.test_client()
    db = firestore_client()
    results = []
    for version in ("v1", "v2"):
        for per_page in (10, 100):
            for _ in range(warmups):
                _request(client, fixture, version, per_page)
            signatures = signature_count()
            trips: list[int] = []
            methods: dict[str, int] = {}
            for _ in range(repeats):
                with counting(db) as counter:
                    _request(client, fixture, version, per_page)
                trips.append(counter.total())
                for name, n in counter.snapshot().items():
                    methods[name] = methods.get(name, 0) + n
            results.append(
                Counted(version, per_page, trips, methods, signature_count() - signatures)
            )
    return results


def figures(counted: list[Counted], challenges: int) -> list[Figure]:
    """A1 per version and page size (the worst request), and A2 over every warm request."""
    out = [
        at_most(
            f"A1 read round trips {c.version.upper()} ItemsPerPage={c.per_page}",
            max(c.round_trips),
            "RPC",
            ROUND_TRIP_GOAL,
            per_request=c.round_trips,
            by_method=c.methods,
            catalog_challenges=challenges,
        )
        for c in counted
    ]
    requests = sum(len(c.round_trips) for c in counted)
    out.append(
        at_most(
            "A2 signatures per warm request",
            sum(c.signatures for c in counted) / requests,
            "",
            SIGNATURE_GOAL,
            requests=requests,
        )
    )
    return out
