"""Read latency against the local stack served in another process, at 1 and at 8 clients."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bench.data import ReadFixture
from bench.keep_alive import KeepAlive
from bench.read_path import list_path, v1_headers, v2_headers
from bench.report import Figure, at_most, info, percentile

P99_GOAL_MS = 34.0
PER_PAGE = 10
Headers = Callable[[], dict[str, str]]


@dataclass
class Load:
    """Latencies (ms) of the successful requests of one run, and its failures."""

    version: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.seconds

    def p(self, q: float) -> float:
        """The q-th percentile latency in ms."""
        return percentile(self.latencies, q)


def _client(
    base_url: str,
    path: str,
    params: dict[str, str | int],
    headers: Headers,
    until: float,
    load: Load,
    lock: threading.Lock,
) -> None:
    client = KeepAlive(base_url)
    mine: list[float] = []
    failures: list[str] = []
    while time.perf_counter() < until:
        sent = headers()
        started = time.perf_counter()
        try:
            answer = client.get(path, params, sent)
        except OSError as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
            continue
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status == 200:
            mine.append(elapsed)
        else:
            failures.append(f"{answer.status}: {answer.text[:120]}")
    client.close()
    with lock:
        load.latencies.extend(mine)
        load.failures.extend(failures)


def run_load(
    base_url: str, fixture: ReadFixture, version: str, clients: int, seconds: float
) -> Load:
    """`clients` sessions sending list requests back to back for `seconds`."""
    path = list_path(version)
    params: dict[str, str | int] = {"ItemsPerPage": PER_PAGE, "Page": 1}
    headers: Headers
    if version == "v1":
        params["UserId"] = fixture.user
        # One-use messages, minted before the clock starts (generously: 400 per client-second).
        messages = deque(
            v1_headers(fixture, "GET", path) for _ in range(int(400 * clients * seconds) + 50)
        )

        def headers() -> dict[str, str]:
            try:
                return messages.popleft()
            except IndexError:
                return v1_headers(fixture, "GET", path)
    else:
        token = v2_headers(fixture.user)

        def headers() -> dict[str, str]:
            return token

    load = Load(version, clients, seconds)
    lock = threading.Lock()
    until = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_client, args=(base_url, path, params, headers, until, load, lock))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load


def measure(base_url: str, fixture: ReadFixture, seconds: float, warmup: float) -> list[Load]:
    """Warm up, then V2 at 1 and 8 clients and V1 at 8 clients."""
    run_load(base_url, fixture, "v2", 8, warmup)
    run_load(base_url, fixture, "v1", 2, warmup / 2)
    return [
        run_load(base_url, fixture, "v2", 1, seconds),
        run_load(base_url, fixture, "v2", 8, seconds),
        run_load(base_url, fixture, "v1", 8, seconds),
    ]


def figures(loads: list[Load]) -> list[Figure]:
    """p50 (context) and p99 (goal at 8 clients) per run."""
    out: list[Figure] = []
    for load in loads:
        label = f"A3 read {load.version.upper()} {load.clients} client{'s' * (load.clients > 1)}"
        detail = {
            "requests": len(load.latencies),
            "requests_per_second": round(load.rate, 1),
            "failures": len(load.failures),
            "first_failures": load.failures[:3],
            "seconds": load.seconds,
            "items_per_page": PER_PAGE,
        }
        out.append(info(f"{label} p50", load.p(50), "ms", **detail))
        name = f"{label} p99"
        if load.clients >= 8:
            figure = at_most(name, load.p(99), "ms", P99_GOAL_MS, **detail)
            if load.failures:
                figure = replace(figure, met=False)
            out.append(figure)
        else:
            out.append(info(name, load.p(99), "ms", **detail))
    return out
