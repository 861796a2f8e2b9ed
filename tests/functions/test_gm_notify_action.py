"""gm.notifyAction: counted once, read-your-writes on both surfaces, exact caps, bad input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from shared.engine.process import DUPLICATE, process_transaction
from shared.repository import leaderboards_repo, progress_repo
from shared.schema import paths
from tests.functions.gigya_client import gm as gm
from tests.functions.integration_client import api as api

pytestmark = pytest.mark.emulator


def _action_transactions(db, uid: str) -> list[dict]:
    from google.cloud.firestore import FieldFilter

    found = db.collection("transactions").where(filter=FieldFilter("userId", "==", uid)).stream()
    return [s.to_dict() | {"id": s.id} for s in found if s.to_dict().get("type") == 6]


def test_a_notification_is_counted_once_although_the_trigger_sees_it_too(gm):
    gm.ok("gm.notifyAction", UID="u1", action="share")
    # Read-your-writes: the next read shows it, without waiting for the trigger.
    status = gm.status("u1")
    assert status["points"]["pointsTotal"] == 10 and status["_default"]["pointsTotal"] == 10
    [recorded] = _action_transactions(gm.db, "u1")
    assert recorded["actionId"] == "share" and recorded["points"] == 10
    # The Firestore trigger then delivers the same transaction (twice, even): nothing more counts.
    data = {k: v for k, v in recorded.items() if k != "id"}
    assert process_transaction(gm.db, recorded["id"], data).status == DUPLICATE
    assert process_transaction(gm.db, recorded["id"], data).status == DUPLICATE
    assert gm.status("u1")["points"]["pointsTotal"] == 10
    # The leaderboard entries were written in the counting commit: once too.
    for board in ("_default", "1"):
        entry = leaderboards_repo.read_entries(gm.db, board, ["u1"])["u1"]
        assert entry.total == 10, board


def test_a_notification_moves_the_dsq_list_where_the_action_counts(gm):
    gm.ok("gm.notifyAction", UID="u1", action="share")
    entry = progress_repo.read_one(gm.db, "u1", 1)
    # Challenge 1 lists `share`: its EarnedPoints trigger (what the DSQ list shows) moved.
    assert entry["totals"]["earnedPoints"] == 10
    assert entry["totals"]["actions"]["share"] == 1
    # Challenge 2 does not list `share`.
    assert progress_repo.read_one(gm.db, "u1", 2) is None


def test_an_action_level_completes_and_stays_new_until_reset(gm):
    for _ in range(2):
        gm.ok("gm.notifyAction", UID="u1", action="comment")
    talker = gm.status("u1", details="full")["talker"]
    assert talker["level"] == 1 and talker["isNewLevel"] is True
    assert talker["requiredAchievement"] == "comment" and talker["achievementsToNextLevel"] == 3
    assert talker["actionStatus"] == [{"actionID": "comment", "completed": 0, "required": 3}]
    gm.ok("gm.resetLevelStatus", UID="u1", challenges="talker,_default")
    assert gm.status("u1")["talker"]["isNewLevel"] is False
    assert gm.status("u1")["_default"]["isNewLevel"] is False
    # Acknowledged is stored as absent: no entry keeps an `isNewLevel` field.
    entries = gm.db.document(paths.user_doc("u1")).get().get("challenges")
    assert entries and all("isNewLevel" not in entry for entry in entries.values())


def test_resetting_a_level_never_reached_stores_no_entry(gm):
    gm.ok("gm.resetLevelStatus", UID="u9", challenges="talker")
    stored = gm.db.document(paths.user_doc("u9")).get().to_dict() or {}
    assert not stored.get("challenges")
    assert gm.status("u9")["talker"]["isNewLevel"] is False


def test_a_mixed_level_needs_points_and_actions(gm):
    gm.earn("u1", 100, "t1")
    mixed = gm.status("u1", details="full")["mixed"]
    # Ledger points count where EarnedPoints is measured, but the shares are missing.
    assert mixed["level"] == 0 and "pointsStatus" not in mixed
    assert mixed["actionStatus"] == [{"actionID": "share", "completed": 0, "required": 2}]
    gm.ok("gm.notifyAction", UID="u1", action="share")
    gm.ok("gm.notifyAction", UID="u1", action="share")
    assert gm.status("u1")["mixed"]["level"] == 1


def test_twenty_concurrent_notifications_with_a_daily_cap_of_3_count_exactly_3(gm):
    def notify(_: int) -> dict:
        return gm.call("gm.notifyAction", UID="u1", action="comment")

    with ThreadPoolExecutor(max_workers=20) as pool:
        bodies = list(pool.map(notify, range(20)))
    counted = [b for b in bodies if b["errorCode"] == 0]
    refused = [b for b in bodies if b["errorCode"] != 0]
    assert len(counted) == 3
    assert {(b["errorCode"], b["errorDetails"]) for b in refused} == {(400124, "DailyCap exceeded")}
    assert refused[0]["errorMessage"] == "Limit reached"
    assert len(_action_transactions(gm.db, "u1")) == 3
    assert gm.status("u1")["talker"]["pointsTotal"] == 15


def test_a_frequency_cap_refuses_a_second_notification_too_soon(gm):
    gm.ok("gm.notifyAction", UID="u1", action="checkin")
    body = gm.call("gm.notifyAction", UID="u1", action="checkin")
    assert body["errorCode"] == 400124 and body["errorDetails"] == "FreqCap exceeded"
    # Another user is not limited by it.
    gm.ok("gm.notifyAction", UID="u2", action="checkin")
    # The cap's write created the user's document, knowing it was new: its list reads a page.
    from shared.schema import user as user_schema

    stored = gm.db.document(paths.user_doc("u2")).get().to_dict()
    assert stored[user_schema.LISTING_VERSION] == user_schema.LISTING_COMPLETE


@pytest.mark.parametrize(
    ("params", "code", "parameter"),
    [
        ({"action": "share"}, 400002, "UID"),
        ({"UID": "u1"}, 400002, "action"),
        ({"UID": "u1", "action": "unknown"}, 400126, "action"),
        ({"UID": "u1", "action": "old"}, 400126, "action"),
        ({"UID": "u1", "action": "share", "actionAttributes": "[1]"}, 400006, "actionAttributes"),
        ({"UID": "u1", "action": "share", "actionAttributes": "{"}, 400006, "actionAttributes"),
        (
            {"UID": "u1", "action": "share", "actionAttributes": {"a": ["1", "2", "3", "4"]}},
            400006,
            "actionAttributes",
        ),
        (
            {"UID": "u1", "action": "share", "actionAttributes": {"a": "x" * 5000}},
            400006,
            "actionAttributes",
        ),
    ],
)
def test_bad_notifications_are_refused_and_record_nothing(gm, params, code, parameter):
    body = gm.call("gm.notifyAction", **params)
    assert body["errorCode"] == code, body
    assert parameter in body["errorDetails"] or body["errorCode"] == 400126
    assert _action_transactions(gm.db, "u1") == []


def test_the_actions_log_lists_actions_and_redeems(gm):
    start = int(datetime.now(UTC).timestamp()) - 5
    gm.ok("gm.notifyAction", UID="u1", action="share", actionAttributes={"show": "glee"})
    gm.ok("gm.redeemPoints", UID="u1", challenge="_default", points=4)
    log = gm.ok("gm.getActionsLog", UID="u1", startTime=start)["actions"]
    assert [(e["actionID"], e["points"]) for e in log] == [("share", 10), ("_redeemPoints", -4)]
    assert log[0]["actionAttributes"] == {"show": "glee"}
    empty = gm.ok("gm.getActionsLog", UID="u1", endTime=start - 100)["actions"]
    assert empty == []
    bad = gm.call("gm.getActionsLog", UID="u1", startTime=10, endTime=5)
    assert bad["errorCode"] == 400006 and "endTime" in bad["errorDetails"]


def test_both_surfaces_read_one_state(gm, api):
    from tests.functions.integration_client import ENVELOPE_KEYS

    gm.ok("gm.notifyAction", UID="+201000000050", action="comment")
    gm.ok("gm.notifyAction", UID="+201000000050", action="comment")
    response = api.call("v1", "GetProgressChallengesInfoForUser", query={"UserId": "+201000000050"})
    body = response.get_json()
    assert set(body) == ENVELOPE_KEYS and body["statusCode"] == 1, body
    by_id = {item["id"]: item for item in body["result"]["data"]}
    # "talker" (2) asks 2 comments for its first level: reached, and the DSQ list shows the
    # next level's PerformedAction trigger from 0 of 3.
    trigger = by_id[2]["groupProgress"][0]["triggersProgress"][0]
    assert (trigger["triggerId"], trigger["triggerFrequency"], trigger["actionLeft"]) == (7, 3, 3)
    # And a ledger transaction written for the user moves the Gigya side.
    gm.earn("+201000000050", 40, "t-both")
    assert gm.status("+201000000050")["_default"]["pointsTotal"] == 50


def test_a_crash_between_recording_and_counting_is_repaired_by_the_trigger(gm, monkeypatch):
    from shared.gigya import notify

    def crash(*_args, **_kwargs):
        raise RuntimeError("the instance died after recording the transaction")

    monkeypatch.setattr(notify, "process_transaction", crash)
    gm.ok("gm.notifyAction", UID="u9", action="comment")
    monkeypatch.undo()
    assert gm.status("u9")["talker"]["pointsTotal"] == 0
    [recorded] = _action_transactions(gm.db, "u9")
    data = {k: v for k, v in recorded.items() if k != "id"}
    # The trigger's delivery (twice) counts it, once; the cap already holds it.
    process_transaction(gm.db, recorded["id"], data)
    process_transaction(gm.db, recorded["id"], data)
    assert gm.status("u9")["talker"]["pointsTotal"] == 5
    for _ in range(2):
        gm.ok("gm.notifyAction", UID="u9", action="comment")
    assert gm.call("gm.notifyAction", UID="u9", action="comment")["errorCode"] == 400124
