"""Figure C: every entry point of main.py started cold, answering a real first request.

The V1/V2 functions and the trigger answer requests on the read path's data (section C); the
gm.* functions and `refresh_ranks` answer requests on the Gigya data (section G,
bench/gigya_data.py): authenticated with a real application key (userKey + secret, the
functions started with `GIGYA_ALLOW_SECRET_OVER_HTTP=true`) and sent with
`httpStatusCodes=true`, so that a refused call answers a non-2xx status and misses the goal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import requests

from bench.cold_start import (
    COLD_START_GOAL_SECONDS,
    PEAK_MEMORY_GOAL_MIB,
    ColdStart,
    Probe,
    event_probe,
    measure,
)
from bench.data import ReadFixture, earn_transaction
from bench.read_path import v2_headers
from bench.report import Figure, at_most
from shared.enums import RewardType
from shared.repository.keys import milestone_id

if TYPE_CHECKING:
    from bench.gigya_data import GigyaFixture


# The entry points `probes` and `gigya_probes` send a real first request to.
READ_PROBED = (
    "get_progress_challenges_info_for_user",
    "get_details_by_id",
    "get_badge_details_by_id",
    "claim_prize",
    "get_prizes_history",
    "on_transaction_created",
)
GIGYA_PROBED = (
    "gm_get_challenge_status",
    "gm_notify_action",
    "gm_redeem_points",
    "gm_reset_level_status",
    "gm_get_top_users",
    "gm_get_challenge_config",
    "gm_get_action_config",
    "gm_get_actions_log",
    "refresh_ranks",
)


def _get(path: str, headers: dict[str, str]) -> Probe:
    return lambda base: requests.get(base + path, headers=headers, timeout=10)


def _post(path: str, headers: dict[str, str], body: dict[str, int]) -> Probe:
    return lambda base: requests.post(base + path, json=body, headers=headers, timeout=10)


def probes(fixture: ReadFixture, project: str) -> dict[str, Probe]:
    """A realistic first request for each entry point, as the fixture's user (V2)."""
    headers = v2_headers(fixture.user)
    api = "/api/v2/Integration/"
    challenges = fixture.catalog.challenges
    badge = next(c.id for c in challenges if c.rewardType is RewardType.BADGE)
    other = next(c.id for c in challenges if c.rewardType is not RewardType.BADGE)
    prize = next(c.id for c in challenges if c.id % 5 == 0)
    return {
        "get_progress_challenges_info_for_user": _get(
            api + "GetProgressChallengesInfoForUser?ItemsPerPage=10", headers
        ),
        "get_details_by_id": _post(api + "GetDetailsById", headers, {"ChallengeId": other}),
        "get_badge_details_by_id": _post(
            api + "GetBadgeDetailsById", headers, {"ChallengeId": badge}
        ),
        "claim_prize": _post(
            api + "ClaimPrize", headers, {"MilestoneId": milestone_id(fixture.user, prize, 0, 0)}
        ),
        "get_prizes_history": _get(api + "GetPrizesHistory", headers),
        "on_transaction_created": event_probe(project, earn_transaction(fixture.user, 1)),
    }


def needs_gigya_data(entry_point: str) -> bool:
    """True for the functions whose first request needs section G's data (gm.*, the refresher)."""
    from shared.endpoints import by_entry_point

    function = by_entry_point(entry_point)
    return function.surface == "gigya" or function.kind == "scheduled"


def _form(path: str, form: dict[str, str]) -> Probe:
    return lambda base: requests.post(base + path, data=form, timeout=10)


def gigya_probes(fixture: GigyaFixture) -> dict[str, Probe]:
    """A realistic first request for each gm.* function and for `refresh_ranks`."""
    from bench.gigya_data import CAPPED_ACTION
    from shared.schema.gigya import DEFAULT_CHALLENGE

    auth = {**fixture.auth(), "httpStatusCodes": "true"}
    user = {**auth, "UID": fixture.user}
    return {
        "gm_get_challenge_status": _form(
            "/gm.getChallengeStatus",
            {**user, "includeChallenges": ",".join(fixture.challenge_ids), "details": "full"},
        ),
        # A capped action: the cap's read and commit, then the engine's read and commit; its
        # entries left dirty give `refresh_ranks` (later in the table) something to fold.
        "gm_notify_action": _form("/gm.notifyAction", {**user, "action": CAPPED_ACTION}),
        "gm_redeem_points": _form(
            "/gm.redeemPoints", {**user, "challenge": DEFAULT_CHALLENGE, "points": "1"}
        ),
        "gm_reset_level_status": _form(
            "/gm.resetLevelStatus",
            {**user, "challenges": f"{fixture.challenge_ids[0]},{DEFAULT_CHALLENGE}"},
        ),
        "gm_get_top_users": _form(
            "/gm.getTopUsers",
            {**user, "challenge": fixture.ranked_challenge, "totalCount": "12", "period": "all"},
        ),
        "gm_get_challenge_config": _form("/gm.getChallengeConfig", auth),
        "gm_get_action_config": _form("/gm.getActionConfig", auth),
        "gm_get_actions_log": _form("/gm.getActionsLog", user),
        # What Cloud Scheduler sends: a POST, answered with the refresh's report.
        "refresh_ranks": lambda base: requests.post(base + "/", timeout=30),
    }


def measure_all(
    entry_points: list[str],
    env: dict[str, str],
    fixture: ReadFixture,
    project: str,
    gigya: GigyaFixture | None = None,
) -> list[ColdStart]:
    """Each entry point once, one after the other (they would share the CPUs otherwise).

    With `gigya`, the gm.* functions and `refresh_ranks` get their real first request too; an
    entry point without one gets `bench.cold_start.default_probe` (see `generic_probes`).
    """
    chosen = probes(fixture, project)
    if gigya is not None:
        chosen.update(gigya_probes(gigya))
    return [measure(entry, env, probe=chosen.get(entry)) for entry in entry_points]


def generic_probes(entry_points: Sequence[str], gigya: bool = False) -> list[str]:
    """The entry points `measure_all` starts with a generic probe (no real first request)."""
    known = set(READ_PROBED) | (set(GIGYA_PROBED) if gigya else set())
    return [entry for entry in entry_points if entry not in known]


def figures(
    results: list[ColdStart], prefix: str = "C", generic: Sequence[str] = ()
) -> list[Figure]:
    """Cold start and peak memory per entry point; a non-2xx first answer misses the goal."""
    out: list[Figure] = []
    for result in results:
        ok = 200 <= result.status < 300
        start = at_most(
            f"{prefix} cold start {result.entry_point}",
            result.seconds,
            "s",
            COLD_START_GOAL_SECONDS,
            first_status=result.status,
            first_request="generic probe" if result.entry_point in generic else "real",
        )
        if not ok:
            start = replace(start, met=False)
        out.append(start)
        out.append(
            at_most(
                f"{prefix} peak memory {result.entry_point}",
                result.peak_mib,
                "MiB",
                PEAK_MEMORY_GOAL_MIB,
                measure="sum of VmHWM over gunicorn arbiter and worker (upper bound)",
            )
        )
    return out
