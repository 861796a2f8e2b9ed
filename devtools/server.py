"""Every function of main.py on one local port, at the paths production serves them.

Each function is loaded the way Cloud Functions loads it (`functions_framework.create_app` on
main.py with the function's entry point), so the local stack runs exactly the deployed code.
The routes come from the table of functions (shared/endpoints.py): its http functions at their
public paths, the event and scheduled functions under private prefixes. firebase.json's Hosting
rewrites are generated from the same table (`python -m devtools.server --firebase-json`) and
checked against it by a test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from shared import endpoints
from shared.endpoints import function_id

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "main.py"
FIREBASE_JSON = ROOT / "firebase.json"
EVENTARC_PREFIX = "/_eventarc/"
SCHEDULED_PREFIX = "/_scheduled/"
HEALTH_PATH = "/_health"

# Entry points that Eventarc triggers; served locally under EVENTARC_PREFIX only.
EVENT_ENTRY_POINTS: tuple[str, ...] = tuple(f.entry_point for f in endpoints.of_kind("event"))
# Entry points Cloud Scheduler invokes (private); served locally under SCHEDULED_PREFIX only.
SCHEDULED_ENTRY_POINTS: tuple[str, ...] = tuple(
    f.entry_point for f in endpoints.of_kind("scheduled")
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Route:
    """A path and the entry point of main.py that answers it."""

    path: str
    entry_point: str


def public_routes() -> list[Route]:
    """Every public path of the table's http functions: grouped by folder, in table order.

    (All of /api/v1/Integration/, then /api/v2/Integration/, then the gm.* methods.)
    """
    routes = [Route(path, f.entry_point) for f in endpoints.of_kind("http") for path in f.paths]
    folders = list(dict.fromkeys(r.path.rsplit("/", 1)[0] for r in routes))
    return sorted(routes, key=lambda r: folders.index(r.path.rsplit("/", 1)[0]))


def event_path(entry_point: str) -> str:
    """The local path where the deliverer posts CloudEvents for `entry_point`."""
    return f"{EVENTARC_PREFIX}{entry_point}"


def scheduled_path(entry_point: str) -> str:
    """The local path standing in for the Cloud Scheduler job that invokes `entry_point`."""
    return f"{SCHEDULED_PREFIX}{entry_point}"


def private_routes() -> list[Route]:
    """The event and scheduled functions at their local-only paths."""
    routes = [Route(event_path(e), e) for e in EVENT_ENTRY_POINTS]
    routes += [Route(scheduled_path(e), e) for e in SCHEDULED_ENTRY_POINTS]
    return routes


def hosting_rewrites(region: str) -> list[dict[str, Any]]:
    """firebase.json's Hosting rewrites for the public routes."""
    return [
        {"source": r.path, "function": {"functionId": function_id(r.entry_point), "region": region}}
        for r in public_routes()
    ]


def _hosting_region(config: dict[str, Any]) -> str:
    regions = {r["function"]["region"] for r in config.get("hosting", {}).get("rewrites", [])}
    if len(regions) != 1:
        raise ValueError(f"firebase.json's rewrites name {len(regions)} regions; pass --region")
    return str(regions.pop())


def firebase_config(config: dict[str, Any], region: str | None = None) -> dict[str, Any]:
    """`config` (firebase.json) with its Hosting rewrites made from the table.

    `region` defaults to the one region the current rewrites name.
    """
    hosting = dict(config.get("hosting", {}))
    hosting["rewrites"] = hosting_rewrites(region or _hosting_region(config))
    return {**config, "hosting": hosting}


def render_firebase_json(path: Path = FIREBASE_JSON, region: str | None = None) -> str:
    """firebase.json as the table makes it: two-space indent, final newline."""
    config = json.loads(path.read_text(encoding="utf-8"))
    return json.dumps(firebase_config(config, region), indent=2, ensure_ascii=False) + "\n"


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
        for route in public_routes() + private_routes():
            self.routes[route.path] = route.entry_point
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
        """Which functions are served, why the others are not, and the serving process."""
        return {"served": sorted(self.apps), "unavailable": self.unavailable, "pid": os.getpid()}


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


def serve_as_deployed(
    host: str,
    port: int,
    source: Path = SOURCE,
    on_ready: Callable[[LocalFunctions], None] | None = None,
    threads: int | None = None,
) -> None:
    """Serve every function with the server a deployed function runs, until SIGTERM.

    That is functions-framework's gunicorn application (one worker, gthread, keep-alive;
    `threads` requests at a time, by default its `THREADS` setting), where FunctionsServer uses
    werkzeug's development server, which closes every connection after one request. The
    functions load in the worker, after the fork, as they do in production; `on_ready` runs
    there once they are loaded.
    """
    # functions-framework's own server class: its settings are production's by definition.
    from functions_framework._http.gunicorn import GunicornApplication

    class _Application(GunicornApplication):
        def load(self) -> LocalFunctions:
            functions = LocalFunctions(source)
            if on_ready is not None:
                on_ready(functions)
            return functions

    try:
        options = {} if threads is None else {"threads": threads}
        _Application(None, host, port, False, **options).run()
    except SystemExit as stop:  # the arbiter exits the process once its workers have stopped
        if stop.code not in (0, None):
            raise


def main(argv: Sequence[str] | None = None) -> int:
    """`--firebase-json`: write firebase.json's Hosting rewrites from the table."""
    parser = argparse.ArgumentParser(prog="python -m devtools.server", description=main.__doc__)
    parser.add_argument(
        "--firebase-json",
        action="store_true",
        help="rewrite firebase.json's hosting.rewrites from shared/endpoints.py",
    )
    parser.add_argument("--region", help="the functions' region (default: firebase.json's)")
    args = parser.parse_args(argv)
    if not args.firebase_json:
        parser.print_usage(sys.stderr)
        return 2
    text = render_firebase_json(FIREBASE_JSON, args.region)
    FIREBASE_JSON.write_text(text, encoding="utf-8")
    rewrites = json.loads(text)["hosting"]["rewrites"]
    print(f"firebase.json: {len(rewrites)} Hosting rewrites")
    return 0


if __name__ == "__main__":
    sys.exit(main())
