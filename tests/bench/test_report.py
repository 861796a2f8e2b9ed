"""Figures, goals, percentiles and the JSON summary: pure logic."""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench.report import Figure, at_least, at_most, info, percentile, summary_lines, write_json


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0, 1.0, 2.0], 100) == 3.0
    assert math.isnan(percentile([], 50))


def test_goals_decide_met_and_missed() -> None:
    assert at_most("a", 2, "RPC", 2).met is True
    assert at_most("a", 3, "RPC", 2).met is False
    assert at_least("b", 99.9, "events/s", 100).met is False
    assert at_least("b", 100, "events/s", 100).met is True
    assert info("c", 5, "ms").met is None


def test_summary_has_one_line_per_figure_with_verdicts() -> None:
    figures = [at_most("round trips", 1, "RPC", 2), at_least("rate", 5, "events/s", 100)]
    lines = summary_lines(figures)
    assert len(lines) == 2
    assert lines[0].endswith("met") and "<= 2 RPC" in lines[0]
    assert lines[1].endswith("MISSED") and ">= 100 events/s" in lines[1]


def test_json_keeps_figures_and_turns_nan_into_null(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "results.json"
    figures = [Figure("p99", math.nan, "ms", "<= 34 ms", False, {"n": 0})]
    write_json(out, figures, {"mode": "quick"})
    body = json.loads(out.read_text())
    assert body["context"] == {"mode": "quick"}
    assert body["figures"][0]["value"] is None
    assert body["figures"][0]["verdict"] == "MISSED"
