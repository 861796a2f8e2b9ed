"""The audit's checks of one user, pure: the user's bundle in, findings out (docs/OPERATIONS.md).

(a) every ledger transaction is counted (its event marker exists), dead-lettered, the same ledger
entry as one counted (its `sequence` marker names another), or counts for nothing by the rules
(reward credits, unknown or disabled actions, no challenge in its window, locked or won ones);
(b) each cumulative counter of each challenge equals what the transactions whose marker lists
that challenge contribute (the engine's own functions, shared/audit/replay.py), and the latest
state observation is the latest by ledger order; (c) the Gigya points: `_default`, hour and month
buckets (where they cannot have been pruned), variants, and each leaderboard entry's total; and
the caps of gm.notifyAction. Milestones and prizes (d) are checked in shared/audit/milestones.py,
the rank tables (e), the voucher pools and `peopleFinished` in shared/audit/globals.py, all of a
user's checks together in shared/audit/user.py.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.audit import stored as s
from shared.audit.findings import (
    CAPS,
    COUNTED,
    LEADERBOARD,
    LISTING,
    POINTS,
    RANKS,
    STATES,
    TOTALS,
    Findings,
    number,
    signed,
)
from shared.audit.model import AuditContext, UserBundle
from shared.audit.replay import Expected, TransactionView, view_of
from shared.catalog.models import Challenge
from shared.engine.candidates import Candidate
from shared.engine.transaction import LedgerTransaction
from shared.enums import TransactionType
from shared.gigya import caps, periods
from shared.progress.state import (
    COUNTER_FIELD,
    STATE_FIELD,
    ProgressState,
    VariantState,
    counter_field,
    parse_points,
    parse_progress,
    parse_variants,
)
from shared.progress.state import (
    Counter as ProgressCounter,
)
from shared.repository import paths, progress_repo
from shared.repository.keys import milestone_id
from shared.schema import gigya as g
from shared.schema import user as user_schema

# Why a candidate challenge did not count a transaction.
WON = "won"
LOCKED = "locked"
# docs/ENGINE.md, known limits: a child's transaction racing its parent's completion may be left
# uncounted (the lock is checked against the parent's progress as read).
LOCK_RACE = "lock race"
# A child's transaction counted this long after its parent's completion began did not race it.
RACE_WINDOW = timedelta(seconds=60)


def close(a: float, b: float) -> bool:
    """Amounts equal up to float rounding."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def as_number(value: Any) -> float:
    """A stored amount as a float (0 when it is not a number)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def counter_name(counter: ProgressCounter) -> str:
    """A counter as its path under `totals` (`earnedPoints`, `actions.share`)."""
    return ".".join(counter_field(counter))


def to_int(value: Any, default: int = -1) -> int:
    """A stored integer, or `default` when it is not one."""
    if isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def board_challenge(board: str) -> str:
    """The challenge part of a board id (`3` of `3~branch:maadi`)."""
    return board.split(g.VARIANT_SEPARATOR, 1)[0]


# --- (a) what each transaction counted for ---------------------------------------------------


@dataclass
class Classified:
    """The user's transactions sorted by what became of them."""

    views: list[TransactionView] = field(default_factory=list)
    states: dict[int, ProgressState] = field(default_factory=dict)
    # Counted: the challenges its marker lists (those it can count for) and when it was counted.
    counted: list[tuple[TransactionView, list[Candidate], datetime]] = field(default_factory=list)
    # Neither counted nor explained: dead-lettered, or a difference (with what it should count).
    uncounted: list[tuple[TransactionView, str]] = field(default_factory=list)
    malformed: list[TransactionView] = field(default_factory=list)
    counted_for: Counter[int] = field(default_factory=Counter)
    # When each challenge's first cycle was completed (its last milestone's `createdAt`).
    completed_at: dict[int, datetime] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def explain(
    challenge: Challenge, tx: LedgerTransaction, states: Mapping[int, ProgressState]
) -> str | None:
    """Why a candidate challenge may not have counted the transaction; None when it must have."""
    state = states.get(challenge.id)
    if challenge.limited and state is not None and state.completed:
        return WON
    parent_id = challenge.parentChallengeId
    if parent_id is None:
        return None
    parent = states.get(parent_id)
    if parent is None or parent.achieved_at is None or tx.occurred_at < parent.achieved_at:
        return LOCKED
    return LOCK_RACE


