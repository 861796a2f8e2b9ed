"""A paused or stopped backend: every public function answers "unavailable" within its deadline.

This module starts a Firestore emulator of its own (the session's is never paused) and points
the process's App at it. Every public route of `devtools.server.public_routes()` is called in
parallel while the emulator is paused (SIGSTOP of its process tree), then once it is resumed;
then while it is stopped, then once it is started again on the same port: the answers of a
backend down come within BACKEND_DEADLINE_SECONDS (5) plus a margin, in each surface's
envelope, and the first calls after it came back succeed, through the same clients.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import TestResponse

from devtools.emulators import Emulators, descendants, start_firestore
from devtools.server import public_routes
from shared.app import App, use_app
from shared.catalog.models import Action
from shared.config import load_settings
from shared.engine.cloudevent import encode_document_event
from shared.engine.process import process_transaction
from shared.enums import RewardType, TriggerKind
from shared.firestore.client import create_client
from shared.repository import paths, prizes_repo
from tests.conftest import PROJECT
from tests.functions.gigya_client import GigyaClient
from tests.functions.integration_client import IntegrationClient, function_app
from tests.shared.engine.builders import (
    badge_reward,
    challenge,
    earn,
    install,
    points_reward,
    simple_level,
)

pytestmark = pytest.mark.emulator

USER = "+201000000077"
# The user the trigger counts for while the backend is down.
EVENT_USER = "+201000000078"
# BACKEND_DEADLINE_SECONDS is left at its default (5 s); the answer may take a little more.
LIMIT_SECONDS = 7.0
EVENT_DEADLINE_SECONDS = 3.0
TRIGGER = "on_transaction_created"
SOURCE = f"//firestore.googleapis.com/projects/{PROJECT}/databases/(default)"


@dataclass
class Seeded:
    """What `seed` loaded: the credentials of each surface and the user's milestone."""

    client_id: str
    key: bytes
    api_key: str
    user_key: str
    secret: str
    milestone: int


def seed(db: Any) -> Seeded:
    """A catalog (a points challenge, a badge challenge, an action), a user with a prize, keys."""
    from devtools.auth_tools import create_partner_client
    from shared.gigya import credentials

    now = datetime.now(UTC)
    window = {"start": now - timedelta(days=30), "end": now + timedelta(days=30)}
    points = challenge(
        1,
        simple_level(TriggerKind.EARNED_POINTS, 100, [points_reward(1, 5)]),
        gigya_id="points",
        actions=["share"],
        **window,
    )
    badge = challenge(
        2,
        simple_level(TriggerKind.EARNED_POINTS, 1000, [badge_reward(2, "gold")]),
        reward_type=RewardType.BADGE,
        **window,
    )
    install(db, [points, badge], actions=[Action(actionId="share", points=10)])
    (milestone,) = process_transaction(db, "seed-1", earn(USER, 150, at=now)).milestones
    client_id, key = create_partner_client(db)
    api_key = credentials.create_site(db, "backend down")
    user_key, secret = credentials.create_application(db, api_key, "backend down")
    return Seeded(client_id, key, api_key, user_key, secret, milestone)


@dataclass
class Backend:
    """This module's Firestore emulator, and what was seeded into it."""

    log_dir: Path
    host: str
    process: subprocess.Popen[bytes]
    seeded: Seeded | None = None

    def _signal(self, sig: int) -> None:
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            os.kill(pid, sig)

    def pause(self) -> None:
        """SIGSTOP the emulator and its children: connections stay open, nothing answers."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT them."""
        self._signal(signal.SIGCONT)

    def stop(self) -> None:
        """Stop the emulator (its port refuses connections)."""
        if self.process.poll() is None:
            self.resume()
        Emulators(firestore_host=self.host, storage_host="", processes=[self.process]).stop()

    def start(self) -> None:
        """Start an emulator again on the same port, and seed it."""
        port = int(self.host.rsplit(":", 1)[1])
        self.host, self.process, _ = start_firestore(self.log_dir, port=port)
        self.seeded = seed(self.client())

    def client(self) -> Any:
        """A client of its own (another channel than the App's)."""
        return create_client(PROJECT, self.host)


