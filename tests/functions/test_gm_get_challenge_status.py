"""gm.getChallengeStatus over the engine's state: points, levels, ranks, details, text, variants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.functions.gigya_client import gm as gm

pytestmark = pytest.mark.emulator


def test_a_ledger_transaction_moves_points_level_and_rank(gm):
    before = gm.status("u1")
    assert before["points"]["pointsTotal"] == 0 and before["points"]["level"] == 0
    assert before["points"]["badgeURL"] is None
    gm.earn("u1", 120, "t1")
    gm.earn("u2", 40, "t2")
    gm.refresh_ranks()
    after = gm.status("u1")
    assert after["points"]["pointsTotal"] == 120
    assert after["points"]["points7Days"] == 120
    assert after["points"]["level"] == 1 and after["points"]["isNewLevel"] is True
    assert after["points"]["rank"] == 1 and after["points"]["rank7Days"] == 1
    # `_default` holds every point the user earned; 120 passes its 50-point level.
    assert after["_default"]["pointsTotal"] == 120 and after["_default"]["level"] == 1
    second = gm.status("u2")
    assert second["points"]["rank"] == 2 and second["_default"]["rank"] == 2


def test_old_points_leave_points7days_but_stay_in_points_total(gm):
    gm.earn("u1", 30, "old", at=datetime.now(UTC) - timedelta(days=8))
    gm.earn("u1", 5, "recent", at=datetime.now(UTC) - timedelta(days=6, hours=23))
    achievement = gm.status("u1")["points"]
    assert achievement["pointsTotal"] == 35
    assert achievement["points7Days"] == 5


def test_details_full_describes_the_level_reached_and_the_next(gm):
    gm.earn("u1", 130, "t1")
    full = gm.status("u1", details="full")["points"]
    assert full["levelTitle"] == "Bronze" and full["levelDescription"] == "Bronze description"
    assert full["challengeTitle"] == "challenge 1"
    assert full["nextLevelTitle"] == "Silver"
    assert full["nextLevelActionURL"] == "https://example.com/Silver"
    # Each level counts from the previous one: Silver asks 200 points more, 0 done so far.
    assert full["pointsStatus"] == 200
    # One action is listed (share, 10 points): the next level is 20 shares away.
    assert full["requiredAchievement"] == "share" and full["achievementsToNextLevel"] == 20
    assert full["pointsCurrent"] == 130
    basic = gm.status("u1")["points"]
    assert "levelTitle" not in basic and "pointsCurrent" not in basic


def test_default_challenge_levels_are_thresholds_on_all_points(gm):
    gm.earn("u1", 60, "t1")
    full = gm.status("u1", details="full")["_default"]
    assert full["level"] == 1 and full["levelTitle"] == "Rookie"
    assert full["requiredAchievement"] == "points" and full["achievementsToNextLevel"] == 140
    assert full["pointsStatus"] == 140 and full["nextLevelTitle"] == "Expert"
    assert full["isNewLevel"] is True


def test_lang_picks_a_language_with_fallback_and_all_expands(gm):
    gm.earn("u1", 130, "t1")
    arabic = gm.status("u1", details="full", lang="ar")["points"]
    assert arabic["levelTitle"] == "Bronze ar"
    # No Arabic description: the default language's.
    assert arabic["levelDescription"] == "Bronze description"
    every = gm.status("u1", details="full", lang="all")["points"]
    assert every["levelTitle"] == {"default": "Bronze", "en": "Bronze", "ar": "Bronze ar"}


def test_include_exclude_and_the_challenges_never_shown(gm):
    everything = gm.status("u1")
    # Invisible challenges never appear; hidden ones only from their first level.
    assert set(everything) == {"points", "talker", "mixed", "_default"}
    chosen = gm.status("u1", includeChallenges="points,_default", excludeChallenges="_default")
    assert list(chosen) == ["points"]
    for name in ("ghost", "secret", "nope"):
        body = gm.call("gm.getChallengeStatus", UID="u1", includeChallenges=name)
        assert body["errorCode"] == 400006
        assert "Invalid included challenge IDs specified" in body["errorDetails"]


def test_a_hidden_challenge_appears_from_its_first_level(gm):
    gm.ok("gm.notifyAction", UID="u1", action="checkin")
    shown = gm.status("u1", includeChallenges="secret", details="full")["secret"]
    assert shown["level"] == 1
    assert shown["actionStatus"] == [{"actionID": "checkin", "completed": 0, "required": 5}]


def test_points_this_month_on_request(gm):
    gm.earn("u1", 25, "t1")
    plain = gm.status("u1")["points"]
    assert "pointsThisMonth" not in plain
    extra = gm.status("u1", extraFields="pointsThisMonth")["points"]
    assert extra["pointsThisMonth"] == 25


def test_a_variant_reports_only_the_actions_carrying_its_value(gm):
    gm.ok("gm.notifyAction", UID="u1", action="share", actionAttributes={"show": "glee"})
    gm.ok("gm.notifyAction", UID="u1", action="share", actionAttributes={"show": "lost"})
    gm.ok("gm.notifyAction", UID="u1", action="share")
    whole = gm.status("u1")
    assert whole["points"]["pointsTotal"] == 30
    glee = gm.status("u1", actionAttributes={"show": "glee"})
    assert glee["points"]["pointsTotal"] == 10 and glee["_default"]["pointsTotal"] == 10
    same = gm.status("u1", variantID="show:glee")
    assert same["points"]["pointsTotal"] == 10


@pytest.mark.parametrize(
    ("params", "code", "parameter"),
    [
        ({}, 400002, "UID"),
        ({"UID": "u1", "details": "everything"}, 400006, "details"),
        ({"UID": "u1", "actionAttributes": "not json"}, 400006, "actionAttributes"),
        ({"UID": "u1", "actionAttributes": '{"a": "b", "c": "d"}'}, 400006, "actionAttributes"),
        ({"UID": "u1", "extraFields": "pointsLastYear"}, 400006, "extraFields"),
        ({"UID": " u1"}, 400006, "UID"),
    ],
)
def test_bad_input_names_the_parameter(gm, params, code, parameter):
    body = gm.call("gm.getChallengeStatus", **params)
    assert body["errorCode"] == code and body["statusCode"] == 400
    assert parameter in body["errorDetails"]


def test_get_with_a_query_string_and_the_common_parameters(gm):
    response = gm.raw(
        "gm.getChallengeStatus",
        http="GET",
        UID="u1",
        format="jsonp",
        callback="gigya.callback",
        context="R123",
    )
    text = response.get_data(as_text=True)
    assert text.startswith("gigya.callback(") and text.rstrip().endswith(");")
    assert '"context": "R123"' in text or '"context":"R123"' in text
    refused = gm.raw("gm.getChallengeStatus", httpStatusCodes="true")
    assert refused.status_code == 400 and refused.get_json()["errorCode"] == 400002


def test_naming_challenges_reads_only_theirs_and_answers_the_same(gm):
    from bench.firestore_documents import documents
    from shared.clients import firestore_client

    gm.earn("u1", 120, "t1")
    gm.ok("gm.notifyAction", UID="u1", action="comment")
    everything = gm.status("u1")
    with documents(firestore_client()) as whole:
        gm.status("u1")
    with documents(firestore_client()) as named:
        answer = gm.status("u1", includeChallenges="points,_default")
    # The same standings, from a read of only those challenges' entries and Gigya state.
    assert answer == {key: everything[key] for key in ("points", "_default")}
    assert 0 < named.bytes < whole.bytes