def _marker_time(marker: Mapping[str, Any], fallback: datetime) -> datetime:
    value = marker.get(s.MARKER_COUNTED_AT)
    return value if isinstance(value, datetime) else fallback


def classify(ctx: AuditContext, bundle: UserBundle) -> Classified:
    """(a): each transaction counted, the same entry as one counted, nothing to count, or not."""
    out = Classified()
    f = out.findings
    user = bundle.user_id
    out.states = {
        cid: parse_progress(entry) for cid, entry in progress_repo.entries(bundle.doc).items()
    }
    sequence_owner = {
        sid: str(marker.get(s.MARKER_TRANSACTION_ID)) for sid, marker in bundle.sequences.items()
    }
    out.completed_at = _first_completions(ctx, bundle)
    for tid, data in bundle.transactions.items():
        view = view_of(ctx.view, tid, data)
        out.views.append(view)
        marker = bundle.events.get(tid)
        if view.tx is None:
            if marker is not None:
                f.add(COUNTED, f"malformed transaction {tid} ({view.rejected}) was counted", user)
            else:
                out.malformed.append(view)
            continue
        tx = view.tx
        if tx.is_reward:
            f.count("transactions.rewardCredits")
            if marker is not None:
                f.add(COUNTED, f"reward credit {tid} was counted; credits count for nothing", user)
            continue
        if marker is not None:
            _check_counted(ctx, out, view, marker, user)
            continue
        owner = sequence_owner.get(str(tx.sequence)) if tx.sequence is not None else None
        if owner is not None and owner != tid and owner in bundle.events:
            f.count("transactions.sameLedgerEntry")
            continue
        if not view.action_known:
            f.count("transactions.countForNothing")
            continue
        if view.earned > 0:
            out.uncounted.append((view, f"it earns {number(view.earned)} points"))
            continue
        reasons = {cid: explain(c.challenge, tx, out.states) for cid, c in view.candidates.items()}
        must = sorted(cid for cid, why in reasons.items() if why is None)
        if must:
            out.uncounted.append((view, f"it counts for challenges {must}"))
            continue
        f.count("transactions.countForNothing")
        for cid, why in sorted(reasons.items()):
            if why == LOCK_RACE:
                f.note(COUNTED, _race(tid, tx), user, cid)
    _check_markers(bundle, out)
    return out


def _first_completions(ctx: AuditContext, bundle: UserBundle) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for cid, challenge in ctx.view.by_id.items():
        mid = milestone_id(bundle.user_id, cid, 0, len(challenge.levels) - 1)
        created = (bundle.milestones.get(str(mid)) or {}).get(s.MILESTONE_CREATED_AT)
        if isinstance(created, datetime):
            found[cid] = created
    return found


def _race(tid: str, tx: LedgerTransaction) -> str:
    return (
        f"transaction {tid} (occurredAt {tx.occurred_at.isoformat()}) was not counted although "
        "the parent was achieved by then: it raced the parent's completion (docs/ENGINE.md, "
        "known limits)"
    )


