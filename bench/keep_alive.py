"""A load generator's HTTP client: one kept-alive connection, a fraction of requests' CPU.

The load generators share this machine's two cores with the stack and the emulator; each
`requests` call costs about 0.75 ms of CPU there against about 0.2 ms here, and a mobile client's
CPU is not the service's. Reconnects once when the server closed the connection while idle.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from devtools.eventarc import DROPPED_CONNECTION


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status and body."""

    status: int
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (ValueError when it is not)."""
        return json.loads(self.body)

    @property
    def text(self) -> str:
        """The body as text, for failure messages."""
        return self.body.decode("utf-8", "replace")


class KeepAlive:
    """Requests to one server on one connection, reopened when the server dropped it."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def get(
        self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        """GET `path` with `params` as the query string."""
        target = self._prefix + path + ("?" + urlencode(params) if params else "")
        return self._send("GET", target, None, headers or {})

    def post_form(self, path: str, form: dict[str, str]) -> Answer:
        """POST `form` urlencoded, as the Gigya SDKs send."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._send("POST", self._prefix + path, urlencode(form).encode(), headers)

    def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _send(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> Answer:
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
            try:
                self._connection.request(method, target, body=body, headers=headers)
                response = self._connection.getresponse()
                answer = Answer(response.status, response.read())
            except DROPPED_CONNECTION:
                # An idle kept-alive connection the server closed: reopen once, then give up.
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.close()
            return answer
        raise AssertionError("unreachable")
