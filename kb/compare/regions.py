"""One indicator across regions: the value every region set (or reported) for it in one year. Pure.

Regions and indicators are grouped as the indicator series are (``kb.extract.indicators``): one series per region,
indicator and unit kind, so the regions of one row set compare the same indicator in the same unit class (a
growth rate with growth rates, a level in 元 with levels in 元, converted to the unit most rows use).

``region_rows(series, year, kind, sentence_sizes)`` gives one row per region: its **headline** value for the year
— of a target: not a yearly average over several years (年均, a five-year goal dated by its document's year),
then the one stated in the sentence with the most quantities (the list of 主要预期目标), then the first in reading
order; of a result: the earliest document's (as ``attainment`` reads it), the same sentence rule within it. A
region whose only values that year are yearly averages is left out and named in ``averages_only``. Rows are
sorted by value, largest first (ties by region).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from kb.extract.indicators import Point, Series, split_unit

_AVERAGE = re.compile(r"年均|平均每年|每年平均")


@dataclass(frozen=True)
class RegionRow:
    region: str
    point: Point  # value and unit converted to the rows' unit
    series_id: str
    others: tuple[Point, ...] = ()  # the region's other values that year (restatements, yearly averages)


@dataclass
class RegionTable:
    name: str
    dimension: str
    year: int
    kind: str  # target | result
    unit: str
    rows: list[RegionRow] = field(default_factory=list)
    averages_only: list[str] = field(default_factory=list)


def is_average(point: Point) -> bool:
    return bool(_AVERAGE.search(point.qualifier + point.mention))


def group_of(all_series: Iterable[Series], name: str, dimension: str) -> list[Series]:
    """The series of every region for one indicator and unit kind."""
    return [s for s in all_series if s.name == name and s.dimension == dimension]


def years_of(group: Iterable[Series], kind: str) -> Counter[int]:
    """For each year, how many regions have a value of ``kind`` (yearly averages of targets not counted)."""
    regions: dict[int, set[str]] = {}
    for series in group:
        for p in series.points:
            if p.kind == kind and not (kind == "target" and is_average(p)):
                regions.setdefault(p.year, set()).add(series.region)
    return Counter({year: len(r) for year, r in regions.items()})


def _factor(unit: str, units: Mapping[str, str]) -> tuple[str, float]:
    if unit in ("%", "个百分点"):
        return unit, 1.0
    return split_unit(unit, units)


def region_rows(
    group: Iterable[Series],
    year: int,
    kind: str,
    sentence_size: Callable[[str], int],
    units: Mapping[str, str],
) -> RegionTable:
    """The table of one year (module docstring). ``sentence_size(item_id)``: how many quantities its sentence
    states; ``units``: the unit table (``units.txt``) to convert levels to one unit."""
    group = list(group)
    name = group[0].name if group else ""
    dimension = group[0].dimension if group else ""
    table = RegionTable(name, dimension, year, kind, "")
    chosen: list[tuple[Series, Point, list[Point]]] = []
    for series in sorted(group, key=lambda s: s.region):
        points = [p for p in series.points if p.year == year and p.kind == kind]
        if not points:
            continue
        if kind == "target":
            usable = [p for p in points if not is_average(p)]
            if not usable:
                table.averages_only.append(series.region)
                continue
        else:
            first_doc = points[0].doc_id  # points are sorted by year, then document date
            usable = [p for p in points if p.doc_id == first_doc]
        best = min(usable, key=lambda p: -sentence_size(p.item_id))  # min is stable: reading order on ties
        chosen.append((series, best, [p for p in points if p is not best]))
    if not chosen:
        return table
    # one unit for every row: the one most rows use
    units_used = Counter(series.unit for series, _, _ in chosen)
    unit = max(units_used, key=lambda u: (units_used[u], u))
    base, to = _factor(unit, units)
    table.unit = unit
    for series, best, others in chosen:
        b, factor = _factor(series.unit, units)
        scale = factor / to if b == base else 1.0

        def convert(p: Point, scale: float = scale) -> Point:
            return Point(
                p.year,
                p.kind,
                round(p.value * scale, 6),
                unit,
                p.qualifier,
                p.doc_id,
                p.item_id,
                None if p.value_max is None else round(p.value_max * scale, 6),
                p.mention,
            )

        table.rows.append(
            RegionRow(series.region, convert(best), series.id, tuple(convert(p) for p in others))
        )
    table.rows.sort(key=lambda r: (-r.point.value, -(r.point.value_max or r.point.value), r.region))
    return table