@pytest.fixture(scope="module")
def backend(emulators: Emulators, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """The module's emulator, seeded, with the process's App pointing at it."""
    log_dir = tmp_path_factory.mktemp("backend-down")
    host, process, _ = start_firestore(log_dir)
    backend = Backend(log_dir, host, process)
    env = {
        **os.environ,
        "FIRESTORE_EMULATOR_HOST": host,
        # Every request reads Firestore: nothing is answered from a cache.
        "CATALOG_CACHE_SECONDS": "0",
        "STATS_CACHE_SECONDS": "0",
        "GIGYA_ALLOW_SECRET_OVER_HTTP": "true",
        # No Auth emulator runs: firebase-admin decodes emulator tokens without contacting it.
        "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9",
        "EVENT_DEADLINE_SECONDS": str(EVENT_DEADLINE_SECONDS),
    }
    try:
        with pytest.MonkeyPatch.context() as patch, use_app(App(load_settings(env))):
            patch.setenv("FIREBASE_AUTH_EMULATOR_HOST", env["FIREBASE_AUTH_EMULATOR_HOST"])
            backend.seeded = seed(backend.client())
            for route in public_routes():
                function_app(route.entry_point)
            function_app(TRIGGER)
            yield backend
    finally:
        backend.stop()


def _deliver(transaction_id: str, data: dict[str, Any]) -> TestResponse:
    """A binary-mode CloudEvent for a created transaction, posted to the trigger function."""
    headers = {
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.firestore.document.v1.created",
        "ce-source": SOURCE,
        "ce-subject": f"documents/transactions/{transaction_id}",
        "ce-id": f"event-{transaction_id}-{time.monotonic_ns()}",
        "ce-time": "2026-06-15T12:00:00Z",
        "Content-Type": "application/protobuf",
    }
    body = encode_document_event(PROJECT, f"transactions/{transaction_id}", data)
    return function_app(TRIGGER).test_client().post("/", data=body, headers=headers)


def calls(seeded: Seeded) -> dict[str, Callable[[], TestResponse]]:
    """One call of each public route, by path, valid while the backend answers."""
    api = IntegrationClient(db=None, client_id=seeded.client_id, key=seeded.key)
    gm = GigyaClient(
        db=None, api_key=seeded.api_key, user_key=seeded.user_key, secret=seeded.secret
    )
    m = seeded.milestone

    def v1(name: str, **kwargs: Any) -> Callable[[], TestResponse]:
        return lambda: api.call("v1", name, **kwargs)

    def v2(name: str, **kwargs: Any) -> Callable[[], TestResponse]:
        return lambda: api.call("v2", name, user=USER, **kwargs)

    def g(method: str, **params: Any) -> Callable[[], TestResponse]:
        return lambda: gm.raw(method, **params)

    v1_calls = {
        "GetProgressChallengesInfoForUser": v1(
            "GetProgressChallengesInfoForUser", query={"UserId": USER}
        ),
        "GetDetailsById": v1("GetDetailsById", json={"challengeId": 1, "userId": USER}),
        "GetBadgeDetailsById": v1("GetBadgeDetailsById", json={"challengeId": 2, "userId": USER}),
        "ClaimPrize": v1("ClaimPrize", json={"userId": USER, "milestoneId": m}),
        "GetPrizesHistory": v1("GetPrizesHistory", query={"UserId": USER}),
    }
    table = {f"/api/v1/Integration/{name}": call for name, call in v1_calls.items()}
    table.update(
        {
            "/api/v2/Integration/GetProgressChallengesInfoForUser": v2(
                "GetProgressChallengesInfoForUser"
            ),
            "/api/v2/Integration/GetDetailsById": v2("GetDetailsById", json={"challengeId": 1}),
            "/api/v2/Integration/GetBadgeDetailsById": v2(
                "GetBadgeDetailsById", json={"challengeId": 2}
            ),
            "/api/v2/Integration/ClaimPrize": v2("ClaimPrize", json={"milestoneId": m}),
            "/api/v2/Integration/GetPrizesHistory": v2("GetPrizesHistory"),
            "/gm.getChallengeStatus": g("gm.getChallengeStatus", UID=USER),
            "/gm.notifyAction": g("gm.notifyAction", UID=USER, action="share"),
            "/gm.redeemPoints": g("gm.redeemPoints", UID=USER, challenge="points", points=1),
            "/gm.resetLevelStatus": g("gm.resetLevelStatus", UID=USER, challenges="points"),
            "/gm.getTopUsers": g("gm.getTopUsers", challenge="points", UID=USER),
            "/gm.getChallengeConfig": g("gm.getChallengeConfig"),
            "/gm.getActionConfig": g("gm.getActionConfig"),
            "/gm.getActionsLog": g("gm.getActionsLog", UID=USER),
        }
    )
    routes = [route.path for route in public_routes()]
    assert sorted(table) == sorted(routes), "every public route needs a call here"
    return table


def _timed(call: Callable[[], TestResponse]) -> tuple[float, TestResponse]:
    started = time.monotonic()
    response = call()
    return time.monotonic() - started, response


def call_all(
    table: dict[str, Callable[[], TestResponse]],
) -> dict[str, tuple[float, TestResponse]]:
    """Every call at once, each with how long it took."""
    with ThreadPoolExecutor(len(table)) as pool:
        futures = {path: pool.submit(_timed, call) for path, call in table.items()}
        return {path: future.result() for path, future in futures.items()}


def assert_unavailable(results: dict[str, tuple[float, TestResponse]]) -> None:
    """Each answer came in time, in its surface's "backend unavailable" envelope."""
    for path, (seconds, response) in results.items():
        body = response.get_json()
        assert seconds < LIMIT_SECONDS, (path, seconds, body)
        if path.startswith("/gm."):
            assert response.status_code == 200, (path, response.text)
            assert body["errorCode"] in {504001, 500028}, (path, body)
            assert body["statusCode"] in {504, 500}, (path, body)
        else:
            assert response.status_code == 503, (path, response.text)
            assert body["result"] is None, (path, body)
            assert (body["statusCode"], body["statusName"]) == (7, "ServiceUnavailable"), body


def assert_ok(results: dict[str, tuple[float, TestResponse]]) -> None:
    """Each call succeeded."""
    for path, (_, response) in results.items():
        body = response.get_json()
        if path.startswith("/gm."):
            assert body["errorCode"] == 0, (path, body)
        else:
            assert response.status_code == 200 and body["statusCode"] == 1, (path, body)


def _claimed_once(db: Any, milestone: int) -> None:
    """The claim is whole: its record, the milestone marked, the prize moved, counted once."""
    claims = list(db.collection(prizes_repo.claims_collection(USER)).stream())
    assert [snap.id for snap in claims] == [str(milestone)]
    assert (db.document(paths.milestone_doc(USER, milestone)).get().to_dict() or {})["claimed"]
    entry = (db.document(paths.user_doc(USER)).get().to_dict() or {})["challenges"]["1"]
    assert str(milestone) not in entry.get("unclaimed", {})
    assert entry["claimedCount"] == 1


def _earned(db: Any, user: str) -> Any:
    entry = (db.document(paths.user_doc(user)).get().to_dict() or {})["challenges"]["1"]
    return entry["totals"]


def test_a_paused_backend_answers_within_the_deadline_then_recovers(backend: Backend) -> None:
    from shared.clients import firestore_client

    assert backend.seeded is not None
    table = calls(backend.seeded)
    event = earn(EVENT_USER, 40, at=datetime.now(UTC))
    # The App's channel is connected, as an instance's that was serving.
    firestore_client().document(paths.user_doc(USER)).get()
    backend.pause()
    try:
        with ThreadPoolExecutor(1) as pool:
            trigger = pool.submit(_timed, lambda: _deliver("paused-1", event))
            results = call_all(table)
            trigger_seconds, delivered = trigger.result()
    finally:
        backend.resume()
    assert_unavailable(results)
    # The trigger failed within its own deadline, so that Eventarc delivers the event again.
    assert delivered.status_code == 500
    assert trigger_seconds < EVENT_DEADLINE_SECONDS + 1
    assert_ok(call_all(table))
    assert _deliver("paused-1", event).status_code == 200
    db = backend.client()
    _claimed_once(db, backend.seeded.milestone)
    # Counted once, whether or not the paused attempt's commit landed when the emulator resumed.
    assert _earned(db, EVENT_USER) == {"earnedPoints": 40}


def test_a_stopped_backend_answers_within_the_deadline_then_recovers(backend: Backend) -> None:
    assert backend.seeded is not None
    table = calls(backend.seeded)
    event = earn(EVENT_USER, 40, at=datetime.now(UTC))
    backend.stop()
    with ThreadPoolExecutor(1) as pool:
        trigger = pool.submit(_timed, lambda: _deliver("stopped-1", event))
        results = call_all(table)
        trigger_seconds, delivered = trigger.result()
    assert_unavailable(results)
    assert delivered.status_code == 500
    assert trigger_seconds < EVENT_DEADLINE_SECONDS + 1
    backend.start()
    assert backend.seeded is not None
    # The same App and its Firestore client: no restart of the function.
    assert_ok(call_all(calls(backend.seeded)))
    assert _deliver("stopped-1", event).status_code == 200
    assert _earned(backend.client(), EVENT_USER) == {"earnedPoints": 40}
