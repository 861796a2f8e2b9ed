"""A member's data, for operators: export everything the service holds about a user, or erase it.

python -m devtools.members export UID
python -m devtools.members erase UID

Runs against the project in GOOGLE_CLOUD_PROJECT with the default credentials (a service
account in production), or the emulator when FIRESTORE_EMULATOR_HOST is set. The ledger's
`transactions` documents are the ledger's: neither exported nor erased. docs/OPERATIONS.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from devtools.dead_letters import firestore_client
from devtools.firestore_json import dumps
from shared.repository import members_repo, paths
from shared.repository.members_repo import Erasure


def erasure_lines(erasure: Erasure) -> list[str]:
    """What `erase` prints: what went, and what is left to the ledger."""
    if not erasure.changed:
        lines = [f"nothing to erase for {erasure.user_id!r}"]
    else:
        under = ", ".join(f"{name} {n}" for name, n in sorted(erasure.subcollections.items()))
        lines = [
            f"erased {erasure.user_id!r}:",
            f"  user document: {erasure.user_document}",
            f"  documents under it: {sum(erasure.subcollections.values())}"
            + (f" ({under})" if under else ""),
            f"  leaderboard entries (taken off their rank tables): {len(erasure.boards)}"
            + (f" ({', '.join(sorted(erasure.boards))})" if erasure.boards else ""),
            f"  voucher records no longer naming the user (codes stay taken): "
            f"{erasure.voucher_records}",
            f"  dead letters of their transactions: {erasure.dead_letters}",
        ]
    lines.append(
        f"left to the ledger: {erasure.ledger_transactions} {paths.TRANSACTIONS} documents "
        "name this user; they are the ledger's records, erase them there"
    )
    return lines


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m devtools.members`."""
    p = argparse.ArgumentParser(
        prog="python -m devtools.members",
        description=(__doc__ or "").split("\n")[0],
    )
    commands = p.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="print everything held about the user, as JSON")
    export.add_argument("uid", help="the user id, as the ledger and the APIs name the user")
    erase = commands.add_parser("erase", help="delete everything held about the user")
    erase.add_argument("uid", help="the user id, as the ledger and the APIs name the user")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 on success, 2 on bad use."""
    args = parser().parse_args(argv)
    if not args.uid:
        print("error: the user id must not be empty", file=sys.stderr)
        return 2
    try:
        db = firestore_client()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "export":
        print(dumps(members_repo.export_member(db, args.uid)))
    else:
        for line in erasure_lines(members_repo.erase_member(db, args.uid)):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
