"""The rank refresher loaded as Cloud Functions loads it, called as Cloud Scheduler calls it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import functions.refresh_ranks as function
from shared.firestore.writes import Batch
from shared.gigya import periods
from shared.repository import leaderboards_repo
from shared.schema import gigya as schema

pytestmark = pytest.mark.emulator

ROOT = Path(__file__).resolve().parents[2]


@cache
def _app() -> Flask:
    import functions_framework

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return functions_framework.create_app(target="refresh_ranks", source=str(ROOT / "main.py"))
    finally:
        os.chdir(cwd)


def _earn(db, users: dict[str, int]) -> None:
    now = datetime.now(UTC)
    batch = Batch(db)
    for user, points in users.items():
        leaderboards_repo.add_points(
            db, batch, schema.board_id("3"), user, points, periods.hour_key(now), now
        )
    batch.commit()


def test_a_scheduled_call_folds_the_changes_and_answers_its_report(db, monkeypatch):
    logged: list[dict[str, Any]] = []
    monkeypatch.setattr(
        function.log, "info", lambda message, extra: logged.append({message: extra["fields"]})
    )
    _earn(db, {"a": 5, "b": 9})
    response = _app().test_client().post("/")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert {k: body[k] for k in ("boards", "entriesFolded", "pages", "retries", "skipped")} == {
        "boards": 1,
        "entriesFolded": 2,
        "pages": 1,
        "retries": 0,
        "skipped": 0,
    }
    assert body["seconds"] >= 0
    assert logged == [{"ranks refreshed": body}]
    table = leaderboards_repo.rank_tables(db, [schema.board_id("3")], max_age=0)
    assert table[schema.board_id("3")].rank(5) == 2
    again = _app().test_client().post("/").get_json()
    assert again["entriesFolded"] == 0


def test_other_methods_are_refused(db):
    assert _app().test_client().put("/").status_code == 405


def test_a_failed_refresh_answers_500_so_that_the_scheduler_retries(db, monkeypatch):
    def broken(db: Any, now: datetime) -> None:
        raise RuntimeError("backend down")

    monkeypatch.setattr(function, "refresh", broken)
    response = _app().test_client().post("/")
    assert response.status_code == 500
    assert response.get_json() == {"error": "rank refresh failed: RuntimeError"}
