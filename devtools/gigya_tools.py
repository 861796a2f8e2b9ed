"""Local tools for the Gigya surface: create a site, an application key, sign a request for curl.

python -m devtools.gigya_tools create-site [--name NAME] [--api-key KEY]
python -m devtools.gigya_tools create-key --api-key KEY [--name NAME]
python -m devtools.gigya_tools sign --api-key KEY --user-key USER_KEY --secret SECRET \\
    --url https://host/gm.getChallengeStatus [param=value ...]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from shared.gigya import credentials
from shared.gigya.signature import enc, normalized_url, signature


def signed_params(
    api_key: str,
    user_key: str,
    secret: str,
    url: str,
    params: Mapping[str, str],
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """`params` plus apiKey, userKey, timestamp (seconds), nonce and sig, signed for POST `url`."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or not parts.path:
        raise ValueError(f"--url must be http(s)://host/gm.method, got {url!r}")
    signed = {
        **params,
        "apiKey": api_key,
        "userKey": user_key,
        "timestamp": str(int(time.time() if now is None else now)),
        "nonce": nonce or secrets.token_hex(12),
    }
    base = f"{parts.scheme}://{parts.netloc}"
    signed["sig"] = signature(secret, "POST", normalized_url(base, parts.path), signed)
    return signed


def curl_command(url: str, params: Mapping[str, str]) -> str:
    """A ready-to-paste curl that POSTs `params` as a form to `url`."""
    form = "&".join(f"{enc(key)}={enc(value)}" for key, value in params.items())
    return f"curl -s -X POST {shlex.quote(url.split('?', 1)[0])} \\\n  -d {shlex.quote(form)}"


def signed_curl(
    api_key: str,
    user_key: str,
    secret: str,
    url: str,
    params: Mapping[str, str],
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> str:
    """A curl of one signed request (its timestamp and nonce good for one call, soon)."""
    return curl_command(
        url, signed_params(api_key, user_key, secret, url, params, now=now, nonce=nonce)
    )


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """`["UID=u1", "details=full"]` as a dict; an item without `=` is an error."""
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"parameters are name=value, got {item!r}")
        params[key] = value
    return params


def _firestore() -> Any:
    from google.cloud import firestore

    project = os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT")
    if not project:
        raise ValueError("no project: set GOOGLE_CLOUD_PROJECT (source .dev/env.sh)")
    return firestore.Client(project=project)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.gigya_tools",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    site = commands.add_parser("create-site", help="create a Gigya site (an apiKey) in Firestore")
    site.add_argument("--name", default="demo", help="a name for the site")
    site.add_argument("--api-key", help="the apiKey (default: a random 3_… one)")
    key = commands.add_parser("create-key", help="create an application key (userKey + secret)")
    key.add_argument("--api-key", required=True, help="the site's apiKey")
    key.add_argument("--name", default="demo", help="a name for the application")
    sign = commands.add_parser("sign", help="print a curl of one signed request")
    sign.add_argument("--api-key", required=True)
    sign.add_argument("--user-key", required=True)
    sign.add_argument("--secret", required=True, help="the application key's secret, base64")
    sign.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8080/gm.getTopUsers")
    sign.add_argument("params", nargs="*", metavar="name=value", help="the method's parameters")
    args = parser.parse_args(argv)
    try:
        if args.command == "create-site":
            api_key = credentials.create_site(_firestore(), args.name, args.api_key)
            print(json.dumps({"apiKey": api_key}))
        elif args.command == "create-key":
            user_key, secret = credentials.create_application(_firestore(), args.api_key, args.name)
            print(json.dumps({"apiKey": args.api_key, "userKey": user_key, "secret": secret}))
        else:
            params = parse_assignments(args.params)
            print(signed_curl(args.api_key, args.user_key, args.secret, args.url, params))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
