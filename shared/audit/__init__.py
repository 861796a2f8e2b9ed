"""Reconciliation: what each user's state must be, from the ledger and the catalog."""
