"""`make dev`: the whole service on one local port, with emulators and demo data.

    python -m devtools.dev [--port 8080]

Starts the Cloud Firestore emulator and a GCS emulator (ports from firebase.json), loads the
demo catalog and its images, creates a demo V1 partner client and a demo Gigya site with an
application key (`.dev/gigya.json`), serves every function of main.py at its production path,
delivers new `transactions` documents to the trigger function as Eventarc would, seeds demo
users through that path, and prints example calls. Ctrl-C stops everything it started.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
FIREBASE_JSON = ROOT / "firebase.json"
DEMO_CATALOG = ROOT / "demo" / "catalog.json"
PROJECT = "demo-challenges"
BUCKET = "challenge-images"
DEMO_CLIENT_ID = "demo-partner"
DEMO_GIGYA_API_KEY = "3_demo-challenges"
HOST = "127.0.0.1"
DEV_RANK_STALENESS_SECONDS = 20

# (user, ledger command, fields): what the demo users have done so far.
DEMO_ACTIVITY: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("+201000000001", "earn", {"points": 1200, "balance_after": 1200, "sequence": 1}),
    ("+201000000001", "subscribe", {"voucher_id": "V-LATTE-10", "sequence": 2}),
    ("+201000000001", "subscribe", {"voucher_id": "V-CROISSANT", "sequence": 3}),
    ("+201000000001", "tier", {"tier": 3, "sequence": 4}),
    ("+201000000002", "earn", {"points": 300, "balance_after": 300, "sequence": 1}),
    ("+201000000002", "subscribe", {"voucher_id": "V-BREAKFAST", "sequence": 2}),
    ("+201000000002", "redeem-voucher", {"voucher_id": "V-BREAKFAST", "sequence": 3}),
    ("+201000000003", "earn", {"points": 80, "balance_after": 80, "sequence": 1}),
    # Gigya actions, at two branches (the variants of "Branch Champion" and `_default`).
    ("+201000000003", "action", {"action_id": "check-in", "attributes": {"branch": "zamalek"}}),
    ("+201000000003", "action", {"action_id": "review", "attributes": {"branch": "zamalek"}}),
    ("+201000000004", "earn", {"points": 650, "balance_after": 650, "sequence": 1}),
    ("+201000000004", "action", {"action_id": "share", "attributes": {}}),
    ("+201000000004", "action", {"action_id": "review", "attributes": {"branch": "maadi"}}),
    ("+201000000004", "action", {"action_id": "review", "attributes": {"branch": "maadi"}}),
    ("+201000000005", "earn", {"points": 300, "balance_after": 300, "sequence": 1}),
    ("+201000000005", "action", {"action_id": "check-in", "attributes": {"branch": "maadi"}}),
    ("+201000000006", "earn", {"points": 650, "balance_after": 650, "sequence": 1}),
    ("+201000000007", "earn", {"points": 1600, "balance_after": 1600, "sequence": 1}),
    ("+201000000007", "action", {"action_id": "share", "attributes": {}}),
    ("+201000000007", "action", {"action_id": "share", "attributes": {}}),
    ("+201000000007", "action", {"action_id": "share", "attributes": {}}),
)

log = logging.getLogger("devtools.dev")


@dataclass(frozen=True)
class Ports:
    """Local ports: the functions, both emulators, and the (token-only) Auth emulator host."""

    functions: int
    firestore: int
    storage: int
    auth: int


def firebase_ports(path: Path = FIREBASE_JSON) -> Ports:
    """The emulator ports firebase.json declares."""
    emulators = json.loads(path.read_text())["emulators"]
    return Ports(
        functions=int(emulators["hosting"]["port"]),
        firestore=int(emulators["firestore"]["port"]),
        storage=int(emulators["storage"]["port"]),
        auth=int(emulators["auth"]["port"]),
    )


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
        return False


def stack_env(ports: Ports, emulator_env: dict[str, str]) -> dict[str, str]:
    """The environment the functions and the tools see in the local stack."""
    return {
        **emulator_env,
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "IMAGES_BUCKET": BUCKET,
        # firebase-admin then accepts the emulator's unsigned ID tokens; nothing listens there.
        "FIREBASE_AUTH_EMULATOR_HOST": f"{HOST}:{ports.auth}",
        "LOG_JSON": "false",
        # Local calls are plain HTTP; an SDK whose transport is redirected here signs for
        # gm.us1.gigya.com (docs/GIGYA_AUTH.md).
        "GIGYA_ALLOW_SECRET_OVER_HTTP": "true",
        "GIGYA_ACCEPT_SDK_HOSTS": "true",
        # Ranks are refreshed every 10 s here, so they are at most 20 s stale (docs/RANKS.md).
        "RANK_STALENESS_SECONDS": str(DEV_RANK_STALENESS_SECONDS),
    }


def _send_logs_to(path: Path, project: str) -> None:
    # The functions log to stdout on first use; send that, and request logs, to a file instead
    # so the console keeps the example calls readable.
    from shared.logs import configure

    configure(project, json_logs=False)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().handlers[:] = [handler]


def seed_demo_users(db: Any) -> list[str]:
    """Write the demo users' ledger transactions; returns their ids."""
    from devtools.ledger import COMMANDS, build_transaction, write_transaction

    ids = []
    for user, command, fields in DEMO_ACTIVITY:
        ids.append(write_transaction(db, build_transaction(COMMANDS[command], user, **fields)))
    return ids


