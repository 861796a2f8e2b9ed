"""Figure C: every entry point of main.py started cold, answering a real first request."""

from __future__ import annotations

from dataclasses import replace

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


def measure_all(
    entry_points: list[str], env: dict[str, str], fixture: ReadFixture, project: str
) -> list[ColdStart]:
    """Each entry point once, one after the other (they would share the CPUs otherwise)."""
    chosen = probes(fixture, project)
    return [measure(entry, env, probe=chosen.get(entry)) for entry in entry_points]


def figures(results: list[ColdStart]) -> list[Figure]:
    """Cold start and peak memory per entry point; a non-2xx first answer misses the goal."""
    out: list[Figure] = []
    for result in results:
        ok = 200 <= result.status < 300
        start = at_most(
            f"C cold start {result.entry_point}",
            result.seconds,
            "s",
            COLD_START_GOAL_SECONDS,
            first_status=result.status,
        )
        if not ok:
            start = replace(start, met=False)
        out.append(start)
        out.append(
            at_most(
                f"C peak memory {result.entry_point}",
                result.peak_mib,
                "MiB",
                PEAK_MEMORY_GOAL_MIB,
                measure="sum of VmHWM over gunicorn arbiter and worker (upper bound)",
            )
        )
    return out
