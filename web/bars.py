"""The geometry of a bar chart of one indicator across regions (inline SVG drawn by ``templates/_regions.html``).

Pure: ``region_bars(rows, unit)`` returns plain numbers and strings (one horizontal bar per region in the rows'
order, a range's upper part as a lighter extension, axis ticks); the template escapes every label and links each
bar to its source clause, so the chart needs no script.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from kb.text.numerals import plain_number
from web.chart import nice_step

WIDTH = 720
ROW = 22
MARGIN = {"left": 132, "right": 72, "top": 28, "bottom": 12}


def region_bars(rows: Sequence[dict[str, Any]], unit: str, width: int = WIDTH) -> dict[str, Any]:
    """Bars for rows of ``kb.present.region_rows_json`` (region, value, value_max, written, url)."""
    left, right = MARGIN["left"], width - MARGIN["right"]
    top = MARGIN["top"]
    height = top + ROW * len(rows) + MARGIN["bottom"]
    values = [v for r in rows for v in (r["value"], r["value_max"]) if v is not None] or [0.0]
    lo, hi = min(0.0, min(values)), max(0.0, max(values))
    if lo == hi:
        hi = lo + 1.0
    step = nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step

    def x(value: float) -> float:
        return round(left + (value - lo) / (hi - lo) * (right - left), 1)

    bars = []
    for i, r in enumerate(rows):
        y = top + i * ROW
        x0, x1 = sorted((x(0.0), x(r["value"])))
        extra = None
        if r["value_max"] is not None:
            e0, e1 = sorted((x(r["value"]), x(r["value_max"])))
            extra = {"x": e0, "width": max(1.0, round(e1 - e0, 1))}
        bars.append(
            {
                "y": y + 4,
                "height": ROW - 8,
                "text_y": y + ROW / 2 + 4,
                "x": x0,
                "width": max(1.0, round(x1 - x0, 1)),
                "extra": extra,
                "label": r["region"],
                "value": r["written"],
                "value_x": (extra["x"] + extra["width"] if extra else x1) + 6,
                "url": r["url"],
                "title": f"{r['region']}：{r['mention'] or r['written']}（{r['doc_title']}）",
            }
        )
    count = round((hi - lo) / step)
    ticks = [
        {"x": x(lo + i * step), "label": plain_number(round(lo + i * step, 6))} for i in range(count + 1)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": height - MARGIN["bottom"],
        "zero": x(0.0),
        "ticks": ticks,
        "bars": bars,
        "unit": unit,
    }
