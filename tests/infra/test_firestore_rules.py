"""infra/firestore.rules in a Firestore emulator of its own: clients read only their own state."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests

from devtools.emulators import _stop, _wait_http, free_port
from shared.repository.keys import user_key
from tests.conftest import ROOT

pytestmark = pytest.mark.emulator

PROJECT = "rules-test"
PHONE = "+201000000001"


@pytest.fixture(scope="module")
def documents_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Firestore emulator enforcing the project's rules; its documents REST URL."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        pytest.fail("gcloud (Cloud Firestore emulator) is required")
    port = free_port()
    log = tmp_path_factory.mktemp("rules") / "firestore.log"
    rules = ROOT / "infra" / "firestore.rules"
    process = subprocess.Popen(
        [
            gcloud,
            "emulators",
            "firestore",
            "start",
            f"--host-port=127.0.0.1:{port}",
            "--quiet",
            f"--rules={rules}",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/", process, log, timeout=90)
        url = f"http://127.0.0.1:{port}/v1/projects/{PROJECT}/databases/(default)/documents"
        for path in _paths():
            _admin_write(url, path)
        yield url
    finally:
        _stop(process)


def _paths() -> list[str]:
    return [
        f"users/{user_key(PHONE)}",
        f"users/{user_key(PHONE)}/milestones/42",
        f"users/{user_key(PHONE)}/events/t1",
        f"users/{user_key(PHONE)}/sequences/1",
        f"users/{user_key(PHONE)}/claims/42",
        f"users/{user_key('+201000000002')}",
        f"users/{user_key('+201000000002')}/milestones/42",
        f"users/{user_key('uid-7')}",
        "challenges/1",
        "transactions/t1",
        "partnerClients/demo",
    ]


def _doc(url: str, path: str) -> str:
    return url + "/" + "/".join(quote(part, safe="+") for part in path.split("/"))


def _admin_write(url: str, path: str) -> None:
    # "owner" is the emulator's administrator: rules do not apply (as for the functions).
    body = {"fields": {"x": {"integerValue": "1"}}}
    response = requests.patch(
        _doc(url, path), json=body, headers={"Authorization": "Bearer owner"}, timeout=10
    )
    response.raise_for_status()


def _token(uid: str, phone: str | None) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{PROJECT}",
        "aud": PROJECT,
        "sub": uid,
        "user_id": uid,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
    }
    if phone:
        claims["phone_number"] = phone
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _get(url: str, path: str, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(_doc(url, path), headers=headers, timeout=10).status_code


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"users/{user_key(PHONE)}", 200),
        (f"users/{user_key(PHONE)}/milestones/42", 200),
        (f"users/{user_key(PHONE)}/events/t1", 403),
        (f"users/{user_key(PHONE)}/sequences/1", 403),
        (f"users/{user_key(PHONE)}/claims/42", 200),
        (f"users/{user_key('+201000000002')}/claims/42", 403),
        (f"users/{user_key('+201000000002')}", 403),
        (f"users/{user_key('+201000000002')}/milestones/42", 403),
        ("challenges/1", 403),
        ("transactions/t1", 403),
        ("partnerClients/demo", 403),
    ],
)
def test_a_phone_user_reads_only_its_own_progress_and_prizes(documents_url, path, status) -> None:
    assert _get(documents_url, path, _token("uid-1", PHONE)) == status


def test_without_a_phone_number_the_uid_is_the_key(documents_url) -> None:
    assert _get(documents_url, f"users/{user_key('uid-7')}", _token("uid-7", None)) == 200
    assert _get(documents_url, f"users/{user_key(PHONE)}", _token("uid-7", None)) == 403


def test_anonymous_reads_nothing(documents_url) -> None:
    assert _get(documents_url, f"users/{user_key(PHONE)}", None) == 403


def test_clients_write_nothing_not_even_their_own(documents_url) -> None:
    token = _token("uid-1", PHONE)
    for path in (
        f"users/{user_key(PHONE)}",
        f"users/{user_key(PHONE)}/milestones/9",
        "transactions/new",
    ):
        response = requests.patch(
            _doc(documents_url, path),
            json={"fields": {"x": {"integerValue": "2"}}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 403, path


def test_a_user_lists_its_own_milestones_but_not_anothers_nor_the_users(documents_url) -> None:
    token = _token("uid-1", PHONE)
    headers = {"Authorization": f"Bearer {token}"}
    own = requests.get(
        _doc(documents_url, f"users/{user_key(PHONE)}/milestones"), headers=headers, timeout=10
    )
    assert own.status_code == 200 and len(own.json()["documents"]) == 1
    other = requests.get(
        _doc(documents_url, f"users/{user_key('+201000000002')}/milestones"),
        headers=headers,
        timeout=10,
    )
    assert other.status_code == 403
    users = requests.get(_doc(documents_url, "users"), headers=headers, timeout=10)
    assert users.status_code == 403