def _check_counted(
    ctx: AuditContext,
    out: Classified,
    view: TransactionView,
    marker: Mapping[str, Any],
    user: str,
) -> None:
    f = out.findings
    tx = view.tx
    assert tx is not None
    f.count("transactions.counted")
    if not view.action_known:
        f.add(COUNTED, f"transaction {view.id} was counted but its action is unknown", user)
        return
    listed_ids = [int(c) for c in marker.get(s.MARKER_CHALLENGES) or []]
    listed: list[Candidate] = []
    for cid in listed_ids:
        candidate = view.candidates.get(cid)
        if candidate is None:
            f.add(
                TOTALS,
                f"transaction {view.id} was counted for a challenge it cannot count for "
                "(outside the window, or measuring nothing it feeds)",
                user,
                cid,
            )
            continue
        parent = candidate.challenge.parentChallengeId
        if parent is not None:
            achieved = out.states.get(parent, ProgressState()).achieved_at
            if achieved is None or tx.occurred_at < achieved:
                f.add(
                    COUNTED,
                    f"transaction {view.id} was counted while the challenge was locked "
                    f"(parent {parent} achieved {achieved})",
                    user,
                    cid,
                )
        listed.append(candidate)
        out.counted_for[cid] += 1
    if not listed and view.earned <= 0:
        f.add(COUNTED, f"transaction {view.id} has a marker but counts for nothing", user)
    for cid, candidate in sorted(view.candidates.items()):
        if cid in listed_ids:
            continue
        why = explain(candidate.challenge, tx, out.states)
        if why is None:
            f.add(
                COUNTED,
                f"transaction {view.id} was not counted for this challenge although it is in "
                "its window, unlocked and not won",
                user,
                cid,
            )
        elif why == LOCK_RACE:
            counted_at = _marker_time(marker, ctx.now)
            parent_id = candidate.challenge.parentChallengeId or 0
            completed = out.completed_at.get(parent_id)
            achieved = out.states.get(parent_id, ProgressState()).achieved_at
            if parent_id in listed_ids and tx.occurred_at == achieved:
                f.note(
                    COUNTED,
                    f"transaction {view.id} completed the parent {parent_id} (achievedAt is its "
                    "occurredAt) and is not counted for this child, although docs/ENGINE.md's "
                    "lock rule (occurredAt >= achievedAt) includes it: the engine checks the "
                    "lock before the parent completes",
                    user,
                    cid,
                )
            elif completed is not None and counted_at - completed > RACE_WINDOW:
                f.add(
                    COUNTED,
                    f"transaction {view.id} was counted at {counted_at.isoformat()}, "
                    f"{(counted_at - completed).total_seconds():.0f}s after the parent's "
                    "completion began, yet not for this unlocked challenge",
                    user,
                    cid,
                )
            else:
                f.note(COUNTED, _race(view.id, tx), user, cid)
    out.counted.append((view, listed, _marker_time(marker, ctx.now)))


def _check_markers(bundle: UserBundle, out: Classified) -> None:
    f = out.findings
    user = bundle.user_id
    for tid in sorted(set(bundle.events) - set(bundle.transactions)):
        f.add(COUNTED, f"event marker {tid} names no transaction of this user", user)
    for view in out.views:
        tx = view.tx
        if tx is None or tx.sequence is None or view.id not in bundle.events:
            continue
        marker = bundle.sequences.get(str(tx.sequence))
        owner = None if marker is None else marker.get(s.MARKER_TRANSACTION_ID)
        if owner != view.id:
            f.add(
                COUNTED,
                f"transaction {view.id} was counted but its sequence marker {tx.sequence} "
                f"names {owner}",
                user,
            )
    for sid, marker in sorted(bundle.sequences.items()):
        owner = str(marker.get(s.MARKER_TRANSACTION_ID))
        if owner not in bundle.events:
            f.add(COUNTED, f"sequence marker {sid} names {owner}, which was not counted", user)


