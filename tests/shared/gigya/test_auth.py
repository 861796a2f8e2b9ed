"""Gigya authentication against the Firestore emulator: every refusal with its code, in order."""

from __future__ import annotations

import base64
import secrets
import time
from datetime import UTC, datetime

import pytest

from shared.auth.nonces import nonce_doc
from shared.config import Settings, load_settings
from shared.errors import (
    DuplicateNonceError,
    InvalidApiKeyError,
    InvalidArgumentError,
    InvalidSecretError,
    InvalidSignatureError,
    MissingParameterError,
    RequestExpiredError,
    SecretOverHttpError,
    ServiceError,
    UnauthorizedUserError,
)
from shared.gigya import credentials
from shared.gigya.auth import GigyaCaller, authenticate, nonce_client_id, nonce_key
from shared.gigya.signature import signature

pytestmark = pytest.mark.emulator

PATH = "/gm.getChallengeStatus"
PUBLIC = "https://challenges.example.com"
NOW = 1_800_000_000.0


def _settings(**env: str) -> Settings:
    return load_settings(
        {"GOOGLE_CLOUD_PROJECT": "p", "IMAGES_BUCKET": "b", "GIGYA_SIGNED_BASE_URLS": PUBLIC, **env}
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    credentials.reset_cache()
    yield
    credentials.reset_cache()


@pytest.fixture
def site(db) -> dict[str, str]:
    api_key = credentials.create_site(db, "Acme")
    user_key, secret = credentials.create_application(db, api_key, "backend")
    return {"apiKey": api_key, "userKey": user_key, "secret": secret}


def _auth(db, params, *, https=True, method="POST", host=None, settings=None, now=NOW):
    return authenticate(db, https, method, PATH, params, settings or _settings(), now, host=host)


def _refused(error_type: type[ServiceError], code: int, db, params, **kwargs) -> ServiceError:
    with pytest.raises(error_type) as info:
        _auth(db, params, **kwargs)
    assert type(info.value) is error_type
    assert info.value.gigya_code == code
    return info.value


def _signed(
    site: dict[str, str],
    extra: dict[str, str] | None = None,
    *,
    url: str = PUBLIC + PATH,
    method: str = "POST",
    timestamp: str | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    params = {
        "apiKey": site["apiKey"],
        "userKey": site["userKey"],
        "format": "json",
        "UID": "u 1",
        "timestamp": timestamp or str(int(NOW)),
        "nonce": nonce or secrets.token_hex(8),
        **(extra or {}),
    }
    params["sig"] = signature(site["secret"], method, url, params)
    return params


def _nonce_used(db, user_key: str, nonce: str) -> bool:
    return db.document(nonce_doc(nonce_client_id(user_key), nonce_key(nonce))).get().exists


# apiKey


def test_missing_api_key_is_400002(db, site):
    for params in ({}, {"apiKey": ""}):
        error = _refused(MissingParameterError, 400002, db, params)
        assert error.parameter == "apiKey" and "apiKey" in error.message


def test_unknown_or_malformed_api_key_is_400093(db, site):
    for key in ("3_unknown", "../x", "a/b"):
        _refused(InvalidApiKeyError, 400093, db, {**_signed(site), "apiKey": key})


def test_api_key_name_matches_in_any_case(db, site):
    params = _signed(site)
    params["APIKey"] = params.pop("apiKey")
    params["sig"] = signature(site["secret"], "POST", PUBLIC + PATH, params)
    assert _auth(db, params).api_key == site["apiKey"]


# userKey + secret


def test_secret_over_https_is_accepted(db, site):
    caller = _auth(db, {**site, "UID": "u"})
    assert caller == GigyaCaller(api_key=site["apiKey"], user_key=site["userKey"])


def test_secret_over_http_is_403006_before_anything_else(db, site):
    for params in ({**site}, {**site, "userKey": "Anobody"}, {**site, "secret": "wrong"}):
        _refused(SecretOverHttpError, 403006, db, params, https=False)


def test_secret_over_http_when_the_setting_allows(db, site):
    settings = _settings(GIGYA_ALLOW_SECRET_OVER_HTTP="true")
    assert _auth(db, {**site}, https=False, settings=settings).user_key == site["userKey"]


def test_secret_without_user_key_is_400002(db, site):
    error = _refused(MissingParameterError, 400002, db, {**site, "userKey": ""})
    assert error.parameter == "userKey"


def test_secret_with_unknown_or_foreign_user_key_is_403005(db, site):
    _refused(UnauthorizedUserError, 403005, db, {**site, "userKey": "Anobody"})
    other_site = credentials.create_site(db, "Other")
    other_key, other_secret = credentials.create_application(db, other_site, "x")
    foreign = {**site, "userKey": other_key, "secret": other_secret}
    _refused(UnauthorizedUserError, 403005, db, foreign)


def test_wrong_secret_is_403010(db, site):
    _refused(InvalidSecretError, 403010, db, {**site, "secret": site["secret"][:-2] + "A="})


# signed requests


def test_signed_request_is_accepted_and_its_nonce_consumed(db, site):
    params = _signed(site, nonce="n-1")
    assert not _nonce_used(db, site["userKey"], "n-1")
    assert _auth(db, params) == GigyaCaller(site["apiKey"], site["userKey"])
    record = db.document(nonce_doc(nonce_client_id(site["userKey"]), nonce_key("n-1"))).get()
    assert record.exists
    expires = record.to_dict()["expiresAt"]
    assert expires == datetime.fromtimestamp(NOW + 120 + 60, UTC)


def test_signed_over_plain_http_is_fine(db, site):
    assert _auth(db, _signed(site), https=False).user_key == site["userKey"]


@pytest.mark.parametrize("missing", ["userKey", "timestamp", "nonce"])
def test_signed_request_missing_a_part_is_400002(db, site, missing):
    params = _signed(site)
    params[missing] = ""
    error = _refused(MissingParameterError, 400002, db, params)
    assert error.parameter == missing and missing in error.message


def test_neither_secret_nor_sig_is_400002_naming_sig(db, site):
    params = _signed(site)
    del params["sig"]
    error = _refused(MissingParameterError, 400002, db, params)
    assert error.parameter == "sig"


@pytest.mark.parametrize("timestamp", ["soon", "1e9", "-5", "0x10", " 1800000000"])
def test_non_numeric_timestamp_is_400006(db, site, timestamp):
    error = _refused(InvalidArgumentError, 400006, db, _signed(site, timestamp=timestamp))
    assert error.parameter == "timestamp"


@pytest.mark.parametrize("offset", [-121, 121, -3600, 10**6])
def test_timestamp_outside_the_window_is_403002(db, site, offset):
    params = _signed(site, timestamp=str(int(NOW) + offset), nonce="late")
    error = _refused(RequestExpiredError, 403002, db, params)
    assert error.message == (
        "The requests timestamp skew more than 120 seconds from the server time. Please check "
        "you server's time and timezone configuration. Server timestamp: 1800000000, Request "
        f"timestamp: {int(NOW) + offset}"
    )
    assert not _nonce_used(db, site["userKey"], "late")


@pytest.mark.parametrize("offset", [-120, 0, 120])
def test_timestamp_inside_the_window(db, site, offset):
    assert _auth(db, _signed(site, timestamp=str(int(NOW) + offset)))


def test_millisecond_timestamps_as_the_npm_sdk_sends(db, site):
    assert _auth(db, _signed(site, timestamp=str(int(NOW * 1000) + 119_999)))
    late = _signed(site, timestamp=str(int(NOW * 1000) - 121_000))
    error = _refused(RequestExpiredError, 403002, db, late)
    assert error.message.endswith(f"Request timestamp: {int(NOW) - 121}")


def test_the_window_is_a_setting(db, site):
    settings = _settings(GIGYA_TIMESTAMP_WINDOW_SECONDS="10")
    params = _signed(site, timestamp=str(int(NOW) - 11))
    with pytest.raises(RequestExpiredError, match="more than 10 seconds"):
        _auth(db, params, settings=settings)


def test_signed_with_unknown_or_foreign_user_key_is_403005(db, site):
    unknown = {**site, "userKey": "Anobody"}
    _refused(UnauthorizedUserError, 403005, db, _signed(unknown))
    other_site = credentials.create_site(db, "Other")
    other_key, other_secret = credentials.create_application(db, other_site, "x")
    foreign = {"apiKey": site["apiKey"], "userKey": other_key, "secret": other_secret}
    _refused(UnauthorizedUserError, 403005, db, _signed(foreign))


def test_wrong_signature_is_403003_and_leaves_the_nonce_unused(db, site):
    params = _signed(site, nonce="n-2")
    tampered = {**params, "UID": "someone else"}
    _refused(InvalidSignatureError, 403003, db, tampered)
    _refused(InvalidSignatureError, 403003, db, {**params, "sig": "AAAA"})
    wrong_secret = _signed({**site, "secret": credentials.new_secret()}, nonce="n-2")
    _refused(InvalidSignatureError, 403003, db, wrong_secret)
    assert not _nonce_used(db, site["userKey"], "n-2")
    # The genuine request with that nonce still goes through, once.
    assert _auth(db, params)
    assert _nonce_used(db, site["userKey"], "n-2")


def test_nonce_reuse_is_403004(db, site):
    first = _signed(site, nonce="same")
    assert _auth(db, first)
    _refused(DuplicateNonceError, 403004, db, first)
    # Also with another, validly signed request.
    _refused(DuplicateNonceError, 403004, db, _signed(site, {"UID": "v"}, nonce="same"))


def test_nonces_are_per_application_key_and_any_text(db, site):
    other_key, other_secret = credentials.create_application(db, site["apiKey"], "second")
    other = {**site, "userKey": other_key, "secret": other_secret}
    nonce = "a/b:c é " + "x" * 2000
    assert _auth(db, _signed(site, nonce=nonce))
    assert _auth(db, _signed(other, nonce=nonce))


def test_signed_url_candidates(db, site):
    sdk = "https://gm.us1.gigya.com" + PATH
    # Not accepted unless the setting says so.
    _refused(InvalidSignatureError, 403003, db, _signed(site, url=sdk))
    with_sdk = _settings(GIGYA_ACCEPT_SDK_HOSTS="true")
    assert _auth(db, _signed(site, url=sdk), settings=with_sdk)
    python_sdk = "http://gm.us1.gigya.com" + PATH
    assert _auth(db, _signed(site, url=python_sdk), settings=with_sdk)
    # The request's own URL, from the scheme it arrived with and its Host.
    local = "http://127.0.0.1:8080" + PATH
    _refused(InvalidSignatureError, 403003, db, _signed(site, url=local), https=False)
    assert _auth(db, _signed(site, url=local), https=False, host="127.0.0.1:8080")
    _refused(
        InvalidSignatureError,
        403003,
        db,
        _signed(site, url=local),
        https=True,
        host="127.0.0.1:8080",
    )


def test_signed_for_post_or_the_request_method(db, site):
    get_sig = _signed(site, method="GET")
    _refused(InvalidSignatureError, 403003, db, get_sig, method="POST")
    assert _auth(db, get_sig, method="GET")
    assert _auth(db, _signed(site), method="GET")


def test_npm_falsy_quirk_is_accepted(db, site):
    params = _signed(site, {"includeSelf": ""})
    params["includeSelf"] = "false"
    assert _auth(db, params)
    params = _signed(site, {"includeSelf": ""})
    params["includeSelf"] = "true"
    _refused(InvalidSignatureError, 403003, db, params)


def test_secret_wins_when_both_are_sent(db, site):
    params = {**_signed(site), "secret": "wrong"}
    _refused(InvalidSecretError, 403010, db, params)


# credentials


def test_application_repr_hides_the_secret(db, site):
    application = credentials.get_application(db, site["userKey"])
    assert application is not None and application.secret == site["secret"]
    assert site["secret"] not in repr(application) and "<redacted>" in repr(application)


def test_key_formats(db, site):
    assert site["apiKey"].startswith("3_") and credentials.valid_api_key(site["apiKey"])
    assert site["userKey"].startswith("A") and site["userKey"].isalnum()
    assert len(base64.b64decode(site["secret"], validate=True)) == credentials.SECRET_BYTES


def test_application_needs_a_known_site(db):
    with pytest.raises(ValueError, match="create the site first"):
        credentials.create_application(db, "3_missing", "x")


def test_unknown_keys_are_cached_briefly(db, site):
    start = time.monotonic()
    assert credentials.get_site(db, "3_later", now=start) is None
    db.document(credentials.site_doc("3_later")).set({"name": "Later"})
    assert credentials.get_site(db, "3_later", now=start + 1) is None
    later = start + credentials.UNKNOWN_TTL_SECONDS + 1
    assert credentials.get_site(db, "3_later", now=later) is not None
