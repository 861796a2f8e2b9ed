"""The audit's checks across users, pure: rank tables, voucher pools, `peopleFinished`.

(e) A board's rank table must equal the histograms of its entries' folded scores (docs/RANKS.md:
the refresher commits a fold only together with the table change it implies). A voucher pool's
claims, assignments and taken codes must pair up one to one, each code with the prize that shows
it. `peopleFinished` must sum to the users whose progress says they finished.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from shared.audit import stored as s
from shared.audit.checks import board_challenge
from shared.audit.findings import PEOPLE_FINISHED, RANKS, VOUCHERS, Findings, number
from shared.engine import prizes as prize_status
from shared.gigya.ranks import Histogram, RankTable
from shared.repository import paths


def histogram(scores: Iterable[Any]) -> Histogram:
    """How many entries have each folded score above 0 (what a rank table holds)."""
    found: Histogram = {}
    for value in scores:
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            found[float(value)] = found.get(float(value), 0) + 1
    return found


def _difference(stored: Mapping[float, int], wanted: Mapping[float, int]) -> str:
    scores = sorted(set(stored) | set(wanted), reverse=True)
    wrong = [
        f"{number(score)}: {stored.get(score, 0)} not {wanted.get(score, 0)}"
        for score in scores
        if stored.get(score, 0) != wanted.get(score, 0)
    ]
    more = f" (and {len(wrong) - 5} more)" if len(wrong) > 5 else ""
    return "; ".join(wrong[:5]) + more


def check_rank_table(
    board: str, folded: Histogram, folded_week: Histogram, table: RankTable | None
) -> Findings:
    """(e) the table of `board` against the histograms of its entries' folded scores."""
    f = Findings()
    f.count("ranks.boards")
    stored = table or RankTable()
    cid = board_challenge(board)
    for name, have, want in (
        ("all-time", stored.folded, folded),
        ("7-day", stored.folded_week, folded_week),
    ):
        have = {k: v for k, v in have.items() if k > 0 and v > 0}
        if have != want:
            f.add(
                RANKS,
                f"rank table of board {board}: the {name} histogram disagrees with the entries' "
                f"folded scores (users per score: {_difference(have, want)})",
                challenge=cid,
            )
    return f


def check_people_finished(finished: Mapping[int, int], shards: Mapping[int, int]) -> Findings:
    """(d) each challenge's `peopleFinished` shards sum to the users who finished it."""
    f = Findings()
    for cid in sorted(set(finished) | set(shards)):
        f.count("peopleFinished.challenges")
        if finished.get(cid, 0) != shards.get(cid, 0):
            f.add(
                PEOPLE_FINISHED,
                f"the shards sum to {shards.get(cid, 0)}, {finished.get(cid, 0)} users finished",
                challenge=cid,
            )
    return f


def milestone_of_claim(claim: Mapping[str, Any]) -> tuple[str, int, int] | None:
    """The milestone document path and reward id of a claim's prize, when the claim names them."""
    key, user = claim.get(s.CLAIM_PRIZE_KEY), claim.get(s.POOL_USER_ID)
    if not isinstance(key, str) or not isinstance(user, str):
        return None
    mid, _, rid = key.rpartition("-")
    if not mid.isdigit() or not rid.isdigit():
        return None
    return paths.milestone_doc(user, int(mid)), int(mid), int(rid)


def check_claims(
    pool: str,
    claims: Iterable[tuple[str, Mapping[str, Any]]],
    docs: Mapping[str, Mapping[str, Any] | None],
) -> Findings:
    """Each claimed code: its prize's assignment holds it, it is taken, its prize shows it.

    `docs` holds the assignments, codes and milestones the claims name (None: absent).
    """
    f = Findings()
    for code, claim in claims:
        f.count("vouchers.claims")
        key = claim.get(s.CLAIM_PRIZE_KEY)
        user = claim.get(s.POOL_USER_ID)
        where = f"pool {pool} code {code!r}"
        assignment = docs.get(s.pool_doc(pool, s.ASSIGNMENTS, str(key)))
        if assignment is None or assignment.get(s.ASSIGNMENT_CODE) != code:
            held = None if assignment is None else assignment.get(s.ASSIGNMENT_CODE)
            f.add(VOUCHERS, f"{where} is claimed for prize {key} whose assignment holds {held!r}")
        code_doc = docs.get(s.pool_doc(pool, s.CODES, code))
        if code_doc is None or code_doc.get(s.CODE_TAKEN) is not True:
            f.add(VOUCHERS, f"{where} is claimed but not taken in the pool")
        named = milestone_of_claim(claim)
        if named is None:
            continue
        path, mid, rid = named
        milestone = docs.get(path)
        prizes = [] if milestone is None else milestone.get(s.MILESTONE_PRIZES) or []
        shown = [
            p
            for p in prizes
            if isinstance(p, Mapping)
            and p.get(s.PRIZE_REWARD_ID) == rid
            and p.get(s.PRIZE_VALUE) == code
            and p.get(s.PRIZE_STATUS) == prize_status.ISSUED
        ]
        if not shown:
            f.add(
                VOUCHERS,
                f"{where} is claimed for milestone {mid} reward {rid}, which does not show it",
                str(user),
            )
    return f


def check_assignments(
    pool: str,
    assignments: Iterable[tuple[str, Mapping[str, Any]]],
    claims: Mapping[str, Mapping[str, Any] | None],
) -> Findings:
    """Each assignment's code is claimed by that prize."""
    f = Findings()
    for key, assignment in assignments:
        f.count("vouchers.assignments")
        code = assignment.get(s.ASSIGNMENT_CODE)
        claim = claims.get(s.pool_doc(pool, s.CLAIMS, str(code)))
        if claim is None or claim.get(s.CLAIM_PRIZE_KEY) != key:
            owner = None if claim is None else claim.get(s.CLAIM_PRIZE_KEY)
            f.add(
                VOUCHERS,
                f"pool {pool}: prize {key} is assigned code {code!r}, claimed by {owner!r}",
                None if assignment.get(s.POOL_USER_ID) is None else str(assignment[s.POOL_USER_ID]),
            )
    return f


def check_taken(
    pool: str,
    taken: Iterable[tuple[str, Mapping[str, Any]]],
    claims: Mapping[str, Mapping[str, Any] | None],
) -> Findings:
    """Each taken code has its claim."""
    f = Findings()
    for code, _ in taken:
        f.count("vouchers.codesTaken")
        if claims.get(s.pool_doc(pool, s.CLAIMS, code)) is None:
            f.add(VOUCHERS, f"pool {pool}: code {code!r} is taken but claimed by no prize")
    return f


def check_stock(pool: str, out_of_stock: int, free: int) -> Findings:
    """Prizes out of stock while codes are free: a pool restocked since, or a missed code."""
    f = Findings()
    f.count("vouchers.freeCodes", free)
    if out_of_stock and free:
        f.note(
            VOUCHERS,
            f"pool {pool}: {out_of_stock} prizes are out of stock while {free} codes are free "
            "(restocked since?)",
        )
    return f


def finished_counts(reports: Iterable[Iterable[int]]) -> Counter[int]:
    """Users who finished each challenge, from the users' finished challenge ids."""
    counts: Counter[int] = Counter()
    for finished in reports:
        counts.update(finished)
    return counts
