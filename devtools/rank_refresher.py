"""The local stand-in for the Cloud Scheduler job of `refresh_ranks`: a thread folding ranks.

The local stack runs one every RANK_STALENESS_SECONDS / 2, the interval the deployed schedule
keeps too, so that ranks are never staler than the setting (docs/RANKS.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.clock import utcnow
from shared.logs import get_logger
from shared.repository.leaderboards_repo import RefreshReport, refresh

if TYPE_CHECKING:
    from google.cloud import firestore

log = get_logger(__name__)


class RankRefresher:
    """Runs `refresh(db, now)` every `interval_seconds` on a daemon thread until stopped."""

    def __init__(self, db_factory: Callable[[], firestore.Client], interval_seconds: float) -> None:
        if interval_seconds <= 0:
            raise ValueError(f"interval_seconds must be positive, got {interval_seconds}")
        self._db_factory = db_factory
        self.interval_seconds = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0
        self.failures = 0
        self.last_report: RefreshReport | None = None

    def run_once(self) -> RefreshReport:
        """One refresh now, on the calling thread."""
        report = refresh(self._db_factory(), utcnow())
        self.runs += 1
        self.last_report = report
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.run_once()
            except Exception:
                # The next run tries again: the local stack must not lose its refresher.
                self.failures += 1
                log.exception("rank refresh failed")
            else:
                if report.entries_folded or report.skipped:
                    log.info("ranks refreshed", extra={"fields": report.as_dict()})
            self._stop.wait(self.interval_seconds)

    def start(self) -> RankRefresher:
        """Start the thread (its first refresh runs at once)."""
        if self._thread is not None:
            raise RuntimeError("the rank refresher is already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="rank-refresher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the thread, waiting for a refresh under way to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()
