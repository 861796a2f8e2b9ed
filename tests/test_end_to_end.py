"""The whole path: a ledger transaction -> local Eventarc -> engine -> the V1 read API."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from devtools.emulators import free_port
from devtools.eventarc import Deliverer, RetryPolicy
from devtools.server import FunctionsServer
from tests.conftest import BUCKET, ROOT

pytestmark = pytest.mark.emulator

USER = "+201000000777"
FIRST_SIP = 1  # demo catalog: earn 100 points, limited, a points reward
LIST_PATH = "/api/v1/Integration/GetProgressChallengesInfoForUser"


@pytest.fixture
def stack(db) -> Iterator[dict[str, Any]]:
    """The demo catalog loaded, a partner client, the functions served, events delivered."""
    from devtools.auth_tools import create_partner_client
    from devtools.catalog import load_catalog_file, load_into
    from shared.clients import storage_client

    catalog_file = ROOT / "demo" / "catalog.json"
    load_into(db, storage_client(), BUCKET, load_catalog_file(catalog_file), catalog_file.parent)
    client_id, key = create_partner_client(db, name="end-to-end")
    with FunctionsServer(port=free_port()) as server:
        policy = RetryPolicy(max_attempts=3, initial_backoff=0.2)
        with Deliverer(db, server.event_url("on_transaction_created"), policy=policy) as deliverer:
            yield {"url": server.url, "client_id": client_id, "key": key, "deliverer": deliverer}


def _ledger(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "devtools.ledger", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def _first_sip(stack: dict[str, Any]) -> dict[str, Any]:
    from devtools.auth_tools import mint_message

    response = requests.get(
        stack["url"] + LIST_PATH,
        params={"UserId": USER, "ItemsPerPage": 100},
        headers={
            "X-ClientId": stack["client_id"],
            "X-Message": mint_message(stack["client_id"], stack["key"], "GET", LIST_PATH),
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["statusCode"] == 1
    [item] = [c for c in body["result"]["data"] if c["id"] == FIRST_SIP]
    return item


def _eventually(read: Callable[[], dict[str, Any]], check: Callable[[dict[str, Any]], bool]) -> Any:
    deadline = time.monotonic() + 30
    while True:
        value = read()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in time; last: {value}")
        time.sleep(0.2)


def _trigger(item: dict[str, Any]) -> dict[str, Any]:
    [group] = item["groupProgress"]
    [trigger] = group["triggersProgress"]
    return trigger


def test_ledger_transactions_move_progress_and_issue_the_reward(stack, db) -> None:
    before = _trigger(_first_sip(stack))
    assert (before["progress"], before["actionLeft"]) == (0, 100)

    _ledger("earn", "--user", USER, "--points", "80", "--sequence", "1")
    item = _eventually(lambda: _first_sip(stack), lambda i: _trigger(i)["progress"] > 0)
    assert (_trigger(item)["progress"], _trigger(item)["actionLeft"]) == (80, 20)
    assert item["prizes"] == []

    _ledger("earn", "--user", USER, "--points", "30", "--sequence", "2")
    item = _eventually(lambda: _first_sip(stack), lambda i: bool(i["prizes"]))
    [milestone] = item["prizes"]
    assert milestone["userId"] == USER
    assert [p["rewardType"] for p in milestone["prizes"]] == [1]  # points
    # Three transactions were created (two ledger entries, one reward credit): three events.
    assert stack["deliverer"].wait_idle(30, received=3)
    assert stack["deliverer"].stats.delivered == 3
    assert stack["deliverer"].stats.dead_lettered == 0
    assert list(db.collection("deadLetters").stream()) == []
    # The reward was credited to the ledger as its own transaction, and counted for nothing.
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = db.collection("transactions").where(filter=FieldFilter("source", "==", "reward"))
    rewards = [d.to_dict() for d in query.stream()]
    assert [r["userId"] for r in rewards] == [USER]
    assert _trigger(_first_sip(stack))["progress"] == 100