def resolve_uncounted(bundle: UserBundle, out: Classified, f: Findings) -> None:
    """Transactions not counted: dead-lettered (counted as such), else differences."""
    user = bundle.user_id
    for view in out.malformed:
        if bundle.dead_letters.get(view.id):
            f.count("transactions.malformedDeadLettered")
        else:
            f.add(
                COUNTED,
                f"malformed transaction {view.id} ({view.rejected}) is not dead-lettered",
                user,
            )
    for view, what in out.uncounted:
        if bundle.dead_letters.get(view.id):
            f.count("transactions.deadLettered")
        else:
            f.add(
                COUNTED,
                f"transaction {view.id} was not counted ({what}) and is not dead-lettered",
                user,
            )


# --- (b) and (c): the sums ---------------------------------------------------------------------


def navigate(doc: Mapping[str, Any] | None, path: Sequence[str]) -> Any:
    """The value at `path` in a nested document (None when absent)."""
    value: Any = doc
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def challenge_of(path: Sequence[str]) -> str | None:
    """The challenge a field of the user document belongs to (`_default` for `gigya.default`)."""
    if len(path) > 1 and path[0] == progress_repo.CHALLENGES_FIELD:
        return path[1]
    if len(path) > 2 and tuple(path[:2]) == (g.GIGYA, g.CHALLENGES):
        return path[2]
    if len(path) > 1 and tuple(path[:2]) == (g.GIGYA, g.DEFAULT):
        return g.DEFAULT_CHALLENGE
    return None


def _exact(ctx: AuditContext, path: Sequence[str]) -> bool:
    """Whether a summed field must equal its sum (not a bucket the engine may have pruned)."""
    parent = path[-2] if len(path) > 1 else ""
    if parent in (g.HOURS, g.ENTRY_HOURS):
        return ctx.exact_hour(path[-1])
    if parent == g.MONTHS:
        return ctx.exact_month(path[-1])
    return True


def _compare_sums(
    ctx: AuditContext,
    f: Findings,
    stored: Mapping[str, Any] | None,
    expected: Expected,
    doc_path: str,
    where: str,
    check: Callable[[Sequence[str]], str],
    label: Callable[[Sequence[str]], str | None],
    user: str,
) -> None:
    """Every field the counted transactions incremented holds their sum (buckets: at most)."""
    sums = expected.increments.get(doc_path, {})
    touches = expected.touches.get(doc_path, {})
    for path, want in sorted(sums.items()):
        have = as_number(navigate(stored, path))
        name = where + ".".join(path)
        if _exact(ctx, path):
            if not close(have, want):
                f.add(
                    check(path),
                    f"{name} is {number(have)} but the {touches.get(path, 0)} transactions "
                    f"counted in it add up to {number(want)} ({signed(have - want)})",
                    user,
                    label(path),
                )
        elif have > want and not close(have, want):
            f.add(
                check(path),
                f"{name} is {number(have)}, more than the {number(want)} counted in it",
                user,
                label(path),
            )


def _extra(
    ctx: AuditContext,
    f: Findings,
    check: str,
    what: str,
    stored: Mapping[str, float],
    expected: Mapping[str, float],
    user: str,
    cid: str | int,
) -> None:
    """Stored amounts no counted transaction added to (the other direction of `_compare_sums`)."""
    for key in sorted(set(stored) - set(expected)):
        value = as_number(stored.get(key))
        if value == 0:
            continue
        f.add(
            check, f"{what}.{key} is {number(value)}, no transaction counted adds to it", user, cid
        )


