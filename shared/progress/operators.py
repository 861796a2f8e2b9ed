"""Combining satisfied flags with AND/OR, AND binding tighter than OR."""

from __future__ import annotations

from collections.abc import Sequence

from shared.enums import Operator


def combine(items: Sequence[tuple[bool, Operator]]) -> bool:
    """Evaluate `a op1 b op2 c ...` where each item's operator joins it to the next.

    The last item's operator is ignored; an empty sequence is not satisfied.
    """
    result = False
    run = True
    last = len(items) - 1
    for index, (value, operator) in enumerate(items):
        run = run and value
        # An OR (or the end) closes the current run of ANDs.
        if index == last or operator is Operator.OR:
            result = result or run
            run = True
    return result
