"""Calling the five read endpoints as deployed: functions-framework apps, real V1/V2 auth."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from shared.app import reset_app
from shared.catalog.models import Catalog
from shared.repository import catalog_cache
from shared.repository.catalog_repo import save_catalog

ROOT = Path(__file__).resolve().parents[2]

ENTRY_POINT_OF = {
    "GetProgressChallengesInfoForUser": "get_progress_challenges_info_for_user",
    "GetDetailsById": "get_details_by_id",
    "GetBadgeDetailsById": "get_badge_details_by_id",
    "ClaimPrize": "claim_prize",
    "GetPrizesHistory": "get_prizes_history",
}
ENVELOPE_KEYS = {"result", "message", "statusCode", "statusName"}


@cache
def function_app(entry_point: str) -> Flask:
    """The entry point loaded as Cloud Functions loads it (its signature type from the table)."""
    from devtools.server import load_function

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        # load_function keeps functions-framework's environment variables per call, so loading
        # the event function does not turn the next HTTP function into a CloudEvent one.
        app = load_function(entry_point, ROOT / "main.py")
    finally:
        os.chdir(cwd)
    assert isinstance(app, Flask)
    return app


@dataclass
class IntegrationClient:
    """Sends signed V1 requests and token-bearing V2 requests to the endpoint functions."""

    db: Any
    client_id: str
    key: bytes
    default_headers: dict[str, str] = field(default_factory=dict)

    def v1_headers(self, method: str, path: str) -> dict[str, str]:
        from devtools.auth_tools import mint_message

        return {
            "X-ClientId": self.client_id,
            "X-Message": mint_message(self.client_id, self.key, method, path),
        }

    @staticmethod
    def v2_headers(user: str) -> dict[str, str]:
        from devtools.auth_tools import emulator_id_token

        return {"Authorization": f"Bearer {emulator_id_token(user, uid='uid-' + user)}"}

    def call(
        self,
        version: str,
        name: str,
        *,
        user: str | None = None,
        query: dict[str, Any] | None = None,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        method: str | None = None,
        auth: bool = True,
    ) -> TestResponse:
        """Call endpoint `name` under `version`; V2 calls act as `user`."""
        path = f"/api/{version}/Integration/{name}"
        method = method or ("GET" if name.startswith("GetP") else "POST")
        sent: dict[str, str] = dict(self.default_headers)
        if auth:
            if version == "v1":
                sent.update(self.v1_headers(method, path))
            else:
                sent.update(self.v2_headers(user or "+201000000001"))
        sent.update(headers or {})
        client = function_app(ENTRY_POINT_OF[name]).test_client()
        kwargs: dict[str, Any] = {"query_string": query, "headers": sent}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = "application/json"
        return client.open(path, method=method, **kwargs)


def load_catalog(db: Any, catalog: Catalog) -> None:
    """Save a catalog and make the next request read it."""
    save_catalog(db, catalog)
    catalog_cache.reset_cache()


@pytest.fixture
def api(db, monkeypatch) -> Iterator[IntegrationClient]:
    """A client with a fresh partner, V2 emulator tokens accepted, on an emptied database."""
    from devtools.auth_tools import create_partner_client

    # No Auth emulator runs here: firebase-admin decodes emulator tokens without contacting it.
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9")
    reset_app()
    client_id, key = create_partner_client(db)
    yield IntegrationClient(db=db, client_id=client_id, key=key)
    monkeypatch.undo()
    reset_app()
