"""Local tools for the V1/V2 auth: create a partner client, mint an X-Message, make an ID token.

python -m devtools.auth_tools create-client [--id ID] [--name NAME]
python -m devtools.auth_tools mint --client-id ID --key KEY_B64 --method GET --path /api/v1/...
python -m devtools.auth_tools id-token --phone +201000000001 [--uid UID]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import secrets
import sys
import time
from typing import Any

from shared.auth import partner_messages, partners


def create_partner_client(
    db: Any, client_id: str | None = None, name: str = "demo"
) -> tuple[str, bytes]:
    """Create (or re-key) a partner client; returns its ClientId and its new 32-byte key."""
    client_id = client_id or f"client-{secrets.token_hex(8)}"
    key = secrets.token_bytes(partner_messages.KEY_BYTES)
    partners.save_client(db, client_id, key, name)
    return client_id, key


def mint_message(
    client_id: str,
    key: bytes,
    method: str,
    path: str,
    now: float | None = None,
    nonce: str | None = None,
) -> str:
    """An `X-Message` for one request: `method` and `path` exactly as it will be sent."""
    claims = {
        "time": int(time.time() if now is None else now),
        "nonce": nonce or secrets.token_urlsafe(18),
        "method": method.upper(),
        "path": path.split("?", 1)[0],
    }
    return partner_messages.seal(client_id, key, claims)


def _project(project: str | None) -> str:
    found = project or os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT")
    if not found:
        raise ValueError("no project: pass project or set GOOGLE_CLOUD_PROJECT")
    return found


def emulator_id_token(
    phone_number: str | None,
    uid: str,
    project: str | None = None,
    *,
    now: float | None = None,
    lifetime_seconds: int = 3600,
) -> str:
    """An unsigned ID token like the Firebase Auth emulator's (accepted in emulator mode only)."""
    project = _project(project)
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "auth_time": issued,
        "user_id": uid,
        "sub": uid,
        "iat": issued,
        "exp": issued + lifetime_seconds,
        "firebase": {
            "identities": {"phone": [phone_number]} if phone_number else {},
            "sign_in_provider": "phone" if phone_number else "custom",
        },
    }
    if phone_number:
        claims["phone_number"] = phone_number

    def part(value: dict[str, Any]) -> str:
        return partner_messages.b64url_encode(json.dumps(value, separators=(",", ":")).encode())

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def parse_key(text: str) -> bytes:
    """A key given as base64 (standard or URL-safe, padded or not)."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key is not base64") from None
    if len(key) != partner_messages.KEY_BYTES:
        raise ValueError(f"the key must be {partner_messages.KEY_BYTES} bytes, got {len(key)}")
    return key


def _firestore() -> Any:
    from google.cloud import firestore

    return firestore.Client(project=_project(None))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m devtools.auth_tools", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-client", help="create a V1 partner client in Firestore")
    create.add_argument("--id", dest="client_id", help="ClientId (default: a random one)")
    create.add_argument("--name", default="demo", help="a name for the partner")
    mint = commands.add_parser("mint", help="print an X-Message for one request")
    mint.add_argument("--client-id", required=True)
    mint.add_argument("--key", required=True, help="the client's key, base64")
    mint.add_argument("--method", default="GET")
    mint.add_argument("--path", required=True, help="the request path, e.g. /api/v1/Integration/…")
    token = commands.add_parser("id-token", help="print an emulator Firebase ID token")
    token.add_argument("--phone", help="the phone_number claim, e.g. +201000000001")
    token.add_argument("--uid", help="the uid (default: derived from the phone number)")
    token.add_argument("--project", help="the Firebase project (default: GOOGLE_CLOUD_PROJECT)")
    args = parser.parse_args(argv)
    try:
        if args.command == "create-client":
            client_id, key = create_partner_client(_firestore(), args.client_id, args.name)
            print(f"CLIENT_ID={client_id}")
            print(f"CLIENT_KEY={partners.encode_key(key)}")
        elif args.command == "mint":
            print(mint_message(args.client_id, parse_key(args.key), args.method, args.path))
        else:
            if not args.phone and not args.uid:
                parser.error("id-token needs --phone or --uid")
            uid = args.uid or "phone-" + "".join(ch for ch in args.phone if ch.isdigit())
            print(emulator_id_token(args.phone, uid, args.project))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
