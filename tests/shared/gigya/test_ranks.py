"""Rank tables: histogram bytes, folding moves, ranks with ties. Pure."""

from __future__ import annotations

import struct
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.gigya.ranks import (
    MAX_TABLE_BYTES,
    RankTable,
    TableTooLarge,
    apply_moves,
    decode_histogram,
    encode_histogram,
    encode_table,
)

scores = st.one_of(
    st.integers(min_value=0, max_value=10**9).map(float),
    st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False),
)
small_scores = st.integers(min_value=0, max_value=12).map(float)


def _histogram(values: list[float]) -> dict[float, int]:
    return dict(Counter(v for v in values if v > 0))


def _brute_rank(values: list[float], score: float) -> int:
    return 1 + sum(1 for v in values if v > score)


# encoding


def test_an_empty_histogram_is_one_version_byte_and_decodes_from_nothing():
    assert encode_histogram({}) == b"\x01"
    assert decode_histogram(b"\x01") == {}
    assert decode_histogram(b"") == {}
    assert decode_histogram(None) == {}


def test_pairs_are_stored_highest_score_first_in_twelve_bytes_each():
    data = encode_histogram({5.0: 2, 100.0: 1, 7.5: 3})
    assert len(data) == 1 + 3 * 12
    pairs = list(struct.iter_unpack("<dI", data[1:]))
    assert pairs == [(100.0, 1), (7.5, 3), (5.0, 2)]


def test_zero_scores_and_empty_counts_are_not_stored():
    assert decode_histogram(encode_histogram({0.0: 4, -1.0: 1, 3.0: 0, 2.0: 1})) == {2.0: 1}


def test_bad_bytes_and_bad_scores_are_refused():
    with pytest.raises(ValueError, match="not a rank histogram"):
        decode_histogram(b"\x02" + bytes(12))
    with pytest.raises(ValueError, match="not a rank histogram"):
        decode_histogram(b"\x01" + bytes(5))
    with pytest.raises(ValueError, match="finite"):
        encode_histogram({float("nan"): 1})
    with pytest.raises(ValueError, match="finite"):
        apply_moves({}, [(None, float("inf"))])
    with pytest.raises(ValueError, match="32 bits"):
        encode_histogram({1.0: 2**32})


@given(st.dictionaries(scores, st.integers(min_value=1, max_value=2**32 - 1), max_size=50))
def test_a_histogram_survives_its_encoding(histogram):
    expected = {score: count for score, count in histogram.items() if score > 0}
    assert decode_histogram(encode_histogram(histogram)) == expected


