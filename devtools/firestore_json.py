"""Stored Firestore values as JSON, for the operator commands' output."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any


def _plain(value: Any) -> Any:
    """A JSON-encodable stand-in for a value `json` cannot encode."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return {"bytesBase64": base64.b64encode(bytes(value)).decode()}
    path = getattr(value, "path", None)  # a DocumentReference
    if isinstance(path, str):
        return {"reference": path}
    if hasattr(value, "latitude") and hasattr(value, "longitude"):  # a GeoPoint
        return {"latitude": value.latitude, "longitude": value.longitude}
    return str(value)


def dumps(value: Any) -> str:
    """`value` as indented JSON: timestamps in ISO 8601, bytes in base64, keys in order."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=_plain)
