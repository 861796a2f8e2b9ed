"""bench.keep_alive: one connection per client, reopened when the server dropped it while idle."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.keep_alive import KeepAlive


class _Echo(BaseHTTPRequestHandler):
    """Keeps connections alive, drops them after 0.2 s idle; answers which connection served."""

    protocol_version = "HTTP/1.1"
    timeout = 0.2
    connections: ClassVar[list[int]] = []

    def setup(self) -> None:
        super().setup()
        self.connections.append(id(self.connection))

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        self._answer(f'{{"a": "{query["a"][0]}", "h": "{self.headers["X-H"]}"}}'.encode())

    def do_POST(self) -> None:
        form = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self._answer(f'{{"form": "{form}"}}'.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Echo.connections = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_requests_share_one_connection(base_url: str) -> None:
    client = KeepAlive(base_url)
    first = client.get("/x", {"a": "1"}, {"X-H": "v"})
    second = client.post_form("/y", {"k": "a b"})
    client.close()
    assert (first.status, first.json()) == (200, {"a": "1", "h": "v"})
    assert second.json() == {"form": "k=a+b"}
    assert len(_Echo.connections) == 1


def test_a_connection_dropped_while_idle_is_reopened(base_url: str) -> None:
    client = KeepAlive(base_url)
    assert client.get("/x", {"a": "1"}, {"X-H": "v"}).status == 200
    time.sleep(0.6)  # the server closes the idle connection
    assert client.get("/x", {"a": "2"}, {"X-H": "w"}).json() == {"a": "2", "h": "w"}
    client.close()
    assert len(_Echo.connections) == 2
