"""The port the Firestore emulator pushes events to: one server per port, for the process's life.

The emulator's Java client keeps its connections to the relay alive and pools them. A relay
that answered and then went away (a deliverer stopped, another started on the same port) would
leave pooled connections behind: the next push on one of them reaches a handler that no longer
has anyone to give the event to, and the emulator does not push it again. So a port's relay is
never shut down while the process lives: deliverers attach to it by trigger id and detach, and
every connection, however old, hands its events to whichever deliverer owns the trigger now.
Answering each push with `Connection: close` would avoid the problem too, at the price of a
TCP connection and a server thread per event: the pipeline's rate rose by about a third
without it (docs/BENCHMARKS.md, "The local Eventarc relay").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devtools.emulators import HOST

log = logging.getLogger(__name__)

# The emulator pushes to {this}{project}/triggers/{trigger id}.
PATH_PREFIX = "/functions/projects/"

# (the pushed request's headers, its body) -> None; called on the connection's thread.
Receive = Callable[[dict[str, str], bytes], None]


class Relay:
    """An HTTP server on one port that hands each pushed event to its trigger's deliverer."""

    def __init__(self, port: int) -> None:
        self.port = port
        # Pushes for a trigger nobody owns: one switched off whose events were in flight, or
        # one a killed deliverer left registered.
        self.unclaimed = 0
        self._receivers: dict[tuple[str, str], Receive] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((HOST, port), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, name=f"eventarc-relay-{port}", daemon=True
        ).start()

    def attach(self, project: str, trigger_id: str, receive: Receive) -> None:
        """Give the events pushed for `trigger_id` of `project` to `receive` from now on."""
        with self._lock:
            self._receivers[(project, trigger_id)] = receive

    def detach(self, project: str, trigger_id: str) -> None:
        """Stop giving `trigger_id`'s events to anyone; they are answered and counted unclaimed.

        A push already being handed over when this returns still reaches the old receiver.
        """
        with self._lock:
            self._receivers.pop((project, trigger_id), None)

    def dispatch(self, path: str, headers: dict[str, str], body: bytes) -> bool:
        """Hand one pushed event to its receiver; False when `path` is no trigger's."""
        project, sep, trigger_id = path.removeprefix(PATH_PREFIX).partition("/triggers/")
        if not path.startswith(PATH_PREFIX) or not sep or not project or not trigger_id:
            return False
        with self._lock:
            receive = self._receivers.get((project, trigger_id))
            if receive is None:
                self.unclaimed += 1
        if receive is not None:
            receive(headers, body)
        return True


_relays: dict[int, Relay] = {}
_relays_lock = threading.Lock()


def relay_on(port: int) -> Relay:
    """This process's relay on `port`, serving from the first call on (OSError: port taken)."""
    with _relays_lock:
        relay = _relays.get(port)
        if relay is None:
            relay = _relays[port] = Relay(port)
        return relay


def _handler(relay: Relay) -> type[BaseHTTPRequestHandler]:
    class RelayHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # kept alive: see the module's docstring

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                status = 204 if relay.dispatch(self.path, dict(self.headers.items()), body) else 404
            except Exception:  # answered all the same: the connection stays usable
                log.exception("relay: the receiver of %s failed", self.path)
                status = 500
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("relay: " + format, *args)

    return RelayHandler
