"""infra/deploy.sh, run with DRY_RUN=1: the gcloud commands it would run, checked flag by flag."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from devtools.server import EVENT_ENTRY_POINTS, entry_points, function_id
from tests.conftest import ROOT

SCRIPT = ROOT / "infra" / "deploy.sh"
SA = "challenges-runtime@p-test.iam.gserviceaccount.com"


def _dry_run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DRY_RUN": "1", "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def commands() -> list[list[str]]:
    result = _dry_run(PROJECT_ID="p-test")
    assert result.returncode == 0, result.stderr
    return [shlex.split(line[2:]) for line in result.stdout.splitlines() if line.startswith("+ ")]


def _deploys(commands: list[list[str]]) -> dict[str, list[str]]:
    return {c[5]: c for c in commands if c[3:5] == ["functions", "deploy"]}


def test_the_script_is_valid_bash() -> None:
    assert subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True).returncode == 0


def test_every_entry_point_is_deployed_as_gen2_with_its_runtime_and_memory(commands) -> None:
    deploys = _deploys(commands)
    assert set(deploys) == {function_id(e) for e in entry_points()}
    for entry in entry_points():
        flags = deploys[function_id(entry)]
        for flag in (
            "--gen2",
            f"--entry-point={entry}",
            "--runtime=python312",
            "--memory=256Mi",
            "--source=.",
            f"--service-account={SA}",
        ):
            assert flag in flags, (entry, flag)
        env = next(f for f in flags if f.startswith("--set-env-vars="))
        assert "GOOGLE_CLOUD_PROJECT=p-test" in env and f"SIGNER_EMAIL={SA}" in env


def test_http_functions_are_public_and_the_trigger_is_the_firestore_event(commands) -> None:
    deploys = _deploys(commands)
    for entry in entry_points():
        flags = deploys[function_id(entry)]
        if entry in EVENT_ENTRY_POINTS:
            assert "--trigger-http" not in flags
            for flag in (
                "--trigger-event-filters=type=google.cloud.firestore.document.v1.created",
                "--trigger-event-filters=database=(default)",
                "--trigger-event-filters-path-pattern=document=transactions/{transactionId}",
                "--retry",
            ):
                assert flag in flags, flag
        else:
            assert "--trigger-http" in flags and "--allow-unauthenticated" in flags


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


def test_runtime_python311_is_accepted_and_others_refused() -> None:
    ok = _dry_run(PROJECT_ID="p-test", RUNTIME="python311", SKIP_FIREBASE="1")
    assert ok.returncode == 0 and "--runtime=python311" in ok.stdout
    bad = _dry_run(PROJECT_ID="p-test", RUNTIME="python310")
    assert bad.returncode == 2 and "python311 or python312" in bad.stderr


def test_a_region_other_than_firebase_json_is_refused() -> None:
    result = _dry_run(PROJECT_ID="p-test", REGION="mars-north1")
    assert result.returncode == 2 and "firebase.json" in result.stderr


def test_project_is_required() -> None:
    result = _dry_run()
    assert result.returncode != 0 and "PROJECT_ID" in result.stderr
