"""A ledger transaction as the engine accepts it: the model lives with its document's schema.

`LedgerTransaction` and `parse_transaction` are shared/schema/ledger.py's (docs/ENGINE.md has
the rules); they are named here too, where the engine's modules and its callers import them.
"""

from __future__ import annotations

from shared.schema.ledger import (
    ATTRIBUTE_TEXT_MAX,
    ID_MAX,
    MAX_ATTRIBUTES_BYTES,
    LedgerTransaction,
    parse_transaction,
)

__all__ = [
    "ATTRIBUTE_TEXT_MAX",
    "ID_MAX",
    "MAX_ATTRIBUTES_BYTES",
    "LedgerTransaction",
    "parse_transaction",
]