def _extra_points(
    ctx: AuditContext,
    f: Findings,
    what: str,
    stored: Mapping[str, Any] | None,
    expected: Mapping[str, Any] | None,
    user: str,
    cid: str | int,
) -> None:
    have, want = parse_points(stored), parse_points(expected)
    _extra(ctx, f, POINTS, f"{what}{g.HOURS}", have.hours, want.hours, user, cid)
    _extra(ctx, f, POINTS, f"{what}{g.MONTHS}", have.months, want.months, user, cid)
    stored_variants, wanted_variants = parse_variants(stored), parse_variants(expected)
    for vid, variant in sorted(stored_variants.items()):
        other = wanted_variants.get(vid, VariantState())
        vwhat = f"{what}{g.VARIANTS}.{vid}."
        if variant.points and not other.points:
            f.add(
                POINTS, f"{vwhat}{g.POINTS} is {number(variant.points)}, nothing counted", user, cid
            )
        _extra(ctx, f, POINTS, f"{vwhat}{g.ACTIONS}", variant.actions, other.actions, user, cid)
        periods_have, periods_want = variant.periods, other.periods
        _extra(
            ctx,
            f,
            POINTS,
            f"{vwhat}{g.HOURS}",
            periods_have.hours,
            periods_want.hours,
            user,
            cid,
        )
        _extra(
            ctx,
            f,
            POINTS,
            f"{vwhat}{g.MONTHS}",
            periods_have.months,
            periods_want.months,
            user,
            cid,
        )


def _latest(observed: Mapping[str, Any]) -> tuple[str, float] | None:
    if not observed:
        return None
    key = max(observed)
    return key, as_number(observed[key])


def check_progress(
    ctx: AuditContext, bundle: UserBundle, out: Classified, expected: Expected, f: Findings
) -> None:
    """(b) counters and states per challenge, (c) the Gigya points, `_default` included."""
    user = bundle.user_id
    doc = bundle.doc or {}
    _compare_sums(
        ctx,
        f,
        doc,
        expected,
        paths.user_doc(user),
        "",
        lambda p: TOTALS if p[0] == progress_repo.CHALLENGES_FIELD else POINTS,
        challenge_of,
        user,
    )
    stored_entries = progress_repo.entries(doc)
    _check_listing(doc, stored_entries, user, f)
    wanted = expected.entries()
    for cid in sorted(set(stored_entries) | set(wanted)):
        if cid not in ctx.view.by_id:
            f.note(TOTALS, "progress entry of a challenge the catalog does not have", user, cid)
            continue
        f.count("challengeEntries")
        have = out.states.get(cid) or parse_progress(stored_entries.get(cid))
        want = parse_progress(wanted.get(cid))
        totals = {COUNTER_FIELD[k]: v for k, v in have.totals.items()}
        wanted_totals = {COUNTER_FIELD[k]: v for k, v in want.totals.items()}
        _extra(ctx, f, TOTALS, user_schema.TOTALS, totals, wanted_totals, user, cid)
        _extra(
            ctx,
            f,
            TOTALS,
            f"{user_schema.TOTALS}.{user_schema.TOTAL_ACTIONS}",
            have.action_totals,
            want.action_totals,
            user,
            cid,
        )
        for kind, name in STATE_FIELD.items():
            latest = _latest(have.observed.get(kind, {}))
            wanted_latest = _latest(want.observed.get(kind, {}))
            same = (
                latest is not None
                and wanted_latest is not None
                and latest[0] == wanted_latest[0]
                and close(latest[1], wanted_latest[1])
            )
            if latest != wanted_latest and not same:
                f.add(
                    STATES,
                    f"the latest {name} stored is {latest} but the latest counted by ledger "
                    f"order is {wanted_latest}",
                    user,
                    cid,
                )
    gigya_ids = {
        int(key) for key in (navigate(doc, (g.GIGYA, g.CHALLENGES)) or {}) if str(key).isdigit()
    } | {int(key) for key in (navigate(expected.doc, (g.GIGYA, g.CHALLENGES)) or {})}
    for cid in sorted(gigya_ids):
        where = progress_repo.gigya_path(cid).parts
        _extra_points(
            ctx,
            f,
            ".".join(where) + ".",
            navigate(doc, where),
            navigate(expected.doc, where),
            user,
            cid,
        )
    where = (g.GIGYA, g.DEFAULT)
    default, wanted_default = navigate(doc, where), navigate(expected.doc, where)
    have_points = as_number((default or {}).get(g.POINTS))
    if have_points and not (wanted_default or {}).get(g.POINTS):
        f.add(
            POINTS,
            f"{g.GIGYA}.{g.DEFAULT}.{g.POINTS} is {number(have_points)}, nothing counted earns",
            user,
            g.DEFAULT_CHALLENGE,
        )
    _extra_points(
        ctx, f, f"{g.GIGYA}.{g.DEFAULT}.", default, wanted_default, user, g.DEFAULT_CHALLENGE
    )


