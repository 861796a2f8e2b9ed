"""The local stack in a process of its own, so that load generators do not share its CPU lock.

    python -m bench.stack [--threads N] [--log FILE]    # the functions
    python -m bench.stack --deliver-to URL [--log FILE] # the local Eventarc deliverer
    python -m bench.stack --count-pushes [--log FILE]   # a relay that only counts pushes

Serves every function on a free port with the server a deployed function runs
(`devtools.server.serve_as_deployed`: functions-framework's gunicorn, keep-alive, the functions
loaded in its worker process), or runs the local
Eventarc deliverer towards a trigger function's URL: in production Eventarc is not in the
function's process either, and the deliverer's relay (the port the Firestore emulator pushes
events to, `EVENTARC_RELAY_PORT` in the environment) and its forwarding threads would compete
with the server for its interpreter lock.
Prints one JSON line `{"url": ..., "pid": ...}` when ready (`pid`: the process that runs the
functions); on SIGTERM stops and prints its counters as a last JSON line. `running_stack` starts
and stops them from the benchmark process.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.emulators import HOST

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 60.0
# Requests the functions' process serves at a time (functions-framework's THREADS). A request
# is mostly CPU under one interpreter lock: beyond two (one computing while one waits on
# Firestore) more threads only queue requests for the lock, in the worst order for the tail
# (docs/BENCHMARKS.md, "The stack's server").
SERVER_THREADS = 2
# Events the trigger function's process handles at a time. An event holds its thread through
# two Firestore round trips (the read, the commit) that take several times its CPU under load,
# and Eventarc spreads events over as many instances as it takes: with two threads the process,
# not the cores, capped the pipeline on a fresh emulator (docs/BENCHMARKS.md, "The trigger's
# concurrency").
EVENT_THREADS = 8


@dataclass
class Stack:
    """A running stack process: its base URL, the process serving, the deliverer's counters."""

    url: str
    process: subprocess.Popen[str]
    # The process whose CPU and memory are the functions' (gunicorn's worker, below `process`).
    pid: int
    final: dict[str, Any] = field(default_factory=dict)
    deliverer_pid: int | None = None  # the deliverer's process, when the stack has one


