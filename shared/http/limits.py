"""Reading a request within bounds: the body's size, text, JSON depth and numbers.

Shared by both surfaces' parameter readers (shared/http/params.py, shared/gigya/params.py):
a body over the limit is a PayloadTooLargeError (413) whether or not it announced its length;
query strings and form bodies are decoded as strict UTF-8; text may not hold control characters;
JSON may not nest deeper than MAX_JSON_DEPTH nor hold numbers beyond 64 bits, NaN or infinities.
Every refusal is an InvalidArgumentError naming the parameter, never a 500 and never a hang.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from shared.errors import InvalidArgumentError, PayloadTooLargeError

MAX_JSON_DEPTH = 32
FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# C0 controls but tab, line feed and carriage return; DEL; C1 controls; lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Header values may hold a tab, nothing else below space.
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_INT64 = 2**63
# JSON tokens enough to follow nesting: a key, a string, a bracket.
_TOKENS = re.compile(r'("(?:[^"\\]|\\.)*")\s*:|"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"request body is larger than {limit} bytes", parameter="body")


def read_body(request: Request, limit: int) -> bytes:
    """The request body; PayloadTooLargeError (413) when it is larger than `limit` bytes.

    A Content-Length over the limit is refused before reading anything; a body without one
    (chunked) is read to at most `limit + 1` bytes. Whatever happens, later readers of the
    request see only what was read here: functions-framework reads the whole body after every
    response (`read_request`), which would otherwise buffer what we refused.
    """
    length = request.content_length
    if length is not None and length > limit:
        _keep(request, b"")
        raise _too_large(limit)
    stream = request.stream
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            chunk = stream.read(limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except RequestEntityTooLarge:
        _keep(request, b"")
        raise _too_large(limit) from None
    except (HTTPException, OSError, ValueError):
        _keep(request, b"")
        raise InvalidArgumentError(
            "request body could not be read in full", parameter="body"
        ) from None
    if size > limit:
        _keep(request, b"")
        raise _too_large(limit)
    body = b"".join(chunks)
    _keep(request, body)
    return body


def _keep(request: Request, body: bytes) -> None:
    # `stream` is a cached property: from now on it is these bytes, not the socket.
    request.stream = io.BytesIO(body)


def printable(name: str) -> str:
    """A parameter name fit for a message: control characters escaped, at most 64 characters."""
    escaped = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)
    return escaped if len(escaped) <= 64 else escaped[:63] + "…"


def check_text(name: str, value: str, pattern: re.Pattern[str] = _CONTROL) -> str:
    """`value` when it holds no control character; InvalidArgumentError naming `name` if not."""
    found = pattern.search(value)
    if found is not None:
        shown = printable(name)
        raise InvalidArgumentError(
            f"{shown} must not contain control characters (found U+{ord(found.group()):04X})",
            parameter=shown,
        )
    return value


def _utf8(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        shown = printable(name)
        raise InvalidArgumentError(
            f"{shown} is not valid UTF-8 (percent-encode text as UTF-8)", parameter=shown
        ) from None


def decode_pairs(raw: bytes) -> dict[str, str]:
    """`a=1&b=x+y` (a query string or a form body) as strict UTF-8; the first of a name wins."""
    params: dict[str, str] = {}
    for part in raw.split(b"&"):
        if not part:
            continue
        raw_key, _, raw_value = part.partition(b"=")
        raw_key = unquote_to_bytes(raw_key.replace(b"+", b" "))
        key = _utf8(raw_key, raw_key.decode("utf-8", "replace"))
        check_text(key, key)
        value = check_text(key, _utf8(unquote_to_bytes(raw_value.replace(b"+", b" ")), key))
        params.setdefault(key, value)
    return params


def query_params(request: Request) -> dict[str, str]:
    """The query string's parameters, decoded strictly."""
    return decode_pairs(request.query_string)


def form_params(request: Request, body: bytes) -> dict[str, str]:
    """The fields of a form body already read (`read_body`): urlencoded or multipart."""
    if request.mimetype == "application/x-www-form-urlencoded":
        return decode_pairs(body)
    parser = FormDataParser(max_form_memory_size=len(body) + 1)
    try:
        _, form, _ = parser.parse(
            io.BytesIO(body), request.mimetype, len(body), request.mimetype_params
        )
    except RequestEntityTooLarge:
        raise _too_large(len(body)) from None
    except (HTTPException, ValueError):
        raise InvalidArgumentError("request body is not a valid form", parameter="body") from None
    return {check_text(k, k): check_text(k, v) for k, v in form.items()}