def _check_listing(
    doc: Mapping[str, Any], stored_entries: Mapping[int, Mapping[str, Any]], user: str, f: Findings
) -> None:
    """(d) A complete `listing` mirror holds what the entries hold (the list trusts it)."""
    if user_schema.LISTING_VERSION not in doc:
        return  # older than the mirror: the list reads the entries themselves
    f.count("listingMirrors")
    mirror = doc.get(user_schema.LISTING) or {}
    wanted = user_schema.listing_document(stored_entries)[user_schema.LISTING]
    for cid in sorted(set(mirror) | set(wanted), key=str):
        if mirror.get(cid) != wanted.get(cid):
            f.add(
                LISTING,
                f"{user_schema.LISTING}.{cid} is {mirror.get(cid)} but the entry holds "
                f"{wanted.get(cid)}",
                user,
                cid,
            )


def _always(value: str) -> Callable[[Sequence[str]], str]:
    return lambda _: value


def check_boards(ctx: AuditContext, bundle: UserBundle, expected: Expected, f: Findings) -> None:
    """(c) each leaderboard entry's total and hour buckets; (e) its folded scores when clean."""
    user = bundle.user_id
    for board in sorted(set(bundle.entries) | set(expected.boards)):
        cid = board_challenge(board)
        want = expected.boards.get(board) or {}
        data = bundle.entries.get(board)
        if data is None:
            f.add(
                LEADERBOARD,
                f"no entry on board {board}; the transactions counted earn "
                f"{number(as_number(want.get(g.ENTRY_TOTAL)))} there",
                user,
                cid,
            )
            continue
        f.count("leaderboardEntries")
        total = as_number(data.get(g.ENTRY_TOTAL))
        if not want and total:
            f.add(
                LEADERBOARD,
                f"entry on board {board} has total {number(total)}; no transaction counted "
                "earns there",
                user,
                cid,
            )
        _compare_sums(
            ctx,
            f,
            data,
            expected,
            g.entry_doc(board, user),
            f"entry on board {board}: ",
            _always(LEADERBOARD),
            _always(cid),
            user,
        )
        hours = {str(k): as_number(v) for k, v in (data.get(g.ENTRY_HOURS) or {}).items()}
        wanted_hours = {str(k): as_number(v) for k, v in (want.get(g.ENTRY_HOURS) or {}).items()}
        _extra(
            ctx,
            f,
            LEADERBOARD,
            f"entry on board {board}: {g.ENTRY_HOURS}",
            hours,
            wanted_hours,
            user,
            cid,
        )
        if data.get(g.ENTRY_UID) != user:
            f.add(LEADERBOARD, f"entry on board {board} names {data.get(g.ENTRY_UID)!r}", user, cid)
        if data.get(g.ENTRY_DIRTY) is True:
            continue
        folded = as_number(data.get(g.ENTRY_FOLDED))
        if not close(folded, total):
            f.add(
                RANKS,
                f"entry on board {board} is not dirty but its folded score {number(folded)} "
                f"is not its total {number(total)}",
                user,
                cid,
            )
        expires = data.get(g.ENTRY_EXPIRES_AT)
        if not isinstance(expires, datetime) or expires > ctx.now:
            week = periods.points_7days(hours, ctx.now)
            folded_week = as_number(data.get(g.ENTRY_FOLDED_WEEK))
            if not close(folded_week, week):
                f.add(
                    RANKS,
                    f"entry on board {board} is not dirty but its folded 7-day score "
                    f"{number(folded_week)} is not its 7-day points {number(week)}",
                    user,
                    cid,
                )


