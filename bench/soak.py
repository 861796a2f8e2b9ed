"""Section S: a saturation (soak) run of the two hot reads against the local stack.

`clients` sessions send, back to back and in turn, the DSQ list (V2,
GetProgressChallengesInfoForUser, as bench/latency.py sends it) and gm.getChallengeStatus (the
20 Gigya challenges, `details=full`, userKey + secret as bench/gigya_latency.py sends them) for
`seconds`, on the stack in another process (`bench.stack`). Counted: the requests done and the
errors (a transport error, a non-200 HTTP status, or an error envelope: V2 `statusCode != 1`,
Gigya `errorCode != 0`); and the stack process's resident memory (`VmRSS`) after a warm-up,
right before the run, and after it once the stack has settled.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.gigya import STATUS, status_params
from bench.gigya_data import GigyaFixture
from bench.latency import PER_PAGE
from bench.read_path import list_path, v2_headers
from bench.report import Figure, at_most, info

CLIENTS = 16
ERROR_GOAL = 0
RSS_GROWTH_GOAL = 10.0  # percent: the RSS after the run within 10% of the RSS before
DSQ = "DSQ list V2"
KEEP_ERRORS = 5
SAMPLE_EVERY = 5.0  # seconds between RSS samples during the run (a leak climbs, a plateau not)


def rss_kib(pid: int) -> int:
    """The resident memory of process `pid` in KiB (`VmRSS` in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class Soak:
    """What one soak run did: requests and errors by kind, the stack's RSS around it."""

    clients: int
    seconds: float
    requests: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    first_errors: list[str] = field(default_factory=list)
    rss_before_kib: int = 0
    rss_after_kib: int = 0
    rss_samples_kib: list[int] = field(default_factory=list)  # every SAMPLE_EVERY s of the run
    warmup: Soak | None = None  # the warm-up's own counts (its errors are not the run's)

    @property
    def total(self) -> int:
        """Requests done, errors included."""
        return sum(self.requests.values())

    @property
    def error_count(self) -> int:
        """Requests that failed."""
        return sum(self.errors.values())

    @property
    def rss_growth(self) -> float:
        """The RSS after the run relative to before, in percent."""
        return (self.rss_after_kib - self.rss_before_kib) / self.rss_before_kib * 100


def _error(kind: str, response: requests.Response) -> str | None:
    """Why `response` is a failure, or None."""
    if response.status_code != 200:
        return f"{kind} HTTP {response.status_code}: {response.text[:160]}"
    try:
        body = response.json()
    except ValueError:
        return f"{kind} not JSON: {response.text[:160]}"
    if kind == DSQ:
        ok = isinstance(body, dict) and body.get("statusCode") == 1
    else:
        ok = isinstance(body, dict) and body.get("errorCode") == 0
    return None if ok else f"{kind} envelope: {response.text[:160]}"


def _client(
    base_url: str, fixture: GigyaFixture, until: float, soak: Soak, lock: threading.Lock
) -> None:
    session = requests.Session()
    dsq_url = base_url + list_path("v2")
    dsq_params = {"ItemsPerPage": PER_PAGE, "Page": 1}
    dsq_headers = v2_headers(fixture.user)
    status_url = f"{base_url}/{STATUS}"
    status_form = {**fixture.auth(), **status_params(fixture)}
    done: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    first: list[str] = []
    turn = 0
    while time.perf_counter() < until:
        kind = DSQ if turn % 2 == 0 else STATUS
        turn += 1
        try:
            if kind == DSQ:
                response = session.get(dsq_url, params=dsq_params, headers=dsq_headers, timeout=10)
            else:
                response = session.post(status_url, data=status_form, timeout=10)
            error = _error(kind, response)
        except requests.RequestException as exc:
            error = f"{kind} {type(exc).__name__}: {exc}"[:200]
        done[kind] += 1
        if error is not None:
            errors[kind] += 1
            if len(first) < KEEP_ERRORS:
                first.append(error)
    with lock:
        soak.requests.update(done)
        soak.errors.update(errors)
        soak.first_errors.extend(first[: KEEP_ERRORS - len(soak.first_errors)])


def run(
    base_url: str,
    pid: int,
    fixture: GigyaFixture,
    seconds: float,
    clients: int = CLIENTS,
    warmup: float = 3.0,
    settle: float = 2.0,
) -> Soak:
    """Warm up, read the RSS, saturate for `seconds`, let the stack settle, read the RSS again."""
    warm = Soak(clients, warmup)
    _load(base_url, fixture, warm, warmup)
    soak = Soak(clients, seconds, warmup=warm)
    soak.rss_before_kib = rss_kib(pid)
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(pid, soak, done), daemon=True)
    sampler.start()
    _load(base_url, fixture, soak, seconds)
    done.set()
    sampler.join()
    time.sleep(settle)
    soak.rss_after_kib = rss_kib(pid)
    return soak


def _sample(pid: int, soak: Soak, done: threading.Event) -> None:
    while not done.wait(SAMPLE_EVERY):
        soak.rss_samples_kib.append(rss_kib(pid))


def _load(base_url: str, fixture: GigyaFixture, soak: Soak, seconds: float) -> None:
    lock = threading.Lock()
    until = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_client, args=(base_url, fixture, until, soak, lock))
        for _ in range(soak.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def figures(soak: Soak) -> list[Figure]:
    """Requests done (context), errors (goal 0), RSS before/after (context) and growth (goal)."""
    label = f"S soak {soak.seconds:g} s, {soak.clients} clients"
    detail = {
        "by_kind": dict(soak.requests),
        "errors_by_kind": dict(soak.errors),
        "first_errors": soak.first_errors,
        "requests_per_second": round(soak.total / soak.seconds, 1),
        "items_per_page": PER_PAGE,
    }
    mib = 1024
    warm = soak.warmup or Soak(soak.clients, 0)
    return [
        info(
            f"S warm-up {warm.seconds:g} s, {warm.clients} clients: errors",
            warm.error_count,
            "errors",
            requests=warm.total,
            errors_by_kind=dict(warm.errors),
            first_errors=warm.first_errors,
        ),
        info(f"{label}: requests done", soak.total, "requests", **detail),
        at_most(f"{label}: errors", soak.error_count, "errors", ERROR_GOAL, **detail),
        info(f"{label}: stack RSS before", round(soak.rss_before_kib / mib, 1), "MiB"),
        info(f"{label}: stack RSS after", round(soak.rss_after_kib / mib, 1), "MiB"),
        at_most(
            f"{label}: stack RSS growth",
            round(soak.rss_growth, 1),
            "%",
            RSS_GROWTH_GOAL,
            before_kib=soak.rss_before_kib,
            after_kib=soak.rss_after_kib,
            during_kib=soak.rss_samples_kib,
            sample_every_s=SAMPLE_EVERY,
        ),
    ]