def header_text(request: Request, name: str) -> str | None:
    """Header `name` as UTF-8 text without control characters (None when absent)."""
    value = request.headers.get(name)
    if value is None:
        return None
    try:
        # WSGI hands header bytes over as latin-1; the text is their UTF-8 reading.
        value = value.encode("latin-1").decode("utf-8")
    except UnicodeEncodeError:
        pass
    except UnicodeDecodeError:
        raise InvalidArgumentError(f"{name} header is not valid UTF-8", parameter=name) from None
    return check_text(name, value, _HEADER_CONTROL)


def check_headers(request: Request, names: Iterable[str]) -> None:
    """Refuse any of these headers that is not UTF-8 text without control characters."""
    for name in names:
        header_text(request, name)


class JsonRefused(ValueError):
    """JSON text that is malformed or out of bounds; `key` is the top-level key at fault."""

    def __init__(self, reason: str, key: str | None = None, *, malformed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.key = key
        self.malformed = malformed


class _BadNumber:
    """A number JSON may carry but we do not: beyond 64 bits, NaN or an infinity."""

    def __init__(self, text: str) -> None:
        self.text = text if len(text) <= 24 else text[:21] + "..."


def _parse_int(text: str) -> int | _BadNumber:
    # Called with the digits before any conversion: Python's 4300-digit limit never applies.
    if len(text) > 20:
        return _BadNumber(text)
    value = int(text)
    return value if -_INT64 <= value < _INT64 else _BadNumber(text)


def _parse_float(text: str) -> float | _BadNumber:
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text)


def _deep_key(text: str) -> str | None:
    """The top-level key under which `text` nests deeper than MAX_JSON_DEPTH, if any."""
    depth, key = 0, None
    for token in _TOKENS.finditer(text):
        if token.group(1) is not None:
            if depth == 1:
                try:
                    key = str(json.loads(token.group(1)))
                except ValueError:
                    key = None
        elif token.group() in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return key
        elif token.group() in "]}":
            depth -= 1
    return None


def _check(value: Any) -> None:
    # Iterative, so that checking cannot recurse however the value nests.
    stack: list[tuple[Any, int, str | None]] = [(value, 0, None)]
    while stack:
        node, depth, key = stack.pop()
        if isinstance(node, _BadNumber):
            raise JsonRefused(f"must be a finite number within 64 bits, not {node.text}", key)
        if isinstance(node, str):
            found = _CONTROL.search(node)
            if found is not None:
                raise JsonRefused(
                    f"must not contain control characters (found U+{ord(found.group()):04X})",
                    key,
                )
        elif isinstance(node, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise JsonRefused(f"nests deeper than {MAX_JSON_DEPTH} levels", key)
            if isinstance(node, dict):
                for name, child in node.items():
                    inner = name if depth == 0 else key
                    stack.append((name, depth + 1, inner))
                    stack.append((child, depth + 1, inner))
            else:
                stack.extend((child, depth + 1, key) for child in node)


def parse_json(text: str | bytes) -> Any:
    """Decode JSON text within bounds; JsonRefused (with the top-level key at fault) if not."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonRefused("is not valid UTF-8", malformed=True) from None
    try:
        value = json.loads(
            text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_BadNumber
        )
    except RecursionError:
        raise JsonRefused(f"nests deeper than {MAX_JSON_DEPTH} levels", _deep_key(text)) from None
    except ValueError:
        raise JsonRefused("is not valid JSON", malformed=True) from None
    _check(value)
    return value


def json_body(body: bytes) -> dict[str, Any]:
    """A request body that must be a JSON object; errors name the parameter at fault."""
    try:
        value = parse_json(body)
    except JsonRefused as refused:
        if refused.key is None:
            raise InvalidArgumentError(f"request body {refused.reason}", parameter="body") from None
        name = printable(refused.key)
        raise InvalidArgumentError(f"{name} {refused.reason}", parameter=name) from None
    if not isinstance(value, dict):
        raise InvalidArgumentError("request body must be a JSON object", parameter="body")
    return value
