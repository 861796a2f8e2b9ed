"""Reconcile the stored state with the ledger: `python -m devtools.audit [--json]`.

Recomputes from `transactions` and the catalog what each user's state must be, and reports every
difference with the user and the challenge, one line each (or a JSON report with `--json`);
exits 1 when there is one (`--strict`: a note too), 0 otherwise, 2 when it could not run.
Works against the emulator (FIRESTORE_EMULATOR_HOST) or a project (GOOGLE_CLOUD_PROJECT and
application default credentials, read access is enough); streams the ledger ordered by user, so
memory holds a few users at a time (docs/OPERATIONS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from shared.audit.findings import Finding
from shared.audit.reader import PAGE_SIZE


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m devtools.audit", description=__doc__)
    p.add_argument("--json", action="store_true", help="print one JSON report instead of lines")
    p.add_argument("--strict", action="store_true", help="exit 1 on notes too")
    p.add_argument("--notes", action="store_true", help="print the notes, not only the count")
    p.add_argument("--workers", type=int, default=8, help="users audited at once (default 8)")
    p.add_argument("--page-size", type=int, default=PAGE_SIZE, help="documents per query page")
    p.add_argument("--project", help="the Google Cloud project (default: GOOGLE_CLOUD_PROJECT)")
    return p


def client(project: str | None) -> Any:
    """A Firestore client of `project` (the emulator when FIRESTORE_EMULATOR_HOST is set)."""
    from google.cloud import firestore

    return firestore.Client(project=project or os.environ.get("GOOGLE_CLOUD_PROJECT") or None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the audit and print what it found."""
    args = parser().parse_args(argv)
    from shared.audit.findings import DIFFERENCE
    from shared.audit.run import run_audit

    def show(finding: Finding) -> None:
        if finding.severity == DIFFERENCE or args.notes:
            print(finding.line(), flush=True)

    try:
        report = run_audit(
            client(args.project),
            workers=args.workers,
            page_size=args.page_size,
            on_finding=None if args.json else show,
        )
    except Exception as error:  # credentials, project, network: say so, do not pretend clean
        print(f"error: the audit could not run: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.as_json(), indent=2, default=str))
    else:
        print(report.summary())
    return 1 if report.failed(args.strict) else 0


if __name__ == "__main__":
    raise SystemExit(main())
