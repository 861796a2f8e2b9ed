"""docs/openapi.json is what the models generate (regenerate: python -m shared.api.openapi)."""

from __future__ import annotations

import json
from pathlib import Path

import schemathesis

from shared.api.openapi import render
from shared.endpoints import of_kind

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_checked_in_document_matches_the_models():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/openapi.json is stale: run `python -m shared.api.openapi > docs/openapi.json`"
    )


def test_document_loads_as_openapi_3_1_with_every_operation():
    schema = schemathesis.openapi.from_dict(json.loads(DOC.read_text(encoding="utf-8")))
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    # Every method of every public path of the table of functions (shared/endpoints.py).
    assert operations == {(m, p) for f in of_kind("http") for p in f.paths for m in f.methods}
    for version in ("v1", "v2"):
        assert ("GET", f"/api/{version}/Integration/GetProgressChallengesInfoForUser") in operations
        assert ("POST", f"/api/{version}/Integration/ClaimPrize") in operations


def test_every_documented_endpoint_has_an_entry_point():
    paths = json.loads(DOC.read_text(encoding="utf-8"))["paths"]
    assert set(paths) == {p for f in of_kind("http") for p in f.paths}