def _start(args: list[str], env: dict[str, str], log: Path) -> Stack:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.stack", "--log", str(log), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=log.with_suffix(".stderr").open("w"),
        text=True,
    )
    stdout = process.stdout
    assert stdout is not None
    ready: list[str] = []
    reader = threading.Thread(target=lambda: ready.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(READY_TIMEOUT)
    if not ready or not ready[0].strip():
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError(f"bench.stack {args} did not start; see {log.with_suffix('.stderr')}")
    line = json.loads(ready[0])
    return Stack(url=line.get("url", ""), process=process, pid=int(line.get("pid", process.pid)))


def _stop(stack: Stack) -> None:
    stack.process.send_signal(signal.SIGTERM)
    try:
        out, _ = stack.process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        out, _ = stack.process.communicate(timeout=10)
    lines = [line for line in (out or "").splitlines() if line.strip()]
    if lines:
        stack.final = json.loads(lines[-1])


@contextmanager
def running_stack(
    env: dict[str, str], log: Path, *, deliver: bool = False, threads: int = SERVER_THREADS
) -> Iterator[Stack]:
    """The functions (and with `deliver` the deliverer) in processes of their own.

    The functions' process serves `threads` requests at a time. The deliverer's counters land
    in the yielded stack's `final` once the block ends.
    """
    server = _start(["--threads", str(threads)], env, log)
    deliverer: Stack | None = None
    try:
        if deliver:
            target = server.url + "/_eventarc/on_transaction_created"
            deliverer = _start(
                ["--deliver-to", target], env, log.with_name(log.stem + "-eventarc.log")
            )
            server.deliverer_pid = deliverer.process.pid
        yield server
    finally:
        if deliverer is not None:
            _stop(deliverer)
            server.final = deliverer.final
        _stop(server)
        if deliverer is not None:
            server.final = deliverer.final


def _wait_for_sigterm() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()


def _logs_to(log: Path | None) -> None:
    from shared.logs import JsonFormatter, configure

    project = os.environ.get("GOOGLE_CLOUD_PROJECT")
    configure(project, json_logs=True)
    if log is not None:
        # The lines a deployed function writes, formatted (and redacted) as it formats them.
        handler = logging.FileHandler(log)
        handler.setFormatter(JsonFormatter(project))
        logging.getLogger().handlers[:] = [handler]
    # A deployed function's server logs no access lines (Cloud Run logs requests itself): the
    # local server's would be measured as the function's CPU.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _serve(log: Path | None, threads: int) -> int:
    from devtools.emulators import free_port
    from devtools.server import LocalFunctions, serve_as_deployed

    port = free_port()

    def ready(functions: LocalFunctions) -> None:
        # In the worker, after the fork: its logs go where the stack's go.
        _logs_to(log)
        print(json.dumps({"url": f"http://{HOST}:{port}", **functions.health()}), flush=True)

    serve_as_deployed(HOST, port, on_ready=ready, threads=threads)
    print(json.dumps({}), flush=True)
    return 0


def _deliver(target: str, log: Path | None) -> int:
    from google.cloud import firestore

    from devtools.eventarc import Deliverer
    from devtools.relay import relay_on

    _logs_to(log)
    db = firestore.Client(project=os.environ["GOOGLE_CLOUD_PROJECT"])
    deliverer = Deliverer(db, target).start()
    print(json.dumps({"target": target}), flush=True)
    _wait_for_sigterm()
    deliverer.wait_idle(10)
    deliverer.stop()
    stats = deliverer.stats
    final = {
        "relayUnclaimed": relay_on(deliverer.relay_port).unclaimed if deliverer.relay_port else 0,
        "received": stats.received,
        "delivered": stats.delivered,
        "failedAttempts": stats.failed_attempts,
        "deadLettered": stats.dead_lettered,
    }
    print(json.dumps(final), flush=True)
    return 0


def _count_pushes(log: Path | None) -> int:
    """Print the time of every transaction the emulator pushes, one line each, until SIGTERM."""
    from google.cloud import firestore

    from devtools.eventarc import Deliverer

    lock = threading.Lock()

    class Counter(Deliverer):
        """A deliverer that only notes when each push arrived: nothing is delivered."""

        def receive(self, headers: dict[str, str], body: bytes) -> None:
            with lock:  # one whole line per push, whichever connection it came on
                sys.stdout.write(f"{time.time():.6f}\n")
                sys.stdout.flush()

    _logs_to(log)
    db = firestore.Client(project=os.environ["GOOGLE_CLOUD_PROJECT"])
    counter = Counter(db, f"http://{HOST}:9/nothing", workers=1).start()
    print(json.dumps({}), flush=True)
    _wait_for_sigterm()
    counter.stop()
    return 0


@contextmanager
def counting_pushes(
    env: dict[str, str], log: Path, on_push: Callable[[], None] | None = None
) -> Iterator[list[float]]:
    """The times (`time.time()`) of the pushes a counting relay in another process received.

    In a process of its own, so that answering the emulator does not wait for this process's
    interpreter lock: the emulator waits for each answer before its next push. `on_push` is
    called for each push as it is read.
    """
    counter = _start(["--count-pushes"], env, log)
    stdout = counter.process.stdout
    assert stdout is not None
    pushed: list[float] = []

    def read() -> None:
        for line in stdout:
            pushed.append(float(line))
            if on_push is not None:
                on_push()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield pushed
    finally:
        counter.process.send_signal(signal.SIGTERM)
        try:
            counter.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            counter.process.kill()
            counter.process.wait(timeout=10)
        reader.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Run the functions, the deliverer or the push counter until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.stack", description=__doc__)
    parser.add_argument("--deliver-to", metavar="URL", help="deliver transactions to URL")
    parser.add_argument("--count-pushes", action="store_true", help="only count pushed events")
    parser.add_argument(
        "--threads", type=int, default=SERVER_THREADS, help="requests the functions serve at a time"
    )
    parser.add_argument("--log", type=Path, help="the log file")
    args = parser.parse_args(argv)
    if args.deliver_to:
        return _deliver(args.deliver_to, args.log)
    if args.count_pushes:
        return _count_pushes(args.log)
    return _serve(args.log, args.threads)


if __name__ == "__main__":
    sys.exit(main())
