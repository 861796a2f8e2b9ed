"""Every function of main.py on one local port, at the paths production serves them.

Each function is loaded the way Cloud Functions loads it (`functions_framework.create_app` on
main.py with the function's entry point), so the local stack runs exactly the deployed code.
The route table below is the one source of the public paths: firebase.json's Hosting rewrites
are checked against `hosting_rewrites()` by a test.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "main.py"
EVENTARC_PREFIX = "/_eventarc/"
HEALTH_PATH = "/_health"

# endpoint name on the wire -> entry point in main.py
_INTEGRATION: dict[str, str] = {
    "GetProgressChallengesInfoForUser": "get_progress_challenges_info_for_user",
    "GetDetailsById": "get_details_by_id",
    "GetBadgeDetailsById": "get_badge_details_by_id",
    "ClaimPrize": "claim_prize",
    "GetPrizesHistory": "get_prizes_history",
}
_GIGYA: dict[str, str] = {
    "gm.getChallengeStatus": "gm_get_challenge_status",
    "gm.notifyAction": "gm_notify_action",
    "gm.redeemPoints": "gm_redeem_points",
    "gm.resetLevelStatus": "gm_reset_level_status",
    "gm.getTopUsers": "gm_get_top_users",
}
# Entry points that Eventarc triggers; served locally under EVENTARC_PREFIX only.
EVENT_ENTRY_POINTS: tuple[str, ...] = ("on_transaction_created",)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Route:
    """A public path and the entry point of main.py that answers it."""

    path: str
    entry_point: str


def public_routes() -> list[Route]:
    """Every public path (DOMAIN.md section 2), in a stable order."""
    routes = [
        Route(f"/api/{version}/Integration/{name}", entry)
        for version in ("v1", "v2")
        for name, entry in _INTEGRATION.items()
    ]
    routes += [Route(f"/{method}", entry) for method, entry in _GIGYA.items()]
    return routes


def event_path(entry_point: str) -> str:
    """The local path where the deliverer posts CloudEvents for `entry_point`."""
    return f"{EVENTARC_PREFIX}{entry_point}"


def function_id(entry_point: str) -> str:
    """The deployed function's name (Cloud Run service ids allow no underscores)."""
    return entry_point.replace("_", "-")


def hosting_rewrites(region: str) -> list[dict[str, Any]]:
    """firebase.json's Hosting rewrites for the public routes."""
    return [
        {"source": r.path, "function": {"functionId": function_id(r.entry_point), "region": region}}
        for r in public_routes()
    ]


def entry_points(source: Path = SOURCE) -> dict[str, str]:
    """main.py's ENTRY_POINTS (entry point -> module), read without importing `main`."""
    # functions_framework owns sys.modules["main"]; load a private copy instead.
    import importlib.util

    spec = importlib.util.spec_from_file_location("_main_entry_points", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.ENTRY_POINTS)


_create_lock = threading.Lock()


def load_function(entry_point: str, source: Path = SOURCE) -> WsgiApp:
    """The entry point as functions-framework serves it in production."""
    import functions_framework

    signature = "cloudevent" if entry_point in EVENT_ENTRY_POINTS else "http"
    # create_app records the target and signature type in os.environ; keep them per call.
    with _create_lock:
        saved = {k: os.environ.get(k) for k in ("FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE")}
        try:
            app: WsgiApp = functions_framework.create_app(
                target=entry_point, source=str(source), signature_type=signature
            )
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return app


class LocalFunctions:
    """A WSGI app dispatching each path to its function's own app (exact path match)."""

    def __init__(self, source: Path = SOURCE) -> None:
        self.apps: dict[str, WsgiApp] = {}
        self.unavailable: dict[str, str] = {}
        self.routes: dict[str, str] = {}
        declared = entry_points(source)
        for route in public_routes():
            self.routes[route.path] = route.entry_point
        for entry in EVENT_ENTRY_POINTS:
            self.routes[event_path(entry)] = entry
        for entry in sorted(set(self.routes.values())):
            if entry not in declared:
                self.unavailable[entry] = "not an entry point of main.py yet"
                continue
            try:
                self.apps[entry] = load_function(entry, source)
            except Exception as exc:  # one broken function must not stop the rest
                self.unavailable[entry] = f"{type(exc).__name__}: {exc}"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Route one request."""
        path = environ.get("PATH_INFO", "") or "/"
        if path != "/" and path.endswith("/"):
            path = path.rstrip("/")
        if path == HEALTH_PATH:
            return _json(start_response, "200 OK", self.health())
        entry = self.routes.get(path)
        if entry is None:
            body = {"error": f"no function is served at {path}", "paths": sorted(self.routes)}
            return _json(start_response, "404 Not Found", body)
        app = self.apps.get(entry)
        if app is None:
            body = {"error": f"{entry} is not available: {self.unavailable.get(entry)}"}
            return _json(start_response, "501 Not Implemented", body)
        return app(environ, start_response)

    def health(self) -> dict[str, Any]:
        """Which functions are served and why the others are not."""
        return {"served": sorted(self.apps), "unavailable": self.unavailable}


def _json(start_response: Callable[..., Any], status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


class FunctionsServer:
    """LocalFunctions behind werkzeug's threaded server, in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8080, source: Path = SOURCE) -> None:
        self.functions = LocalFunctions(source)
        self._server: BaseWSGIServer = make_server(host, port, self.functions, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="functions-server", daemon=True
        )
        self.host = host
        self.port = int(self._server.server_port)

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:8080."""
        return f"http://{self.host}:{self.port}"

    def event_url(self, entry_point: str) -> str:
        """Where CloudEvents for `entry_point` are posted."""
        return self.url + event_path(entry_point)

    def start(self) -> FunctionsServer:
        """Serve in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> FunctionsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
