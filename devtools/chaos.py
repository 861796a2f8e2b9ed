"""`make chaos`: the real local pipeline under injected failures, then the audit.

    python -m devtools.chaos [--transactions 10000] [--users 500] [--small] [--json]

Writes ledger transactions for many users over a catalog that exercises every trigger kind
(devtools/chaos_catalog.py), through the pipeline `make dev` runs: the Firestore emulator pushes
each new `transactions` document to the local Eventarc deliverer, which posts it to the trigger
function, here in a functions-framework process of its own. Meanwhile it injects: crashes after
random write steps in a share of deliveries (CHAOS_FAULT_RATE, shared/engine/chaos.py), the
function's process killed and restarted, duplicate deliveries, deliveries held back and so
reordered, the emulator paused (SIGSTOP/SIGCONT of its process group) for seconds at a time,
and concurrent gm.notifyAction calls against capped actions. The deliverer retries with backoff,
so every event ends up counted or dead-lettered. Then the ranks are folded, the audit runs
(shared/audit), and the run prints what it injected and what it checked; it exits 1 on any
difference (docs/OPERATIONS.md).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from devtools import chaos_catalog as cc
from devtools.emulators import HOST, free_port
from devtools.eventarc import Deliverer, Event, RetryPolicy
from devtools.ledger import COMMANDS, build_transaction
from shared.enums import TransactionType
from shared.repository import paths, progress_repo
from shared.schema import ledger as tx

if TYPE_CHECKING:
    from google.cloud import firestore

    from shared.audit.run import AuditReport

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = Path(sys.executable).parent / "functions-framework"
PROJECT = "demo-chaos"
GIGYA_API_KEY = "3_chaos"
# The share of each kind of ledger transaction the run writes.
MIX: tuple[tuple[str, float], ...] = (
    ("earn", 0.36),
    ("subscribe", 0.12),
    ("redeem", 0.08),
    ("redeem-voucher", 0.08),
    ("tier", 0.06),
    ("action", 0.22),
    ("old", 0.03),  # backdated weeks: the past challenge's window, beyond every hour bucket kept
    ("malformed", 0.02),  # refused by the engine: dead-lettered
    ("rewrite", 0.02),  # an entry written again under another id (same `sequence`)
)
ACTIONS_MIX: tuple[tuple[str, float], ...] = (
    (cc.CHECK_IN, 0.3),
    (cc.REVIEW, 0.25),
    (cc.SHARE, 0.2),
    (cc.LIKE, 0.1),
    (cc.LEGACY, 0.08),
    (cc.UNKNOWN_ACTION, 0.07),
)
# One user's burst of concurrent gm.notifyAction calls: more than the caps let through.
NOTIFY_BURST: tuple[str, ...] = (
    (cc.CHECK_IN,) * 5 + (cc.REVIEW,) * 3 + (cc.SHARE,) * 2 + (cc.LEGACY,)
)
GIGYA_OK, GIGYA_CAPPED, GIGYA_INVALID_ACTION = 0, 400124, 400126


@dataclass(frozen=True)
class ChaosConfig:
    """How big the run is and how much it injects."""

    transactions: int = 10_000
    users: int = 500
    voucher_codes: int = 60
    fault_rate: float = 0.3  # deliveries doomed to crash after a write step (each step 60 %)
    duplicate_rate: float = 0.2  # events delivered twice
    reorder_rate: float = 0.3  # events held back up to `max_hold` seconds
    max_hold: float = 2.0
    kills: int = 6  # the function's process killed (and restarted)
    pauses: int = 4  # the emulator paused
    pause_seconds: tuple[float, float] = (2.0, 5.0)
    notify_users: int = 40  # users sending a burst of gm.notifyAction calls
    write_rate: float = 90.0  # ledger writes per second (0: as fast as 8 writers go)
    max_attempts: int = 20
    max_backoff: float = 8.0
    seed: int = 7
    drain_seconds: float = 900.0


# `make test`'s size: a few faults of each kind in well under 90 s.
SMALL = ChaosConfig(
    transactions=300,
    users=30,
    voucher_codes=6,
    kills=2,
    pauses=2,
    pause_seconds=(2.0, 2.5),
    notify_users=4,
    write_rate=50.0,
    max_attempts=20,
    max_backoff=1.5,
    drain_seconds=60.0,
)


class Tally:
    """Counts of what was injected, from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.seconds: dict[str, float] = {}

    def add(self, name: str, n: int = 1) -> None:
        """Count `n` more of `name`."""
        with self._lock:
            self.counts[name] += n

    def time(self, name: str, seconds: float) -> None:
        """Add seconds spent in `name`."""
        with self._lock:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds


