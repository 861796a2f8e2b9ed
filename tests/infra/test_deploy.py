"""infra/deploy.sh, run with DRY_RUN=1: the gcloud commands it would run, checked flag by flag.

Which functions it deploys and with which trigger is checked against the table of functions in
tests/test_endpoints.py; this file checks the flags every function shares and the rest.
"""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from shared.endpoints import FUNCTIONS, of_kind
from tests.conftest import ROOT

SCRIPT = ROOT / "infra" / "deploy.sh"
SA = "challenges-runtime@p-test.iam.gserviceaccount.com"


def dry_run(**env: str) -> subprocess.CompletedProcess[str]:
    """deploy.sh under DRY_RUN=1 with `env` (and nothing else of this process's environment)."""
    return subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DRY_RUN": "1", "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def dry_run_commands(**env: str) -> list[list[str]]:
    """The commands deploy.sh would run, each split into its arguments."""
    result = dry_run(PROJECT_ID="p-test", **env)
    assert result.returncode == 0, result.stderr
    return [shlex.split(line[2:]) for line in result.stdout.splitlines() if line.startswith("+ ")]


def deploys(commands: list[list[str]]) -> dict[str, list[str]]:
    """`functions deploy` commands by function name."""
    return {c[5]: c for c in commands if c[3:5] == ["functions", "deploy"]}


def scheduler_jobs(commands: list[list[str]]) -> dict[str, list[str]]:
    """`scheduler jobs create http` commands by job name."""
    return {c[7]: c for c in commands if c[3:7] == ["scheduler", "jobs", "create", "http"]}


@pytest.fixture(scope="module")
def commands() -> list[list[str]]:
    return dry_run_commands()


def test_the_script_is_valid_bash() -> None:
    assert subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True).returncode == 0


def test_every_function_is_deployed_as_gen2_with_its_runtime_and_memory(commands) -> None:
    deployed = deploys(commands)
    for function in FUNCTIONS:
        flags = deployed[function.function_id]
        for flag in (
            "--gen2",
            f"--entry-point={function.entry_point}",
            "--runtime=python312",
            "--memory=256Mi",
            "--source=.",
            f"--service-account={SA}",
        ):
            assert flag in flags, (function.entry_point, flag)
        env = next(f for f in flags if f.startswith("--set-env-vars="))
        assert "GOOGLE_CLOUD_PROJECT=p-test" in env and f"SIGNER_EMAIL={SA}" in env
        # The functions see the staleness their scheduler job runs at.
        assert "RANK_STALENESS_SECONDS=300" in env


def test_runtime_identity_roles_bucket_and_ttl(commands) -> None:
    lines = [" ".join(c) for c in commands]

    def has(*parts: str) -> bool:
        return any(all(p in line for p in parts) for line in lines)

    assert has("projects add-iam-policy-binding", f"serviceAccount:{SA}", "roles/datastore.user")
    assert has(
        "storage buckets add-iam-policy-binding",
        "gs://p-test-challenge-images",
        "roles/storage.objectViewer",
    )
    assert has(
        "iam service-accounts add-iam-policy-binding",
        SA,
        f"--member=serviceAccount:{SA}",
        "roles/iam.serviceAccountTokenCreator",
    )
    assert has(
        "firestore fields ttls update expiresAt", "--collection-group=authNonces", "--enable-ttl"
    )
    assert has("deploy --project p-test", "firestore:rules,firestore:indexes,hosting")


def test_the_apis_include_eventarc_and_cloud_scheduler(commands) -> None:
    enable = next(c for c in commands if c[3:5] == ["services", "enable"])
    assert {"eventarc.googleapis.com", "cloudscheduler.googleapis.com"} <= set(enable)


@pytest.mark.parametrize(
    ("staleness", "schedule"),
    [("300", "*/2 * * * *"), ("90", "*/1 * * * *"), ("30", "*/1 * * * *"), ("900", "*/7 * * * *")],
)
def test_the_scheduler_job_interval_follows_the_staleness_setting(staleness, schedule) -> None:
    (scheduled,) = of_kind("scheduled")
    assert scheduled.schedule is not None
    commands = dry_run_commands(**{scheduled.schedule.setting: staleness, "SKIP_FIREBASE": "1"})
    job = scheduler_jobs(commands)[scheduled.function_id]
    assert f"--schedule={schedule}" in job
    env = next(f for f in deploys(commands)[scheduled.function_id] if f.startswith("--set-env"))
    assert f"{scheduled.schedule.setting}={staleness}" in env


def test_a_staleness_out_of_bounds_is_refused_before_anything_runs() -> None:
    for bad in ("0", "-60", "901", "five"):
        result = dry_run(PROJECT_ID="p-test", RANK_STALENESS_SECONDS=bad)
        assert result.returncode == 2, (bad, result.stdout)
        assert "RANK_STALENESS_SECONDS" in result.stderr
        assert "functions deploy" not in result.stdout


def test_only_deploys_the_named_functions_and_refuses_unknown_ones() -> None:
    (scheduled,) = of_kind("scheduled")
    commands = dry_run_commands(ONLY="get_details_by_id", SKIP_FIREBASE="1")
    assert set(deploys(commands)) == {"get-details-by-id"}
    assert not scheduler_jobs(commands)
    commands = dry_run_commands(ONLY=scheduled.entry_point, SKIP_FIREBASE="1")
    assert set(deploys(commands)) == set(scheduler_jobs(commands)) == {scheduled.function_id}
    unknown = dry_run(PROJECT_ID="p-test", ONLY="get_details_by_id nope")
    assert unknown.returncode == 2 and "nope" in unknown.stderr
    assert "functions deploy" not in unknown.stdout


def test_runtime_python311_is_accepted_and_others_refused() -> None:
    ok = dry_run(PROJECT_ID="p-test", RUNTIME="python311", SKIP_FIREBASE="1")
    assert ok.returncode == 0 and "--runtime=python311" in ok.stdout
    bad = dry_run(PROJECT_ID="p-test", RUNTIME="python310")
    assert bad.returncode == 2 and "python311 or python312" in bad.stderr


def test_a_region_other_than_firebase_json_is_refused() -> None:
    result = dry_run(PROJECT_ID="p-test", REGION="mars-north1")
    assert result.returncode == 2 and "firebase.json" in result.stderr


def test_project_is_required() -> None:
    result = dry_run()
    assert result.returncode != 0 and "PROJECT_ID" in result.stderr
