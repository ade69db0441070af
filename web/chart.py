"""The geometry of a series chart (targets against results by year), drawn as inline SVG by a template.

Pure: ``series_chart(series, titles)`` returns plain numbers and strings (axis ticks, marker positions, the two
polylines); ``templates/indicator_chart.html`` turns them into ``<svg>`` markup, so the page needs no script and
every label passes through the template's escaping. Colours and line styles live in the stylesheet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kb.extract.indicators import Point, Series
from kb.text.numerals import plain_number, written_amount

WIDTH = 720
HEIGHT = 300
MARGIN = {"left": 64, "right": 24, "top": 30, "bottom": 40}
_YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50)


def written(point: Point) -> str:
    """A point's value as an official writes it: 11%, 6—6.5%, 282亿元."""
    return written_amount(point.value, point.value_max, point.unit)


def nice_step(span: float, ticks: int = 5) -> float:
    """A 1-2-5 step that cuts ``span`` into about ``ticks`` parts."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _value_range(values: list[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    if lo > 0 and lo < 0.5 * hi:
        lo = 0.0  # levels from zero when they do not sit far above it
    if hi < 0 and hi > 0.5 * lo:
        hi = 0.0
    if lo == hi:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    else:  # no mark on the frame: a margin of 8 % of the span on the sides that do not start at zero
        pad = (hi - lo) * 0.08
        lo, hi = (lo if lo == 0 else lo - pad), (hi if hi == 0 else hi + pad)
    step = nice_step(hi - lo)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


@dataclass(frozen=True)
class _Scale:
    """Years and values → SVG coordinates (rounded to 0.1) in the plot area ``left``…``right`` × ``top``…``bottom``."""

    first: int
    last: int
    lo: float
    hi: float
    left: int
    right: int
    top: int
    bottom: int

    def x(self, year: int) -> float:
        return round(self.left + (year - self.first) / (self.last - self.first) * (self.right - self.left), 1)

    def y(self, value: float) -> float:
        return round(self.bottom - (value - self.lo) / (self.hi - self.lo) * (self.bottom - self.top), 1)


def series_chart(
    series: Series, titles: Mapping[str, str] | None = None, width: int = WIDTH, height: int = HEIGHT
) -> dict[str, Any]:
    """Axes, markers and lines of one series (see the module docstring); ``titles`` maps doc ids to titles."""
    titles = titles or {}
    left, right = MARGIN["left"], width - MARGIN["right"]
    top, bottom = MARGIN["top"], height - MARGIN["bottom"]
    years = sorted({p.year for p in series.points})
    first, last = years[0], years[-1]
    if first == last:
        first, last = first - 1, last + 1
    values = [v for p in series.points for v in (p.value, p.value_max) if v is not None]
    lo, hi = _value_range(values)
    scale = _Scale(first, last, lo, hi, left, right, top, bottom)
    x, y = scale.x, scale.y
    targets, results, first_target, first_result = _markers(series, titles, scale)

    def path(points: dict[int, Point]) -> str:
        return " ".join(f"{x(year)},{y(points[year].value)}" for year in sorted(points))

    zero = y(0.0) if lo < 0 < hi else None
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "x_ticks": _x_ticks(scale),
        "y_ticks": _y_ticks(scale),
        "zero": zero,
        "unit": series.unit,
        "targets": targets,
        "results": results,
        "target_line": path(first_target) if len(first_target) > 1 else "",
        "result_line": path(first_result) if len(first_result) > 1 else "",
    }


def _x_ticks(scale: _Scale) -> list[dict[str, Any]]:
    first, last = scale.first, scale.last
    year_step = next((s for s in _YEAR_STEPS if (last - first) / s <= 12), 100)
    return [
        {"x": scale.x(year), "label": str(year)}
        for year in range(first, last + 1)
        if (year - first) % year_step == 0 or (year == last and (last - first) % year_step > year_step / 2)
    ]


def _y_ticks(scale: _Scale) -> list[dict[str, Any]]:
    lo, hi = scale.lo, scale.hi
    step = nice_step(hi - lo)
    count = round((hi - lo) / step)
    return [
        {"y": scale.y(lo + i * step), "label": plain_number(round(lo + i * step, 6))}
        for i in range(count + 1)
    ]


def _markers(
    series: Series, titles: Mapping[str, str], scale: _Scale
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, Point], dict[int, Point]]:
    """The target and result markers, and the first target and first result of each year (the lines' points)."""
    x, y = scale.x, scale.y
    judged = {a.year: a.attained for a in series.attainment}
    conflict_years = {c.year for c in series.conflicts}
    targets, results = [], []
    first_target: dict[int, Point] = {}
    first_result: dict[int, Point] = {}
    for point in series.points:
        title = titles.get(point.doc_id, point.doc_id)
        if point.kind == "target":
            first_target.setdefault(point.year, point)
            targets.append(
                {
                    "x": x(point.year),
                    "y": y(point.value),
                    "y2": y(point.value_max) if point.value_max is not None else None,
                    "cls": "conflict" if point.year in conflict_years else "",
                    "label": f"{point.year}年目标 {written(point)} {point.qualifier}，《{title}》".replace(
                        " ，", "，"
                    ),
                }
            )
        else:
            first_result.setdefault(point.year, point)
            state = judged.get(point.year, "")
            cls = {True: "met", False: "missed", None: "na"}.get(state, "") if point.year in judged else ""
            results.append(
                {
                    "x": x(point.year),
                    "y": y(point.value),
                    "cls": cls,
                    "label": f"{point.year}年结果 {written(point)}，《{title}》",
                }
            )
    return targets, results, first_target, first_result
