"""The audit's checks of one user's milestones and prizes (d), pure (docs/OPERATIONS.md).

Milestones: exactly one per level the entry says was reached (ids derived from user, challenge,
cycle and level), the entry's position coherent, the levels reached affordable by the totals, no
level met and left uncompleted, `achievedAt` the first cycle's completion, nothing pending.
Prizes: each issued as its level's reward says; a points prize with exactly one credit
`transactions/reward-{milestoneId}-{rewardId}`, every credit some prize's; a voucher prize's code
assigned to that prize, claimed by it, taken in the pool, and given to no other prize; listed
unclaimed or claimed, never both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from shared.audit import stored as s
from shared.audit.checks import Classified, as_number, close, counter_name, to_int
from shared.audit.findings import MILESTONES, PRIZES, VOUCHERS, Findings, number
from shared.audit.model import AuditContext, UserBundle
from shared.audit.replay import TransactionView
from shared.catalog.models import Challenge, Level
from shared.engine import prizes as prize_status
from shared.engine.settling import current_level, level_counters
from shared.enums import RewardType
from shared.progress.evaluation import evaluate_level
from shared.progress.state import Counter as ProgressCounter
from shared.progress.state import ProgressState
from shared.repository.keys import milestone_id, prize_key
from shared.schema import user as user_schema

_UNBOUNDED = 1e300


def reached_levels(challenge: Challenge, state: ProgressState) -> list[tuple[int, int]]:
    """(cycle, level) of every level the entry says the user reached."""
    levels = len(challenge.levels)
    done = [(cycle, level) for cycle in range(state.cycle) for level in range(levels)]
    return done + [(state.cycle, level) for level in range(min(state.levels_reached, levels))]


def level_need(level: Level, counter: ProgressCounter) -> float:
    """The least of `counter` any way of meeting the level takes (0 when one needs none)."""
    counters = level_counters(level)
    if counter not in counters:
        return 0.0
    state = ProgressState()
    for other in counters - {counter}:
        kind = other[0]
        if kind.is_cumulative:
            state = state.with_total(other, _UNBOUNDED)
        else:
            state = state.with_state(kind, _UNBOUNDED)
    if evaluate_level(level, state).satisfied:
        return 0.0
    triggers = [t for grp in level.groups for t in grp.triggers if t.counter == counter]
    return min(t.triggerFrequency for t in triggers)


def _check_position(
    challenge: Challenge, state: ProgressState, f: Findings, user: str
) -> list[tuple[int, int]]:
    levels = len(challenge.levels)
    cid = challenge.id
    if state.completed:
        if not challenge.limited:
            f.add(MILESTONES, "a repeatable challenge is marked completed", user, cid)
        if (state.cycle, state.level, state.levels_reached) != (0, levels - 1, levels):
            f.add(
                MILESTONES,
                f"won, but at cycle {state.cycle} level {state.level} with "
                f"{state.levels_reached} levels reached (expected 0, {levels - 1}, {levels})",
                user,
                cid,
            )
    elif state.level != state.levels_reached or not 0 <= state.level < levels:
        f.add(
            MILESTONES,
            f"at level {state.level} with {state.levels_reached} levels reached, of {levels}",
            user,
            cid,
        )
    elif challenge.limited and state.cycle != 0:
        f.add(MILESTONES, f"a limited challenge in cycle {state.cycle}", user, cid)
    return reached_levels(challenge, state)


def _check_amounts(
    challenge: Challenge,
    state: ProgressState,
    reached: Sequence[tuple[int, int]],
    f: Findings,
    user: str,
) -> None:
    cid = challenge.id
    needs: dict[ProgressCounter, float] = {}
    for _, index in reached:
        level = challenge.levels[index]
        for counter in level_counters(level):
            if counter[0].is_cumulative:
                needs[counter] = needs.get(counter, 0.0) + level_need(level, counter)
    for counter, need in sorted(needs.items(), key=lambda item: counter_name(item[0])):
        total = state.total(counter)
        if need > total and not close(need, total):
            f.add(
                MILESTONES,
                f"the {len(reached)} levels reached need at least {number(need)} of "
                f"{counter_name(counter)}, the totals hold {number(total)}",
                user,
                cid,
            )
    counters = {c for level in challenge.levels for c in level_counters(level)}
    for counter in sorted((c for c in counters if c[0].is_cumulative), key=counter_name):
        if state.base(counter) > state.total(counter):
            f.add(
                MILESTONES,
                f"{user_schema.BASELINE}.{counter_name(counter)} "
                f"{number(state.base(counter))} is above "
                f"the total {number(state.total(counter))}",
                user,
                cid,
            )
    if state.completed:
        return
    index, level = current_level(challenge, state)
    if evaluate_level(level, replace(state, states={})).satisfied:
        f.add(
            MILESTONES,
            f"level {index} of cycle {state.cycle} is met by its counters but not completed "
            "(an event counted and then dead-lettered before settling?)",
            user,
            cid,
        )


@dataclass
class UserReport:
    """One user's findings, and what the global checks add up across users."""

    findings: Findings
    finished: set[int] = field(default_factory=set)
    out_of_stock: Counter[str] = field(default_factory=Counter)


