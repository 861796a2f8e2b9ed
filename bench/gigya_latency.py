"""Section G against the local stack in another process: gm.* latency next to the DSQ list's.

The stack (`bench.stack`) serves every function with `GIGYA_ALLOW_SECRET_OVER_HTTP=true`, so
requests authenticate with the fixture's userKey + secret over plain HTTP. The DSQ list (V2,
as bench/latency.py sends it) and gm.getChallengeStatus read the same user document and run
one after the other on the same stack, so their tails compare. Only answers with HTTP 200 and
`errorCode` 0 count; any failure misses the goal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from bench import latency
from bench.gigya import NOTIFY, NOTIFY_ACTIONS, STATUS, notify_params, status_params
from bench.gigya_data import GigyaFixture
from bench.keep_alive import KeepAlive
from bench.latency import Load
from bench.report import Figure, info

P99_RATIO_GOAL = 1.5  # gm.getChallengeStatus p99 / the DSQ list's p99, at 8 clients
ParamsFor = Callable[[int], dict[str, str]]  # request index -> form


def stack_env(env: dict[str, str]) -> dict[str, str]:
    """The stack's environment: the benchmark's, with userKey + secret allowed over HTTP."""
    return {**env, "GIGYA_ALLOW_SECRET_OVER_HTTP": "true"}


def _client(
    base_url: str,
    method: str,
    auth: dict[str, str],
    params_for: ParamsFor,
    counter: list[int],
    until: float,
    load: Load,
    lock: threading.Lock,
) -> None:
    client = KeepAlive(base_url)
    mine: list[float] = []
    failures: list[str] = []
    while time.perf_counter() < until:
        with lock:
            index = counter[0]
            counter[0] += 1
        form = {**auth, **params_for(index)}
        started = time.perf_counter()
        try:
            answer = client.post_form(f"/{method}", form)
        except OSError as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
            continue
        elapsed = (time.perf_counter() - started) * 1000
        code = None
        if answer.status == 200:
            try:
                code = answer.json().get("errorCode")
            except ValueError:
                code = None
        if code == 0:
            mine.append(elapsed)
        else:
            failures.append(f"{answer.status}: {answer.text[:160]}")
    client.close()
    with lock:
        load.latencies.extend(mine)
        load.failures.extend(failures)


def run_gm_load(
    base_url: str,
    fixture: GigyaFixture,
    method: str,
    params_for: ParamsFor,
    clients: int,
    seconds: float,
    label: str | None = None,
) -> Load:
    """`clients` sessions posting `method` back to back for `seconds`."""
    load = Load(label or method, clients, seconds)
    lock = threading.Lock()
    counter = [0]
    until = time.perf_counter() + seconds
    threads = [
        threading.Thread(
            target=_client,
            args=(base_url, method, fixture.auth(), params_for, counter, until, load, lock),
        )
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load


@dataclass(frozen=True)
class GigyaLoads:
    """The runs of one stack: the DSQ list and gm.getChallengeStatus at 1 and 8 clients, notify."""

    dsq: list[Load]
    status: list[Load]
    notify: list[Load]


def measure(base_url: str, fixture: GigyaFixture, seconds: float, warmup: float) -> GigyaLoads:
    """Warm up both reads, then DSQ list and gm.getChallengeStatus at 1 and 8, notify at 1."""
    status = status_params(fixture)

    def status_for(_: int) -> dict[str, str]:
        return status

    latency.run_load(base_url, fixture.read, "v2", 8, warmup)
    run_gm_load(base_url, fixture, STATUS, status_for, 8, warmup)
    dsq = [latency.run_load(base_url, fixture.read, "v2", n, seconds) for n in (1, 8)]
    reads = [run_gm_load(base_url, fixture, STATUS, status_for, n, seconds) for n in (1, 8)]
    notify = []
    for kind, action in NOTIFY_ACTIONS.items():

        def notify_for(index: int, action: str = action) -> dict[str, str]:
            return notify_params(action, index)

        run_gm_load(base_url, fixture, NOTIFY, notify_for, 1, warmup / 2)
        notify.append(
            run_gm_load(base_url, fixture, NOTIFY, notify_for, 1, seconds, f"{NOTIFY} {kind}")
        )
    return GigyaLoads(dsq, reads, notify)


def _detail(load: Load) -> dict[str, object]:
    return {
        "requests": len(load.latencies),
        "requests_per_second": round(load.rate, 1),
        "failures": len(load.failures),
        "first_failures": load.failures[:3],
        "seconds": load.seconds,
    }


def _clients(n: int) -> str:
    return f"{n} client{'s' * (n > 1)}"


def figures(loads: GigyaLoads) -> list[Figure]:
    """G2 p50/p99 of both reads, the ratio of their p99 at 8 clients (goal); G3 notify."""
    out: list[Figure] = []
    for load in loads.dsq:
        label = f"G2 DSQ list V2 (ItemsPerPage={latency.PER_PAGE}), {_clients(load.clients)}"
        out.append(info(f"{label} p50", load.p(50), "ms", **_detail(load)))
        out.append(info(f"{label} p99", load.p(99), "ms", **_detail(load)))
    for load in loads.status:
        label = f"G2 {STATUS} (20 challenges, full), {_clients(load.clients)}"
        out.append(info(f"{label} p50", load.p(50), "ms", **_detail(load)))
        out.append(info(f"{label} p99", load.p(99), "ms", **_detail(load)))
    dsq8 = next(load for load in loads.dsq if load.clients == 8)
    status8 = next(load for load in loads.status if load.clients == 8)
    ratio = status8.p(99) / dsq8.p(99) if dsq8.latencies else float("nan")
    met = ratio <= P99_RATIO_GOAL and not dsq8.failures and not status8.failures
    out.append(
        replace(
            info(
                f"G2 {STATUS} p99 / DSQ list p99, 8 clients",
                ratio,
                "x",
                status_p99_ms=round(status8.p(99), 1),
                dsq_p99_ms=round(dsq8.p(99), 1),
            ),
            goal=f"<= {P99_RATIO_GOAL:g} x",
            met=met,
        )
    )
    for load in loads.notify:
        label = f"G3 {load.version}, {_clients(load.clients)}"
        out.append(info(f"{label} p50", load.p(50), "ms", **_detail(load)))
        p99 = info(f"{label} p99", load.p(99), "ms", **_detail(load))
        out.append(replace(p99, met=False, goal="no failures") if load.failures else p99)
    return out