# --- the ledger ---------------------------------------------------------------------------------


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]]) -> str:
    return rng.choices([name for name, _ in mix], weights=[w for _, w in mix])[0]


def user_ids(config: ChaosConfig) -> list[str]:
    """The run's users (phone-number-like ids, one set per seed)."""
    return [f"+2015{config.seed % 100:02d}{i:06d}" for i in range(config.users)]


@dataclass
class _Ledger:
    sequence: int = 0
    balance: float = 0.0
    written: list[dict[str, Any]] = field(default_factory=list)


def plan_transactions(
    config: ChaosConfig, now: datetime, rng: random.Random
) -> list[tuple[str, dict[str, Any], str]]:
    """The ledger's transactions in writing order: (document id, fields, kind)."""
    users = user_ids(config)
    ledgers = {user: _Ledger() for user in users}
    order = list(range(config.transactions))
    planned: list[tuple[str, dict[str, Any], str]] = []
    span = timedelta(hours=3)
    for i in order:
        user = users[i % len(users)] if i < len(users) else rng.choice(users)
        ledger = ledgers[user]
        kind = _pick(rng, MIX)
        at = (
            now
            - span
            + span * (i / max(1, config.transactions))
            + timedelta(milliseconds=rng.randint(0, 999))
        )
        data = _transaction(kind, user, ledger, at, now, rng)
        planned.append((f"chaos-{config.seed}-{i:06d}", data, kind))
    # Two transactions naming no user at all: dead-lettered, and found by the audit's last pass.
    for n in range(2 if config.transactions >= 1000 else 1):
        data = build_transaction(TransactionType.EARN_POINTS, users[0], occurred_at=now, points=1)
        data.pop(progress_repo.USER_ID_FIELD)
        planned.append((f"chaos-{config.seed}-nouser-{n}", data, "malformed"))
    return planned


def _transaction(
    kind: str, user: str, ledger: _Ledger, at: datetime, now: datetime, rng: random.Random
) -> dict[str, Any]:
    if kind == "rewrite":
        if ledger.written:
            return dict(rng.choice(ledger.written))
        kind = "earn"
    if kind == "malformed":
        # What the ledger's contract refuses (docs/ENGINE.md, validation): named as it names them.
        data = build_transaction(TransactionType.EARN_POINTS, user, occurred_at=at, points=10)
        broken: dict[str, Any] = rng.choice(
            [{tx.POINTS: None}, {tx.TYPE: 9}, {tx.POINTS: -5}, {tx.OCCURRED_AT: "x"}]
        )
        return {**data, **broken}
    ledger.sequence += 1
    fields: dict[str, Any] = {"occurred_at": at, "sequence": ledger.sequence}
    command = kind
    if kind in ("earn", "old"):
        points = rng.choice([20, 50, 80, 120, 200])
        ledger.balance += points
        fields.update(points=points, balance_after=ledger.balance)
        if kind == "old":
            fields["occurred_at"] = now - timedelta(days=rng.uniform(16, 30))
            command = "earn"
    elif kind == "redeem":
        points = int(min(ledger.balance, rng.choice([30, 60, 100])))
        ledger.balance -= points
        fields.update(points=points, balance_after=ledger.balance)
    elif kind in ("subscribe", "redeem-voucher"):
        fields["voucher_id"] = f"V-{rng.randint(1, 9)}"
    elif kind == "tier":
        fields["tier"] = rng.randint(1, 5)
    elif kind == "action":
        fields["action_id"] = _pick(rng, ACTIONS_MIX)
        if rng.random() < 0.7:
            fields["attributes"] = {cc.BRANCH: rng.choice(cc.BRANCHES)}
    data = build_transaction(COMMANDS[command], user, **fields)
    ledger.written.append(data)
    return data


