"""Gigya signatures: the reference's four vectors byte for byte, and what `verify` accepts."""

from __future__ import annotations

import pytest

from shared.gigya.signature import (
    base_string,
    enc,
    normalized_url,
    param_string,
    signature,
    verify,
)

SECRET = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM="  # base64 of ASCII "0123456789abcdef0123"
COMMON = {"apiKey": "3_APIKEY", "format": "json", "timestamp": "1700000000", "userKey": "USERKEY"}

# (url, params, base string or None, sig): the reference's section 4.4, as the SDKs compute them.
VECTORS = [
    (
        "https://gm.us1.gigya.com/gm.getTopUsers",
        {**COMMON, "challenge": "_default", "nonce": "1700000000000123", "totalCount": "5"},
        "POST&https%3A%2F%2Fgm.us1.gigya.com%2Fgm.getTopUsers&apiKey%3D3_APIKEY%26challenge%3D"
        "_default%26format%3Djson%26nonce%3D1700000000000123%26timestamp%3D1700000000%26"
        "totalCount%3D5%26userKey%3DUSERKEY",
        "8bwkskknR0Iy3jEjhQTdkaH6U48=",
    ),
    (
        "https://gm.us1.gigya.com/gm.notifyAction",
        {
            **COMMON,
            "UID": "u 1+2",
            "action": "read*article",
            "actionAttributes": '{"tags":["a b","\\u00e9"]}',
            "nonce": "n~1",
        },
        "POST&https%3A%2F%2Fgm.us1.gigya.com%2Fgm.notifyAction&UID%3Du%25201%252B2%26action%3D"
        "read%252Aarticle%26actionAttributes%3D%257B%2522tags%2522%253A%255B%2522a%2520b%2522"
        "%252C%2522%255Cu00e9%2522%255D%257D%26apiKey%3D3_APIKEY%26format%3Djson%26nonce%3Dn~1"
        "%26timestamp%3D1700000000%26userKey%3DUSERKEY",
        "qOdcGTSCb/qXUZGD74acRDxDZBk=",
    ),
    (
        "http://gm.us1.gigya.com/gm.redeemPoints",
        {**COMMON, "UID": "u1", "challenge": "_default", "nonce": "42", "points": "10"},
        None,
        "ZveLAtjE+wH+8/iwNuv8IP4pg+Y=",
    ),
    (
        "https://gm.eu1.gigya.com/gm.redeemPoints",
        {**COMMON, "UID": "é/?=&x", "description": "Free coffee ☕", "nonce": "7", "points": "25"},
        "POST&https%3A%2F%2Fgm.eu1.gigya.com%2Fgm.redeemPoints&UID%3D%25C3%25A9%252F%253F%253D"
        "%2526x%26apiKey%3D3_APIKEY%26description%3DFree%2520coffee%2520%25E2%2598%2595%26format"
        "%3Djson%26nonce%3D7%26points%3D25%26timestamp%3D1700000000%26userKey%3DUSERKEY",
        "WZt7C7xwxTRqWqRbu9713lqXGZs=",
    ),
]


@pytest.mark.parametrize(("url", "params", "base", "sig"), VECTORS)
def test_reference_vectors(url, params, base, sig):
    if base is not None:
        assert base_string("POST", url, params) == base
    assert signature(SECRET, "POST", url, params) == sig
    assert verify(SECRET, ["POST"], [url], params, sig)


def test_the_scheme_is_signed():
    url, params, _, sig = VECTORS[2]
    assert signature(SECRET, "POST", url.replace("http:", "https:"), params) != sig
    assert not verify(SECRET, ["POST"], [url.replace("http:", "https:")], params, sig)


def test_enc_is_rfc3986_with_uppercase_hex():
    assert enc("a b*!'()~-._/é+") == "a%20b%2A%21%27%28%29~-._%2F%C3%A9%2B"
    assert enc("AZaz09") == "AZaz09"


