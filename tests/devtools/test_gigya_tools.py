"""The Gigya command line: sites, application keys, signed curls; and what `make dev` sets up."""

from __future__ import annotations

import json
import shlex
import stat
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask import Flask

from devtools import dev, gigya_tools
from devtools.process_state import reset_process_state
from shared.gigya import credentials
from shared.gigya.handler import GigyaRequest, gigya_endpoint
from shared.gigya.signature import normalized_url, verify

SECRET = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM="
URL = "http://127.0.0.1:8080/gm.getChallengeStatus"


def _curl_parts(command: str) -> tuple[str, dict[str, str]]:
    """The URL and the form fields of a curl printed by the tools."""
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:4] == ["curl", "-s", "-X", "POST"], words
    url = words[4]
    form = words[words.index("-d") + 1]
    return url, dict(parse_qsl(form, keep_blank_values=True, strict_parsing=True))


def test_signed_params_verify_for_the_url():
    params = gigya_tools.signed_params(
        "3_k", "Auser", SECRET, URL, {"UID": "+2010 é", "details": "full"}, now=1_700_000_000.7
    )
    assert params["timestamp"] == "1700000000"
    assert (params["apiKey"], params["userKey"], params["UID"]) == ("3_k", "Auser", "+2010 é")
    assert verify(SECRET, ["POST"], [URL], params, params["sig"])
    assert not verify(SECRET, ["POST"], [URL.replace("http:", "https:")], params, params["sig"])
    other = gigya_tools.signed_params("3_k", "Auser", SECRET, URL, {})
    assert other["nonce"] != params["nonce"]


def test_the_signed_url_is_normalized():
    params = gigya_tools.signed_params("3_k", "A", SECRET, "HTTP://LOCALHOST:80/gm.x", {})
    assert verify(
        SECRET, ["POST"], [normalized_url("http://localhost", "/gm.x")], params, params["sig"]
    )


def test_curl_round_trips_every_value():
    params = {"UID": "+20 1&x=y'\"", "sig": "a+b/c=", "details": "full"}
    url, form = _curl_parts(gigya_tools.curl_command(URL, params))
    assert url == URL and form == params


@pytest.mark.parametrize("bad", [["UID"], ["=x"]])
def test_parameters_are_name_value(bad):
    with pytest.raises(ValueError, match="name=value"):
        gigya_tools.parse_assignments(bad)
    assert gigya_tools.parse_assignments(["a=b=c", "e="]) == {"a": "b=c", "e": ""}


def test_sign_command_prints_a_curl(capsys):
    code = gigya_tools.main(
        ["sign", "--api-key", "3_k", "--user-key", "Au", "--secret", SECRET, "--url", URL, "UID=u"]
    )
    assert code == 0
    url, form = _curl_parts(capsys.readouterr().out)
    assert url == URL and form["UID"] == "u" and verify(SECRET, ["POST"], [URL], form, form["sig"])


@pytest.mark.parametrize(
    "args",
    [
        ["--secret", "not base64!", "--url", URL],
        ["--secret", SECRET, "--url", "ftp://h/gm.x"],
        ["--secret", SECRET, "--url", URL, "novalue"],
    ],
)
def test_sign_command_errors(capsys, args):
    assert gigya_tools.main(["sign", "--api-key", "3_k", "--user-key", "Au", *args]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_the_local_stack_allows_secrets_over_http_and_the_sdk_hosts():
    env = dev.stack_env(dev.Ports(1, 2, 3, 4), {})
    assert env["GIGYA_ALLOW_SECRET_OVER_HTTP"] == "true"
    assert env["GIGYA_ACCEPT_SDK_HOSTS"] == "true"


def test_gigya_state_and_example(tmp_path: Path):
    gigya = {"apiKey": "3_demo", "userKey": "Ademo", "secret": SECRET}
    path = dev.write_gigya_state(tmp_path, gigya, "http://127.0.0.1:8080")
    assert json.loads(path.read_text()) == {**gigya, "baseUrl": "http://127.0.0.1:8080"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = dev.gigya_example(tmp_path)
    curl = text[text.index("curl ") : text.index("\n\n", text.index("curl "))]
    url, form = _curl_parts("\n".join(line.strip() for line in curl.splitlines()))
    assert url == URL
    assert (form["UID"], form["details"]) == (dev.DEMO_ACTIVITY[0][0], "full")
    assert verify(SECRET, ["POST"], [URL], form, form["sig"])
    assert "devtools.gigya_tools sign" in text
    assert dev.gigya_example(tmp_path / "missing") == ""


@pytest.mark.emulator
def test_commands_create_keys_that_authenticate(db, capsys):
    credentials.reset_cache()
    assert gigya_tools.main(["create-site", "--name", "Acme"]) == 0
    api_key = json.loads(capsys.readouterr().out)["apiKey"]
    assert api_key.startswith("3_")
    assert gigya_tools.main(["create-key", "--api-key", api_key, "--name", "backend"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert set(created) == {"apiKey", "userKey", "secret"} and created["apiKey"] == api_key
    assert gigya_tools.main(["create-key", "--api-key", "3_nosuchsite"]) == 2
    assert "create the site first" in capsys.readouterr().err

    @gigya_endpoint()
    def whoami(ctx: GigyaRequest) -> dict[str, Any]:
        return {"userKey": ctx.caller.user_key, "UID": ctx.params["UID"]}

    app = Flask(__name__)
    app.add_url_rule("/<name>", "whoami", lambda name: whoami(_request()), methods=["POST"])
    url = "http://localhost/gm.getChallengeStatus"
    command = gigya_tools.signed_curl(
        api_key, created["userKey"], created["secret"], url, {"UID": "+201000000001"}
    )
    sent_url, form = _curl_parts(command)
    response = app.test_client().post(sent_url, data=form)
    body = response.get_json()
    assert body["errorCode"] == 0, body
    assert (body["userKey"], body["UID"]) == (created["userKey"], "+201000000001")
    reset_process_state()
    credentials.reset_cache()


def _request():
    from flask import request

    return request


@pytest.mark.emulator
def test_dev_creates_the_demo_site_and_key(db):
    credentials.reset_cache()
    first = dev.create_gigya_demo(db)
    second = dev.create_gigya_demo(db)
    assert first["apiKey"] == second["apiKey"] == dev.DEMO_GIGYA_API_KEY
    assert first["userKey"] != second["userKey"]
    application = credentials.get_application(db, first["userKey"], now=time.monotonic())
    assert application is not None and application.api_key == dev.DEMO_GIGYA_API_KEY
    assert application.secret == first["secret"]
    credentials.reset_cache()
