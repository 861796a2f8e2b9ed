"""The members command against the emulator: export as JSON, erase, erase again."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from devtools.members import main
from shared.repository import paths
from shared.schema import gigya as g
from tests.conftest import ROOT
from tests.functions.gigya_client import gm as gm
from tests.shared.repository.member_data import USER, member, naming

pytestmark = pytest.mark.emulator
__all__ = ["gm", "member"]  # fixtures


def test_export_prints_the_members_data_as_json(member, capsys):
    assert main(["export", USER]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["user"]["path"] == paths.user_doc(USER)
    assert {g.ACTION_LOG, g.REDEEM_LOG} <= set(exported["subcollections"])
    assert exported["leaderboardEntries"] and exported["voucherRecords"]
    assert exported["deadLetters"] and exported["ledger"]["documents"] == 6
    assert "left to the ledger" in exported["ledger"]["note"]


def test_erase_says_what_went_and_what_is_left_to_the_ledger(member, capsys):
    assert main(["erase", USER]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"erased {USER!r}:\n  user document: 1\n")
    assert f"{g.ACTION_LOG} 2" in out and f"{g.REDEEM_LOG} 1" in out
    assert "voucher records no longer naming the user (codes stay taken): 3" in out
    assert out.rstrip().endswith(
        f"left to the ledger: 6 {paths.TRANSACTIONS} documents name this user; "
        "they are the ledger's records, erase them there"
    )
    assert naming(member.db, USER) == []
    assert main(["erase", USER]) == 0
    assert capsys.readouterr().out.startswith(
        f"nothing to erase for {USER!r}\nleft to the ledger: 6"
    )


def test_the_command_runs_with_the_project_alone(member):
    env = {k: v for k, v in os.environ.items() if k != "IMAGES_BUCKET"}
    result = subprocess.run(
        [sys.executable, "-m", "devtools.members", "export", USER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout)["userId"] == USER
