"""One audit: every user (a few at a time), then the boards, the pools and `peopleFinished`."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.audit import globals as checks_across
from shared.audit import stored as s
from shared.audit.findings import COUNTED, Finding, Findings
from shared.audit.milestones import UserReport
from shared.audit.model import AuditContext, UserBundle
from shared.audit.reader import PAGE_SIZE, AuditReader, UserSource
from shared.audit.user import check_user, lookups_for
from shared.catalog.models import Catalog
from shared.clock import utcnow
from shared.enums import RewardType
from shared.repository import stats_repo
from shared.repository.catalog_cache import CatalogView
from shared.repository.catalog_repo import load_catalog

if TYPE_CHECKING:
    from google.cloud import firestore

# Called with each finding as soon as it is known (a user's as that user's audit ends).
OnFinding = Callable[[Finding], None]


@dataclass
class AuditReport:
    """Every finding, what was checked, and how long it took."""

    findings: Findings
    now: datetime
    seconds: float = 0.0

    @property
    def differences(self) -> list[Finding]:
        """The findings that are differences."""
        return self.findings.differences

    @property
    def notes(self) -> list[Finding]:
        """The findings that are notes."""
        return self.findings.notes

    def failed(self, strict: bool = False) -> bool:
        """Whether the audit found a difference (or, strict, a note)."""
        return bool(self.differences or (strict and self.notes))

    def summary(self) -> str:
        """What was checked and what was found, in a few lines."""
        t = self.findings.tally
        counted = t["transactions.counted"]
        lines = [
            f"audited {t['transactions']} transactions of {t['users']} users in "
            f"{self.seconds:.1f}s:",
            f"  (a) {counted} counted, {t['transactions.sameLedgerEntry']} the same ledger entry "
            f"as one counted, {t['transactions.rewardCredits']} reward credits, "
            f"{t['transactions.countForNothing']} counting for nothing, "
            f"{t['transactions.deadLettered']} dead-lettered, "
            f"{t['transactions.malformedDeadLettered']} malformed and dead-lettered",
            f"  (b) {t['challengeEntries']} progress entries: totals, states",
            f"  (c) `_default` and challenge points, buckets, variants; "
            f"{t['leaderboardEntries']} leaderboard entries",
            f"  (d) {t['milestones']} milestones; prizes: {t['prizes.points']} points (one credit "
            f"each), {t['prizes.vouchers']} vouchers (one code each, no code twice), "
            f"{t['prizes.vouchersOutOfStock']} out of stock, {t['prizes.badges']} badges; "
            f"{t['vouchers.claims']} claims, {t['vouchers.assignments']} assignments, "
            f"{t['vouchers.codesTaken']} codes taken; peopleFinished of "
            f"{t['peopleFinished.challenges']} challenges; {t['caps.logEntries']} capped "
            "notifications",
            f"  (e) {t['ranks.boards']} rank tables against their entries' folded scores",
            f"{len(self.differences)} differences, {len(self.notes)} notes",
        ]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The report as JSON: counts, differences and notes."""
        return {
            "now": self.now.isoformat(),
            "seconds": round(self.seconds, 3),
            "checked": dict(sorted(self.findings.tally.items())),
            "differences": [f.as_json() for f in self.differences],
            "notes": [f.as_json() for f in self.notes],
        }


def voucher_pools(catalog: Catalog) -> list[str]:
    """The pools the catalog's voucher rewards draw from."""
    return sorted(
        {
            reward.rewardValue
            for challenge in catalog.challenges
            for level in challenge.levels
            for reward in level.rewards
            if reward.rewardType is RewardType.VOUCHER
        }
    )


def audit_user(reader: AuditReader, ctx: AuditContext, source: UserSource) -> UserReport:
    """Read one user's documents and run every check of that user."""
    if not isinstance(source.user_id, str):
        # Not a user: documents whose user id is not a string (transactions: dead-lettered).
        bundle = UserBundle(repr(source.user_id), source.transactions, entries=source.entries)
    else:
        bundle = reader.read_user(source)
    reader.complete(bundle, lookups_for(ctx, bundle))
    return check_user(ctx, bundle)


