"""The benchmark's lean listeners, on the test emulator: what they report, once each."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from bench.listen import DocumentsListener, NameListener

pytestmark = [pytest.mark.emulator, pytest.mark.timeout(60)]


def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the listener did not report in time"
        time.sleep(0.02)


def test_the_documents_listener_hands_over_each_changed_document_once(db: Any) -> None:
    db.document("things/a").set({"n": 0})
    seen: list[tuple[str, int]] = []
    lock = threading.Lock()

    def on_change(fields: Any) -> None:
        with lock:
            seen.append((fields["name"].string_value, fields["n"].integer_value))

    db.document("things/a").set({"name": "a", "n": 1})
    listener = DocumentsListener(db, ["things/a", "things/b", "things/c"], on_change).start()
    try:
        # Current: the existing document handed over once, the missing ones not at all.
        assert seen == [("a", 1)]
        db.document("things/b").set({"name": "b", "n": 1})
        db.document("things/a").set({"name": "a", "n": 2})
        db.document("elsewhere/x").set({"name": "x", "n": 1})
        _wait_for(lambda: len(seen) >= 3)
        time.sleep(0.3)
        # One change per changed document: the emulator sends every document of a target
        # when one of them changes, so each document has a target of its own.
        assert sorted(seen) == [("a", 1), ("a", 2), ("b", 1)]
    finally:
        listener.stop()


def test_the_name_listener_reports_new_documents_once(db: Any) -> None:
    db.document("things/old").set({"n": 0})
    added: list[str] = []
    listener = NameListener(db, db.collection("things"), added.append).start()
    try:
        db.document("things/new").set({"n": 1})
        db.document("things/new").set({"n": 2})
        _wait_for(lambda: added == ["new"])
        time.sleep(0.3)
        assert added == ["new"]
    finally:
        listener.stop()
