"""Write ledger transactions for a user, as the loyalty ledger would (local use only).

python -m devtools.ledger earn --user +201000000001 --points 250
python -m devtools.ledger tier --user +201000000001 --tier 3 --sequence 7
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.enums import TransactionType
from shared.schema import ledger
from shared.schema.paths import transaction_doc

if TYPE_CHECKING:
    from google.cloud import firestore

# command name -> transaction type (docs/API.md)
COMMANDS: dict[str, TransactionType] = {
    "earn": TransactionType.EARN_POINTS,
    "subscribe": TransactionType.SUBSCRIBE_VOUCHER,
    "redeem": TransactionType.REDEEM_POINTS,
    "redeem-voucher": TransactionType.REDEEM_VOUCHER,
    "tier": TransactionType.TIER_CHANGE,
    "action": TransactionType.ACTION,
}


class LedgerUsageError(ValueError):
    """The command's arguments do not make a valid transaction."""


def build_transaction(
    kind: TransactionType,
    user_id: str,
    *,
    occurred_at: datetime | None = None,
    points: float | None = None,
    voucher_id: str | None = None,
    tier: int | None = None,
    action_id: str | None = None,
    attributes: dict[str, str] | None = None,
    balance_after: float | None = None,
    sequence: int | None = None,
) -> dict[str, Any]:
    """The transaction document for `kind`, checking that its required field is present."""
    if not user_id:
        raise LedgerUsageError("--user is required and must not be empty")
    fields: dict[str, Any] = {}
    if kind in (TransactionType.EARN_POINTS, TransactionType.REDEEM_POINTS):
        if points is None or points < 0:
            raise LedgerUsageError(f"{_name(kind)} needs --points N (N >= 0)")
        fields.update(points=_number(points))
    elif kind in (TransactionType.SUBSCRIBE_VOUCHER, TransactionType.REDEEM_VOUCHER):
        if not voucher_id:
            raise LedgerUsageError(f"{_name(kind)} needs --voucher ID")
        fields.update(voucher_id=voucher_id)
    elif kind is TransactionType.TIER_CHANGE:
        if tier is None:
            raise LedgerUsageError("tier needs --tier N")
        fields.update(tier=tier)
    elif kind is TransactionType.ACTION:
        if not action_id:
            raise LedgerUsageError("action needs --action-id ID")
        fields.update(action_id=action_id, attributes=dict(attributes or {}))
    if balance_after is not None:
        if balance_after < 0:
            raise LedgerUsageError("--balance-after must be >= 0")
        fields.update(balance_after=_number(balance_after))
    if sequence is not None:
        if sequence < 0:
            raise LedgerUsageError("--sequence must be >= 0")
        fields.update(sequence=sequence)
    return ledger.transaction(user_id, kind, occurred_at or datetime.now(UTC), **fields)


def write_transaction(
    db: firestore.Client, data: dict[str, Any], transaction_id: str | None = None
) -> str:
    """Create `transactions/{id}` with `data` and return the id (a fresh uuid by default)."""
    transaction_id = transaction_id or str(uuid.uuid4())
    db.document(transaction_doc(transaction_id)).create(data)
    return transaction_id


def _name(kind: TransactionType) -> str:
    return next(name for name, value in COMMANDS.items() if value is kind)


def _number(value: float) -> int | float:
    # Whole amounts are stored as integers, as the ledger sends them.
    return int(value) if float(value).is_integer() else float(value)


def _timestamp(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {raw!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _attribute(raw: str) -> tuple[str, str]:
    key, sep, value = raw.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {raw!r}")
    return key, value


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m devtools.ledger`."""
    p = argparse.ArgumentParser(
        prog="python -m devtools.ledger", description=__doc__.split("\n")[0]
    )
    p.add_argument("command", choices=sorted(COMMANDS), help="the transaction type")
    p.add_argument("--user", required=True, help="the user id (e.g. a phone number)")
    p.add_argument("--points", type=float, help="points earned or redeemed (earn, redeem)")
    p.add_argument("--voucher", help="voucher id (subscribe, redeem-voucher)")
    p.add_argument("--tier", type=int, help="the new tier (tier)")
    p.add_argument("--action-id", help="the action's id (action)")
    p.add_argument(
        "--attr", type=_attribute, action="append", default=[], help="KEY=VALUE (action)"
    )
    p.add_argument("--balance-after", type=float, help="the user's points balance after it")
    p.add_argument("--sequence", type=int, help="the ledger's per-user order")
    p.add_argument("--at", type=_timestamp, help="occurredAt, ISO 8601 (default: now)")
    p.add_argument("--id", help="the transaction id (default: a new uuid)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Write one transaction and print its id."""
    args = parser().parse_args(argv)
    try:
        data = build_transaction(
            COMMANDS[args.command],
            args.user,
            occurred_at=args.at,
            points=args.points,
            voucher_id=args.voucher,
            tier=args.tier,
            action_id=args.action_id,
            attributes=dict(args.attr),
            balance_after=args.balance_after,
            sequence=args.sequence,
        )
    except LedgerUsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from shared.clients import firestore_client

    print(write_transaction(firestore_client(), data, args.id))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