def create_gigya_demo(db: Any) -> dict[str, str]:
    """The demo Gigya site and a fresh application key: `{apiKey, userKey, secret}`."""
    from shared.gigya import credentials

    api_key = credentials.create_site(db, "demo", DEMO_GIGYA_API_KEY)
    user_key, secret = credentials.create_application(db, api_key, "demo")
    return {"apiKey": api_key, "userKey": user_key, "secret": secret}


def write_gigya_state(state_dir: Path, gigya: dict[str, str], base_url: str) -> Path:
    """`.dev/gigya.json`: `{apiKey, userKey, secret, baseUrl}`, readable by the owner only."""
    path = state_dir / "gigya.json"
    path.write_text(json.dumps({**gigya, "baseUrl": base_url}))
    path.chmod(0o600)
    return path


def gigya_example(state_dir: Path) -> str:
    """A signed gm.getChallengeStatus curl for a demo user, and the command that makes more."""
    from devtools.gigya_tools import signed_curl

    path = state_dir / "gigya.json"
    if not path.exists():
        return ""
    gigya = json.loads(path.read_text())
    url = f"{gigya['baseUrl']}/gm.getChallengeStatus"
    params = {"UID": DEMO_ACTIVITY[0][0], "details": "full"}
    curl = signed_curl(gigya["apiKey"], gigya["userKey"], gigya["secret"], url, params)
    sign = (
        f".venv/bin/python -m devtools.gigya_tools sign --api-key {gigya['apiKey']} \\\n"
        f"    --user-key {gigya['userKey']} --secret {shlex.quote(gigya['secret'])} \\\n"
        f"    --url {url} {shlex.quote('UID=' + params['UID'])} details=full"
    )
    return f"""
Gigya-compatible (signed: the timestamp is good for 2 minutes, the nonce for one call;
credentials in {path}):

  {curl.replace(chr(10), chr(10) + "  ")}

  {sign}
"""


def example_calls(base_url: str, client_id: str, key: bytes, state_dir: Path) -> str:
    """Ready-to-paste calls: V1 with fresh X-Messages, V2 with an emulator ID token, Gigya."""
    from devtools.auth_tools import emulator_id_token, mint_message

    user = DEMO_ACTIVITY[0][0]
    q = quote(user, safe="")
    list_path = "/api/v1/Integration/GetProgressChallengesInfoForUser"
    details_path = "/api/v1/Integration/GetDetailsById"
    token = emulator_id_token(user, "demo-" + user.strip("+"), PROJECT)
    env_file = state_dir / "env.sh"
    key_b64 = json.loads((state_dir / "demo-client.json").read_text())["key"]
    return f"""
Example calls (each X-Message is good for one request within 5 minutes):

  curl -s '{base_url}{list_path}?UserId={q}&Page=1&ItemsPerPage=5' \\
    -H 'X-ClientId: {client_id}' \\
    -H 'X-Message: {mint_message(client_id, key, "GET", list_path)}'

  curl -s -X POST '{base_url}{details_path}' -H 'Content-Type: application/json' \\
    -d '{{"UserId": "{user}", "ChallengeId": 3}}' \\
    -H 'X-ClientId: {client_id}' \\
    -H 'X-Message: {mint_message(client_id, key, "POST", details_path)}'

  curl -s '{base_url}/api/v2/Integration/GetProgressChallengesInfoForUser' \\
    -H 'Authorization: Bearer {token}'
{gigya_example(state_dir)}
More messages, ledger transactions (from another shell):

  source {env_file}
  .venv/bin/python -m devtools.auth_tools mint --client-id {client_id} --key {key_b64} \\
    --method GET --path {list_path}
  .venv/bin/python -m devtools.ledger earn --user +201000000002 --points 200

Logs: {state_dir / "logs"}    Stop: Ctrl-C
"""


def _write_state(state_dir: Path, env: dict[str, str], client_id: str, key: bytes) -> None:
    import base64

    (state_dir / "env.sh").write_text(
        "".join(f"export {name}={value}\n" for name, value in sorted(env.items()))
    )
    secret = state_dir / "demo-client.json"
    secret.write_text(json.dumps({"clientId": client_id, "key": base64.b64encode(key).decode()}))
    secret.chmod(0o600)