@dataclass
class _Totals:
    findings: Findings = field(default_factory=Findings)
    finished: Counter[int] = field(default_factory=Counter)
    out_of_stock: Counter[str] = field(default_factory=Counter)

    def add(self, report: UserReport, on_finding: OnFinding | None) -> None:
        self.findings.merge(report.findings)
        self.finished.update(report.finished)
        self.out_of_stock.update(report.out_of_stock)
        if on_finding is not None:
            for finding in report.findings.items:
                on_finding(finding)


def _users(
    reader: AuditReader, ctx: AuditContext, workers: int, totals: _Totals, on: OnFinding | None
) -> None:
    in_flight: set[Future[UserReport]] = set()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="audit") as pool:
        for source in reader.users():
            if len(in_flight) >= 2 * workers:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    totals.add(future.result(), on)
            in_flight.add(pool.submit(audit_user, reader, ctx, source))
        for future in in_flight:
            totals.add(future.result(), on)


def _without_user(
    reader: AuditReader, count_before: int, totals: _Totals, on: OnFinding | None
) -> None:
    # Every transaction that existed before the ordered pass and has a userId was seen by it.
    if count_before <= reader.transactions_seen:
        return
    f = Findings()
    for tid in reader.without_user():
        f.count("transactions")
        if reader.dead_letters(tid):
            f.count("transactions.malformedDeadLettered")
        else:
            f.add(COUNTED, f"transaction {tid} has no userId and is not dead-lettered")
    totals.add(UserReport(f), on)


def _boards(reader: AuditReader, totals: _Totals, on: OnFinding | None) -> None:
    seen: set[str] = set()
    for scan in reader.boards():
        seen.add(scan.board)
        table = reader.rank_table(scan.board)
        found = checks_across.check_rank_table(scan.board, scan.folded, scan.folded_week, table)
        totals.add(UserReport(found), on)
    for board in reader.table_boards():
        if board not in seen:
            table = reader.rank_table(board)
            totals.add(UserReport(checks_across.check_rank_table(board, {}, {}, table)), on)


def _pools(
    reader: AuditReader, pools: Iterable[str], totals: _Totals, on: OnFinding | None
) -> None:
    for pool in pools:
        for page in reader.pool_pages(pool, s.CLAIMS):
            wanted: list[str] = []
            for code, claim in page:
                wanted.append(s.pool_doc(pool, s.ASSIGNMENTS, str(claim.get(s.CLAIM_PRIZE_KEY))))
                wanted.append(s.pool_doc(pool, s.CODES, code))
                named = checks_across.milestone_of_claim(claim)
                if named is not None:
                    wanted.append(named[0])
            docs = reader.get_docs(wanted)
            totals.add(UserReport(checks_across.check_claims(pool, page, docs)), on)
        for page in reader.pool_pages(pool, s.ASSIGNMENTS):
            codes = [s.pool_doc(pool, s.CLAIMS, str(a.get(s.ASSIGNMENT_CODE))) for _, a in page]
            claims = reader.get_docs(codes)
            totals.add(UserReport(checks_across.check_assignments(pool, page, claims)), on)
        for page in reader.pool_pages(pool, s.CODES, taken_only=True):
            claims = reader.get_docs([s.pool_doc(pool, s.CLAIMS, code) for code, _ in page])
            totals.add(UserReport(checks_across.check_taken(pool, page, claims)), on)
        stock = checks_across.check_stock(pool, totals.out_of_stock[pool], reader.free_codes(pool))
        totals.add(UserReport(stock), on)


def run_audit(
    db: firestore.Client,
    *,
    workers: int = 8,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
    on_finding: OnFinding | None = None,
) -> AuditReport:
    """Audit the ledger against the stored state; findings also go to `on_finding` as found."""
    started = time.monotonic()
    now = now or utcnow()
    catalog = load_catalog(db)
    ctx = AuditContext(CatalogView.build(catalog), now)
    reader = AuditReader(db, page_size)
    totals = _Totals()
    count_before = reader.transaction_count()
    _users(reader, ctx, max(1, workers), totals, on_finding)
    _without_user(reader, count_before, totals, on_finding)
    _boards(reader, totals, on_finding)
    _pools(reader, voucher_pools(catalog), totals, on_finding)
    shards = stats_repo.people_finished(db)
    totals.add(UserReport(checks_across.check_people_finished(totals.finished, shards)), on_finding)
    return AuditReport(totals.findings, now, time.monotonic() - started)
