"""The dead letters command against the emulator: list, show, re-drive one or all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from devtools.dead_letters import main
from shared.engine.process import process_transaction
from shared.enums import TriggerKind
from shared.repository import paths
from shared.repository.dead_letters_repo import read_dead_letter, record_dead_letter
from tests.conftest import ROOT
from tests.shared.engine.builders import NOW, challenge, earn, install, progress, simple_level

pytestmark = pytest.mark.emulator


@pytest.fixture
def letters(db):
    """One malformed transaction (dead-lettered by the engine) and one a bug left behind."""
    install(db, [challenge(1, simple_level(TriggerKind.EARNED_POINTS, 1000))])
    bad = earn("+201000000001", -5)
    db.document(f"{paths.TRANSACTIONS}/bad").set(bad)
    process_transaction(db, "bad", bad)
    record_dead_letter(
        db,
        "lost",
        reason="internal error: KeyError: 'x'",
        transaction_id="lost",
        data=earn("+201000000001", 30),
    )
    return db


def test_list_prints_newest_first_with_reason_time_transaction_and_source(letters, capsys):
    assert main(["list"]) == 0
    header, first, second = capsys.readouterr().out.splitlines()
    assert header.split()[:5] == ["ID", "RECEIVED", "SOURCE", "TRANSACTION", "STATE"]
    assert first.split()[:5] == ["lost", first.split()[1], "engine", "lost", "pending"]
    assert first.endswith("internal error: KeyError: 'x'")
    assert second.split()[0] == "bad" and "points: Input should be greater" in second
    assert main(["list", "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_show_prints_the_whole_letter_as_json(letters, capsys):
    assert main(["show", "bad"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == "bad" and shown["transactionId"] == "bad"
    assert shown["data"]["points"] == -5 and shown["data"]["occurredAt"] == NOW.isoformat()
    assert shown["source"] == "engine" and shown["receivedAt"]
    assert main(["show", "nope"]) == 2
    assert "no dead letter" in capsys.readouterr().err


def test_redrive_one_then_all(letters, capsys):
    user = "+201000000001"
    assert main(["redrive", "lost"]) == 0
    assert "lost: counted, from the letter's copy" in capsys.readouterr().out
    assert main(["redrive", "lost"]) == 0
    assert "lost: duplicate" in capsys.readouterr().out
    assert progress(letters, user, 1)["totals"]["earnedPoints"] == 30
    # --all: only `bad` is pending, and it is still malformed.
    assert main(["redrive", "--all"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("bad: still malformed from transactions/bad: points:")
    letters.document(f"{paths.TRANSACTIONS}/bad").set(earn(user, 5))
    assert main(["redrive", "--all"]) == 0
    assert "bad: counted, from transactions/bad" in capsys.readouterr().out
    assert progress(letters, user, 1)["totals"]["earnedPoints"] == 35
    assert main(["redrive", "--all"]) == 0
    assert capsys.readouterr().out == "no letters to re-drive\n"
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    # The state is the latest re-drive's outcome.
    assert "redriven (counted)" in listed.splitlines()[1] and listed.splitlines()[1][:3] == "bad"
    assert "redriven (duplicate)" in listed.splitlines()[2]


def test_the_command_needs_only_the_project(letters):
    env = {k: v for k, v in os.environ.items() if k != "IMAGES_BUCKET"}
    result = subprocess.run(
        [sys.executable, "-m", "devtools.dead_letters", "redrive", "lost"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.startswith("lost: counted")
    assert read_dead_letter(letters, "lost").redrive_status == "counted"
    env.pop("GOOGLE_CLOUD_PROJECT")
    env.pop("GCLOUD_PROJECT", None)
    result = subprocess.run(
        [sys.executable, "-m", "devtools.dead_letters", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "GOOGLE_CLOUD_PROJECT" in result.stderr
