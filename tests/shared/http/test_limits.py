"""Reading a request within bounds: size, UTF-8, control characters, JSON depth and numbers."""

from __future__ import annotations

import io
import time

import pytest
from flask import Flask, request

from shared.errors import InvalidArgumentError, PayloadTooLargeError
from shared.http.limits import (
    MAX_JSON_DEPTH,
    JsonRefused,
    check_headers,
    decode_pairs,
    json_body,
    parse_json,
    read_body,
)

app = Flask(__name__)
LIMIT = 1024


def _read(**kwargs) -> bytes:
    with app.test_request_context("/x", method="POST", **kwargs):
        body = read_body(request, LIMIT)
        # What a later reader (functions-framework's read_request) sees: the same bytes.
        assert request.get_data() == body
        return body


def test_a_body_within_the_limit_is_read_whole():
    assert _read(data=b"x" * LIMIT) == b"x" * LIMIT


def test_a_content_length_over_the_limit_is_refused_before_reading():
    stream = io.BytesIO(b"x" * (LIMIT + 1))
    with app.test_request_context("/x", method="POST", input_stream=stream):
        with pytest.raises(PayloadTooLargeError) as info:
            read_body(request, LIMIT)
        assert stream.tell() == 0
        assert request.get_data() == b""
    error = info.value
    assert (error.http_status, error.status_code, error.status_name) == (413, 9, "PayloadTooLarge")
    assert (error.gigya_code, error.gigya_message, error.gigya_status_code) == (
        413001,
        "Request entity too large",
        413,
    )
    assert error.parameter == "body" and str(LIMIT) in error.message


@pytest.mark.parametrize(("size", "refused"), [(LIMIT, False), (LIMIT + 1, True)])
def test_a_chunked_body_is_read_to_at_most_the_limit_plus_one(size, refused):
    stream = io.BytesIO(b"x" * (size + 10 * LIMIT if refused else size))
    with app.test_request_context(
        "/x",
        method="POST",
        input_stream=stream,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    ):
        assert request.content_length is None
        if refused:
            with pytest.raises(PayloadTooLargeError):
                read_body(request, LIMIT)
            assert stream.tell() == LIMIT + 1
            assert request.get_data() == b""
        else:
            assert read_body(request, LIMIT) == b"x" * LIMIT


def test_pairs_are_strict_utf8_and_the_first_of_a_name_wins():
    assert decode_pairs(b"a=1&b=x+y&a=2&&c&d=%E2%82%AC") == {
        "a": "1",
        "b": "x y",
        "c": "",
        "d": "\u20ac",
    }


@pytest.mark.parametrize(
    ("raw", "parameter", "words"),
    [
        (b"UID=%FF", "UID", "not valid UTF-8"),
        (b"UID=%C3", "UID", "not valid UTF-8"),
        (b"UID=\xff", "UID", "not valid UTF-8"),
        (b"UID=a%00", "UID", "U+0000"),
        (b"UID=a%1B", "UID", "U+001B"),
        (b"UID=a%7F", "UID", "U+007F"),
        (b"UID=a%C2%9B", "UID", "U+009B"),
        (b"U%01D=a", "U\\x01D", "U+0001"),
    ],
)
def test_bad_text_is_refused_naming_the_parameter(raw, parameter, words):
    with pytest.raises(InvalidArgumentError) as info:
        decode_pairs(raw)
    assert info.value.parameter == parameter
    assert words in info.value.message and info.value.message.startswith(parameter)


def test_tabs_and_line_ends_are_text():
    assert decode_pairs(b"d=a%09b%0Ac%0D") == {"d": "a\tb\nc\r"}


@pytest.mark.parametrize(
    ("headers", "parameter"),
    [
        ({"X-ClientId": "a\x01"}, "X-ClientId"),
        ({"X-Message": "\x7f"}, "X-Message"),
        ({"Authorization": "Bearer \xff"}, "Authorization"),
        ({"Accept-Language": "caf\xc3"}, "Accept-Language"),
    ],
)
def test_headers_must_be_utf8_text(headers, parameter):
    with (
        app.test_request_context("/x", headers=headers),
        pytest.raises(InvalidArgumentError) as info,
    ):
        check_headers(request, list(headers))
    assert info.value.parameter == parameter


def test_utf8_headers_pass():
    with app.test_request_context("/x", headers={"Accept-Language": "caf\xc3\xa9\tx"}):
        check_headers(request, ["Accept-Language", "X-Absent"])


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('{"a": ' + "[" * 10_000 + "]" * 10_000 + "}", "a", "deeper"),
        ("[" * 100_000, None, "deeper"),
        (
            '{"a": 1, "b": ' + "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1) + "}",
            "b",
            "deeper",
        ),
        ('{"a": 1e400}', "a", "1e400"),
        ('{"a": -1e999}', "a", "-1e999"),
        ('{"a": NaN}', "a", "NaN"),
        ('{"a": [Infinity]}', "a", "Infinity"),
        ('{"a": ' + "9" * 5000 + "}", "a", "finite number within 64 bits"),
        ('{"a": 9223372036854775808}', "a", "64 bits"),
        ('{"a": {"b": "\\u0000"}}', "a", "U+0000"),
        ('{"a\\u0001": 1}', "a\u0001", "U+0001"),
        ('{"a": "\\udc00"}', "a", "U+DC00"),
        ("{", None, "not valid JSON"),
    ],
)
def test_json_out_of_bounds_is_refused_with_the_top_level_key(text, key, words):
    started = time.monotonic()
    with pytest.raises(JsonRefused) as info:
        parse_json(text)
    assert time.monotonic() - started < 1
    assert info.value.key == key and words in info.value.reason


def test_json_within_bounds():
    # The top-level object and 31 more levels: 32.
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    assert parse_json('{"a": [1, -2.5, "t\\tx", 9223372036854775807], "n": ' + nested + "}")
    assert parse_json(b'{"a": -9223372036854775808}') == {"a": -(2**63)}


@pytest.mark.parametrize(
    ("body", "parameter", "message"),
    [
        (b"[1]", "body", "request body must be a JSON object"),
        (b"{", "body", "request body is not valid JSON"),
        (b"\xff", "body", "request body is not valid UTF-8"),
        (b'{"Page": 1e400}', "Page", "Page must be a finite number within 64 bits, not 1e400"),
        (b'{"a\\u0000": 1}', "a\\x00", "a\\x00 must not contain control characters (found U+0000)"),
    ],
)
def test_json_bodies_name_the_parameter(body, parameter, message):
    with pytest.raises(InvalidArgumentError) as info:
        json_body(body)
    assert (info.value.parameter, info.value.message) == (parameter, message)