def test_a_table_beyond_the_document_limit_is_refused():
    per_score = 12
    fits = (MAX_TABLE_BYTES - 2) // per_score
    half = {float(i + 1): 1 for i in range(fits // 2)}
    folded, week = encode_table(half, half)
    assert len(folded) + len(week) <= MAX_TABLE_BYTES
    too_many = {float(i + 1): 1 for i in range(fits + 1)}
    with pytest.raises(TableTooLarge, match="exceed"):
        encode_table(too_many, {})


# folding


def test_a_move_takes_a_user_off_the_old_score_and_onto_the_new_one():
    histogram = {10.0: 2, 5.0: 1}
    assert apply_moves(histogram, [(10.0, 12.0)]) == {12.0: 1, 10.0: 1, 5.0: 1}
    assert histogram == {10.0: 2, 5.0: 1}  # not modified
    assert apply_moves(histogram, [(5.0, 10.0)]) == {10.0: 3}
    assert apply_moves(histogram, [(None, 1.0)]) == {10.0: 2, 5.0: 1, 1.0: 1}
    assert apply_moves(histogram, [(10.0, None), (10.0, 0.0)]) == {5.0: 1}
    assert apply_moves(histogram, [(0.0, 0.0), (None, None)]) == histogram


def test_an_integer_score_and_its_float_are_the_same_score():
    assert apply_moves({}, [(None, 3), (None, 3.0)]) == {3.0: 2}
    assert apply_moves({3.0: 2}, [(3, 4)]) == {3.0: 1, 4.0: 1}


def test_taking_a_user_off_a_score_nobody_has_is_ignored():
    assert apply_moves({5.0: 1}, [(7.0, 8.0)]) == {5.0: 1, 8.0: 1}


@given(st.lists(st.tuples(small_scores, small_scores), max_size=40))
def test_folding_moves_gives_the_histogram_of_the_new_scores(pairs):
    # Each user moves from an old score to a new one: the folded histogram of the old scores,
    # with every move applied, is the histogram of the new scores.
    old = [a for a, _ in pairs]
    new = [b for _, b in pairs]
    assert apply_moves(_histogram(old), pairs) == _histogram(new)


@given(
    st.lists(small_scores, max_size=30),
    st.lists(st.tuples(small_scores, small_scores), max_size=30),
)
def test_moves_applied_in_two_pages_equal_moves_applied_at_once(start, pairs):
    histogram = _histogram(start + [a for a, _ in pairs])
    half = len(pairs) // 2
    in_pages = apply_moves(apply_moves(histogram, pairs[:half]), pairs[half:])
    assert in_pages == apply_moves(histogram, pairs)


# ranks


def test_an_empty_table_ranks_everyone_first():
    table = RankTable()
    assert table.rank(0) == table.rank(100) == 1
    assert table.rank_week(5) == 1
    assert table.users == table.users_week == 0


def test_ties_share_a_rank_and_the_next_rank_skips_them():
    table = RankTable({100.0: 1, 50.0: 2, 10.0: 1})
    assert [table.rank(s) for s in (100, 50, 10)] == [1, 2, 4]
    assert table.rank(200) == 1
    assert table.rank(75) == 2
    assert table.rank(0) == 5  # 1 + everyone with points
    assert table.users == 4


def test_week_ranks_read_the_week_histogram():
    table = RankTable({100.0: 1}, {3.0: 2, 1.5: 1})
    assert table.rank_week(3) == 1
    assert table.rank_week(2) == 3
    assert table.rank_week(1.5) == 3
    assert table.rank_week(0) == 4
    assert table.rank(3) == 2
    assert table.users_week == 3


def test_a_users_own_staler_folded_score_is_not_counted_above_them():
    # Folded at 9 points this week; an hour bucket left the window and now they have 4.
    table = RankTable({}, {9.0: 1, 5.0: 1})
    assert table.rank_week(4) == 3
    assert table.rank_week(4, exclude=9.0) == 2
    # An own folded score at or below the score is not above it anyway.
    assert table.rank_week(5, exclude=5.0) == 2
    assert table.rank(7, exclude=None) == 1


def test_a_table_decodes_from_its_stored_bytes():
    folded, week = encode_table({10.0: 2}, {4.0: 1})
    table = RankTable.from_bytes(folded, week)
    assert table == RankTable({10.0: 2}, {4.0: 1})
    assert RankTable.from_bytes(None, None) == RankTable()
    assert "users=2" in repr(table)


@given(st.lists(scores, max_size=60), scores)
def test_rank_is_one_plus_the_users_with_a_strictly_greater_score(values, score):
    table = RankTable(_histogram(values), _histogram(values))
    assert table.rank(score) == _brute_rank(values, score)
    assert table.rank_week(score) == _brute_rank(values, score)


@given(st.lists(small_scores, min_size=1, max_size=40), st.data())
def test_every_folded_user_ranks_by_brute_force(values, data):
    table = RankTable(_histogram(values))
    for value in values:
        assert table.rank(value) == _brute_rank(values, value)
    # Excluding one user's own score is ranking among everyone else.
    index = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    own = values[index]
    others = values[:index] + values[index + 1 :]
    score = data.draw(small_scores)
    assert table.rank(score, exclude=own) == _brute_rank(others, score)
