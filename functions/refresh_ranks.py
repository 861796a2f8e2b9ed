"""Cloud Scheduler: fold changed leaderboard entries into the rank tables (docs/RANKS.md).

Not public: deployed without unauthenticated access and invoked with the runtime service
account's OIDC token, every RANK_STALENESS_SECONDS / 2 at most.
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Request, Response

from shared.clients import firestore_client
from shared.clock import utcnow
from shared.config import get_settings
from shared.logs import configure, get_logger, set_trace_from_header
from shared.repository.leaderboards_repo import refresh

log = get_logger(__name__)


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def refresh_ranks(request: Request) -> Response:
    """Run one refresh and answer its report; a failure answers 500 so the job is retried."""
    settings = get_settings()
    configure(settings.project, settings.log_json)
    set_trace_from_header(request.headers.get("X-Cloud-Trace-Context"))
    if request.method not in ("GET", "POST"):
        return _json({"error": f"method {request.method} is not allowed; use POST"}, 405)
    started = time.monotonic()
    try:
        report = refresh(firestore_client(), utcnow())
    except Exception as error:
        log.exception("rank refresh failed")
        return _json({"error": f"rank refresh failed: {type(error).__name__}"}, 500)
    fields = {**report.as_dict(), "seconds": round(time.monotonic() - started, 3)}
    log.info("ranks refreshed", extra={"fields": fields})
    return _json(fields, 200)
