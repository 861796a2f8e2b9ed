"""Dead letters, for operators: list them, show one, re-drive them after a fix.

python -m devtools.dead_letters list [--limit 20]
python -m devtools.dead_letters show ID
python -m devtools.dead_letters redrive ID
python -m devtools.dead_letters redrive --all

Runs against the project in GOOGLE_CLOUD_PROJECT with the default credentials (a service
account in production), or the emulator when FIRESTORE_EMULATOR_HOST is set. docs/OPERATIONS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from devtools.firestore_json import dumps
from shared.repository import dead_letters_repo, paths

if TYPE_CHECKING:
    from google.cloud import firestore

    from shared.engine.redrive import Redriven
    from shared.repository.dead_letters_repo import DeadLetter


def firestore_client() -> firestore.Client:
    """A client for GOOGLE_CLOUD_PROJECT (the emulator when FIRESTORE_EMULATOR_HOST is set)."""
    from google.cloud import firestore

    project = os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT")
    if not project:
        raise ValueError("no project: set GOOGLE_CLOUD_PROJECT")
    return firestore.Client(project=project)


def _prepare_engine() -> None:
    # The engine reads its cache settings, whose loader also requires IMAGES_BUCKET, a setting
    # only the image URLs use: an operator's shell need not carry it. (Settings cannot have been
    # loaded without it, so none are cached yet.)
    os.environ.setdefault("IMAGES_BUCKET", "unused-by-the-engine")


def _state(letter: DeadLetter) -> str:
    if letter.redriven_at is None:
        return "pending"
    return f"redriven ({letter.redrive_status})"


def letter_rows(letters: Sequence[DeadLetter]) -> list[str]:
    """The `list` table: id, time, source, transaction, state, reason; columns aligned."""
    rows = [["ID", "RECEIVED", "SOURCE", "TRANSACTION", "STATE", "REASON"]]
    for letter in letters:
        received = letter.received_at.isoformat(timespec="seconds") if letter.received_at else "-"
        rows.append(
            [
                letter.id,
                received,
                letter.source or "-",
                letter.transaction_id or "-",
                _state(letter),
                letter.reason,
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    ]


def describe(result: Redriven) -> str:
    """One line saying what a re-drive did."""
    from shared.engine import redrive

    transaction = f"{paths.TRANSACTIONS}/{result.transaction_id}"
    if result.redriven_from == dead_letters_repo.FROM_LETTER:
        read = f"from the letter's copy ({transaction} is gone)"
    else:
        read = f"from {transaction}"
    if result.accepted:
        return f"{result.letter_id}: {result.status}, {read}; letter marked re-driven"
    if result.status == redrive.NOT_REDRIVABLE:
        return f"{result.letter_id}: not re-drivable: {result.reason}; letter kept"
    if result.status == redrive.FAILED:
        return f"{result.letter_id}: failed {read}: {result.reason}; letter kept, try again"
    return (
        f"{result.letter_id}: still malformed {read}: {result.reason}; "
        f"letter {paths.DEAD_LETTERS}/{result.letter}"
    )


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m devtools.dead_letters`."""
    p = argparse.ArgumentParser(
        prog="python -m devtools.dead_letters",
        description=(__doc__ or "").split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = p.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the letters, newest first")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    show = commands.add_parser("show", help="one letter, whole, as JSON")
    show.add_argument("id", help="the letter's id (as `list` prints it)")
    again = commands.add_parser("redrive", help="run letters' transactions through the engine")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", help="the letter's id")
    which.add_argument("--all", action="store_true", help="every letter not re-driven yet")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 on success, 1 when a letter could not be re-driven, 2 on bad use."""
    args = parser().parse_args(argv)
    try:
        db = firestore_client()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "list":
        if args.limit < 1:
            print("error: --limit must be at least 1", file=sys.stderr)
            return 2
        for line in letter_rows(dead_letters_repo.list_dead_letters(db, args.limit)):
            print(line)
        return 0
    if args.command == "show":
        letter = dead_letters_repo.read_dead_letter(db, args.id)
        if letter is None:
            print(f"error: no dead letter {args.id!r}", file=sys.stderr)
            return 2
        shown: dict[str, Any] = {"id": letter.id, **letter.fields}
        print(dumps(shown))
        return 0
    return _redrive(db, args.id, args.all)


def _redrive(db: firestore.Client, letter_id: str | None, every: bool) -> int:
    _prepare_engine()
    from shared.engine import redrive

    if every:
        results = redrive.redrive_all(db)
        if not results:
            print("no letters to re-drive")
    else:
        try:
            results = [redrive.redrive(db, letter_id or "")]
        except redrive.DeadLetterNotFound as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    for result in results:
        print(describe(result))
    return 0 if all(result.accepted for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
