"""Figures with their goals, the compact summary and its JSON form."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured value, its goal and whether the goal is met (None: no goal, informative)."""

    name: str
    value: float
    unit: str
    goal: str = ""
    met: bool | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """`met`, `MISSED` or `-` (no goal)."""
        if self.met is None:
            return "-"
        return "met" if self.met else "MISSED"


def at_most(name: str, value: float, unit: str, limit: float, **detail: Any) -> Figure:
    """A figure whose goal is `value <= limit`."""
    return Figure(name, value, unit, f"<= {limit:g} {unit}".rstrip(), value <= limit, detail)


def at_least(name: str, value: float, unit: str, limit: float, **detail: Any) -> Figure:
    """A figure whose goal is `value >= limit`."""
    return Figure(name, value, unit, f">= {limit:g} {unit}".rstrip(), value >= limit, detail)


def info(name: str, value: float, unit: str, **detail: Any) -> Figure:
    """A figure reported for context, without a goal."""
    return Figure(name, value, unit, "", None, detail)


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100) by the nearest-rank method; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _value(figure: Figure) -> str:
    if math.isnan(figure.value):
        return "n/a"
    if figure.value == int(figure.value) and abs(figure.value) < 1e9:
        return f"{int(figure.value)} {figure.unit}".rstrip()
    return f"{figure.value:.3g} {figure.unit}".rstrip()


def summary_lines(figures: Sequence[Figure]) -> list[str]:
    """One aligned line per figure: name, value, goal, verdict."""
    width = max((len(f.name) for f in figures), default=0)
    return [
        f"{f.name:<{width}}  {_value(f):>14}  {f.goal or '(context)':<22}  {f.verdict}"
        for f in figures
    ]


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def write_json(path: Path, figures: Sequence[Figure], context: dict[str, Any]) -> None:
    """Write the figures and the run's context (machine noise, options) as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "context": context,
        "figures": [{**asdict(f), "verdict": f.verdict} for f in figures],
    }
    path.write_text(json.dumps(_jsonable(body), indent=2, default=str) + "\n")