# --- processes ----------------------------------------------------------------------------------


class FunctionProcess:
    """One function of main.py served by functions-framework in a process group of its own."""

    def __init__(
        self, target: str, signature: str, env: dict[str, str], log_path: Path, port: int = 0
    ) -> None:
        self.target = target
        self.signature = signature
        self.env = env
        self.log_path = log_path
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where it answers."""
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        """Start it (a fresh process)."""
        command = [
            str(FRAMEWORK),
            "--source",
            str(ROOT / "main.py"),
            "--target",
            self.target,
            "--signature-type",
            self.signature,
            "--host",
            HOST,
            "--port",
            str(self.port),
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until it answers HTTP at all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.target} exited; see {self.log_path}")
            try:
                requests.get(self.url + "/robots.txt", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"{self.target} did not start within {timeout}s; see {self.log_path}")

    def alive(self) -> bool:
        """Whether its process runs."""
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL its whole process group (gunicorn's arbiter and worker): a crash."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop it."""
        if self.process is None or self.process.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


class ChaosDeliverer(Deliverer):
    """The local Eventarc deliverer, delivering some events twice and holding some back."""

    def __init__(
        self,
        *args: Any,
        config: ChaosConfig,
        rng: random.Random,
        tally: Tally,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._config = config
        self._rng = rng
        self._rng_lock = threading.Lock()
        self._tally = tally
        self._held: list[tuple[float, int, Event]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._closing = False
        self._releaser = threading.Thread(target=self._release, name="chaos-held", daemon=True)
        self._releaser.start()

    def submit(self, event: Event) -> None:
        """Deliver `event`, maybe twice, maybe after a while."""
        with self._rng_lock:
            copies = [event]
            if self._rng.random() < self._config.duplicate_rate:
                copies.append(replace(event, attempts=0, last_error=""))
            holds = [
                self._rng.uniform(0.05, self._config.max_hold)
                if self._rng.random() < self._config.reorder_rate
                else 0.0
                for _ in copies
            ]
        if len(copies) > 1:
            self._tally.add("duplicated")
        for copy, hold in zip(copies, holds, strict=True):
            if hold:
                self._tally.add("reordered")
                with self._cond:
                    heapq.heappush(self._held, (time.monotonic() + hold, next(self._order), copy))
                    self._cond.notify()
            else:
                super().submit(copy)

    def _post(self, event: Event) -> tuple[bool, str]:
        ok, error = super()._post(event)
        # Whether the post reached the function (a 2xx or an error it answered) or not (down).
        self._tally.add("posts.answered" if ok or error.startswith("HTTP") else "posts.unanswered")
        return ok, error

    def _release(self) -> None:
        while True:
            with self._cond:
                while not self._closing and (not self._held or self._held[0][0] > time.monotonic()):
                    timeout = self._held[0][0] - time.monotonic() if self._held else None
                    self._cond.wait(timeout)
                if self._closing:
                    return
                _, _, event = heapq.heappop(self._held)
            super().submit(event)

    def held(self) -> int:
        """Events held back, not yet handed to the workers."""
        with self._cond:
            return len(self._held)

    def stop(self) -> None:
        """Stop holding, then stop delivering."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._releaser.join(timeout=5)
        super().stop()


# --- the run ------------------------------------------------------------------------------------


@dataclass
class ChaosReport:
    """What the run injected, what the pipeline did, and what the audit found."""

    config: ChaosConfig
    seconds: float
    written: Counter[str]
    injected: Counter[str]
    injected_seconds: dict[str, float]
    faults: Counter[str]
    deliveries: dict[str, int]
    notify: Counter[str]
    audit: AuditReport

    @property
    def attempts(self) -> int:
        """Deliveries posted to the function (first attempts, retries and duplicates)."""
        return self.deliveries.get("delivered", 0) + self.deliveries.get("failed_attempts", 0)

    @property
    def answered(self) -> int:
        """Deliveries the function answered (not those posted while it was down)."""
        return self.injected["posts.answered"]

    @property
    def fault_share(self) -> float:
        """The share of answered deliveries that crashed after a write step."""
        return sum(self.faults.values()) / self.answered if self.answered else 0.0

    @property
    def ok(self) -> bool:
        """No difference found."""
        return not self.audit.differences

    def note_kinds(self) -> Counter[str]:
        """The audit's notes by kind (docs/OPERATIONS.md)."""
        kinds: Counter[str] = Counter()
        for note in self.audit.notes:
            if "completed the parent" in note.message:
                kinds["a parent's completing transaction not counted for its child"] += 1
            elif "raced the parent's completion" in note.message:
                kinds["a child's transaction processed before its parent completed"] += 1
            else:
                kinds["other"] += 1
        return kinds

    def checks(self) -> list[tuple[str, str]]:
        """What was checked, with the audit's counts: (what, result)."""
        t = self.audit.findings.tally
        by_check = Counter(f.check for f in self.audit.differences)

        def result(*names: str) -> str:
            n = sum(by_check[name] for name in names)
            return "ok" if n == 0 else f"{n} differences"

        accounted = (
            t["transactions.counted"]
            + t["transactions.sameLedgerEntry"]
            + t["transactions.rewardCredits"]
            + t["transactions.countForNothing"]
            + t["transactions.deadLettered"]
            + t["transactions.malformedDeadLettered"]
        )
        return [
            (
                f"every transaction counted or dead-lettered: {t['transactions']} transactions, "
                f"{accounted} accounted for ({t['transactions.counted']} counted, "
                f"{t['transactions.deadLettered'] + t['transactions.malformedDeadLettered']} "
                "dead-lettered)",
                result("counted"),
            ),
            (
                f"exact totals: {t['challengeEntries']} progress entries, "
                f"{t['users']} users' `_default` points and buckets, "
                f"{t['leaderboardEntries']} leaderboard entries",
                result("totals", "states", "points", "leaderboard"),
            ),
            (
                f"one milestone per level: {t['milestones']} milestones, peopleFinished of "
                f"{t['peopleFinished.challenges']} challenges",
                result("milestones", "peopleFinished"),
            ),
            (
                f"prizes issued once: {t['prizes.points']} points prizes with one credit each, "
                f"{t['prizes.badges']} badges, {t['prizes.vouchers']} vouchers, "
                f"{t['prizes.vouchersOutOfStock']} out of stock",
                result("prizes"),
            ),
            (
                f"no voucher code twice: {t['vouchers.claims']} claims, "
                f"{t['vouchers.assignments']} assignments, {t['vouchers.codesTaken']} codes "
                f"taken of {self.config.voucher_codes}",
                result("vouchers"),
            ),
            (
                f"caps: {t['caps.logEntries']} capped notifications within dailyCap "
                f"{cc.DAILY_CAP} and freqCap {cc.FREQ_CAP_SECONDS}s",
                result("caps"),
            ),
            (f"ranks: {t['ranks.boards']} rank tables = their entries", result("ranks")),
        ]

    def summary(self) -> str:
        """What was injected, what was checked, what was found."""
        written = sum(self.written.values())
        faults = sum(self.faults.values())
        steps = ", ".join(f"{step} {n}" for step, n in sorted(self.faults.items()))
        lines = [
            f"chaos run: {self.config.transactions} ledger transactions for "
            f"{self.config.users} users in {self.seconds:.0f}s",
            "injected:",
            f"  events: {written} transactions written ("
            + ", ".join(f"{k} {n}" for k, n in sorted(self.written.items()))
            + f"); gm.notifyAction {sum(self.notify.values())} calls ("
            + ", ".join(f"{k} {n}" for k, n in sorted(self.notify.items()))
            + ")",
            f"  crashes after a write step: {faults} ({self.fault_share:.0%} of the "
            f"{self.answered} deliveries the function answered; after {steps})",
            f"  function process killed: {self.injected['kills']} times, down "
            f"{self.injected_seconds.get('kills', 0.0):.1f}s in all "
            f"({self.injected['posts.unanswered']} deliveries found it down)",
            f"  emulator paused: {self.injected['pauses']} times, "
            f"{self.injected_seconds.get('pauses', 0.0):.1f}s in all",
            f"  duplicate deliveries: {self.injected['duplicated']}; held back (reordered): "
            f"{self.injected['reordered']}",
            f"  deliverer: {self.deliveries.get('received', 0)} events received, "
            f"{self.deliveries.get('delivered', 0)} delivered, "
            f"{self.deliveries.get('failed_attempts', 0)} failed attempts retried, "
            f"{self.deliveries.get('dead_lettered', 0)} dead-lettered",
            "checked (the audit, shared/audit):",
            *(f"  {what}: {result}" for what, result in self.checks()),
            self.audit.summary(),
        ]
        if self.audit.notes:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.note_kinds().items()))
            lines.append(f"notes ({len(self.audit.notes)}: {kinds}), the first 5:")
            lines += ["  " + finding.line() for finding in self.audit.notes[:5]]
        for finding in self.audit.differences[:50]:
            lines.append("  " + finding.line())
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The report as JSON."""
        return {
            "config": asdict(self.config),
            "seconds": round(self.seconds, 1),
            "written": dict(self.written),
            "injected": {**self.injected, "faults": dict(self.faults)},
            "injectedSeconds": dict(self.injected_seconds),
            "deliveries": {**self.deliveries, "attempts": self.attempts},
            "notify": dict(self.notify),
            "checks": [{"what": what, "result": result} for what, result in self.checks()],
            "notes": dict(self.note_kinds()),
            "audit": self.audit.as_json(),
        }


def _thresholds(count: int, low: float, high: float) -> list[float]:
    return [low + (high - low) * (i + 1) / (count + 1) for i in range(count)]


class _Chaos:
    """The injections that are not per delivery: kills and pauses, at points of the writing."""

    def __init__(
        self,
        config: ChaosConfig,
        function: FunctionProcess,
        emulator_pid: int,
        rng: random.Random,
        tally: Tally,
        progress: Callable[[], float],
    ) -> None:
        self.config = config
        self.function = function
        self.pgid = os.getpgid(emulator_pid)
        self.rng = rng
        self.tally = tally
        self.progress = progress
        plan = [(at, "kill") for at in _thresholds(config.kills, 0.1, 0.9)]
        plan += [(at, "pause") for at in _thresholds(config.pauses, 0.15, 0.95)]
        self.plan = sorted(plan)
        self.done = threading.Event()
        self.writing_done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="chaos", daemon=True)

    def _run(self) -> None:
        try:
            for at, what in self.plan:
                while self.progress() < at and not self.writing_done.is_set():
                    time.sleep(0.05)
                if self.writing_done.is_set():
                    time.sleep(1.0)  # what is left happens while the deliveries drain
                self.kill() if what == "kill" else self.pause()
        finally:
            self.done.set()

    def kill(self) -> None:
        """Kill the function's process, and start it again a moment later."""
        self.function.kill()
        self.tally.add("kills")
        down = time.monotonic()
        time.sleep(self.rng.uniform(0.2, 1.0))
        self.function.start()
        with suppress(RuntimeError):
            self.function.wait_ready()
        self.tally.time("kills", time.monotonic() - down)

    def pause(self) -> None:
        """SIGSTOP the emulator's process group for a few seconds, then SIGCONT."""
        seconds = self.rng.uniform(*self.config.pause_seconds)
        os.killpg(self.pgid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            os.killpg(self.pgid, signal.SIGCONT)
        self.tally.add("pauses")
        self.tally.time("pauses", seconds)


def _gigya_credentials(db: firestore.Client) -> dict[str, str]:
    from shared.gigya import credentials

    api_key = credentials.create_site(db, "chaos", GIGYA_API_KEY)
    user_key, secret = credentials.create_application(db, api_key, "chaos")
    return {"apiKey": api_key, "userKey": user_key, "secret": secret}


def _notify(url: str, auth: dict[str, str], user: str, action: str, branch: str) -> str:
    form = {
        **auth,
        "UID": user,
        "action": action,
        "actionAttributes": json.dumps({"branch": branch}),
    }
    try:
        body = requests.post(url + "/gm.notifyAction", data=form, timeout=60).json()
    except (requests.RequestException, ValueError) as error:
        return f"no answer ({type(error).__name__})"
    code = int(body.get("errorCode", -1))
    return {GIGYA_OK: "counted", GIGYA_CAPPED: "refused by a cap"}.get(
        code,
        "refused: unknown or disabled action" if code == GIGYA_INVALID_ACTION else f"error {code}",
    )


def _drain(deliverer: ChaosDeliverer, function: FunctionProcess, timeout: float) -> bool:
    """Wait until every event is delivered or dead-lettered and nothing new arrives for 2 s."""
    deadline = time.monotonic() + timeout
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if not function.alive():
            function.start()
        idle = deliverer.wait_idle(1.0) and deliverer.held() == 0
        received = deliverer.stats.received
        if not idle or received != last:
            last, quiet_since = received, time.monotonic()
        elif time.monotonic() - quiet_since >= 2.0:
            return True
        time.sleep(0.2)
    return False


def fold_ranks(db: firestore.Client) -> None:
    """Refresh the ranks until a refresh has nothing left to fold."""
    from shared.clock import utcnow
    from shared.repository.leaderboards_repo import refresh

    for _ in range(20):
        report = refresh(db, utcnow())
        if not report.entries_folded and not report.skipped:
            return


def run_chaos(
    config: ChaosConfig,
    *,
    db: firestore.Client,
    relay_port: int,
    emulator_pid: int,
    log_dir: Path,
    echo: Callable[[str], None] = lambda _: None,
) -> ChaosReport:
    """One chaos run against the emulator `db` talks to; the emulator must push to `relay_port`."""
    from devtools.rank_refresher import RankRefresher
    from shared.audit.run import run_audit
    from shared.catalog.validation import validate_catalog
    from shared.repository.catalog_repo import save_catalog

    started = time.monotonic()
    log_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(config.seed)
    tally = Tally()
    now = datetime.now(UTC)
    faults_log = log_dir / f"faults-{uuid.uuid4().hex[:8]}.log"
    faults_log.touch()
    catalog = cc.chaos_catalog(now, config.voucher_codes)
    validate_catalog(catalog.model_dump(mode="json"))
    save_catalog(db, catalog)
    gigya = _gigya_credentials(db)
    env = {
        **os.environ,
        "GOOGLE_CLOUD_PROJECT": db.project,
        "IMAGES_BUCKET": os.environ.get("IMAGES_BUCKET", "chaos-images"),
        "LOG_JSON": "false",
        "GIGYA_ALLOW_SECRET_OVER_HTTP": "true",
    }
    trigger_env = {
        **env,
        "CHAOS_FAULT_RATE": str(config.fault_rate),
        "CHAOS_FAULT_LOG": str(faults_log),
    }
    function = FunctionProcess(
        "on_transaction_created", "cloudevent", trigger_env, log_dir / "on_transaction_created.log"
    )
    notifier = FunctionProcess("gm_notify_action", "http", env, log_dir / "gm_notify_action.log")
    planned = plan_transactions(config, now, rng)
    written: Counter[str] = Counter()
    notify: Counter[str] = Counter()
    count_lock = threading.Lock()
    with ExitStack() as stack:
        # The deliverer's retries and dead letters, in the run's folder.
        handler = logging.FileHandler(log_dir / "driver.log")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        devtools_log = logging.getLogger("devtools")
        stack.callback(devtools_log.setLevel, devtools_log.level)
        stack.callback(devtools_log.removeHandler, handler)
        devtools_log.addHandler(handler)
        devtools_log.setLevel(logging.INFO)
        function.start()
        notifier.start()
        stack.callback(notifier.stop)
        stack.callback(function.stop)
        function.wait_ready()
        notifier.wait_ready()
        deliverer = ChaosDeliverer(
            db,
            function.url + "/",
            policy=RetryPolicy(
                max_attempts=config.max_attempts,
                initial_backoff=0.25,
                max_backoff=config.max_backoff,
            ),
            relay_port=relay_port,
            config=config,
            rng=random.Random(config.seed + 1),
            tally=tally,
        )
        stack.enter_context(deliverer)
        refresher = RankRefresher(lambda: db, 2.0).start()
        stack.callback(refresher.stop)
        chaos = _Chaos(
            config,
            function,
            emulator_pid,
            random.Random(config.seed + 2),
            tally,
            lambda: sum(written.values()) / max(1, len(planned)),
        )
        chaos.thread.start()
        echo(f"writing {len(planned)} transactions while injecting faults…")

        def write(item: tuple[str, dict[str, Any], str]) -> None:
            doc_id, data, kind = item
            db.collection(paths.TRANSACTIONS).document(doc_id).create(data)
            with count_lock:
                written[kind] += 1

        def burst(user: str) -> None:
            # All at once: the caps must hold under concurrency.
            calls = [(action, rng.choice(cc.BRANCHES)) for action in NOTIFY_BURST]
            with ThreadPoolExecutor(max_workers=len(calls)) as pool:
                outcomes = pool.map(
                    lambda call: _notify(notifier.url, gigya, user, call[0], call[1]), calls
                )
                for outcome in outcomes:
                    with count_lock:
                        notify[outcome] += 1

        notify_users = user_ids(config)[: config.notify_users]
        writing = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as writers, ThreadPoolExecutor(4) as bursts:
            futures = []
            for index, item in enumerate(planned):
                if config.write_rate:
                    due = writing + index / config.write_rate
                    time.sleep(max(0.0, due - time.monotonic()))
                futures.append(writers.submit(write, item))
                if notify_users and index == len(planned) // 3:
                    futures += [bursts.submit(burst, user) for user in notify_users]
            for future in futures:
                future.result()
        chaos.writing_done.set()
        echo("written")
        chaos.done.wait()
        echo("draining the deliveries…")
        if not _drain(deliverer, function, config.drain_seconds):
            echo("warning: deliveries still under way at the drain deadline")
        echo("drained")
        refresher.stop()
        fold_ranks(db)
        deliveries = {
            name: int(getattr(deliverer.stats, name))
            for name in ("received", "delivered", "failed_attempts", "dead_lettered")
        }
    echo("auditing…")
    audit = run_audit(db)
    faults = Counter(
        line.split(":")[0] for line in faults_log.read_text().splitlines() if line.strip()
    )
    return ChaosReport(
        config=config,
        seconds=time.monotonic() - started,
        written=written,
        injected=tally.counts,
        injected_seconds=tally.seconds,
        faults=faults,
        deliveries=deliveries,
        notify=notify,
        audit=audit,
    )


def _echo(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Start a Firestore emulator, run the chaos run against it, print the report."""
    defaults = ChaosConfig()
    p = argparse.ArgumentParser(prog="python -m devtools.chaos", description=__doc__)
    p.add_argument("--small", action="store_true", help="the size `make test` runs")
    p.add_argument("--transactions", type=int, default=None)
    p.add_argument("--users", type=int, default=None)
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--log-dir", type=Path, default=ROOT / ".dev" / "chaos")
    args = p.parse_args(argv)
    config = SMALL if args.small else defaults
    config = replace(
        config,
        transactions=args.transactions or config.transactions,
        users=args.users or config.users,
        seed=args.seed,
    )
    from google.cloud import firestore

    from devtools.emulators import Emulators, start_firestore

    args.log_dir.mkdir(parents=True, exist_ok=True)
    host, process, relay_port = start_firestore(args.log_dir)
    emulators = Emulators(firestore_host=host, storage_host="", processes=[process])
    try:
        if relay_port is None:
            print("error: the Firestore emulator runs without push support", file=sys.stderr)
            return 2
        os.environ.update(
            FIRESTORE_EMULATOR_HOST=host, GOOGLE_CLOUD_PROJECT=PROJECT, IMAGES_BUCKET="chaos"
        )
        db = firestore.Client(project=PROJECT)
        report = run_chaos(
            config,
            db=db,
            relay_port=relay_port,
            emulator_pid=process.pid,
            log_dir=Path(tempfile.mkdtemp(prefix="run-", dir=args.log_dir)),
            echo=lambda line: print(
                f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True
            ),
        )
    finally:
        emulators.stop()
    (args.log_dir / "last-report.json").write_text(
        json.dumps(report.as_json(), indent=2, default=str)
    )
    print(json.dumps(report.as_json(), indent=2, default=str) if args.json else report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