def test_param_string_sorts_by_ordinal_order_and_leaves_keys_and_sig_out():
    assert param_string({"b": "1", "a": "x y", "B": "2", "sig": "s"}) == "B=2&a=x%20y&b=1"


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("HTTPS://GM.US1.Gigya.com", "/gm.getTopUsers", "https://gm.us1.gigya.com/gm.getTopUsers"),
        ("https://h:443", "/gm.x", "https://h/gm.x"),
        ("http://h:80", "/gm.x", "http://h/gm.x"),
        ("http://127.0.0.1:8080", "/gm.x", "http://127.0.0.1:8080/gm.x"),
        ("https://h:80/", "gm.X", "https://h:80/gm.X"),
    ],
)
def test_normalized_url(base, path, expected):
    assert normalized_url(base, path) == expected


def test_verify_tries_each_url_and_method():
    url, params, _, _ = VECTORS[0]
    other = "http://127.0.0.1:8080/gm.getTopUsers"
    sig = signature(SECRET, "GET", other, params)
    assert verify(SECRET, ["POST", "GET"], [url, other], params, sig)
    assert not verify(SECRET, ["POST"], [url, other], params, sig)
    assert not verify(SECRET, ["POST", "GET"], [url], params, sig)


def test_verify_refuses_any_changed_value_or_key_or_secret():
    url, params, _, sig = VECTORS[0]
    assert not verify(SECRET, ["POST"], [url], {**params, "totalCount": "6"}, sig)
    assert not verify(SECRET, ["POST"], [url], {**params, "extra": "1"}, sig)
    assert not verify("MDEyMzQ1Njc4OWFiY2RlZjAxMjQ=", ["POST"], [url], params, sig)
    assert not verify(SECRET, ["POST"], [url], params, sig[:-2] + "A=")
    assert not verify(SECRET, ["POST"], [url], params, "é")


def test_verify_ignores_a_sig_parameter_in_params():
    url, params, _, sig = VECTORS[0]
    assert verify(SECRET, ["POST"], [url], {**params, "sig": sig}, sig)


def _npm_signature(url: str, params: dict[str, str], falsy: set[str]) -> str:
    """What the npm SDK signs: the parameters in `falsy` (sent 0/false) signed as ""."""
    return signature(SECRET, "POST", url, {k: ("" if k in falsy else v) for k, v in params.items()})


def test_npm_falsy_values_signed_as_empty_are_accepted():
    url, params, _, _ = VECTORS[0]
    sent = {**params, "includeSelf": "false", "page": "0"}
    for falsy in ({"includeSelf"}, {"page"}, {"includeSelf", "page"}):
        assert verify(SECRET, ["POST"], [url], sent, _npm_signature(url, sent, falsy))
    # Canonical signatures of the same request stay valid.
    assert verify(SECRET, ["POST"], [url], sent, signature(SECRET, "POST", url, sent))


def test_npm_quirk_keeps_every_other_value_bound():
    url, params, _, _ = VECTORS[0]
    sent = {**params, "includeSelf": "false"}
    sig = _npm_signature(url, sent, {"includeSelf"})
    # Only a value sent as exactly 0 or false may have been signed as "".
    for value in ("true", "False", "00", "no", "1"):
        assert not verify(SECRET, ["POST"], [url], {**sent, "includeSelf": value}, sig)
    # A value signed as something else is still bound even when sent as 0.
    signed_one = signature(SECRET, "POST", url, {**params, "points": "1"})
    assert not verify(SECRET, ["POST"], [url], {**params, "points": "0"}, signed_one)


def test_many_falsy_values_are_tried_all_or_none():
    url, params, _, _ = VECTORS[0]
    falsy = {f"flag{i}" for i in range(6)}
    sent = {**params, **dict.fromkeys(falsy, "0")}
    assert verify(SECRET, ["POST"], [url], sent, _npm_signature(url, sent, falsy))
    assert not verify(SECRET, ["POST"], [url], sent, _npm_signature(url, sent, {"flag0"}))
