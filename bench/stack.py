"""The local stack in a process of its own, so that load generators do not share its CPU lock.

    python -m bench.stack [--log FILE]                  # the functions
    python -m bench.stack --deliver-to URL [--log FILE] # the local Eventarc deliverer

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
from collections.abc import Iterator
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


@dataclass
class Stack:
    """A running stack process: its base URL, the process serving, the deliverer's counters."""

    url: str
    process: subprocess.Popen[str]
    # The process whose CPU and memory are the functions' (gunicorn's worker, below `process`).
    pid: int
    final: dict[str, Any] = field(default_factory=dict)


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
def running_stack(env: dict[str, str], log: Path, *, deliver: bool = False) -> Iterator[Stack]:
    """The functions (and with `deliver` the deliverer) in processes of their own.

    The deliverer's counters land in the yielded stack's `final` once the block ends.
    """
    server = _start([], env, log)
    deliverer: Stack | None = None
    try:
        if deliver:
            target = server.url + "/_eventarc/on_transaction_created"
            deliverer = _start(
                ["--deliver-to", target], env, log.with_name(log.stem + "-eventarc.log")
            )
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


def _serve(log: Path | None) -> int:
    from devtools.emulators import free_port
    from devtools.server import LocalFunctions, serve_as_deployed

    port = free_port()

    def ready(functions: LocalFunctions) -> None:
        # In the worker, after the fork: its logs go where the stack's go.
        _logs_to(log)
        print(json.dumps({"url": f"http://{HOST}:{port}", **functions.health()}), flush=True)

    serve_as_deployed(HOST, port, on_ready=ready, threads=SERVER_THREADS)
    print(json.dumps({}), flush=True)
    return 0


def _deliver(target: str, log: Path | None) -> int:
    from google.cloud import firestore

    from devtools.eventarc import Deliverer

    _logs_to(log)
    db = firestore.Client(project=os.environ["GOOGLE_CLOUD_PROJECT"])
    deliverer = Deliverer(db, target).start()
    print(json.dumps({"target": target}), flush=True)
    _wait_for_sigterm()
    deliverer.wait_idle(10)
    deliverer.stop()
    stats = deliverer.stats
    final = {
        "received": stats.received,
        "delivered": stats.delivered,
        "failedAttempts": stats.failed_attempts,
        "deadLettered": stats.dead_lettered,
    }
    print(json.dumps(final), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the functions or the deliverer until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.stack", description=__doc__)
    parser.add_argument("--deliver-to", metavar="URL", help="deliver transactions to URL")
    parser.add_argument("--log", type=Path, help="the log file")
    args = parser.parse_args(argv)
    if args.deliver_to:
        return _deliver(args.deliver_to, args.log)
    return _serve(args.log)


if __name__ == "__main__":
    sys.exit(main())
