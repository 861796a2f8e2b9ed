"""AND/OR combination with AND binding tighter than OR."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.enums import Operator
from shared.progress.operators import combine

A, O = Operator.AND, Operator.OR  # noqa: E741 - reads like the truth tables


def test_empty_is_not_satisfied():
    assert combine([]) is False


@pytest.mark.parametrize("value", [True, False])
def test_single_item_is_its_value_whatever_its_operator(value):
    assert combine([(value, A)]) is value
    assert combine([(value, O)]) is value


def test_and_needs_every_item():
    assert combine([(True, A), (True, A), (True, A)]) is True
    assert combine([(True, A), (False, A), (True, A)]) is False


def test_or_needs_one_item():
    assert combine([(False, O), (False, O), (True, O)]) is True
    assert combine([(False, O), (False, O), (False, O)]) is False


def test_and_binds_tighter_than_or():
    # a OR b AND c  ==  a OR (b AND c): with a true, the false c does not matter.
    assert combine([(True, O), (True, A), (False, A)]) is True
    # a AND b OR c  ==  (a AND b) OR c: with c true, the false a does not matter.
    assert combine([(False, A), (True, O), (True, A)]) is True
    # a AND b OR c AND d with only a and d true: neither run holds.
    assert combine([(True, A), (False, O), (False, A), (True, A)]) is False


def test_last_operator_is_ignored():
    assert combine([(True, A), (True, O)]) == combine([(True, A), (True, A)])
    assert combine([(False, O), (True, A)]) == combine([(False, O), (True, O)])


def _reference(items: list[tuple[bool, Operator]]) -> bool:
    # Python's own precedence: `and` binds tighter than `or`.
    expression = ""
    for index, (value, operator) in enumerate(items):
        expression += str(value)
        if index < len(items) - 1:
            expression += " and " if operator is A else " or "
    return bool(eval(expression)) if items else False


def test_matches_python_precedence_on_every_combination_of_four():
    for values in itertools.product([True, False], repeat=4):
        for operators in itertools.product([A, O], repeat=4):
            items = list(zip(values, operators, strict=True))
            assert combine(items) is _reference(items), items


@given(st.lists(st.tuples(st.booleans(), st.sampled_from([A, O])), max_size=12))
def test_matches_python_precedence_on_random_sequences(items):
    assert combine(items) is _reference(items)