# --- caps of gm.notifyAction --------------------------------------------------------------------


def check_caps(ctx: AuditContext, bundle: UserBundle, out: Classified, f: Findings) -> None:
    """Each counted capped notification has its log entry, and the logs keep the caps."""
    from shared.gigya.notify import TRANSACTION_PREFIX

    user = bundle.user_id
    user_doc = paths.user_doc(user)
    actions = ((bundle.doc or {}).get(g.GIGYA) or {}).get(g.ACTIONS) or {}
    expected_ids: set[str] = set()
    named: Counter[str] = Counter()
    actions_of = {v.id: v.tx.actionId for v in out.views if v.tx is not None}
    for action_id, raw in sorted(actions.items()):
        raw = raw if isinstance(raw, Mapping) else {}
        count = to_int(raw.get(g.ACTION_COUNT), 0)
        ids = [
            g.action_log_doc(user_doc, action_id, n).rsplit("/", 1)[1] for n in range(1, count + 1)
        ]
        expected_ids.update(ids)
        logs = [bundle.action_log[i] for i in ids if i in bundle.action_log]
        f.count("caps.logEntries", len(logs))
        if len(logs) != count:
            f.add(CAPS, f"{action_id}: count is {count}, {len(logs)} log entries", user)
        moments: list[datetime] = []
        for log in logs:
            tid = str(log.get(s.ACTION_LOG_TRANSACTION_ID))
            named[tid] += 1
            if actions_of.get(tid) != action_id:
                f.add(CAPS, f"{action_id}: log entry names transaction {tid}, not one of it", user)
            at = log.get(s.ACTION_LOG_AT)
            if isinstance(at, datetime):
                moments.append(at)
        _check_cap_rules(ctx, action_id, raw, moments, f, user)
    for log_id in sorted(set(bundle.action_log) - expected_ids):
        f.add(CAPS, f"log entry {log_id} is beyond its action's count", user)
    for view in out.views:
        tx = view.tx
        if (
            tx is None
            or tx.type is not TransactionType.ACTION
            or not view.id.startswith(TRANSACTION_PREFIX)
        ):
            continue
        action = ctx.view.catalog.action(tx.actionId or "")
        if action is not None and caps.is_capped(action) and named[view.id] != 1:
            f.add(
                CAPS,
                f"notification {view.id} of capped action {action.actionId} is named by "
                f"{named[view.id]} log entries",
                user,
            )


def _check_cap_rules(
    ctx: AuditContext,
    action_id: str,
    raw: Mapping[str, Any],
    moments: list[datetime],
    f: Findings,
    user: str,
) -> None:
    """Replay the log in its order with the caps' own rules: each one was allowed, the state ends
    where the user document says.

    The n-th notification read the state the (n-1)-th left (its log create is the compare-and-
    swap), so the log's order, not its times, is the order the caps saw.
    """
    action = ctx.view.catalog.action(action_id)
    state = caps.ActionCapState()
    for n, moment in enumerate(moments, start=1):
        refused = None if action is None else caps.refusal(action, state, moment, ctx.timezone)
        if refused is not None:
            f.add(
                CAPS,
                f"{action_id}: notification {n} at {moment.isoformat()} was counted beyond a cap "
                f"({refused})",
                user,
            )
        state = caps.after_one_more(state, moment, ctx.timezone)
    if not moments:
        return
    stored = (
        raw.get(g.ACTION_LAST_AT),
        raw.get(g.ACTION_DAY),
        to_int(raw.get(g.ACTION_DAY_COUNT), 0),
    )
    if stored != (state.last_at, state.day, state.day_count):
        f.add(
            CAPS,
            f"{action_id}: the cap state (lastAt, day, dayCount) is {stored}, the log makes it "
            f"{(state.last_at, state.day, state.day_count)}",
            user,
        )
