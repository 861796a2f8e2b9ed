"""The relay the emulator pushes to: real HTTP on a free port, kept-alive connections."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from devtools.emulators import free_port
from devtools.relay import Relay, relay_on


class _Inbox:
    """A receiver that records what the relay hands it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, headers: dict[str, str], body: bytes) -> None:
        with self.lock:
            self.bodies.append(body)


@contextmanager
def _connected(relay: Relay) -> Iterator[http.client.HTTPConnection]:
    """One kept-alive connection to `relay`, as the emulator's pool holds one."""
    connection = http.client.HTTPConnection("127.0.0.1", relay.port, timeout=5)
    try:
        yield connection
    finally:
        connection.close()


def _push(connection: http.client.HTTPConnection, path: str, body: bytes) -> int:
    connection.request("POST", path, body=body, headers={"ce-id": body.decode()})
    response = connection.getresponse()
    response.read()
    return response.status


def test_a_connection_kept_alive_from_an_earlier_deliverer_reaches_the_next_one() -> None:
    relay = relay_on(free_port())
    first, second = _Inbox(), _Inbox()
    with _connected(relay) as connection:
        relay.attach("p", "trigger-1", first)
        assert _push(connection, "/functions/projects/p/triggers/trigger-1", b"a") == 204
        kept = connection.sock
        relay.detach("p", "trigger-1")
        relay.attach("p", "trigger-2", second)
        # The same TCP connection, as the emulator's pool would reuse it.
        assert _push(connection, "/functions/projects/p/triggers/trigger-2", b"b") == 204
        assert connection.sock is kept
    assert first.bodies == [b"a"] and second.bodies == [b"b"]


def test_pushes_for_a_detached_or_unknown_trigger_are_answered_and_counted() -> None:
    relay = relay_on(free_port())
    inbox = _Inbox()
    relay.attach("p", "mine", inbox)
    relay.detach("p", "mine")
    with _connected(relay) as connection:
        assert _push(connection, "/functions/projects/p/triggers/mine", b"late") == 204
        assert _push(connection, "/functions/projects/other/triggers/mine", b"x") == 204
    assert relay.unclaimed == 2 and inbox.bodies == []


@pytest.mark.parametrize(
    "path", ["/elsewhere", "/functions/projects/p", "/functions/projects//triggers/t"]
)
def test_a_path_that_names_no_trigger_is_refused(path: str) -> None:
    relay = relay_on(free_port())
    with _connected(relay) as connection:
        assert _push(connection, path, b"x") == 404
    assert relay.unclaimed == 0


def test_one_relay_per_port_and_a_taken_port_is_an_error() -> None:
    port = free_port()
    assert relay_on(port) is relay_on(port)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            relay_on(taken.getsockname()[1])


def test_a_receiver_that_fails_is_answered_500_and_the_connection_goes_on() -> None:
    relay = relay_on(free_port())
    inbox = _Inbox()

    def failing(headers: dict[str, str], body: bytes) -> None:
        raise RuntimeError("receiver bug")

    relay.attach("p", "broken", failing)
    relay.attach("p", "fine", inbox)
    with _connected(relay) as connection:
        assert _push(connection, "/functions/projects/p/triggers/broken", b"x") == 500
        assert _push(connection, "/functions/projects/p/triggers/fine", b"y") == 204
    assert inbox.bodies == [b"y"]
