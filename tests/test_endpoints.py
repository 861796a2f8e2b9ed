"""The table of functions (shared/endpoints.py) is consistent, and everything else derives from it.

A function the table routes but whose module is missing, or does not define its entry point,
fails `test_every_function_of_the_table_is_deployable`: routed but not deployable is a failure.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from devtools.server import FIREBASE_JSON, entry_points, render_firebase_json
from shared import endpoints
from shared.endpoints import FUNCTIONS, Function, of_kind
from tests.conftest import ROOT
from tests.infra.test_deploy import SA, deploys, dry_run_commands, scheduler_jobs

KINDS = {"http", "event", "scheduled"}


# --- the table itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.entry_point)
def test_every_function_of_the_table_is_deployable(function: Function) -> None:
    assert function.module == f"functions.{function.entry_point}"
    source = ROOT / "functions" / f"{function.entry_point}.py"
    assert source.is_file(), f"{function.entry_point} is in the table but functions/ has no module"
    module = importlib.import_module(function.module)
    entry = getattr(module, function.entry_point, None)
    assert callable(entry), f"{function.module} defines no callable {function.entry_point}"


def test_every_function_module_is_in_the_table() -> None:
    modules = {p.stem for p in (ROOT / "functions").glob("*.py") if not p.stem.startswith("_")}
    assert modules <= set(endpoints.entry_points()), "modules of functions/ the table misses"


def test_entry_points_function_ids_and_paths_are_unique() -> None:
    entries = [f.entry_point for f in FUNCTIONS]
    assert len(set(entries)) == len(entries)
    ids = [f.function_id for f in FUNCTIONS]
    assert len(set(ids)) == len(ids)
    for fid in ids:
        # Cloud Run service names: lowercase letters, digits and dashes, at most 63.
        assert fid.replace("-", "").isalnum() and fid.islower() and len(fid) <= 63, fid
    paths = [p for f in FUNCTIONS for p in f.paths]
    assert len(set(paths)) == len(paths)
    assert all(p.startswith("/") and not p.startswith("/_") for p in paths), paths


def test_each_kind_carries_exactly_its_own_fields() -> None:
    for f in FUNCTIONS:
        assert f.kind in KINDS, f
        is_http = f.kind == "http"
        assert bool(f.paths) == bool(f.methods) == (f.surface is not None) == is_http, f
        assert (f.name is not None) == is_http, f
        assert set(f.methods) <= {"GET", "POST"}, f
        assert (f.event is not None) == (f.kind == "event"), f
        assert (f.schedule is not None) == (f.kind == "scheduled"), f
        assert f.public == is_http


def test_the_table_is_the_contract_of_this_release() -> None:
    integration = {
        "get_progress_challenges_info_for_user": ("GetProgressChallengesInfoForUser", "GET"),
        "get_details_by_id": ("GetDetailsById", "POST"),
        "get_badge_details_by_id": ("GetBadgeDetailsById", "POST"),
        "claim_prize": ("ClaimPrize", "POST"),
        "get_prizes_history": ("GetPrizesHistory", "GET"),
    }
    gigya = {
        "gm_get_challenge_status": "gm.getChallengeStatus",
        "gm_notify_action": "gm.notifyAction",
        "gm_redeem_points": "gm.redeemPoints",
        "gm_reset_level_status": "gm.resetLevelStatus",
        "gm_get_top_users": "gm.getTopUsers",
        "gm_get_challenge_config": "gm.getChallengeConfig",
        "gm_get_action_config": "gm.getActionConfig",
        "gm_get_actions_log": "gm.getActionsLog",
    }
    http = {f.entry_point: (f.paths, f.methods) for f in of_kind("http")}
    expected = {
        entry: ((f"/api/v1/Integration/{name}", f"/api/v2/Integration/{name}"), (method,))
        for entry, (name, method) in integration.items()
    }
    expected |= {entry: ((f"/{name}",), ("GET", "POST")) for entry, name in gigya.items()}
    assert http == expected
    (event,) = of_kind("event")
    assert event.entry_point == "on_transaction_created"
    assert event.event == endpoints.EventTrigger(
        "google.cloud.firestore.document.v1.created", "transactions/{transactionId}", "(default)"
    )
    (scheduled,) = of_kind("scheduled")
    assert scheduled.entry_point == "refresh_ranks"
    assert scheduled.schedule == endpoints.Schedule("RANK_STALENESS_SECONDS", 300, 900)


@pytest.mark.parametrize(
    ("seconds", "cron"),
    [
        # Every half staleness: a function keeps a table for the other half.
        (300, "*/2 * * * *"),
        (240, "*/2 * * * *"),
        (239, "*/1 * * * *"),
        (60, "*/1 * * * *"),
        (1, "*/1 * * * *"),
        (7199, "*/59 * * * *"),
        (7200, "0 */1 * * *"),
        (14520, "0 */2 * * *"),
        (172800, "0 0 * * *"),
    ],
)
def test_the_schedule_never_runs_less_often_than_the_staleness(seconds: int, cron: str) -> None:
    assert endpoints.Schedule("S", 300, 7 * 86400).cron(seconds) == cron


def test_a_setting_out_of_bounds_is_refused() -> None:
    schedule = endpoints.Schedule("S", 300, 900)
    assert schedule.cron() == schedule.cron("") == schedule.cron("300") == "*/2 * * * *"
    assert schedule.cron("900") == "*/7 * * * *"
    for bad in ("0", "-60", "901", "five", "1.5"):
        with pytest.raises(ValueError, match=r"^S must be"):
            schedule.cron(bad)


@pytest.mark.parametrize("function", of_kind("scheduled"), ids=lambda f: f.entry_point)
def test_the_functions_read_the_schedule_setting_with_the_same_default_and_bounds(
    function: Function,
) -> None:
    from shared.config import load_settings
    from shared.errors import ConfigError

    schedule = function.schedule
    assert schedule is not None
    base = {"GOOGLE_CLOUD_PROJECT": "p", "IMAGES_BUCKET": "b"}
    field = schedule.setting.lower()
    assert getattr(load_settings(base), field) == schedule.default_seconds
    top = str(schedule.maximum_seconds)
    assert getattr(load_settings({**base, schedule.setting: top}), field) == int(top)
    for bad in ("0", str(schedule.maximum_seconds + 1)):
        with pytest.raises(ConfigError):
            load_settings({**base, schedule.setting: bad})


def test_the_table_module_imports_nothing_heavy() -> None:
    code = (
        "import json, sys; before = set(sys.modules); import shared.endpoints; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(out.stdout))
    ours = {m for m in loaded if m.split(".")[0] not in sys.stdlib_module_names}
    assert ours == {"shared", "shared.endpoints"}, ours


# --- main.py ------------------------------------------------------------------------------------


def test_main_entry_points_are_the_table() -> None:
    assert entry_points() == endpoints.entry_points()


def test_main_imports_a_function_module_only_when_that_function_is_asked_for() -> None:
    code = (
        "import sys, main\n"
        "first = sorted(m for m in sys.modules if m.startswith('functions'))\n"
        "assert callable(main.get_details_by_id)\n"
        "then = sorted(m for m in sys.modules if m.startswith('functions.'))\n"
        "print(first, then)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[] ['functions.get_details_by_id']"


# --- firebase.json ------------------------------------------------------------------------------


def test_firebase_json_is_what_the_table_gives() -> None:
    assert FIREBASE_JSON.read_text(encoding="utf-8") == render_firebase_json(), (
        "firebase.json is stale: run `make firebase-json`"
    )
    rewrites = json.loads(FIREBASE_JSON.read_text(encoding="utf-8"))["hosting"]["rewrites"]
    routed = {r["source"]: r["function"]["functionId"] for r in rewrites}
    assert routed == {p: f.function_id for f in of_kind("http") for p in f.paths}


# --- infra/deploy.sh ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def commands() -> list[list[str]]:
    return dry_run_commands()


def _invoker_bindings(commands: list[list[str]]) -> dict[str, list[str]]:
    return {c[5]: c for c in commands if c[3:5] == ["functions", "add-invoker-policy-binding"]}


def test_deploy_sh_deploys_every_function_of_the_table_and_nothing_else(commands) -> None:
    assert set(deploys(commands)) == {f.function_id for f in FUNCTIONS}


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.entry_point)
def test_deploy_sh_gives_each_function_the_trigger_of_its_kind(commands, function) -> None:
    flags = deploys(commands)[function.function_id]
    assert f"--entry-point={function.entry_point}" in flags
    invoker = _invoker_bindings(commands).get(function.function_id)
    jobs = scheduler_jobs(commands)
    if function.kind == "http":
        assert "--trigger-http" in flags and "--allow-unauthenticated" in flags
        assert invoker is None and function.function_id not in jobs
    elif function.kind == "event":
        assert function.event is not None
        assert "--trigger-http" not in flags
        for flag in (
            f"--trigger-event-filters=type={function.event.event_type}",
            f"--trigger-event-filters=database={function.event.database}",
            f"--trigger-event-filters-path-pattern=document={function.event.document}",
            f"--trigger-service-account={SA}",
            "--retry",
        ):
            assert flag in flags, flag
        assert invoker is not None and f"--member=serviceAccount:{SA}" in invoker
    else:
        assert function.schedule is not None
        assert "--trigger-http" in flags and "--no-allow-unauthenticated" in flags
        assert "--allow-unauthenticated" not in flags
        assert invoker is not None and f"--member=serviceAccount:{SA}" in invoker
        job = jobs[function.function_id]
        uri = next(f for f in job if f.startswith("--uri=")).removeprefix("--uri=")
        for flag in (
            f"--schedule={function.schedule.cron()}",
            f"--oidc-service-account-email={SA}",
            f"--oidc-token-audience={uri}",
            "--http-method=POST",
        ):
            assert flag in job, flag