def _prize_tuple(prize: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    return (prize.get(s.PRIZE_REWARD_ID), prize.get(s.PRIZE_VALUE), prize.get(s.PRIZE_STATUS))


@dataclass
class _PrizeContext:
    bundle: UserBundle
    f: Findings
    report: UserReport
    credits: dict[str, TransactionView]
    matched_credits: set[str] = field(default_factory=set)
    codes: dict[str, str] = field(default_factory=dict)


def _check_prizes(
    pc: _PrizeContext, challenge: Challenge, mid: int, level: Level, data: Mapping[str, Any]
) -> None:
    f, user, cid = pc.f, pc.bundle.user_id, challenge.id
    prizes = [p for p in data.get(s.MILESTONE_PRIZES) or [] if isinstance(p, Mapping)]
    by_reward = {to_int(p.get(s.PRIZE_REWARD_ID)): p for p in prizes}
    wanted = [r.rewardId for r in level.rewards]
    if sorted(by_reward) != sorted(wanted) or len(prizes) != len(wanted):
        f.add(
            PRIZES,
            f"milestone {mid} has prizes {sorted(by_reward)}, its level rewards {wanted}",
            user,
            cid,
        )
    if data.get(s.MILESTONE_ISSUED) is not True:
        f.add(PRIZES, f"milestone {mid} is not issued (its prizes are pending)", user, cid)
    for reward in level.rewards:
        prize = by_reward.get(reward.rewardId)
        if prize is None:
            continue
        status = prize.get(s.PRIZE_STATUS)
        value = prize.get(s.PRIZE_VALUE)
        where = f"milestone {mid} prize {reward.rewardId}"
        if reward.rewardType is RewardType.VOUCHER:
            _check_voucher(pc, cid, mid, reward.rewardId, reward.rewardValue, status, value)
            continue
        if status != prize_status.ISSUED:
            f.add(PRIZES, f"{where} is {status!r}, not issued", user, cid)
        if str(value) != reward.rewardValue:
            wanted_value = reward.rewardValue
            f.add(PRIZES, f"{where} has value {value!r}, its reward {wanted_value!r}", user, cid)
        if reward.rewardType is RewardType.BADGE:
            f.count("prizes.badges")
            continue
        f.count("prizes.points")
        credit_id = s.reward_credit_id(mid, reward.rewardId)
        credit = pc.credits.get(credit_id)
        if credit is None or credit.tx is None:
            f.add(PRIZES, f"{where}: no credit transactions/{credit_id}", user, cid)
            continue
        pc.matched_credits.add(credit_id)
        if not close(as_number(credit.tx.points), float(reward.rewardValue)) or (
            to_int(credit.data.get(s.CREDIT_MILESTONE_ID)),
            to_int(credit.data.get(s.CREDIT_REWARD_ID)),
        ) != (mid, reward.rewardId):
            f.add(
                PRIZES,
                f"{where}: credit {credit_id} is {number(credit.tx.points)} points for "
                f"milestone {credit.data.get(s.CREDIT_MILESTONE_ID)} reward "
                f"{credit.data.get(s.CREDIT_REWARD_ID)}",
                user,
                cid,
            )


def _check_voucher(
    pc: _PrizeContext,
    cid: int,
    mid: int,
    reward_id: int,
    pool: str,
    status: Any,
    code: Any,
) -> None:
    f, user, docs = pc.f, pc.bundle.user_id, pc.bundle.pool_docs
    key = prize_key(mid, reward_id)
    where = f"milestone {mid} voucher prize {key} (pool {pool})"
    assignment = docs.get(s.pool_doc(pool, s.ASSIGNMENTS, key))
    if status == prize_status.OUT_OF_STOCK:
        f.count("prizes.vouchersOutOfStock")
        pc.report.out_of_stock[pool] += 1
        if assignment is not None:
            f.add(
                VOUCHERS,
                f"{where} is out of stock but code {assignment.get(s.ASSIGNMENT_CODE)!r} is "
                "assigned to it",
                user,
                cid,
            )
        return
    if status != prize_status.ISSUED or not isinstance(code, str) or not code:
        f.add(VOUCHERS, f"{where} is {status!r} with code {code!r}", user, cid)
        return
    f.count("prizes.vouchers")
    first = pc.codes.setdefault(code, key)
    if first != key:
        f.add(VOUCHERS, f"voucher code {code!r} is given to prizes {first} and {key}", user, cid)
    if assignment is None or assignment.get(s.ASSIGNMENT_CODE) != code:
        held = None if assignment is None else assignment.get(s.ASSIGNMENT_CODE)
        f.add(VOUCHERS, f"{where} shows code {code!r} but its assignment holds {held!r}", user, cid)
    claim = docs.get(s.pool_doc(pool, s.CLAIMS, code))
    if claim is None or claim.get(s.CLAIM_PRIZE_KEY) != key:
        owner = None if claim is None else claim.get(s.CLAIM_PRIZE_KEY)
        f.add(
            VOUCHERS,
            f"{where}: code {code!r} is claimed by prize {owner!r}, not by this one",
            user,
            cid,
        )
    code_doc = docs.get(s.pool_doc(pool, s.CODES, code))
    if code_doc is None or code_doc.get(s.CODE_TAKEN) is not True:
        f.add(VOUCHERS, f"{where}: code {code!r} is not a taken code of the pool", user, cid)
    for named in (
        None if assignment is None else assignment.get(s.POOL_USER_ID),
        None if claim is None else claim.get(s.POOL_USER_ID),
        None if code_doc is None else code_doc.get(s.TAKEN_BY),
    ):
        if named is not None and named != user:
            f.add(VOUCHERS, f"{where}: code {code!r} is recorded for user {named!r}", user, cid)


def _milestones_by_challenge(
    bundle: UserBundle, f: Findings
) -> dict[int, list[tuple[str, dict[str, Any]]]]:
    found: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for doc_id, data in sorted(bundle.milestones.items()):
        cid = to_int(data.get(s.MILESTONE_CHALLENGE_ID))
        if cid < 0:
            f.add(MILESTONES, f"milestone {doc_id} names no challenge", bundle.user_id)
            continue
        found.setdefault(cid, []).append((doc_id, data))
    return found


def check_milestones(
    ctx: AuditContext, bundle: UserBundle, out: Classified, f: Findings
) -> UserReport:
    """(d) milestones against the entries, their prizes, credits and codes."""
    user = bundle.user_id
    report = UserReport(f)
    credits = {v.id: v for v in out.views if v.tx is not None and v.tx.is_reward}
    pc = _PrizeContext(bundle, f, report, credits)
    by_challenge = _milestones_by_challenge(bundle, f)
    for cid in sorted(set(out.states) | set(by_challenge)):
        challenge = ctx.view.by_id.get(cid)
        if challenge is None:
            f.note(MILESTONES, "milestones of a challenge the catalog does not have", user, cid)
            continue
        state = out.states.get(cid, ProgressState())
        reached = _check_position(challenge, state, f, user)
        _check_amounts(challenge, state, reached, f, user)
        if state.achieved_at is not None:
            report.finished.add(cid)
        stored: dict[tuple[int, int], list[tuple[str, dict[str, Any]]]] = {}
        for doc_id, data in by_challenge.get(cid, []):
            pair = (to_int(data.get(s.MILESTONE_CYCLE)), to_int(data.get(s.MILESTONE_LEVEL)))
            stored.setdefault(pair, []).append((doc_id, data))
        for pair in sorted(set(reached) - set(stored)):
            f.add(
                MILESTONES,
                f"no milestone for cycle {pair[0]} level {pair[1]}, which the entry says was "
                "reached",
                user,
                cid,
            )
        for pair in sorted(set(stored) - set(reached)):
            f.add(
                MILESTONES,
                f"milestone {[d for d, _ in stored[pair]]} of cycle {pair[0]} level {pair[1]} "
                f"is beyond the entry (cycle {state.cycle}, {state.levels_reached} levels "
                "reached)",
                user,
                cid,
            )
        claimed = 0
        for (cycle, index), docs in sorted(stored.items()):
            if len(docs) > 1:
                f.add(
                    MILESTONES,
                    f"{len(docs)} milestones for cycle {cycle} level {index}: "
                    f"{[d for d, _ in docs]}",
                    user,
                    cid,
                )
            mid = milestone_id(user, cid, cycle, index)
            for doc_id, data in docs:
                f.count("milestones")
                if doc_id != str(mid) or to_int(data.get(s.MILESTONE_ID)) != mid:
                    f.add(
                        MILESTONES,
                        f"milestone {doc_id} of cycle {cycle} level {index} should be {mid}",
                        user,
                        cid,
                    )
                if data.get(s.MILESTONE_USER_ID) != user:
                    f.add(MILESTONES, f"milestone {doc_id} names another user", user, cid)
                if not 0 <= index < len(challenge.levels):
                    continue
                _check_prizes(pc, challenge, to_int(doc_id), challenge.levels[index], data)
                claimed += _check_listing(bundle, state, doc_id, data, f, cid)
            if (cycle, index) == (0, len(challenge.levels) - 1):
                _check_achieved(state, docs[0][1], f, user, cid)
        if (0, len(challenge.levels) - 1) in reached and state.achieved_at is None:
            f.add(MILESTONES, "the first cycle was finished but achievedAt is not set", user, cid)
        if state.achieved_at is not None and (0, len(challenge.levels) - 1) not in reached:
            f.add(MILESTONES, "achievedAt is set but the first cycle is not finished", user, cid)
        for mid_text in sorted(state.pending):
            f.add(PRIZES, f"milestone {mid_text} is still pending: prizes not issued", user, cid)
        listed = {m for _, docs in stored.items() for m, _ in docs}
        for mid_text in sorted(set(state.unclaimed) - listed):
            f.add(PRIZES, f"unclaimed milestone {mid_text} does not exist", user, cid)
        if claimed != state.claimed_count:
            f.add(
                PRIZES,
                f"claimedCount is {state.claimed_count}, {claimed} milestones are claimed",
                user,
                cid,
            )
    for credit_id in sorted(set(credits) - pc.matched_credits):
        f.add(PRIZES, f"reward credit {credit_id} is the credit of no issued points prize", user)
    return report


def _check_achieved(
    state: ProgressState, last: Mapping[str, Any], f: Findings, user: str, cid: int
) -> None:
    if state.achieved_at is None:
        return
    occurred = last.get(s.MILESTONE_OCCURRED_AT)
    if occurred != state.achieved_at:
        f.add(
            MILESTONES,
            f"achievedAt {state.achieved_at} is not the occurredAt {occurred} of the milestone "
            "that finished the first cycle",
            user,
            cid,
        )


def _check_listing(
    bundle: UserBundle,
    state: ProgressState,
    doc_id: str,
    data: Mapping[str, Any],
    f: Findings,
    cid: int,
) -> int:
    """Whether the milestone is claimed (1) or not (0), checking where it is listed."""
    user = bundle.user_id
    if data.get(s.MILESTONE_CLAIMED) is True:
        if bundle.claims is not None and doc_id not in bundle.claims:
            f.add(PRIZES, f"milestone {doc_id} is claimed but has no claim record", user, cid)
        if doc_id in state.unclaimed:
            f.add(PRIZES, f"milestone {doc_id} is claimed and still listed unclaimed", user, cid)
        return 1
    if bundle.claims is not None and doc_id in bundle.claims:
        f.add(PRIZES, f"milestone {doc_id} has a claim record but is not claimed", user, cid)
    if data.get(s.MILESTONE_ISSUED) is not True:
        return 0
    entry = state.unclaimed.get(doc_id)
    if not isinstance(entry, Mapping):
        f.add(PRIZES, f"issued milestone {doc_id} is not listed unclaimed", user, cid)
        return 0
    listed = sorted(_prize_tuple(p) for p in entry.get(s.MILESTONE_PRIZES) or [])
    issued = sorted(_prize_tuple(p) for p in data.get(s.MILESTONE_PRIZES) or [])
    if listed != issued:
        f.add(
            PRIZES,
            f"milestone {doc_id} is listed with prizes {listed}, issued with {issued}",
            user,
            cid,
        )
    return 0
