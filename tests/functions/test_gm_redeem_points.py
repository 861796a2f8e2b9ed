"""gm.redeemPoints: pointsCurrent only, never below 0, exact under concurrent redeems."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.functions.gigya_client import gm as gm

pytestmark = pytest.mark.emulator


def test_a_redeem_takes_points_current_and_leaves_the_totals(gm):
    gm.earn("u1", 130, "t1")
    body = gm.ok("gm.redeemPoints", UID="u1", challenge="points", points=30)
    assert body["pointsCurrent"] == 100
    full = gm.status("u1", details="full")["points"]
    assert full["pointsCurrent"] == 100
    assert full["pointsTotal"] == 130 and full["points7Days"] == 130
    # Another challenge's points are its own.
    assert gm.status("u1", details="full")["_default"]["pointsCurrent"] == 130


def test_a_redeem_of_more_than_points_current_changes_nothing(gm):
    gm.earn("u1", 20, "t1")
    body = gm.call("gm.redeemPoints", UID="u1", challenge="_default", points=21)
    assert body["errorCode"] == 400127 and body["errorMessage"] == "Insufficient points to redeem"
    assert gm.status("u1", details="full")["_default"]["pointsCurrent"] == 20


def test_concurrent_redeems_never_take_more_than_there_is(gm):
    gm.earn("u1", 100, "t1")

    def redeem(_: int) -> dict:
        return gm.call("gm.redeemPoints", UID="u1", challenge="_default", points=30)

    with ThreadPoolExecutor(max_workers=10) as pool:
        bodies = list(pool.map(redeem, range(10)))
    codes = sorted(b["errorCode"] for b in bodies)
    assert codes == [0, 0, 0] + [400127] * 7
    assert gm.status("u1", details="full")["_default"]["pointsCurrent"] == 10


@pytest.mark.parametrize(
    ("params", "code", "parameter"),
    [
        ({"challenge": "_default", "points": 5}, 400002, "UID"),
        ({"UID": "u1", "points": 5}, 400002, "challenge"),
        ({"UID": "u1", "challenge": "_default"}, 400002, "points"),
        ({"UID": "u1", "challenge": "_default", "points": "ten"}, 400006, "points"),
        ({"UID": "u1", "challenge": "_default", "points": "-5"}, 400006, "points"),
        ({"UID": "u1", "challenge": "_default", "points": "0"}, 400006, "points"),
        ({"UID": "u1", "challenge": "nope", "points": 5}, 400006, "challenge"),
    ],
)
def test_bad_redeems_name_the_parameter(gm, params, code, parameter):
    gm.earn("u1", 100, "t1")
    body = gm.call("gm.redeemPoints", **params)
    assert body["errorCode"] == code, body
    assert parameter in body["errorDetails"]
    assert gm.status("u1", details="full")["_default"]["pointsCurrent"] == 100
