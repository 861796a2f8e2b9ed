"""The progress engine: one ledger transaction in, progress and rewards out (docs/ENGINE.md)."""
