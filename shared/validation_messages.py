"""Pydantic validation errors in the service's words: one rule per error, e.g. "must be at least 1".

Shared by the catalog's `path: rule` lines and the API's "Page must be at least 1" messages.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails


def _expected_list(expected: str) -> str:
    # pydantic writes "1, 2 or 3"; the catalog's rules say "1, 2, 3".
    return expected.replace(" or ", ", ").replace("'", "")


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def format_rule(error: ErrorDetails) -> str:
    """The rule a pydantic error breaks, in the catalog's words."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    simple = {
        "missing": "is required",
        "extra_forbidden": "unknown field",
        "int_type": "must be an integer",
        "int_parsing": "must be an integer",
        "int_from_float": "must be an integer",
        "int_parsing_size": "must be a smaller integer",
        "finite_number": "must be a finite number",
        "float_type": "must be a number",
        "float_parsing": "must be a number",
        "string_type": "must be a string",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "list_type": "must be a list",
        "dict_type": "must be an object",
        "model_type": "must be an object",
        "model_attributes_type": "must be an object",
        "datetime_type": "must be a date-time (ISO 8601)",
        "datetime_parsing": "must be a date-time (ISO 8601)",
        "datetime_from_date_parsing": "must be a date-time (ISO 8601)",
        "none_required": "must be null",
    }
    if kind in simple:
        return simple[kind]
    if kind == "greater_than":
        return f"must be greater than {_number(ctx['gt'])}"
    if kind == "greater_than_equal":
        return f"must be at least {_number(ctx['ge'])}"
    if kind == "less_than":
        return f"must be less than {_number(ctx['lt'])}"
    if kind == "less_than_equal":
        return f"must be at most {_number(ctx['le'])}"
    if kind == "enum":
        return f"must be one of {_expected_list(str(ctx['expected']))}"
    if kind == "literal_error":
        return f"must be one of {_expected_list(str(ctx['expected']))}"
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return f"must have at least {minimum} item{'s' if minimum != 1 else ''}"
    if kind == "too_long":
        maximum = ctx.get("max_length")
        return f"must have at most {maximum} item{'s' if maximum != 1 else ''}"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else error["msg"].lower()
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx['pattern']}"
    if kind in {"value_error", "assertion_error"}:
        message = str(error["msg"])
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        return message
    return str(error["msg"])