def _stop_on_signals(stop: threading.Event, ready: threading.Event) -> None:
    def handler(_signum: int, _frame: Any) -> None:
        stop.set()
        if not ready.is_set():
            # Still starting: unwind now; the ExitStack stops what has started.
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def run(
    ports: Ports,
    state_dir: Path,
    max_attempts: int,
    stop: threading.Event,
    ready: threading.Event,
) -> int:
    """Start everything, print the calls, wait for `stop`, then stop everything."""
    from devtools.emulators import running_emulators
    from devtools.eventarc import Deliverer, RetryPolicy
    from devtools.process_state import reset_process_state
    from devtools.server import FunctionsServer

    busy = [p for p in (ports.functions, ports.firestore, ports.storage) if _port_in_use(p)]
    if busy:
        print(f"error: port(s) {busy} already in use (another `make dev`?)", file=sys.stderr)
        return 1
    logs = state_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with ExitStack() as stack:
        print("starting the Firestore and GCS emulators…", flush=True)
        emulators = stack.enter_context(running_emulators(logs, ports.firestore, ports.storage))
        env = stack_env(ports, emulators.env)
        os.environ.update(env)
        reset_process_state()
        _send_logs_to(logs / "functions.log", PROJECT)

        from devtools.auth_tools import create_partner_client
        from devtools.catalog import load_catalog_file, load_into
        from shared.clients import firestore_client, storage_client

        db = firestore_client()
        catalog = load_catalog_file(DEMO_CATALOG)
        summary = load_into(db, storage_client(), BUCKET, catalog, DEMO_CATALOG.parent)
        print(summary.describe(), flush=True)
        client_id, key = create_partner_client(db, DEMO_CLIENT_ID, name="demo")
        _write_state(state_dir, env, client_id, key)
        gigya = create_gigya_demo(db)

        server = stack.enter_context(FunctionsServer(HOST, ports.functions))
        write_gigya_state(state_dir, gigya, server.url)
        unavailable = server.functions.unavailable
        for entry, reason in sorted(unavailable.items()):
            print(f"  not served: {entry} ({reason})", flush=True)
        if emulators.relay_port is None:
            # The gcloud wrapper fallback: the emulator cannot push events, so none are delivered.
            seeded = seed_demo_users(db)
            print(
                f"seeded {len({u for u, _, _ in DEMO_ACTIVITY})} demo users with {len(seeded)} "
                "transactions (not delivered: the Firestore emulator runs without push support)",
                flush=True,
            )
        else:
            deliverer = Deliverer(
                db,
                server.event_url("on_transaction_created"),
                policy=RetryPolicy(max_attempts=max_attempts),
                relay_port=emulators.relay_port,
            )
            stack.enter_context(deliverer)
            seeded = seed_demo_users(db)
            if not deliverer.wait_idle(60, received=len(seeded)):
                print("warning: demo transactions still in delivery", flush=True)
            stats = deliverer.stats
            print(
                f"seeded {len({u for u, _, _ in DEMO_ACTIVITY})} demo users with {len(seeded)} "
                f"transactions ({stats.delivered} delivered, {stats.dead_lettered} dead-lettered)",
                flush=True,
            )
        from devtools.rank_refresher import RankRefresher

        refresher = RankRefresher(firestore_client, DEV_RANK_STALENESS_SECONDS / 2)
        refresher.run_once()
        refresher.start()
        stack.callback(refresher.stop)
        print(example_calls(server.url, client_id, key, state_dir), flush=True)
        ready.set()
        print(f"ready: {server.url} (in {time.monotonic() - started:.1f}s)", flush=True)
        while not stop.wait(0.5):
            pass
        print("stopping…", flush=True)
    print("stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the local stack until Ctrl-C."""
    defaults = firebase_ports()
    parser = argparse.ArgumentParser(prog="python -m devtools.dev", description=__doc__)
    parser.add_argument("--port", type=int, default=defaults.functions, help="functions port")
    parser.add_argument("--firestore-port", type=int, default=defaults.firestore)
    parser.add_argument("--storage-port", type=int, default=defaults.storage)
    parser.add_argument("--state-dir", type=Path, default=ROOT / ".dev")
    parser.add_argument(
        "--max-attempts", type=int, default=5, help="deliveries of one event before dead-letter"
    )
    args = parser.parse_args(argv)
    ports = Ports(args.port, args.firestore_port, args.storage_port, defaults.auth)
    stop, ready = threading.Event(), threading.Event()
    _stop_on_signals(stop, ready)
    try:
        return run(ports, args.state_dir.resolve(), args.max_attempts, stop, ready)
    except KeyboardInterrupt:
        print("interrupted; stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
