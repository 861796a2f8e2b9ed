"""Calling the gm.* functions as deployed, with a real site and application key, and a catalog."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from werkzeug.test import TestResponse

from devtools.server import public_routes
from shared.app import reset_app
from shared.catalog.models import Action, DefaultChallenge, DefaultLevel, Level
from shared.engine.process import process_transaction
from shared.enums import TriggerKind
from shared.repository import leaderboards_repo
from shared.schema import paths
from tests.functions.integration_client import function_app
from tests.shared.engine.builders import challenge, group, install, level, trigger
from tests.shared.engine.builders import earn as earn_transaction

K = TriggerKind
ENTRY_OF = {r.path: r.entry_point for r in public_routes() if r.path.startswith("/gm.")}
RECENT = datetime.now(UTC)
START = RECENT - timedelta(days=60)
END = RECENT + timedelta(days=60)

# The Gigya test catalog: a points challenge, an action challenge, a mixed one, a hidden one,
# an invisible one, a variant-tracked one; three actions; `_default` levels.
ACTIONS = [
    Action(actionId="share", points=10, title={"en": "Share", "ar": "مشاركة"}),
    Action(actionId="comment", points=5, dailyCap=3),
    Action(actionId="checkin", points=20, freqCap=3600),
    Action(actionId="old", points=50, enabled=False),
]
DEFAULT = DefaultChallenge(
    title={"en": "Overall"},
    levels=[
        DefaultLevel(title={"en": "Rookie"}, points=50),
        DefaultLevel(title={"en": "Expert"}, points=200),
    ],
    variantAttributes=["show"],
)


def _points_level(points: float, title: str) -> Level:
    return Level(
        title={"en": title, "ar": f"{title} ar"},
        description={"en": f"{title} description"},
        groups=[group(trigger(K.EARNED_POINTS, points))],
        actionUrl=f"https://example.com/{title}",
    )


def gigya_challenges() -> list[Any]:
    """The catalog challenges of the Gigya tests."""
    points = challenge(
        1,
        _points_level(100, "Bronze"),
        _points_level(200, "Silver"),
        gigya_id="points",
        start=START,
        end=END,
        actions=["share"],
        variants=["show"],
    )
    actions = challenge(
        2,
        level(group(trigger(K.PERFORMED_ACTION, 2, action="comment"))),
        level(group(trigger(K.PERFORMED_ACTION, 3, action="comment"))),
        gigya_id="talker",
        start=START,
        end=END,
        actions=["comment"],
    )
    mixed = challenge(
        3,
        level(
            group(
                trigger(K.EARNED_POINTS, 20, order=0),
                trigger(K.PERFORMED_ACTION, 2, order=1, action="share"),
            )
        ),
        gigya_id="mixed",
        start=START,
        end=END,
        actions=["share", "checkin"],
    )
    hidden = challenge(
        4,
        level(group(trigger(K.PERFORMED_ACTION, 1, action="checkin"))),
        level(group(trigger(K.PERFORMED_ACTION, 5, action="checkin"))),
        gigya_id="secret",
        hidden=True,
        start=START,
        end=END,
        actions=["checkin"],
    )
    invisible = challenge(
        5, _points_level(10, "Ghost"), gigya_id="ghost", visible=False, start=START, end=END
    )
    return [points, actions, mixed, hidden, invisible]


def install_gigya_catalog(db: Any) -> None:
    """Save the Gigya test catalog."""
    install(
        db,
        gigya_challenges(),
        actions=ACTIONS,
        defaultChallenge=DEFAULT,
        languages=["en", "ar"],
    )


@dataclass
class GigyaClient:
    """Sends gm.* calls with an application key (userKey + secret; plain HTTP allowed here)."""

    db: Any
    api_key: str
    user_key: str
    secret: str

    def raw(
        self, method: str, *, http: str = "POST", auth: bool = True, **params: Any
    ) -> TestResponse:
        """The HTTP response of one call."""
        sent = {k: _text(v) for k, v in params.items()}
        if auth:
            sent = {"apiKey": self.api_key, "userKey": self.user_key, "secret": self.secret, **sent}
        path = f"/{method}"
        client = function_app(ENTRY_OF[path]).test_client()
        if http == "GET":
            return client.get(path, query_string=sent)
        return client.post(path, data=sent)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """The decoded body of one call."""
        response = self.raw(method, **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.get_json()
        return body

    def ok(self, method: str, **params: Any) -> dict[str, Any]:
        """The body of a call that must succeed."""
        body = self.call(method, **params)
        assert body["errorCode"] == 0, body
        return body

    def status(self, uid: str, **params: Any) -> dict[str, dict[str, Any]]:
        """gm.getChallengeStatus's achievements by challengeID."""
        body = self.ok("gm.getChallengeStatus", UID=uid, **params)
        return {a["challengeID"]: a for a in body["achievements"]}

    def earn(self, uid: str, points: float, tid: str, at: datetime | None = None) -> None:
        """A ledger EarnPoints transaction, counted as the trigger would count it."""
        data = earn_transaction(uid, points, at or datetime.now(UTC))
        self.db.document(paths.transaction_doc(tid)).set(data)
        process_transaction(self.db, tid, data)

    def refresh_ranks(self) -> None:
        """Fold the leaderboards' changes into the rank tables and forget cached tables."""
        leaderboards_repo.refresh(self.db, datetime.now(UTC))
        leaderboards_repo.reset_cache()


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.fixture
def gm(db, monkeypatch) -> Iterator[GigyaClient]:
    """A site, an application key and the Gigya catalog, on an emptied database."""
    from shared.gigya import credentials

    monkeypatch.setenv("GIGYA_ALLOW_SECRET_OVER_HTTP", "true")
    reset_app()
    install_gigya_catalog(db)
    api_key = credentials.create_site(db, "test site")
    user_key, secret = credentials.create_application(db, api_key, "test app")
    yield GigyaClient(db=db, api_key=api_key, user_key=user_key, secret=secret)
    monkeypatch.undo()
    reset_app()
