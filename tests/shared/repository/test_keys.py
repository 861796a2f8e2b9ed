"""Document ids derived from user ids and milestones."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.repository.keys import milestone_id, prize_key, user_key


def test_phone_numbers_are_kept_as_they_are():
    assert user_key("+201001234567") == "+201001234567"


def test_slashes_and_percents_are_encoded_reversibly():
    assert user_key("a/b") == "a%2Fb"
    assert user_key("a%2Fb") == "a%252Fb"
    assert user_key("a/b") != user_key("a%2Fb")


def test_reserved_ids_are_escaped():
    for reserved in (".", "..", "__x__"):
        assert user_key(reserved) != reserved
        assert "/" not in user_key(reserved)


@given(st.text(min_size=1), st.text(min_size=1))
def test_distinct_users_get_distinct_keys(a, b):
    if a != b:
        assert user_key(a) != user_key(b)
    assert "/" not in user_key(a)


def test_milestone_id_is_stable_positive_and_fits_a_json_number():
    first = milestone_id("+20100", 3, 0, 1)
    assert first == milestone_id("+20100", 3, 0, 1)
    assert 0 < first < 2**53


def test_milestone_id_differs_by_each_component():
    base = milestone_id("u", 1, 0, 0)
    others = {milestone_id("v", 1, 0, 0), milestone_id("u", 2, 0, 0), milestone_id("u", 1, 1, 0)}
    others.add(milestone_id("u", 1, 0, 1))
    assert base not in others and len(others) == 4


def test_prize_key():
    assert prize_key(42, 3) == "42-3"
