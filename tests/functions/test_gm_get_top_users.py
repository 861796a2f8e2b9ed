"""gm.getTopUsers and ranks: order, ties, periods, includeSelf, variants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.functions.gigya_client import gm as gm

pytestmark = pytest.mark.emulator


def _scores(gm) -> None:
    gm.earn("a", 50, "ta")
    gm.earn("b", 80, "tb")
    gm.earn("c", 50, "tc")
    gm.earn("d", 10, "td", at=datetime.now(UTC) - timedelta(days=9))
    gm.refresh_ranks()


def test_all_time_top_users_with_shared_ranks_and_ties_by_who_reached_first(gm):
    _scores(gm)
    body = gm.ok("gm.getTopUsers", challenge="_default", period="all", totalCount=10)
    listed = [(u["UID"], u["rank"]) for u in body["users"]]
    assert listed == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]
    first = body["users"][0]["achievements"][0]
    assert first["challengeID"] == "_default" and first["pointsTotal"] == 80


def test_seven_day_top_users_leave_out_old_points(gm):
    _scores(gm)
    body = gm.ok("gm.getTopUsers", challenge="points")
    # The default period is 7 days; d's points are 9 days old.
    assert [(u["UID"], u["rank"]) for u in body["users"]] == [("b", 1), ("a", 2), ("c", 2)]


def test_include_self_appends_the_caller_outside_the_top(gm):
    _scores(gm)
    body = gm.ok("gm.getTopUsers", period="all", totalCount=1, UID="d")
    assert [(u["UID"], u["rank"]) for u in body["users"]] == [("b", 1), ("d", 4)]
    alone = gm.ok("gm.getTopUsers", period="all", totalCount=1, UID="d", includeSelf="false")
    assert [u["UID"] for u in alone["users"]] == ["b"]


def test_ranks_in_challenge_status_agree_with_the_top_list(gm):
    _scores(gm)
    ranks = {uid: gm.status(uid)["_default"] for uid in "abcd"}
    assert {uid: a["rank"] for uid, a in ranks.items()} == {"b": 1, "a": 2, "c": 2, "d": 4}
    assert {uid: a["rank7Days"] for uid, a in ranks.items()} == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_a_variant_has_its_own_leaderboard(gm):
    gm.ok("gm.notifyAction", UID="a", action="share", actionAttributes={"show": "glee"})
    gm.ok("gm.notifyAction", UID="b", action="share")
    gm.ok("gm.notifyAction", UID="b", action="share")
    gm.refresh_ranks()
    glee = gm.ok("gm.getTopUsers", challenge="points", period="all", variantID="show:glee")
    assert [u["UID"] for u in glee["users"]] == ["a"]
    whole = gm.ok("gm.getTopUsers", challenge="points", period="all")
    assert [u["UID"] for u in whole["users"]] == ["b", "a"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"period": "month"}, "period"),
        ({"totalCount": "0"}, "totalCount"),
        ({"totalCount": "101"}, "totalCount"),
        ({"includeSelf": "maybe"}, "includeSelf"),
        ({"challenge": "nope"}, "challenge"),
    ],
)
def test_bad_top_users_requests_name_the_parameter(gm, params, parameter):
    body = gm.call("gm.getTopUsers", **params)
    assert body["errorCode"] == 400006, body
    assert parameter in body["errorDetails"]
