"""A real local HTTP server that records the CloudEvents it receives (for the deliverer tests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers with `status(request_number_for_subject)`; records every request."""

    status: Callable[[int], int] = lambda _n: 200
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0  # 0: any free port

    def __post_init__(self) -> None:
        self.server: Any = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/event"

    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        received = Received(time.monotonic(), dict(request.headers.items()), request.get_data())
        with self.lock:
            self.requests.append(received)
            subject = received.headers.get("Ce-Subject")
            n = sum(1 for r in self.requests if r.headers.get("Ce-Subject") == subject)
        return Response("ok", status=self.status(n))(environ, start_response)

    def for_subject(self, subject: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.headers.get("Ce-Subject") == subject]

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
