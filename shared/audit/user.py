"""Every check of one user, and what the reader must fetch for them (docs/OPERATIONS.md)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.audit import stored as s
from shared.audit.checks import (
    check_boards,
    check_caps,
    check_progress,
    classify,
    resolve_uncounted,
    to_int,
)
from shared.audit.findings import Findings
from shared.audit.milestones import UserReport, check_milestones
from shared.audit.model import AuditContext, Lookups, UserBundle
from shared.audit.replay import Expected, add_counted
from shared.engine import prizes as prize_status
from shared.enums import RewardType
from shared.repository.keys import prize_key


def lookups_for(ctx: AuditContext, bundle: UserBundle) -> Lookups:
    """What must be read besides the user's documents: letters, voucher documents, claims."""
    out = classify(ctx, bundle)
    letters = [v.id for v in out.malformed] + [v.id for v, _ in out.uncounted]
    docs: list[str] = []
    claims = any(state.claimed_count for state in out.states.values())
    for data in bundle.milestones.values():
        claims = claims or data.get(s.MILESTONE_CLAIMED) is True
        challenge = ctx.view.by_id.get(to_int(data.get(s.MILESTONE_CHALLENGE_ID)))
        index = to_int(data.get(s.MILESTONE_LEVEL))
        if challenge is None or not 0 <= index < len(challenge.levels):
            continue
        prizes = {
            to_int(p.get(s.PRIZE_REWARD_ID)): p
            for p in data.get(s.MILESTONE_PRIZES) or []
            if isinstance(p, Mapping)
        }
        for reward in challenge.levels[index].rewards:
            if reward.rewardType is not RewardType.VOUCHER:
                continue
            pool = reward.rewardValue
            key = prize_key(to_int(data.get(s.MILESTONE_ID)), reward.rewardId)
            docs.append(s.pool_doc(pool, s.ASSIGNMENTS, key))
            code = (prizes.get(reward.rewardId) or {}).get(s.PRIZE_VALUE)
            issued = (prizes.get(reward.rewardId) or {}).get(s.PRIZE_STATUS) == prize_status.ISSUED
            if issued and isinstance(code, str) and code and "/" not in code:
                docs.append(s.pool_doc(pool, s.CLAIMS, code))
                docs.append(s.pool_doc(pool, s.CODES, code))
    return Lookups(tuple(letters), tuple(dict.fromkeys(docs)), claims)


def check_user(ctx: AuditContext, bundle: UserBundle) -> UserReport:
    """Every check of one user, on a bundle holding what `lookups_for` asked for."""
    out = classify(ctx, bundle)
    f = Findings()
    f.count("users")
    f.count("transactions", len(bundle.transactions))
    f.merge(out.findings)
    resolve_uncounted(bundle, out, f)
    expected = Expected()
    for view, listed, counted_at in out.counted:
        add_counted(
            expected, bundle.user_id, view, listed, counted_at, ctx.timezone, ctx.default_keys
        )
    check_progress(ctx, bundle, out, expected, f)
    check_boards(ctx, bundle, expected, f)
    report = check_milestones(ctx, bundle, out, f)
    check_caps(ctx, bundle, out, f)
    return report
